"""Checks of a config's numbers against what its criteria's units allow, before any work.

A constraint threshold or a value-function breakpoint outside what a criterion can be (a
slope above 90 degrees, a share above 1) is a slip: it excludes nothing or scores every
site alike. The run refuses it in one line, unless ``widen_ranges`` names the key.
"""

from __future__ import annotations

import numpy as np

from sitesel.config import Config
from sitesel.config.constraints import ConstraintSpec
from sitesel.config.plausible import slip
from sitesel.criteria.registry import family_of

UNIT_RANGES: dict[str, tuple[float, float]] = {
    "deg": (0.0, 90.0),
    "share": (0.0, 1.0),
    "min": (0.0, 1440.0),
    "km": (0.0, 2000.0),
    "m": (-500.0, 9000.0),
    "ha": (0.0, 1e6),
    "crore": (0.0, 1e6),
}
"""What a raw value in each unit can be: a slope is 0-90 degrees, a share 0-1, a trip
under a day, an elevation between the Dead Sea's and Everest's (roughly)."""


def threshold_problems(config: Config, source: str) -> list[str]:
    """Constraint thresholds and value-function breakpoints outside their unit's range.

    ``slope_mean_deg > 150`` can exclude nothing, and a value function from 0 to 4,000 on a
    share scores every site the same: both are slips. A key named in ``widen_ranges``
    (``constraints[2]``, ``criteria.<name>.value``) is left alone.
    """
    units = {n: family_of(c).unit_of(c) for n, c in config.criteria.items()}
    problems = []
    for i, constraint in enumerate(config.constraints):
        if not isinstance(constraint, ConstraintSpec) or f"constraints[{i}]" in config.widen_ranges:
            continue
        name, _, threshold = constraint.parts
        low, high = UNIT_RANGES.get(units.get(name, ""), (-np.inf, np.inf))
        if not low <= threshold <= high:
            problems.append(
                f"constraints[{i}].exclude_if: {threshold:g} {units[name]} is outside what"
                f" {name} can be ({low:g} to {high:g} {units[name]}){slip(threshold, low, high)}"
            )
    for name, spec in config.criteria.items():
        fn = spec.value
        key = f"criteria.{name}.value"
        if fn is None or key in config.widen_ranges:
            continue
        low, high = UNIT_RANGES.get(units[name], (-np.inf, np.inf))
        points = [getattr(fn, k) for k in ("low", "high", "midpoint") if hasattr(fn, k)]
        points += list(getattr(fn, "breaks", []))
        outside = [p for p in points if not low <= p <= high]
        if outside:
            problems.append(
                f"{key}: {', '.join(f'{p:g}' for p in outside)} {units[name]} is outside what"
                f" {name} can be ({low:g} to {high:g} {units[name]})"
                f"{slip(outside[0], low, high)}"
            )
    return [f"{source}: {p}" for p in problems]
