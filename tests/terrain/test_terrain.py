import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from sitesel.data.dem import load_dem
from sitesel.errors import ConfigError, CoverageError, CrsError
from sitesel.terrain.zonal import slope_deg, zonal_stats

UTM43 = pyproj.CRS.from_epsg(32643)


def write_plane(path, *, crs, x0=500_000.0, y0=3_800_000.0, cell=30.0, size=200, rise=0.1):
    """A DEM plane rising `rise` metres per metre eastwards (slope atan(rise))."""
    x = x0 + cell * (np.arange(size) + 0.5)
    z = np.tile(1000 + rise * (x - x0), (size, 1)).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=size,
        height=size,
        count=1,
        dtype="float32",
        crs=crs,
        transform=from_origin(x0, y0, cell, cell),
        nodata=-9999,
    ) as dst:
        dst.write(z, 1)
    return (x0, y0 - cell * size, x0 + cell * size, y0)


def test_slope_of_plane_is_known():
    plane = np.tile(np.arange(10.0) * 30 * 0.1, (8, 1))
    np.testing.assert_allclose(slope_deg(plane, 30.0), math.degrees(math.atan(0.1)))


def test_slope_of_cone_grows_with_its_steepness():
    yy, xx = np.mgrid[-50:51, -50:51] * 10.0
    cone = 2000 - 0.5 * np.hypot(xx, yy)  # 0.5 m per m: 26.57 degrees off the apex
    s = slope_deg(cone, 10.0)
    assert s[0, 50] == pytest.approx(math.degrees(math.atan(0.5)), abs=0.01)


def test_zonal_stats_weight_partial_cells():
    grid = np.array([[1.0, 3.0], [np.nan, 5.0]])
    sites = gpd.GeoSeries(
        [shapely.box(0, 10, 20, 20), shapely.box(0, 0, 10, 10), shapely.box(5, 5, 15, 15)],
        crs=UTM43,
    )
    stats = zonal_stats(sites, {"z": grid}, transform=from_origin(0, 20, 10, 10), stats=["mean"])
    # Site 0 covers cells 1 and 3 equally; site 1 only nodata; site 2 a quarter of each.
    assert stats["z_mean"][0] == pytest.approx(2.0)
    assert np.isnan(stats["z_mean"][1])
    assert stats["z_mean"][2] == pytest.approx(3.0)


def test_load_dem_plane_gives_known_slope_per_site(tmp_path):
    bounds = write_plane(tmp_path / "plane.tif", crs="EPSG:32643")
    inner = (bounds[0] + 1000, bounds[1] + 1000, bounds[2] - 1000, bounds[3] - 1000)
    dem = load_dem(
        [tmp_path / "plane.tif"],
        dst_crs=UTM43,
        area_bounds=inner,
        margin_m=300,
        resolution_m=None,
        layer="plane",
    )
    assert dem.cell_size_m == pytest.approx(30)
    site = gpd.GeoSeries([shapely.box(*inner).buffer(-500)], crs=UTM43)
    stats = zonal_stats(
        site,
        {"slope": slope_deg(dem.elevation_m, dem.cell_size_m)},
        transform=dem.transform,
        stats=["mean", "max"],
    )
    assert stats["slope_mean"][0] == pytest.approx(math.degrees(math.atan(0.1)), abs=0.01)


def test_dem_not_covering_the_area_is_an_error(tmp_path):
    bounds = write_plane(tmp_path / "plane.tif", crs="EPSG:32643")
    beyond = (bounds[0], bounds[1], bounds[2] + 5000, bounds[3])
    with pytest.raises(CoverageError, match="does not cover the study area"):
        load_dem(
            [tmp_path / "plane.tif"],
            dst_crs=UTM43,
            area_bounds=beyond,
            margin_m=0,
            resolution_m=None,
            layer="plane",
        )


def test_dem_without_crs_is_an_error(tmp_path):
    bounds = write_plane(tmp_path / "nocrs.tif", crs=None)
    with pytest.raises(CrsError, match="has no CRS; set crs"):
        load_dem(
            [tmp_path / "nocrs.tif"],
            dst_crs=UTM43,
            area_bounds=bounds,
            margin_m=0,
            resolution_m=None,
            layer="nocrs",
        )


