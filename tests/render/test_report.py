"""The dossier of shortlisted sites (issue 24): `sitesel report`, and the routes it draws."""

from __future__ import annotations

import json
import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ..cases import sitesel


def _per_test_under_mutation(fixture_name: str, config: pytest.Config) -> str:
    """Module scope, but one report per test in a mutation run (``SITESEL_TEST_LEH_RUN``).

    mutmut learns which tests reach a function by tracing the suite once: a module-scoped
    report is made inside the first test that asks for it, so every later test reading it
    would be credited with nothing and never run against a mutant of the dossier.
    """
    return "function" if os.environ.get("SITESEL_TEST_LEH_RUN") else "module"


@pytest.fixture(scope=_per_test_under_mutation)
def report(leh_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = sitesel("report", leh_run / "run", "--top", "5", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("report of 5 sites: ")
    return out / "index.html", leh_run / "run"


def _path_length(d: str) -> float:
    """Length of an SVG path of M/L commands (the map's units are metres)."""
    total = 0.0
    for part in d.split("M")[1:]:
        points = np.array([[float(v) for v in p.split(",")] for p in part.strip().split(" L")])
        total += float(np.hypot(*np.diff(points, axis=0).T).sum())
    return total


def test_the_report_lists_each_site_with_its_routes_criteria_and_flags(report):
    page, run = report
    html = page.read_text(encoding="utf-8")
    ranking = pd.read_csv(run / "ranking.csv", keep_default_na=False)
    top = ranking[ranking["rank"] != ""].head(5)
    for row in top.itertuples():
        assert f"id='site-{row.site_id}'" in html
        assert f"<h1>{row.place}</h1>" in html
        for flag in [f for f in row.flags.split("; ") if f][:3]:
            assert flag.replace("&", "&amp;") in html
    assert "<h2>Criteria</h2>" in html and "Travel time to Leh airport (min)" in html
    assert re.search(r"<td>People within 30 min by road</td><td>[\d,]+ people</td>", html)
    assert re.search(r"<td>Slope, mean \(°\)</td><td>\d+\.\d°</td>", html)
    assert re.search(r"<td>\d+\.\d km</td><td>\d+ min</td><td>[^<]*new access", html)
    assert "Provenance" in html and "sha256" in html


def test_a_routes_drawn_length_is_the_network_distance_reported(report):
    page, run = report
    html = page.read_text(encoding="utf-8")
    routes = gpd.read_file(run / "sites.gpkg", layer="routes")
    drawn = re.findall(r"class='route' data-criterion='([^']+)' data-km='([^']+)' d='([^']+)'",
                       html)  # fmt: skip
    assert len(drawn) >= 10
    for _criterion, km, d in drawn:
        assert _path_length(d) == pytest.approx(float(km) * 1000, rel=0.01)
    ranking = pd.read_csv(run / "ranking.csv").set_index("site_id")
    for r in routes.itertuples():  # the minutes are the criterion's own
        assert r.minutes == pytest.approx(ranking.loc[r.site_id, f"raw__{r.criterion}"], abs=0.01)
        assert r.geometry.length / 1000 == pytest.approx(r.km, rel=1e-3)


def test_each_page_shows_its_sites_terrain_from_the_finest_dem(report):
    """The terrain section: the DEM the site's terrain came from, its heights, and a bar per
    slope class whose share is the run's terrain layer's (the bars sum to the whole site)."""
    page, run = report
    html = page.read_text(encoding="utf-8")
    terrain = gpd.read_file(run / "sites.gpkg", layer="terrain").set_index("site_id")
    pages = re.findall(r"<section class='site' id='site-([^']+)'>(.*?)</section>", html, re.S)
    assert len(pages) == 5
    for sid, body in pages:
        row = terrain.loc[sid]
        assert f"from {row.dem_layer} ({row.dem_resolution_m:,.0f} m cells)" in body
        assert f"{row.elevation_min_m:,.0f} to {row.elevation_max_m:,.0f} m" in body
        bars = [float(v) for v in re.findall(r"class='slope-bar' data-share='([^']+)'", body)]
        want = row[[c for c in terrain.columns if c.startswith("share_slope_")]].to_numpy(float)
        np.testing.assert_allclose(bars, want, atol=1e-4)
        assert sum(bars) == pytest.approx(1.0, abs=1e-3)
    assert "dem_srtm1_leh (28 m cells)" in html


def test_the_location_maps_hillshade_comes_from_the_finest_dem(report):
    """The run keeps the stack's finest DEM around the top sites (elevation_top_sites.tif):
    each location map shades the ground at SRTM's 28 m over DTED0's 835 m."""
    import rasterio

    page, run = report
    html = page.read_text(encoding="utf-8")
    with rasterio.open(run / "elevation_top_sites.tif") as src:
        assert src.res[0] == pytest.approx(28.3, abs=0.1)
        bounds = src.bounds
    terrain = gpd.read_file(run / "sites.gpkg", layer="terrain")
    centres = terrain.geometry.centroid  # cut to the windows (4 km around each top site) ...
    assert bounds.left >= centres.x.min() - 4030 and bounds.right <= centres.x.max() + 4030
    assert bounds.bottom >= centres.y.min() - 4030 and bounds.top <= centres.y.max() + 4030
    fine = centres[terrain["dem_layer"] == "dem_srtm1_leh"]  # ... where the fine DEM has them
    assert len(fine) >= 5
    assert ((fine.x > bounds.left) & (fine.x < bounds.right)).all()
    assert ((fine.y > bounds.bottom) & (fine.y < bounds.top)).all()
    pages = re.findall(r"<section class='site' id='site-([^']+)'>(.*?)</section>", html, re.S)
    for _sid, body in pages:
        cells = re.findall(r"<image class='hillshade' data-cell-m='([^']+)'", body)
        assert cells[0] == "834.7" and cells[-1] == "28.3"


def test_a_site_over_a_hole_in_its_dem_says_so_instead_of_empty_bars(leh_run):
    """A site whose DEM has no slope under it (a void) gets a note, not seven 0 % bars."""
    from dataclasses import replace

    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    result = read_run(leh_run / "run")
    terrain = result.terrain.copy()
    shares = [c for c in terrain.columns if c.startswith("share_slope_")]
    terrain.loc[0, shares] = np.nan
    html = report_html(replace(result, terrain=terrain), terrain["site_id"].head(2).tolist())
    first, second = html.split("<section class='site'")[1:3]
    assert "no slope values under the site" in first and "slope-bar" not in first
    assert "slope-bar" in second


def test_the_scheme_section_says_why(leh_run):
    """Eligible or not, the page says with what land against which minimum: the site's
    area (with its partner parcel's, when the two join) in ha and acres, the scheme's
    minimum for its variant, the reason when not, and the scheme's source."""
    from dataclasses import replace

    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    result = read_run(leh_run / "run")
    html = report_html(result, result.terrain["site_id"].head(1).tolist())
    page = re.sub(r"<[^>]+>", " ", html.split("<h2>Scheme</h2>")[1].split("<h2>")[0])
    assert "Eligible: 40.5 ha (100.0 acres) against the 100 acres EMC 2.0 asks" in page
    assert "(hill state or UT)" in page and "MeitY" in page
    sites = result.sites.copy()
    a, b = sites.index[sites["rank"] == 1][0], sites.index[sites["rank"] == 2][0]
    sites.loc[a, ["scheme_partner", "scheme_link"]] = [sites.loc[b, "site_id"], "across a road"]
    sites.loc[b, ["scheme_eligible", "scheme_reason"]] = [False, "smaller than 100 acres"]
    html = report_html(
        replace(result, sites=sites), [sites.loc[a, "site_id"], sites.loc[b, "site_id"]]
    )
    first, second = (
        re.sub(r"<[^>]+>", " ", part.split("<h2>")[0]) for part in html.split("<h2>Scheme</h2>")[1:]
    )
    together = sites.loc[a, "area_ha"] + sites.loc[b, "area_ha"]
    assert f"{together:,.1f} ha" in first and f"with parcel {sites.loc[b, 'site_id']}" in first
    assert "(across a road)" in first
    assert second.strip().startswith("Not eligible:") and "; smaller than 100 acres." in second


def test_the_sites_a_location_problem_chose_get_full_pages(leh_run, tmp_path):
    """Leh's LSCP chooses sites ranked far below the top 10: the run keeps their routes and
    terrain too, so their dossier pages are as complete as the best sites'."""
    ranking = pd.read_csv(leh_run / "run" / "ranking.csv").set_index("site_id")
    chosen = pd.read_csv(leh_run / "run" / "allocation.csv")["site_id"]
    far = [sid for sid in chosen if ranking.loc[sid, "rank"] > 10]
    result = sitesel("report", leh_run / "run", "--sites", ",".join(far), "--out", tmp_path)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    pages = re.findall(r"<section class='site' id='site-([^']+)'>(.*?)</section>", html, re.S)
    assert [sid for sid, _ in pages] == far
    for _sid, body in pages:
        assert "class='route'" in body and "slope-bar" in body
        assert "no terrain profile" not in body
    other = ranking.index[(ranking["rank"] == 50).to_numpy()][0]  # neither top nor chosen
    result = sitesel("report", leh_run / "run", "--sites", other, "--out", tmp_path / "o")
    html = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "no terrain profile: the run profiles its shortlist" in html
    assert "slope-bar" not in html and "class='route'" not in html


def test_the_report_prints_on_a4_portrait(report, browser):
    from pypdf import PdfReader

    page_path, _ = report
    page = browser.new_page()
    page.goto(page_path.as_uri())
    page.emulate_media(media="print")
    pdf = page_path.with_suffix(".pdf")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.28, 841.89), abs=1.5)
    assert len(reader.pages) <= 1 + 2 * 5  # the index, then one or two pages a site


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "0"], "--top: expected a number of sites of at least 1, found 0"),
        (["--sites", "H0_0"], "--sites: 'H0_0' is not a site of run 'leh'"),
        (["--top", "2", "--sites", "x"], "--top and --sites: give one of them"),
    ],
)
def test_bad_report_requests(leh_run, tmp_path, args, message):
    result = sitesel("report", leh_run / "run", *args, "--out", tmp_path / "r")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_a_report_of_a_half_written_or_foreign_folder(tmp_path):
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("not a run")
    result = sitesel("report", tmp_path / "foreign")
    assert result.exit_code == 2
    assert "not a sitesel run folder (no manifest.json)" in result.stderr


