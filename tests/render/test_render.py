"""Map building blocks without a browser: payload encoding, assets, hillshade."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import shapely
from rasterio.transform import from_origin

from sitesel.render import assets
from sitesel.render.hillshade import hillshade, shaded_relief
from sitesel.render.meeting_map.encoding import SCALE, encode_lines, to_script_json


def decode(flat):
    coords, x, y = [], 0, 0
    for k in range(0, len(flat), 2):
        x += flat[k]
        y += flat[k + 1]
        coords.append((x / SCALE, y / SCALE))
    return coords


def test_encoding_round_trips_to_a_metre():
    square = shapely.Polygon([(77.5, 34.1), (77.51, 34.1), (77.51, 34.11), (77.5, 34.11)])
    multi = shapely.MultiPolygon([square, shapely.affinity.translate(square, 0.1, 0)])
    (site,) = encode_lines(np.array([square]))
    assert len(site) == 1
    np.testing.assert_allclose(decode(site[0]), list(square.exterior.coords)[:-1], atol=1e-5)
    (parts,) = encode_lines(np.array([multi]))
    assert len(parts) == 2
    assert decode(parts[1])[0] == pytest.approx((77.6, 34.1))


def test_script_json_cannot_close_its_element():
    text = to_script_json({"name": "</script><script>alert(1)</script><!--"})
    assert "<" not in text
    assert json.loads(text)["name"].startswith("</script>")


def test_leaflet_is_inlined_with_its_images():
    css = assets.leaflet_css()
    assert "url(images/" not in css and "data:image/png;base64," in css
    assert "sourceMappingURL" not in assets.leaflet_js()
    assert assets.LEAFLET_VERSION.startswith("1.9")
    assert "</script" not in assets.inline_script("a = '</script>';")[8:-9]


def test_the_map_script_is_small_modules_assembled_in_order():
    """Issue 24: the page's script is one module per concern (static/js), each defining
    its sitesel_<name>, assembled after the palette in SCRIPT_MODULES order; main calls
    every one of them. A module growing past 200 lines is a concern to split again."""
    import re

    script = assets.sitesel_js()
    assert script.startswith('"use strict";\nconst SITESEL_PALETTE = ')
    positions = [script.index(f"/* ---- {name}.js ---- */") for name in assets.SCRIPT_MODULES]
    assert positions == sorted(positions)
    main = assets.static_text("js/main.js")
    for name in assets.SCRIPT_MODULES:
        text = assets.static_text(f"js/{name}.js")
        assert len(text.splitlines()) <= 200, name
        if name == "main":
            continue
        defined = re.findall(r"^function (sitesel_\w+)\(S\)", text, re.M)
        helpers = re.findall(r"^const (sitesel_\w+) = ", text, re.M)  # format, utm
        assert defined or helpers, name
        assert all(f"{f}(S)" in main for f in defined), name
        assert all(f"{h}." in script.replace(text, "") for h in helpers), name
    from sitesel.render.dossier import report
    from sitesel.render.palette import ROUTE_COLOURS

    assert report.ROUTE_COLOURS is ROUTE_COLOURS  # the map and the dossier draw alike
    assert json.dumps(ROUTE_COLOURS) in script


def test_hillshade_of_a_slope_facing_the_light_is_brighter():
    ramp = np.tile(np.arange(20.0)[::-1] * 30, (20, 1))  # falls eastwards: faces east
    facing_west = np.tile(np.arange(20.0) * 30, (20, 1))  # rises eastwards: faces west
    lit_from_west = hillshade(facing_west, 30.0, azimuth_deg=270, altitude_deg=45)
    away = hillshade(ramp, 30.0, azimuth_deg=270, altitude_deg=45)
    assert lit_from_west[10, 10] > 0.95 and away[10, 10] == pytest.approx(0, abs=1e-9)
    # A 45-degree slope lit at 45 degrees altitude from its own direction: cos(0) = 1.
    assert lit_from_west[10, 10] == pytest.approx(1.0)


def test_shaded_relief_bounds_in_degrees():
    grid = np.random.default_rng(0).normal(3500, 50, (40, 40))
    relief = shaded_relief(grid, from_origin(440_000, 3_780_000, 100, 100), "EPSG:32643")
    (south, west), (north, east) = relief.south_west, relief.north_east
    assert 34.1 < south < north < 34.2 and 74.3 < west < east < 74.4  # west of 75 E
    assert relief.rgba.shape[2] == 4 and relief.rgba[..., 3].max() > 200
    assert math.isclose(north - south, 4000 / 111_000, rel_tol=0.1)


def test_summary_sites_are_one_raster_image_in_the_map_classes():
    """The PNG draws sites as one rasterised image (fast at any size) in the same fixed
    classes as the HTML map; excluded sites grey."""
    import geopandas as gpd
    import matplotlib.pyplot as plt
    import shapely
    from matplotlib.colors import to_rgba

    from sitesel.render.classes import map_classes
    from sitesel.render.mapdata import MapData
    from sitesel.render.summary.picture import draw_sites_raster

    sites = gpd.GeoDataFrame(
        {"suitability": [0.82, 0.31, 0.5], "excluded": [False, False, True]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100),
                  shapely.box(400, 0, 500, 100)],
        crs="EPSG:32643",
    )  # fmt: skip
    excluded = sites["excluded"].to_numpy()
    classes = map_classes(sites["suitability"].to_numpy(), excluded)
    data = MapData(name="t", sites=sites, units={}, weights={}, area=sites.geometry)
    fig, ax = plt.subplots()
    draw_sites_raster(ax, data, excluded, classes)
    (image,) = ax.images
    rgba = np.asarray(image.get_array()) / 255  # drawn from RGBA bytes
    row = rgba.shape[0] // 2
    col_of = lambda x: int(x / 500 * rgba.shape[1])  # noqa: E731
    best = classes.colours[int(classes.index(np.array([0.82]))[0])]
    byte = 0.5 / 255
    assert tuple(rgba[row, col_of(50)]) == pytest.approx(to_rgba(best, 0.85), abs=byte)
    assert tuple(rgba[row, col_of(450)]) == pytest.approx(to_rgba("#9e9e9e", 0.35), abs=byte)
    assert rgba[row, col_of(150), 3] == 0  # between sites: transparent
    plt.close(fig)


def test_dollar_signs_in_labels_and_names_do_not_break_the_png(tmp_path):
    """matplotlib reads $...$ as math: a label like "Cost $\\frac{ in $" must print as text."""
    import geopandas as gpd

    from sitesel.render import MapData
    from sitesel.render.summary.picture import write_summary_png

    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "place": ["$5 road", "x"], "area_ha": 1.0,
         "excluded": [False, True], "exclusion_reason": ["", "no"], "raw__c": [1.0, 2.0],
         "score__c": [0.9, 0.1], "suitability": [0.9, 0.1], "rank": [1, None]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)],
        crs="EPSG:32643",
    )  # fmt: skip
    data = MapData(
        name="cost $", sites=sites, units={"c": "$"}, weights={"c": 1.0},
        area=gpd.GeoSeries([shapely.box(-10, -10, 310, 110)], crs="EPSG:32643"),
        labels={"c": "Cost $\\frac{ in $ (Rs)"}, sources=["$x$ data"],
    )  # fmt: skip
    path = tmp_path / "summary.png"
    write_summary_png(data, path)
    assert path.stat().st_size > 10_000


def test_polygons_as_geojson_rasterise_like_the_shapely_geometries():
    # The summary image's fast path must burn the same pixels as rasterio given shapely
    # objects: plain polygons, a polygon with a hole, a multipolygon, mixed together.
    from affine import Affine
    from rasterio import features

    from sitesel.render.site_image import polygons_as_geojson

    holed = shapely.box(0, 0, 9, 9).difference(shapely.box(2, 2, 5, 5))
    multi = shapely.MultiPolygon([shapely.box(10, 0, 12, 3), shapely.box(13, 4, 15, 9)])
    for geoms in ([shapely.box(0, 0, 3, 3), holed], [holed, multi, shapely.box(16, 1, 19, 8)]):
        arr = np.array(geoms, dtype=object)
        burn = [(i + 1) for i in range(len(arr))]
        kw = {"out_shape": (40, 80), "transform": Affine(0.25, 0, 0, 0, -0.25, 10), "fill": 0}
        ours = features.rasterize(zip(polygons_as_geojson(arr), burn, strict=True), **kw)
        theirs = features.rasterize(zip(arr, burn, strict=True), **kw)
        assert ours.any() and (ours == theirs).all()


def test_template_syntax_in_names_reaches_the_map_as_text(tmp_path):
    # Names from OSM, GeoNames or the config are data, not Jinja: "{{ 7 * 7 }}" must not
    # become "49", and a stray "{%" must not break the page.
    import geopandas as gpd

    from sitesel.render import MapData, save_map, site_map

    sites = gpd.GeoDataFrame(
        {"site_id": ["a"], "place": ["{{ 7 * 7 }} road {% raw"], "area_ha": 1.0,
         "excluded": [False], "exclusion_reason": [""], "raw__c": [1.0], "score__c": [0.9],
         "suitability": [0.9], "rank": [1]},
        geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:32643",
    )  # fmt: skip
    data = MapData(
        name="run", description="{{ 6 * 7 }} {% if %}", sites=sites, units={"c": "min"},
        weights={"c": 1.0},
        area=gpd.GeoSeries([shapely.box(-10, -10, 110, 110)], crs="EPSG:32643"),
    )  # fmt: skip
    path = tmp_path / "map.html"
    save_map(site_map(data), path)
    page = path.read_text(encoding="utf-8")
    assert "{{ 6 * 7 }} {% if %}" in page and "42" not in page.split("<h1>")[1][:200]
    assert "{{ 7 * 7 }} road {% raw" in page


def test_the_site_raster_reaches_web_mercator_in_each_sites_colour():
    """Big maps draw left-out sites from the shared site raster, reprojected by nearest
    neighbour: each site's centre keeps its own colour, a site drawn as a vector is clear."""
    import geopandas as gpd
    import pyproj

    from sitesel.render.site_image import rasterise_sites, site_image, web_index

    boxes = [shapely.box(500_000 + 2_000 * k, 3_780_000, 501_500 + 2_000 * k, 3_781_500)
             for k in range(3)]  # fmt: skip
    sites = gpd.GeoSeries(boxes, crs="EPSG:32643")
    colours = np.array([[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 255, 255]], dtype=np.uint8)
    image = site_image(web_index(rasterise_sites(sites)), colours)
    to_merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform(
        [image.south_west[1], image.north_east[1]], [image.south_west[0], image.north_east[0]]
    )
    rows, cols = image.rgba.shape[:2]
    centres = sites.centroid.to_crs(3857)
    for k, centre in enumerate(centres):
        col = int((centre.x - x0) / (x1 - x0) * cols)
        row = int((y1 - centre.y) / (y1 - y0) * rows)
        assert tuple(image.rgba[row, col]) == tuple(colours[k])
    assert image.rgba[rows // 2, 0, 3] == 255  # the first site reaches the west edge


def test_a_hexagon_grid_raster_by_arithmetic_equals_rasterio():
    """Issue 13: big hexagon grids skip rasterio's per-polygon work; the pixels must be the
    ones rasterio burns (pixel centre inside), here for the real grid over the Leh district's
    south-east corner, at a pixel much finer than a site, and at several sites per pixel."""
    import geopandas as gpd
    from affine import Affine
    from rasterio import features

    from sitesel.data.hex_lattice import hex_index, hex_lattice
    from sitesel.data.sites import hex_grid
    from sitesel.render.site_image import polygons_as_geojson

    area = shapely.Point(452_000, 3_770_000).buffer(15_000)
    grid = hex_grid(area, cell_area_ha=40.47, crs="EPSG:32643").geometry.to_numpy()
    lattice = hex_lattice(grid)
    xmin, _, _, ymax = gpd.GeoSeries(grid).total_bounds
    for pixel_m, shape in ((37.3, (830, 830)), (1_210.0, (26, 26))):
        transform = Affine(pixel_m, 0, xmin - 50, 0, -pixel_m, ymax + 50)
        burnt = features.rasterize(
            zip(polygons_as_geojson(grid), range(1, len(grid) + 1), strict=True),
            out_shape=shape, transform=transform, fill=0, dtype="int32",
        )  # fmt: skip
        assert (burnt > 0).sum() > 0.5 * burnt.size
        np.testing.assert_array_equal(hex_index(lattice, transform, shape), burnt)
    moved = shapely.affinity.translate(grid[0], 1.0)  # off the lattice: not a sitesel grid
    assert hex_lattice(np.concatenate([grid[1:], [moved]])) is None


def test_the_summary_table_names_a_site_by_its_place_or_else_its_id():
    """A site without a place name reads as NaN or None from a frame: both mean no name
    (the picture printed "nan" as the name of such a site)."""
    from sitesel.render.summary.picture import _named

    assert _named(pd.Series({"place": "3.2 km SW of Leh", "site_id": "H1_2"}))
    for missing in (np.nan, None, pd.NA, ""):
        assert not _named(pd.Series({"place": missing, "site_id": "H1_2"})), missing
    assert not _named(pd.Series({"site_id": "H1_2"}))
