"""The meeting map in a real browser: headless Chromium with every web request blocked."""

import itertools
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sitesel.exclusions.records import Hits, Records, Source
from sitesel.mcda.aggregation import aggregate, rank_sites
from sitesel.render import MapData, site_map

from ..conftest import ROOT

SCREENSHOTS = ROOT / "test-output"


class Page:
    """A page that records console errors and blocks (and records) every web request."""

    def __init__(self, browser, path: Path):
        self.path = path
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(re.compile(r"^(https?|wss?)://"), self._block)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.sitesel && window.sitesel.ready", timeout=30_000)

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def top_list(self) -> list[str]:
        return self.page.locator("#sitesel-top-list tr").evaluate_all(
            "rows => rows.map(tr => tr.dataset.site)"
        )

    def click_at(self, lat: float, lon: float) -> None:
        """Click the map at a point (brought to the middle of the view first)."""
        self.page.evaluate("p => window.sitesel.centre(p[0], p[1])", [lat, lon])
        point = self.page.evaluate("p => window.sitesel.screenPoint(p[0], p[1])", [lat, lon])
        self.page.mouse.click(point["x"], point["y"])

    def click_site(self, site_id: str) -> None:
        self.page.evaluate("id => window.sitesel.focus(id)", site_id)
        point = self.page.evaluate("id => window.sitesel.pointOf(id)", site_id)
        self.page.mouse.click(point["x"], point["y"])
        self.page.wait_for_selector(".sitesel-card")


def assert_badges_show_ranks_without_overlap(page, top_n: int) -> None:
    """Every top rank is on a badge and no two badges overlap (close ones merge: "1·4")."""
    badges = page.locator(".sitesel-rank")
    texts = badges.all_inner_texts()
    ranks = sorted(int(r) for t in texts for r in t.split("\u00b7"))
    assert ranks == list(range(1, top_n + 1))
    boxes = [badges.nth(k).bounding_box() for k in range(badges.count())]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            )  # fmt: skip
            assert apart, (a, b)


@pytest.fixture
def leh_page(browser, leh_run):
    page = Page(browser, leh_run / "leh.html")
    yield page
    page.page.close()


def payload_of(path: Path) -> dict:
    html = path.read_text()
    return json.loads(re.search(r'id="sitesel-data">(.*?)</script>', html, re.S).group(1))


def test_leh_map_renders_with_no_network(leh_page, leh_run):
    page = leh_page.page
    assert page.evaluate("window.sitesel.sites") == len(payload_of(leh_run / "leh.html")["ids"])
    assert page.locator("canvas").count() >= 1
    assert page.locator(".leaflet-image-layer").count() == 1  # the hillshade
    assert_badges_show_ranks_without_overlap(page, 10)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "leh_map.png"))
    assert leh_page.errors == []
    assert leh_page.blocked == []  # the page asked for nothing from the web


def test_clicking_a_site_opens_its_card(leh_page):
    top = leh_page.top_list()[0]
    leh_page.click_site(top)
    card = leh_page.page.locator(".sitesel-card")
    assert card.get_attribute("data-site") == top
    text = card.inner_text()
    assert "rank 1 of" in text and "Limiting criterion" in text
    assert "Travel time to Leh airport (min)" in text  # the label, not the YAML key
    assert " of Leh" in text.splitlines()[0]  # the site's name from the nearest town
    assert " people" in text and " min" in text  # numbers for people: "31,306 people"
    assert "P(rank 1) under weight uncertainty" in text and "meets the scheme's land rule" in text
    assert card.locator(".sitesel-bar").count() == 6
    # The land rules' flags, one per line, as ranking.csv has them (issue 21).
    ranking = pd.read_csv(leh_page.path.parent / "run" / "ranking.csv", keep_default_na=False)
    flags = ranking.set_index("site_id").loc[top, "flags"].split("; ")
    assert "Land flags (the site still ranks):" in text
    assert card.locator(".sitesel-card-flags li").all_inner_texts() == flags
    assert "terrain from a DEM of (m): 28.3" in text
    leh_page.page.wait_for_timeout(400)  # let the popup's fade-in finish before the picture
    SCREENSHOTS.mkdir(exist_ok=True)
    leh_page.page.screenshot(path=str(SCREENSHOTS / "leh_site_card.png"))
    assert leh_page.errors == []


