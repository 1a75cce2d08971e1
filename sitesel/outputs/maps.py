"""The map content of a run: from a :class:`~sitesel.result.Result` to the renderers."""

from __future__ import annotations

from pathlib import Path

from sitesel.render import Elevation, MapData, save_map, site_map
from sitesel.result import Result


def map_data(result: Result) -> MapData:
    """What the HTML map and the PNG summary show of a run."""
    meta = result.manifest
    return MapData(
        name=result.name,
        sites=result.sites,
        units={name: meta.criteria_units[name] for name in meta.criteria},
        weights={name: meta.weights[name] for name in meta.criteria if name in meta.weights},
        area=result.area,
        description=meta.description,
        run_date=meta.run_date[:10],  # the day: reruns that day give the same page
        sources=meta.attribution,
        roads=result.roads,
        targets=result.targets,
        elevation=None
        if result.dem is None
        else Elevation(result.dem.elevation_m, result.dem.transform),
        top_n=meta.top_n,
        taken_land=result.taken_land,
        aggregation=meta.aggregation,
        labels=meta.criteria_labels,
        places=result.places,
        repairs=list((meta.road_graph or {}).get("repairs", [])),
        elevation_tint=meta.elevation_tint,
        max_vector_sites=meta.max_vector_sites,
        language=meta.language,
        allocation=result.allocation,
        allocation_demand=result.allocation_demand,
        allocation_records=meta.allocation,
        routes=result.routes,
        lattice=result.lattice,
        records=result.records,
    )


def write_map(data: MapData, path: Path) -> None:
    """Render and save the HTML map."""
    save_map(site_map(data), path)
