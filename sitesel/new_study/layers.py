"""The layers a new study needs, chosen for its place from the public layers sitesel knows.

India-wide layers (towns, protected areas, rivers, lakes, runways, DEM tiles) serve every
place; regional ones only where they lie: the official PMGSY road lines and habitations of
Ladakh, the PMGSY habitations of Bihar, the OpenStreetMap road file of the Kesaria area.
Elsewhere roads come from Overpass (OpenStreetMap through osmnx) and workforce from the
GeoNames towns' population (coarse: towns of 500 people and more, no villages).
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sitesel.data.gazetteer import Place
from sitesel.data.tiles import tile_name

Bounds = tuple[float, float, float, float]

REGIONAL: dict[str, Bounds | str] = {
    "pmgsy_roads_ladakh": "Ladakh",
    "habitations_ladakh": "Ladakh",
    "habitations_bihar": "Bihar",
    "osm_roads_kesaria": (84.8116, 26.0771, 85.0942, 26.3722),
}
"""Where each regional layer applies: a state (the place's), or bounds the study must lie in."""


@dataclass(frozen=True)
class LayerPlan:
    """The layers chosen for a place: catalog entries, and which serves which role.

    Attributes
    ----------
    layers
        Layer name -> catalog entry (as ``layers/*.yaml`` holds it).
    roads, workforce, dems
        The layers serving as the road network, the workforce points (with their
        population column) and the DEM stack (finest first).
    notes
        What was chosen and why, for the catalog's comments and the command's output.
    """

    layers: dict[str, dict[str, Any]]
    roads: str
    workforce: tuple[str, str]
    dems: list[str]
    notes: list[str] = field(default_factory=list)


def india_layers() -> dict[str, dict[str, Any]]:
    """Every public layer sitesel knows, by name (``india_layers.yaml``, shipped with it)."""
    text = resources.files("sitesel.new_study").joinpath("india_layers.yaml").read_text("utf-8")
    layers: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return layers


def dted0_checksums() -> dict[str, str]:
    """The DTED0 tiles whose sha256 sitesel knows (tile name -> sha256)."""
    text = resources.files("sitesel.new_study").joinpath("dem_dted0_india.sha256").read_text()
    return {name: sha for sha, name in (line.split() for line in text.splitlines() if line)}


def _applies(where: Bounds | str, place: Place, bounds: Bounds) -> bool:
    if isinstance(where, str):
        return place.state.lower() == where.lower()
    west, south, east, north = where
    return west <= bounds[0] and south <= bounds[1] and bounds[2] <= east and bounds[3] <= north


MARGIN_DEG = 0.3
"""Degrees around the study area whose tiles a run may read (the road network's margin)."""


def corners(bounds: Bounds, margin_deg: float = MARGIN_DEG) -> list[tuple[int, int]]:
    """The south-west corners of the one-degree tiles over the bounds and a margin.

    >>> corners((85.8, 25.4, 86.1, 25.6))
    [(85, 25), (86, 25)]
    """
    west, south, east, north = bounds
    return [
        (lon, lat)
        for lon in range(math.floor(west - margin_deg), math.floor(east + margin_deg) + 1)
        for lat in range(math.floor(south - margin_deg), math.floor(north + margin_deg) + 1)
    ]


def tiles_of(bounds: Bounds) -> list[str]:
    """The DTED0 tile names (``e085/n25.dt0``) a study of the bounds may read."""
    return [tile_name("{ew}{lon:03d}/{ns}{lat:02d}.dt0", x, y) for x, y in corners(bounds)]


def _absent_tiles(name: str, tiles: dict[str, str], data_dir: Path, bounds: Bounds) -> list[str]:
    """The tiles of a set the first run may download, with the size sitesel knows."""
    size = "34 KB each" if tiles["path"].endswith(".dt0") else "size known when served"
    absent = [
        tile_name(tiles["path"], x, y)
        for x, y in corners(bounds)
        if not (data_dir / tile_name(tiles["path"], x, y)).is_file()
    ]
    if not absent:
        return []
    host = urllib.parse.urlsplit(tiles["url"]).netloc
    more = " ..." if len(absent) > 4 else ""
    return [f"{name}: {len(absent)} tile(s), {size} ({', '.join(absent[:4])}{more}) from {host}"]


def plan_layers(place: Place, bounds: Bounds) -> LayerPlan:
    """The layers of a study of ``bounds`` around ``place``.

    Parameters
    ----------
    place
        The place the study is named after (its state picks the regional layers).
    bounds
        The study area's bounds in degrees (west, south, east, north).
    """
    known = india_layers()
    chosen = [n for n, where in REGIONAL.items() if _applies(where, place, bounds)]
    notes = []
    roads = next((n for n in chosen if "roads" in n), "osm_roads")
    if roads == "osm_roads":
        notes.append("roads: OpenStreetMap through Overpass (downloaded by the first run)")
    else:
        notes.append(f"roads: {known[roads]['title']} (in the data folder)")
    habitations = next((n for n in chosen if n.startswith("habitations")), None)
    workforce = (habitations, "TOT_POPULA") if habitations else ("places", "population")
    if habitations is not None:
        notes.append(f"workforce: {known[habitations]['title']} (in the data folder)")
    else:
        notes.append(
            "workforce: GeoNames towns' population (no PMGSY habitations here for this state;"
            " towns of 500+ people only, no villages: replace with the state's habitations or"
            " a population grid when you have one)"
        )
    base = dict(known["dem_dted0_india"])
    listed = dted0_checksums()
    if not all(t in listed for t in tiles_of(bounds)):
        base["tiles"] = {k: v for k, v in base["tiles"].items() if k != "sha256_file"}
        notes.append(
            "elevation: DTED0 tiles beyond those sitesel has checksums for: each is locked on"
            " first download (<catalog>.lock)"
        )
    notes.append(
        "elevation: Copernicus GLO-30 (~30 m) where its tiles can be had, DTED0 (~1 km) beyond"
    )
    wanted = ["places", "states", "railway_stations", "airport_runways", "runway_lines",
              "protected_areas", "rivers", "lakes"]  # fmt: skip
    layers = {n: known[n] for n in wanted}
    layers[roads] = known[roads]
    if habitations:
        layers[habitations] = known[habitations]
    layers["dem_glo30"] = known["dem_glo30"]
    layers["dem_dted0_india"] = base
    return LayerPlan(layers, roads, workforce, ["dem_glo30", "dem_dted0_india"], notes)


def downloads(plan: LayerPlan, data_dir: Path, bounds: Bounds) -> list[str]:
    """What the first run will fetch: each absent file with its address and known size."""
    out = []
    for name, spec in plan.layers.items():
        if spec.get("format") == "overpass":
            west, south, east, north = bounds
            out.append(
                f"{name}: OpenStreetMap roads for {west:.3f},{south:.3f},{east:.3f},{north:.3f}"
                " from Overpass (a few MB; size known when served)"
            )
            continue
        if "tiles" in spec:
            out += _absent_tiles(name, spec["tiles"], data_dir, bounds)
            continue
        path = Path(spec["path"])
        if not (data_dir / path).is_file():
            out.append(f"{name}: {path} from {spec.get('url', 'no public address')}")
    return out