def test_moving_a_slider_reranks_like_sitesel_does(leh_page, leh_run):
    page = leh_page.page
    before = leh_page.top_list()
    slider = page.locator('input[data-criterion="time_to_airport_min"]')
    slider.focus()
    page.keyboard.press("End")  # airport access now weighs 100 of 100
    after = leh_page.top_list()
    assert after != before
    # The page's ranking equals sitesel's weighted sum and tie-break on the same scores: the
    # moved slider reads 100/100, the others keep the configured weights.
    data = payload_of(leh_run / "leh.html")
    weights = {c["name"]: c["weight"] for c in data["criteria"] if c["weighted"]}
    weights["time_to_airport_min"] = 1.0
    index = {c["name"]: i for i, c in enumerate(data["criteria"])}
    scores = np.column_stack([np.array(data["score"][index[n]], dtype=float) for n in weights])
    suit = aggregate(scores, np.array(list(weights.values())))
    ranks = rank_sites(suit, np.array(data["excluded"], dtype=bool), data["ids"])
    expected = [data["ids"][i] for i in np.argsort(ranks.fillna(10**9).to_numpy())[:10]]
    assert after == expected
    page.click("#sitesel-reset")
    assert leh_page.top_list() == before
    page.click("#sitesel-copy-yaml")
    yaml_text = page.locator("#sitesel-yaml").input_value()
    assert yaml_text.startswith("criteria:\n  time_to_leh_min:\n    weight: 0.214")  # 3 of 14
    assert leh_page.errors == []


def test_colour_by_a_criterion_score(leh_page):
    page = leh_page.page
    page.select_option("#sitesel-colour-by", label="score: Slope, mean (°)")
    assert "excluded" in page.locator(".sitesel-legend").inner_text()
    assert leh_page.errors == []


def test_markup_in_data_is_shown_as_text(browser, tmp_path):
    evil = '<img src=x onerror="window.pwned=1">'
    sites = gpd.GeoDataFrame(
        {
            "site_id": [evil, "plain"],
            "area_ha": [1.0, 1.0],
            "excluded": [False, True],
            "exclusion_reason": ["", "<b>too steep</b>"],
            "raw__t": [5.0, 9.0],
            "score__t": [0.8, 0.2],
            "suitability": [0.8, 0.2],
            "rank": [1, None],
        },
        geometry=[
            shapely.box(500_000, 3_780_000, 500_100, 3_780_100),
            shapely.box(500_200, 3_780_000, 500_300, 3_780_100),
        ],
        crs="EPSG:32643",
    )
    roads = gpd.GeoDataFrame(
        {"road_class": ["NH"], "name": ["</script><script>window.pwned=2</script>"]},
        geometry=[shapely.LineString([(499_900, 3_780_050), (500_400, 3_780_050)])],
        crs="EPSG:32643",
    )
    data = MapData(
        name="escape <test>",
        sites=sites,
        units={"t": "min"},
        weights={"t": 1.0},
        area=gpd.GeoSeries([shapely.box(499_800, 3_779_900, 500_500, 3_780_200)], crs="EPSG:32643"),
        roads=roads,
        top_n=1,
    )
    path = tmp_path / "escape.html"
    site_map(data).save(str(path))
    page = Page(browser, path)
    page.click_site(evil)
    card = page.page.locator(".sitesel-card")
    assert evil in card.inner_text()
    assert page.page.evaluate("window.pwned === undefined")
    assert page.page.locator("img[src=x]").count() == 0
    assert "escape <test>" in page.page.locator(".sitesel-title").inner_text()
    assert page.errors == []


def test_taken_land_and_road_repairs_are_layers_a_planner_switches_on(leh_page, leh_run):
    """Issue 10: the map shows the land excluded as taken (and why) and each road repair."""
    payload = payload_of(leh_run / "leh.html")
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    repairs = manifest["road_graph"]["repairs"]
    assert len(payload["repairs"]["lonlat"]) == len(repairs) > 0
    runway = [r for r in payload["taken"]["reason"] if "500 m of the runway of VILH" in r]
    assert runway and payload["taken"]["action"][payload["taken"]["reason"].index(runway[0])] == (
        "setback"
    )
    assert any(r.startswith("inside Hemis National Park") for r in payload["taken"]["reason"])
    taken = gpd.read_file(leh_run / "run" / "sites.gpkg", layer="taken_land")
    assert len(taken) == len(payload["taken"]["reason"])
    assert set(taken["action"]) == {"exclude", "setback", "flag"}
    page = leh_page.page
    labels = page.locator(".leaflet-control-layers-overlays label")
    names = [t.strip() for t in labels.all_inner_texts()]
    excluded, flagged = "Excluded land", "Flagged land (sites still rank)"
    assert excluded in names and flagged in names
    assert f"Road repairs ({len(repairs)})" in names
    legend = page.locator(".sitesel-legend").inner_text()
    assert "excluded land (layer)" in legend and "flagged land (sites still rank)" in legend
    page.hover(".leaflet-control-layers")  # the switcher opens on hover
    canvas = "document.querySelector('.leaflet-overlay-pane canvas').toDataURL()"
    for name in (excluded, flagged, f"Road repairs ({len(repairs)})"):
        box = labels.filter(has_text=name).locator("input")
        assert not box.is_checked()  # off by default: the sites stay readable
        before = page.evaluate(canvas)
        box.check()
        assert box.is_checked()
        # the layer was drawn (Leaflet redraws the canvas on the next animation frame)
        page.wait_for_function(f"before => {canvas} !== before", arg=before, timeout=5000)
    assert leh_page.errors == []