# ------------------------- issue 31: what the page says, against the run's tables, cell by cell


def _half_up(value: float, digits: int) -> str:
    """Rounding as the page rounds: halves away from zero, thousands grouped."""
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return f"{exact:,.{digits}f}"


# How each of the Leh study's units is written, from the README's table (not the code's).
WRITTEN = {
    "min": lambda v: f"{_half_up(v, 0)} min",
    "m": lambda v: f"{_half_up(v, 0)} m",
    "km": lambda v: f"{_half_up(v, 1)} km",
    "deg": lambda v: f"{_half_up(v, 1)}°",
    "reachable": lambda v: f"{_half_up(v, 0)} people",
    "share": lambda v: f"{_half_up(v, 2)} share",
    "crore": lambda v: f"{_half_up(v, 2)} crore",
}


def _pages(html: str) -> dict[str, str]:
    return dict(re.findall(r"<section class='site' id='site-([^']+)'>(.*?)</section>", html, re.S))


def _cells(body: str, table: str) -> list[list[str]]:
    found = re.search(rf"<table class='{table}'>(.*?)</table>", body, re.S)
    assert found, f"no {table} table"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)[1:]  # the header row first
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
            for r in rows]  # fmt: skip


def test_every_route_row_is_the_runs_route_value_by_value(report):
    """Minutes printed as kilometres, a route of another site, a row dropped: each shows."""
    import html as html_lib

    page, run = report
    pages = _pages(page.read_text(encoding="utf-8"))
    routes = gpd.read_file(run / "sites.gpkg", layer="routes")
    labels = json.loads((run / "manifest.json").read_text())["criteria_labels"]
    checked = 0
    for sid, body in pages.items():
        rows = _cells(body, "routes")
        mine = routes[routes["site_id"] == sid]
        assert len(rows) == len(mine) > 0
        for cells, r in zip(rows, mine.itertuples(), strict=True):
            label = labels[r.criterion] + (f" ({r.scenario})" if r.scenario else "")
            assert html_lib.unescape(cells[0]).lstrip("■ ") == label
            assert cells[1] == WRITTEN["km"](r.km) and cells[2] == WRITTEN["min"](r.minutes)
            assert html_lib.unescape(cells[3]).startswith(r.roads)
            checked += 1
    assert checked >= 10


