"""The package: cases from dicts, TOML and files; tables; typed errors."""

import json

import pytest

import reinnervate as rn


def test_a_case_loads_from_a_file_toml_text_and_a_dict(root):
    path = root / "examples" / "radial-mid-humerus.toml"
    a = rn.load_case(path)
    b = rn.load_case(path.read_text())
    c = rn.load_case(json.loads(json.dumps(_as_input(path))))
    assert a.kind == b.kind == c.kind == "patient"
    assert a.data == b.data == c.data


def _as_input(path):
    import tomllib

    return tomllib.loads(path.read_text())


def test_simulate_gives_a_daily_table_per_muscle(root):
    t = rn.simulate(root / "examples" / "tibialis-anterior-axonotmesis.toml", resolution="pooled")
    df = t.to_pandas()
    assert {"muscle", "day", "mrc_grade"} <= set(df.columns)
    horizon = int(df["day"].max())
    assert len(df) == horizon + 1
    # Axonotmesis: the muscle is weakest after the injury, then recovers.
    assert df["mrc_grade"].min() < df["mrc_grade"].iloc[-1]
    assert t.schema.metadata[b"disclaimer"].decode() == rn.DISCLAIMER


def test_prognosis_plans_and_diagnose_return_the_engine_json(root):
    p = rn.prognosis(root / "examples" / "radial-mid-humerus.toml", draws=8)
    assert p["draws"] == 8 and p["disclaimer"] == rn.DISCLAIMER
    assert len(p["muscles"]) > 0
    pl = rn.plans(root / "examples" / "radial-mid-humerus.toml", draws=4)
    assert pl["plans"][0]["name"]
    d = rn.diagnose(root / "examples" / "findings-radiculopathy.toml")
    assert d["no_findings"] is False


def test_errors_are_typed_and_carry_field_value_expected(root):
    with pytest.raises(rn.InputError) as e:
        rn.prognosis(root / "examples" / "radial-mid-humerus.toml", draws=0)
    assert e.value.field == "draws"
    assert e.value.value == "0"
    # the accepted range, as the one set of limits (twin::limits) words it
    assert "from 1 to 100000" in e.value.expected
    with pytest.raises(rn.InputError) as e:
        rn.load_case({"patient": {"age_years": 300}, "injury": [{"nerve": "radial", "site": "mid_humerus"}]})
    assert e.value.field is not None and "age" in e.value.field
    with pytest.raises(rn.NotApplicableError):
        rn.prognosis(root / "examples" / "simulate-rat-denervation-stimulation.toml")
    assert issubclass(rn.InputError, ValueError)


def test_a_bad_cohort_names_the_field(cohort_text):
    bad = cohort_text.replace('["distal_humerus", "elbow"]', '["elbow", "fibular_neck"]')
    with pytest.raises(rn.InputError) as e:
        rn.Cohort(bad)
    assert e.value.field == "injury[0].site"


def test_estimate_grows_with_the_draws_and_names_its_inputs(root):
    case = root / "examples" / "radial-mid-humerus.toml"
    small = rn.estimate("prognosis", case, draws=100)
    large = rn.estimate("prognosis", case, draws=100000)
    assert large["cpu_seconds"] == pytest.approx(1000 * small["cpu_seconds"])
    assert "100,000 draws" in large["breakdown"]
    assert rn.estimate("plans", case, draws=100)["cpu_seconds"] > small["cpu_seconds"]
    with pytest.raises(rn.InputError) as e:
        rn.estimate("dance", case)
    assert e.value.field == "op"
