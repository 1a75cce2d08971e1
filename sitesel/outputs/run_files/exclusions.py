"""``exclusions.csv``: one row per site and rule that excludes or flags it.

The records of :mod:`sitesel.exclusions`, read back by :func:`~sitesel.outputs.reader.read_run`.
"""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def write(result: Result, path: Path) -> None:
    """The exclusion records as a table."""
    files.write_table_csv(result.exclusions_table, path)


EXCLUSIONS = RunFile(name="exclusions", file="exclusions.csv", write=write)
