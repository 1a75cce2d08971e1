"""Comparing two scenarios (issue 27): changes among the sites both rank, a class for sites
ranked in one run only (and why), names before codes, and different studies in one line."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from sitesel.mcda.compare import compare_rankings

from ..cases import sitesel
from ..conftest import ROOT


def test_a_run_ranking_more_sites_does_not_make_everyone_fall():
    """A ranks x, y, z; B ranks the same three in the same order, plus 100 sites above
    them: every rank number grows, but among the common sites nothing moved."""
    a = pd.DataFrame({"site_id": ["x", "y", "z"], "rank": [1, 2, 3], "place": ["X", "Y", "Z"]})
    extra = pd.DataFrame({"site_id": [f"n{i}" for i in range(100)], "rank": range(1, 101)})
    b = pd.concat([extra, pd.DataFrame({"site_id": ["x", "y", "z"], "rank": [101, 102, 103]})])
    c = compare_rankings(a, b, weights_a={}, weights_b={}, top_k=2)
    assert c.n_common == 3 and (c.moved["change"] == 0).all()
    sites = c.sites.set_index("site_id")
    assert sites.loc["n5", "class"] == "ranked in B only"
    assert sites.loc["n5", "why"] == "A excludes it: not a site of A"
    assert c.leaving == ["X (x)", "Y (y)"]  # names first, the id in brackets


def test_the_class_of_a_site_ranked_in_one_run_says_why():
    a = pd.DataFrame({"site_id": ["x", "y"], "rank": [1, None],
                      "exclusion_reason": ["", "mean slope above 15 degrees"]})  # fmt: skip
    b = pd.DataFrame({"site_id": ["x", "y"], "rank": [None, 1],
                      "exclusion_reason": ["within 500 m of the runway of VILH", ""]})  # fmt: skip
    sites = compare_rankings(a, b, weights_a={}, weights_b={}).sites.set_index("site_id")
    assert sites.loc["x", "class"] == "ranked in A only"
    assert sites.loc["x", "why"] == "B excludes it: within 500 m of the runway of VILH"
    assert sites.loc["y", "why"] == "A excludes it: mean slope above 15 degrees"


def test_runs_of_different_studies_say_so_and_write_the_map(leh_run, tmp_path, data_dir):
    bihar = tmp_path / "bihar"
    result = sitesel("run", ROOT / "configs" / "bihar_kesaria.yaml", "--out", bihar, "--map",
                     tmp_path / "b.html", "--data-dir", data_dir, "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    target = tmp_path / "cmp.html"
    result = sitesel("compare", leh_run / "run", bihar, "--map", target)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("leh vs bihar_kesaria: no site is ranked in both runs")
    html = target.read_text()
    assert "ranked in A only (B excludes it)" in html and "ranked in B only" in html
    data = re.findall(r'"Why": "([^"]*)"', html)
    assert any(w.startswith("B excludes it: not a site of B") for w in data)


def test_the_compare_summary_names_places(leh_run, tmp_path):
    result = sitesel("compare", leh_run / "run", leh_run / "run", "--json", "--map",
                     tmp_path / "m.html")  # fmt: skip
    found = json.loads(result.output)
    assert found["moved_most"] and "place" in found["moved_most"][0]
    assert all(" of " in m["place"] for m in found["moved_most"])


@pytest.mark.parametrize("column", ["common_a", "common_b", "pct_a", "pct_b", "class", "why"])
def test_the_comparison_table_has_what_the_map_colours_by(column):
    a = pd.DataFrame({"site_id": ["x"], "rank": [1]})
    assert column in compare_rankings(a, a, weights_a={}, weights_b={}).sites


@pytest.fixture(scope="module")
def compare_page(leh_run, tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("ahp")
    result = sitesel("run", ROOT / "configs" / "leh_ahp.yaml", "--out", out / "run", "--map",
                     out / "ahp.html", "--data-dir", data_dir, "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    target = out / "cmp.html"
    result = sitesel("compare", leh_run / "run", out / "run", "--map", target, "--json")
    assert result.exit_code == 0, result.output
    return target, json.loads(result.output)


def test_the_compare_map_reads_like_the_meeting_map(compare_page):
    """Issue 27: towns, roads, the movers marked and listed, the A / B / change toggle, and
    one A3 page in print; the class of a site ranked in one run only explained."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    executable = os.environ.get("SITESEL_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.skip("no chromium here (CI installs Debian's)")
    target, found = compare_page
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable,
                                       args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors, blocked = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r"^(https?|wss?)://"), lambda r: (blocked.append(1), r.abort()))
        page.goto(target.as_uri())
        page.wait_for_selector(".sitesel-town")
        towns = page.locator(".sitesel-town").all_inner_texts()
        assert "Leh" in towns and "Choglamsar" in towns
        labels = [
            t.strip() for t in page.locator(".leaflet-control-layers label").all_inner_texts()
        ]
        assert {"Rank change, A to B", "suitability in leh", "suitability in leh_ahp", "Roads",
                "Entering and leaving the top 10"} <= set(labels)  # fmt: skip
        movers = page.locator(".sitesel-mover").all_inner_texts()
        entering, leaving = found["entering_top10"], found["leaving_top10"]
        assert len(movers) == len(entering) + len(leaving) > 0
        table = page.locator(".sitesel-movers").inner_text()
        for name in entering + leaving:
            assert name in table
        page.emulate_media(media="print")
        pdf = target.with_suffix(".pdf")
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        reader = PdfReader(str(pdf))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx((1190.55, 841.89), abs=1.5)
        assert errors == [] and blocked == []
        browser.close()
    html = target.read_text()
    assert "ranked in B only (A excludes it)" in html
    assert re.search(r'"Why": "[AB] excludes it: ', html)


