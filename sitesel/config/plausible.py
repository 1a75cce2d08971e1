"""Plausible ranges of the numbers a planner types, checked before any work.

A key declares its range with :func:`plausible` in its ``Field``; :func:`range_problems`
walks a validated config and names every value outside its range, with the likely slip
("0.001 people per km2: did you mean 1,000?"). A study that really needs a value beyond a
range widens it in the config, explicitly::

    widen_ranges:
      network.offroad_speed_kmh: [0.5, 60]

Hard limits (a speed above 0, a share below 1) stay with pydantic; these ranges are what a
real study in India needs, and catch the slips that make a run work for minutes on nonsense.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel

PLAUSIBLE = "plausible"
PLAUSIBLE_BY = "plausible_by"


def plausible(low: float, high: float, unit: str) -> dict[str, Any]:
    """``json_schema_extra`` of a key: its plausible range and unit (also in the schema).

    >>> plausible(1, 130, "km/h")
    {'plausible': [1, 130, 'km/h']}
    """
    return {PLAUSIBLE: [low, high, unit]}


def plausible_by(field: str, ranges: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """``json_schema_extra`` of a number whose range depends on a sibling key (its unit).

    >>> plausible_by("unit", {"INR/km": (1e4, 1e10)})
    {'plausible_by': ['unit', {'INR/km': [10000.0, 10000000000.0, 'INR/km']}]}
    """
    return {PLAUSIBLE_BY: [field, {k: [lo, hi, k] for k, (lo, hi) in ranges.items()}]}


def _declared(model: BaseModel, extra: object) -> list[Any] | None:
    """The ``[low, high, unit]`` a field declares, directly or through a sibling's value."""
    if not isinstance(extra, Mapping):
        return None
    found = extra.get(PLAUSIBLE)
    if isinstance(found, list):
        return list(found)
    by = extra.get(PLAUSIBLE_BY)
    if isinstance(by, list):
        sibling, ranges = by
        chosen = ranges.get(str(getattr(model, sibling, "")))
        return list(chosen) if chosen is not None else None
    return None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 and float(value).is_integer() else f"{value:g}"


def slip(value: float, low: float, high: float) -> str:
    """The likely slip that put ``value`` outside ``[low, high]``, or "".

    >>> slip(4000, 0, 90)
    ' (did you mean 40?)'
    >>> slip(2_500_000, 100, 100_000)
    ' (did you mean 25,000?)'
    >>> slip(-5, 0, 50)
    ''
    >>> slip(0.001, 100, 100_000)  # per thousand typed for a thousand
    ' (did you mean 1,000?)'
    """
    if value <= 0:
        return ""
    # The smallest slip first: a zero too many or too few, then a percentage for a share,
    # then a unit (metres for km), then a rate typed upside down.
    for guess in (value / 10, value * 10, value / 100, value * 100, value / 1000,
                  value * 1000, 1 / value):  # fmt: skip
        if low <= guess <= high:
            return f" (did you mean {_fmt(round(guess, 6))}?)"
    return ""


@dataclass(frozen=True)
class Declared:
    """A number of a config whose plausible range is declared, where it is and its value."""

    key: str
    value: float | None  # None where the key is not set (it may still be widened)
    low: float
    high: float
    unit: str
    owner: type[BaseModel]
    field: str


def declared_ranges(model: BaseModel, prefix: str = "") -> Iterator[Declared]:
    """Every number of a model (and the models in it) with a declared range.

    A key whose value is absent is given with None; a mapping of numbers gives its own key
    with None, then each entry's.
    """
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        bounds = _declared(model, field.json_schema_extra)
        if bounds is not None:
            low, high, unit = bounds
            here = partial(Declared, low=low, high=high, unit=unit, owner=type(model), field=name)
            if isinstance(value, Mapping):
                yield here(key=key, value=None)
                for k, v in value.items():
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        yield here(key=f"{key}.{k}", value=float(v))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                yield here(key=key, value=float(value))
            else:
                yield here(key=key, value=None)
        if isinstance(value, BaseModel):
            yield from declared_ranges(value, f"{key}.")
        elif isinstance(value, Mapping):
            for k, v in value.items():
                if isinstance(v, BaseModel):
                    yield from declared_ranges(v, f"{key}.{k}.")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    yield from declared_ranges(v, f"{key}[{i}].")


WIDEN_ADVICE = "if the study needs it, add widen_ranges: {{{key}: [{low:.10g}, {high:.10g}]}}"


def range_problems(
    model: BaseModel,
    widened: Mapping[str, tuple[float, float]],
    *,
    advice: str = WIDEN_ADVICE,
) -> list[str]:
    """Every value outside its plausible range, in words, unless its range is widened.

    ``widened`` maps a key (``network.speeds_kmh``, or one entry: ``network.speeds_kmh.NH``)
    to the range the study allows instead; ``advice`` says how to allow a value (a template
    of ``key``, ``low`` and ``high``).
    """
    problems = []
    for found in declared_ranges(model):
        key, value, unit = found.key, found.value, found.unit
        if value is None:
            continue
        parent = key.rsplit(".", 1)[0]
        low, high = widened.get(key, widened.get(parent, (found.low, found.high)))
        if not low <= value <= high:
            hint = advice.format(key=key, low=min(low, value), high=max(high, value))
            problems.append(
                f"{key}: {_fmt(value)} {unit} is outside the plausible {_fmt(low)} to"
                f" {_fmt(high)} {unit}{slip(value, low, high)}; {hint}"
            )
    return problems


def widen_problems(model: BaseModel, widened: Mapping[str, tuple[float, float]]) -> list[str]:
    """What is wrong with ``widen_ranges``: a key with no plausible range, a range upside down.

    A key must name a number of this config that declares a range (set or not), or a
    mapping of them (``network.speeds_kmh``) or one of its entries.
    """
    known = [found.key for found in declared_ranges(model)]
    problems = []
    for key, (low, high) in widened.items():
        if key not in known:
            near = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
            hint = f"; nearest: {', '.join(near)}" if near else ""
            problems.append(
                f"widen_ranges.{key}: no key of this config by that name has a plausible range"
                f"{hint} (`sitesel schema` lists the ranges)"
            )
        elif not (math.isfinite(low) and math.isfinite(high)):
            problems.append(f"widen_ranges.{key}: [{low}, {high}]: give two finite numbers")
        elif low > high:
            problems.append(
                f"widen_ranges.{key}: [{low:g}, {high:g}] is upside down; give the low end"
                f" first: [{high:g}, {low:g}]"
            )
    return problems
