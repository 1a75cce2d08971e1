"""Issue 35: `sitesel init` -> `sitesel run` -> a map, against public data replayed locally.

A server on 127.0.0.1 stands in for the internet: an Overpass endpoint answering with the
real OpenStreetMap roads of the Kesaria area (converted to Overpass JSON here), and a tile
endpoint serving the real DTED0 tiles under Copernicus GLO-30's names. The data folder holds
links to the shared data (read in place) and takes the downloads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pytest
import yaml

PLACE = "Sāhibganj, Bihar"
GLO30 = "Copernicus_DSM_COG_10_{NS}{lat:02d}_00_{EW}{lon:03d}_00_DEM"


def overpass_json(roads_geojson: Path) -> bytes:
    """The road lines as an Overpass API JSON answer: shared end points become one node."""
    roads = gpd.read_file(roads_geojson)
    nodes: dict[tuple[float, float], int] = {}
    ways = []
    for k, row in enumerate(roads.itertuples()):
        ids = [nodes.setdefault((round(x, 7), round(y, 7)), len(nodes) + 1)
               for x, y in row.geometry.coords]  # fmt: skip
        tags = {"highway": str(row.highway)}
        if isinstance(row.name, str):
            tags["name"] = row.name
        ways.append({"type": "way", "id": k + 1, "nodes": ids, "tags": tags})
    elements = [{"type": "node", "id": i, "lat": y, "lon": x} for (x, y), i in nodes.items()]
    return json.dumps({"version": 0.6, "elements": elements + ways}).encode()


class Replay(BaseHTTPRequestHandler):
    """Overpass at /api/interpreter; GLO-30 tile names at /glo30/<name>.tif (DTED0 bytes)."""

    answer = b""
    tiles: Path = Path()
    changed = False
    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.asked.append(self.path)
        self._send(self.answer, "application/json")

    def do_GET(self) -> None:
        self.asked.append(self.path)
        if self.path.startswith("/api/interpreter"):
            self._send(self.answer, "application/json")
            return
        name = self.path.rsplit("/", 1)[-1]
        try:
            lat, lon = int(name.split("_N")[1][:2]), int(name.split("_E")[1][:3])
        except (IndexError, ValueError):
            self.send_error(404)
            return
        tile = self.tiles / f"e{lon:03d}" / f"n{lat:02d}.dt0"
        if not tile.is_file():
            self.send_error(404)
            return
        data = tile.read_bytes()
        self._send(data + (b"\0" if self.changed else b""), "application/octet-stream")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replay(data_dir):
    Replay.answer = overpass_json(data_dir / "bihar" / "osm_roads_kesaria.geojson")
    Replay.tiles, Replay.changed, Replay.asked = data_dir / "india" / "dem_dted0", False, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _data_folder(tmp_path: Path, shared: Path) -> Path:
    """Links to the shared data (read in place); downloads land beside them."""
    folder = tmp_path / "data"
    folder.mkdir()
    for part in ("india", "bihar"):
        (folder / part).symlink_to(shared / part, target_is_directory=True)
    return folder


def _sitesel(*args: object, data: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"SITESEL_DATA_DIR": str(data), "SITESEL_ALLOW_PRIVATE_HOSTS": "1",
                        "SITESEL_DOWNLOAD_TIMEOUT_S": "20"}  # fmt: skip
    command = [sys.executable, "-m", "sitesel.cli", *map(str, args)]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)


def _point_at(catalog: Path, base: str) -> None:
    """The study's public addresses replaced by the replay server's (as a mirror would)."""
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    layers = data["layers"]
    layers["osm_roads"] |= {"endpoint": f"{base}/api", "allow_http": True}
    tiles = layers["dem_glo30"]["tiles"]
    tiles["url"] = f"{base}/glo30/{GLO30}/{GLO30}.tif"
    layers["dem_glo30"]["allow_http"] = True
    catalog.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.slow
def test_init_then_run_writes_a_map_from_replayed_public_data(tmp_path, data_dir, replay):
    data = _data_folder(tmp_path, data_dir)
    made = _sitesel("init", "sahib", "--place", PLACE, "--programme", "cfc", "--radius-km", 8,
                    "--root", tmp_path, "--offline", data=data, cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Overpass" in made.stdout and "dem_glo30" in made.stdout  # what the first run fetches
    catalog = tmp_path / "layers" / "sahib.yaml"
    _point_at(catalog, replay)
    config = tmp_path / "configs" / "sahib.yaml"
    study = yaml.safe_load(config.read_text(encoding="utf-8"))  # a lighter study: the path
    study["sites"]["grid"]["cell_area_acres"] = 60  # is under test, not the scoring
    study.pop("robustness")
    config.write_text(yaml.safe_dump(study, sort_keys=False, allow_unicode=True), "utf-8")
    checked = _sitesel("validate", "configs/sahib.yaml", data=data, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "osm_roads: OpenStreetMap roads over" in checked.stdout
    assert "glo30/Copernicus_DSM_COG_10_N26_00_E084_00_DEM.tif" in checked.stdout
    done = _sitesel("run", "configs/sahib.yaml", "--out", "out", "--map", "map.html",
                    data=data, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "map.html").stat().st_size > 100_000
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["land"]["dem_stack"][0]["layer"] == "dem_glo30"
    lock = yaml.safe_load((tmp_path / "layers" / "sahib.lock").read_text())["sha256"]
    glo = [k for k in lock if k.startswith("glo30/")]
    assert glo and all(len(lock[k]) == 64 for k in glo)
    assert any(k.startswith("overpass:osm_roads:") for k in lock)
    assert any(p.startswith("/api/interpreter") for p in Replay.asked)

    # The source changes after the lock was made: a machine without the cached tile stops.
    for tile in (data / "glo30").iterdir():
        tile.unlink()
    Replay.changed = True
    again = _sitesel("run", "configs/sahib.yaml", "--out", "out2", "--map", "map2.html",
                     data=data, cwd=tmp_path)  # fmt: skip
    assert again.returncode == 2
    line = again.stderr.strip().splitlines()[-1]
    recorded = lock[glo[0]]
    assert recorded in line and "sahib.lock" in line and "--refresh" in line
    assert "Traceback" not in again.stderr
    refreshed = _sitesel("run", "configs/sahib.yaml", "--out", "out3", "--map", "map3.html",
                         "--refresh", data=data, cwd=tmp_path)  # fmt: skip
    assert refreshed.returncode == 0, refreshed.stderr
    relocked = yaml.safe_load((tmp_path / "layers" / "sahib.lock").read_text())["sha256"]
    assert relocked[glo[0]] != recorded


def test_refresh_never_touches_a_file_the_lock_does_not_name(tmp_path, replay):
    """--refresh fetches again only what sitesel downloaded (the lock names it): a file you
    put in the data folder, or one of a shared store, stays as it is."""
    from sitesel.data.fetch import FileRequest, ensure_files
    from sitesel.data.lock import LockFile

    data = tmp_path / "data"
    (data / "mine").mkdir(parents=True)
    own = data / "mine" / "runways.csv"
    own.write_text("my own copy\n")
    lock = LockFile.beside(tmp_path / "study.yaml", refresh=True)
    url = f"{replay}/glo30/Copernicus_DSM_COG_10_N34_00_E077_00_DEM.tif"
    mine = FileRequest("runways", "mine/runways.csv", url, None, allow_http=True)
    ensure_files([mine], data, allow_private_hosts=True, lock=lock)
    assert own.read_text() == "my own copy\n" and lock.entries == {}
    fetched = FileRequest("dem", "glo30/n34e077.tif", url, None, allow_http=True)
    first = ensure_files([fetched], data, allow_private_hosts=True, lock=LockFile.beside(
        tmp_path / "study.yaml"))["glo30/n34e077.tif"]  # fmt: skip
    Replay.changed = True
    again = ensure_files([fetched], data, allow_private_hosts=True, lock=LockFile.beside(
        tmp_path / "study.yaml", refresh=True))["glo30/n34e077.tif"]  # fmt: skip
    assert again != first
    assert yaml.safe_load((tmp_path / "study.lock").read_text())["sha256"] == {
        "glo30/n34e077.tif": again
    }