def test_dted_tiles_mosaic_to_known_heights(data_dir):
    tiles = sorted((data_dir / "ladakh" / "dem_dted0").glob("*/*.dt0"))
    assert len(tiles) == 9
    leh = gpd.GeoSeries.from_xy([77.5771], [34.1526], crs=4326).to_crs(UTM43)
    x, y = leh.x[0], leh.y[0]
    # A box straddling the 34 N tile edge, so two tiles must be mosaicked.
    area = (x - 20_000, y - 40_000, x + 20_000, y + 20_000)
    dem = load_dem(
        tiles, dst_crs=UTM43, area_bounds=area, margin_m=2000, resolution_m=500, layer="dted"
    )
    (r0, r1), (c0, c1) = rasterio.transform.rowcol(
        dem.transform, [area[0], area[2]], [area[3], area[1]]
    )
    assert not np.isnan(dem.elevation_m[r0:r1, c0:c1]).any()  # corners beyond may be empty
    row, col = rasterio.transform.rowcol(dem.transform, x, y)
    assert dem.elevation_m[row, col] == pytest.approx(3363, abs=150)  # Leh centre 3,363 m
    assert 2500 < np.nanmin(dem.elevation_m) < np.nanmax(dem.elevation_m) < 7000


def test_coverage_once_agrees_with_exactextract_per_grid(data_dir):
    """ZonalStats (coverage fractions found once, statistics in numpy) = exactextract's own."""
    from sitesel._typing import Dem
    from sitesel.data.sites import hex_grid
    from sitesel.terrain.zonal import ZonalStats

    crs = pyproj.CRS.from_epsg(32643)
    leh = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(77.58, 34.16)
    area = shapely.Point(*leh).buffer(6_000)
    tiles = sorted((data_dir / "ladakh" / "dem_dted0").glob("e07*/n3*.dt0"))
    dem = load_dem(
        tiles,
        dst_crs=crs,
        area_bounds=tuple(area.bounds),
        margin_m=2_000,
        resolution_m=None,
        layer="dem",
    )
    elevation = dem.elevation_m.copy()
    elevation[::7, ::5] = np.nan  # nodata cells inside sites
    dem = Dem(elevation, dem.transform, crs)
    hexagons = hex_grid(area, cell_area_ha=40, crs=crs).geometry
    turned = hexagons.rotate(10, origin=area.centroid)  # off the lattice: exactextract
    # sitesel's hexagons get closed-form fractions, exact to 1e-12 where exactextract's are
    # within 3e-8 (test_hexagon_coverage_is_the_exact_intersection): means agree to ~1e-9.
    for sites, rtol in ((hexagons, 1e-8), (turned, 1e-12)):
        zonal = ZonalStats(sites, dem)
        mine = zonal.of("elevation", lambda: elevation)
        theirs = zonal_stats(
            sites, {"elevation": elevation}, transform=dem.transform, stats=["mean", "min", "max"]
        )
        for stat in ("mean", "min", "max"):
            np.testing.assert_allclose(mine[stat], theirs[f"elevation_{stat}"], rtol=rtol)
        assert zonal.of("elevation", lambda: pytest.fail("computed twice")) is mine


