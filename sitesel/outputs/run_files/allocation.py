"""``allocation.csv``: the sites each location problem chose, and what they cover."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import FLOAT_DECIMALS, Result


def wanted(result: Result) -> bool:
    """When the config posed location problems."""
    return result.allocation is not None


def write(result: Result, path: Path) -> None:
    """The chosen sites, floats rounded."""
    assert result.allocation is not None  # wanted
    files.write_table_csv(result.allocation.round(FLOAT_DECIMALS), path)


ALLOCATION = RunFile(name="allocation", file="allocation.csv", write=write, wanted=wanted)
