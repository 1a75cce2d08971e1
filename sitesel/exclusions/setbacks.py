"""``exclude_within``: a setback around each feature, of a fixed distance or a footprint.

A constraint ``exclude_within: {to: <points>, distance_m: 500}`` is a setback rule written
in the config; with a ``footprint`` each feature's zone is a disc holding its people at a
density (a town's built-up area). Zones are cut to the sites' box before any overlap is
measured, whatever their radius (:func:`~sitesel.exclusions.zones.bounded_zones`).
"""

from __future__ import annotations

import numpy as np
from shapely.geometry.base import BaseGeometry

from sitesel._typing import FloatArray
from sitesel.exclusions.records import Records, Source, literal
from sitesel.exclusions.rules import overlap_records
from sitesel.exclusions.zones import Geoms, bounded_zones
from sitesel.units import M_PER_KM


def setback_source(rule_id: str, label: str) -> Source:
    """How a setback's records read: its label, then the feature's name.

    >>> setback_source("constraints[3]", "in the built-up area of").template
    'in the built-up area of {name}'
    """
    return Source(rule_id, "setback", f"{literal(label)} {{name}}")


def footprint_radius_m(people: FloatArray, people_per_km2: float) -> FloatArray:
    """Radius of a disc holding each point's people at a density.

    >>> footprint_radius_m(np.array([37_475.0]), 2_500).round(0).tolist()  # Leh
    [2184.0]
    """
    area_km2 = people / people_per_km2
    return np.asarray(np.sqrt(area_km2 / np.pi) * M_PER_KM, dtype=np.float64)


def setback_records(
    sites: Geoms,
    features: Geoms,
    radius_m: FloatArray,
    names: list[str],
    box: BaseGeometry,
    *,
    source: Source,
    max_share: float,
) -> tuple[Records, Geoms, list[str]]:
    """The sites more than ``max_share`` inside a feature's zone, and the zones near them.

    Returns
    -------
    tuple
        The records, the zones cut to ``box`` and the name of each zone's feature.
    """
    zones, kept = bounded_zones(features, radius_m, names, box, key=source.id)
    labels = np.asarray([*kept, ""], dtype=object)
    found = overlap_records(sites, zones, labels, source=source, distance_m=0.0,
                            max_share=max_share)  # fmt: skip
    return Records(tuple(h for h in found.hits if h.action == "exclude")), zones, kept