METHOD_CASES = {
    "weighted_sum": {},
    "weighted_product": {},
    "owa": {"andness": 0.7},
    "owa_order_weights": {"order_weights": [0.1, 0.2, 0.3, 0.4]},
    "topsis": {"normalisation": "min_max"},
    "topsis_vector": {"normalisation": "vector"},
    "vikor": {"v": 0.4},
    "promethee_ii": {
        "preferences": {"c1": {"type": "v_shape", "q": 0.0, "p": 0.3},
                        "c2": {"type": "linear", "q": 0.05, "p": 0.4}},
    },
}  # fmt: skip


def random_run(case: str, n: int = 240, sites_as: str = "boxes"):
    """A run of ``n`` sites with random scores, 20 % excluded, ranked by ``case``'s method.

    ``sites_as``: 100 m squares (``boxes``), the same named as sitesel names hexagons
    (``hex_ids``: ``H<col>_<row>``), or with quotes, a newline and markup in their ids
    (``odd_ids``), or sitesel's 1 ha hexagon grid (``hexagons``).

    Returns the map data, ``top(weights)``: the ten best site ids as sitesel ranks them, and
    ``suitability(weights)``: every site's suitability as sitesel computes it.
    """
    from sitesel.mcda.aggregation import make_aggregator
    from sitesel.mcda.methods import method_of

    method = case.removesuffix("_order_weights").removesuffix("_vector")
    params = METHOD_CASES[case]
    rng = np.random.default_rng(7)
    names = ["c0", "c1", "c2", "c3"]
    scores = rng.random((n, 4)).round(6)
    scores[rng.random((n, 4)) < 0.03] = 0.0  # zeros: the weighted product's veto
    excluded = rng.random(n) < 0.2
    ids = [f"H{k % 20}_{k // 20 - 3}" if sites_as == "hex_ids" else f"S{k:03d}" for k in range(n)]
    if sites_as == "odd_ids":  # parcel ids as a land record might hold them
        ids = [f'S{k:03d} "plot"\n</script> खसरा {k}' for k in range(n)]
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    spec = method_of(method).spec.model_validate({"method": method, **params})
    agg = make_aggregator(scores, spec, candidates=~excluded, names=names)

    def top(w):
        ranks = rank_sites(agg(w), excluded, ids).fillna(10**9).to_numpy()
        return [ids[i] for i in np.argsort(ranks, kind="stable")[:10]]

    suit = agg(weights)
    x, y = 500_000 + 120 * (np.arange(n) % 20), 3_780_000 + 120 * (np.arange(n) // 20)
    cells = shapely.box(x, y, x + 100, y + 100)
    if sites_as == "hexagons":
        from sitesel.data.sites import hex_grid

        area = shapely.box(500_000, 3_780_000, 502_000, 3_781_600)
        grid = hex_grid(area, cell_area_ha=1.0, crs="EPSG:32643").head(n)
        ids, cells = grid["site_id"].tolist(), grid.geometry.to_numpy()
    sites = gpd.GeoDataFrame(
        {"site_id": ids, "area_ha": 1.0, "excluded": excluded,
         "exclusion_reason": np.where(excluded, "test", ""),
         **{f"raw__{c}": scores[:, j] for j, c in enumerate(names)},
         **{f"score__{c}": scores[:, j] for j, c in enumerate(names)},
         "suitability": suit, "rank": rank_sites(suit, excluded, ids).to_numpy()},
        geometry=cells, crs="EPSG:32643",
    )  # fmt: skip
    data = MapData(
        name=case,
        sites=sites,
        units=dict.fromkeys(names, ""),
        weights=dict(zip(names, weights.tolist(), strict=True)),
        area=gpd.GeoSeries([shapely.box(*sites.total_bounds)], crs="EPSG:32643"),
        aggregation={"method": method, **params},
        records=Records((Hits.where(Source("test", "threshold", "test"), "exclude", excluded),)),
    )
    return data, top, agg


@pytest.mark.parametrize("case", list(METHOD_CASES))
def test_the_map_ranks_as_the_table_for_every_method(browser, tmp_path, case):
    """Issue 11: re-ranking in the browser uses the configured method, at the configured
    weights and after a slider moves, and agrees with sitesel's ranking."""
    data, top, _ = random_run(case)
    names = list(data.weights)
    path = tmp_path / f"{case}.html"
    site_map(data).save(str(path))
    page = Page(browser, path)
    assert page.top_list() == top(np.array(list(data.weights.values())))  # as the table ranks
    page.page.evaluate("window.sitesel.rerank()")  # recomputed in the browser
    assert page.top_list() == top(np.array(list(data.weights.values())))
    moved = np.array([0.1, 0.2, 0.3, 0.4])
    page.page.evaluate(
        "w => window.sitesel.setWeights(w)", dict(zip(names, moved.tolist(), strict=True))
    )
    assert page.top_list() == top(moved)
    assert page.errors == []


@pytest.mark.parametrize("case", ["weighted_sum", "topsis", "promethee_ii"])
def test_a_big_map_draws_excluded_sites_as_an_image_and_still_reranks(browser, tmp_path, case):
    """Issue 13, the map at any size: above max_vector_sites the excluded sites are one
    image; the candidates stay vectors, the page still ranks as sitesel (methods relative
    to the pool included), and the constraints panel counts every site."""
    data, top, _ = random_run(case)
    data.max_vector_sites = 200  # 240 sites, 196 candidates
    path = tmp_path / f"{case}.html"
    site_map(data).save(str(path))
    payload = payload_of(path)
    candidates = int((~data.sites["excluded"]).sum())
    assert len(payload["ids"]) == candidates and payload["live"] is True
    page = Page(browser, path)
    assert page.page.locator(".leaflet-image-layer").count() == 1  # the excluded sites
    text = page.page.locator(".sitesel-constraints").inner_text()
    assert f"Excluded: {240 - candidates} of 240 sites" in text
    assert f"test: {240 - candidates}" in text
    page.page.evaluate("window.sitesel.rerank()")
    assert page.top_list() == top(np.array(list(data.weights.values())))
    moved = dict(zip(data.weights, [0.1, 0.2, 0.3, 0.4], strict=True))
    page.page.evaluate("w => window.sitesel.setWeights(w)", moved)
    assert page.top_list() == top(np.array(list(moved.values())))
    assert page.errors == []


def test_a_map_with_too_many_candidates_shows_sitesels_ranking(browser, tmp_path):
    """TOPSIS compares each site with the whole pool: a map that leaves candidates out
    cannot re-rank, so it shows sitesel's ranking and colours, sliders off."""
    data, top, _ = random_run("topsis")
    data.max_vector_sites = 50  # fewer than the 196 candidates: the best 50 stay vectors
    path = tmp_path / "many.html"
    site_map(data).save(str(path))
    assert len(payload_of(path)["ids"]) == 50
    page = Page(browser, path)
    assert "too many candidate sites" in page.page.locator(".sitesel-weights").inner_text()
    assert page.page.locator('input[data-criterion="c0"]').is_disabled()
    assert page.top_list() == top(np.array(list(data.weights.values())))
    page.page.evaluate("window.sitesel.rerank()")  # no re-ranking on a subset of the pool
    assert page.top_list() == top(np.array(list(data.weights.values())))
    assert "Sites beyond the first 50" in page.page.content()
    image = payload_of(path)["image"]
    # for clicks on the image's candidates only (the excluded squares are no lattice)
    assert image["sites"] == 0 and image["picks"]["count"] == 196 - 50
    assert page.errors == []


@pytest.mark.parametrize("case", ["weighted_sum", "owa", "promethee_ii"])
def test_a_map_with_too_many_candidates_repaints_the_rest_as_the_weights_move(
    browser, tmp_path, case
):
    """Issue 13, the map at any size: beyond max_vector_sites the other candidates are an
    image the page repaints from their criterion terms when a slider moves, as sitesel
    would score them; the vector sites still rank as sitesel ranks."""
    data, _, suitability = random_run(case)
    data.max_vector_sites = 50  # fewer than the 196 candidates: the best 50 stay vectors
    path = tmp_path / f"{case}.html"
    site_map(data).save(str(path))
    payload = payload_of(path)
    rank = data.sites["rank"].to_numpy(dtype=float)
    in_image = np.isfinite(rank) & (rank > 50)  # the candidates beyond the best 50
    assert payload["live"] is True and payload["image"]["sites"] == in_image.sum() == 146
    page = Page(browser, path)
    assert page.page.locator(".leaflet-image-layer").count() == 2  # excluded; candidates
    assert not page.page.locator('input[data-criterion="c0"]').is_disabled()
    initial = np.array(list(data.weights.values()))
    painted = np.array(page.page.evaluate("window.sitesel.imageSuitability()"))
    np.testing.assert_allclose(painted, suitability(initial)[in_image], atol=1e-4)
    assert page.page.evaluate("window.sitesel.imageNote()") == ""
    canvas = "document.querySelectorAll('canvas.leaflet-image-layer')[0].toDataURL()"
    before = page.page.evaluate(canvas)
    moved = np.array([0.05, 0.05, 0.1, 0.8])
    page.page.evaluate(
        "w => window.sitesel.setWeights(w)", dict(zip(data.weights, moved, strict=True))
    )
    painted = np.array(page.page.evaluate("window.sitesel.imageSuitability()"))
    np.testing.assert_allclose(painted, suitability(moved)[in_image], atol=1e-4)
    assert page.page.evaluate(canvas) != before  # repainted
    rows, cols = image_pixels(payload["image"], data.sites.geometry.centroid[in_image])
    colours = page.page.evaluate(
        """([rows, cols]) => {
            const c = document.querySelectorAll('canvas.leaflet-image-layer')[0];
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            return rows.map((r, j) => {
                const p = 4 * (r * c.width + cols[j]);
                return '#' + [0, 1, 2].map((k) => px[p + k].toString(16).padStart(2, '0')).join('');
            });
        }""",
        [rows.tolist(), cols.tolist()],
    )
    classes = payload["classes"]["suitability"]
    want = np.searchsorted(classes["edges"][1:-1], suitability(moved)[in_image], side="right")
    rgb = [[int(h[k : k + 2], 16) for k in (1, 3, 5)] for h in colours]
    expected = [[int(classes["colours"][c][k : k + 2], 16) for k in (1, 3, 5)] for c in want]
    # each site in its own class (to +-2 per channel: the canvas stores premultiplied alpha)
    assert np.abs(np.array(rgb) - np.array(expected)).max() <= 2
    vector = np.isfinite(rank) & (rank <= 50)
    last = np.sort(suitability(moved)[vector])[0]
    above = int((suitability(moved)[in_image] > last + 1e-4).sum())
    assert above > 0  # the weights moved enough for image sites to overtake
    assert page.page.evaluate("window.sitesel.imageNote()").startswith(f"{above} of the 146")
    assert page.errors == []


def image_pixels(image: dict, centres: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """The row and column of the live image's pixel under each point (Web Mercator)."""
    corners = gpd.GeoSeries.from_xy(
        [image["south_west"][1], image["north_east"][1]],
        [image["south_west"][0], image["north_east"][0]],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    (x0, x1), (y0, y1) = corners.x.to_numpy(), corners.y.to_numpy()
    merc = centres.to_crs("EPSG:3857")
    cols = np.floor((merc.x.to_numpy() - x0) / (x1 - x0) * image["width"]).astype(int)
    rows = np.floor((y1 - merc.y.to_numpy()) / (y1 - y0) * image["height"]).astype(int)
    return rows, cols


def test_the_legend_holds_still_and_has_no_empty_class(leh_page, leh_run):
    page = leh_page.page
    legend = page.locator(".sitesel-legend")
    before = legend.inner_text()
    slider = page.locator('input[data-criterion="elevation_m"]')
    slider.focus()
    page.keyboard.press("End")
    assert legend.inner_text() == before  # sites recoloured, legend unchanged
    classes = payload_of(leh_run / "leh.html")["classes"]["suitability"]
    ranking = pd.read_csv(leh_run / "run" / "ranking.csv")
    suit = ranking.loc[~ranking["excluded"], "suitability"].to_numpy()
    edges = classes["edges"]
    inner = np.searchsorted(edges[1:-1], suit, side="right")
    assert set(inner) == set(range(len(edges) - 1))  # every class holds a ranked site
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(edges))
    for low, high in itertools.pairwise(edges):
        assert f"{low:.1f} \u2013 {high:.1f}" in before
    page.click("#sitesel-reset")
    assert leh_page.errors == []


@pytest.mark.parametrize(("size", "points"), [("A4", (841.89, 595.28)), ("A3", (1190.55, 841.89))])
def test_the_map_prints_on_one_landscape_page(browser, leh_run, tmp_path, size, points):
    """Issue 11: print layout with title, date, map, legend, top table, scale bar, north
    arrow and sources; no controls. Printed to PDF by headless Chromium."""
    from pypdf import PdfReader

    page = Page(browser, leh_run / "leh.html")
    page.page.emulate_media(media="print")
    page.page.evaluate(f"window.sitesel.preparePrint('{size}')")
    pdf = tmp_path / f"leh_{size}.pdf"
    page.page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(points, abs=1.5)
    text = reader.pages[0].extract_text()
    for expected in ("sitesel: leh", "Run 2026", "Top 10 sites", "of Leh", "excluded",
                     "suitability", "Data: ", "GeoNames (geonames.org)", "Natural Earth",
                     "excluded land", "km", "N"):  # fmt: skip
        assert expected in text, expected
    assert "Copy as YAML" not in text and "Reset" not in text  # controls hidden
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf.replace(SCREENSHOTS / pdf.name)
    assert page.errors == []
    page.page.close()


def test_towns_targets_and_panels_a_meeting_needs(leh_page, leh_run):
    page = leh_page.page
    towns = page.locator(".sitesel-town").all_inner_texts()
    assert "Leh" in towns and "Choglamsar" in towns  # labelled, population-scaled
    assert "VILH" in page.locator(".sitesel-target-label").all_inner_texts()  # the airport
    legend = page.locator(".sitesel-legend").inner_text()
    assert "NH road" in legend and "MDR road" in legend and "other roads" in legend
    labels = page.locator(".leaflet-control-layers-overlays label")
    habitations = labels.filter(has_text="Targets: People within 30 min by road").locator("input")
    assert not habitations.is_checked()  # hundreds of dots: off by default
    data = payload_of(leh_run / "leh.html")
    k = data["targets"]["criterion"].index("workforce_30min")
    assert "workforce_30min" in data["targets"]["many"] and k >= 0
    # The constraints panel counts what ranking.csv says, a site failing several counted
    # under each of its reasons.
    ranking = pd.read_csv(leh_run / "run" / "ranking.csv")
    reasons = ranking["exclusion_reason"].dropna().str.split("; ").explode().value_counts()
    panel = page.locator("#sitesel-constraint-list li").all_inner_texts()
    top = reasons.index[0]
    assert f"{top}: {reasons.iloc[0]:,}" in panel
    excluded = int(ranking["excluded"].sum())
    assert (
        f"Excluded: {excluded:,} of {len(ranking):,} sites"
        in page.locator(".sitesel-constraints").inner_text()
    )
    # The top table: rank, site name, suitability, limiting factor, area.
    first = page.locator("#sitesel-top-list tr").first.inner_text().split("\t")
    best = ranking.iloc[0]
    assert first[:3] == ["1", best["place"], f"{best['suitability']:.3f}"]
    assert first[4] == "40 ha"
    assert leh_page.errors == []


def test_sliders_are_off_for_a_method_the_page_cannot_compute(browser, tmp_path):
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "area_ha": 1.0, "excluded": False, "exclusion_reason": "",
         "raw__t": [1.0, 2.0], "score__t": [0.2, 0.8], "suitability": [0.2, 0.8],
         "rank": [2, 1]},
        geometry=[shapely.box(500_000, 3_780_000, 500_100, 3_780_100),
                  shapely.box(500_200, 3_780_000, 500_300, 3_780_100)],
        crs="EPSG:32643",
    )  # fmt: skip
    data = MapData(
        name="other", sites=sites, units={"t": ""}, weights={"t": 1.0},
        area=gpd.GeoSeries([shapely.box(*sites.total_bounds)], crs="EPSG:32643"),
        aggregation={"method": "electre_iii"},
    )  # fmt: skip
    path = tmp_path / "other.html"
    site_map(data).save(str(path))
    page = Page(browser, path)
    assert "Sliders off" in page.page.locator(".sitesel-weights").inner_text()
    assert page.page.locator('input[data-criterion="t"]').is_disabled()
    assert page.top_list() == ["b", "a"]
    assert page.errors == []


