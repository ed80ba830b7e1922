"""reinnervate — a computational twin of the denervated nerve–muscle unit, from Python.

Research and teaching software, not a medical device.

Every function calls the same engine as the ``reinnervate`` command line:

* :func:`load_case` — a case from a dict, TOML or JSON text, or a file;
* :func:`simulate` — the daily time course as a pyarrow table (``.to_pandas()`` for pandas);
* :func:`prognosis`, :func:`plans`, :func:`diagnose`, :func:`calibrate` — the engine's results
  as dicts (the same JSON as ``--json``);
* :func:`snapshot` and :func:`snapshots` — one day (or several days of one run) of a case's twin
  at fibre resolution: the fibre table, the needle EMG and the CMAPs as numpy arrays, the readout
  and the pictures (what ``reinnervate snapshot`` writes); :func:`pictures` — the same as the
  engine's JSON, with the time strips;
* :func:`estimate` — how long one of the long operations will take, before running it;
* :class:`Cohort` and :func:`run_cohort` — virtual cohorts into Parquet; on a Dask cluster with
  :func:`reinnervate.dask.run_cohort`.

Long work releases the GIL. Errors are :class:`InputError`, :class:`NotApplicableError` and
:class:`CancelledError` (all :class:`ReinnervateError`), carrying ``field``, ``value`` and
``expected``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _reinnervate as _native
from ._snapshot import NO_UNIT, Cmap, Fibres, Snapshot, Trace, _snapshots
from .errors import (
    CancelledError,
    InputError,
    NotApplicableError,
    ReinnervateError,
    _typed,
)

__all__ = [
    "DISCLAIMER",
    "Case",
    "Cmap",
    "Cohort",
    "CancelledError",
    "Fibres",
    "NO_UNIT",
    "Snapshot",
    "Trace",
    "InputError",
    "NotApplicableError",
    "ReinnervateError",
    "calibrate",
    "diagnose",
    "estimate",
    "load_case",
    "pictures",
    "plans",
    "prognosis",
    "read_cohort",
    "read_courses",
    "run_cohort",
    "simulate",
    "simulation",
    "snapshot",
    "snapshots",
]

#: The statement every output carries.
DISCLAIMER: str = _native.DISCLAIMER
__version__: str = _native.VERSION

Source = Union["Case", Mapping[str, Any], str, "os.PathLike[str]"]


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except _native.NativeError as e:
        raise _typed(e) from None


def _text(source: Any) -> str:
    """TOML or JSON text from a dict, a path, a file name or the text itself."""
    if isinstance(source, Case):
        return source.text
    if isinstance(source, Mapping):
        return json.dumps(source)
    if isinstance(source, os.PathLike):
        return Path(source).read_text(encoding="utf-8")
    if isinstance(source, str):
        if "\n" not in source and not source.lstrip().startswith("{") and os.path.isfile(source):
            return Path(source).read_text(encoding="utf-8")
        return source
    raise InputError(
        f"cannot read a case from {type(source).__name__}",
        "case",
        type(source).__name__,
        "a dict, TOML or JSON text, or a path",
    )


class Case:
    """A case (a patient's case or an experimental case), read and checked once."""

    def __init__(self, source: Source) -> None:
        self.text: str = _text(source)
        #: The validated case as the engine sees it (``kind`` is ``patient`` or ``experiment``).
        self.data: Dict[str, Any] = json.loads(_call(_native.parse_case, self.text))

    @property
    def kind(self) -> str:
        return self.data["kind"]

    def __repr__(self) -> str:
        return f"Case(kind={self.kind!r})"


def load_case(source: Source) -> Case:
    """Reads a case from a dict, TOML or JSON text, or a file, and checks it."""
    return source if isinstance(source, Case) else Case(source)


def simulation(
    case: Source, resolution: str = "pooled", muscle: Optional[str] = None
) -> Dict[str, Any]:
    """The engine's whole simulation result (runs per muscle with events and days) as a dict."""
    return json.loads(_call(_native.simulate, _text(case), resolution, muscle))


def simulate(case: Source, resolution: str = "pooled", muscle: Optional[str] = None):
    """The daily time course of every affected muscle (or ``muscle``) as a ``pyarrow.Table``.

    One row per muscle and day: ``muscle``, ``day`` and the twin's quantities (size, force,
    MRC grade, CMAP, fibrillations, motor units…) — the table ``reinnervate simulate --parquet``
    writes. ``.to_pandas()`` gives a DataFrame.
    """
    return _table(_call(_native.simulate_parquet, _text(case), resolution, muscle))


def prognosis(case: Source, draws: Optional[int] = None) -> Dict[str, Any]:
    """The Monte Carlo prognosis per muscle (the JSON of ``reinnervate prognosis --json``)."""
    return json.loads(_call(_native.prognosis, _text(case), draws))


def plans(case: Source, draws: Optional[int] = None) -> Dict[str, Any]:
    """The treatment plans, ranked (the JSON of ``reinnervate plans --json``)."""
    return json.loads(_call(_native.plans, _text(case), draws))


def _days(days: Any, name: str) -> List[int]:
    """Whole days from 0, or an :class:`InputError` naming ``name``."""
    out = []
    for d in days:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise InputError(f"{name} = {d!r}", name, repr(d), "a whole number of days from 0")
        out.append(int(d))
    return out


def snapshot(
    case: Source, day: int, muscle: Optional[str] = None, seed: Optional[int] = None
) -> Snapshot:
    """One day of the case's twin at fibre resolution, as ``reinnervate snapshot`` pictures it.

    ``muscle`` is the affected muscle of a patient's case (default: the first); ``seed`` the twin's
    seed (default: the case's own, so the readout equals ``simulate(case, resolution="fibre")``
    on that day). Day 0 is before the injury. The :class:`Snapshot` holds the readout, the fibre
    table (:class:`Fibres`), the needle EMG at rest and at a weak effort (:class:`Trace`), the
    CMAPs (:class:`Cmap`) as numpy float64 arrays, and every picture as SVG. The GIL is released
    while the twin runs.
    """
    return snapshots(case, [day], muscle=muscle, seed=seed)[0]


def snapshots(
    case: Source, days: Sequence[int], muscle: Optional[str] = None, seed: Optional[int] = None
) -> List[Snapshot]:
    """:func:`snapshot` of several days of one run (one simulation to the last day), in day
    order (each day once)."""
    ds = _days(days, "days")
    run, arrays = _call(_native.snapshots, _text(case), ds, muscle, seed)
    return _snapshots(json.loads(run), arrays)


def pictures(
    case: Source,
    days: Sequence[int],
    strip: Sequence[int] = (),
    muscle: Optional[str] = None,
    seed: Optional[int] = None,
) -> Dict[str, Any]:
    """The engine's pictures of a case (``PictureRun``) as a dict: ``muscle``, ``seed``,
    ``events``, per day (``days``) the readout, the pictures' data, every picture as SVG, the EMG
    samples, the CMAP waveforms and the fibre table as lists, and the time strips of the ``strip``
    days (``strips``, SVG). The same numbers as :func:`snapshots`, as JSON gives them."""
    ds = _days(days, "days")
    ss = _days(strip, "strip")
    return json.loads(_call(_native.pictures, _text(case), ds, ss, muscle, seed))


def estimate(
    op: str, source: Source, draws: Optional[int] = None, resolution: str = "pooled"
) -> Dict[str, Any]:
    """The estimated cost of ``op`` (``simulate``, ``prognosis``, ``plans``, ``calibrate`` or
    ``cohort``) on a case, calibration file or cohort file, before running it: ``seconds``
    (wall clock), ``cpu_seconds``, ``runs``, ``row_days`` and ``breakdown`` (the inputs it comes
    from). The speed is the one measured on the development machine (``docs/performance.md``)."""
    return json.loads(_call(_native.estimate, op, _text(source), draws, resolution))


def diagnose(findings: Source) -> Dict[str, Any]:
    """The differential of a set of findings (dict, TOML or JSON text, or a file)."""
    return json.loads(_call(_native.diagnose, _text(findings)))


def calibrate(experiments: Union[str, "os.PathLike[str]"]) -> Dict[str, Any]:
    """Runs a calibration file (text or path) and compares with the published figures."""
    return json.loads(_call(_native.calibrate, _text(experiments)))


class Cohort:
    """A virtual cohort: a patient's case written with distributions and a ``[cohort]`` table.

    See ``docs/python.md`` and ``examples/cohort-ulnar-laceration.toml``.
    """

    def __init__(self, source: Union[str, "os.PathLike[str]"]) -> None:
        self.text: str = _text(source)
        self.info: Dict[str, Any] = json.loads(_call(_native.cohort_info, self.text))

    @property
    def size(self) -> int:
        """The number of draws the file asks for."""
        return int(self.info["size"])

    @property
    def seed(self) -> int:
        return int(self.info["seed"])

    @property
    def plans(self) -> List[str]:
        """The plans, ``baseline`` first."""
        return list(self.info["plans"])

    def chunks(self, draws: Optional[int] = None, chunk: int = 256) -> List[Tuple[int, int]]:
        """The chunks ``(start, end)`` of a run of ``draws`` draws."""
        n = self.size if draws is None else draws
        c = max(1, chunk)
        return [(s, min(s + c, n)) for s in range(0, n, c)]

    def chunk_parquet(self, start: int, end: int) -> bytes:
        """The Parquet bytes of the summary rows of draws ``start..end`` (what a worker computes)."""
        return _call(_native.cohort_chunk, self.text, start, end)[0]

    def rows(self, start: int = 0, end: Optional[int] = None):
        """The summary rows of draws ``start..end`` as a ``pyarrow.Table`` (no files)."""
        return _table(self.chunk_parquet(start, self.size if end is None else end))

    def courses(self, start: int = 0, end: Optional[int] = None, every: int = 1):
        """The time courses of draws ``start..end`` as a ``pyarrow.Table`` (no files): one row per
        draw, plan, affected muscle and day (every ``every`` days)."""
        if every < 1:
            raise InputError(f"every = {every}", "every", str(every), "1 or more days")
        end = self.size if end is None else end
        return _table(_call(_native.cohort_chunk, self.text, start, end, every)[1])

    def run(
        self,
        out: Union[str, "os.PathLike[str]"],
        draws: Optional[int] = None,
        chunk: int = 256,
        courses: int = 0,
    ) -> Dict[str, Any]:
        """Runs the cohort on this machine (all cores) into ``out``; returns the metadata.

        ``courses`` > 0 also writes ``courses.parquet``: the time courses every ``courses`` days
        (1: daily; large — use smaller chunks)."""
        return json.loads(
            _call(_native.cohort_run, self.text, os.fspath(out), draws, chunk, courses)
        )

    def __repr__(self) -> str:
        return f"Cohort(title={self.info['title']!r}, size={self.size}, seed={self.seed})"


def run_cohort(
    cohort: Union[Cohort, str, "os.PathLike[str]"],
    out: Union[str, "os.PathLike[str]"],
    draws: Optional[int] = None,
    chunk: int = 256,
    courses: int = 0,
) -> Dict[str, Any]:
    """Runs a cohort on this machine into ``out`` (``summary.parquet``, ``metadata.json``, and
    with ``courses`` > 0 ``courses.parquet``)."""
    c = cohort if isinstance(cohort, Cohort) else Cohort(cohort)
    return c.run(out, draws, chunk, courses)


def read_cohort(out: Union[str, "os.PathLike[str]"]):
    """The summary table of a finished cohort run as a ``pyarrow.Table``."""
    import pyarrow.parquet as pq

    return pq.read_table(Path(out) / "summary.parquet")


def read_courses(out: Union[str, "os.PathLike[str]"]):
    """The time-course table of a finished cohort run (run with ``courses``) as a
    ``pyarrow.Table``."""
    import pyarrow.parquet as pq

    path = Path(out) / "courses.parquet"
    if not path.is_file():
        raise InputError(
            f"{path}: no time courses in this run", "courses", "0", "a run with courses >= 1"
        )
    return pq.read_table(path)


def _table(data: bytes):
    import io

    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))
