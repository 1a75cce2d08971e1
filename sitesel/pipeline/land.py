"""The land stage: setbacks, rule packs and the planner's land layers, applied to the sites.

Wiring: here each rule's features are read from the catalog and checked (a selection that
names a value its layer never holds, or selects nothing, is refused); what they do to each
site is :mod:`sitesel.exclusions`'s, and gives one table of records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel.config import Config
from sitesel.config.constraints import ExcludeWithinSpec
from sitesel.data.loader import LayerLoader
from sitesel.data.numbers import parse_counts
from sitesel.data.vector import select, unknown_values, values_text
from sitesel.errors import ConfigError, EmptyLayerError, LayerError
from sitesel.exclusions import zones as zone_engine
from sitesel.exclusions.land_layers import land_bank_records, land_to_avoid_records
from sitesel.exclusions.packs import ActiveRule
from sitesel.exclusions.records import Records, concat
from sitesel.exclusions.rules import apply_rule
from sitesel.exclusions.setbacks import footprint_radius_m, setback_records, setback_source
from sitesel.exclusions.text import zone_labels
from sitesel.pipeline.inputs import StudyArea, selected

log = logging.getLogger(__name__)

ZONE_COLUMNS = ["reason", "action", "rule"]


@dataclass(frozen=True)
class Land:
    """What setbacks, land rules and land layers decide for the sites.

    Attributes
    ----------
    records
        Their exclusions and flags, one record per site and rule.
    zones
        The land they take near the sites, for the map and the GeoPackage: ``reason``,
        ``action`` (``exclude``, ``setback``, ``flag``, ``include_only``), ``rule``, polygon.
    counts
        Per land rule applied: features selected and near, sites excluded and flagged.
    """

    records: Records
    zones: gpd.GeoDataFrame
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Part:
    records: Records
    zones: gpd.GeoDataFrame | None


def land(
    config: Config,
    config_path: Path,
    loader: LayerLoader,
    area: StudyArea,
    sites: gpd.GeoDataFrame,
    rules: list[ActiveRule],
) -> Land:
    """Every setback (``exclude_within``), active rule and land layer, applied to the sites.

    Raises
    ------
    ConfigError
        If a rule's selection names a value its layer never holds, or selects nothing.
    EmptyLayerError
        If the land bank (``land.include_only``) has no land near the sites.
    """
    geoms = np.asarray(sites.geometry.to_numpy(), dtype=object)
    xmin, ymin, xmax, ymax = sites.total_bounds.tolist() if len(sites) else [0.0] * 4
    bounds = (xmin, ymin, xmax, ymax)
    box = shapely.box(*sites.total_bounds) if len(sites) else area.polygon
    parts = _setbacks(config, loader, area.crs, geoms, box)
    counts: dict[str, dict[str, Any]] = {}
    for active in rules:
        part, counts[active.name] = _rule(active, loader, area.crs, geoms, bounds,
                                          config_path.name)  # fmt: skip
        parts.append(part)
    idle = [n for n, c in counts.items() if c["features_near"] == 0]
    if idle:  # said again in the run's summary, from the manifest's counts
        log.info("land rules applied to 0 features near the sites: %s", ", ".join(idle))
    parts += _land_layers(config, loader, area.crs, geoms, bounds)
    shown = [p.zones for p in parts if p.zones is not None and len(p.zones)]
    frame = (
        gpd.GeoDataFrame(pd.concat(shown, ignore_index=True), crs=area.crs)
        if shown
        else _no_zones(area.crs, with_action=config.land is not None)
    )
    return Land(records=concat(p.records for p in parts), zones=frame, counts=counts)


def _no_zones(crs: pyproj.CRS, *, with_action: bool) -> gpd.GeoDataFrame:
    columns = ZONE_COLUMNS if with_action else ZONE_COLUMNS[:1]
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)


def _zone_frame(
    geoms: np.ndarray, reasons: list[str], action: str, rule: str, crs: pyproj.CRS
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"reason": reasons, "action": action, "rule": rule},
        geometry=np.asarray(geoms, dtype=object),
        index=pd.RangeIndex(len(reasons)),  # scalar columns need one
        crs=crs,
    )


def _setbacks(
    config: Config, loader: LayerLoader, crs: pyproj.CRS, geoms: np.ndarray, box: BaseGeometry
) -> list[_Part]:
    """Each ``exclude_within`` constraint: a setback of a distance, or a footprint."""
    parts = []
    for i, constraint in enumerate(config.constraints):
        if not isinstance(constraint, ExcludeWithinSpec):
            continue
        zone = constraint.exclude_within
        key = f"constraints[{i}].exclude_within.to"
        features = selected(loader, zone.to, key, crs)
        radius_m = np.full(len(features), zone.distance_m)
        label = f"within {zone.distance_m:g} m of"
        if zone.footprint is not None:
            column = zone.footprint.population_column
            if column not in features:
                raise LayerError(f"{key}: the features have no column {column!r}")
            people = parse_counts(features[column], what=f"{key}: column {column!r}")
            radius_m += footprint_radius_m(people.to_numpy(float), zone.footprint.people_per_km2)
            label = "in the built-up area of"
        source = setback_source(f"constraints[{i}]", constraint.reason or label)
        names = _names(features, loader.spec(zone.to.layer).name_column, zone.to.layer, raw=True)
        found, zones, kept = setback_records(
            geoms, np.asarray(features.geometry.to_numpy()), radius_m, names, box,
            source=source, max_share=zone.max_share,
        )  # fmt: skip
        reasons = [t.strip() for t in zone_labels(source, kept)]
        parts.append(_Part(found, _zone_frame(zones, reasons, "exclude", source.id, crs)))
    return parts


def _rule(
    active: ActiveRule,
    loader: LayerLoader,
    crs: pyproj.CRS,
    geoms: np.ndarray,
    bounds: zone_engine.Bounds,
    config_name: str,
) -> tuple[_Part, dict[str, Any]]:
    """One active rule of a pack, applied to every site, and what it selected and touched."""
    rule = active.rule
    features, names = _features(loader, active, crs, config_name)
    reach = rule.distance_m if rule.action != "exclude" else 0.0
    near = zone_engine.near(features, names, bounds, reach, layer=active.selection.layer)
    found, rule_zones = apply_rule(
        geoms, near, names, source=active.source, action=rule.action,
        distance_m=rule.distance_m, max_share=rule.max_share,
    )  # fmt: skip
    cut, keep = zone_engine.shown(rule_zones, bounds)
    reasons = zone_labels(active.source, [n for n, k in zip(names, keep, strict=True) if k],
                          distance_m=rule.distance_m)  # fmt: skip
    counts = {
        "features_selected": len(features),
        "features_near": int((~shapely.is_empty(near)).sum()),
        "sites_excluded": int(found.mask(len(geoms), "exclude").sum()),
        "sites_flagged": int(found.mask(len(geoms), "flag").sum()),
    }
    log.info("land rule %s: %s", active.name, counts)
    return _Part(found, _zone_frame(cut[keep], reasons, rule.action, active.name, crs)), counts


def _features(
    loader: LayerLoader, active: ActiveRule, crs: pyproj.CRS, config_name: str
) -> tuple[np.ndarray, list[str]]:
    """The rule's features in the working CRS and their names.

    Raises
    ------
    ConfigError
        If the selection names a value the layer never holds, or selects no feature of it:
        a rule that selects nothing would otherwise pass for applied.
    """
    applies, binding = active.rule.applies_to, active.selection
    layer = binding.layer
    frame = loader.frame(layer, crs)
    rule_key = f"{active.pack.name}: rules.{active.name}.applies_to"
    bound_key = f"{config_name}: land.layers.{applies.layer}"
    for where, key in ((binding.where, bound_key), (applies.where, rule_key)):
        for column, values in unknown_values(frame, where).items():
            raise ConfigError(
                f"{key}.where.{column}: {', '.join(map(repr, values))} is not a value of layer"
                f" {layer!r} (its {column} has {values_text(frame[column])}); correct it, or"
                f" add {active.name} to land.skip"
            )
    try:
        frame = selected(loader, binding, bound_key, crs)
        frame = select(frame, where=applies.where, minimum=applies.min, layer=layer, key=rule_key)
    except EmptyLayerError as exc:
        raise ConfigError(
            f"{exc}; rule {active.name} would apply to nothing: correct the selection, or add"
            f" {active.name} to land.skip"
        ) from None
    return np.asarray(frame.geometry.to_numpy(), dtype=object), _names(
        frame, loader.spec(layer).name_column, applies.layer
    )


def _names(
    frame: gpd.GeoDataFrame, name_column: str | None, fallback: str, *, raw: bool = False
) -> list[str]:
    """Each feature's name: its name column, else its ``ref`` (OSM), else the layer's name.

    ``raw``: the name column as it is, or the layer's name for every feature when there
    is none (as the setbacks of ``exclude_within`` always named them).

    >>> _names(gpd.GeoDataFrame({"name": ["NH 1", None], "ref": ["", "NH139W"]}), "name", "x")
    ['NH 1', 'NH139W']
    """
    if raw:
        if name_column and name_column in frame:
            return [str(v) for v in frame[name_column].astype(str)]
        return [fallback] * len(frame)
    blank = pd.Series("", index=frame.index)
    name = frame[name_column] if name_column and name_column in frame else blank
    ref = frame.get("ref", blank)
    name, ref = name.fillna("").astype(str).str.strip(), ref.fillna("").astype(str).str.strip()
    out = name.where(name != "", ref)
    return [str(v) for v in out.where(out != "", fallback.replace("_", " "))]


def _land_layers(
    config: Config,
    loader: LayerLoader,
    crs: pyproj.CRS,
    geoms: np.ndarray,
    bounds: zone_engine.Bounds,
) -> list[_Part]:
    """The planner's land layers: outside the land bank, or on land to stay out of."""
    land_spec = config.land
    if land_spec is None:
        return []
    parts = []
    bank = land_spec.include_only
    if bank is not None:
        frame = selected(loader, bank, "land.include_only", crs)
        names = _names(frame, loader.spec(bank.layer).name_column, bank.layer)
        near = zone_engine.near(frame.geometry.to_numpy(), names, bounds, 0.0, layer=bank.layer)
        near = near[~shapely.is_empty(near) & (shapely.area(near) > 0)]
        if len(near) == 0:
            raise EmptyLayerError(
                f"land.include_only: layer {bank.layer!r} has no land within the study area;"
                " a land bank must hold some of it (check the layer, or drop include_only)"
            )
        found, whole = land_bank_records(
            geoms, near, rule_id="land.include_only", reason=bank.reason,
            max_share_outside=land_spec.max_share_outside,
        )  # fmt: skip
        zone = _zone_frame(np.array([whole], dtype=object), [f"land bank: {bank.layer}"],
                           "include_only",
                           "land.include_only", crs)  # fmt: skip
        parts.append(_Part(found, zone))
    for i, spec in enumerate(land_spec.exclude):
        frame = selected(loader, spec, f"land.exclude[{i}]", crs)
        names = _names(frame, loader.spec(spec.layer).name_column, spec.layer)
        near = zone_engine.near(frame.geometry.to_numpy(), names, bounds, 0.0, layer=spec.layer)
        found, zone = land_to_avoid_records(geoms, near, names, rule_id=f"land.exclude[{i}]",
                                            reason=spec.reason)  # fmt: skip
        keep = ~shapely.is_empty(zone) & (shapely.area(zone) > 0)
        shown = _zone_frame(zone[keep], [spec.reason] * int(keep.sum()), "exclude",
                            f"land.exclude[{i}]", crs)  # fmt: skip
        parts.append(_Part(found, shown))
    return parts
