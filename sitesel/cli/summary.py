"""What a run did, from its records: counts and time, why sites were excluded, the answers.

Every line is written from the run's records (its exclusions and flags, its manifest, its
tables), and a criterion family that has something to say of its ranked sites says it
through the registry (the cost criterion: their range in crore).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from sitesel.result import Result


def print_summary(result: Result, written: dict[str, Path], seconds: float, kept: str = "") -> None:
    """The run's summary: counts, time and where; exclusions; criteria; allocation; flags."""
    from sitesel.exclusions.text import counts as record_counts

    counts = result.manifest.sites
    typer.echo(
        f"{result.name}: {counts.total} sites, {counts.ranked} ranked, {seconds:.1f} s{kept};"
        f" wrote {written['ranking'].parent}/ and {written['map']}"
    )
    common = record_counts(result.records, "exclude").head(3)
    if len(common):
        listed = ", ".join(f"{why} ({n:,})" for why, n in common.items())
        typer.echo(f"  excluded most often: {listed} (a site can fail several)")
    _criteria_lines(result)
    for problem, record in result.manifest.allocation.items():
        _allocation_lines(result, problem, record)
    _flag_lines(result)


def _criteria_lines(result: Result) -> None:
    """A line for each criterion whose family says its ranked values in words."""
    from sitesel.criteria import families

    ranked = ~result.sites["excluded"].to_numpy(dtype=bool)
    known = families()
    for name, kind in result.kinds.items():
        summary = known[kind].summary if kind in known else None
        if summary is None:
            continue
        values = result.sites[f"raw__{name}"].to_numpy(dtype=float)[ranked]
        note = result.manifest.criteria_notes.get(name)
        typer.echo(f"  {name}: {summary(values)}" + (f"; {note}" if note else ""))


def _allocation_lines(result: Result, problem: str, record: dict[str, Any]) -> None:
    """A location problem's answer: its sites, coverage, objective and gap."""
    names = []
    if result.allocation is not None:
        mine = result.allocation[result.allocation["problem"] == problem]
        names = [p or s for p, s in zip(mine["place"], mine["site_id"], strict=True)]
        drawn = (record.get("robustness") or {}).get("draws")
        if drawn:  # how often the weight draws' re-solves chose each site
            names = [f"{n} (in {100 * c:.0f}% of {drawn} draws)"
                     for n, c in zip(names, mine["chosen_share"], strict=True)]  # fmt: skip
    standard = f", T={record['within_min']:g} min" if record.get("within_min") else ""
    covered = f"{100 * record['coverage_share']:.0f}% of demand covered; " if standard else ""
    typer.echo(
        f"  allocation {problem} ({record['problem']}, k={record['k']}{standard}): {covered}"
        f"objective {record['objective']:,.4g}, gap {100 * record['gap']:.2f}%"
        f" ({record['solver']}); sites: {'; '.join(names)}"
    )
    alone = record.get("uncovered") or []
    if alone:
        limit = f"{record['within_min'] or record['cutoff_min']:g} minutes"
        shown = ", ".join(alone[:5]) + (f" and {len(alone) - 5} more" if len(alone) > 5 else "")
        typer.echo(f"    no candidate within {limit} of {len(alone)} demand points: {shown}")


def _flag_lines(result: Result) -> None:
    """The land flags of the ranked sites, and the rules that found nothing near."""
    from sitesel.exclusions.text import counts as record_counts

    if "flags" in result.sites:
        ranked = ~result.sites["excluded"].to_numpy(dtype=bool)
        flagged = int((result.records.mask(len(ranked), "flag") & ranked).sum())
        common = record_counts(result.records, "flag", keep=ranked).head(3)
        listed = "; ".join(f"{why} ({n:,})" for why, n in common.items())
        typer.echo(
            f"  land flags: {flagged:,} of {result.manifest.sites.ranked:,} ranked sites carry"
            " one" + (f"; most often: {listed}" if listed else "")
        )
    packs = (result.manifest.land or {}).get("rule_packs") or []
    idle = [n for p in packs for n, c in p.get("rules", {}).items() if c["features_near"] == 0]
    if idle:
        typer.echo(
            f"  warning: land rules applied to 0 features (none of their layer's within reach"
            f" of the sites): {', '.join(idle)}"
        )
