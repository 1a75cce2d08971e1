"""Find a layer's files in the data directory, or download them from their public source.

Downloads go through pooch: streamed to a temporary file beside the target, checked
against the catalog's sha256, retried on failure, and renamed into place only when the
checksum matches, so an interrupted or corrupt download never leaves a file that looks
complete. The data directory doubles as the cache. A local file whose checksum differs
from the catalog's is refused: data that changed must be accepted deliberately.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import socket
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sitesel.config.catalog import Catalog
from sitesel.data.lock import LockFile
from sitesel.errors import ChecksumError, ConfigError, DownloadError, LayerNotFoundError

log = logging.getLogger(__name__)

DATA_DIR_ENV = "SITESEL_DATA_DIR"
PRIVATE_HOSTS_ENV = "SITESEL_ALLOW_PRIVATE_HOSTS"
"""Set to 1 to let catalogs download from loopback, link-local or private addresses."""
_CHUNK_BYTES = 1 << 20
DOWNLOAD_TIMEOUT_ENV = "SITESEL_DOWNLOAD_TIMEOUT_S"
"""Seconds a download may wait for the server (60 when unset; more on a slow connection)."""
DOWNLOAD_RETRIES = 2
"""Further attempts after a failed download (pooch waits 1 s, then 2 s, between them)."""


@dataclass(frozen=True)
class FileRequest:
    """A file a layer needs: where it belongs and where it can be fetched from."""

    layer: str
    path: str
    url: str | None
    sha256: str | None
    allow_http: bool = False


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


def download(
    url: str,
    target: Path,
    *,
    sha256: str | None,
    timeout_s: float | None = None,
    retries: int | None = None,
) -> str:
    """Download ``url`` to ``target`` with pooch, verifying its checksum.

    Parameters
    ----------
    url
        The address to fetch.
    target
        Where the file belongs; its folder is created.
    sha256
        Expected hex checksum, or None to accept any content.
    timeout_s
        Socket timeout in seconds (``$SITESEL_DOWNLOAD_TIMEOUT_S``, else 60, when None).
    retries
        Further attempts after a failure (:data:`DOWNLOAD_RETRIES` when None).

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
    import pooch  # imported when used: pooch and requests take ~0.1 s to import
    import requests

    fetcher = pooch.create(
        path=target.parent,
        base_url="",
        registry={target.name: None if sha256 is None else f"sha256:{sha256}"},
        urls={target.name: url},
        retry_if_failed=DOWNLOAD_RETRIES if retries is None else retries,
    )
    try:
        progress = sys.stderr.isatty()  # pooch's tqdm bar on a terminal, quiet otherwise
        timeout = timeout_s if timeout_s is not None else download_timeout_s()
        downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=progress)
        fetcher.fetch(target.name, downloader=downloader)
    except ValueError as exc:  # pooch's checksum mismatch
        raise ChecksumError(
            f"{url}: checksum mismatch, expected sha256 {sha256} ({exc}); the source changed"
            " or the download was corrupted (update the catalog's sha256 only if you trust"
            " the new file)"
        ) from None
    except (requests.RequestException, OSError) as exc:
        raise DownloadError(f"{url}: download failed ({exc})") from exc
    return sha256_of(target)


def download_timeout_s() -> float:
    """The download timeout: ``$SITESEL_DOWNLOAD_TIMEOUT_S`` seconds, else 60.

    Raises
    ------
    ConfigError
        If the variable is not a positive number.
    """
    text = os.environ.get(DOWNLOAD_TIMEOUT_ENV, "60")
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"${DOWNLOAD_TIMEOUT_ENV}: expected seconds above 0, found {text!r}")
    return value


def target_path(req: FileRequest, data_dir: Path) -> Path:
    """Where a requested file is read from, refusing a relative path that leaves the folder.

    The path is judged as written (``..`` climbing out is refused); a folder of the data
    directory that is a link to a shared store is the user's own arrangement and is kept.

    Raises
    ------
    ConfigError
        If a relative path climbs out of the data directory (``..``).
    """
    path = Path(req.path)
    if path.is_absolute():
        return path
    target = data_dir / path
    root = Path(os.path.normpath(data_dir.absolute()))
    if not Path(os.path.normpath(target.absolute())).is_relative_to(root):
        raise ConfigError(
            f"layer {req.layer}: path {req.path!r} leads out of the data directory {data_dir};"
            " give a path inside it, or an absolute path to a file of your own"
        )
    return target


def check_download_address(url: str, *, allow_http: bool, allow_private: bool) -> None:
    """Refuse addresses that are not https (unless allowed) or resolve to a private host.

    Raises
    ------
    DownloadError
        For another scheme, plain http not allowed, or a loopback, link-local, private or
        reserved address (unless ``allow_private`` or ``$SITESEL_ALLOW_PRIVATE_HOSTS=1``).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
        raise DownloadError(f"{url}: only https downloads are allowed (the catalog may allow http)")
    if allow_private or os.environ.get(PRIVATE_HOSTS_ENV) == "1" or not parts.hostname:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise DownloadError(f"{url}: cannot resolve {parts.hostname} ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DownloadError(
                f"{url}: {parts.hostname} is a {_kind(address)} address ({address}); sitesel"
                f" downloads only from public hosts unless {PRIVATE_HOSTS_ENV}=1"
            )


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    return "private" if address.is_private else "reserved"


def _check_file(req: FileRequest, target: Path) -> None:
    """Say what a path that is not a readable file is (a folder, a broken link)."""
    if target.is_dir():
        raise LayerNotFoundError(f"layer {req.layer}: {target} is a folder, not a file")
    if target.is_symlink() and not target.exists():
        raise LayerNotFoundError(
            f"layer {req.layer}: {target} is a symbolic link to nothing (or a link loop)"
        )


def _check_local(req: FileRequest, target: Path) -> str:
    """The sha256 of a local file, refusing one that differs from the catalog's."""
    got = sha256_of(target)
    if req.sha256 is not None and got != req.sha256:
        raise ChecksumError(
            f"layer {req.layer}: {target} has sha256 {got}, the catalog expects {req.sha256};"
            " the file changed or is damaged. Restore the original, or accept the new file"
            " deliberately by putting its sha256 in the layer catalog"
        )
    return got