def test_hexagon_coverage_is_the_exact_intersection():
    """Issue 13: the closed-form coverage of sitesel's hexagons (no per-polygon work) gives
    exactextract's (site, cell) pairs and each cell's covered fraction as shapely's exact
    intersection area, on a grid that is neither square nor aligned with the lattice, with
    cells larger and smaller than the sites."""
    from affine import Affine

    from sitesel.data.hex_lattice import hex_lattice
    from sitesel.data.sites import hex_grid
    from sitesel.terrain.hex_coverage import hex_coverage
    from sitesel.terrain.zonal import exactextract_coverage

    area = shapely.Point(452_000, 3_770_000).buffer(4_000)
    for cell_ha, width_m in ((40.47, 700.0), (15.5, 923.0), (100.0, 250.0)):
        grid = hex_grid(area, cell_area_ha=cell_ha, crs="EPSG:32643").geometry
        xmin, ymin, xmax, ymax = grid.total_bounds
        height_m = 0.83 * width_m
        transform = Affine(width_m, 0, xmin - 333.3, 0, -height_m, ymax + 171.7)
        shape = (int((ymax - ymin) / height_m) + 2, int((xmax - xmin) / width_m) + 3)
        site, cell, fraction = hex_coverage(hex_lattice(grid.to_numpy()), shape, transform)
        rows, cols = np.divmod(cell, shape[1])
        boxes = shapely.box(
            transform.c + cols * width_m, transform.f - (rows + 1) * height_m,
            transform.c + (cols + 1) * width_m, transform.f - rows * height_m,
        )  # fmt: skip
        exact = shapely.area(shapely.intersection(grid.to_numpy()[site], boxes))
        np.testing.assert_allclose(fraction, exact / (width_m * height_m), rtol=0, atol=1e-11)
        ee_site, ee_cell, ee_fraction = exactextract_coverage(grid, shape, transform)
        theirs = {(s, c) for s, c, f in zip(ee_site, ee_cell, ee_fraction, strict=True) if f > 1e-9}
        assert set(zip(site.tolist(), cell.tolist(), strict=True)) == theirs


def test_aligned_blocks_equal_exactextract_and_anything_else_goes_to_exactextract():
    """Issue 13, terrain without zonal geometry: sites made of whole grid cells get the
    same (site, cell, fraction) pairs exactextract finds; one site off the grid lines sends
    the whole set back to exactextract."""
    from sitesel.terrain.zonal import coverage_fractions, grid_aligned_blocks

    transform = from_origin(500_000, 3_800_000, 100, 100)
    shape = (40, 50)
    x0, y1 = 500_000 + 100 * np.array([0, 3, 10, 47]), 3_800_000 - 100 * np.array([0, 5, 2, 37])
    k = np.array([1, 2, 3, 3])
    blocks = gpd.GeoSeries(shapely.box(x0, y1 - 100 * k, x0 + 100 * k, y1), crs=UTM43)
    ours = grid_aligned_blocks(blocks.to_numpy(), shape, transform)
    assert ours is not None
    # exactextract's answer for the same squares, nudged by 1 mm so they are not aligned
    # (the coverage of whole cells stays 1 to 1e-5; the partial slivers are dropped).
    nudged = blocks.translate(0.001, 0)
    site, cell, frac = coverage_fractions(nudged, shape, transform)
    keep = frac > 0.5
    theirs = sorted(zip(site[keep].tolist(), cell[keep].tolist(), strict=True))
    assert sorted(zip(ours[0].tolist(), ours[1].tolist(), strict=True)) == theirs
    assert grid_aligned_blocks(nudged.to_numpy(), shape, transform) is None
    assert grid_aligned_blocks(blocks.rotate(10).to_numpy(), shape, transform) is None


def test_dem_square_grid_sites_hold_whole_dem_cells():
    from sitesel._typing import Dem
    from sitesel.data.sites import dem_square_grid
    from sitesel.terrain.zonal import ZonalStats

    transform = from_origin(500_000, 3_800_000, 300, 300)
    elevation = np.arange(30 * 40, dtype=float).reshape(30, 40)
    area = shapely.box(501_000, 3_792_000, 510_000, 3_799_000)
    sites = dem_square_grid(
        area, cell_area_ha=40.47, transform=transform, shape=(30, 40), crs=UTM43
    )
    # 40.47 ha needs 3 x 3 cells of 300 m (81 ha); 2 x 2 would give 36 ha
    assert np.allclose(sites.area, 900.0**2)
    assert all(shapely.contains_xy(area, *np.array(g.centroid.coords[0])) for g in sites.geometry)
    dem = Dem(elevation_m=elevation, transform=transform, crs=UTM43)
    mean = ZonalStats(sites.geometry, dem).of("z", lambda: elevation)["mean"]
    first = sites.iloc[0]
    col, row = (int(v) for v in first["site_id"][1:].split("_"))
    block = elevation[3 * row : 3 * row + 3, 3 * col : 3 * col + 3]
    assert mean[0] == pytest.approx(block.mean())


