"""Land rules as data: rule packs (``rules/*.yaml``) and the config's ``land:`` section.

A rule pack is a YAML file of legal or planning rules, one rule per entry, each saying
what it applies to (a layer name and a selection), what it does (``exclude`` the land
inside the features, ``setback``: exclude within a distance of them, or ``flag`` sites
within a distance, which still rank) and where the rule comes from (act or notification,
provision, year). A rule may bind only some CPCB pollution categories. The scoring config
names the packs it uses, the study's pollution category, and what each layer name of a
pack means in its catalog; a planner's own land layers (a land bank to stay inside,
defence or forest land to stay out of) are given there too.

Nothing here computes: the models validate the YAML; :mod:`sitesel.pipeline.land` applies
the rules.

A pack's ``reason`` is data sent round by e-mail, so it may name fields in braces
(``within {distance_m} m of {name}``) and nothing else: no format specification, no
conversion, no attribute or index. Each field is written in one fixed way
(:data:`FIELD_FORMATS`), so a template cannot fail, exhaust memory or reach into Python.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, field_validator, model_validator

from sitesel.config._base import Scalar, Selection, Strict
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.plausible import plausible
from sitesel.errors import ConfigError

FIELD_FORMATS: dict[str, str] = {
    "name": "{}",
    "distance_m": "{:,.0f}",
    "distance_km": "{:,.1f}",
    "share_pct": "{:.0f}",
    "area_acres": "{:.0f}",
}
"""Every field a template may name and how each is written: the feature's name; the
distance in whole metres (thousands grouped); in kilometres with one decimal; the share of
the site in the zone in whole per cent; land in whole acres (a scheme's)."""

PACK_FIELDS = ("name", "distance_m", "distance_km", "share_pct")
"""The fields a rule pack's reason may name."""

Template = tuple[tuple[str, str | None], ...]
"""A parsed template: (literal text, field name or None) pairs in order."""


def parse_template(text: str, fields: tuple[str, ...] = tuple(FIELD_FORMATS)) -> Template:
    """The literal parts and field names of a reason, refusing anything but plain fields.

    Raises
    ------
    ValueError
        Naming the first field that is not a plain known name, and why.

    Examples
    --------
    >>> parse_template("within {distance_m} m of {name}")
    (('within ', 'distance_m'), (' m of ', 'name'))
    >>> parse_template("{distance_m:,d} m")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: field {distance_m:,d} has a format specification; write {distance_m} ...
    """
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"is not a template ({exc}); to show a brace, double it") from None
    out: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parts:
        if field is None:
            out.append((literal, None))
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "")
        shown += (f":{spec}" if spec else "") + "}"
        if field not in fields:
            known = ", ".join("{" + f + "}" for f in fields)
            what = "attribute or index access" if any(c in field for c in ".[") else "no such field"
            raise ValueError(f"field {shown}: {what}; a reason may name {known}")
        if conversion:
            raise ValueError(f"field {shown} has a conversion (!{conversion}); write {{{field}}}")
        if spec:
            example = FIELD_FORMATS[field].format(1234.5 if field != "name" else "Hemis")
            raise ValueError(
                f"field {shown} has a format specification; write {{{field}}}"
                f" ({field} is written as {example})"
            )
        out.append((literal, field))
    return tuple(out)


def fill(template: Template, values: Mapping[str, object]) -> str:
    """The template with each field written in its fixed format.

    >>> fill(parse_template("{distance_km} km from {name}"), {"distance_km": 6.54, "name": "P"})
    '6.5 km from P'
    >>> fill(parse_template("within {distance_m} m"), {"distance_m": 1500})
    'within 1,500 m'
    """
    return "".join(
        literal + ("" if field is None else FIELD_FORMATS[field].format(values[field]))
        for literal, field in template
    )


PollutionCategory = Literal["red", "orange", "green", "white"]
"""CPCB's categories of industrial sectors by pollution index (CPCB Directions of
7 March 2016 under s. 18(1)(b) of the Water and Air Acts: red, orange, green, white)."""

POLLUTION_CATEGORIES: tuple[str, ...] = ("red", "orange", "green", "white")


class RuleSource(Strict):
    """Where a rule comes from: the instrument, the provision and the year."""

    law: str = Field(
        description="The act, rules, notification, order or standard, e.g. 'Wildlife"
        " (Protection) Act, 1972'."
    )
    provision: str = Field(description="Section, rule, paragraph or table, e.g. 's. 35'.")
    year: int = Field(ge=1850, le=2100, description="Year of the instrument (or its amendment).")
    short: str | None = Field(
        default=None,
        description="The citation as reasons show it, e.g. 'Wildlife (Protection) Act 1972,"
        " s. 35'; law and provision when absent.",
    )
    url: str | None = Field(default=None, description="Where the text can be read.")
    verified: bool = Field(
        default=True,
        description="false when the provision or figure could not be checked against the"
        " text; the reason then says so",
    )

    @property
    def citation(self) -> str:
        """The citation as a reason shows it (``short``, else ``law, provision``)."""
        text = (self.short or f"{self.law}, {self.provision}").replace(";", ",")
        return text if self.verified else f"{text}, not verified"


