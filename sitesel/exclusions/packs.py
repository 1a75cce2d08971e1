"""Which rules of the rule packs apply to a study, and what the manifest records of them.

The packs a config names, less the rules it skips and those that do not bind the
cluster's CPCB pollution category; each rule's layer name bound in ``land.layers``, else
the catalog layer of that name (a rule marked ``optional`` is left out, said so, when the
study has no such layer). Checked before any work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitesel.config import Catalog, Config, Selection
from sitesel.config.land import LandRule, RulePack, load_rule_packs
from sitesel.data.fetch import sha256_of
from sitesel.errors import ConfigError
from sitesel.exclusions.records import Source

RULE_LAYER_KINDS = {"points", "roads", "area", "parcels"}


@dataclass(frozen=True)
class ActiveRule:
    """A rule that applies to this study, with where its features come from."""

    name: str
    rule: LandRule
    pack: Path
    selection: Selection  # the bound layer and selection, before the rule's own where/min

    @property
    def source(self) -> Source:
        """How the rule's records read: its reason and its citation."""
        return Source(self.name, "land_rule", self.rule.reason, self.rule.source.citation)


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


def land_record(
    config: Config,
    packs: list[dict[str, Any]],
    flagged_sites: int | None,
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
            "flagged_sites": flagged_sites or 0,
        }
    if dems:
        out["dem_stack"] = dems
    return out or None
