"""Size and load time of the offline HTML map at 1k, 10k and 50k sites.

Sites are hexagons with random scores for five criteria; roads are left out. Load time is
measured in headless Chromium (Debian's package) from navigation to the page's script
reporting ready (every site drawn), with all web requests blocked.

References: for rendering, serialising the same sites as plain GeoJSON
(``GeoDataFrame.to_json()``, what a map embedding GeoJSON carries), whose size is also
reported beside the page's (``html_bytes``, ``reference_bytes``); for load time, the
1k-site page.

    python benchmarks/map_size.py [--quick]     # --quick: 1k and 10k only
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from _common import report

from sitesel.data.sites import hex_grid
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
    )


REWEIGHT_JS = """() => {
  const slider = document.querySelector('input[data-criterion="slope_deg"]');
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
        base_load = None
        for n in sizes:
            data = synthetic(n)
            path = Path(tmp) / f"map{n}.html"
            start = time.perf_counter()
            site_map(data).save(str(path))
            render_s = time.perf_counter() - start
            start = time.perf_counter()
            geojson_bytes = len(data.sites.to_crs(4326).to_json().encode())
            geojson_s = time.perf_counter() - start
            html_bytes = path.stat().st_size
            label = f"{len(data.sites)} sites"
            report(
                "map_render",
                label,
                render_s,
                "geopandas_to_json_same_sites",
                geojson_s,
                html_bytes=html_bytes,
                reference_bytes=geojson_bytes,
                bytes_ratio=round(html_bytes / geojson_bytes, 3),
            )
            timings = [load_and_reweight_seconds(browser, path) for _ in range(2)]
            seconds = min(t[0] for t in timings)
            base_load = base_load or seconds
            report("map_load_seconds", label, seconds, "1k_site_map_load", base_load)
            report(
                "map_reweight_seconds",
                label,
                min(t[1] for t in timings),
                "map_load_seconds",
                seconds,
            )
        browser.close()


if __name__ == "__main__":
    main()
