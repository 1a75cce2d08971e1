"""``ranking.csv``: every site, its values, scores, suitability and rank."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def write(result: Result, path: Path) -> None:
    """The ranking table (:attr:`~sitesel.result.Result.ranking`)."""
    files.write_table_csv(result.ranking, path)


RANKING = RunFile(name="ranking", file="ranking.csv", write=write)
