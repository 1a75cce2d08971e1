"""Edge travel times, and the edges a seasonal scenario closes.

Speeds come from the road class or a plausible OSM ``maxspeed``, slowed by grade, per
direction.

Grades are sampled along each edge from the DEM (every ``sample_m`` metres, bilinear),
not just at its two ends: a road over a pass climbs and descends between its end nodes.
Each sampled piece is driven at ``speed * factor(grade)``, where the factor falls linearly
with the grade uphill and (less) downhill, down to a floor; the reverse direction sees
the opposite grades, so an edge has two times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from affine import Affine
from scipy import ndimage

from sitesel._typing import FloatArray
from sitesel.network.lines import points_along
from sitesel.units import m_per_min

PLAUSIBLE_MAXSPEED_KMH = (5.0, 130.0)
_MPH = 1.609344


def parse_maxspeed(values: pd.Series) -> FloatArray:
    """OSM ``maxspeed`` tags in km/h; NaN where absent, symbolic or implausible.

    >>> parse_maxspeed(pd.Series(["50", "30 mph", "IN:urban", None, "500", "60;80"])).tolist()
    [50.0, 48.28032, nan, nan, nan, 60.0]
    """
    text = values.fillna("").astype(str).str.split(";").str[0].str.strip().str.lower()
    match = text.str.extract(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?$")
    number = pd.to_numeric(match[0], errors="coerce") * np.where(match[1] == "mph", _MPH, 1.0)
    lo, hi = PLAUSIBLE_MAXSPEED_KMH
    return np.asarray(number.where((number >= lo) & (number <= hi)).to_numpy(dtype=float))


def edge_speeds_kmh(
    road_class: pd.Series,
    *,
    speeds_kmh: dict[str, float],
    default_kmh: float,
    maxspeed_kmh: FloatArray | None = None,
) -> FloatArray:
    """Speed of each edge: its plausible OSM ``maxspeed`` if given, else by road class."""
    by_class = road_class.astype(str).map(speeds_kmh).fillna(default_kmh).to_numpy(dtype=float)
    if maxspeed_kmh is None:
        return np.asarray(by_class, dtype=np.float64)
    return np.asarray(np.where(np.isnan(maxspeed_kmh), by_class, maxspeed_kmh), dtype=np.float64)


@dataclass(frozen=True)
class GradeModel:
    """Speed factor by grade: ``1 - k * grade_pct`` (k uphill or downhill), at least ``floor``."""

    uphill_per_pct: float = 0.03
    downhill_per_pct: float = 0.01
    floor: float = 0.3
    sample_m: float = 50.0

    def factor(self, grade_pct: FloatArray) -> FloatArray:
        """Speed multiplier for each signed grade (positive uphill).

        >>> GradeModel().factor(np.array([0.0, 10.0, -10.0, 40.0])).tolist()
        [1.0, 0.7, 0.9, 0.3]
        """
        k = np.where(grade_pct >= 0, self.uphill_per_pct, self.downhill_per_pct)
        return np.asarray(np.maximum(1.0 - k * np.abs(grade_pct), self.floor), dtype=np.float64)


@dataclass(frozen=True)
class EdgeProfiles:
    """Elevation samples along every edge (flattened, with the owning edge of each sample)."""

    edge: npt.NDArray[np.int64]
    distance_m: FloatArray  # along the edge
    elevation_m: FloatArray


def sample_profiles(
    geoms: npt.NDArray[np.object_], elevation_m: FloatArray, transform: Affine, *, step_m: float
) -> EdgeProfiles:
    """Elevation every ``step_m`` along each line (and at both ends), bilinear from the DEM.

    Samples off the DEM are NaN.
    """
    lengths = shapely.length(geoms)
    counts = np.maximum(np.ceil(lengths / step_m).astype(np.int64), 1) + 1
    edge = np.repeat(np.arange(len(geoms)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(len(edge)) - starts
    fraction = position / (counts[edge] - 1)
    xy = points_along(geoms, edge, fraction * lengths[edge])
    inv = ~transform
    col, row = inv * (xy[:, 0], xy[:, 1])
    # map_coordinates samples cell centres at integer indices.
    z = ndimage.map_coordinates(
        np.nan_to_num(elevation_m, nan=np.nan),
        [row - 0.5, col - 0.5],
        order=1,
        mode="constant",
        cval=np.nan,
    )
    return EdgeProfiles(edge=edge, distance_m=fraction * lengths[edge], elevation_m=z)


def times_with_grade(
    profiles: EdgeProfiles, speed_kmh: FloatArray, model: GradeModel
) -> tuple[FloatArray, FloatArray]:
    """Minutes to drive each edge forwards (u -> v) and backwards, slowed by grade.

    Where the DEM gives no height, pieces are driven at full speed.

    Examples
    --------
    A 1 km edge climbing 100 m (10 %) at 60 km/h: forwards at 0.7 x speed, back at 0.9 x.

    >>> p = EdgeProfiles(np.array([0, 0]), np.array([0.0, 1000.0]), np.array([0.0, 100.0]))
    >>> fwd, back = times_with_grade(p, np.array([60.0]), GradeModel())
    >>> round(float(fwd[0]), 4), round(float(back[0]), 4)
    (1.4286, 1.1111)
    """
    same = profiles.edge[1:] == profiles.edge[:-1]
    owner = profiles.edge[1:][same]
    run = np.diff(profiles.distance_m)[same]
    rise = np.diff(profiles.elevation_m)[same]
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = np.where(run > 0, 100 * rise / run, 0.0)
    grade = np.nan_to_num(grade, nan=0.0)
    speed = m_per_min(speed_kmh[owner])  # metres per minute
    n = len(speed_kmh)
    forward = np.bincount(owner, weights=run / (speed * model.factor(grade)), minlength=n)
    backward = np.bincount(owner, weights=run / (speed * model.factor(-grade)), minlength=n)
    return np.asarray(forward, dtype=np.float64), np.asarray(backward, dtype=np.float64)


def max_elevation(profiles: EdgeProfiles, n_edges: int) -> FloatArray:
    """Highest sampled point of each edge (NaN where none is known)."""
    out = np.full(n_edges, -np.inf)
    np.maximum.at(out, profiles.edge, np.nan_to_num(profiles.elevation_m, nan=-np.inf))
    return np.where(np.isfinite(out), out, np.nan)


def closed_by_name(names: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    """Edges whose road name matches a regular expression (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    return np.asarray(names.fillna("").astype(str).map(lambda s: bool(regex.search(s))), dtype=bool)


def closed_within(geoms: npt.NDArray[np.object_], area: shapely.Geometry) -> npt.NDArray[np.bool_]:
    """Edges that touch a closure polygon."""
    shapely.prepare(area)
    return np.asarray(shapely.intersects(area, geoms), dtype=bool)
