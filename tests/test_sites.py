import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from sitesel.data.sites import hex_grid, parcel_sites
from sitesel.errors import EmptyLayerError, LayerError
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