def test_every_criterion_row_is_the_runs_value_by_value(report):
    import html as html_lib

    page, run = report
    pages = _pages(page.read_text(encoding="utf-8"))
    manifest = json.loads((run / "manifest.json").read_text())
    ranking = pd.read_csv(run / "ranking.csv").set_index("site_id")
    units, labels = manifest["criteria_units"], manifest["criteria_labels"]
    assert set(units.values()) <= set(WRITTEN)
    for sid, body in pages.items():
        rows = {html_lib.unescape(r[0]): r[1:] for r in _cells(body, "criteria")}
        assert len(rows) == len(manifest["criteria"])
        site = ranking.loc[sid]
        for name in manifest["criteria"]:
            raw, score, weight, _ = rows[labels[name]]
            value = site[f"raw__{name}"]
            assert raw == ("no value" if pd.isna(value) else WRITTEN[units[name]](value)), name
            expected = site.get(f"score__{name}")
            assert score == ("-" if pd.isna(expected) else f"{expected:,.2f}"), name
            share = manifest["weights"].get(name)
            assert weight == ("-" if share is None else f"{100 * share:.0f}%"), name


# ------------------------------------------------------------------------ in Hindi


@pytest.fixture(scope=_per_test_under_mutation)
def report_hi(leh_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report_hi")
    result = sitesel("report", leh_run / "run", "--top", "3", "--out", out, "--lang", "hi")
    assert result.exit_code == 0, result.output
    return out / "index.html"


def test_every_word_the_dossier_asks_for_is_in_the_hindi_catalog(leh_run, monkeypatch):
    """The dossier's words, recorded as it asks for them over pages with every section."""
    from sitesel.language import catalog
    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier import report

    asked: set[str] = set()

    def recording(lang):
        t = catalog.translator(lang)

        def say(msgid, **fields):
            asked.add(msgid)
            return t(msgid, **fields)

        return say

    monkeypatch.setattr(report, "translator", recording)
    result = read_run(leh_run / "run")
    chosen = pd.read_csv(leh_run / "run" / "allocation.csv")["site_id"].astype(str).tolist()
    order = report.site_order(result.sites)
    report.report_html(result, order[:2] + chosen[:1] + order[-1:], "hi")
    assert len(asked) > 60  # index, routes, criteria, terrain, land, scheme, cost, allocation
    missing = sorted(asked - catalog.catalog_ids("hi"))
    assert missing == [], missing


def test_the_hindi_dossier_says_reasons_and_places_in_hindi(leh_run):
    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html, site_order

    result = read_run(leh_run / "run")
    excluded = result.sites[result.sites["excluded"]]
    runway = excluded[excluded["exclusion_reason"].str.contains("runway of")]
    sid = str(runway["site_id"].iloc[0])
    html = report_html(result, [sid, site_order(result.sites)[0]], "hi")
    land = html.split("<h2>भूमि की स्थिति</h2>")[1].split("<h2>")[0]
    assert "<b>बाहर रखा गया:</b>" in land and "के रनवे से 500 मीटर के भीतर" in land
    assert "within 500 m" not in html
    place = str(runway["place"].iloc[0])  # "3.2 km SW of Leh" -> "Leh से 3.2 किमी दक्षिण-पश्चिम"
    km = place.partition(" km ")[0]
    assert f"से {km} किमी" in html and place not in html
    assert "<html lang='hi'>" in html and "@font-face{font-family:'Noto Sans Devanagari'" in html


def test_the_hindi_dossier_prints_on_a4_with_its_devanagari(report_hi, browser):
    from pypdf import PdfReader

    page = browser.new_page()
    page.goto(report_hi.as_uri())
    assert page.evaluate("document.fonts.check('12px \"Noto Sans Devanagari\"', 'भू-भाग')")
    page.emulate_media(media="print")
    pdf = report_hi.with_suffix(".pdf")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.28, 841.89), abs=1.5)
    assert len(reader.pages) <= 1 + 2 * 3
    fonts = {
        str(f.get_object().get("/BaseFont"))  # the SVG's text is Type3, without a name
        for p in reader.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
    }
    assert any("NotoSansDevanagari" in f for f in fonts), fonts
    printed = "".join(p.extract_text() for p in reader.pages)
    # Words whose glyphs map back to their characters one to one (a PDF's text of a
    # reordered vowel sign, as in स्थिति, comes back in visual order, not as typed).
    for hindi in ("मानदंड", "योजना", "पात्र", "उपयुक्तता"):
        assert hindi in printed, hindi


