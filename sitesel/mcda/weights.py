"""Turn a config's ``weighting`` section into weights and a report a committee can read.

The arithmetic lives in :mod:`sitesel.mcda.ahp`; this module reads the config, names the
YAML keys in errors, and refuses AHP weights whose consistency ratio is too high.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from sitesel._typing import FloatArray
from sitesel.config.decision import AhpSpec, BwmSpec
from sitesel.config.scoring import Config
from sitesel.errors import ConfigError
from sitesel.mcda import ahp as weighting
from sitesel.mcda.bwm import bwm_weights
from sitesel.mcda.objective_weights import (
    OBJECTIVE_METHODS,
    combined_weights,
    objective_weights,
)

SHOWN_JUDGMENTS = 3

log = logging.getLogger(__name__)


@dataclass
class WeightReport:
    """Resolved weights and how they were derived."""

    method: str
    weights: dict[str, float]
    consistency_ratio: float | None = None
    participants: dict[str, float] = field(default_factory=dict)  # name -> CR
    inconsistent_judgments: list[dict[str, Any]] = field(default_factory=list)
    matrix: FloatArray | None = None  # the (group) AHP matrix, for Monte Carlo perturbation
    detail: str = ""
    max_consistency_ratio: float | None = None  # the limit applied (AHP)
    dropped_participants: list[str] = field(default_factory=list)
    objective: str | None = None  # entropy or critic, applied to the candidates' scores
    subjective_weights: dict[str, float] | None = None  # before combining with objective
    objective_weights: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON types (the manifest and ``sitesel weights --json``)."""
        out: dict[str, Any] = {
            "method": self.method,
            "weights": self.weights,
            "consistency_ratio": self.consistency_ratio,
            "detail": self.detail,
        }
        if self.objective is not None:
            out["objective"] = self.objective
            out["subjective_weights"] = self.subjective_weights
        if self.objective_weights:
            out["objective_weights"] = self.objective_weights
        if self.method == "ahp":
            out["inconsistent_judgments"] = self.inconsistent_judgments
            out["max_consistency_ratio"] = self.max_consistency_ratio
            if self.participants:
                out["participants_consistency_ratio"] = self.participants
                out["dropped_participants"] = self.dropped_participants
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WeightReport:
        """The report as a run's manifest recorded it (no AHP matrix)."""
        return cls(
            method=data["method"],
            weights=data["weights"],
            consistency_ratio=data.get("consistency_ratio"),
            participants=data.get("participants_consistency_ratio") or {},
            inconsistent_judgments=data.get("inconsistent_judgments") or [],
            detail=data.get("detail", ""),
            max_consistency_ratio=data.get("max_consistency_ratio"),
            dropped_participants=data.get("dropped_participants") or [],
            objective=data.get("objective"),
            subjective_weights=data.get("subjective_weights"),
            objective_weights=data.get("objective_weights") or {},
        )

    def lines(self) -> list[str]:
        """The report as text lines."""
        rows = [
            f"method: {self.method} ({self.detail})" if self.detail else f"method: {self.method}"
        ]
        width = max(len(n) for n in self.weights)
        if self.objective is not None and not self.objective_weights:
            rows.append(f"  ({self.objective} weights come from the candidate sites' scores")
            rows.append("   when the study runs; `sitesel weights RUN_FOLDER` shows them)")
        if self.objective_weights:
            rows.append(f"  {'':<{width}}    used  entropy  critic")
            rows += [
                f"  {n:<{width}}  {w:6.3f}  {self.objective_weights['entropy'][n]:7.3f}"
                f"  {self.objective_weights['critic'][n]:6.3f}"
                for n, w in self.weights.items()
            ]
        else:
            rows += [f"  {n:<{width}}  {w:6.3f}" for n, w in self.weights.items()]
        if self.consistency_ratio is not None:
            limit = self.max_consistency_ratio
            rows.append(
                f"consistency ratio: {self.consistency_ratio:.3f}"
                + (f" (limit {limit:g})" if limit is not None and math.isfinite(limit) else "")
            )
        for name, cr in self.participants.items():
            dropped = " (dropped: over the limit)" if name in self.dropped_participants else ""
            rows.append(f"  participant {name}: CR {cr:.3f}{dropped}")
        for j in self.inconsistent_judgments:
            rows.append(
                f"  judgment {j['row']} vs {j['col']} = {j['value']:.3g}; the other"
                f" judgments imply {j['consistent_value']:.3g} (nearest on the scale:"
                f" {j['nearest_saaty']})"
            )
        return rows


