"""``robustness.csv``: the ranked sites' chances of ranking first and in the top k."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result, ranking_table


def robustness_table(ranking: pd.DataFrame) -> pd.DataFrame:
    """Ranked sites ordered by P(rank 1), then P(top k), then rank."""
    top_col = next(c for c in ranking.columns if c.startswith("p_top"))
    cols = ["site_id", "rank", "suitability", "p_rank1", top_col, "rank_p05", "rank_p95"]
    table = ranking.loc[~ranking["excluded"], cols]
    table = table.sort_values(
        ["p_rank1", top_col, "rank"], ascending=[False, False, True], kind="mergesort"
    )
    return table.astype({"rank_p05": "Int64", "rank_p95": "Int64"}).reset_index(drop=True)


def wanted(result: Result) -> bool:
    """When the run drew weights (Monte Carlo)."""
    return result.manifest.monte_carlo is not None


def write(result: Result, path: Path) -> None:
    """The Monte Carlo columns of the candidates, most robust first."""
    sites = result.sites
    columns = ["site_id", "rank", "suitability", "p_rank1", "rank_p05", "rank_p95", "excluded"]
    columns += [c for c in sites.columns if c.startswith("p_top")]
    # the ranking of these columns only (the whole table is built once, for ranking.csv)
    ranking = ranking_table(sites[[*columns, sites.geometry.name]], result.centroids_lon_lat)
    files.write_table_csv(robustness_table(ranking), path)


ROBUSTNESS = RunFile(name="robustness", file="robustness.csv", write=write, wanted=wanted)
