"""Find a layer's files in the data directory, or download them from their public source.

Downloads are streamed to a temporary file beside the target, checked against the
catalog's sha256 and only then renamed into place, so an interrupted or corrupt download
never leaves a file that looks complete. The data directory doubles as the cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sitesel.config.catalog import Catalog
from sitesel.errors import ChecksumError, DownloadError, LayerNotFoundError

log = logging.getLogger(__name__)

DATA_DIR_ENV = "SITESEL_DATA_DIR"
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileRequest:
    """A file a layer needs: where it belongs and where it can be fetched from."""

    layer: str
    path: str
    url: str | None
    sha256: str | None


def default_data_dir() -> Path:
    """The data directory when none is given.

    ``$SITESEL_DATA_DIR`` if set; else ``../shared/data`` (relative to the working
    directory) if it exists; else ``~/.cache/sitesel/data``, where downloads are cached.
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    shared = Path("..") / "shared" / "data"
    if shared.is_dir():
        return shared
    return Path.home() / ".cache" / "sitesel" / "data"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, target: Path, *, sha256: str | None, timeout_s: float = 60.0) -> str:
    """Download ``url`` to ``target`` atomically, verifying its checksum.

    Parameters
    ----------
    url
        The address to fetch.
    target
        Where the file belongs; its folder is created.
    sha256
        Expected hex checksum, or None to accept any content.
    timeout_s
        Socket timeout in seconds.

    Returns
    -------
    str
        The sha256 of what was downloaded.

    Raises
    ------
    DownloadError
        If the request fails; ``target`` is untouched.
    ChecksumError
        If the content does not match ``sha256``; ``target`` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
            for chunk in iter(lambda: resp.read(_CHUNK_BYTES), b""):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if sha256 is not None and got != sha256:
            raise ChecksumError(
                f"{url}: checksum mismatch, expected sha256 {sha256}, got {got};"
                " the source changed or the download was corrupted (update the catalog's sha256"
                " only if you trust the new file)"
            )
        os.replace(tmp, target)
        return got
    except ChecksumError:
        raise
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"{url}: download failed ({reason})") from exc
    finally:
        tmp.unlink(missing_ok=True)


def ensure_files(
    requests: list[FileRequest], data_dir: Path, *, offline: bool = False
) -> dict[str, str]:
    """Make sure every requested file is in ``data_dir``, downloading what is missing.

    Parameters
    ----------
    requests
        The files needed.
    data_dir
        The data directory (and download cache).
    offline
        Do not try to download; report what is missing.

    Returns
    -------
    dict
        Relative path -> sha256 of each file, for the run manifest.

    Raises
    ------
    LayerNotFoundError
        Naming every file that is missing and could not be fetched, with its address.
    ChecksumError
        If a download arrived with the wrong checksum.
    """
    hashes: dict[str, str] = {}
    missing: list[str] = []
    for req in requests:
        target = data_dir / req.path
        if target.is_file():
            got = sha256_of(target)
            if req.sha256 is not None and got != req.sha256:
                log.warning(
                    "layer %s: %s differs from the catalog's sha256 (%s...); using it anyway",
                    req.layer,
                    target,
                    req.sha256[:12],
                )
            hashes[req.path] = got
            continue
        if req.url is None or offline:
            source = req.url or "no public address in the catalog"
            missing.append(f"{req.layer}: {req.path} (from {source})")
            continue
        log.info("layer %s: downloading %s", req.layer, req.url)
        try:
            hashes[req.path] = download(req.url, target, sha256=req.sha256)
        except ChecksumError:
            raise
        except DownloadError as exc:
            missing.append(f"{req.layer}: {req.path} (from {req.url}: {exc.__cause__})")
    if missing:
        raise LayerNotFoundError(
            f"missing in data directory {data_dir}: "
            + "; ".join(missing)
            + f". Set --data-dir or ${DATA_DIR_ENV} to where the files are, or connect to"
            " the internet to download them"
        )
    return hashes


def file_requests(catalog: Catalog, names: list[str]) -> list[FileRequest]:
    """The files the named layers need."""
    return [
        FileRequest(layer=name, path=src.path, url=src.url, sha256=src.sha256)
        for name in dict.fromkeys(names)
        for src in catalog.layers[name].sources
    ]
