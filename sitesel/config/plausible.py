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

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

PLAUSIBLE = "plausible"


def plausible(low: float, high: float, unit: str) -> dict[str, Any]:
    """``json_schema_extra`` of a key: its plausible range and unit (also in the schema).

    >>> plausible(1, 130, "km/h")
    {'plausible': [1, 130, 'km/h']}
    """
    return {PLAUSIBLE: [low, high, unit]}


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


def _walk(model: BaseModel, prefix: str) -> Iterator[tuple[str, float, list[Any]]]:
    """Every ``(key, number, [low, high, unit])`` of a model with a declared range."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        extra = field.json_schema_extra
        found = extra.get(PLAUSIBLE) if isinstance(extra, Mapping) else None
        bounds: list[Any] | None = list(found) if isinstance(found, list) else None
        if bounds is not None:
            if isinstance(value, Mapping):
                for k, v in value.items():
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        yield f"{key}.{k}", float(v), bounds
            elif isinstance(value, int | float) and not isinstance(value, bool):
                yield key, float(value), bounds
        if isinstance(value, BaseModel):
            yield from _walk(value, f"{key}.")
        elif isinstance(value, Mapping):
            for k, v in value.items():
                if isinstance(v, BaseModel):
                    yield from _walk(v, f"{key}.{k}.")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    yield from _walk(v, f"{key}[{i}].")


def range_problems(model: BaseModel, widened: Mapping[str, tuple[float, float]]) -> list[str]:
    """Every value outside its plausible range, in words, unless its range is widened.

    ``widened`` maps a key (``network.speeds_kmh``, or one entry: ``network.speeds_kmh.NH``)
    to the range the study allows instead.
    """
    problems = []
    for key, value, (low, high, unit) in _walk(model, ""):
        parent = key.rsplit(".", 1)[0]
        low, high = widened.get(key, widened.get(parent, (low, high)))
        if not low <= value <= high:
            problems.append(
                f"{key}: {_fmt(value)} {unit} is outside the plausible {_fmt(low)} to"
                f" {_fmt(high)} {unit}{slip(value, low, high)}; if the study needs it, add"
                f" widen_ranges: {{{key}: [{min(low, value):.10g}, {max(high, value):.10g}]}}"
            )
    return problems
