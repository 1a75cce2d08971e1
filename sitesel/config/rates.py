"""Cost rates as data (``rates/*.yaml``): each rate with its unit, year and source.

A rates file gives what it costs to build an access road (per km, by terrain class), to
bring a road up to a standard (per km, by road class), to move earth (per m3), and to
bring power and water to a site (per km), each in rupees of its own year, with its source
and whether it is indicative. A price index brings every rate to the study's price year;
a region factor scales the rates for a region when a source gives one. The scoring config
names the file and may override any rate.

Nothing here computes on arrays: :func:`rate_inr` is plain arithmetic on one rate.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Strict
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.plausible import plausible_by, range_problems
from sitesel.errors import ConfigError

TerrainClass = Literal["plain", "rolling", "hilly", "steep"]
"""IRC's terrain classes by the cross slope of the country: plain 0-10 %, rolling 10-25 %,
mountainous ("hilly" here) 25-60 %, steep above 60 % (IRC:73-1980, IRC SP:48)."""

TERRAIN_CLASSES: tuple[str, ...] = ("plain", "rolling", "hilly", "steep")
TERRAIN_UPPER_PCT: tuple[float, ...] = (10.0, 25.0, 60.0)
"""Upper cross slopes (%) of plain, rolling and hilly; steep beyond."""

INR_PER_CRORE = 1e7


class RateSource(Strict):
    """Where a rate comes from."""

    title: str = Field(description="The schedule, norm, report or assumption.")
    year: int = Field(ge=1990, le=2100, description="Year of the publication.")
    url: str | None = None
    verified: bool = Field(
        default=True, description="false: the figure could not be checked against the source."
    )


RateUnit = Literal["INR/km", "INR/m3"]

RATE_RANGES: dict[str, tuple[float, float]] = {"INR/km": (1e4, 1e10), "INR/m3": (1.0, 1e5)}
"""Plausible rupees per unit: a km of road, line or pipe from 10 thousand to 1,000 crore; a
cubic metre of earth from 1 to 1 lakh. Wide on purpose: what they catch is a rate typed in
crore or lakh where rupees are meant (64.2 for 64.2 lakh), a factor of 10^5 or 10^7."""


def unit_of_key(key: str) -> RateUnit:
    """The unit a rate key is in, by its name (``..._per_km`` or ``..._per_m3``).

    >>> unit_of_key("access_road_per_km.hilly"), unit_of_key("earthwork_per_m3")
    ('INR/km', 'INR/m3')
    """
    return "INR/m3" if key.split(".")[0].endswith("_per_m3") else "INR/km"


class Rate(Strict):
    """One rate in rupees of its year."""

    value: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Rupees per unit (not crore, not lakh), at or above 0.",
        json_schema_extra=plausible_by("unit", RATE_RANGES),
    )
    unit: RateUnit
    year: int = Field(ge=1990, le=2100, description="The year the rupees are of.")
    source: RateSource
    indicative: bool = Field(
        default=True, description="true: an order of magnitude for screening, not a DPR rate."
    )


class PriceIndex(Strict):
    """A price index by year, to bring a rate of one year to another."""

    name: str
    source: RateSource
    values: dict[int, PositiveFloat] = Field(min_length=1)


class RatesFile(Strict):
    """A rates file."""

    name: str
    currency: Literal["INR"] = "INR"
    price_year: int = Field(ge=1990, le=2100, description="The year the costs are stated in.")
    index: PriceIndex
    region_factors: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        description="Region -> factor on every rate (only where a source gives one).",
    )
    access_road_per_km: dict[TerrainClass, Rate] = Field(
        description="A new access road by the terrain it crosses."
    )
    road_upgrade_per_km: dict[str, Rate] = Field(
        default_factory=dict, description="Road class -> upgrading it to the standard, per km."
    )
    earthwork_per_m3: Rate = Field(description="Cut (or fill) to level a platform, per m3.")
    power_line_per_km: Rate | None = None
    water_pipeline_per_km: Rate | None = None

    @model_validator(mode="after")
    def _complete(self) -> RatesFile:
        missing = [c for c in TERRAIN_CLASSES if c not in self.access_road_per_km]
        if missing:
            raise ValueError(f"access_road_per_km needs a rate for {', '.join(missing)}")
        for key, rate in self.all_rates().items():
            if rate.unit != unit_of_key(key):
                raise ValueError(
                    f"{key}.unit: {rate.unit} does not fit the key (a rate {key.split('.')[0]}"
                    f" is in {unit_of_key(key)}); correct the unit or move the rate"
                )
        implausible = range_problems(
            self, {}, advice="correct it in the rates file (rupees, not lakh or crore)"
        )
        if implausible:
            raise ValueError("; ".join(implausible))
        years = {self.price_year} | {r.year for r in self.all_rates().values()}
        absent = sorted(y for y in years if y not in self.index.values)
        if absent:
            span = f"{min(self.index.values)}-{max(self.index.values)}"
            raise ValueError(
                f"index.values has no value for {', '.join(map(str, absent))} (it covers"
                f" {span}); add the index of each rate's year and of price_year"
            )
        return self

    def all_rates(self) -> dict[str, Rate]:
        """Every rate by its key path, e.g. ``access_road_per_km.hilly``."""
        out: dict[str, Rate] = {
            f"access_road_per_km.{k}": r for k, r in self.access_road_per_km.items()
        }
        out |= {f"road_upgrade_per_km.{k}": r for k, r in self.road_upgrade_per_km.items()}
        out["earthwork_per_m3"] = self.earthwork_per_m3
        for key in ("power_line_per_km", "water_pipeline_per_km"):
            rate = getattr(self, key)
            if rate is not None:
                out[key] = rate
        return out


def rate_inr(rates: RatesFile, rate: Rate, *, region: str | None = None) -> float:
    """The rate in rupees of the price year, times the region's factor.

    >>> src = {"title": "t", "year": 2020}
    >>> r = RatesFile.model_validate({"name": "x", "price_year": 2024,
    ...     "index": {"name": "i", "source": src, "values": {2020: 100, 2024: 125}},
    ...     "access_road_per_km": {c: {"value": 1e6, "unit": "INR/km", "year": 2020,
    ...         "source": src} for c in TERRAIN_CLASSES},
    ...     "earthwork_per_m3": {"value": 200, "unit": "INR/m3", "year": 2020, "source": src}})
    >>> rate_inr(r, r.access_road_per_km["plain"])
    1250000.0
    """
    factor = rates.index.values[rates.price_year] / rates.index.values[rate.year]
    return rate.value * factor * (rates.region_factors.get(region, 1.0) if region else 1.0)


class RateOverride(Strict):
    """A config's own figure for one rate: rupees of the rate's year, with its unit."""

    value: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Rupees per unit (not crore, not lakh) in the rate's own year.",
        json_schema_extra=plausible_by("unit", RATE_RANGES),
    )
    unit: RateUnit = Field(description="INR/km or INR/m3: the unit of the rate it replaces.")

    @model_validator(mode="before")
    @classmethod
    def _with_unit(cls, data: object) -> object:
        if isinstance(data, int | float) and not isinstance(data, bool):
            number = f"{data:.0f}" if float(data).is_integer() else f"{data}"
            raise ValueError(
                f"{number} has no unit; write {{value: {number}, unit: INR/km}} (or INR/m3 for"
                " earthwork), in rupees of the rate's year"
            )
        return data


def load_rates(
    path: Path, *, overrides: dict[str, RateOverride], key: str, region: str | None = None
) -> RatesFile:
    """Read a rates file and apply a config's overrides.

    Parameters
    ----------
    path
        The rates file.
    overrides
        Rate key (``access_road_per_km.hilly``, ``earthwork_per_m3``, ...) -> rupees in
        the rate's own year with their unit, replacing the file's value.
    key
        The config key naming the file, for messages.
    region
        The config's region, checked against the file's ``region_factors``.

    Raises
    ------
    ConfigError
        If the file is missing or invalid, an override names no rate of the file or gives
        another unit than the rate's, or the region is not one of the file's.
    """
    if not path.is_file():
        raise ConfigError(f"{key}: {path} is not a file (paths are relative to the config)")
    rates = validate_mapping(RatesFile, read_yaml_mapping(path), path)
    known = rates.all_rates()
    unknown = [k for k in overrides if k not in known]
    if unknown:
        raise ConfigError(
            f"{key}: rate_overrides names {', '.join(map(repr, unknown))}, which {path.name}"
            f" does not have (it has: {', '.join(known)})"
        )
    for name, override in overrides.items():
        if override.unit != known[name].unit:
            raise ConfigError(
                f"{key}: rate_overrides.{name}.unit: {override.unit} is not the unit of"
                f" {name} in {path.name} ({known[name].unit})"
            )
    if region is not None and region not in rates.region_factors:
        have = ", ".join(sorted(rates.region_factors)) or "none"
        near = difflib.get_close_matches(region, list(rates.region_factors), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ConfigError(
            f"{key}: region {region!r} is not a region of {path.name}{hint}; its"
            f" region_factors name {have}: give one of them, or drop region"
        )
    for name, override in overrides.items():
        rate = known[name]
        replaced = rate.model_copy(
            update={
                "value": override.value,
                "source": RateSource(title="the scoring config's override", year=rate.year),
            }
        )
        field, _, entry = name.partition(".")
        value = {**getattr(rates, field), entry: replaced} if entry else replaced
        # Not validated again: the config's own range check (widen_ranges) judged the value.
        rates = rates.model_copy(update={field: value})
    return rates
