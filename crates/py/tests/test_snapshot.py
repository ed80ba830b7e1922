"""Snapshots: the fibre table, the needle EMG and the CMAPs as numpy arrays — the engine's numbers
(`engine::pictures`), the same as its JSON for the same case, day and seed."""

from pathlib import Path

import numpy as np
import pytest

import reinnervate as rn

CASE = Path(__file__).resolve().parents[3] / "examples" / "tibialis-anterior-axonotmesis.toml"
DAY = 90


@pytest.fixture(scope="module")
def run():
    """Days 0 and DAY of one run, asked for out of order and twice."""
    return rn.snapshots(CASE, [DAY, 0, DAY])


@pytest.fixture(scope="module")
def snap(run):
    return run[1]


@pytest.fixture(scope="module")
def engine_json():
    return rn.pictures(CASE, days=[DAY], strip=[0, DAY])


def test_the_fibre_table_is_numpy_arrays_of_one_length(snap):
    f = snap.fibres
    n = len(f)
    assert n > 1000
    for name in ("x_um", "y_um", "csa_um2"):
        a = getattr(f, name)
        assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (n,), name
    assert f.unit.dtype == np.int64 and f.unit.shape == (n,)
    assert f.fibre_type.shape == (n,) and f.state.shape == (n,)
    assert set(np.unique(f.fibre_type)) <= {"I", "IIa", "IIx"}
    assert set(np.unique(f.state)) <= {"innervated", "denervated", "reinnervating", "fat"}
    assert (f.csa_um2 > 0).all()
    # A fibre without a motor unit is not innervated by one.
    assert not ((f.unit == rn.NO_UNIT) & (f.state == "innervated")).any()


def test_the_traces_are_float64_at_their_sample_rate(snap, engine_json):
    day = engine_json["days"][0]
    for trace, key in ((snap.emg_rest, "emg_rest"), (snap.emg_effort, "emg_effort")):
        assert trace.samples_uv.dtype == np.float64
        assert trace.sample_rate_hz == day[key]["sample_rate_hz"] > 0
        # Each record is 2 s long (engine::pictures::EMG_MS).
        assert len(trace) == round(2.0 * trace.sample_rate_hz)
        assert trace.times_ms[1] == pytest.approx(1000.0 / trace.sample_rate_hz)
        assert trace.label == day[key]["label"]
    assert snap.cmap.distal_mv.dtype == np.float64
    assert snap.cmap.distal_mv.shape == snap.cmap.proximal_mv.shape
    assert snap.cmap.dt_ms == day["cmap"]["dt_ms"]


def test_the_arrays_equal_the_engine_json_of_the_same_day_and_seed(snap, engine_json):
    # engine_json is another run of the same case (to DAY only, with time strips): the same seed
    # gives the same numbers, and the arrays carry them unchanged.
    assert engine_json["seed"] == snap.seed and engine_json["muscle"] == snap.muscle
    day = engine_json["days"][0]
    assert day["day"] == snap.day == DAY
    f = day["fibres"]
    assert np.array_equal(snap.fibres.x_um, np.array(f["x_um"], dtype=np.float64))
    assert np.array_equal(snap.fibres.y_um, np.array(f["y_um"], dtype=np.float64))
    assert np.array_equal(snap.fibres.csa_um2, np.array(f["csa_um2"], dtype=np.float64))
    assert snap.fibres.fibre_type.tolist() == f["fibre_type"]
    assert snap.fibres.state.tolist() == f["state"]
    assert snap.fibres.unit.tolist() == [rn.NO_UNIT if u is None else u for u in f["unit"]]
    assert np.array_equal(snap.emg_rest.samples_uv, np.array(day["emg_rest"]["samples_uv"]))
    assert np.array_equal(snap.emg_effort.samples_uv, np.array(day["emg_effort"]["samples_uv"]))
    assert np.array_equal(snap.cmap.distal_mv, np.array(day["cmap"]["distal_mv"]))
    assert np.array_equal(snap.cmap.proximal_mv, np.array(day["cmap"]["proximal_mv"]))
    assert snap.readout == day["readout"] and snap.views == day["views"]
    assert snap.pictures["cross_section"] == day["cross_section"]["svg"]
    assert snap.pictures["emg_rest"].startswith("<svg")
    assert [s["name"] for s in engine_json["strips"]] == ["time_strip_atpase94", "time_strip_he"]


def test_several_days_come_from_one_run_in_day_order(run):
    assert [s.day for s in run] == [0, DAY]
    # Day 0 is before the injury: every fibre innervated and in a unit.
    before = run[0]
    assert (before.fibres.state == "innervated").all()
    assert (before.fibres.unit != rn.NO_UNIT).all()
    assert before.muscle == run[1].muscle == "tibialis_anterior"


def test_a_seed_is_passed_to_the_twin(snap):
    other = rn.snapshot(CASE, day=DAY, seed=snap.seed + 1)
    assert other.seed == snap.seed + 1
    pairs = [
        (other.fibres.x_um, snap.fibres.x_um),
        (other.fibres.unit, snap.fibres.unit),
        (other.emg_rest.samples_uv, snap.emg_rest.samples_uv),
    ]
    assert any(a.shape != b.shape or not np.array_equal(a, b) for a, b in pairs)


def test_the_fibre_table_converts_to_pandas_with_missing_units(snap):
    df = snap.fibres.to_pandas()
    assert len(df) == len(snap.fibres)
    assert str(df["unit"].dtype) == "Int64"
    assert df["unit"].isna().sum() == int((snap.fibres.unit == rn.NO_UNIT).sum())
    assert df["unit"].dropna().tolist() == snap.fibres.unit[snap.fibres.unit != rn.NO_UNIT].tolist()
    assert df["state"].dtype == "category"
    assert df["csa_um2"].sum() == pytest.approx(snap.fibres.csa_um2.sum())


def test_bad_days_and_muscles_are_input_errors():
    with pytest.raises(rn.InputError) as e:
        rn.snapshot(CASE, day=-1)
    assert e.value.field == "days" and e.value.value == "-1"
    with pytest.raises(rn.InputError) as e:
        rn.snapshot(CASE, day=10**6)
    assert e.value.field == "day" and e.value.value is not None
    with pytest.raises(rn.InputError) as e:
        rn.snapshot(CASE, day=1, muscle="biceps_brachii")
    assert e.value.field == "muscle" and "tibialis_anterior" in e.value.expected
    with pytest.raises(rn.InputError) as e:
        rn.snapshots(CASE, [])
    assert e.value.field == "days"