def test_streamed_statistics_equal_stored_pairs(monkeypatch):
    """A fine DEM streams each grid through exactextract instead of storing (site, cell)
    pairs; both give the same coverage-weighted mean, min and max, NaN cells skipped."""
    from sitesel._typing import Dem
    from sitesel.data.sites import hex_grid
    from sitesel.terrain import zonal

    rng = np.random.default_rng(5)
    z = rng.normal(3500, 50, (60, 80))
    z[10:14, 20:30] = np.nan  # a hole in the DEM
    dem = Dem(elevation_m=z, transform=from_origin(500_000, 3_800_000, 50, 50), crs=UTM43)
    area = shapely.box(500_200, 3_797_200, 503_800, 3_799_800)
    sites = hex_grid(area, cell_area_ha=3.0, crs=UTM43).geometry
    stored = zonal.ZonalStats(sites, dem).of("z", lambda: z)
    monkeypatch.setattr(zonal, "MAX_COVERAGE_PAIRS", 0)
    streamed = zonal.ZonalStats(sites, dem)
    assert streamed.streaming
    got = streamed.of("z", lambda: z)
    for stat in ("mean", "min", "max"):
        np.testing.assert_allclose(got[stat], stored[stat], rtol=1e-9, equal_nan=True)
    assert np.isfinite(stored["mean"]).all()


def _plane_dem(grade_pct: float, cell: float = 30.0, size: int = 60):
    """A DEM rising ``grade_pct`` percent eastwards, in UTM 43N (heights from 3000 m)."""
    from sitesel._typing import Dem

    cols = np.arange(size) * cell * grade_pct / 100
    elevation = 3000.0 + np.tile(cols, (size, 1))
    crs = pyproj.CRS.from_epsg(32643)
    return Dem(elevation, from_origin(500_000.0, 3_800_000.0, cell, cell), crs)


@pytest.mark.parametrize(("grade_pct", "share_class"), [(1.0, 0), (8.0, 2), (20.0, 4), (80.0, 6)])
def test_a_planes_area_falls_in_its_slope_class(grade_pct, share_class):
    """A site on a plane of known grade: all its area in that grade's FAO class, its mean
    slope the plane's angle, its lowest and highest ground the plane's at its edges."""
    from sitesel.terrain.slope_classes import profile_on_dem, slope_class_columns

    dem = _plane_dem(grade_pct)
    site = shapely.box(500_300.0, 3_798_800.0, 500_900.0, 3_799_400.0)  # 20 x 20 cells inside
    found = profile_on_dem(gpd.GeoSeries([site], crs=dem.crs), dem).iloc[0]
    shares = found[slope_class_columns()].to_numpy(float)
    assert shares[share_class] == pytest.approx(1.0)
    assert shares.sum() == pytest.approx(1.0)
    assert found["slope_mean_deg"] == pytest.approx(math.degrees(math.atan(grade_pct / 100)))
    # the site covers columns 10 .. 29, whose heights are 3000 m + column x 30 m x grade
    assert found["elevation_min_m"] == pytest.approx(3000 + 10 * 30 * grade_pct / 100)
    assert found["elevation_max_m"] == pytest.approx(3000 + 29 * 30 * grade_pct / 100)


def test_the_shortlists_terrain_profile_agrees_with_their_criteria(leh_run):
    """The run's terrain layer (the dossier's histogram) is measured on each site's finest
    DEM: its mean slope is the slope criterion's raw value, which came from the same DEM."""
    import pandas as pd

    from sitesel.terrain.slope_classes import slope_class_columns

    terrain = gpd.read_file(leh_run / "run" / "sites.gpkg", layer="terrain")
    ranking = pd.read_csv(leh_run / "run" / "ranking.csv").set_index("site_id")
    chosen = pd.read_csv(leh_run / "run" / "allocation.csv")["site_id"]  # the LSCP's 3
    beyond = ranking.loc[chosen].query("rank > 10").sort_values("rank").index.tolist()
    assert len(beyond) >= 2  # the covering answer takes sites far down the ranking
    # the shortlist: map.top_n best first, then the location problems' other sites
    assert terrain["site_id"].tolist() == ranking.index[:10].tolist() + beyond
    assert set(terrain["dem_layer"]) == {"dem_srtm1_leh", "dem_dted0"}
    fine = terrain[terrain["dem_layer"] == "dem_srtm1_leh"]
    assert (fine["dem_resolution_m"] < 31).all() and len(fine) >= 5
    np.testing.assert_allclose(
        terrain["slope_mean_deg"], ranking.loc[terrain["site_id"], "raw__slope_mean_deg"], atol=1e-6
    )
    np.testing.assert_allclose(terrain[slope_class_columns()].sum(axis=1), 1.0)
    assert (fine["elevation_max_m"] - fine["elevation_min_m"] > 5).all()  # 30 m cells see relief