def ensure_files(
    requests_: list[FileRequest],
    data_dir: Path,
    *,
    offline: bool = False,
    allow_private_hosts: bool = False,
    lock: LockFile | None = None,
    optional: bool = False,
) -> dict[str, str]:
    """Make sure every requested file is in ``data_dir``, downloading what is missing.

    Parameters
    ----------
    requests_
        The files needed.
    data_dir
        The data directory (and download cache).
    offline
        Do not try to download; report what is missing.
    allow_private_hosts
        Allow downloads from loopback and private addresses (tests; a local mirror).
    lock
        The catalog's lock file (:mod:`sitesel.data.lock`): a download without a catalog
        checksum is pinned there, and checked against it once pinned.
    optional
        The files serve only if all can be had (a DEM used where available): the first
        that cannot ends the attempt, without retries.

    Returns
    -------
    dict
        Relative path -> sha256 of each file, for the run manifest.

    Raises
    ------
    LayerNotFoundError
        Naming every file that is missing and could not be fetched, with its address.
    ChecksumError
        If a local file or a download does not match the catalog's (or the lock's) checksum.
    """
    hashes: dict[str, str] = {}
    missing: list[str] = []
    for req in requests_:
        target = target_path(req, data_dir)
        got, why = _obtain(req, target, offline, allow_private_hosts, lock, optional)
        if got is not None:
            hashes[req.path] = got
        else:
            missing.append(f"{req.layer}: {req.path} (from {why})")
            if optional:
                break
    if missing:
        for line in missing:
            log.info("missing: %s", line)
        more = f" and {len(missing) - 1} more (-v lists them)" if len(missing) > 1 else ""
        raise LayerNotFoundError(
            f"missing in data directory {data_dir}: {missing[0]}{more}. Supply the data with"
            f" --data-dir DIR or ${DATA_DIR_ENV}, or run online (without --offline) to download"
        )
    return hashes


def _obtain(
    req: FileRequest,
    target: Path,
    offline: bool,
    allow_private: bool,
    lock: LockFile | None,
    optional: bool = False,
) -> tuple[str | None, str]:
    """The sha256 of a local or freshly downloaded file, or None and why it is missing."""
    _check_file(req, target)
    pinned = lock if lock is not None and req.sha256 is None and req.url is not None else None
    if pinned is not None and pinned.refresh and req.path in pinned.entries and not offline:
        return _refreshed(req, target, pinned, allow_private), ""
    if target.is_file():
        got = _check_local(req, target)
        if pinned is not None:
            pinned.verify(req.path, got, f"layer {req.layer}: {target}")
        return got, ""
    if req.url is None or offline or Path(req.path).is_absolute():
        return None, req.url or "no public address in the catalog"
    log.info("layer %s: downloading %s", req.layer, req.url)
    try:
        check_download_address(req.url, allow_http=req.allow_http, allow_private=allow_private)
        got = download(req.url, target, sha256=req.sha256, retries=0 if optional else None)
    except ChecksumError:
        raise
    except DownloadError as exc:
        return None, f"{req.url}: {exc.__cause__ or exc}"
    if pinned is not None:
        try:
            pinned.check(req.path, got, f"layer {req.layer}: {req.url}")
        except ChecksumError:
            target.unlink(missing_ok=True)  # not kept: the next run must not read it
            raise
    return got, ""


def _refreshed(req: FileRequest, target: Path, lock: LockFile, allow_private: bool) -> str:
    """``--refresh``: a file sitesel downloaded (the lock names it) fetched again.

    The new copy is downloaded beside the old one and renamed over it only when complete;
    a file the lock does not name (one you put there) is never touched.

    Raises
    ------
    DownloadError
        If the source cannot be reached; the old copy and the lock stay as they were.
    """
    assert req.url is not None
    check_download_address(req.url, allow_http=req.allow_http, allow_private=allow_private)
    fresh = target.with_name(f".{target.name}.refresh")
    log.info("layer %s: downloading %s again (--refresh)", req.layer, req.url)
    got = download(req.url, fresh, sha256=None)
    os.replace(fresh, target)
    lock.check(req.path, got, f"layer {req.layer}: {req.url}")
    return got


def file_requests(catalog: Catalog, names: list[str]) -> list[FileRequest]:
    """The files the named layers need."""
    return [
        FileRequest(
            layer=name,
            path=src.path,
            url=src.url,
            sha256=src.sha256,
            allow_http=catalog.layers[name].allow_http,
        )
        for name in dict.fromkeys(names)
        for src in catalog.layers[name].sources
    ]