def test_every_index_row_links_its_sites_page_and_is_the_runs_value_by_value(report):
    """The first page's table: each row names its site's place (the id when it has none),
    links to that site's own page, and prints the run's rank, suitability and area."""
    import html as html_lib

    page, run = report
    text = page.read_text(encoding="utf-8")
    pages = _pages(text)
    ranking = pd.read_csv(run / "ranking.csv", keep_default_na=False).set_index("site_id")
    index = text.split("<section class='site'")[0]
    head = ["site", "id", "rank", "suitability", "minutes by road", "area", "flags"]
    assert re.findall(r"<th>(.*?)</th>", index) == head
    routes = gpd.read_file(run / "sites.gpkg", layer="routes")
    labels = json.loads((run / "manifest.json").read_text())["criteria_labels"]
    rows = re.findall(r"<tr><td><a href=\"#site-([^\"]+)\">(.*?)</a></td>(.*?)</tr>", index)
    assert [sid for sid, _, _ in rows] == list(pages), "a row links another site's page"
    for sid, name, rest in rows:
        site = ranking.loc[sid]
        assert html_lib.unescape(name) == (site["place"] or sid)
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", rest)]
        assert cells[0] == sid
        assert cells[1] == f"rank {int(site['rank'])}" or cells[1].endswith(f" {site['rank']}")
        assert cells[2] == f"{float(site['suitability']):,.3f}"
        mine = routes[(routes["site_id"] == sid) & (routes["scenario"].fillna("") == "")]
        minutes = [f"{labels[r.criterion]}: {WRITTEN['min'](r.minutes)}" for r in mine.itertuples()]
        assert html_lib.unescape(cells[3]) == "; ".join(minutes) and minutes
        assert cells[4] == f"{float(site['area_ha']):,.1f} ha"


