"""Exclusions by value: a threshold on a criterion, a missing value, the study area.

``exclude_if: slope_mean_deg > 15`` excludes a site whose raw value meets the condition;
a weighted criterion without a value (a site no road reaches) excludes it too; parcels
outside the study area do not rank. Each gives records of a fixed text (the constraint's
``reason``, or the condition itself), with the value that decided.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sitesel._typing import BoolArray, FloatArray
from sitesel.exclusions.records import Hits, Records, Source, literal

_OPS: dict[str, Callable[[FloatArray, float], npt.NDArray[np.bool_]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

OUTSIDE = Source("study_area", "study_area", "outside the study area")


@dataclass(frozen=True)
class Threshold:
    """Exclude a site when ``raw[criterion] <op> threshold``."""

    criterion: str
    op: str
    threshold: float
    reason: str | None = None

    def describe(self) -> str:
        """The rule's reason, or the rule itself.

        >>> Threshold("slope", ">", 15).describe()
        'slope > 15'
        """
        return self.reason or f"{self.criterion} {self.op} {self.threshold:g}"

    def hits(self, values: FloatArray) -> BoolArray:
        """Which values meet the condition (a missing value meets none)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(_OPS[self.op](values, self.threshold) & ~np.isnan(values))


def outside_records(outside: BoolArray) -> Records:
    """Parcels whose centre lies outside the study area."""
    return Records((Hits.where(OUTSIDE, "exclude", np.asarray(outside, dtype=bool)),))


def missing_records(
    raw: Mapping[str, FloatArray],
    required: Mapping[str, str],
    evaluated: Mapping[str, BoolArray],
) -> Records:
    """Sites without a value for a required criterion (where it was computed), and why.

    ``required`` maps each criterion to the reason a missing value reads as.
    """
    out = []
    for name, text in required.items():
        missing = np.isnan(raw[name])
        if name in evaluated:
            missing &= evaluated[name]
        out.append(Hits.where(Source(f"missing:{name}", "missing_value", literal(text)),
                              "exclude", missing))  # fmt: skip
    return Records(tuple(out))


def threshold_records(
    raw: Mapping[str, FloatArray], rules: Sequence[tuple[str, Threshold]]
) -> Records:
    """Each ``(rule id, threshold)``'s exclusions, with the raw value that met it.

    >>> found = threshold_records({"slope": np.array([2.0, 20.0, np.nan])},
    ...     [("constraints[0]", Threshold("slope", ">", 15, "too steep"))])
    >>> found.hits[0].site.tolist(), found.hits[0].measures["value"].tolist()
    ([1], [20.0])
    """
    out = []
    for rule_id, rule in rules:
        values = raw[rule.criterion]
        source = Source(rule_id, "threshold", literal(rule.describe()))
        out.append(Hits.where(source, "exclude", rule.hits(values), measures={"value": values}))
    return Records(tuple(out))
