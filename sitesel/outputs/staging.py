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
import ctypes
import errno
import fcntl
import logging
import os
import resource
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pyarrow
import pyogrio.errors
import rasterio.errors

from sitesel.errors import OutputError

log = logging.getLogger(__name__)

_WRITE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    pyogrio.errors.DataSourceError,  # GDAL's writers raise their own (a full disk, ...)
    pyogrio.errors.DataLayerError,  # ... FeatureError "database or disk is full" among them
    rasterio.errors.RasterioError,
    pyarrow.ArrowException,  # the CSV and GeoParquet writers
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


def _clear_stale(anchor: Path, folders: set[Path], run_folder: Path | None = None) -> None:
    """Remove staging folders a killed run left (inside the output folders, or beside).

    Beside the run folder that is a new run half built, or the previous one that an
    exchange had put aside.
    """
    stale = list(anchor.parent.glob(f".{anchor.name}{STAGING_PREFIX}*"))
    if run_folder is not None:
        stale += list(run_folder.parent.glob(f".{run_folder.name}{STAGING_PREFIX}*"))
        folders = folders | ({run_folder} if run_folder.is_dir() else set())
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
    folder: Path | None = None,
    owned: Collection[str] = (),
) -> Iterator[dict[str, Path]]:
    """Give temporary paths for outputs; move them all into place only on success.

    Outputs inside ``folder`` (a run folder) are written into a new folder beside it
    (``.<name>.sitesel-staging-*``, on the same file system), which then takes the folder's
    place in one step: the two are exchanged by ``renameat2(RENAME_EXCHANGE)`` (a folder
    that does not exist yet is simply renamed into), so a reader sees the previous run or
    the new one, never a mix, whenever the process is killed. Files of the old folder that
    are not ``owned`` by a run (a dossier, a planner's notes) are carried into the new one
    as hard links first; owned files this run does not write (an earlier run's
    ``allocation.csv``) are not. Where the folder cannot be exchanged (it is a mount point,
    or the file system or kernel lacks the call) its files are renamed one by one, stale
    owned files removed, the ``last`` output (the manifest, listing every other output with
    its sha256) last: a reader then refuses a folder left half-way, naming the file.

    Other outputs (the map) are staged in a folder inside their own destination folder and
    renamed into place after the run folder.

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
    folder
        The run folder, replaced as a whole; None: each output is renamed on its own.
    owned
        File names in ``folder`` that belong to a run, whether this one writes them or not.

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
    run_folder = None if folder is None else _real(folder)
    if run_folder is not None and run_folder.exists() and not run_folder.is_dir():
        raise OutputError(f"cannot write outputs to {folder}: it is a file, not a folder")
    swap = run_folder is not None and not os.path.ismount(run_folder)
    inside = {n for n, p in destinations.items() if swap and _real(p.parent) == run_folder}
    loose = [n for n in destinations if n not in inside]
    parents = sorted({_real(destinations[n].parent) for n in loose})
    around = [run_folder.parent] if run_folder is not None else []
    check_writable(sorted({*parents, *around, anchor.parent}))
    with output_lock(anchor) if lock else nullcontext():
        _clear_stale(anchor, set(parents), run_folder)
        staging: dict[Path, Path] = {}
        moved: list[str] = []
        try:
            for parent in parents:
                staging[parent] = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
            staged = {n: staging[_real(destinations[n].parent)] / f"{n}{destinations[n].suffix}"
                      for n in loose}  # fmt: skip
            if inside:
                assert run_folder is not None
                staging[run_folder] = _new_folder(run_folder)
                staged |= {n: staging[run_folder] / destinations[n].name for n in inside}
            yield {name: staged[name] for name in destinations}
            if inside:
                assert run_folder is not None
                files = [destinations[n].name for n in _last_last(inside, last)]
                _replace_folder(staging[run_folder], run_folder, files, {*owned, *files})
                moved += list(inside)
            for name in _last_last(loose, last):
                if name == last and run_folder is not None and not inside:
                    _drop_stale(run_folder, owned, {p.name for p in destinations.values()})
                os.replace(staged[name], destinations[name])
                moved.append(name)
        except _WRITE_ERRORS as exc:
            reason = write_failure(exc, sorted({*parents, *around}))
            raise OutputError(
                f"cannot write outputs to {anchor}: {reason}; {_state(moved, destinations)}"
            ) from None
        finally:
            for path in staging.values():
                shutil.rmtree(path, ignore_errors=True)


def _last_last(names: Collection[str], last: str | None) -> list[str]:
    """The names in their order, ``last`` moved to the end.

    >>> _last_last(["manifest", "a", "b"], "manifest")
    ['a', 'b', 'manifest']
    """
    return [n for n in names if n != last] + [n for n in names if n == last]


def _drop_stale(folder: Path, owned: Collection[str], written: set[str]) -> None:
    """Remove files a run owns that this one did not write (an earlier run's tables)."""
    for name in set(owned) - written:
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def _state(moved: list[str], destinations: Mapping[str, Path]) -> str:
    """What a failed write left: the previous outputs, or how many were replaced."""
    if not moved:
        return "the previous outputs are unchanged"
    return (
        f"{len(moved)} of {len(destinations)} outputs were replaced ({', '.join(moved)}) before"
        " it stopped; rerun to write the rest"
    )


def _real(path: Path) -> Path:
    """An absolute path with its links resolved (a run folder may be a link to another)."""
    return Path(os.path.realpath(path))


def _new_folder(folder: Path) -> Path:
    """An empty folder beside ``folder``, on its parent's file system, to build the run in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{folder.name}{STAGING_PREFIX}", dir=folder.parent))
    if folder.is_dir():  # the folder keeps its permissions (mkdtemp makes it private)
        mode = stat.S_IMODE(folder.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o777 & ~umask
    new.chmod(mode)
    return new


def _replace_folder(new: Path, folder: Path, order: list[str], owned: set[str]) -> None:
    """Put ``new`` in the place of ``folder`` in one step where the system allows it.

    ``order``: the new run's files, the manifest last; ``owned``: every file name a run may
    write. Where the exchange is refused the files are renamed one by one instead. After an
    exchange the old folder sits at ``new``'s path and is removed by the caller (or by the
    next run, if this one is killed first).
    """
    if not folder.exists():
        os.rename(new, folder)
        return
    _carry_over(folder, new, owned)
    try:
        exchange(new, folder)
        return
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
        log.info("cannot exchange %s in one step (%s); replacing its files", folder, exc)
    for name in order[:-1]:
        os.replace(new / name, folder / name)
    _drop_stale(folder, owned, set(order))
    os.replace(new / order[-1], folder / order[-1])


def _carry_over(old: Path, new: Path, owned: set[str]) -> None:
    """Entries of ``old`` that no run owns, hard-linked (or copied) into ``new``."""
    for entry in old.iterdir():
        if entry.name in owned or entry.name.startswith(STAGING_PREFIX):
            continue
        target = new / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, target)


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


_NO_EXCHANGE = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EBUSY, errno.ENOTSUP, errno.EPERM}
"""Why ``renameat2(RENAME_EXCHANGE)`` may be refused by a system that still renames files."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Raises
    ------
    OSError
        With the system's errno: ``ENOSYS`` where the C library lacks the call, ``EINVAL``
        where the file system does not support it, ``EXDEV`` across file systems.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(libc, "renameat2", None)
    if call is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(a), None, str(b))
