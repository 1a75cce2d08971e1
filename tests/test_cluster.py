"""Criteria on a dask.distributed cluster give the same results as one process (issue 13)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sitesel.errors import ConfigError
from sitesel.pipeline.cluster import ClusterSpec, merge_tiles, parse_cluster, tiles
from sitesel.pipeline.scoring import Measured

from .cases import sitesel
from .conftest import ROOT

OUTPUTS = ["ranking.csv", "robustness.csv", "stability.csv", "regions.csv", "smaa.csv"]


def run_leh(tmp_path, data_dir, cluster):
    out = tmp_path / "out"
    result = sitesel(
        "run", ROOT / "configs" / "leh.yaml", "--out", out, "--map", tmp_path / "leh.html",
        "--data-dir", data_dir, "--offline", "--cluster", cluster,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_a_local_cluster_run_writes_the_same_tables(leh_run, tmp_path, data_dir):
    """Two worker processes, 8 tiles of sites: every output table is byte for byte the
    single-process run's."""
    out = run_leh(tmp_path, data_dir, "local:2")
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (leh_run / "run" / name).read_bytes(), name


def test_a_run_on_a_running_scheduler(leh_run, tmp_path, data_dir):
    """--cluster tcp://host:port reaches a scheduler started elsewhere (here: in the test)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        out = run_leh(tmp_path, data_dir, cluster.scheduler_address)
    ranking = (out / "ranking.csv").read_bytes()
    assert ranking == (leh_run / "run" / "ranking.csv").read_bytes()


@pytest.mark.parametrize("text", ["local:0", "local:x", "local", "http://host:8786", "tcp://h"])
def test_a_cluster_that_is_not_one(text):
    with pytest.raises(ConfigError, match="expected local:N"):
        parse_cluster(text)
    result = sitesel("run", ROOT / "configs" / "leh.yaml", "--cluster", text, "--offline")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"sitesel: error: --cluster: expected local:N (N worker processes here) or"
        f" tcp://host:port (a running dask scheduler), found {text!r}"
    ]


def test_tiles_cover_every_site_once_and_merge_back_in_order():
    rng = np.random.default_rng(3)
    points = gpd.GeoSeries(shapely.points(rng.random(50), rng.random(50)))
    parts = tiles(points, 7)
    assert len(parts) == 7 and sorted(np.concatenate(parts).tolist()) == list(range(50))
    values = rng.random(50)
    results = [
        Measured(
            raw={"a": values[idx], "b": -values[idx]},
            missing_reasons={"a": "why"},
            targets={},
            evaluated={"a": values[idx] > 0.5},
        )
        for idx in parts
    ]
    merged = merge_tiles(results, parts, 50, ["a", "b"])
    assert np.array_equal(merged.raw["a"], values) and np.array_equal(merged.raw["b"], -values)
    assert np.array_equal(merged.evaluated["a"], values > 0.5) and merged.evaluated["b"].all()
    assert merged.missing_reasons == {"a": "why"}
    assert str(ClusterSpec(workers=3)) == "local:3"


def test_a_scheduler_that_does_not_answer(monkeypatch, tmp_path, data_dir):
    from sitesel.pipeline import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    result = sitesel(
        "run", ROOT / "configs" / "leh.yaml", "--out", tmp_path / "out", "--map",
        tmp_path / "m.html", "--data-dir", data_dir, "--offline", "--cluster",
        "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "sitesel: error: --cluster tcp://127.0.0.1:9: no dask scheduler answered"
    )
    assert not (tmp_path / "out").exists()  # nothing half-written
