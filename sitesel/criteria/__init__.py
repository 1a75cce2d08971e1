"""Criteria: raw values per site, each in a stated unit.

One module per family: :mod:`~sitesel.criteria.network` (travel time over roads),
:mod:`~sitesel.criteria.proximity` (straight-line distance), :mod:`~sitesel.criteria.terrain`
(slope and elevation from a DEM) and :mod:`~sitesel.criteria.parcel` (site geometry).
Each function takes plain arrays and geometries and returns one float per site, NaN where
the value is unknown (a site that cannot reach any target, a site outside the DEM).
"""

from __future__ import annotations

UNITS: dict[str, str] = {
    "travel_time": "min",
    "opportunities": "reachable",
    "gravity": "access",
    "distance": "km",
    "slope": "deg",
    "slope_share_below": "share",
    "elevation": "m",
    "area": "ha",
}
"""Unit of each criterion kind's raw value (``slope`` with ``stat: share_below`` is a share)."""
