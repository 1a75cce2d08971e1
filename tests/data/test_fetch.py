"""The download path, against an HTTP server on 127.0.0.1 started by the test."""

import functools
import hashlib
import http.server
import threading

import pytest

from sitesel.data import fetch
from sitesel.data.fetch import FileRequest, ensure_files
from sitesel.errors import ChecksumError, LayerNotFoundError

PAYLOAD = b"road,class\n1,NH\n" * 1000


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (root / "roads.csv").write_bytes(PAYLOAD)
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    failures_left = 0  # answer 503 this many times before serving files

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if QuietHandler.failures_left > 0:
            QuietHandler.failures_left -= 1
            self.send_error(503, "try again")
            return
        super().do_GET()


@pytest.fixture(autouse=True)
def no_retries(monkeypatch):
    """Failing downloads are not retried (pooch waits a second or more between tries); the
    test server is on loopback, which downloads must be allowed to reach here."""
    monkeypatch.setattr(fetch, "DOWNLOAD_RETRIES", 0)
    monkeypatch.setenv(fetch.PRIVATE_HOSTS_ENV, "1")
    QuietHandler.failures_left = 0


def test_missing_file_is_downloaded_verified_and_cached(server, tmp_path):
    data_dir = tmp_path / "data"
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    req = FileRequest("roads", "india/roads.csv", f"{server}/roads.csv", sha, allow_http=True)
    hashes = ensure_files([req], data_dir)
    assert (data_dir / "india" / "roads.csv").read_bytes() == PAYLOAD
    assert hashes == {"india/roads.csv": sha}
    assert [p.name for p in (data_dir / "india").iterdir()] == ["roads.csv"]  # no temp left
    # Cached: a second call works with the server gone (wrong address).
    again = FileRequest("roads", "india/roads.csv", "http://127.0.0.1:9/none", sha, True)
    assert ensure_files([again], data_dir) == hashes


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    req = FileRequest("roads", "roads.csv", f"{server}/roads.csv", "0" * 64, allow_http=True)
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        ensure_files([req], tmp_path / "data")
    assert list((tmp_path / "data").iterdir()) == []


def test_unreachable_files_are_listed_in_one_error(server, tmp_path, caplog):
    reqs = [
        FileRequest("roads", "a.csv", f"{server}/absent.csv", None, allow_http=True),
        FileRequest("dem", "b.tif", None, None),
    ]
    caplog.set_level("INFO", logger="sitesel.data.fetch")
    with pytest.raises(LayerNotFoundError) as info:
        ensure_files(reqs, tmp_path / "data")
    message = str(info.value)
    assert "roads: a.csv" in message and "404" in message and "and 1 more" in message
    assert "--data-dir DIR or $SITESEL_DATA_DIR, or run online" in message
    assert "\n" not in message
    # The full list, for -v:
    assert "dem: b.tif (from no public address in the catalog)" in caplog.text


def test_offline_never_downloads(server, tmp_path):
    req = FileRequest("roads", "roads.csv", f"{server}/roads.csv", None, allow_http=True)
    with pytest.raises(LayerNotFoundError, match=r"roads: roads.csv \(from http://127.0.0.1"):
        ensure_files([req], tmp_path / "data", offline=True)
    assert not (tmp_path / "data" / "roads.csv").exists()


def test_a_failed_download_is_retried(server, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "DOWNLOAD_RETRIES", 1)
    QuietHandler.failures_left = 1
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    req = FileRequest("roads", "roads.csv", f"{server}/roads.csv", sha, allow_http=True)
    assert ensure_files([req], tmp_path / "data") == {"roads.csv": sha}
    assert QuietHandler.failures_left == 0


def test_a_local_file_that_changed_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "roads.csv").write_bytes(PAYLOAD + b"tampered")
    req = FileRequest("roads", "roads.csv", None, hashlib.sha256(PAYLOAD).hexdigest())
    with pytest.raises(ChecksumError) as info:
        ensure_files([req], data)
    message = str(info.value)
    assert hashlib.sha256(PAYLOAD + b"tampered").hexdigest() in message
    assert hashlib.sha256(PAYLOAD).hexdigest() in message
    assert "layer catalog" in message and "\n" not in message
