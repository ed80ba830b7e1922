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
    # The same rows as computed in memory, without files.
    assert c.rows(0, DRAWS).equals(pq.read_table(tmp_path / "one" / "summary.parquet"))


def test_dask_gives_the_same_parquet_as_one_machine(tmp_path, cohort_text):
    distributed = pytest.importorskip("distributed")
    import reinnervate.dask as rdask

    c = rn.Cohort(cohort_text)
    c.run(tmp_path / "single", draws=DRAWS, chunk=DRAWS)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, distributed.Client(cluster) as client:
        meta = rdask.run_cohort(c, client, tmp_path / "dask", draws=DRAWS, chunk=2)
    single = (tmp_path / "single" / "summary.parquet").read_bytes()
    spread = (tmp_path / "dask" / "summary.parquet").read_bytes()
    assert single == spread
    assert (tmp_path / "single" / "metadata.json").read_bytes() == (
        tmp_path / "dask" / "metadata.json"
    ).read_bytes()
    assert meta["draws"] == DRAWS
