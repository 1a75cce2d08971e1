"""Size and load time of the offline HTML map: the real Leh run, and 1k to 50k sites.

The real case is the map of ``configs/leh.yaml`` (4,844 sites, 7 criteria, roads, towns,
targets). The synthetic cases are hexagons with random scores for five criteria, roads
left out. Load time is measured in headless Chromium (Debian's package) from navigation
to the page's script reporting ready (every site drawn), with all web requests blocked;
median of 3 loads.

Reference for rendering: ``GeoDataFrame.explore()`` of the same sites with every column
(what an analyst makes in a notebook; a folium page that loads Leaflet from the web, so its
load time cannot be measured offline), median of 3 renders on both sides.

    python benchmarks/map_size.py [--quick]     # --quick: the Leh map, 1k and 10k only
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from _common import median_of, report

from sitesel.data.sites import hex_grid
from sitesel.exclusions.records import Hits, Records, Source
from sitesel.render import MapData, site_map

CRITERIA = ["time_to_town_min", "time_to_airport_min", "highway_km", "slope_deg", "elev_m"]


def synthetic(n_sites: int, seed: int = 0) -> MapData:
    side_m = np.sqrt(n_sites * 40.47 * 10_000) * 1.05
    area = shapely.box(500_000, 3_700_000, 500_000 + side_m, 3_700_000 + side_m)
    sites = hex_grid(area, cell_area_ha=40.47, crs="EPSG:32643")
    rng = np.random.default_rng(seed)
    n = len(sites)
    cols: dict[str, object] = {"area_ha": np.full(n, 40.47)}
    for name in CRITERIA:
        cols[f"raw__{name}"] = rng.uniform(0, 100, n)
        cols[f"score__{name}"] = rng.uniform(0, 1, n)
    excluded = rng.random(n) < 0.3
    suit = np.mean([cols[f"score__{c}"] for c in CRITERIA], axis=0)
    order = np.lexsort((sites["site_id"].to_numpy(), -suit))
    rank = np.full(n, np.nan)
    kept = order[~excluded[order]]
    rank[kept] = np.arange(1, len(kept) + 1)
    sites = sites.assign(
        **cols,
        excluded=excluded,
        exclusion_reason=np.where(excluded, "too steep", ""),
        suitability=suit,
        rank=rank,
    )
    return MapData(
        name=f"bench{n}",
        sites=sites,
        units=dict.fromkeys(CRITERIA, "unit"),
        weights=dict.fromkeys(CRITERIA, 0.2),
        area=gpd.GeoSeries([area], crs=sites.crs),
        records=Records((Hits.where(STEEP, "exclude", excluded),)),
    )


STEEP = Source("slope", "threshold", "too steep")

REWEIGHT_JS = """() => {
  const slider = document.querySelector('input[data-criterion]');
  slider.value = "90";
  const start = performance.now();
  slider.dispatchEvent(new Event("input"));
  return (performance.now() - start) / 1000;
}"""


def load_and_reweight_seconds(browser, path: Path) -> tuple[float, float]:
    """Seconds to open the page (all sites drawn), and to re-rank and recolour on a slider."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("http*://**", lambda route: route.abort())
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.sitesel && window.sitesel.ready", timeout=120_000)
    seconds = time.perf_counter() - start
    reweight = page.evaluate(REWEIGHT_JS)
    page.close()
    return seconds, reweight


def explore_html(data: MapData, path: Path) -> None:
    """The analyst's map: geopandas' explore() of the same sites, every column."""
    data.sites.explore(column="suitability").save(str(path))


def measure_map(browser, data: MapData, folder: Path, label: str) -> None:
    """Render the map and explore()'s, compare sizes; load and re-weight ours."""
    path, theirs = folder / "map.html", folder / "explore.html"
    render_s, _ = median_of(lambda: site_map(data).save(str(path)))
    explore_s, _ = median_of(lambda: explore_html(data, theirs))
    html_bytes, explore_bytes = path.stat().st_size, theirs.stat().st_size
    report(
        "map_render",
        label,
        render_s,
        "geopandas_explore_same_sites",
        explore_s,
        html_bytes=html_bytes,
        reference_bytes=explore_bytes,
        bytes_ratio=round(html_bytes / explore_bytes, 3),
    )
    timings = [load_and_reweight_seconds(browser, path) for _ in range(3)]
    load_s = statistics.median(t[0] for t in timings)
    report("map_load_seconds", label, load_s, "none (explore() needs the web)", None)
    report(
        "map_reweight_seconds",
        label,
        statistics.median(t[1] for t in timings),
        "map_load_seconds",
        load_s,
    )


def leh_map_data(folder: Path) -> MapData:
    """The map data of a real Leh run (configs/leh.yaml, data from SITESEL_DATA_DIR)."""
    from sitesel.api import run_and_write
    from sitesel.outputs.maps import map_data

    root = Path(__file__).resolve().parents[1]
    data_dir = Path(os.environ.get("SITESEL_DATA_DIR", root.parent / "shared" / "data"))
    result, _ = run_and_write(
        root / "configs" / "leh.yaml",
        data_dir=data_dir,
        offline=True,
        out_dir=folder / "leh",
        map_path=folder / "leh.html",
    )
    return map_data(result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 50_000]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for n in sizes:
            data = synthetic(n)
            measure_map(browser, data, Path(tmp), f"{len(data.sites)} sites")
        leh = leh_map_data(Path(tmp))
        measure_map(browser, leh, Path(tmp), f"Leh run: {len(leh.sites)} sites")
        browser.close()


if __name__ == "__main__":
    main()
