"""Cohorts: Parquet that pyarrow and pandas read; the same table from Dask as from one machine."""

import json

import pyarrow.parquet as pq
import pytest

import reinnervate as rn

DRAWS = 6


def test_a_cohort_run_writes_parquet_and_metadata(tmp_path, cohort_text):
    c = rn.Cohort(cohort_text)
    meta = c.run(tmp_path / "one", draws=DRAWS, chunk=4)
    t = rn.read_cohort(tmp_path / "one")
    df = t.to_pandas()
    assert meta["rows"] == len(df)
    assert sorted(df["draw"].unique()) == list(range(DRAWS))
    assert list(df["plan"].unique()) == c.plans
    on_disk = json.loads((tmp_path / "one" / "metadata.json").read_text())
    assert on_disk["cohort_sha256"] == c.info["sha256"]
    assert on_disk["seed"] == c.seed and on_disk["draws"] == DRAWS
    assert on_disk["courses"] is None and not (tmp_path / "one" / "courses.parquet").exists()
    # The same rows as computed in memory, without files.
    assert c.rows(0, DRAWS).equals(pq.read_table(tmp_path / "one" / "summary.parquet"))


def test_dask_gives_the_same_parquet_as_one_machine(tmp_path, cohort_text):
    distributed = pytest.importorskip("distributed")
    import reinnervate.dask as rdask

    c = rn.Cohort(cohort_text)
    # With time courses every 30 days: the second table must agree too.
    c.run(tmp_path / "single", draws=DRAWS, chunk=DRAWS, courses=30)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, distributed.Client(cluster) as client:
        meta = rdask.run_cohort(c, client, tmp_path / "dask", draws=DRAWS, chunk=2, courses=30)
    for name in ("summary.parquet", "courses.parquet"):
        single = (tmp_path / "single" / name).read_bytes()
        spread = (tmp_path / "dask" / name).read_bytes()
        assert single == spread, name
    assert (tmp_path / "single" / "metadata.json").read_bytes() == (
        tmp_path / "dask" / "metadata.json"
    ).read_bytes()
    assert meta["draws"] == DRAWS
    courses = rn.read_courses(tmp_path / "dask")
    assert meta["courses"]["step_days"] == 30 and meta["courses"]["rows"] == courses.num_rows
    assert sorted(set(courses.column("day").to_pylist())) == list(range(0, 731, 30))
    # The same rows as computed in memory, without files.
    assert c.courses(0, DRAWS, every=30).equals(courses)