def _judgment_dicts(result: weighting.AhpResult) -> list[dict[str, Any]]:
    return [
        {
            "row": j.row,
            "col": j.col,
            "value": round(j.value, 4),
            "consistent_value": round(j.consistent_value, 4),
            "nearest_saaty": j.nearest_saaty,
            "deviation": round(j.deviation, 4),
        }
        for j in result.judgments[:SHOWN_JUDGMENTS]
    ]


def _matrices(spec: AhpSpec, scored: list[str], config_path: Path) -> list[tuple[str, FloatArray]]:
    """(participant name or "", comparison matrix) for each set of judgments."""
    sets = (
        [("", spec.judgments)]
        if spec.judgments is not None
        else [(p.name, p.judgments) for p in spec.participants or []]
    )
    out = []
    for i, (name, judgments) in enumerate(sets):
        key = (
            "weighting.ahp.judgments" if not name else f"weighting.ahp.participants[{i}].judgments"
        )
        try:
            out.append((name, weighting.comparison_matrix(scored, judgments)))
        except ValueError as exc:
            raise ConfigError(f"{config_path}: {key}: {exc}") from None
    return out


def _worst_judgments(result: weighting.AhpResult) -> str:
    return "; ".join(
        f"{j['row']} vs {j['col']} is {j['value']:.3g}, the other judgments imply"
        f" {j['consistent_value']:.3g} (~{j['nearest_saaty']})"
        for j in _judgment_dicts(result)
    )


def _screen_participants(
    spec: AhpSpec,
    scored: list[str],
    sets: list[tuple[str, FloatArray]],
    limit: float,
    config_path: Path,
) -> tuple[dict[str, float], list[str]]:
    """Each participant's CR, and who is dropped, as ``inconsistent_participants`` says.

    Raises
    ------
    ConfigError
        When a participant is over the limit and the policy is ``reject``, or when every
        participant would be dropped.
    """
    crs = {name: weighting.ahp(scored, m).consistency_ratio for name, m in sets if name}
    # One participant is the group: the group's own check names the judgments to revisit.
    over = [name for name, cr in crs.items() if cr > limit] if len(crs) > 1 else []
    policy = spec.inconsistent_participants
    if over and policy == "reject":
        listed = ", ".join(f"{n} (CR {crs[n]:.3f})" for n in over)
        raise ConfigError(
            f"{config_path}: weighting.ahp.participants: over max_consistency_ratio {limit:g}:"
            f" {listed}; ask them to revisit their judgments, or set"
            " inconsistent_participants: drop (or keep)"
        )
    dropped = over if policy == "drop" else []
    if dropped and len(dropped) == len(crs):
        raise ConfigError(
            f"{config_path}: weighting.ahp.participants: every participant is over"
            f" max_consistency_ratio {limit:g}; nobody is left to weigh the criteria"
        )
    for name in dropped:
        log.warning(
            "%s: weighting.ahp: participant %s left out: CR %.3f exceeds %g",
            config_path,
            name,
            crs[name],
            limit,
        )
    return crs, dropped


def _ahp(spec: AhpSpec, scored: list[str], config_path: Path) -> WeightReport:
    sets = _matrices(spec, scored, config_path)
    limit = (
        spec.max_consistency_ratio
        if spec.max_consistency_ratio is not None
        else weighting.cr_limit(len(scored))
    )
    participants, dropped = _screen_participants(spec, scored, sets, limit, config_path)
    kept = [m for name, m in sets if name not in dropped]
    group = weighting.group_matrix(kept)
    result = weighting.ahp(scored, group)
    report = WeightReport(
        method="ahp",
        weights=result.weight_map(),
        consistency_ratio=result.consistency_ratio,
        participants=participants,
        inconsistent_judgments=_judgment_dicts(result),
        matrix=group,
        detail=(
            f"principal eigenvector, lambda_max {result.lambda_max:.3f}, CI"
            f" {result.consistency_index:.4f}, RI {weighting.RANDOM_INDEX[len(scored)]}"
            + (f"; geometric mean of {len(kept)} participants" if participants else "")
        ),
        max_consistency_ratio=limit if math.isfinite(limit) else None,
        dropped_participants=dropped,
    )
    if result.consistency_ratio > limit:
        raise ConfigError(
            f"{config_path}: weighting.ahp: consistency ratio {result.consistency_ratio:.3f}"
            f" exceeds max_consistency_ratio {limit:g}: the judgments contradict each other."
            f" Revisit the most inconsistent ones: {_worst_judgments(result)}"
        )
    return report


