import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from sitesel.data.sites import hex_grid, parcel_sites
from sitesel.data.study_area import utm_crs
from sitesel.errors import CrsError, EmptyLayerError, LayerError
from sitesel.units import ACRE_HA

UTM43 = pyproj.CRS.from_epsg(32643)


def test_hexagons_have_the_requested_area_and_tile_the_area():
    area = shapely.box(0, 0, 20_000, 10_000)
    cells = hex_grid(area, cell_area_ha=100 * ACRE_HA, crs=UTM43)
    np.testing.assert_allclose(cells.area / 10_000, 100 * ACRE_HA, rtol=1e-9)
    # Hexagons tile the plane: no overlaps, and their total area is close to the box's.
    union = shapely.union_all(cells.geometry.to_numpy())
    assert union.area == pytest.approx(cells.area.sum(), rel=1e-6)
    assert cells.area.sum() == pytest.approx(area.area, rel=0.05)  # ragged border
    assert cells["site_id"].is_unique
    assert shapely.contains_xy(area, cells.centroid.x, cells.centroid.y).all()


def test_grid_ids_are_stable_across_areas():
    small = hex_grid(shapely.box(0, 0, 5_000, 5_000), cell_area_ha=40, crs=UTM43)
    large = hex_grid(shapely.box(-5_000, -5_000, 10_000, 10_000), cell_area_ha=40, crs=UTM43)
    merged = small.merge(large, on="site_id", suffixes=("_s", "_l"))
    assert len(merged) == len(small)
    assert all(a.equals(b) for a, b in zip(merged["geometry_s"], merged["geometry_l"], strict=True))


def test_cells_larger_than_the_area_are_an_error():
    with pytest.raises(EmptyLayerError, match="smaller cells"):
        hex_grid(shapely.box(0, 0, 10, 10), cell_area_ha=1000, crs=UTM43)


def test_parcels_keep_ids_and_reject_duplicates():
    parcels = gpd.GeoDataFrame(
        {"pid": ["a", "b"]}, geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)], crs=UTM43
    )
    assert parcel_sites(parcels, id_column="pid", layer="p")["site_id"].tolist() == ["a", "b"]
    with pytest.raises(LayerError, match="repeated"):
        parcel_sites(parcels.assign(pid="x"), id_column="pid", layer="p")


@pytest.mark.parametrize(
    ("lon_deg", "lat_deg"),
    [(77.58, 34.16), (85.1, 26.6), (24.94, 60.17), (-70.6, -33.4), (179.5, 10.0), (-179.5, -5.0),
     (3.2, 0.5), (139.7, 35.7), (-0.5, 51.5), (0.5, 51.5)],
)  # fmt: skip
def test_utm_zone_by_arithmetic_matches_the_pyproj_database(lon_deg: float, lat_deg: float):
    point = gpd.GeoDataFrame(geometry=[shapely.Point(lon_deg, lat_deg)], crs=4326)
    assert utm_crs(point) == point.estimate_utm_crs()
    assert utm_crs(point.to_crs(3857)) == point.estimate_utm_crs()  # any native CRS


def test_utm_zone_of_an_area_across_the_antimeridian():
    towns = gpd.GeoDataFrame(
        geometry=[shapely.Point(179.6, -17.0), shapely.Point(-179.8, -16.5)], crs=4326
    )  # Fiji's Vanua Levu and Taveuni
    assert utm_crs(towns) == pyproj.CRS.from_epsg(32760)  # not zone 31, at 0 degrees


def test_utm_zone_refused_near_the_poles():
    point = gpd.GeoDataFrame(geometry=[shapely.Point(15.0, 85.0)], crs=4326)
    with pytest.raises(CrsError, match=r"working_crs.*84 N"):
        utm_crs(point)


def test_site_centroids_in_lon_lat_match_geopandas_and_skip_missing_geometry():
    from sitesel.result import centroids_lon_lat

    area = shapely.Point(500_000, 3_780_000).buffer(3_000)
    sites = hex_grid(area, cell_area_ha=40.5, crs=UTM43)
    sites = pd.concat([sites, gpd.GeoDataFrame(geometry=[None, shapely.Polygon()], crs=UTM43)])
    lon, lat = centroids_lon_lat(sites)
    expected = sites.geometry.centroid.to_crs(4326)
    np.testing.assert_allclose(lon, expected.x.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(lat, expected.y.to_numpy(), rtol=0, atol=1e-12)
    assert np.isnan(lon[-2:]).all() and np.isfinite(lon[:-2]).all()


def test_the_hexagon_lattice_is_found_once_a_run(tmp_path, data_dir, monkeypatch):
    """Issue 25: the sites stage finds the lattice and passes it on to the terrain
    statistics, the DEM stack's coverage check and the map's site raster."""
    import yaml

    from sitesel import api
    from sitesel.data import hex_lattice as lattice_module
    from sitesel.pipeline import inputs
    from sitesel.render import site_image
    from sitesel.terrain import zonal

    from ..cases import leh_dict

    calls = []
    original = lattice_module.hex_lattice

    def counted(geoms):
        calls.append(len(geoms))
        return original(geoms)

    for module in (inputs, zonal, site_image, lattice_module):
        monkeypatch.setattr(module, "hex_lattice", counted)
    config = leh_dict()
    config["study_area"]["buffer_km"] = 8
    config["robustness"] = None
    config["allocation"] = {}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(config))
    result, _ = api.run_and_write(
        path, data_dir=data_dir, offline=True, out_dir=tmp_path / "out",
        map_path=tmp_path / "m.html",
    )  # fmt: skip
    assert result.lattice is not None and len(result.lattice.col) == len(result.sites)
    assert calls == [len(result.sites)]
