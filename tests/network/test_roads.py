import geopandas as gpd
import numpy as np
import pytest
import shapely

from sitesel.data.vector import read_vector
from sitesel.errors import LayerError
from sitesel.network.graph import connectivity_report
from sitesel.network.repair import road_edges_from_lines


def lines(*geoms, classes=None):
    return gpd.GeoDataFrame(
        {"cls": classes or ["A"] * len(geoms)}, geometry=list(geoms), crs="EPSG:32643"
    )


def test_crossing_lines_are_noded_into_four_edges():
    layer = lines(
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(50, -50), (50, 50)]),
        classes=["NH", "MDR"],
    )
    roads, report = road_edges_from_lines(layer, class_column="cls", snap_tolerance_m=0)
    assert len(roads.edges) == 4 and len(roads.node_xy) == 5
    assert sorted(roads.edges["road_class"]) == ["MDR", "MDR", "NH", "NH"]
    assert roads.edges["length_m"].sum() == pytest.approx(200)
    assert connectivity_report(roads).n_components == 1
    assert report.n_noded_pieces == 4


def test_dangling_end_is_joined_to_the_road_it_stops_short_of():
    # A side road ending 8 m short of a main road: a T junction with a gap.
    layer = lines(
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(40, 8), (40, 60)]),
        classes=["NH", "VR"],
    )
    unsnapped, _ = road_edges_from_lines(layer, class_column="cls", snap_tolerance_m=5)
    assert connectivity_report(unsnapped).n_components == 2
    roads, report = road_edges_from_lines(layer, class_column="cls", snap_tolerance_m=10)
    assert connectivity_report(roads).n_components == 1
    assert report.n_dangles_joined == 1
    assert report.connector_length_m == pytest.approx(8)
    # The main road is split where the connector lands: two NH pieces of 40 m and 60 m.
    nh = np.sort(roads.edges.loc[roads.edges["road_class"] == "NH", "length_m"].to_numpy())
    np.testing.assert_allclose(nh, [40, 60])
    # The connector continues the side road's class.
    assert (roads.edges["road_class"] == "VR").sum() == 2


def test_gap_to_a_road_end_joins_the_end_node():
    layer = lines(shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(103, 0), (200, 0)]))
    roads, report = road_edges_from_lines(layer, class_column=None, snap_tolerance_m=5)
    assert report.n_gaps_closed == 1 and report.repairs[0].kind == "end_to_end"
    assert connectivity_report(roads).n_components == 1
    assert len(roads.node_xy) == 4  # no new node: the ends are joined directly


def test_missing_class_column_is_a_layer_error():
    with pytest.raises(LayerError, match="no column 'RoadCatego'"):
        road_edges_from_lines(
            lines(shapely.LineString([(0, 0), (1, 1)])),
            class_column="RoadCatego",
            snap_tolerance_m=0,
        )


def test_pmgsy_ladakh_connectivity(data_dir):
    layer = read_vector(data_dir / "ladakh" / "pmgsy_roads_ladakh.zip", layer="pmgsy")
    layer = layer.to_crs(32643)
    raw, _ = road_edges_from_lines(layer, class_column="RoadCatego", snap_tolerance_m=0)
    # The data README: joining at crossings leaves 618 separate pieces.
    assert connectivity_report(raw).n_components == 618
    roads, report = road_edges_from_lines(layer, class_column="RoadCatego", snap_tolerance_m=50)
    conn = connectivity_report(roads)
    assert report.n_input_lines == 1015
    assert conn.length_km == pytest.approx(6275, rel=0.01)
    assert conn.n_components < 20
    assert conn.largest_component_length_share > 0.99
    assert set(roads.edges["road_class"]) >= {"NH", "SH", "MDR", "RR(VR)", "RR(TRACK)"}


def test_points_along_lines_equal_shapelys_interpolation():
    """The vectorised sampler used for road grades gives shapely's points."""
    from sitesel.network.lines import points_along

    rng = np.random.default_rng(3)
    lines = np.array(
        [
            shapely.LineString(np.cumsum(rng.normal(0, 100, size=(int(k), 2)), axis=0))
            for k in rng.integers(2, 60, size=40)
        ]
        + [shapely.LineString([(5, 5), (5, 5)])]  # a degenerate edge
    )
    line = rng.integers(0, len(lines), size=2000)
    fraction = rng.random(2000)
    fraction[:50] = 0.0
    fraction[50:100] = 1.0
    distance = fraction * shapely.length(lines[line])
    expected = shapely.get_coordinates(shapely.line_interpolate_point(lines[line], distance))
    np.testing.assert_allclose(points_along(lines, line, distance), expected, atol=1e-6)


def test_split_line_equals_shapely_substring():
    from shapely.ops import substring

    from sitesel.network.lines import split_line

    rng = np.random.default_rng(5)
    for k in rng.integers(2, 40, size=30):
        line = shapely.LineString(np.cumsum(rng.normal(0, 50, size=(int(k), 2)), axis=0))
        cuts = np.sort(rng.random(int(rng.integers(1, 6)))) * line.length
        bounds = np.r_[0.0, cuts, line.length]
        for mine, a, b in zip(split_line(line, bounds), bounds[:-1], bounds[1:], strict=True):
            theirs = substring(line, a, b)
            assert mine.length == pytest.approx(theirs.length, abs=1e-6)
            assert shapely.hausdorff_distance(mine, theirs) < 1e-6
