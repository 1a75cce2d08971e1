"""End-to-end: the `sitesel` command on the real Leh data, and every kind of bad input."""

import json
import re
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from scipy import stats

from sitesel.api import load_config
from sitesel.pipeline.scoring import phases

from ..cases import LEH, catalog_dict, leh_dict, run_case, sitesel, with_repo_paths
from ..conftest import ROOT


def test_run_writes_the_output_contract(leh_run):
    run = leh_run / "run"
    assert sorted(p.name for p in run.iterdir()) == [
        "allocation.csv",
        "allocation_demand.csv",
        "allocation_matrix.csv",
        "elevation.tif",
        "elevation_top_sites.tif",
        "exclusions.csv",
        "manifest.json",
        "ranking.csv",
        "regions.csv",
        "robustness.csv",
        "sites.gpkg",
        "sites.qgz",
        "smaa.csv",
        "stability.csv",
        "summary.png",
    ]
    table = pd.read_csv(run / "ranking.csv")
    criteria = [
        "time_to_leh_min",
        "time_to_airport_min",
        "workforce_30min",
        "time_to_leh_winter_min",
        "highway_distance_km",
        "slope_mean_deg",
        "elevation_m",
        "flat_share",
        "infra_cost_cr",
    ]
    weighted = [c for c in criteria if c not in ("time_to_leh_winter_min", "flat_share",
                                                 "infra_cost_cr")]  # fmt: skip
    expected = [
        "site_id",
        "lon",
        "lat",
        "place",
        "area_ha",
        "dem_layer",
        "dem_resolution_m",
        "excluded",
        "exclusion_reason",
        "notes",
        "flags",
    ]
    expected += [f"raw__{c}" for c in criteria]
    expected += [f"component__infra_cost_cr__{part}" for part in
                 ("access_road", "road_upgrade", "site_grading", "power", "water")]  # fmt: skip
    expected += [f"score__{c}" for c in weighted]
    expected += [f"contribution__{c}" for c in weighted]
    expected += ["limiting_criterion", "suitability", "rank"]
    expected += ["p_rank1", "p_top10", "rank_p05", "rank_p95"]
    expected += ["scheme_eligible", "scheme_reason", "scheme_partner", "scheme_link", "region"]
    assert list(table.columns) == expected
    ranked = table[~table["excluded"]]
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))  # sorted, dense from 1
    assert table["excluded"].tolist() == sorted(table["excluded"].tolist())  # excluded last
    assert 0 < table["excluded"].sum() < len(table)
    assert table.loc[table["excluded"], "rank"].isna().all()
    assert (table.loc[table["excluded"], "exclusion_reason"].str.len() > 0).all()
    assert ranked["suitability"].is_monotonic_decreasing
    assert table["lon"].between(77.2, 77.9).all() and table["lat"].between(33.9, 34.4).all()
    assert table["area_ha"].round(3).eq(40.469).all()  # 100-acre hexagons
    # Named by the nearest town or a bigger one close by (GeoNames): "3.7 km SW of Leh".
    assert table["place"].str.fullmatch(r"(at|[\d.]+ km (N|NE|E|SE|S|SW|W|NW) of) .+").all()
    assert table.iloc[0]["place"].endswith(" of Leh")
    scores = [c for c in table.columns if c.startswith("score__")]
    assert len(scores) == 6
    for column in scores:
        assert len(table[column].dropna()) > 0 and table[column].dropna().between(0, 1).all()
    # The best site is near Leh town and its airport, on gentle ground.
    best = table.iloc[0]
    assert best["raw__time_to_leh_min"] < 30 and best["raw__time_to_airport_min"] < 30
    assert best["raw__slope_mean_deg"] < 5

    sites = gpd.read_file(run / "sites.gpkg", layer="sites")
    assert len(sites) == len(table) and sites.crs.to_epsg() == 32643
    manifest = json.loads((run / "manifest.json").read_text())
    assert sum(manifest["weights"].values()) == pytest.approx(1)
    assert manifest["criteria_units"]["time_to_leh_min"] == "min"
    assert manifest["inputs_sha256"]["ladakh/pmgsy_roads_ladakh.zip"].startswith("53cb7279")
    assert manifest["road_graph"]["largest_component_length_share"] > 0.95
    assert {"road_graph", "criteria", "write"} <= set(manifest["timings_s"])
    assert manifest["versions"]["geopandas"]
    assert manifest["sites"]["ranked"] == len(ranked)


