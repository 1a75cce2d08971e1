"""Write a set of outputs all or nothing, one writer at a time.

Every output is first written into a staging folder inside its destination folder
(``.sitesel-staging-*``, on the destination's own file system); only when all are complete
are they renamed into place, the manifest last, so a failed run never leaves half-written
outputs and the previous ones survive. A lock file beside the output folder
(``.<name>.sitesel-lock``, removed when the run ends) keeps a second run from mixing its
files in; staging folders left by a killed run are removed by the next one. A run folder
is replaced whole (:mod:`~sitesel.outputs.folder_swap`).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import resource
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pyarrow
import pyogrio.errors
import rasterio.errors

from sitesel.errors import OutputError
from sitesel.outputs.folder_swap import STAGING_PREFIX, drop_stale, new_folder, replace_folder

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

    Outputs inside ``folder`` go into a new folder that takes its place in one step
    (:mod:`~sitesel.outputs.folder_swap`); other outputs (the map) are staged inside their
    own destination folder and renamed into place after it, the ``last`` output last.

    Parameters
    ----------
    destinations
        Output name -> final path.
    anchor, lock
        The folder (or file) being written, which the lock sits beside (the first
        destination's folder when None); take its lock (False: the caller holds it).
    last
        The output to move into place last (the manifest).
    folder, owned
        The run folder, replaced as a whole (None: each output is renamed on its own), and
        the file names in it that belong to a run, whether this one writes them or not.

    Yields
    ------
    dict
        Output name -> temporary path to write to.

    Raises
    ------
    OutputError
        If an output cannot be written (naming the folder, the reason and the state it is
        left in), or another run is writing to the same place.
    """
    anchor = anchor if anchor is not None else next(iter(destinations.values())).parent
    run_folder, inside, parents = _layout(destinations, folder)
    around = [run_folder.parent] if run_folder is not None else []
    check_writable(sorted({*parents, *around, anchor.parent}))
    with output_lock(anchor) if lock else nullcontext():
        _clear_stale(anchor, set(parents), run_folder)
        staging: dict[Path, Path] = {}
        moved: list[str] = []
        try:
            staged = _stage(destinations, parents, run_folder, inside, staging)
            yield {name: staged[name] for name in destinations}
            plan = _Plan(destinations, staged, run_folder, inside, last, owned)
            _move_into_place(plan, staging, moved)
        except _WRITE_ERRORS as exc:
            reason = write_failure(exc, sorted({*parents, *around}))
            raise OutputError(
                f"cannot write outputs to {anchor}: {reason}; {_state(moved, destinations)}"
            ) from None
        finally:
            for path in staging.values():
                shutil.rmtree(path, ignore_errors=True)


def _layout(
    destinations: Mapping[str, Path], folder: Path | None
) -> tuple[Path | None, set[str], list[Path]]:
    """The run folder (links resolved), the outputs staged with it, the other outputs' folders.

    A run folder that is a mount point cannot be exchanged: its outputs go one by one.

    Raises
    ------
    OutputError
        If ``folder`` is a file.
    """
    run_folder = None if folder is None else _real(folder)
    if run_folder is not None and run_folder.exists() and not run_folder.is_dir():
        raise OutputError(f"cannot write outputs to {folder}: it is a file, not a folder")
    swap = run_folder is not None and not os.path.ismount(run_folder)
    inside = {n for n, p in destinations.items() if swap and _real(p.parent) == run_folder}
    parents = sorted({_real(p.parent) for n, p in destinations.items() if n not in inside})
    return run_folder, inside, parents


def _stage(
    destinations: Mapping[str, Path],
    parents: list[Path],
    run_folder: Path | None,
    inside: set[str],
    staging: dict[Path, Path],
) -> dict[str, Path]:
    """The staging path of each output; the staging folders made are added to ``staging``.

    An output of the run folder goes into a new folder beside it; another into a staging
    folder inside its own destination folder.
    """
    for parent in parents:
        staging[parent] = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    staged = {
        n: staging[_real(p.parent)] / f"{n}{p.suffix}"
        for n, p in destinations.items()
        if n not in inside
    }
    if inside:
        assert run_folder is not None
        staging[run_folder] = new_folder(run_folder)
        staged |= {n: staging[run_folder] / destinations[n].name for n in inside}
    return staged


@dataclass(frozen=True)
class _Plan:
    """Where the staged outputs go, and in what order."""

    destinations: Mapping[str, Path]
    staged: dict[str, Path]
    run_folder: Path | None
    inside: set[str]
    last: str | None
    owned: Collection[str]


def _move_into_place(plan: _Plan, staging: dict[Path, Path], moved: list[str]) -> None:
    """The run folder exchanged whole, then the other outputs renamed, ``last`` last.

    ``moved`` collects the outputs in place, for the message should a step fail.
    """
    destinations, staged, run_folder = plan.destinations, plan.staged, plan.run_folder
    if plan.inside:
        assert run_folder is not None
        files = [destinations[n].name for n in _last_last(plan.inside, plan.last)]
        replace_folder(staging[run_folder], run_folder, files, {*plan.owned, *files})
        moved += list(plan.inside)
    loose = [n for n in destinations if n not in plan.inside]
    for name in _last_last(loose, plan.last):
        if name == plan.last and run_folder is not None and not plan.inside:
            drop_stale(run_folder, plan.owned, {p.name for p in destinations.values()})
        os.replace(staged[name], destinations[name])
        moved.append(name)


def _last_last(names: Collection[str], last: str | None) -> list[str]:
    """The names in their order, ``last`` moved to the end.

    >>> _last_last(["manifest", "a", "b"], "manifest")
    ['a', 'b', 'manifest']
    """
    return [n for n in names if n != last] + [n for n in names if n == last]


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
