"""Type stubs of the native module (``crates/py/src/lib.rs``): text in, JSON text, bytes or numpy
arrays out."""

from typing import Any, Dict, List, Optional, Tuple

DISCLAIMER: str
VERSION: str

class NativeError(Exception):
    """args: (message, kind, field, value, expected)."""

def parse_case(text: str) -> str: ...
def simulate(text: str, resolution: str = "pooled", muscle: Optional[str] = None) -> str: ...
def simulate_parquet(
    text: str, resolution: str = "pooled", muscle: Optional[str] = None
) -> bytes: ...
def prognosis(text: str, draws: Optional[int] = None) -> str: ...
def plans(text: str, draws: Optional[int] = None) -> str: ...
def estimate(
    op: str, text: str, draws: Optional[int] = None, resolution: str = "pooled"
) -> str: ...
def diagnose(text: str) -> str: ...
def calibrate(text: str) -> str: ...
def cohort_info(text: str) -> str: ...
def cohort_chunk(
    text: str, start: int, end: int, courses: int = 0
) -> Tuple[bytes, Optional[bytes]]: ...
def cohort_prepare(
    text: str, out: str, draws: int, chunk: int, courses: int = 0
) -> List[Tuple[int, int]]: ...
def cohort_store(
    out: str,
    start: int,
    end: int,
    data: bytes,
    course_data: Optional[bytes] = None,
    courses: int = 0,
) -> None: ...
def cohort_finish(text: str, out: str, draws: int, chunk: int, courses: int = 0) -> str: ...
def cohort_run(
    text: str, out: str, draws: Optional[int] = None, chunk: int = 256, courses: int = 0
) -> str: ...
def pictures(
    text: str,
    days: List[int],
    strip: List[int] = ...,
    muscle: Optional[str] = None,
    seed: Optional[int] = None,
) -> str: ...
def snapshots(
    text: str, days: List[int], muscle: Optional[str] = None, seed: Optional[int] = None
) -> Tuple[str, List[Dict[str, Any]]]:
    """(JSON of the run without the bulk numbers, per day a dict: x_um, y_um, csa_um2, unit,
    emg_rest_uv, emg_effort_uv, cmap_distal_mv, cmap_proximal_mv as numpy arrays; fibre_type,
    state as lists of str)."""