class AppliesTo(Strict):
    """The features a rule applies to: a layer name of the pack, and a selection in it.

    The layer name is resolved by the config (``land.layers``), else it is a catalog layer
    of that name.
    """

    layer: str = Field(description="A layer name: bound in land.layers, or a catalog layer.")
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict, description="Column -> value or list of accepted values."
    )
    min: dict[str, float] = Field(
        default_factory=dict, description="Column -> minimum value (inclusive)."
    )


class LandRule(Strict):
    """One rule: its features, its action, its distance, the categories it binds, its source."""

    applies_to: AppliesTo
    action: Literal["exclude", "setback", "flag"] = Field(
        description="exclude: land inside the features; setback: land within distance_m of"
        " them; flag: sites within distance_m are marked (they still rank)."
    )
    distance_m: float = Field(
        default=0.0,
        ge=0,
        le=100_000,
        description="setback and flag: the distance from the features in metres.",
    )
    max_share: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="exclude and setback: share of a site that may lie in the zone before"
        " it is excluded (a smaller share is flagged).",
    )
    categories: list[PollutionCategory] | None = Field(
        default=None,
        description="CPCB categories the rule binds (red, orange, green, white); all if absent.",
    )
    reason: str = Field(
        description="What a planner reads, with {name}, {distance_km}, {distance_m} or"
        " {share_pct} (plain fields: each is written in one fixed way); the citation is"
        " appended."
    )
    source: RuleSource
    note: str | None = Field(
        default=None, description="Where the law is unsettled, or the data is coarse."
    )
    optional: bool = Field(
        default=False,
        description="Applied only when its layer exists (a notified ESZ layer a study may"
        " lack); otherwise recorded as not applied.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> LandRule:
        if self.action == "setback" and self.distance_m <= 0:
            raise ValueError("a setback needs distance_m above 0 (the width of the band)")
        if self.action == "flag" and self.max_share > 0:
            raise ValueError("max_share goes with exclude and setback, not flag")
        return self

    @field_validator("reason")
    @classmethod
    def _a_template(cls, reason: str) -> str:
        if ";" in reason:
            raise ValueError("has a semicolon, which separates a site's reasons; use a comma")
        parse_template(reason, PACK_FIELDS)
        return reason

    def binds(self, category: str | None) -> bool:
        """Whether the rule applies to a cluster of this pollution category."""
        return self.categories is None or category is None or category in self.categories


class RulePack(Strict):
    """A rule pack file."""

    name: str
    description: str | None = None
    rules: dict[str, LandRule] = Field(min_length=1)


class LandLayerSpec(Selection):
    """A planner's own land layer: features of a catalog layer, and why they matter."""

    layer: str = Field(description="Name of an area or parcels layer in the catalog.")
    reason: str = Field(description="Shown to planners, e.g. 'defence land'.")


class LandSpec(Strict):
    """The config's ``land:`` section: rule packs and the planner's land layers."""

    pollution_category: PollutionCategory | None = Field(
        default=None,
        description="The cluster's CPCB category (red, orange, green, white): rules bind by it."
        " When absent, every rule applies (the strictest reading).",
    )
    rule_packs: list[Path] = Field(
        default_factory=list, description="Rule pack files, relative to this config."
    )
    layers: dict[str, Selection] = Field(
        default_factory=dict,
        description="What a pack's layer names mean in this catalog, e.g. national_highways:"
        " {layer: pmgsy_roads, where: {RoadCatego: NH}}.",
    )
    distances_m: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        description="Rule name -> a distance in metres replacing the pack's (a local norm).",
        json_schema_extra=plausible(1, 50_000, "m"),
    )
    skip: list[str] = Field(
        default_factory=list, description="Rules of the packs not applied here (say why)."
    )
    include_only: LandLayerSpec | None = Field(
        default=None,
        description="A land bank: sites outside it are excluded with its reason.",
    )
    max_share_outside: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Share of a site that may lie outside include_only.",
    )
    exclude: list[LandLayerSpec] = Field(
        default_factory=list, description="Land to stay out of (defence, forest, litigation)."
    )


def load_rule_packs(spec: LandSpec, config_path: Path) -> list[tuple[Path, RulePack]]:
    """Read the rule packs a config names, and check its distances and skips name rules.

    Raises
    ------
    ConfigError
        If a file is missing or invalid, or a rule name in ``land.distances_m`` or
        ``land.skip`` is in no pack.
    """
    packs = []
    for i, relative in enumerate(spec.rule_packs):
        path = (config_path.parent / relative).resolve()
        if not path.is_file():
            raise ConfigError(
                f"{config_path}: land.rule_packs[{i}]: {relative} resolves to {path}, which is"
                " not a file (paths in a config are relative to the config file)"
            )
        packs.append((path, validate_mapping(RulePack, read_yaml_mapping(path), path)))
    known = {name for _, pack in packs for name in pack.rules}
    for key, names in (("distances_m", list(spec.distances_m)), ("skip", spec.skip)):
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"{config_path}: land.{key}: {', '.join(map(repr, unknown))} is not a rule of"
                f" the packs named (they have: {', '.join(sorted(known)) or 'none'})"
            )
    return packs
