"""``smaa.csv``: SMAA-2 rank acceptabilities and central weights of the sites ranked first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def smaa_table(monte_carlo: dict[str, Any] | None) -> pd.DataFrame:
    """SMAA-2 measures of the sites that rank first in some draws (``smaa.csv``).

    Columns: ``site_id``, ``b_rank1`` .. ``b_rank<k>`` (rank acceptability indices),
    ``confidence_factor`` and ``central__<criterion>`` (central weight vector).
    """
    smaa = (monte_carlo or {}).get("smaa") or {"criteria": [], "sites": []}
    rows = []
    for site in smaa["sites"]:
        row: dict[str, Any] = {"site_id": site["site_id"]}
        row |= {f"b_rank{r + 1}": b for r, b in enumerate(site["acceptability"])}
        row["confidence_factor"] = site["confidence_factor"]
        row |= {
            f"central__{c}": w
            for c, w in zip(smaa["criteria"], site["central_weights"], strict=True)
        }
        rows.append(row)
    return pd.DataFrame(rows)


def wanted(result: Result) -> bool:
    """When the run drew weights (Monte Carlo)."""
    return result.manifest.monte_carlo is not None


def write(result: Result, path: Path) -> None:
    """The SMAA-2 measures as a table."""
    files.write_table_csv(smaa_table(result.manifest.monte_carlo), path)


SMAA = RunFile(name="smaa", file="smaa.csv", write=write, wanted=wanted)
