"""A district-sized map: its bytes, and how long it takes to open, to repaint and to pick.

Above ``map.max_vector_sites`` the sites not drawn as shapes travel as an image: an index
raster, the live candidates' terms (repainted as the weights move) and, for a click, every
image site's card values (:mod:`sitesel.render.meeting_map.image_picks`). This measures a synthetic
hexagon grid of the whole Leh district's size (383k sites of 40 ha, random scores for five
criteria, 30 % excluded) in headless Chromium with web requests blocked: the page's bytes
and how many the picks add, seconds to open (image drawn), to repaint on a slider, and
from a click on an image site to its card.

    python benchmarks/big_map.py [--sites N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import report
from map_size import load_and_reweight_seconds, synthetic

from sitesel.render import site_map
from sitesel.render.meeting_map.payload import pack
from sitesel.render.site_image import vector_sites


def click_to_card_seconds(browser, path: Path, lat: float, lon: float) -> float:
    """Seconds from a click on the image at (lat, lon) to the site's card showing."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("http*://**", lambda route: route.abort())
    page.goto(path.as_uri())
    page.wait_for_function("window.sitesel && window.sitesel.ready", timeout=300_000)
    page.evaluate("p => window.sitesel.centre(p[0], p[1])", [lat, lon])
    point = page.evaluate("p => window.sitesel.screenPoint(p[0], p[1])", [lat, lon])
    start = time.perf_counter()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(".sitesel-card")
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=383_000)
    args = parser.parse_args()
    data = synthetic(args.sites)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "big.html"
        start = time.perf_counter()
        site_map(data).save(str(path))
        render_s = time.perf_counter() - start
        html_bytes = path.stat().st_size
        picks_bytes = len(json.dumps(pack(data)["image"]["picks"]))
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        load_s, reweight_s = load_and_reweight_seconds(browser, path)
        vector = vector_sites(data.sites, data.max_vector_sites)
        image_site = int(np.flatnonzero(~vector & ~data.sites["excluded"].to_numpy())[0])
        centre = data.sites.geometry.iloc[[image_site]].centroid.to_crs("EPSG:4326").iloc[0]
        click_s = click_to_card_seconds(browser, path, centre.y, centre.x)
        browser.close()
    label = f"{len(data.sites)} sites, {int((~vector).sum())} in the image"
    report("big_map_render", label, render_s, "none", None, html_bytes=html_bytes,
           picks_bytes=picks_bytes)  # fmt: skip
    report("big_map_load", label, load_s, "none", None)
    report("big_map_reweight", label, reweight_s, "none", None)
    report("big_map_click_to_card", label, click_s, "none", None)


if __name__ == "__main__":
    main()