# ------------------------------------------------------------- issue 32: overlap, CRS


@pytest.mark.parametrize(
    ("ranks_a", "ranks_b", "top_k", "overlap"),
    [
        # Five ranked sites compared with themselves: all of the places there are.
        ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 10, 1.0),
        # Three places each can fill: one of them shared (not 1 in 10).
        ([1, 2, 3, None, None], [1, None, None, 2, 3], 10, 1 / 3),
        # Five places A fills, three B does: all three of B's are A's.
        ([1, 2, 3, 4, 5], [1, None, None, 2, 3], 10, 1.0),
        # k below both: the usual top-k share, here 2 of 3.
        ([1, 2, 3, 4, 5], [2, 1, 5, 3, 4], 3, 2 / 3),
    ],
)
def test_the_overlap_is_of_the_places_both_runs_can_fill(ranks_a, ranks_b, top_k, overlap):
    ids = list("abcde")
    a = pd.DataFrame({"site_id": ids, "rank": ranks_a})
    b = pd.DataFrame({"site_id": ids, "rank": ranks_b})
    c = compare_rankings(a, b, weights_a={}, weights_b={}, top_k=top_k)
    # By hand: the top k of each (at most k, at most what each ranks), their intersection.
    top_a = {i for i, r in zip(ids, ranks_a, strict=True) if r is not None and r <= top_k}
    top_b = {i for i, r in zip(ids, ranks_b, strict=True) if r is not None and r <= top_k}
    assert len(top_a & top_b) / min(top_k, len(top_a), len(top_b)) == pytest.approx(overlap)
    assert c.top_k_overlap == pytest.approx(overlap)


