"""A DEM described once as a tile set: the tiles a study needs are picked, and fetched."""

import functools
import http.server
import threading

import pandas as pd
import pytest
import yaml

import sitesel
from sitesel.config import load_catalog
from sitesel.data import fetch
from sitesel.data.loader import LayerLoader
from sitesel.errors import CoverageError

from ..conftest import ROOT


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def tile_server(data_dir):
    """The shared DTED0 tiles served on 127.0.0.1, as their public address would."""
    root = data_dir / "india" / "dem_dted0"
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _catalog(tmp_path, url):
    catalog = yaml.safe_load((ROOT / "layers" / "leh.yaml").read_text())
    tiles = catalog["layers"]["dem_dted0_india"]
    tiles["tiles"]["url"] = url + "/{ew}{lon:03d}/{ns}{lat:02d}.dt0"
    tiles["tiles"]["sha256_file"] = str(ROOT / "layers" / "dem_dted0_india.sha256")
    tiles["allow_http"] = True
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog))
    return load_catalog(path)


def test_only_the_tiles_over_the_area_are_downloaded(tile_server, tmp_path, monkeypatch):
    import pyproj
    import shapely

    monkeypatch.setenv(fetch.PRIVATE_HOSTS_ENV, "1")
    catalog = _catalog(tmp_path, tile_server)
    assert len(catalog.layers["dem_dted0_india"].tiles.checksums) == 96
    loader = LayerLoader(catalog, tmp_path / "data")
    crs = pyproj.CRS.from_epsg(32643)
    kargil = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(76.13, 34.56)
    dem = loader.dem(
        "dem_dted0_india", crs=crs, area=shapely.Point(*kargil).buffer(20_000),
        resolution_m=None, margin_m=5_000,
    )  # fmt: skip
    fetched = sorted(
        p.relative_to(tmp_path / "data").as_posix() for p in (tmp_path / "data").rglob("*.dt0")
    )
    # 20 km + 5 km around 76.13 E 34.56 N reaches 75.86-76.40 E, 34.33-34.79 N.
    assert fetched == ["india/dem_dted0/e075/n34.dt0", "india/dem_dted0/e076/n34.dt0"]
    assert set(loader.file_sha256) == set(fetched)
    assert 2000 < float(pd.Series(dem.elevation_m.ravel()).median()) < 5000


def test_an_area_beyond_the_tile_set_is_refused_with_its_bounds(tmp_path, data_dir):
    import pyproj
    import shapely

    catalog = _catalog(tmp_path, "https://example.org")
    loader = LayerLoader(catalog, data_dir, offline=True)
    crs = pyproj.CRS.from_epsg(32643)
    sea = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(72.5, 20.5)
    with pytest.raises(CoverageError, match=r"no tile of the set covers the study area"):
        loader.dem(
            "dem_dted0_india", crs=crs, area=shapely.Point(*sea).buffer(5_000),
            resolution_m=None, margin_m=1_000,
        )  # fmt: skip


def test_kargil_study_runs_on_tiles_west_of_76e(data_dir):
    result = sitesel.run(ROOT / "configs" / "kargil.yaml", data_dir=data_dir, offline=True)
    assert "india/dem_dted0/e075/n34.dt0" in result.manifest.inputs_sha256
    ranked = result.ranking.dropna(subset=["rank"])
    assert len(ranked) > 100
    best = ranked.iloc[0]
    # The best cells lie within 15 km of Kargil town (76.13 E, 34.56 N), on the valley floor.
    assert abs(best["lon"] - 76.13) < 0.15 and abs(best["lat"] - 34.56) < 0.15
    assert best["raw__elevation_m"] < 3200 and best["raw__time_to_kargil_min"] < 30


def test_validate_finds_a_dem_that_does_not_reach_kargil(tmp_path, data_dir):
    from ..cases import sitesel as cli
    from ..cases import with_repo_paths

    config = yaml.safe_load((ROOT / "configs" / "kargil.yaml").read_text())
    config["catalog"] = str(ROOT / "layers" / "leh.yaml")
    config["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(config)
    config["dem"]["layer"] = "dem_dted0"  # the 9 Ladakh tiles: 76-79 E only
    path = tmp_path / "kargil.yaml"
    path.write_text(yaml.safe_dump(config))
    result = cli("validate", path, "--data-dir", data_dir)
    assert result.exit_code == 2
    line = result.stderr.strip()
    # The study area's own bounds (25 km around Kargil), not a box buffered by the margin.
    assert "does not cover the study area (75.85" in line and "34.78" in line
