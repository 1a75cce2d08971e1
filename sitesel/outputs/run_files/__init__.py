"""The files of a run folder: one module per output, found by :mod:`.registry`.

Each module holds a :class:`~.registry.RunFile`: the file's name, when a run has it and
how it is written. The summary picture, the map and the manifest are written by
:mod:`sitesel.outputs.writer` itself (drawn in a render process; written outside the
folder; written last). A new output is a new module here, or a plug-in's module under
the entry-point group ``sitesel.outputs`` (``docs/DESIGN.md`` shows one).
"""

from sitesel.outputs.run_files.registry import RunFile, run_files

__all__ = ["RunFile", "run_files"]