def resolve_weights(config: Config, config_path: Path) -> WeightReport:
    """Weights of the scored criteria (normalised) with how they were derived.

    Raises
    ------
    ConfigError
        For incomplete judgments, or AHP judgments above the consistency limit.
    """
    report = _resolve(config, config_path)
    method = config.weighting.method
    objective = method if method in OBJECTIVE_METHODS else config.weighting.objective
    return replace(report, objective=objective) if objective else report


def _resolve(config: Config, config_path: Path) -> WeightReport:
    scored = config.scored
    method = config.weighting.method
    if method in OBJECTIVE_METHODS:
        return WeightReport(
            method,
            {n: 1 / len(scored) for n in scored},  # replaced by with_objective
            detail=f"{method} weights of the candidate sites' scores",
        )
    if method == "direct":
        raw = {n: float(config.criteria[n].weight or 0.0) for n in scored}
        total = sum(raw.values())
        if not math.isfinite(total):
            raise ConfigError(
                f"{config_path}: criteria: the weights add up to more than a number can hold;"
                " weights are relative, use numbers such as 1 to 10"
            )
        return WeightReport(
            "direct",
            {n: w / total for n, w in raw.items()},
            detail="configured weights, normalised to sum to 1",
        )
    if method == "rank_order":
        spec = config.weighting.rank_order
        assert spec is not None  # checked by the config model
        w = weighting.rank_order_weights(len(spec.ranking), spec.method)
        ordered = dict(zip(spec.ranking, w.tolist(), strict=True))
        return WeightReport(
            "rank_order",
            {n: ordered[n] for n in scored},
            detail=f"{spec.method} over the ranking {', '.join(spec.ranking)}",
        )
    if method == "bwm":
        assert config.weighting.bwm is not None
        return _bwm(config.weighting.bwm, scored, config_path)
    assert config.weighting.ahp is not None
    return _ahp(config.weighting.ahp, scored, config_path)


def _bwm(spec: BwmSpec, scored: list[str], config_path: Path) -> WeightReport:
    found = bwm_weights(scored, spec.best, spec.worst, spec.best_to_others, spec.others_to_worst)
    report = WeightReport(
        method="bwm",
        weights=dict(zip(scored, found.weights.tolist(), strict=True)),
        consistency_ratio=found.consistency_ratio,
        detail=f"linear Best-Worst Method (best {spec.best}, worst {spec.worst}), xi"
        f" {found.xi:.4f}; CR input-based (Liang et al. 2020)",
        max_consistency_ratio=spec.max_consistency_ratio,
    )
    limit = spec.max_consistency_ratio
    if limit is not None and found.consistency_ratio > limit:
        raise ConfigError(
            f"{config_path}: weighting.bwm: consistency ratio {found.consistency_ratio:.3f}"
            f" exceeds max_consistency_ratio {limit:g}: best_to_others.{found.worst_pair}"
            f" times others_to_worst.{found.worst_pair} should be close to"
            f" best_to_others.{spec.worst}; revisit those judgments"
        )
    return report


def with_objective(report: WeightReport, scores: FloatArray, names: list[str]) -> WeightReport:
    """Entropy and CRITIC weights of the candidates' scores, used when the config asks.

    The report always gets both objective weightings beside its own; its weights become
    objective (``method: entropy`` or ``critic``) or combined (``objective:``) if asked.

    Parameters
    ----------
    report
        Weights resolved from the config.
    scores
        ``(n_candidates, n_criteria)`` scores of the sites still in play, columns ``names``.
    names
        The scored criteria.
    """
    both = {m: objective_weights(scores, m) for m in OBJECTIVE_METHODS}
    out = replace(
        report,
        objective_weights={m: _rounded(names, w) for m, w in both.items()},
    )
    if report.objective is None:
        return out
    found = both[report.objective]
    if report.method == report.objective:
        return replace(out, weights=dict(zip(names, found.tolist(), strict=True)))
    combined = combined_weights(weight_vector(report, names), found)
    return replace(
        out,
        subjective_weights=report.weights,
        weights=dict(zip(names, combined.tolist(), strict=True)),
        detail=f"{report.detail}; multiplied by {report.objective} weights, renormalised",
    )


def _rounded(names: list[str], w: FloatArray) -> dict[str, float]:
    return {n: round(float(x), 6) for n, x in zip(names, w, strict=True)}


def weight_vector(report: WeightReport, names: list[str]) -> FloatArray:
    """Weights in the order of ``names``."""
    return np.array([report.weights[n] for n in names], dtype=float)