# ----------------------------------------------- issue 32: DEMs that lie about their voids


def test_untagged_voids_are_nodata_with_a_warning(tmp_path, caplog):
    """A plane with a block of -32,742 (a void its file does not tag): the block reads as
    nodata, its share is said, and a site on the void gets no slope instead of a cliff."""
    bounds = write_plane(tmp_path / "plane.tif", crs="EPSG:32643", size=100)
    with rasterio.open(tmp_path / "plane.tif", "r+") as ds:
        z = ds.read(1)
        z[40:60, 40:60] = -32742  # 400 of 10,000 cells: 4 %
        z[45, 41] = 9500  # above Everest: a void too (inside the block: counted once)
        z[0, 0] = -9999.5  # beyond the area's window: not read
        ds.write(z, 1)
        ds.nodata = None
    x0, y0, _, _ = bounds
    area = (x0 + 300, y0 + 300, x0 + 2700, y0 + 2700)
    with caplog.at_level("WARNING"):
        dem = load_dem([tmp_path / "plane.tif"], dst_crs=UTM43, area_bounds=area, margin_m=0,
                       resolution_m=None, layer="fine")  # fmt: skip
    # The area's window is 80 x 80 cells; the void block lies in it, the corner does not.
    share = 100 * 20 * 20 / (80 * 80)
    assert f"layer fine: {share:.2f}% of the cells read hold heights outside -500 to 9000 m" in (
        caplog.text
    )
    assert np.nanmin(dem.elevation_m) >= 1000 and np.nanmax(dem.elevation_m) < 1400
    on_void = gpd.GeoSeries([shapely.box(x0 + 1350, y0 + 1350, x0 + 1650, y0 + 1650)], crs=UTM43)
    grids = {"slope": slope_deg(dem.elevation_m, dem.cell_size_m), "z": dem.elevation_m}
    stats = zonal_stats(on_void, grids, transform=dem.transform, stats=["mean", "min"])
    assert np.isnan(stats["slope_mean"][0]) and np.isnan(stats["z_min"][0])


def test_a_dem_resolution_that_would_not_fit_is_refused_before_it_is_read(tmp_path, data_dir):
    from ..cases import run_case_over_previous, small_leh_dict

    config = small_leh_dict()
    config["dem"]["resolution_m"] = 1
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert "dem.resolution_m: 1 m is outside the plausible 5 to 5,000 m" in line
    config["widen_ranges"] = {"dem.resolution_m": [1, 5000]}
    (tmp_path / "out").rename(tmp_path / "first")
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert "layer 'dem_dted0': the DEM reprojected to 1.0 m cells would have" in line
    cells = int(line.split("would have ")[1].split(" cells")[0].replace(",", ""))
    # The 4 km study, its 30 km road margin: ~68 km across, at 1 m a side.
    assert 4e9 < cells < 6e9
    assert "more than dem.max_cells (50,000,000)" in line and "raise dem.max_cells" in line


def test_the_cell_limit_counts_what_would_be_read(tmp_path):
    bounds = write_plane(tmp_path / "plane.tif", crs="EPSG:32643", size=100)
    x0, y0, _, _ = bounds
    area = (x0 + 300, y0 + 300, x0 + 2700, y0 + 2700)  # 80 x 80 cells of 30 m
    load_dem([tmp_path / "plane.tif"], dst_crs=UTM43, area_bounds=area, margin_m=0,
             resolution_m=None, layer="fine", max_cells=80 * 80)  # fmt: skip
    with pytest.raises(ConfigError, match=r"read around the study area would have 6,40\d cells"):
        load_dem([tmp_path / "plane.tif"], dst_crs=UTM43, area_bounds=area, margin_m=0,
                 resolution_m=None, layer="fine", max_cells=80 * 80 - 1)  # fmt: skip
