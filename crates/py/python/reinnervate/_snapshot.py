"""The pictures of one day as numbers: the fibre table, the needle EMG and the CMAPs as numpy
arrays (what ``reinnervate snapshot`` draws and writes as CSV/WAV). The engine computes them
(``engine::pictures``); this module only holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import numpy as np

#: The ``unit`` of a fibre that belongs to no motor unit.
NO_UNIT: int = -1


@dataclass(frozen=True, repr=False)
class Fibres:
    """The twin's fibres on the day, one entry per fibre in every array (same order).

    ``x_um``, ``y_um`` (centre, µm) and ``csa_um2`` (cross-sectional area, µm²) are float64;
    ``fibre_type`` (``I``, ``IIa``, ``IIx``) and ``state`` (``innervated``, ``denervated``,
    ``reinnervating``, ``fat``) are numpy string arrays; ``unit`` is the owning motor unit
    (int64, :data:`NO_UNIT` = -1 when the fibre has none).
    """

    x_um: np.ndarray
    y_um: np.ndarray
    csa_um2: np.ndarray
    fibre_type: np.ndarray
    state: np.ndarray
    unit: np.ndarray

    def __len__(self) -> int:
        return int(self.x_um.shape[0])

    def to_arrow(self):
        """The fibre table as a ``pyarrow.Table`` (``unit`` null where the fibre has no unit)."""
        import pyarrow as pa

        return pa.table(
            {
                "x_um": self.x_um,
                "y_um": self.y_um,
                "csa_um2": self.csa_um2,
                "fibre_type": pa.array(self.fibre_type.tolist()).dictionary_encode(),
                "state": pa.array(self.state.tolist()).dictionary_encode(),
                "unit": pa.array(self.unit, mask=self.unit == NO_UNIT),
            }
        )

    def to_pandas(self):
        """The fibre table as a ``pandas.DataFrame`` (categorical type and state, nullable
        ``unit``: pandas' ``Int64``, ``<NA>`` where the fibre has no unit)."""
        df = self.to_arrow().to_pandas()
        df["unit"] = df["unit"].astype("Int64")
        return df

    def __repr__(self) -> str:
        return f"Fibres({len(self)} fibres)"


@dataclass(frozen=True, repr=False)
class Trace:
    """A synthetic concentric-needle EMG record: ``samples_uv`` (float64, µV, physical sign) at
    ``sample_rate_hz``; ``label`` says what fires; ``svg`` draws its first 200 ms."""

    label: str
    sample_rate_hz: float
    samples_uv: np.ndarray
    svg: str

    @property
    def times_ms(self) -> np.ndarray:
        """The time of each sample, ms from the start of the record."""
        return np.arange(self.samples_uv.shape[0], dtype=np.float64) * (
            1000.0 / self.sample_rate_hz
        )

    def __len__(self) -> int:
        return int(self.samples_uv.shape[0])

    def __repr__(self) -> str:
        seconds = len(self) / self.sample_rate_hz
        return f"Trace({self.label!r}, {len(self)} samples at {self.sample_rate_hz:g} Hz = {seconds:g} s)"


@dataclass(frozen=True, repr=False)
class Cmap:
    """The compound muscle action potentials: ``distal_mv`` (stimulation distal to the lesion)
    and ``proximal_mv`` (proximal to it), float64 mV sampled every ``dt_ms``; ``svg`` draws
    them."""

    dt_ms: float
    distal_mv: np.ndarray
    proximal_mv: np.ndarray
    svg: str

    @property
    def times_ms(self) -> np.ndarray:
        """The time of each sample, ms from the stimulus."""
        return np.arange(self.distal_mv.shape[0], dtype=np.float64) * self.dt_ms

    def __repr__(self) -> str:
        return f"Cmap({self.distal_mv.shape[0]} samples every {self.dt_ms:g} ms)"


@dataclass(frozen=True, repr=False)
class Snapshot:
    """One day of a case's twin, as ``reinnervate snapshot`` pictures it (the case's own seed at
    fibre resolution unless a seed is given).

    ``readout`` is the day's clinical readout and ``views`` the pictures' data (MUP measurements,
    grouping, conduction) — dicts, as the CLI's ``readout.json`` and ``views.json``; ``fibres``,
    ``emg_rest``, ``emg_effort`` and ``cmap`` hold the numbers as numpy arrays; ``pictures``
    maps each picture's name (``cross_section``, ``cross_section_he``, ``emg_rest``, ``cmap`` …)
    to its SVG text.
    """

    muscle: str
    day: int
    seed: int
    readout: Dict[str, Any]
    views: Dict[str, Any]
    fibres: Fibres
    emg_rest: Trace
    emg_effort: Trace
    cmap: Cmap
    pictures: Dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Snapshot(muscle={self.muscle!r}, day={self.day}, seed={self.seed}, "
            f"{len(self.fibres)} fibres)"
        )


def _trace(meta: Dict[str, Any], samples: np.ndarray) -> Trace:
    return Trace(
        label=meta["label"],
        sample_rate_hz=float(meta["sample_rate_hz"]),
        samples_uv=samples,
        svg=meta["picture"]["svg"],
    )


def _snapshots(run: Dict[str, Any], arrays: List[Dict[str, Any]]) -> List[Snapshot]:
    """Snapshots from the native module's ``snapshots`` answer (JSON without the bulk numbers,
    and one dict of arrays per day)."""
    out = []
    for day, a in zip(run["days"], arrays):
        fibres = Fibres(
            x_um=a["x_um"],
            y_um=a["y_um"],
            csa_um2=a["csa_um2"],
            fibre_type=np.asarray(a["fibre_type"], dtype=str),
            state=np.asarray(a["state"], dtype=str),
            unit=a["unit"],
        )
        pictures = {p["name"]: p["svg"] for p in [day["cross_section"], *day["stains"]]}
        for key in ("emg_rest", "emg_effort", "cmap"):
            pictures[day[key]["picture"]["name"]] = day[key]["picture"]["svg"]
        out.append(
            Snapshot(
                muscle=run["muscle"],
                day=int(day["day"]),
                seed=int(run["seed"]),
                readout=day["readout"],
                views=day["views"],
                fibres=fibres,
                emg_rest=_trace(day["emg_rest"], a["emg_rest_uv"]),
                emg_effort=_trace(day["emg_effort"], a["emg_effort_uv"]),
                cmap=Cmap(
                    dt_ms=float(day["cmap"]["dt_ms"]),
                    distal_mv=a["cmap_distal_mv"],
                    proximal_mv=a["cmap_proximal_mv"],
                    svg=day["cmap"]["picture"]["svg"],
                ),
                pictures=pictures,
            )
        )
    return out
