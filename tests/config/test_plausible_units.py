"""config/plausible.py by hand: every message, slip and walk worked out in the test.

A small model of its own (not sitesel's config) so each branch is reached on purpose:
a number, a mapping of numbers, a nested model, a list of models, a bool, a range chosen
by a sibling's unit.
"""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, Field

from sitesel.config.plausible import (
    declared_ranges,
    plausible,
    plausible_by,
    range_problems,
    slip,
    widen_problems,
)


class Leg(BaseModel):
    speed_kmh: float = Field(default=20, json_schema_extra=plausible(1, 60, "km/h"))


class Rate(BaseModel):
    unit: str = "INR/km"
    value: float = Field(
        default=5e6,
        json_schema_extra=plausible_by("unit", {"INR/km": (1e4, 1e8), "INR/m": (10, 1e5)}),
    )


class Study(BaseModel):
    buffer_km: float | None = Field(default=10, json_schema_extra=plausible(0.1, 200, "km"))
    speeds_kmh: dict[str, float] = Field(
        default_factory=lambda: {"NH": 50.0, "ODR": 25.0},
        json_schema_extra=plausible(5, 120, "km/h"),
    )
    flag: bool = Field(default=True, json_schema_extra=plausible(0, 1, "share"))
    leg: Leg = Field(default_factory=Leg)
    legs: dict[str, Leg] = Field(default_factory=lambda: {"hill": Leg(speed_kmh=10)})
    rates: list[Rate] = Field(default_factory=lambda: [Rate()])
    mixed: dict[str, float | bool | str] = Field(
        default_factory=lambda: {"a": 3.0, "b": True, "c": "x"},
        json_schema_extra=plausible(0, 10, "m"),
    )


@pytest.mark.parametrize(
    ("value", "low", "high", "said"),
    [
        (50, 4, 6, " (did you mean 5?)"),  # a zero too many
        (0.5, 4, 6, " (did you mean 5?)"),  # a zero too few
        (500, 4, 6, " (did you mean 5?)"),  # a percentage for a share, the other way
        (0.05, 4, 6, " (did you mean 5?)"),
        (5000, 4, 6, " (did you mean 5?)"),  # metres for km
        (0.005, 4, 6, " (did you mean 5?)"),
        (0.2, 4, 6, " (did you mean 5?)"),  # a rate typed upside down
        (1000, 0.2, 100, " (did you mean 100?)"),  # /10 and /100 both fit: the smaller slip
        (25_000_000, 1000, 3_000_000, " (did you mean 2,500,000?)"),  # thousands grouped
        (0.0, 1, 2, ""),  # nothing divides zero back in range
        (-3, 1, 2, ""),
        (7, 1000, 2000, ""),  # no slip reaches it
        (40, 4, 6, " (did you mean 4?)"),  # the guess on the low end counts
        (55, 4, 6, " (did you mean 5.5?)"),  # decimals kept
        (10000.000004, 500, 1500, " (did you mean 1,000?)"),  # rounded to six decimals
    ],
)
def test_the_likely_slip_is_the_smallest_that_lands_in_range(value, low, high, said):
    assert slip(value, low, high) == said


def test_every_declared_number_is_found_with_its_key_and_value():
    found = {(d.key, d.value, d.low, d.high, d.unit) for d in declared_ranges(Study())}
    assert found == {
        ("buffer_km", 10.0, 0.1, 200, "km"),
        ("speeds_kmh", None, 5, 120, "km/h"),  # the mapping itself, widenable as a whole
        ("speeds_kmh.NH", 50.0, 5, 120, "km/h"),
        ("speeds_kmh.ODR", 25.0, 5, 120, "km/h"),
        ("flag", None, 0, 1, "share"),  # a bool is not a number to check
        ("leg.speed_kmh", 20.0, 1, 60, "km/h"),
        ("legs.hill.speed_kmh", 10.0, 1, 60, "km/h"),
        ("rates[0].value", 5e6, 1e4, 1e8, "INR/km"),  # the range of the sibling's unit
        ("mixed", None, 0, 10, "m"),
        ("mixed.a", 3.0, 0, 10, "m"),  # a bool or a text in a mapping is no number
    }
    leg = next(d for d in declared_ranges(Study()) if d.key == "legs.hill.speed_kmh")
    assert (leg.owner, leg.field) == (Leg, "speed_kmh")  # where the range is declared
    unset = {d.key: d.value for d in declared_ranges(Study(buffer_km=None))}
    assert unset["buffer_km"] is None
    other_unit = {
        d.key: (d.low, d.high) for d in declared_ranges(Study(rates=[Rate(unit="INR/m")]))
    }
    assert other_unit["rates[0].value"] == (10, 1e5)
    assert "rates[0].value" not in {d.key for d in declared_ranges(Study(rates=[Rate(unit="t")]))}


