"""The config's ``allocation:`` section: location problems over the ranked sites.

Each entry names a problem (``p_median``, ``mclp``, ``lscp``, ``p_center``), its k and T,
which ranked sites are candidates, which points are the demand (and their weight), and
the solver's limits. See :mod:`sitesel.allocation.problems` for the definitions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Selection, Strict
from sitesel.config.plausible import plausible


class CandidatesSpec(Strict):
    """Which ranked sites may be chosen: all, the top N, or those above a suitability.

    Suitability enters the problem as this floor (a site below it, or outside the top N,
    is no candidate) and, with ``suitability_weight``, in the objective too.
    """

    top_n: int | None = Field(default=None, ge=1, description="The N best-ranked sites.")
    min_suitability: float | None = Field(
        default=None, ge=0, le=1, description="Sites at or above this suitability."
    )


class DemandSpec(Selection):
    """The demand points: a selection from a point layer, and the column of their weight."""

    layer: str = Field(description="A points layer of the catalog (habitations, MSME units).")
    weight_column: str | None = Field(
        default=None, description="Demand at each point (people, employees); 1 each if absent."
    )
    within_area_km: float = Field(
        default=0.0,
        ge=0,
        le=200,
        description="Points up to this far outside the study area count too (0: inside it).",
        json_schema_extra=plausible(0, 100, "km"),
    )
    max_points: int = Field(
        default=1_000_000,
        ge=1,
        description="Refuse a demand layer of more features, before any work (a memory"
        " guard): aggregate the points (to villages or blocks), or raise it.",
    )


class SolverSpec(Strict):
    """The solver's limits."""

    time_limit_s: PositiveFloat = Field(default=60.0, le=3600, description="Per problem.")
    mip_gap: float = Field(
        default=0.0, ge=0, le=0.5, description="Relative gap at which a solve may stop."
    )
    max_exact_variables: int = Field(
        default=300_000,
        ge=1,
        description="Above this many variables p-median and MCLP use the heuristic with a"
        " Lagrangian bound; LSCP and p-centre are refused (choose fewer candidates).",
    )


class AllocationSpec(Strict):
    """One location problem."""

    problem: Literal["p_median", "mclp", "lscp", "p_center"] = Field(
        description="p_median (least weighted minutes), mclp (most demand within T), lscp"
        " (fewest sites covering all within T), p_center (least longest time)."
    )
    k: int | None = Field(default=None, ge=1, description="Sites to choose (not for lscp).")
    within_min: PositiveFloat | None = Field(
        default=None,
        le=1440,
        description="T in minutes (mclp, lscp).",
        json_schema_extra=plausible(1, 600, "min"),
    )
    candidates: CandidatesSpec = Field(default_factory=CandidatesSpec)
    demand: DemandSpec
    scenario: str | None = Field(default=None, description="Network scenario for the times.")
    cutoff_min: PositiveFloat | None = Field(
        default=None,
        le=1440,
        description="Pairs farther than this are left out of the matrix (default: 2 T for"
        " mclp and lscp, 240 minutes otherwise).",
        json_schema_extra=plausible(1, 1_440, "min"),
    )
    min_spacing_km: float = Field(
        default=0.0,
        ge=0,
        le=500,
        description="Chosen sites at least this far apart, in a straight line between centres.",
        json_schema_extra=plausible(0, 100, "km"),
    )
    suitability_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="p_median and mclp: how much suitability enters the objective (0: only"
        " as the candidates' floor). p-median: minutes x (1 + w (1 - s)); MCLP: + w x"
        " demand / k x s for each chosen site.",
    )
    robustness_draws: int = Field(
        default=50,
        ge=0,
        le=1000,
        description="With suitability_weight and robustness.monte_carlo: re-solve with the"
        " suitability of this many of the weight draws (the first ones; 0: none) and report"
        " how often each site is chosen (allocation.csv chosen_share).",
    )
    required_sites: list[str] = Field(
        default_factory=list, description="Site ids that must be chosen (an existing cluster)."
    )
    solver: SolverSpec = Field(default_factory=SolverSpec)

    @model_validator(mode="after")
    def _parameters(self) -> AllocationSpec:
        if self.problem == "lscp":
            if self.k is not None:
                raise ValueError("lscp finds how many sites are needed: drop k")
        elif self.k is None:
            raise ValueError(f"{self.problem} needs k, the number of sites to choose")
        if self.problem in ("mclp", "lscp") and self.within_min is None:
            raise ValueError(f"{self.problem} needs within_min, the coverage standard T")
        if self.suitability_weight > 0 and self.problem not in ("p_median", "mclp"):
            raise ValueError(
                f"suitability_weight applies to p_median and mclp, not {self.problem}; use"
                " candidates.min_suitability there"
            )
        if self.problem in ("p_median", "p_center") and self.within_min is not None:
            raise ValueError(f"within_min does not apply to {self.problem}; drop it")
        return self

    @property
    def cutoff(self) -> float:
        """Minutes beyond which a pair is left out of the matrix."""
        if self.cutoff_min is not None:
            return self.cutoff_min
        return 2 * self.within_min if self.within_min is not None else 240.0
