"""Find a place in India by name, offline: the GeoNames file and the state polygons.

``"Teghra, Begusarai"`` is read as a place name and a qualifier: the candidates named
Teghra are ranked by their distance to a place named Begusarai (a district is named after
its headquarters town, so the town stands in for the district), or kept when the qualifier
names their state. Names are compared without case, accents or punctuation. The state of
each candidate comes from the state polygons, not from GeoNames' admin codes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

QUALIFIER_KM = 60.0
"""A place qualified by a town must lie within this distance of it (a district's extent)."""
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """A place found: its name, position, population and state."""

    name: str
    lon: float
    lat: float
    population: int
    state: str
    geonameid: int
    admin1code: str = ""

    def describe(self) -> str:
        """One line for a list of candidates."""
        people = f"{self.population:,} people" if self.population else "population unknown"
        return f"{self.name}, {self.state} ({self.lat:.4f} N, {self.lon:.4f} E; {people})"


def normalised(name: str) -> str:
    """A name for comparison: no accents, case, punctuation or repeated spaces.

    >>> normalised("  Sāhibganj-Bazar ")
    'sahibganj bazar'
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in km.

    Leh to Teghra (Bihar); the WGS84 geodesic (pyproj ``Geod.inv``) gives 1254.1 km:

    >>> round(distance_km(77.5771, 34.1526, 85.9400, 25.4904))
    1255
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def read_places(geonames_csv: Path, states_geojson: Path) -> list[Place]:
    """Every GeoNames place of the file, with the state whose polygon holds it.

    A place in no state polygon (offshore, or beyond India's outline) keeps ``"India"``.
    """
    table = pd.read_csv(geonames_csv, dtype={"admin1code": str}, keep_default_na=False)
    states = gpd.read_file(states_geojson).to_crs("EPSG:4326")
    name_column = next(
        c for c in ("STNAME_SH", "STNAME", "name", "st_nm", "state") if c in states.columns
    )
    points = shapely.points(table["longitude"].to_numpy(), table["latitude"].to_numpy())
    tree = shapely.STRtree(states.geometry.to_numpy())
    where, state_of = tree.query(points, predicate="intersects")
    state = pd.Series("India", index=range(len(table)), dtype=object)
    state.iloc[where] = states[name_column].astype(str).to_numpy()[state_of]
    population = pd.to_numeric(table["population"], errors="coerce").fillna(0).astype(int)
    return [
        Place(str(n), float(x), float(y), int(p), str(s), int(g), str(a))
        for n, x, y, p, s, g, a in zip(
            table["name"], table["longitude"], table["latitude"], population, state,
            table["geonameid"], table["admin1code"], strict=True,
        )
    ]  # fmt: skip


def find_place(query: str, places: list[Place]) -> list[Place]:
    """The places a query names, the most likely first.

    ``"name"`` gives every place of that name, the most populous first; ``"name, town"``
    those within :data:`QUALIFIER_KM` of a place named ``town``, nearest first;
    ``"name, state"`` those in that state. An empty list when none fits.

    >>> leh = Place("Leh", 77.58, 34.15, 30870, "Ladakh", 1)
    >>> other = Place("Leh", 70.0, 20.0, 0, "Gujarat", 2)
    >>> [p.geonameid for p in find_place("LEH", [other, leh])]
    [1, 2]
    >>> [p.geonameid for p in find_place("Leh, Gujarat", [other, leh])]
    [2]
    """
    name, _, qualifier = (part.strip() for part in query.partition(","))
    wanted = normalised(name)
    named = [p for p in places if normalised(p.name) == wanted]
    named.sort(key=lambda p: (-p.population, p.geonameid))
    if not qualifier:
        return named
    near = normalised(qualifier)
    in_state = [p for p in named if normalised(p.state) == near]
    if in_state:
        return in_state
    anchors = [p for p in places if normalised(p.name) == near]
    scored = [
        (min(distance_km(p.lon, p.lat, a.lon, a.lat) for a in anchors), p) for p in named
    ] if anchors else []  # fmt: skip
    return [p for d, p in sorted(scored, key=lambda dp: dp[0]) if d <= QUALIFIER_KM]


def close_names(query: str, places: list[Place], n: int = 5) -> list[str]:
    """Names of places spelt like the query's name, for "did you mean"."""
    import difflib

    wanted = normalised(query.partition(",")[0])
    names = sorted({normalised(p.name): p.name for p in places}.items())
    found = difflib.get_close_matches(wanted, [k for k, _ in names], n=n, cutoff=0.75)
    lookup = dict(names)
    return [lookup[k] for k in found]