def test_a_run_folder_whose_crs_proj_does_not_know(leh_run, tmp_path):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(leh_run / "run", folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["working_crs"] = "EPSG:999999"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    commands = [
        ["report", folder, "--out", tmp_path / "r"],
        ["map", folder, "--map", tmp_path / "m.html"],
        ["compare", folder, leh_run / "run", "--map", tmp_path / "c.html"],
    ]
    for command in commands:
        result = sitesel(*command)
        assert result.exit_code == 2, result.output
        line = result.stderr.strip()
        assert len(line.splitlines()) == 1
        assert f"{folder / 'manifest.json'}: working_crs: 'EPSG:999999' is not a CRS PROJ" in line
    assert not (tmp_path / "r").exists() and not (tmp_path / "m.html").exists()


def test_the_compare_map_counts_changes_among_the_sites_both_rank():
    """B ranks five new sites above A's three and swaps x and y: on the map x fell one
    place, y rose one and z kept its place (raw rank numbers would say all three fell)."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap

    ids = ["x", "y", "z", *[f"n{i}" for i in range(5)]]
    a = pd.DataFrame({"site_id": ids, "rank": [1, 2, 3, None, None, None, None, None]})
    b = pd.DataFrame({"site_id": ids, "rank": [7, 6, 8, 1, 2, 3, 4, 5]})
    sites = gpd.GeoDataFrame(
        {"site_id": ids},
        geometry=[shapely.box(i * 100, 0, i * 100 + 90, 90) for i in range(8)],
        crs="EPSG:32643",
    )
    ranks = compare_rankings(a, b, weights_a={}, weights_b={}).sites
    fmap = diffmap.difference_map(sites, ranks, title="t", label_a="rank in A",
                                  label_b="rank in B")  # fmt: skip
    html = fmap.get_root().render()
    features = {}
    for blob in re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"', html):
        for f in json.loads(blob):
            props = f["properties"]
            if "Change among the sites both rank" in props:
                features.setdefault(re.sub(r".*\((\w+)\)$|^(\w+)$", r"\1\2", props["Site"]),
                                    props)  # fmt: skip
    change = {k: features[k]["Change among the sites both rank"] for k in ("x", "y", "z")}
    assert change == {"x": "-1", "y": "+1", "z": "0"}
    colour = {k: features[k]["_colour"] for k in ("x", "y", "z", "n0")}
    moved = [*diffmap.FELL, *diffmap.ROSE]
    assert colour["x"] in diffmap.FELL and colour["y"] in diffmap.ROSE
    assert colour["z"] == diffmap.SAME
    assert colour["n0"] == diffmap.ONLY_B and colour["n0"] not in [*moved, diffmap.SAME]
    assert features["n0"]["Why"] == "A excludes it: not a site of A"


def test_the_compare_maps_views_draw_each_site_where_it_is_in_its_colours():
    """Three base layers (the change, then A's and B's suitability in fifths), each drawing
    every site at its place: the outline simplified by at most a few metres, never moved
    or collapsed. Suitability views are coloured from the run's value, hand-worked here."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap

    ids = ["x", "y", "z"]
    a = pd.DataFrame({"site_id": ids, "rank": [1, 2, 3]})
    b = pd.DataFrame({"site_id": ids, "rank": [2, 1, 3]})
    sites = gpd.GeoDataFrame(
        {"site_id": ids},
        geometry=[shapely.Point(500_000 + 900 * i, 3_780_000).buffer(350) for i in range(3)],
        crs="EPSG:32643",
    )  # 38 ha discs near Leh
    ranks = compare_rankings(a, b, weights_a={}, weights_b={}).sites
    context = diffmap.Context(
        suitability_a=pd.Series({"x": 0.95, "y": 0.5, "z": 0.1}),
        suitability_b=pd.Series({"x": 0.7, "y": 0.99, "z": 0.25}),
    )
    fmap = diffmap.difference_map(sites, ranks, title="t", label_a="rank in A",
                                  label_b="rank in B", context=context)  # fmt: skip
    html = fmap.get_root().render()
    layers = re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"', html)
    assert len(layers) == 3
    for view in ("Rank change, A to B", "suitability in A", "suitability in B"):
        assert f'"{view}"' in html, f"no {view!r} layer in the control"
    by_view = [{f["properties"]["Site"]: f for f in json.loads(blob)} for blob in layers]
    fifths = diffmap.SUIT_COLOURS
    colours = [[view[s]["properties"]["_colour"] for s in ids] for view in by_view]
    assert colours[1] == [fifths[4], fifths[2], fifths[0]]  # 0.95, 0.5, 0.1
    assert colours[2] == [fifths[3], fifths[4], fifths[1]]  # 0.7, 0.99, 0.25
    for view in by_view:
        for sid, original in zip(ids, sites.geometry, strict=True):
            drawn = gpd.GeoSeries([shapely.geometry.shape(view[sid]["geometry"])],
                                  crs="EPSG:4326").to_crs(sites.crs).iloc[0]  # fmt: skip
            assert shapely.hausdorff_distance(drawn, original) < 10, f"{sid} drawn elsewhere"
            assert abs(drawn.area / original.area - 1) < 0.02


def test_the_compare_maps_sites_are_filled_with_their_class_colour_in_switchable_views():
    """Each site's fill is its class colour (the map's whole message), and the views are
    base layers of an open control (one shown at a time, not stacked overlays)."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap

    ids = ["x", "y", "z"]
    a = pd.DataFrame({"site_id": ids, "rank": [1, 2, 3]})
    b = pd.DataFrame({"site_id": ids, "rank": [3, 2, 1]})
    sites = gpd.GeoDataFrame(
        {"site_id": ids},
        geometry=[shapely.box(i * 100, 0, i * 100 + 90, 90) for i in range(3)],
        crs="EPSG:32643",
    )
    ranks = compare_rankings(a, b, weights_a={}, weights_b={}).sites
    context = diffmap.Context(suitability_a=pd.Series({"x": 0.9, "y": 0.5, "z": 0.1}))
    fmap = diffmap.difference_map(sites, ranks, title="t", label_a="rank in A",
                                  label_b="rank in B", context=context)  # fmt: skip
    html = fmap.get_root().render()
    layers = [json.loads(blob) for blob in
              re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"', html)]  # fmt: skip
    stylers = re.findall(r"function geo_json_\w+_styler\(feature\) \{(.*?)\n\s*\}\n", html, re.S)
    assert len(layers) == len(stylers) == 2
    for features, styler in zip(layers, stylers, strict=True):
        cases = dict(re.findall(r'case "(\d+)": (?:case "\d+": )*\s*return (\{.*?\});', styler))
        default = json.loads(re.search(r"default:\s*return (\{.*?\});", styler)[1])
        for f in features:
            style = json.loads(cases[f["id"]]) if f["id"] in cases else default
            assert style["fillColor"] == f["properties"]["_colour"], "a site shows another colour"
            assert 0 < style["fillOpacity"] <= 1
    base = re.search(r"base_layers : \{(.*?)\}", html, re.S)[1]
    assert re.findall(r'"([^"]+)" :', base) == ["Rank change, A to B", "suitability in A"]
    control = re.search(r"L\.control\.layers\(.*?\{(.*?)\}", html, re.S)[1]
    assert '"position": "topleft"' in control and '"collapsed": false' in control


def test_the_compare_maps_roads_and_towns_are_drawn_as_on_the_meeting_map():
    """Main roads in the shared palette and thick, others grey and thin, each where it is;
    towns as labels at their place."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap
    from sitesel.render.palette import OTHER_ROAD, ROAD_COLOURS

    ids = ["x", "y"]
    ranks = compare_rankings(pd.DataFrame({"site_id": ids, "rank": [1, 2]}),
                             pd.DataFrame({"site_id": ids, "rank": [2, 1]}),
                             weights_a={}, weights_b={}).sites  # fmt: skip
    crs = "EPSG:32643"
    sites = gpd.GeoDataFrame({"site_id": ids}, crs=crs, geometry=[
        shapely.box(500_000, 3_780_000, 500_600, 3_780_600),
        shapely.box(501_000, 3_780_000, 501_600, 3_780_600)])  # fmt: skip
    lines = [
        shapely.LineString(
            [
                (499_000, 3_779_000 + 300 * k),
                (501_000, 3_779_200 + 300 * k),
                (503_000, 3_779_000 + 300 * k),
            ]
        )
        for k in range(4)
    ]  # fmt: skip (bent: simplifying too much would straighten them)
    roads = gpd.GeoDataFrame({"road_class": ["NH", "MDR", "track", None]}, geometry=lines, crs=crs)
    places = gpd.GeoDataFrame({"name": ["Spituk <town>"]}, crs=crs,
                              geometry=[shapely.Point(500_300, 3_780_300)])  # fmt: skip
    context = diffmap.Context(roads=roads, places=places)
    fmap = diffmap.difference_map(sites, ranks, title="t", label_a="rank in A",
                                  label_b="rank in B", context=context)  # fmt: skip
    html = fmap.get_root().render()
    blobs = re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"', html)
    drawn = [f for blob in blobs for f in json.loads(blob) if "road_class" in f["properties"]]
    assert [f["properties"]["road_class"] for f in drawn] == ["NH", "MDR", "track", ""]
    styler = [s for s in re.findall(r"function geo_json_\w+_styler\(feature\) \{(.*?)\n\s*\}\n",
                                    html, re.S) if '"opacity"' in s]  # fmt: skip
    assert len(styler) == 1
    styles = [json.loads(x) for x in re.findall(r"return (\{.*?\});", styler[0])]
    want = {(ROAD_COLOURS["NH"], 2.5), (ROAD_COLOURS["MDR"], 2.5), (OTHER_ROAD, 0.8)}
    assert {(s["color"], s["weight"]) for s in styles} == want
    for f, line in zip(drawn, lines, strict=True):
        back = gpd.GeoSeries([shapely.geometry.shape(f["geometry"])], crs="EPSG:4326")
        assert shapely.hausdorff_distance(back.to_crs(crs).iloc[0], line) < 15
    assert '"Roads"' in html and '"Towns (GeoNames)"' in html
    icons = [json.loads(f'"{h}"') for h in re.findall(r'"html": "(.*?)",\n', html)]
    assert '<div class="sitesel-town">Spituk &lt;town&gt;</div>' in icons  # a name, not markup
    town = gpd.GeoSeries([places.geometry.iloc[0]], crs=crs).to_crs("EPSG:4326").iloc[0]
    markers = [tuple(map(float, m))
               for m in re.findall(r"L\.marker\(\s*\[([-\d.]+), ([-\d.]+)\]", html)]  # fmt: skip
    assert any(abs(y - town.y) < 1e-7 and abs(x - town.x) < 1e-7 for y, x in markers), "moved"


def test_the_compare_maps_legend_movers_and_cards_worked_by_hand():
    """Edges (1, 2) from one site rising one place and one falling two: the legend's ten rows
    with their colours, the movers' table (site, both ranks, both suitabilities), each card's
    name, ranks, change and why, and the title escaped."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap as d

    ids = ["x", "y", "z", "w"]
    a = pd.DataFrame({"site_id": ids, "rank": [1, 2, 3, None]})
    b = pd.DataFrame({"site_id": ids, "rank": [3, 1, 2, None]})
    ranks = compare_rankings(a, b, weights_a={}, weights_b={}).sites
    ranks["place"] = ranks["site_id"].map({"x": "Leh", "y": None, "z": "", "w": "Nang"})
    boxes = [shapely.box(i * 700, 0, i * 700 + 600, 600) for i in range(4)]
    sites = gpd.GeoDataFrame({"site_id": ids}, crs="EPSG:32643", geometry=boxes)
    context = d.Context(suitability_a=pd.Series({"x": 0.9, "y": 0.8}),
                        suitability_b=pd.Series({"x": 0.7}), entering=["y"], leaving=["x"],
                        top_k=1)  # fmt: skip
    fmap = d.difference_map(sites, ranks, title="EMC <2.0>", label_a="rank in A",
                            label_b="rank in B", context=context)  # fmt: skip
    html = fmap.get_root().render()
    assert "<h1>EMC &lt;2.0&gt;</h1><div>rank in A vs rank in B</div>" in html
    legend = re.findall(r'<span class="sitesel-swatch" style="background:([^"]+)"></span>'
                        r"<span>([^<]+)</span>", html)  # fmt: skip
    assert legend == [
        (d.ROSE[2], "rose more than 2 places"), (d.ROSE[1], "rose 2\u20132"),
        (d.ROSE[0], "rose 1\u20131"), (d.SAME, "same rank"), (d.FELL[0], "fell 1\u20131"),
        (d.FELL[1], "fell 2\u20132"), (d.FELL[2], "fell more than 2 places"),
        (d.ONLY_A, "ranked in A only (B excludes it)"),
        (d.ONLY_B, "ranked in B only (A excludes it)"), (d.UNRANKED, "excluded in both"),
    ]  # fmt: skip
    table = re.search(r'<table class="sitesel-top-table">(.*?)</table>', html, re.S)[1]
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)]
    assert rows[1:] == [["enters", "y", "2", "1", "0.800 / -"],
                        ["leaves", "Leh (x)", "1", "3", "0.900 / 0.700"]]  # fmt: skip
    icons = [json.loads(f'"{h}"') for h in re.findall(r'"html": "(.*?)",\n', html)]
    marks = [re.sub(r"<[^>]+>", "", i) for i in icons if "sitesel-mover" in i]
    assert marks == ["\u25b2 in: y", "\u25bc out: Leh"]
    cards = {f["properties"]["Site"]: f["properties"] for blob in
             re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"', html)
             for f in json.loads(blob) if "Why" in f["properties"]}  # fmt: skip
    assert set(cards) == {"Leh (x)", "y", "z", "Nang (w)"}
    changes = {k: (c["rank in A"], c["rank in B"], c["Change among the sites both rank"])
               for k, c in cards.items()}  # fmt: skip
    assert changes == {
        "Leh (x)": ("1", "3", "-2"), "y": ("2", "1", "+1"), "z": ("3", "2", "+1"),
        "Nang (w)": ("excluded", "excluded", "-"),
    }  # fmt: skip
    assert cards["Leh (x)"]["Why"] == "-"


def test_a_bare_rank_table_counts_raw_rank_changes_and_the_map_fits_every_site():
    """Called with ranks alone (no common ranks, classes, places or reasons): the change is
    counted on the raw ranks, a site missing from the table is drawn grey as excluded, and
    the map opens on the bounds of all the sites."""
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap as d

    boxes = [shapely.box(500_000 + 1000 * i, 3_780_000, 500_600 + 1000 * i, 3_780_600)
             for i in range(3)]  # fmt: skip
    sites = gpd.GeoDataFrame({"site_id": ["x", "y", "q"]}, crs="EPSG:32643", geometry=boxes)
    ranks = pd.DataFrame({"site_id": ["x", "y"], "rank_a": [1.0, 5.0], "rank_b": [4.0, 2.0]})
    fmap = d.difference_map(sites, ranks, title="t", label_a="rank in A", label_b="rank in B")
    html = fmap.get_root().render()
    features = [f for blob in re.findall(r'"features": (\[.*?\]), "type": "FeatureCollection"',
                                         html) for f in json.loads(blob)]  # fmt: skip
    cards = {f["properties"]["Site"]: f["properties"] for f in features}
    assert set(cards) == {"x", "y", "q"}
    assert cards["x"]["Change among the sites both rank"] == "-3"
    assert cards["y"]["Change among the sites both rank"] == "+3"
    assert cards["q"]["rank in A"] == "excluded" and cards["q"]["_colour"] == d.UNRANKED
    assert cards["x"]["Why"] == cards["q"]["Why"] == "-"
    edges = d.change_edges(np.array([-3.0, 3.0]))
    assert cards["x"]["_colour"] == d.FELL[2 if edges[1] < 3 else 1 if edges[0] < 3 else 0]
    west, south, east, north = sites.to_crs("EPSG:4326").total_bounds
    fit = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", html)
    assert fit, "the map does not open on the sites"
    assert np.allclose([float(v) for v in fit.groups()], [south, west, north, east], atol=1e-4)


def test_sites_only_entering_the_top_are_listed_and_an_unknown_id_is_skipped():
    import geopandas as gpd
    import shapely

    from sitesel.render.compare_map import diffmap as d

    ids = ["x", "y"]
    ranks = compare_rankings(pd.DataFrame({"site_id": ids, "rank": [1, 2]}),
                             pd.DataFrame({"site_id": ids, "rank": [2, 1]}),
                             weights_a={}, weights_b={}).sites  # fmt: skip
    boxes = [shapely.box(0, 0, 500, 500), shapely.box(900, 0, 1400, 500)]
    sites = gpd.GeoDataFrame({"site_id": ids}, crs="EPSG:32643", geometry=boxes)
    context = d.Context(entering=["gone", "y"], top_k=1)  # no site leaves; one id unknown
    html = d.difference_map(sites, ranks, title="t", label_a="rank in A", label_b="rank in B",
                            context=context).get_root().render()  # fmt: skip
    table = re.search(r'<table class="sitesel-top-table">(.*?)</table>', html, re.S)
    assert table, "a site entering the top is not listed when none leaves"
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table[1])]
    assert rows[1:] == [["enters", "y", "2", "1", "- / -"]]