def test_a_value_outside_its_range_is_named_with_its_slip_and_how_to_widen_it():
    study = Study(buffer_km=2_500, leg=Leg(speed_kmh=0.5), speeds_kmh={"NH": 500.0})
    assert range_problems(study, {}) == [
        "buffer_km: 2,500 km is outside the plausible 0.1 to 200 km (did you mean 25?);"
        " if the study needs it, add widen_ranges: {buffer_km: [0.1, 2500]}",
        "speeds_kmh.NH: 500 km/h is outside the plausible 5 to 120 km/h (did you mean 50?);"
        " if the study needs it, add widen_ranges: {speeds_kmh.NH: [5, 500]}",
        "leg.speed_kmh: 0.5 km/h is outside the plausible 1 to 60 km/h (did you mean 5?);"
        " if the study needs it, add widen_ranges: {leg.speed_kmh: [0.5, 60]}",
    ]


def test_the_limits_are_inside_and_a_widened_key_or_its_mapping_lets_a_value_through():
    assert range_problems(Study(buffer_km=0.1, leg=Leg(speed_kmh=60)), {}) == []
    assert range_problems(Study(buffer_km=200), {}) == []
    assert len(range_problems(Study(buffer_km=200.001), {})) == 1
    fast = Study(speeds_kmh={"NH": 150.0})
    assert range_problems(fast, {"speeds_kmh.NH": (5, 160)}) == []
    assert range_problems(fast, {"speeds_kmh": (5, 160)}) == []  # the whole mapping
    assert range_problems(fast, {"speeds_kmh.ODR": (5, 160)}) != []  # another entry
    narrowed = range_problems(Study(buffer_km=50), {"buffer_km": (1, 20)})
    assert narrowed[0].startswith("buffer_km: 50 km is outside the plausible 1 to 20 km")
    hill = Study(legs={"hill": Leg(speed_kmh=100)})
    assert range_problems(hill, {"legs.hill": (1, 200)}) == []  # the entry's own mapping
    assert range_problems(hill, {"legs": (1, 200)}) != []  # not the mapping above it
    custom = range_problems(Study(buffer_km=500), {}, advice="widen {key} to [{low}, {high}]")
    assert custom[0].endswith("; widen buffer_km to [0.1, 500.0]")


def test_widen_ranges_must_name_a_declared_key_the_right_way_up():
    study = Study()
    assert widen_problems(study, {"buffer_km": (0.1, 500), "speeds_kmh": (1, 200)}) == []
    assert widen_problems(study, {"speeds_kmh.NH": (1, 200), "rates[0].value": (1, 1e9)}) == []
    assert widen_problems(study, {"buffer_kms": (1, 2)}) == [
        "widen_ranges.buffer_kms: no key of this config by that name has a plausible range;"
        " nearest: buffer_km (`sitesel schema` lists the ranges)"
    ]
    assert widen_problems(study, {"speeds_kmh.X": (1, 2)}) == [  # the three nearest
        "widen_ranges.speeds_kmh.X: no key of this config by that name has a plausible range;"
        " nearest: speeds_kmh, speeds_kmh.NH, speeds_kmh.ODR (`sitesel schema` lists the ranges)"
    ]
    assert "nearest: rates[0].value" in widen_problems(study, {"rates": (1, 2)})[0]  # 0.53 alike
    assert widen_problems(study, {"zzz": (1, 2)}) == [
        "widen_ranges.zzz: no key of this config by that name has a plausible range"
        " (`sitesel schema` lists the ranges)"
    ]
    assert widen_problems(study, {"buffer_km": (500, 0.1)}) == [
        "widen_ranges.buffer_km: [500, 0.1] is upside down; give the low end first: [0.1, 500]"
    ]
    assert widen_problems(study, {"buffer_km": (0.1, math.inf)}) == [
        "widen_ranges.buffer_km: [0.1, inf]: give two finite numbers"
    ]
    assert widen_problems(study, {"buffer_km": (-math.inf, 1)}) == [
        "widen_ranges.buffer_km: [-inf, 1]: give two finite numbers"
    ]
    assert widen_problems(study, {"buffer_km": (3, 3)}) == []  # one value is a range
