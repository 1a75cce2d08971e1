"""Broken inputs end in exit 2 with one line (never exit 1, a hang or silent garbage)."""

import time
import zipfile

import geopandas as gpd
import pytest
import shapely
import yaml

from ..cases import LEH, catalog_dict, leh_dict, run_case


def _write_text(tmp_path, text):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path


def test_a_key_given_twice(tmp_path):
    text = LEH.read_text() + "\nname: again\n"
    from ..cases import sitesel

    path = _write_text(tmp_path, text)
    result = sitesel("validate", path)
    assert result.exit_code == 2
    assert "not valid YAML at line" in result.stderr
    assert "key 'name' is given twice (first at line 6); keep one" in result.stderr


@pytest.mark.parametrize("weight", [".inf", "1e400", ".nan"])
def test_infinite_weights(tmp_path, data_dir, weight):
    config = leh_dict()
    config["criteria"]["elevation_m"]["weight"] = weight
    text = yaml.safe_dump(config).replace(f"weight: '{weight}'", f"weight: {weight}")
    path = _write_text(tmp_path, text)
    from ..cases import sitesel

    result = sitesel("run", path, "--out", tmp_path / "o", "--data-dir", data_dir, "--offline")
    assert result.exit_code == 2
    assert (
        "criteria.elevation_m.weight: expected a finite number (not .inf or .nan)" in result.stderr
    )


def test_weights_that_overflow_their_sum(tmp_path, data_dir):
    config = leh_dict()
    for name in ("time_to_leh_min", "time_to_airport_min"):
        config["criteria"][name]["weight"] = 1e308
    line = run_case(tmp_path, data_dir, config)
    assert "weights add up to more than a number can hold" in line


def test_a_constraint_threshold_that_is_not_finite(tmp_path, data_dir):
    config = leh_dict()
    config["constraints"].append({"exclude_if": "elevation_m > 1e999"})
    line = run_case(tmp_path, data_dir, config)
    assert "the threshold must be a finite number, found inf" in line


def test_an_alias_bomb_fails_in_under_a_second(tmp_path):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    path = _write_text(tmp_path, "\n".join(lines) + "\n")
    from ..cases import sitesel

    start = time.perf_counter()
    result = sitesel("validate", path)
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 2 and "expands to more than 100,000 values" in result.stderr


def test_a_huge_config_fails_in_under_a_second(tmp_path):
    path = _write_text(tmp_path, "name: big\n" + "# padding\n" * 5_000_000)
    from ..cases import sitesel

    start = time.perf_counter()
    result = sitesel("validate", path)
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 2 and "bytes, more than the 1,000,000" in result.stderr


def test_tiny_cells_are_refused_before_any_is_built(tmp_path, data_dir):
    config = leh_dict()
    config["sites"]["grid"] = {"cell_area_ha": 0.0001}
    # Outside the plausible range (tests/test_plausible.py); widened here to reach the
    # grid's own memory guard.
    config["widen_ranges"] = {"sites.grid.cell_area_ha": [0.00001, 20_000]}
    start = time.perf_counter()
    line = run_case(tmp_path, data_dir, config)
    assert time.perf_counter() - start < 20
    assert "needs about" in line and "more than max_cells (2,000,000)" in line
    assert "use larger cells or a smaller study area" in line


def test_a_truncated_dem_tile_is_named(tmp_path, data_dir):
    tile = data_dir / "ladakh" / "dem_dted0" / "e077" / "n34.dt0"
    (tmp_path / "n34.dt0").write_bytes(tile.read_bytes()[:20_000])
    catalog = catalog_dict()
    catalog["layers"]["dem_dted0"] = {
        "kind": "dem",
        "format": "raster",
        "files": [{"path": str(tmp_path / "n34.dt0")}],
    }
    config = leh_dict()
    config["study_area"]["buffer_km"] = 5
    line = run_case(tmp_path, data_dir, config, catalog)
    assert "n34.dt0 cannot be read" in line and "truncated or damaged" in line