def test_a_browser_that_cannot_inflate_the_image_says_so(browser, tmp_path):
    """Without DecompressionStream (older browsers) the big map's image cannot be drawn:
    the weights panel says so and which browsers can, instead of failing silently."""
    data, _, _ = random_run("weighted_sum")
    data.max_vector_sites = 50
    path = tmp_path / "old.html"
    site_map(data).save(str(path))
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script("delete window.DecompressionStream")
    page.goto(path.as_uri())
    note = page.locator(".sitesel-image-note")
    note.filter(has_text="could not draw").wait_for(timeout=10_000)
    assert "needs DecompressionStream" in note.inner_text()
    assert page.evaluate("window.sitesel.ready") is False
    assert any("could not be drawn" in e for e in errors)
    page.close()


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_colour_by_control_fits_its_panel(browser, leh_run, width):
    """Issue 27: the select stays inside the legend panel at a laptop's and a projector's
    width, and in print."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((leh_run / "leh.html").as_uri())
    page.wait_for_function("window.sitesel && window.sitesel.ready", timeout=30_000)
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        select = page.locator("#sitesel-colour-by").bounding_box()
        panel = page.locator(".sitesel-legend").bounding_box()
        assert panel is not None
        if select is None:  # print hides the controls (the legend stays)
            assert media == "print"
            continue
        assert select["x"] >= panel["x"] - 0.5
        assert select["x"] + select["width"] <= panel["x"] + panel["width"] + 0.5, media
    page.close()


def test_selecting_a_site_draws_its_routes(leh_page, leh_run):
    """Issue 24: the selected site's stored routes are drawn, with km and minutes on the
    card; they are the lines the run stored (routes in sites.gpkg)."""
    routes = gpd.read_file(leh_run / "run" / "sites.gpkg", layer="routes")
    top = leh_page.top_list()[0]
    mine = routes[routes["site_id"] == top]
    assert len(mine) >= 2
    leh_page.click_site(top)
    page = leh_page.page
    drawn = page.evaluate("window.sitesel.routesDrawn()")
    parts = sum(len(shapely.get_parts(g)) for g in mine.geometry)
    assert len(drawn) == parts
    # The drawn lines are the run's: their length (great-circle, Leaflet) is its km, to 1 %.
    for row in mine.itertuples():
        label = f": {row.km:.1f} km, {row.minutes:.0f} min"
        metres = sum(m for text, m in drawn if text.endswith(label))
        assert metres == pytest.approx(row.km * 1000, rel=0.01)
    text = page.locator(".sitesel-card-routes").inner_text()
    for row in mine.itertuples():
        assert f"{row.km:.1f} km, {row.minutes:.0f} min by {row.roads}" in text
    page.locator(".leaflet-popup-close-button").click()
    assert page.evaluate("window.sitesel.routesDrawn()") == []
    assert leh_page.errors == []


@pytest.mark.parametrize(
    ("case", "sites_as"),
    [("weighted_sum", "hex_ids"), ("topsis", "boxes"), ("promethee_ii", "boxes"),
     ("weighted_sum", "hexagons"), ("owa", "odd_ids")],
)  # fmt: skip
def test_a_click_on_a_big_maps_image_opens_the_sites_card(browser, tmp_path, case, sites_as):
    """Issue 24: above max_vector_sites, a click on a site of the image opens its card as on
    a small map: its id, its rank among every candidate, each criterion's raw value and
    score (to the image's quantisation); an excluded site's card says why. Live images
    (weighted sum) and sitesel-coloured ones (TOPSIS), lattice ids and plain ones."""
    data, _, _ = random_run(case, sites_as=sites_as)
    assert len(data.sites) == 240
    data.max_vector_sites = 50  # the best 50 candidates are shapes, 146 candidates and
    path = tmp_path / f"{case}.html"  # the 44 excluded sites are the image
    site_map(data).save(str(path))
    page = Page(browser, path)
    sites = data.sites
    centres = sites.geometry.centroid.to_crs("EPSG:4326")
    rank = sites["rank"].to_numpy(dtype=float)
    candidates = int(np.isfinite(rank).sum())
    for k in (int(np.flatnonzero(rank == 60)[0]), int(np.flatnonzero(rank == candidates)[0])):
        page.click_at(centres.y.iloc[k], centres.x.iloc[k])
        card = page.page.locator(".sitesel-card")
        card.wait_for()
        assert card.get_attribute("data-site") == sites["site_id"].iloc[k]
        text = card.inner_text()
        assert f"rank {int(rank[k])} of {candidates} (in the image)" in text
        assert f"Suitability {sites['suitability'].iloc[k]:.3f}" in text
        cells = card.locator("tr").evaluate_all(
            "rows => rows.slice(1).map(r => Array.from(r.cells).map(c => c.textContent))"
        )
        for j, row in enumerate(cells):  # criterion, raw value, score, weight, contribution
            assert row[1] == f"{sites[f'raw__c{j}'].iloc[k]:.2f}"
            assert row[2] == f"{sites[f'score__c{j}'].iloc[k]:.2f}"
        page.page.evaluate("window.sitesel.closeCard()")
        card.wait_for(state="detached")  # after the popup's fade
    # Excluded sites: found by lattice arithmetic on sitesel's hexagons (UTM), at points
    # off their centre; on other grids not clickable (no card opens).
    excluded = np.flatnonzero(sites["excluded"].to_numpy())[:4]
    side = np.sqrt(2 * 10_000 / (3 * np.sqrt(3)))  # of a 1 ha hexagon
    for k, angle in zip(excluded, (0, 100, 200, 300), strict=True):
        c = sites.geometry.iloc[k].centroid  # 0.8 of the inradius off the centre
        r = 0.8 * side * np.sqrt(3) / 2
        point = gpd.GeoSeries(
            [
                shapely.Point(
                    c.x + r * np.cos(np.radians(angle)), c.y + r * np.sin(np.radians(angle))
                )
            ],
            crs=sites.crs,
        ).to_crs("EPSG:4326")
        assert sites.geometry.iloc[k].contains(point.to_crs(sites.crs).iloc[0])
        page.click_at(point.y.iloc[0], point.x.iloc[0])
        card = page.page.locator(".sitesel-card")
        if sites_as != "hexagons":
            page.page.wait_for_timeout(200)
            assert card.count() == 0
            continue
        card.wait_for()
        assert card.get_attribute("data-site") == sites["site_id"].iloc[k]
        assert "Excluded: test" in card.inner_text()
        page.page.evaluate("window.sitesel.closeCard()")
        card.wait_for(state="detached")  # after the popup's fade
    assert page.errors == []


def test_the_pages_utm_projection_agrees_with_pyproj(browser, tmp_path):
    """The page projects a click to UTM to find an excluded hexagon: within a millimetre
    of PROJ, across a zone (its central meridian to 3.5 degrees off) and in both
    hemispheres."""
    import pyproj

    data, _, _ = random_run("weighted_sum")
    path = tmp_path / "utm.html"
    site_map(data).save(str(path))
    page = Page(browser, path)
    for lat, lon, zone in [(34.16, 77.58, 43), (25.6, 85.1, 45), (-33.9, 18.4, 34),
                           (60.2, 24.9, 35), (34.0, 71.5, 43), (0.0, 75.0, 43)]:  # fmt: skip
        south = lat < 0
        epsg = (32700 if south else 32600) + zone
        want = pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
        got = page.page.evaluate("p => window.sitesel.utm(...p)", [lat, lon, zone, south])
        assert got == pytest.approx(list(want), abs=1e-3)


def test_the_card_writes_raw_values_as_the_dossier_does(browser, tmp_path):
    """One table (sitesel.render.units_text) says how a value is written with its unit:
    the page's script writes every unit as the dossier does."""
    from sitesel.render.units_text import RAW_DIGITS, raw_text

    data, _, _ = random_run("weighted_sum")
    path = tmp_path / "units.html"
    site_map(data).save(str(path))
    page = Page(browser, path)
    for unit in [*RAW_DIGITS, "crore", "share", ""]:
        for value in (31594.237, 3.914, 0.0, -0.0, -12.5, 2.675, 0.125, 0.005, 1e-9, -0.4,
                      12345678.5, 1e21, float("nan"), float("inf")):  # fmt: skip
            got = page.page.evaluate("p => sitesel_format.fmtRaw(p[0], p[1])", [value, unit])
            assert got == raw_text(value, unit), (unit, value)


def test_a_cards_numbers_are_the_runs_value_by_value(leh_page, leh_run):
    """The card of each of the top three: its rank among the ranked sites, and per criterion
    the raw value, score and weight the run's tables hold, written as the README's units
    table says (the dossier's test reads the same table)."""
    from .test_report import WRITTEN

    run = leh_run / "run"
    manifest = json.loads((run / "manifest.json").read_text())
    ranking = pd.read_csv(run / "ranking.csv").set_index("site_id")
    ranked = int(ranking["rank"].notna().sum())
    labels, units = manifest["criteria_labels"], manifest["criteria_units"]
    tops = leh_page.top_list()[:3]
    assert len(tops) == 3
    for k, sid in enumerate(tops, start=1):
        leh_page.click_site(sid)
        card = leh_page.page.locator(".sitesel-card")
        assert f"rank {k} of {ranked:,}" in card.inner_text()
        rows = card.locator(".sitesel-card-table tr").evaluate_all(
            "rows => rows.slice(1).map(tr => [...tr.cells].map(td => td.innerText.trim()))"
        )
        cells = {r[0]: r[1:] for r in rows}
        assert len(cells) == len(manifest["criteria"])
        site = ranking.loc[sid]
        for name in manifest["criteria"]:
            raw, score, weight, *_ = cells[labels[name]]
            value = site[f"raw__{name}"]
            assert raw == ("no value" if pd.isna(value) else WRITTEN[units[name]](value)), name
            share = manifest["weights"].get(name)
            if share is None:
                assert (score, weight) == ("-", "not weighted"), name
            else:
                assert score == f"{site[f'score__{name}']:.2f}", name
                assert weight == f"{100 * share:.0f}%", name
        leh_page.page.locator(".leaflet-popup-close-button").click()
    assert leh_page.errors == []
