"""``stability.csv``: per criterion, the weight interval that keeps the top site on top."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sitesel.manifest import StabilityRecord
from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import FLOAT_DECIMALS, Result


def stability_table(intervals: Sequence[StabilityRecord]) -> pd.DataFrame:
    """One row per criterion: its weight and the interval keeping the top site on top."""
    return pd.DataFrame(
        [
            {
                "criterion": si.criterion,
                "weight": round(si.weight, FLOAT_DECIMALS),
                "stable_from": None if si.lower is None else round(si.lower, 4),
                "stable_to": None if si.upper is None else round(si.upper, 4),
                "smallest_change": None
                if si.smallest_change is None
                else round(si.smallest_change, 4),
                "new_top_below": si.lower_challenger,
                "new_top_above": si.upper_challenger,
            }
            for si in intervals
        ]
    )


def wanted(result: Result) -> bool:
    """When the run computed weight stability intervals."""
    return bool(result.manifest.stability)


def write(result: Result, path: Path) -> None:
    """The intervals as a table."""
    files.write_table_csv(stability_table(result.manifest.stability), path)


STABILITY = RunFile(name="stability", file="stability.csv", write=write, wanted=wanted)