def test_map_is_self_contained_and_carries_the_run(leh_run):
    html = (leh_run / "leh.html").read_text()
    # Nothing is fetched: no script, stylesheet, image or frame from the web, no CSS url().
    assert not re.findall(r"""<(?:script|link|img|iframe)[^>]*(?:src|href)=["']?https?:""", html)
    assert not re.findall(r"""url\(["']?https?:""", html)
    payload = json.loads(
        re.search(
            r'<script type="application/json" id="sitesel-data">(.*?)</script>', html, re.S
        ).group(1)
    )
    table = pd.read_csv(leh_run / "run" / "ranking.csv")
    assert len(payload["ids"]) == len(table)
    assert {c["name"] for c in payload["criteria"] if c["weighted"]} == {
        "time_to_leh_min",
        "time_to_airport_min",
        "workforce_30min",
        "highway_distance_km",
        "slope_mean_deg",
        "elevation_m",
    }
    assert "mean slope above 15 degrees" in set(payload["reason"])
    assert {"Leh", "VILH"} <= set(payload["targets"]["name"])
    assert "NH" in payload["roads"]["class"]
    assert "Hillshade (from the DEM, offline)" in html


def test_map_command_rerenders_from_the_run_folder(leh_run, tmp_path):
    """Re-rendered from the run folder, the page and the PNG are the run's, byte for byte."""
    result = sitesel(
        "map", leh_run / "run", "--map", tmp_path / "again.html", "--png", tmp_path / "summary.png"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_bytes() == (leh_run / "leh.html").read_bytes()
    assert (tmp_path / "summary.png").read_bytes() == (leh_run / "run" / "summary.png").read_bytes()


def test_map_command_on_a_folder_that_is_no_run(tmp_path):
    result = sitesel("map", tmp_path)
    assert result.exit_code == 2
    assert "not a sitesel run folder (no manifest.json)" in result.stderr


def test_same_inputs_give_byte_identical_ranking(leh_run, data_dir, tmp_path):
    result = sitesel(
        "run",
        LEH,
        "--out",
        tmp_path / "again",
        "--map",
        tmp_path / "m.html",
        "--data-dir",
        data_dir,
        "--offline",
    )
    assert result.exit_code == 0
    first = (leh_run / "run" / "ranking.csv").read_bytes()
    assert (tmp_path / "again" / "ranking.csv").read_bytes() == first


def test_validate_and_schema(data_dir):
    result = sitesel("validate", LEH, "--data-dir", data_dir)
    assert result.exit_code == 0 and "valid" in result.output
    schema = json.loads(sitesel("schema").output)
    assert "criteria" in schema["properties"]
    catalog_schema = json.loads(sitesel("schema", "--catalog").output)
    assert "layers" in catalog_schema["properties"]


# --- bad input: exit code 2, one line naming file and key, no traceback, nothing written ---


def test_unknown_key(tmp_path, data_dir):
    config = leh_dict()
    config["network"]["sped_kmh"] = 3
    line = run_case(tmp_path, data_dir, config)
    assert "case.yaml: network.sped_kmh: unknown key" in line


def test_wrong_type_and_non_positive_weight(tmp_path, data_dir):
    config = leh_dict()
    config["criteria"]["elevation_m"]["weight"] = 0
    config["study_area"]["buffer_km"] = "far"
    line = run_case(tmp_path, data_dir, config)
    assert "criteria.elevation_m.weight: expected a number above 0, found 0" in line
    assert "study_area.buffer_km: expected a number" in line


def test_unknown_layer_name(tmp_path, data_dir):
    config = leh_dict()
    config["criteria"]["time_to_leh_min"]["to"]["layer"] = "towns"
    line = run_case(tmp_path, data_dir, config)
    assert "case.yaml: criteria.time_to_leh_min.to.layer: layer 'towns' is not in" in line


def test_layer_of_wrong_kind(tmp_path, data_dir):
    config = leh_dict()
    config["dem"] = {"layer": "pmgsy_roads"}
    line = run_case(tmp_path, data_dir, config)
    assert "dem.layer: expected a layer of kind dem, layer 'pmgsy_roads' is of kind 'roads'" in line


def test_missing_file_lists_it_with_its_source(tmp_path, data_dir):
    catalog = catalog_dict()
    catalog["layers"]["pmgsy_roads"]["path"] = "ladakh/not_here.zip"
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert "pmgsy_roads: ladakh/not_here.zip (from https://raw.githubusercontent.com" in line


def test_unreadable_file(tmp_path, data_dir):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hq.geojson").write_text("this is not GeoJSON")
    catalog = catalog_dict()
    # An absolute path in a catalog is used as it is, outside the data directory.
    catalog["layers"]["places"] = {
        "kind": "points",
        "path": str(tmp_path / "data" / "hq.geojson"),
        "name_column": "NAME11",
    }
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert "layer 'places': cannot read" in line


def test_layer_without_crs(tmp_path, data_dir):
    (tmp_path / "data").mkdir()
    hq = gpd.read_file(data_dir / "ladakh" / "ladakh_subdistrict_hq.geojson")
    hq.to_file(tmp_path / "data" / "hq.shp")
    (tmp_path / "data" / "hq.prj").unlink()
    catalog = catalog_dict()
    catalog["layers"]["places"] = {
        "kind": "points",
        "path": str(tmp_path / "data" / "hq.shp"),
        "name_column": "NAME11",
    }
    line = run_case(tmp_path, data_dir, leh_dict(), catalog)
    assert "layer 'places': hq.shp has no CRS; set crs:" in line


def test_empty_selection(tmp_path, data_dir):
    config = leh_dict()
    config["study_area"] = {"layer": "subdistrict_hq", "where": {"NAME11": "Atlantis"}}
    line = run_case(tmp_path, data_dir, config)
    assert "study_area: no feature of layer 'subdistrict_hq' has NAME11 in 'Atlantis'" in line


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Lehh", "no place called 'Lehh' in layer 'places'; near matches: Leh"),
        ("Shahpur", "9 places in layer 'places' are called 'Shahpur' (Shāhpur at"),
    ],
)
def test_a_place_that_is_missing_or_ambiguous(tmp_path, data_dir, place, expected):
    config = leh_dict()
    config["criteria"]["time_to_leh_min"]["to"] = {"place": place}
    line = run_case(tmp_path, data_dir, config)
    assert "criteria.time_to_leh_min.to.place: " in line and expected in line


