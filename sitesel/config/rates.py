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

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Strict
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
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


class Rate(Strict):
    """One rate in rupees of its year."""

    value: float = Field(ge=0, description="Rupees per unit (not crore), at or above 0.")
    unit: Literal["INR/km", "INR/m3"]
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


def load_rates(path: Path, *, overrides: dict[str, float], key: str) -> RatesFile:
    """Read a rates file and apply a config's overrides (``key.path: rupees``).

    Parameters
    ----------
    path
        The rates file.
    overrides
        Rate key (``access_road_per_km.hilly``, ``earthwork_per_m3``, ...) -> rupees in
        the rate's own year, replacing the file's value.
    key
        The config key naming the file, for messages.

    Raises
    ------
    ConfigError
        If the file is missing or invalid, or an override names no rate of the file.
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
    data = rates.model_dump()
    for name, value in overrides.items():
        node = data
        *parents, last = name.split(".")
        for part in parents:
            node = node[part]
        node[last]["value"] = value
        node[last]["source"] = {
            "title": "the scoring config's override",
            "year": node[last]["year"],
        }
    return RatesFile.model_validate(data)