def test_a_site_without_a_place_name_is_titled_by_its_id_in_either_language(leh_run):
    from dataclasses import replace

    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    result = read_run(leh_run / "run")
    sites = result.sites.copy()
    top = sites.loc[sites["rank"] == 1, "site_id"].astype(str).iloc[0]
    sites.loc[sites["site_id"].astype(str) == top, "place"] = None
    for lang in ("en", "hi"):
        html = report_html(replace(result, sites=sites), [top], lang)
        page = _pages(html)[top]
        assert f"<h1>{top}</h1>" in page, f"{lang}: the site's page has no title"
        assert f'<a href="#site-{top}">{top}</a>' in html, f"{lang}: the index row is blank"


def _row_texts(table_html: str) -> list[list[str]]:
    import html as html_lib

    return [
        [html_lib.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in cells]
        for cells in (re.findall(r"<td>(.*?)</td>", r, re.S)
                      for r in re.findall(r"<tr>(.*?)</tr>", table_html, re.S))
        if cells
    ]  # fmt: skip


def test_the_pages_headers_and_provenance_are_the_runs_manifest_value_by_value(report):
    """Each page says its site, rank, suitability and area under its title, and ends with
    the config, catalog, data files, run and sources of the run that made it; the index
    is one table of rows and the pages follow one another with nothing between."""
    import html as html_lib

    page, run = report
    text = page.read_text(encoding="utf-8")
    manifest = json.loads((run / "manifest.json").read_text())
    ranking = pd.read_csv(run / "ranking.csv", keep_default_na=False).set_index("site_id")
    assert "@font-face" not in text  # an English dossier embeds no Devanagari font
    body = text.split("<body>", 1)[1].removesuffix("</body></html>")
    index, _, rest = body.partition("<section class='site'")
    one_table = (r"<h1>.*?</h1><div class='muted'>.*?</div><h2>Sites</h2>"
                 r"<table><tr>(<th>[^<]*</th>)+</tr>(<tr>.*?</tr>)+</table>")  # fmt: skip
    assert re.fullmatch(one_table, index, re.S)
    heading = html_lib.unescape(re.search(r"<div class='muted'>(.*?)</div>", index)[1])
    assert heading == (f"{manifest['description']} · run {manifest['run_date']}"
                       f" · sitesel {manifest['sitesel_version']}")  # fmt: skip
    pages = _pages(text)
    between = re.sub(r"<section class='site' id='[^']+'>.*?</section>", "",
                     "<section class='site'" + rest, flags=re.S)  # fmt: skip
    assert between == ""
    for sid, page_body in pages.items():
        site = ranking.loc[sid]
        under_title = html_lib.unescape(re.search(r"<div class='muted'>(.*?)</div>", page_body)[1])
        assert under_title == (f"site {sid} · rank {site['rank']} · suitability"
                               f" {float(site['suitability']):,.3f} ·"
                               f" {float(site['area_ha']):,.1f} ha")  # fmt: skip
        provenance = page_body.split("<h2>Provenance</h2>")[1]
        rows = {" ".join(cells[0]): " ".join(cells[1]) for cells in _row_texts(provenance)}
        assert rows == {
            "config": f"{manifest['config']['path']} sha256 {manifest['config']['sha256']}",
            "catalog": f"{manifest['catalog']['path']} sha256 {manifest['catalog']['sha256']}",
            "data files": f"{len(manifest['inputs_sha256'])} (sha256 in manifest.json)",
            "run": " ".join(f"{manifest['run_date']}, sitesel {manifest['sitesel_version']}"
                            .split()),
            "sources": " ".join("; ".join(manifest["attribution"]).split()),
        }  # fmt: skip


