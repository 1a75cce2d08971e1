"""Replace a run folder in one step: build the new run beside it, then exchange the two.

``renameat2(RENAME_EXCHANGE)`` swaps the folders atomically, so a reader sees the previous
run or the new one, never a mix. Files of the old folder that no run owns (a dossier, a
planner's notes) are hard-linked into the new one first. Where the exchange is refused (a
mount point, a file system or kernel without the call) the files are renamed one by one,
the manifest last.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Collection
from pathlib import Path

log = logging.getLogger(__name__)

STAGING_PREFIX = ".sitesel-staging-"
"""The name prefix of staging folders (a killed run's are removed by the next run)."""


def drop_stale(folder: Path, owned: Collection[str], written: set[str]) -> None:
    """Remove files a run owns that this one did not write (an earlier run's tables)."""
    for name in set(owned) - written:
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def new_folder(folder: Path) -> Path:
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


def replace_folder(new: Path, folder: Path, order: list[str], owned: set[str]) -> None:
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
    drop_stale(folder, owned, set(order))
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
