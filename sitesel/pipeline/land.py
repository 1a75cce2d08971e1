"""The land stage: rule packs and the planner's land layers applied to the sites.

Which rules apply (the packs a config names, less the skipped ones and those that do not
bind the cluster's pollution category), where their features come from (a pack's layer
name bound in ``land.layers``, else the catalog layer of that name), and what each rule
does to each site (:mod:`sitesel.exclusions.land_rules`).
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

from sitesel.config import Catalog, Config, Selection
from sitesel.config.land import LandRule, RulePack, load_rule_packs
from sitesel.data.fetch import sha256_of
from sitesel.data.loader import LayerLoader
from sitesel.data.vector import repair_polygons, select, unknown_values, values_text
from sitesel.errors import ConfigError, EmptyLayerError
from sitesel.exclusions.land_rules import (
    RuleText,
    apply_rule,
    clip_to_reach,
    join_flags,
    largest_overlaps,
)
from sitesel.pipeline.inputs import selected

log = logging.getLogger(__name__)

RULE_LAYER_KINDS = {"points", "roads", "area", "parcels"}


@dataclass(frozen=True)
class ActiveRule:
    """A rule that applies to this study, with where its features come from."""

    name: str
    rule: LandRule
    pack: Path
    selection: Selection  # the bound layer and selection, before the rule's own where/min


@dataclass(frozen=True)
class LandStatus:
    """What the land rules and land layers decide for each site.

    Attributes
    ----------
    reasons
        One array per excluding rule or layer: why it excludes each site ("" if not).
    flags
        Per site, every flag joined by "; " ("" where none).
    zones
        The rules' zones near the study area for the map and the GeoPackage: ``reason``,
        ``action`` (``exclude``, ``setback`` or ``flag``), ``rule`` and polygon.
    packs
        Each rule pack read: path, name, sha256 and the rules applied or not (and why).
    counts
        Per rule applied: the features it selected, those within its reach of the sites,
        and the sites it excluded and flagged.
    """

    reasons: list[np.ndarray]
    flags: np.ndarray
    zones: gpd.GeoDataFrame
    packs: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)


def active_rules(
    config: Config, config_path: Path, catalog: Catalog, catalog_path: Path
) -> tuple[list[ActiveRule], list[dict[str, Any]]]:
    """The rules that apply to this study, and a record of every pack read.

    Raises
    ------
    ConfigError
        If a pack is missing or invalid, or a rule's layer is neither bound in
        ``land.layers`` nor a catalog layer of a fitting kind.
    """
    land = config.land
    if land is None:
        return [], []
    active: list[ActiveRule] = []
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for path, pack in load_rule_packs(land, config_path):
        applied, not_applied = [], {}
        for name, rule in pack.rules.items():
            if name in land.skip:
                not_applied[name] = "skipped by the config (land.skip)"
                continue
            if not rule.binds(land.pollution_category):
                cats = ", ".join(rule.categories or [])
                not_applied[name] = f"binds {cats} only; the cluster is {land.pollution_category}"
                continue
            layer = rule.applies_to.layer
            selection = land.layers.get(layer)
            if selection is None and layer in catalog.layers:
                selection = Selection(layer=layer)
            if selection is None and rule.optional:
                not_applied[name] = f"no layer {layer!r} in this study (optional rule)"
                continue
            if selection is None:
                problems.append(
                    f"{path}: rules.{name}.applies_to.layer: {layer!r} is neither bound under"
                    f" land.layers in {config_path.name} nor a layer of {catalog_path.name};"
                    f" bind it there (e.g. {layer}: {{layer: <a catalog layer>, where:"
                    f" {{...}}}}) or add {name} to land.skip"
                )
                continue
            kind = (
                catalog.layers[selection.layer].kind if selection.layer in catalog.layers else None
            )
            if kind is not None and kind not in RULE_LAYER_KINDS:
                problems.append(
                    f"{path}: rules.{name}.applies_to.layer: {layer!r} is a {kind} layer;"
                    " a rule needs points, lines or polygons"
                )
                continue
            if name in land.distances_m:
                rule = rule.model_copy(update={"distance_m": land.distances_m[name]})
            active.append(ActiveRule(name=name, rule=rule, pack=path, selection=selection))
            applied.append(name)
        records.append(_pack_record(path, pack, applied, not_applied))
    if problems:
        raise ConfigError("; ".join(problems))
    return active, records


def _pack_record(
    path: Path, pack: RulePack, applied: list[str], not_applied: dict[str, str]
) -> dict[str, Any]:
    return {
        "file": str(path),
        "name": pack.name,
        "sha256": sha256_of(path),
        "applied": applied,
        "not_applied": not_applied,
    }


def land_status(
    config: Config,
    config_path: Path,
    loader: LayerLoader,
    crs: pyproj.CRS,
    sites: gpd.GeoDataFrame,
    rules: list[ActiveRule],
) -> LandStatus:
    """Apply the active rules and the config's land layers to every site.

    A rule whose features all lie beyond its reach of the sites is applied to none: its
    counts say so (``features_near: 0``), and the run's summary after them.

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
    reasons: list[np.ndarray] = []
    flag_columns: list[np.ndarray] = []
    zones: list[gpd.GeoDataFrame] = []
    counts: dict[str, dict[str, Any]] = {}
    for active in rules:
        rule = active.rule
        features, names = _features(loader, active, crs, config_path.name)
        reach = rule.distance_m if rule.action != "exclude" else 0.0
        near = _near(features, names, bounds, reach, layer=active.selection.layer)
        text = RuleText(rule.reason, rule.source.citation)
        outcome, rule_zones = apply_rule(
            geoms, near, names, action=rule.action, distance_m=rule.distance_m,
            max_share=rule.max_share, text=text,
        )  # fmt: skip
        if rule.action != "flag":
            reasons.append(outcome.excluded)
        flag_columns.append(outcome.flagged)
        zones.append(_zone_frame(rule_zones, names, active, text, crs, bounds))
        counts[active.name] = {
            "features_selected": len(features),
            "features_near": int((~shapely.is_empty(near)).sum()),
            "sites_excluded": int((outcome.excluded != "").sum()),
            "sites_flagged": int((outcome.flagged != "").sum()),
        }
        log.info("land rule %s: %s", active.name, counts[active.name])
    idle = [n for n, c in counts.items() if c["features_near"] == 0]
    if idle:  # said again in the run's summary, from the manifest's counts
        log.info("land rules applied to 0 features near the sites: %s", ", ".join(idle))
    if config.land is not None:
        own_reasons, own_zones = _own_land(config, loader, crs, geoms, bounds)
        reasons += own_reasons
        zones += own_zones
    frame = (
        pd.concat(zones, ignore_index=True)
        if zones
        else gpd.GeoDataFrame({"reason": [], "action": [], "rule": []}, geometry=[], crs=crs)
    )
    return LandStatus(
        reasons=reasons,
        flags=join_flags(flag_columns, len(sites)),
        zones=gpd.GeoDataFrame(frame, crs=crs),
        counts=counts,
    )


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


