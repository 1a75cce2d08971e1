"""``allocation_matrix.csv``: travel times between the chosen sites and the demand."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import FLOAT_DECIMALS, Result


def wanted(result: Result) -> bool:
    """When the location problems kept their travel-time matrix."""
    return result.allocation_matrix is not None


def write(result: Result, path: Path) -> None:
    """The matrix, floats rounded."""
    assert result.allocation_matrix is not None  # wanted
    files.write_table_csv(result.allocation_matrix.round(FLOAT_DECIMALS), path)


ALLOCATION_MATRIX = RunFile(
    name="allocation_matrix", file="allocation_matrix.csv", write=write, wanted=wanted
)
