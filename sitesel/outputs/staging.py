"""Write a set of outputs all or nothing, one writer at a time.

Every output is first written into a staging folder inside its destination folder
(``.sitesel-staging-*``, on the destination's own file system); only when all are complete
are they renamed into place, the manifest last, so a failed run never leaves half-written
outputs and the previous ones survive. A lock file beside the output folder
(``.<name>.sitesel-lock``, removed when the run ends) keeps a second run from mixing its
files in; staging folders left by a killed run are removed by the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import resource
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

    The lock is ``.<name>.sitesel-lock`` beside the folder, held with ``flock`` and removed
    when the block ends, normally or on an error. A lock file left by a killed run is stale
    and recognised as such: the kernel released its ``flock`` when the process died, so the
    next run takes it at once (and removes it when done). After taking the lock the file is
    checked to still be the one at that path, so a run that opened it just as the holder
    removed it does not think it holds a lock nobody else can see.

    Raises
    ------
    OutputError
        If another sitesel process holds the lock.
    """
    anchor.parent.mkdir(parents=True, exist_ok=True)
    lock_path = anchor.parent / f".{anchor.name}.sitesel-lock"
    for _attempt in range(5):
        lock = lock_path.open("a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise OutputError(
                f"another sitesel run is writing to {anchor}; wait for it to finish, or write"
                " this run elsewhere with --out"
            ) from None
        try:
            same = os.stat(lock_path).st_ino == os.fstat(lock.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        lock.close()  # removed by the run that held it, just now: take the new one
    else:  # pragma: no cover - five races in a row
        raise OutputError(f"could not take the lock of {anchor}; try again")
    try:
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


STAGING_PREFIX = ".sitesel-staging-"
LOW_SPACE_BYTES = 1_000_000


def write_failure(exc: BaseException, folders: list[Path]) -> str:
    """Why a write failed, in words: the OS's reason, or (GDAL hides it) the likely one.

    GDAL's writers report "Failed to commit transaction" where the disk was full or a
    file-size limit was hit; the folder's free space and the process's limit tell which.
    """
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    limit, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit != resource.RLIM_INFINITY:
        return f"File too large (this process may write files of {limit:,} bytes at most; {text})"
    free = min((shutil.disk_usage(f).free for f in folders if f.exists()), default=None)
    if free is not None and free < LOW_SPACE_BYTES:
        return f"No space left on device ({free:,} bytes free; {text})"
    return text


def _clear_stale(anchor: Path, folders: set[Path]) -> None:
    """Remove staging folders a killed run left (inside the output folders, or beside)."""
    stale = list(anchor.parent.glob(f".{anchor.name}.sitesel-staging-*"))
    for folder in folders:
        stale += list(folder.glob(f"{STAGING_PREFIX}*"))
    for path in stale:
        log.info("removing %s, left by an interrupted run", path)
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def staged_outputs(
    destinations: Mapping[str, Path],
    *,
    anchor: Path | None = None,
    lock: bool = True,
    last: str | None = None,
) -> Iterator[dict[str, Path]]:
    """Give temporary paths for outputs; move them all into place only on success.

    Each output is staged in a folder inside its own destination folder
    (``<folder>/.sitesel-staging-*``), on the destination's file system, so every move is
    a rename that cannot fail half-way or copy across disks (a USB stick, a network share,
    a tmpfs mounted as the output folder). The ``last`` output (the manifest, listing
    every other output with its sha256) is moved after all the others: a run killed
    between two renames leaves the previous manifest, which no longer matches the files,
    and readers refuse such a folder naming the file that differs.

    Parameters
    ----------
    destinations
        Output name -> final path.
    anchor
        The folder (or file) being written, which the lock sits beside; the first
        destination's folder when None.
    lock
        Take the anchor's lock (False when the caller already holds it).
    last
        The output to move into place last (the manifest).

    Yields
    ------
    dict
        Output name -> temporary path to write to.

    Raises
    ------
    OutputError
        If an output cannot be written (naming the folder and the reason, e.g. no space
        left on device), saying what state the folder is in; or another run is writing to
        the same place.
    """
    anchor = anchor if anchor is not None else next(iter(destinations.values())).parent
    folders = {p.parent for p in destinations.values()}
    check_writable(sorted(folders | {anchor.parent}))
    with output_lock(anchor) if lock else nullcontext():
        _clear_stale(anchor, folders)
        staging: dict[Path, Path] = {}
        moved: list[str] = []
        try:
            for folder in sorted(folders):
                staging[folder] = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
            yield {
                name: staging[final.parent] / f"{name}{final.suffix}"
                for name, final in destinations.items()
            }
            order = [n for n in destinations if n != last]
            order += [n for n in destinations if n == last]  # the manifest, last
            for name in order:
                final = destinations[name]
                os.replace(staging[final.parent] / f"{name}{final.suffix}", final)
                moved.append(name)
        except _WRITE_ERRORS as exc:
            reason = write_failure(exc, sorted(folders))
            state = (
                "the previous outputs are unchanged"
                if not moved
                else f"{len(moved)} of {len(destinations)} outputs were replaced"
                f" ({', '.join(moved)}) before it stopped; the folder mixes two runs and"
                " sitesel refuses it until a run completes"
            )
            raise OutputError(f"cannot write outputs to {anchor}: {reason}; {state}") from None
        finally:
            for folder in staging.values():
                shutil.rmtree(folder, ignore_errors=True)
