"""Write a set of outputs all or nothing, one writer at a time.

Every output is first written into one staging folder beside the folder being written
(``.<name>.sitesel-staging-*``); only when all are complete are they moved into place, so
a failed or killed run never leaves half-written outputs and the previous ones survive.
A lock file beside the folder (``.<name>.sitesel-lock``) keeps a second run from mixing
its files in; staging folders left by a killed run are removed by the next one.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pyogrio.errors
import rasterio.errors

from sitesel.errors import OutputError

log = logging.getLogger(__name__)

_WRITE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    pyogrio.errors.DataSourceError,  # GDAL's writers raise their own (a full disk, ...)
    rasterio.errors.RasterioError,
)


def check_writable(folders: list[Path]) -> None:
    """Create the output folders and make sure files can be written there, before any work.

    Raises
    ------
    OutputError
        Naming the folder and why it cannot be written.
    """
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise OutputError(
                f"cannot write outputs to {folder}: {exc.strerror or exc}; choose another"
                " folder with --out / --map"
            ) from None


@contextmanager
def output_lock(anchor: Path) -> Iterator[None]:
    """Hold the lock of an output folder (or file) for the block; refuse if another run has it.

    Raises
    ------
    OutputError
        If another sitesel process holds the lock.
    """
    anchor.parent.mkdir(parents=True, exist_ok=True)
    lock_path = anchor.parent / f".{anchor.name}.sitesel-lock"
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another sitesel run is writing to {anchor}; wait for it to finish, or write"
                " this run elsewhere with --out"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _clear_stale(anchor: Path) -> None:
    for stale in anchor.parent.glob(f".{anchor.name}.sitesel-staging-*"):
        log.info("removing %s, left by an interrupted run", stale)
        shutil.rmtree(stale, ignore_errors=True)


def _move(staged: Path, final: Path) -> None:
    """Move a finished file into place: a rename, or copy-then-rename across file systems."""
    try:
        os.replace(staged, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = final.with_name(f".{final.name}.sitesel-part")
        shutil.copyfile(staged, tmp)
        os.replace(tmp, final)


@contextmanager
def staged_outputs(
    destinations: Mapping[str, Path], *, anchor: Path | None = None, lock: bool = True
) -> Iterator[dict[str, Path]]:
    """Give temporary paths for outputs; move them all into place only on success.

    Parameters
    ----------
    destinations
        Output name -> final path.
    anchor
        The folder (or file) being written, which the lock and the staging folder sit
        beside; the first destination's folder when None.
    lock
        Take the anchor's lock (False when the caller already holds it).

    Yields
    ------
    dict
        Output name -> temporary path to write to.

    Raises
    ------
    OutputError
        If an output cannot be written (naming the folder and the reason, e.g. no space
        left on device) or another run is writing to the same place.
    """
    anchor = anchor if anchor is not None else next(iter(destinations.values())).parent
    check_writable(sorted({p.parent for p in destinations.values()} | {anchor.parent}))
    with output_lock(anchor) if lock else nullcontext():
        _clear_stale(anchor)
        folder = Path(
            tempfile.mkdtemp(prefix=f".{anchor.name}.sitesel-staging-", dir=anchor.parent)
        )
        try:
            yield {name: folder / f"{name}{final.suffix}" for name, final in destinations.items()}
            for name, final in destinations.items():
                _move(folder / f"{name}{final.suffix}", final)
        except _WRITE_ERRORS as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise OutputError(
                f"cannot write outputs to {anchor}: {reason}; the previous outputs are unchanged"
            ) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
