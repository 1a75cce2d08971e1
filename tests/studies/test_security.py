"""Hostile catalogs: nothing is fetched from where it should not be, or written outside the
data folder, or read from a file that changed; output names cannot climb out."""

import functools
import hashlib
import http.server
import json
import threading
from typing import ClassVar

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from sitesel.config import load_catalog
from sitesel.data import fetch
from sitesel.data.fetch import FileRequest, check_download_address, ensure_files
from sitesel.errors import ChecksumError, ConfigError, DownloadError, LayerNotFoundError

from ..cases import catalog_dict, leh_dict, run_case, sitesel


class _Recorder(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, format, *args):
        _Recorder.requests.append(self.path)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "secret.txt").write_bytes(b"secret\n")
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Recorder, directory=str(root))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/a.zip", "gopher://x/y", "https:///no-host"],
)
def test_catalog_refuses_addresses_that_are_not_https(tmp_path, url):
    catalog = catalog_dict()
    catalog["layers"]["pmgsy_roads"]["url"] = url
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(catalog))
    with pytest.raises(ConfigError, match=r"layers.pmgsy_roads.url: .*must be https://host"):
        load_catalog(path)


def test_plain_http_needs_the_catalog_to_say_so(tmp_path):
    catalog = catalog_dict()
    catalog["layers"]["pmgsy_roads"]["url"] = "http://example.org/roads.zip"
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(catalog))
    with pytest.raises(ConfigError, match="plain http; use https, or set allow_http: true"):
        load_catalog(path)
    catalog["layers"]["pmgsy_roads"]["allow_http"] = True
    path.write_text(json.dumps(catalog))
    assert load_catalog(path).layers["pmgsy_roads"].allow_http


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1/x", "loopback"),
        ("https://localhost/x", "loopback"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://10.1.2.3/x", "private"),
        ("https://192.168.1.1/x", "private"),
        ("https://[::1]/x", "loopback"),
    ],
)
def test_downloads_never_reach_private_addresses(url, kind, monkeypatch):
    monkeypatch.delenv(fetch.PRIVATE_HOSTS_ENV, raising=False)
    with pytest.raises(DownloadError, match=f"is a {kind} address"):
        check_download_address(url, allow_http=False, allow_private=False)
    check_download_address(url, allow_http=False, allow_private=True)  # the user allows it


def test_private_address_refused_before_any_request(server, tmp_path, monkeypatch):
    monkeypatch.delenv(fetch.PRIVATE_HOSTS_ENV, raising=False)
    _, base = server
    req = FileRequest("x", "secret.txt", f"{base}/secret.txt", None, allow_http=True)
    with pytest.raises(LayerNotFoundError, match="is a loopback address"):
        ensure_files([req], tmp_path / "data")
    assert _Recorder.requests == [] and not (tmp_path / "data" / "secret.txt").exists()


@pytest.mark.parametrize("path", ["../escaped.txt", "a/../../escaped.txt"])
def test_a_relative_path_may_not_climb_out_of_the_data_folder(server, tmp_path, path):
    _, base = server
    req = FileRequest("x", path, f"{base}/secret.txt", None, allow_http=True)
    with pytest.raises(ConfigError, match="leads out of the data directory"):
        ensure_files([req], tmp_path / "data", allow_private_hosts=True)
    assert not (tmp_path / "escaped.txt").exists() and _Recorder.requests == []


def test_an_absolute_path_is_read_but_never_a_download_target(server, tmp_path):
    _, base = server
    target = tmp_path / "elsewhere" / "secret.txt"
    req = FileRequest("x", str(target), f"{base}/secret.txt", None, allow_http=True)
    with pytest.raises(LayerNotFoundError, match=r"secret\.txt"):
        ensure_files([req], tmp_path / "data", allow_private_hosts=True)
    assert not target.exists() and _Recorder.requests == []
    target.parent.mkdir()
    target.write_bytes(b"mine\n")  # the user's own file is read where it is
    sha = hashlib.sha256(b"mine\n").hexdigest()
    assert ensure_files([req], tmp_path / "data") == {str(target): sha}


def test_a_failed_checksum_leaves_no_file(server, tmp_path):
    _, base = server
    req = FileRequest("x", "secret.txt", f"{base}/secret.txt", "0" * 64, allow_http=True)
    with pytest.raises(ChecksumError):
        ensure_files([req], tmp_path / "data", allow_private_hosts=True)
    assert list((tmp_path / "data").iterdir()) == []


def test_tampered_local_data_stops_the_run(tmp_path, data_dir):
    (tmp_path / "data").mkdir(parents=True)
    copy = tmp_path / "data" / "places.csv"
    copy.write_bytes((data_dir / "india" / "geonames_places_in.csv").read_bytes() + b"\n")
    catalog = catalog_dict()
    catalog["layers"]["places"]["path"] = str(copy)
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    expected = catalog["layers"]["places"]["sha256"]
    assert expected in line and hashlib.sha256(copy.read_bytes()).hexdigest() in line
    assert "accept the new file deliberately" in line


def _vrt_pointing_at(url, path):
    path.write_text(
        '<VRTDataset rasterXSize="4" rasterYSize="4"><SRS>EPSG:4326</SRS>'
        "<GeoTransform>77,0.1,0,35,0,-0.1</GeoTransform>"
        '<VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
        f'<SourceFilename relativeToVRT="0">/vsicurl/{url}</SourceFilename>'
        "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>"
    )


def test_a_vrt_layer_is_refused_and_gdal_makes_no_request(server, tmp_path, data_dir):
    root, base = server
    with rasterio.open(
        root / "tile.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(77, 35, 0.1, 0.1),
    ) as dst:  # fmt: skip
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    _vrt_pointing_at(f"{base}/tile.tif", tmp_path / "dem.vrt")
    catalog = catalog_dict()
    catalog["layers"]["dem_dted0"] = {
        "kind": "dem",
        "format": "raster",
        "path": str(tmp_path / "dem.vrt"),
    }
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert "dem.vrt is a GDAL virtual file" in line and "allow_references: true" in line
    # Even when the catalog allows references, an --offline run makes no request.
    catalog["layers"]["dem_dted0"]["allow_references"] = True
    run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert _Recorder.requests == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../etc/evil", "it has '/', which separates folders"),
        ("a/b", "it has '/', which separates folders"),
        ("/abs", "it has '/', which separates folders"),
        ("a\\b", "which separates folders"),
        ("..", "it starts with a dot"),
        (".hidden", "it starts with a dot"),
        ("con", "'con' is a name Windows keeps for a device"),
        ("leh\x07", "an invisible control character at position 4"),
        ("a:b", "it has ':', which Windows refuses in a file name"),
        ("leh.", "it ends with a dot or a space"),
    ],
)
def test_run_names_cannot_leave_the_output_folders(tmp_path, data_dir, name, why):
    config = leh_dict()
    config["name"] = name
    line = run_case(tmp_path, data_dir, config)
    assert "case.yaml: name: " in line and "cannot name the run's folder and map" in line
    assert why in line
    assert "pattern" not in line and "should match" not in line


def test_a_manifest_name_cannot_leave_the_maps_folder(leh_run, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "sites.gpkg").write_bytes((leh_run / "run" / "sites.gpkg").read_bytes())
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    manifest["name"] = "../../../tmp/evil"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = sitesel("map", folder)
    assert result.exit_code == 2 and "name: " in result.stderr
    assert "it has '/', which separates folders" in result.stderr
    assert not (tmp_path / "tmp").exists()