def test_a_chosen_sites_allocation_role_is_the_runs_row_by_row(leh_run):
    """The allocation table of a site a location problem chose: its problem, demand served,
    mean time, coverage share and the share of weight draws that chose it again."""
    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    result = read_run(leh_run / "run")
    chosen = pd.read_csv(leh_run / "run" / "allocation.csv")
    draws = {p: (r.get("robustness") or {}).get("draws")
             for p, r in result.manifest.allocation.items()}  # fmt: skip
    ids = chosen["site_id"].astype(str).tolist()
    pages = _pages(report_html(result, ids))
    for sid, page_body in pages.items():
        role = page_body.split("<h2>Allocation role</h2>")[1].split("<h2>")[0]
        rows = _row_texts(role)
        mine = chosen[chosen["site_id"].astype(str) == sid]
        assert len(rows) == len(mine) > 0, sid
        for cells, r in zip(rows, mine.itertuples(), strict=True):
            again = "not re-solved"
            if draws.get(r.problem) and pd.notna(r.chosen_share):
                again = f"{_half_up(100 * r.chosen_share, 0)}% of {draws[r.problem]} weight draws"
            assert [" ".join(c) for c in cells] == [
                r.problem, f"{r.demand_served:,.0f}", f"{_half_up(r.mean_min, 1)} min",
                f"{_half_up(100 * r.coverage_share, 0)}%", again,
            ], sid  # fmt: skip
    other = result.sites.loc[~result.sites["site_id"].astype(str).isin(ids), "site_id"]
    page_body = _pages(report_html(result, [str(other.iloc[0])]))[str(other.iloc[0])]
    assert "Not chosen by the run's location problems." in page_body