def test_unknown_column_in_selection(tmp_path, data_dir):
    config = leh_dict()
    config["criteria"]["time_to_airport_min"]["to"]["where"] = {"icao": "VILH"}
    line = run_case(tmp_path, data_dir, config)
    assert "criteria.time_to_airport_min.to: layer 'airport_runways' has no column 'icao'" in line


def test_all_sites_excluded(tmp_path, data_dir):
    config = leh_dict()
    config["constraints"].append({"exclude_if": "elevation_m > 0", "reason": "any height"})
    line = run_case(tmp_path, data_dir, config)
    assert "constraints: all 4844 sites are excluded" in line and "any height (4844)" in line


def test_failed_run_keeps_earlier_outputs(tmp_path, data_dir):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranking.csv").write_text("earlier run\n")
    config = leh_dict()
    config["constraints"].append({"exclude_if": "elevation_m > 0"})
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(config))
    result = sitesel(
        "run", path, "--out", out, "--map", tmp_path / "m.html", "--data-dir", data_dir, "--offline"
    )
    assert result.exit_code == 2
    assert (out / "ranking.csv").read_text() == "earlier run\n"
    assert sorted(p.name for p in out.iterdir()) == ["ranking.csv"]  # no temp files left


def test_installed_command_hides_traceback_unless_verbose(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    cmd = [sys.executable, "-m", "sitesel.cli", "run", str(bad)]
    quiet = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert quiet.returncode == 2
    assert quiet.stderr.count("\n") == 1 and "Traceback" not in quiet.stderr
    assert "bad.yaml: catalog: required key is missing" in quiet.stderr
    loud = subprocess.run([*cmd, "-v"], capture_output=True, text=True, check=False)
    assert loud.returncode == 2 and "Traceback" in loud.stderr


# --- weights and compare ---


def test_weights_command_direct_and_ahp():
    direct = json.loads(sitesel("weights", LEH, "--json").output)
    assert direct["method"] == "direct" and direct["consistency_ratio"] is None
    assert sum(direct["weights"].values()) == pytest.approx(1)
    ahp = json.loads(sitesel("weights", ROOT / "configs" / "leh_ahp.yaml", "--json").output)
    assert ahp["method"] == "ahp" and 0 <= ahp["consistency_ratio"] < 0.1
    assert set(ahp["participants_consistency_ratio"]) == {
        "industries department",
        "planning department",
    }
    assert {"row", "col", "value", "consistent_value"} <= set(ahp["inconsistent_judgments"][0])
    text = sitesel("weights", ROOT / "configs" / "leh_ahp.yaml").output
    assert "consistency ratio:" in text


def test_inconsistent_ahp_stops_the_run(tmp_path, data_dir):
    config = yaml.safe_load((ROOT / "configs" / "leh_ahp.yaml").read_text())
    config["catalog"] = str(ROOT / "layers" / "leh.yaml")
    config["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(config)
    judgments = config["weighting"]["ahp"]["participants"][0]["judgments"]
    judgments["slope_mean_deg"]["elevation_m"] = "1/9"
    judgments["highway_distance_km"]["elevation_m"] = 9
    judgments["time_to_leh_min"]["elevation_m"] = 9
    config["weighting"]["ahp"]["participants"] = config["weighting"]["ahp"]["participants"][:1]
    line = run_case(tmp_path, data_dir, config)
    assert "weighting.ahp: consistency ratio" in line and "Revisit" in line


def test_compare_two_runs(leh_run, data_dir, tmp_path):
    same = json.loads(
        sitesel(
            "compare", leh_run / "run", leh_run / "run", "--json", "--map", tmp_path / "same.html"
        ).output
    )
    assert same["kendall_tau"] == pytest.approx(1) and same["spearman_rho"] == pytest.approx(1)
    assert same["top10_overlap"] == 1.0
    ahp_out = tmp_path / "ahp"
    result = sitesel(
        "run",
        ROOT / "configs" / "leh_ahp.yaml",
        "--out",
        ahp_out,
        "--map",
        tmp_path / "ahp.html",
        "--data-dir",
        data_dir,
        "--offline",
    )
    assert result.exit_code == 0, result.output
    diff = json.loads(
        sitesel(
            "compare",
            leh_run / "run",
            ahp_out,
            "--json",
            "--top-k",
            "5",
            "--map",
            tmp_path / "diff.html",
        ).output
    )
    assert 0.5 < diff["kendall_tau"] < 1 and 0.5 < diff["spearman_rho"] <= 1
    # The overlap is the share of the top five of A that is in the top five of B, read here
    # straight from the two ranking.csv files.
    tops = [
        set(pd.read_csv(folder / "ranking.csv").query("rank <= 5")["site_id"])
        for folder in (leh_run / "run", ahp_out)
    ]
    assert diff["top5_overlap"] == pytest.approx(len(tops[0] & tops[1]) / 5)
    scipy_tau = stats.kendalltau(*_common_ranks(leh_run / "run", ahp_out)).statistic
    assert diff["kendall_tau"] == pytest.approx(scipy_tau)
    assert {w["criterion"] for w in diff["weights"]} >= {"slope_mean_deg", "elevation_m"}
    html = (tmp_path / "diff.html").read_text()
    assert "Rank change, A to B" in html and "rank in leh_ahp" in html
    assert re.search(r"rose more than \d+ places", html) and "fell 1\u2013" in html
    assert "Hillshade (from the DEM, offline)" in html  # the run's basemap

    def ids(named):  # "2.5 km SW of Leh (H1245_5531)": the place first, the id in brackets
        return {n.rsplit("(", 1)[-1].rstrip(")") for n in named}

    assert ids(diff["entering_top5"]) == tops[1] - tops[0]
    assert ids(diff["leaving_top5"]) == tops[0] - tops[1]
    assert not re.findall(r"""<(?:script|link)[^>]*(?:src|href)=["']?https?:""", html)


def test_parcels_instead_of_a_grid(tmp_path, data_dir):
    """Candidate parcels from a polygon file; one lies outside the study area."""
    centres = {
        "near_airport": (77.55, 34.14),
        "choglamsar": (77.58, 34.11),
        "far_away": (78.5, 34.0),
    }
    parcels = gpd.GeoDataFrame(
        {"parcel_no": list(centres)},
        geometry=gpd.points_from_xy(*zip(*centres.values(), strict=True), crs=4326)
        .to_crs(32643)
        .buffer(400, cap_style="square"),
    ).to_crs(4326)
    parcels.to_file(tmp_path / "parcels.geojson")
    catalog = catalog_dict()
    catalog["layers"]["parcels"] = {"kind": "parcels", "path": str(tmp_path / "parcels.geojson")}
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    config = leh_dict()
    config["catalog"] = str(tmp_path / "catalog.yaml")
    config["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(config)
    config["sites"] = {"parcels": {"layer": "parcels", "id_column": "parcel_no"}}
    # Parcels are the point here, not land use: keep the constraints on criteria only (the
    # airport and built-up exclusions are checked in test_real_world.py).
    config["constraints"] = [c for c in config["constraints"] if "exclude_if" in c]
    config.pop("land")  # the runway and the park: tests/test_land_rules.py
    config.pop("regions")
    config["robustness"]["monte_carlo"]["draws"] = 50
    path = tmp_path / "parcels.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = sitesel(
        "run",
        path,
        "--out",
        tmp_path / "out",
        "--map",
        tmp_path / "p.html",
        "--data-dir",
        data_dir,
        "--offline",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "ranking.csv").set_index("site_id")
    assert table.loc["far_away", "excluded"]
    assert "outside the study area" in table.loc["far_away", "exclusion_reason"]
    assert set(table.loc[~table["excluded"], "rank"]) == {1, 2}
    assert table.loc["near_airport", "area_ha"] == pytest.approx(64, rel=0.01)  # 800 m square
    # 64 ha is 158 acres: enough for EMC 2.0 in a UT on its own.
    assert table.loc["near_airport", "scheme_eligible"]


def _common_ranks(a, b):
    """Ranks of the sites ranked in both runs, aligned by site id."""
    ra, rb = (pd.read_csv(f / "ranking.csv").dropna(subset=["rank"]) for f in (a, b))
    both = ra[["site_id", "rank"]].merge(rb[["site_id", "rank"]], on="site_id")
    return both["rank_x"].to_numpy(), both["rank_y"].to_numpy()


def test_read_run_gives_back_the_same_ranking(leh_run, tmp_path):
    """The public API reads a run folder into the Result type that `run` returns."""
    import sitesel
    from sitesel.outputs.files import write_table_csv

    result = sitesel.read_run(leh_run / "run")
    assert isinstance(result, sitesel.Result)
    write_table_csv(result.ranking, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == (leh_run / "run" / "ranking.csv").read_bytes()
    assert result.name == "leh" and result.crs.to_epsg() == 32643
    assert result.manifest.sites.ranked == int(result.sites["rank"].notna().sum())
    assert result.dem is not None and result.roads is not None and len(result.targets)


def test_map_refuses_a_manifest_missing_keys(leh_run, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "sites.gpkg").write_bytes((leh_run / "run" / "sites.gpkg").read_bytes())
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    del manifest["weights"], manifest["working_crs"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = sitesel("map", folder, "--map", tmp_path / "m.html")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "manifest.json: not a sitesel 1 manifest" in line
    assert "weights: required key is missing" in line
    assert "working_crs: required key is missing" in line
    assert not (tmp_path / "m.html").exists()


def test_smaa_table_agrees_with_the_monte_carlo_columns(leh_run):
    import pandas as pd

    smaa = pd.read_csv(leh_run / "run" / "smaa.csv")
    robust = pd.read_csv(leh_run / "run" / "robustness.csv").set_index("site_id")
    assert len(smaa) > 0
    assert smaa["b_rank1"].tolist() == robust.loc[smaa["site_id"], "p_rank1"].tolist()
    central = smaa[[c for c in smaa.columns if c.startswith("central__")]]
    assert central.sum(axis=1).to_numpy() == pytest.approx(1, abs=1e-5)
    assert len(central.columns) == 6
    assert smaa["confidence_factor"].isin([0.0, 1.0]).all()


def test_compare_two_configs_runs_each_into_its_own_folder(tmp_path, data_dir, monkeypatch):
    """Issue 11: comparing configs never overwrites a plain run's outputs (out/<name>/), nor
    one side the other when both have the same name; the sites entering and leaving the
    top k are listed."""
    from ..studies.test_study_paths import small_study

    monkeypatch.chdir(tmp_path)
    config = small_study()
    path_a = tmp_path / "a.yaml"
    path_a.write_text(yaml.safe_dump(config))
    config["weighting"]["rank_order"]["ranking"] = list(
        reversed(config["weighting"]["rank_order"]["ranking"])
    )
    path_b = tmp_path / "b.yaml"
    path_b.write_text(yaml.safe_dump(config))  # same name: "paths"
    plain = tmp_path / "out" / "paths"
    plain.mkdir(parents=True)
    (plain / "keep.txt").write_text("a plain run's outputs")
    result = sitesel("compare", path_a, path_b, "--data-dir", data_dir, "--offline")
    assert result.exit_code == 0, result.output
    assert (plain / "keep.txt").read_text() == "a plain run's outputs"
    assert sorted(p.name for p in plain.iterdir()) == ["keep.txt"]
    for side in ("A", "B"):
        assert (tmp_path / "out" / "compare" / f"{side}_paths" / "ranking.csv").is_file()
    assert "entering the top 10 in B:" in result.output
    assert "leaving the top 10 in B:" in result.output
    moved = json.loads(
        sitesel(
            "compare", tmp_path / "out" / "compare" / "A_paths",
            tmp_path / "out" / "compare" / "B_paths", "--json",
        ).output
    )  # fmt: skip
    assert len(moved["entering_top10"]) == len(moved["leaving_top10"])
    assert len(moved["entering_top10"]) == round(10 * (1 - moved["top10_overlap"]))


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["weights"], ["map"], ["compare"]])
def test_help_reads_cleanly(command):
    result = sitesel(*command, "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "╭" not in result.output


def test_a_config_copied_elsewhere_names_the_key_and_the_path_tried(tmp_path):
    copy = tmp_path / "leh.yaml"
    copy.write_text((ROOT / "configs" / "leh.yaml").read_text())
    result = sitesel("validate", copy)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith(f"sitesel: error: {copy}: catalog: ../layers/leh.yaml resolves to")
    assert str(tmp_path.parent / "layers" / "leh.yaml") in line and "relative to the config" in line


def test_a_run_off_a_terminal_prints_no_progress():
    """The spinner is for terminals: captured output (CI, pipes) holds only the summary."""
    from sitesel.cli.options import stage_display

    with stage_display(0) as show:
        assert show is None  # pytest's stderr is not a terminal


def test_large_runs_write_their_sites_as_geoparquet(tmp_path, data_dir, monkeypatch):
    """Above LARGE_RUN_SITES the sites go to sites.parquet (fast at a million rows) and the
    run folder still reads back whole."""
    import pyogrio

    import sitesel
    from sitesel.api import run_and_write
    from sitesel.outputs import files

    from ..studies.test_study_paths import small_study

    monkeypatch.setattr(files, "LARGE_RUN_SITES", 10)
    path = tmp_path / "paths.yaml"
    path.write_text(yaml.safe_dump(small_study()))
    result, written = run_and_write(
        path, data_dir=data_dir, offline=True, out_dir=tmp_path / "out",
        map_path=tmp_path / "paths.html",
    )  # fmt: skip
    assert written["sites_parquet"].is_file() and len(result.sites) > 10
    layers = {name for name, _ in pyogrio.list_layers(written["sites"])}
    assert "sites" not in layers and "study_area" in layers
    back = sitesel.read_run(tmp_path / "out")
    assert back.sites["site_id"].tolist() == result.sites["site_id"].tolist()
    pd.testing.assert_series_equal(
        back.sites["suitability"], result.sites["suitability"], check_names=False
    )
    table = gpd.read_parquet(written["sites_parquet"])
    assert {"lon", "lat"} <= set(table.columns) and table.crs == result.crs


def test_outputs_carry_lon_lat_one_target_type_labels_and_value_functions(leh_run):
    """Issue 11: sites.gpkg has lon/lat, the targets layer one geometry type, and the
    manifest records value functions, labels and the sitesel version."""
    import sitesel

    gpkg = leh_run / "run" / "sites.gpkg"
    sites = gpd.read_file(gpkg, layer="sites")
    assert {"lon", "lat"} <= set(sites.columns)
    assert sites["lon"].between(77.2, 77.9).all() and sites["lat"].between(33.9, 34.4).all()
    targets = gpd.read_file(gpkg, layer="targets")
    assert set(targets.geom_type) == {"Point"}
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    assert manifest["sitesel_version"] == sitesel.__version__
    assert manifest["criteria_labels"]["time_to_leh_min"] == "Travel time to Leh (min)"
    assert manifest["value_functions"]["slope_mean_deg"] == {
        "type": "linear", "low": 2.0, "high": 10.0, "direction": "cost",
    }  # fmt: skip


def test_network_criteria_are_computed_only_for_sites_still_in_play(leh_run):
    """Issue 13, exclude early: terrain, area-based and taken-land constraints apply before
    any routing; a site they exclude keeps the value that excluded it, has no travel time,
    and gets no "no value" reason for the criteria never computed for it. Terrain comes
    first of all: distances are measured only for sites the terrain leaves in play."""
    table = pd.read_csv(leh_run / "run" / "ranking.csv")
    high = table["raw__elevation_m"] > 4200
    assert high.sum() > 1000
    assert table.loc[high, "raw__time_to_leh_min"].isna().all()
    assert table.loc[high, "raw__highway_distance_km"].isna().all()
    assert table.loc[~high, "raw__highway_distance_km"].notna().any()
    config = load_config(ROOT / "configs" / "leh.yaml").config
    assert phases(config) == [
        ["slope_mean_deg", "elevation_m", "flat_share"],
        ["highway_distance_km"],
        ["time_to_leh_min", "time_to_airport_min", "workforce_30min", "time_to_leh_winter_min",
         "infra_cost_cr"],
    ]  # fmt: skip
    assert table.loc[high, "exclusion_reason"].str.contains("above 4,200 m").all()
    assert not table.loc[high, "exclusion_reason"].str.contains("minutes|reach").any()
    kept = ~table["excluded"]
    assert kept.sum() > 100
    assert table.loc[kept, "raw__time_to_leh_min"].notna().all()
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    assert "taken_land" in manifest["timings_s"]


def test_weights_of_a_run_folder_show_objective_weights_and_smaa(leh_run):
    result = sitesel("weights", leh_run / "run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ["used", "entropy", "critic"] in [line.split() for line in lines]
    assert "SMAA-2, sites first in some weight draws" in result.output
    data = json.loads(sitesel("weights", leh_run / "run", "--json").output)
    assert set(data["objective_weights"]) == {"entropy", "critic"}
    assert sum(data["objective_weights"]["entropy"].values()) == pytest.approx(1, abs=1e-5)


def test_a_dem_square_grid_runs_with_terrain_from_whole_dem_cells(tmp_path, data_dir):
    """Issue 13: sites.grid.shape dem_square gives squares of whole DEM cells of at least
    the cell area, and each site's mean elevation is the mean of the cells it holds."""
    import numpy as np
    import rasterio

    config = leh_dict()
    config["sites"]["grid"]["shape"] = "dem_square"
    config["dem"] = {"layer": "dem_dted0"}  # one DEM: the squares are its cells
    path = tmp_path / "square.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "out"
    result = sitesel("run", path, "--out", out, "--map", tmp_path / "sq.html", "--data-dir",
                     data_dir, "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    sites = gpd.read_file(out / "sites.gpkg", layer="sites")
    assert len(sites) > 0 and sites["site_id"].str.startswith("Q").all()
    assert (sites["area_ha"] >= 100 * 0.40468564 - 1e-6).all()
    with rasterio.open(out / "elevation.tif") as dem:  # the DEM the run used
        z, t = dem.read(1), dem.transform
    row = sites.iloc[len(sites) // 2]
    xmin, ymin, xmax, ymax = row.geometry.bounds
    c0, c1 = round((xmin - t.c) / t.a), round((xmax - t.c) / t.a)
    r0, r1 = round((t.f - ymax) / -t.e), round((t.f - ymin) / -t.e)
    assert row["raw__elevation_m"] == pytest.approx(float(np.mean(z[r0:r1, c0:c1])), rel=1e-5)


def test_a_missing_config_is_reported_before_the_library_loads(tmp_path):
    """The one-line error comes before the library and geopandas are imported: at once."""
    code = (
        "import sys; from typer.testing import CliRunner; from sitesel.cli import app;"
        f" r = CliRunner().invoke(app, ['run', {str(tmp_path / 'missing.yaml')!r}]);"
        " print(r.exit_code, 'geopandas' in sys.modules, 'sitesel.api' in sys.modules);"
        " print(r.stderr.strip())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, message = done.stdout.splitlines()
    assert status == "2 False False"
    assert message == f"sitesel: error: {tmp_path / 'missing.yaml'}: file not found; check the path"
