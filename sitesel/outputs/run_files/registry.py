"""The run-file registry: every file :func:`~sitesel.outputs.writer.write_run` writes.

A :class:`RunFile` names its file, says whether a run has it (``wanted``) and writes it
from the :class:`~sitesel.result.Result` to the path it is given (a staging path: the run
folder changes in one step). The built-in files are the modules of this package; other
packages add theirs under the entry-point group ``sitesel.outputs``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sitesel._plugins import registry_modules
from sitesel.result import Result

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sitesel.outputs"
SKIP = frozenset({"registry"})


def always(result: Result) -> bool:
    """Every run has this file."""
    return True


@dataclass(frozen=True)
class RunFile:
    """One file of a run folder.

    Attributes
    ----------
    name
        Its key in the manifest's ``outputs`` (``ranking``).
    file
        Its file name in the run folder (``ranking.csv``).
    write
        ``(result, path)``: write the file at ``path``.
    wanted
        ``result -> bool``: whether this run has the file (a run without Monte Carlo has
        no ``robustness.csv``); a file a run does not have is dropped from the folder.
    """

    name: str
    file: str
    write: Callable[[Result, Path], None]
    wanted: Callable[[Result], bool] = always


_found: dict[str, RunFile] = {}


def run_files() -> dict[str, RunFile]:
    """Every run file, by name (in the order the modules were found).

    Raises
    ------
    ValueError
        If two run files share a name or a file name.
    """
    if not _found:
        files: dict[str, RunFile] = {}
        for module in registry_modules("sitesel.outputs.run_files", ENTRY_POINT_GROUP, SKIP):
            for value in vars(module).values():
                if not isinstance(value, RunFile) or files.get(value.name) is value:
                    continue
                clash = [f for f in files.values() if value.name == f.name or value.file == f.file]
                if clash:
                    raise ValueError(
                        f"output {value.name!r} ({value.file}) clashes with {clash[0].name!r}"
                        f" ({clash[0].file}): each output needs its own name and file"
                    )
                files[value.name] = value
        _found.update(files)
    return dict(_found)