def test_a_scenario_route_is_labelled_with_its_scenario_and_left_out_of_the_index(leh_run):
    """Leh's stored routes are all of the base network; a winter route (made here from one)
    must say "(winter)" on its page, keep its road names, and stay out of the index's
    minutes by road, which are the base network's."""
    from dataclasses import replace

    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    result = read_run(leh_run / "run")
    routes = result.routes.copy()
    sid = str(routes["site_id"].iloc[0])
    mine = routes[routes["site_id"].astype(str) == sid]
    winter = mine.iloc[[0]].assign(scenario="winter", minutes=mine["minutes"].iloc[0] * 3)
    routes = pd.concat([routes, winter], ignore_index=True)
    html = report_html(replace(result, routes=routes), [sid])
    rows = _cells(_pages(html)[sid], "routes")
    label = result.manifest.criteria_labels[winter["criterion"].iloc[0]]
    assert len(rows) == len(mine) + 1
    import html as html_lib

    assert html_lib.unescape(rows[-1][0]).lstrip("■ ") == f"{label} (winter)"
    assert [html_lib.unescape(r[0]).lstrip("■ ") for r in rows[:-1]] == [
        result.manifest.criteria_labels[c] for c in mine["criterion"]
    ]
    assert rows[-1][2] == WRITTEN["min"](winter["minutes"].iloc[0])
    names = str(winter["road_names"].iloc[0])
    assert html_lib.unescape(rows[-1][3]) == f"{winter['roads'].iloc[0]}{names}" and names
    index = html.split("<section class='site'")[0]
    assert "(winter)" not in index and WRITTEN["min"](winter["minutes"].iloc[0]) not in index


def _flag_text(row: pd.Series) -> str:
    """A land flag written by hand from its row of exclusions.csv: the template's fields
    filled (km to one decimal, metres whole), the share in front of a partial overlap, the
    citation in brackets."""
    text = row["template"].format(
        distance_km=f"{float(row['distance_m']) / 1000:.1f}",
        distance_m=f"{float(row['distance_m']):.0f}",
        name=row["feature"],
    )
    if str(row["partial"]).lower() == "true":
        text = f"{100 * float(row['share']):.0f} % {text}"
    return f"{text} ({row['citation']})" if row["citation"] else text


def test_each_pages_land_status_flags_and_rules_are_the_runs_row_by_row(leh_run):
    """The land section of ranked and excluded sites: the exclusion reason or "passes", each
    flag of exclusions.csv in its order, written out by hand here, and the run's
    constraints and rule packs as the manifest names them."""
    import html as html_lib

    from sitesel.outputs.reader import read_run
    from sitesel.render.dossier.report import report_html

    run = leh_run / "run"
    result = read_run(run)
    manifest = json.loads((run / "manifest.json").read_text())
    ranking = pd.read_csv(run / "ranking.csv", keep_default_na=False).set_index("site_id")
    rows = pd.read_csv(run / "exclusions.csv", keep_default_na=False, encoding="utf-8-sig")
    flags = rows[rows["action"] == "flag"]
    flagged = flags["site_id"].value_counts()
    unflagged = ranking.index[~ranking.index.isin(flags["site_id"])]
    ids = [*ranking.index[ranking["rank"] != ""][:3], flagged.index[0],
           ranking.index[ranking["exclusion_reason"] != ""][0], unflagged[0]]  # fmt: skip
    pages = _pages(report_html(result, ids))
    assert list(pages) == ids
    for sid, body in pages.items():
        land = body.split("<h2>Land status</h2>")[1].split("<h2>")[0]
        reason = ranking.loc[sid, "exclusion_reason"]
        status = html_lib.unescape(re.sub(r"<[^>]+>", "", land.split("<h3>")[0]))
        assert status == (f"Excluded: {reason}" if reason else
                          "Passes every constraint and land rule of the run."), sid  # fmt: skip
        shown = [html_lib.unescape(f) for f in re.findall(r"<li>(.*?)</li>", land)]
        mine = flags[flags["site_id"] == sid]
        assert shown == [_flag_text(r) for _, r in mine.iterrows()], sid
        if mine.empty:
            assert "No land flag." in land and "<ul" not in land
        packs = ", ".join(p["name"] for p in manifest["land"]["rule_packs"])
        tail = html_lib.unescape(re.search(r"<div class='muted'>(.*?)</div>", land)[1])
        assert tail == f"Constraints: {'; '.join(manifest['constraints'])}. Rule packs: {packs}."
    assert flagged.iloc[0] >= 2  # a site with several flags was among them
    assert not set(ids) <= set(flags["site_id"])  # and one with none