def test_a_corrupt_zip_is_named(tmp_path, data_dir):
    zipped = data_dir / "ladakh" / "pmgsy_roads_ladakh.zip"
    (tmp_path / "roads.zip").write_bytes(zipped.read_bytes()[:100_000])
    catalog = catalog_dict()
    catalog["layers"]["pmgsy_roads"]["path"] = str(tmp_path / "roads.zip")
    del catalog["layers"]["pmgsy_roads"]["sha256"], catalog["layers"]["pmgsy_roads"]["url"]
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert "roads.zip is not a complete zip archive (truncated or damaged)" in line
    assert zipfile.is_zipfile(zipped)  # the original is untouched


def test_invalid_parcels_are_repaired_and_named(tmp_path, data_dir, caplog):
    import sitesel

    bowtie = shapely.Polygon([(0, 0), (800, 800), (800, 0), (0, 800)])  # self-intersecting
    square = shapely.box(1000, 0, 1800, 800)
    parcels = gpd.GeoSeries([bowtie, square], crs=32643).translate(740_000, 3_776_000)
    gpd.GeoDataFrame({"pid": ["bow", "ok"]}, geometry=parcels).to_file(tmp_path / "p.gpkg")
    catalog = catalog_dict()
    catalog["layers"]["parcels"] = {"kind": "parcels", "path": str(tmp_path / "p.gpkg")}
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    config = leh_dict()
    config["catalog"] = str(tmp_path / "catalog.yaml")
    config["sites"] = {"parcels": {"layer": "parcels", "id_column": "pid"}}
    config["constraints"] = []
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(config))
    result = sitesel.run(tmp_path / "case.yaml", data_dir=data_dir, offline=True)
    assert "repaired with make_valid: bow" in caplog.text
    sites = result.sites.set_index("site_id")
    assert sites.loc["bow", "area_ha"] == pytest.approx(32, rel=0.01)  # two 16 ha triangles
    assert "outside" not in sites.loc["bow", "exclusion_reason"]


@pytest.mark.parametrize("what", ["folder", "link loop"])
def test_a_layer_path_that_is_no_file_says_what_it_is(tmp_path, data_dir, what):
    target = tmp_path / "thing.geojson"
    if what == "folder":
        target.mkdir()
    else:
        target.symlink_to(target)
    catalog = catalog_dict()
    catalog["layers"]["places"] = {"kind": "points", "path": str(target), "name_column": "name"}
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    expected = "is a folder, not a file" if what == "folder" else "link to nothing (or a link loop)"
    assert expected in line


def test_a_key_with_control_characters_stays_on_one_line(tmp_path):
    from ..cases import sitesel

    config = leh_dict()
    config["map"] = {"\r\nevil": 1}
    path = _write_text(tmp_path, yaml.safe_dump(config))
    result = sitesel("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "\\r\\nevil" in lines[0]


def test_a_rule_on_a_whole_section_never_prints_the_section(tmp_path, data_dir):
    config = leh_dict()
    for spec in config["criteria"].values():
        spec.pop("weight", None)
    line = run_case(tmp_path, data_dir, config)
    assert "at least one criterion needs a weight" in line
    assert "{'name'" not in line and "study_area" not in line  # not the whole config echoed


def test_a_dem_square_grid_without_a_dem(tmp_path, data_dir):
    config = leh_dict()
    config["sites"]["grid"]["shape"] = "dem_square"
    config.pop("dem")
    config["criteria"] = {
        k: v for k, v in config["criteria"].items() if v["kind"] not in ("slope", "elevation")
    }
    config["constraints"] = [c for c in config["constraints"] if "exclude_if" not in c]
    config["network"].pop("grade")
    config["network"]["scenarios"] = {}
    config["criteria"].pop("time_to_leh_winter_min")
    line = run_case(tmp_path, data_dir, config)
    assert "sites.grid.shape dem_square needs a dem: section" in line