def _names(frame: gpd.GeoDataFrame, name_column: str | None, fallback: str) -> list[str]:
    """Each feature's name: its name column, else its ``ref`` (OSM), else the layer's name.

    >>> _names(gpd.GeoDataFrame({"name": ["NH 1", None], "ref": ["", "NH139W"]}), "name", "x")
    ['NH 1', 'NH139W']
    """
    blank = pd.Series("", index=frame.index)
    name = frame[name_column] if name_column and name_column in frame else blank
    ref = frame.get("ref", blank)
    name, ref = name.fillna("").astype(str).str.strip(), ref.fillna("").astype(str).str.strip()
    out = name.where(name != "", ref)
    return [str(v) for v in out.where(out != "", fallback.replace("_", " "))]


def _near(
    features: np.ndarray,
    names: list[str],
    bounds: tuple[float, float, float, float],
    reach_m: float,
    *,
    layer: str,
) -> np.ndarray:
    """Features cut to the sites' box grown by ``reach_m``; invalid polygons near it repaired.

    The repair comes first (GEOS cuts an invalid ring into nonsense), and only for
    features whose box meets the reach: a broken polygon across the country is no concern
    of this study.
    """
    xmin, ymin, xmax, ymax = bounds
    box = np.asarray(shapely.bounds(features)).reshape(-1, 4)
    pad = reach_m + 1.0
    meets = (
        (box[:, 0] <= xmax + pad) & (box[:, 2] >= xmin - pad)
        & (box[:, 1] <= ymax + pad) & (box[:, 3] >= ymin - pad)
    )  # fmt: skip
    features = np.asarray(features, dtype=object).copy()
    if meets.any():
        near_names = [names[i] for i in np.flatnonzero(meets)]
        features[meets] = repair_polygons(features[meets], near_names, layer=layer)
    return clip_to_reach(features, bounds, reach_m)


