"""A planner's own land layers: a land bank to stay inside, land to stay out of.

``land.include_only`` excludes every site more than ``max_share_outside`` of which lies
outside the bank; ``land.exclude`` layers (defence, forest, land under litigation) exclude
every site they touch. Each record reads as the layer's ``reason``.
"""

from __future__ import annotations

import numpy as np
import shapely

from sitesel.exclusions.records import Hits, Records, Source, literal
from sitesel.exclusions.rules import overlap_records
from sitesel.exclusions.zones import Geoms, largest_overlaps


def land_bank_records(
    sites: Geoms, bank: Geoms, *, rule_id: str, reason: str, max_share_outside: float
) -> tuple[Records, shapely.Geometry]:
    """The sites outside a land bank (by more than ``max_share_outside``), and the bank.

    >>> sites = np.array([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)])
    >>> found, _ = land_bank_records(sites, np.array([shapely.box(0, 0, 12, 10)]),
    ...     rule_id="land.include_only", reason="outside the bank", max_share_outside=0)
    >>> found.hits[0].site.tolist()
    [1]
    """
    whole = shapely.union_all(bank)
    share_in, _ = largest_overlaps(sites, np.array([whole], dtype=object))
    outside = (1.0 - share_in) > max_share_outside + 1e-9
    source = Source(rule_id, "land_layer", literal(reason))
    found = Hits.where(source, "exclude", outside, measures={"share": 1.0 - share_in})
    return Records((found,)), whole


def land_to_avoid_records(
    sites: Geoms, features: Geoms, names: list[str], *, rule_id: str, reason: str
) -> tuple[Records, Geoms]:
    """The sites on land to stay out of (any share of them), naming the feature."""
    labels = np.asarray([*names, ""], dtype=object)
    source = Source(rule_id, "land_layer", literal(reason))
    found = overlap_records(sites, features, labels, source=source, distance_m=0.0, max_share=0.0)
    return found, features