def _zone_frame(
    zones: np.ndarray,
    names: list[str],
    active: ActiveRule,
    text: RuleText,
    crs: pyproj.CRS,
    bounds: tuple[float, float, float, float],
) -> gpd.GeoDataFrame:
    """The rule's zones that are not empty, cut to the sites' box, each with what it is.

    Only the part where sites are is drawn and stored: a 20 km height zone or a park's
    10 km band reaches far beyond, and would only make the meeting map heavier.
    """
    zones = np.asarray(shapely.clip_by_rect(zones, *bounds), dtype=object)
    keep = ~shapely.is_empty(zones) & (shapely.area(zones) > 0)
    label = [
        text.render(n, distance_m=active.rule.distance_m)
        for n, k in zip(names, keep, strict=True)
        if k
    ]
    return gpd.GeoDataFrame(
        {"reason": label, "action": active.rule.action, "rule": active.name},
        geometry=np.asarray(zones[keep], dtype=object),
        crs=crs,
    )


def _own_land(
    config: Config,
    loader: LayerLoader,
    crs: pyproj.CRS,
    geoms: np.ndarray,
    bounds: tuple[float, float, float, float],
) -> tuple[list[np.ndarray], list[gpd.GeoDataFrame]]:
    """The planner's land layers: outside the land bank, or on land to stay out of."""
    land = config.land
    assert land is not None
    reasons, zones = [], []
    if land.include_only is not None:
        bank = land.include_only
        frame = selected(loader, bank, "land.include_only", crs)
        names = _names(frame, loader.spec(bank.layer).name_column, bank.layer)
        near = _near(frame.geometry.to_numpy(), names, bounds, 0.0, layer=bank.layer)
        near = near[~shapely.is_empty(near) & (shapely.area(near) > 0)]
        if len(near) == 0:
            raise EmptyLayerError(
                f"land.include_only: layer {bank.layer!r} has no land within the study area;"
                " a land bank must hold some of it (check the layer, or drop include_only)"
            )
        share_in, _ = largest_overlaps(geoms, np.array([shapely.union_all(near)], dtype=object))
        outside = (1.0 - share_in) > land.max_share_outside + 1e-9
        reasons.append(np.where(outside, bank.reason, "").astype(object))
        zones.append(
            gpd.GeoDataFrame(
                {"reason": [f"land bank: {bank.layer}"], "action": ["include_only"],
                 "rule": ["land.include_only"]},
                geometry=[shapely.union_all(near)],
                crs=crs,
            )
        )  # fmt: skip
    for i, spec in enumerate(land.exclude):
        frame = selected(loader, spec, f"land.exclude[{i}]", crs)
        names = _names(frame, loader.spec(spec.layer).name_column, spec.layer)
        near = _near(frame.geometry.to_numpy(), names, bounds, 0.0, layer=spec.layer)
        outcome, zone = apply_rule(
            geoms, near, [spec.reason] * len(near), action="exclude", distance_m=0.0,
            max_share=0.0, text=RuleText("{name}", ""),
        )  # fmt: skip
        reasons.append(outcome.excluded)
        keep = ~shapely.is_empty(zone) & (shapely.area(zone) > 0)
        zones.append(
            gpd.GeoDataFrame(
                {"reason": spec.reason, "action": "exclude", "rule": f"land.exclude[{i}]"},
                geometry=zone[keep],
                index=pd.RangeIndex(int(keep.sum())),  # scalar columns need one
                crs=crs,
            )
        )
    return reasons, zones


def land_record(
    config: Config,
    packs: list[dict[str, Any]],
    flags: np.ndarray | None,
    *,
    counts: dict[str, dict[str, Any]] | None = None,
    dems: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The land section as the manifest records it: packs with sha256, flags, DEMs used.

    Each pack's ``rules`` give, per rule applied, what it selected and touched
    (``counts``): a rule applied to 0 features says so.
    """
    out: dict[str, Any] = {}
    if config.land is not None:
        spec = config.land
        counts = counts or {}
        packs = [p | {"rules": {n: counts[n] for n in p["applied"] if n in counts}} for p in packs]
        out |= {
            "pollution_category": spec.pollution_category,
            "rule_packs": packs,
            "distances_m": dict(spec.distances_m),
            "skipped": list(spec.skip),
            "include_only": None if spec.include_only is None else spec.include_only.layer,
            "exclude": [x.layer for x in spec.exclude],
            "flagged_sites": 0 if flags is None else int((flags != "").sum()),
        }
    if dems:
        out["dem_stack"] = dems
    return out or None
