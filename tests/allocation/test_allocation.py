"""Location-allocation: checked against spopt, by hand, heuristic against exact, and as a study.

spopt (PySAL's location models, solved with PuLP's CBC) is the reference: on the same cost
matrices each problem's optimum must equal ours. A line of five villages is solved by
hand. The heuristic must land within its own reported gap of the exact optimum.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sitesel.allocation.draws import chosen_share
from sitesel.allocation.exact import solve_exact
from sitesel.allocation.heuristic import solve_heuristic
from sitesel.allocation.problems import Instance, assignment, objective_of
from sitesel.config.allocation import AllocationSpec
from sitesel.pipeline.allocation import suitability_under_draws
from sitesel.pipeline.registries import load_study_config

from ..cases import run_case, sitesel, with_repo_paths
from ..conftest import ROOT

pytestmark = [  # spopt 0.7 builds its models with PuLP calls PuLP 3.3 deprecates
    pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning"),
]
pulp = pytest.importorskip("pulp")
spopt_locate = pytest.importorskip("spopt.locate")


def _random(seed, n_demand=70, n_candidates=30):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, (n_demand, 2))
    sites = rng.uniform(0, 100, (n_candidates, 2))
    minutes = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return minutes, rng.integers(1, 500, n_demand).astype(float)


def _spopt(problem, minutes, weight, k, t):
    cbc = pulp.PULP_CBC_CMD(msg=False)
    model = {
        "p_median": lambda: spopt_locate.PMedian.from_cost_matrix(minutes, weight, p_facilities=k),
        "mclp": lambda: spopt_locate.MCLP.from_cost_matrix(
            minutes, weight, service_radius=t, p_facilities=k
        ),
        "lscp": lambda: spopt_locate.LSCP.from_cost_matrix(minutes, service_radius=t),
        "p_center": lambda: spopt_locate.PCenter.from_cost_matrix(minutes, p_facilities=k),
    }[problem]().solve(cbc)
    return pulp.value(model.problem.objective)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("problem", ["p_median", "mclp", "lscp", "p_center"])
def test_each_problem_matches_spopt(problem, seed):
    minutes, weight = _random(seed)
    t = 45.0 if problem == "lscp" else 25.0  # every point coverable for spopt's LSCP
    inst = Instance(minutes=minutes, weight=weight, k=4, within_min=t)
    ours = solve_exact(problem, inst, time_limit_s=60, mip_gap=0.0)
    assert ours.objective == pytest.approx(_spopt(problem, minutes, weight, 4, t), rel=1e-6)
    assert ours.gap == 0.0 and ours.solver == "HiGHS MIP, optimal"
    assert objective_of(problem, inst, ours.chosen) == pytest.approx(ours.objective, rel=1e-6)


def test_a_line_of_five_villages_by_hand():
    """Villages 1 minute apart at 0..4, one person each; a candidate at each village."""
    x = np.arange(5.0)
    minutes = np.abs(x[:, None] - x[None, :])
    weight = np.ones(5)

    def solve(problem, **kw):
        return solve_exact(problem, Instance(minutes=minutes, weight=weight, **kw),
                           time_limit_s=10, mip_gap=0.0)  # fmt: skip

    one = solve("p_median", k=1)
    assert one.chosen.tolist() == [2] and one.objective == 6  # 2+1+0+1+2
    assert solve("p_median", k=2).objective == 3  # e.g. villages 1 and 3: 1+0+1+0+1
    assert solve("mclp", k=1, within_min=1).objective == 3  # three villages within 1 min
    assert solve("lscp", within_min=1).objective == 2  # two sites cover all five
    assert solve("p_center", k=1).objective == 2  # the middle: 2 minutes at worst
    assert solve("p_center", k=2).objective == 1
    site, t = assignment(minutes, np.array([1, 3]))
    assert site.tolist() == [1, 1, 1, 3, 3] and t.tolist() == [1, 0, 1, 0, 1]


def test_spacing_and_required_sites_hold():
    x = np.arange(5.0)
    minutes = np.abs(x[:, None] - x[None, :])
    conflicts = np.array([[1, 2], [2, 3], [1, 3]])  # 1, 2 and 3 too close together
    inst = Instance(minutes=minutes, weight=np.ones(5), k=2, required=np.array([0]),
                    conflicts=conflicts)  # fmt: skip
    answer = solve_exact("p_median", inst, time_limit_s=10, mip_gap=0.0)
    assert 0 in answer.chosen and answer.chosen.tolist() == [0, 3]  # 0+1+1+0+1 = 3
    heuristic = solve_heuristic("p_median", inst, time_limit_s=10, target_gap=0.0)
    assert 0 in heuristic.chosen and heuristic.objective == 3


@pytest.mark.parametrize("seed", [3, 4, 5])
@pytest.mark.parametrize("problem", ["p_median", "mclp"])
def test_the_heuristic_lies_within_its_reported_gap_of_the_optimum(problem, seed):
    minutes, weight = _random(seed, 120, 60)
    inst = Instance(minutes=minutes, weight=weight, k=5, within_min=20)
    exact = solve_exact(problem, inst, time_limit_s=60, mip_gap=0.0)
    heur = solve_heuristic(problem, inst, time_limit_s=20, target_gap=0.0)
    if problem == "p_median":
        assert heur.bound <= exact.objective + 1e-6 <= heur.objective + 2e-6
        assert heur.objective - exact.objective <= heur.gap * heur.objective + 1e-6
    else:
        assert heur.bound + 1e-6 >= exact.objective >= heur.objective - 1e-6
        assert exact.objective - heur.objective <= heur.gap * heur.objective + 1e-6
    assert heur.gap < (0.02 if problem == "p_median" else 0.15)  # MCLP's bound is looser


# --------------------------------------------------------------- the Bihar CFC study


@pytest.fixture(scope="module")
def cfc(tmp_path_factory, data_dir):
    out = tmp_path_factory.mktemp("cfc")
    result = sitesel("run", ROOT / "configs" / "bihar_kesaria_cfc.yaml", "--out", out / "run",
                     "--map", out / "cfc.html", "--data-dir", data_dir, "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "allocation cfc_mclp (mclp, k=3, T=15 min)" in result.output
    return out


def test_the_bihar_cfc_study_writes_its_answer(cfc):
    run = cfc / "run"
    chosen = pd.read_csv(run / "allocation.csv")
    assert chosen.groupby("problem").size().to_dict() == {"cfc_mclp": 3, "cfc_p_median": 3}
    demand = pd.read_csv(run / "allocation_demand.csv", keep_default_na=False)
    matrix = pd.read_csv(run / "allocation_matrix.csv")
    manifest = json.loads((run / "manifest.json").read_text())
    mclp = manifest["allocation"]["cfc_mclp"]
    assert mclp["gap"] == 0 and mclp["k"] == 3 and mclp["within_min"] == 15
    mine = demand[demand["problem"] == "cfc_mclp"]
    covered = (
        mine.loc[mine["covered"] == "true", "weight"].sum()
        if mine["covered"].dtype == object
        else mine.loc[mine["covered"], "weight"].sum()
    )
    assert covered == pytest.approx(mclp["objective"])
    assert covered / mine["weight"].sum() == pytest.approx(mclp["coverage_share"])
    # The matrix re-solves to the same optimum with another solver (a reviewer's check).
    sub = matrix[matrix["problem"] == "cfc_mclp"]
    cands = sorted(sub["candidate"].unique())
    points = mine["demand_id"].tolist()
    dense = np.full((len(points), len(cands)), np.inf)
    rows = sub["demand"].map({d: i for i, d in enumerate(points)}).to_numpy()
    cols = sub["candidate"].map({c: j for j, c in enumerate(cands)}).to_numpy()
    dense[rows, cols] = sub["minutes"]
    # spopt has no spacing rule: check ours against HiGHS on the same matrix without it.
    inst = Instance(minutes=dense, weight=mine["weight"].to_numpy(dtype=float), k=3,
                    within_min=15)  # fmt: skip
    free = solve_exact("mclp", inst, time_limit_s=60, mip_gap=0.0)
    assert free.objective >= mclp["objective"] - 1e-6  # the spacing rule can only cost
    assert _spopt("mclp", np.where(np.isfinite(dense), dense, 1e9), inst.weight, 3, 15) == (
        pytest.approx(free.objective)
    )
    pmed = manifest["allocation"]["cfc_p_median"]
    assert pmed["coverage_share"] == 1.0 and pmed["demand_unreached"] == 0
    # Robustness: the p-median (suitability in its objective) re-solved under 50 weight
    # draws; each draw chooses k = 3 sites, so the shares add up to 3.
    assert pmed["robustness"]["draws"] == 50 and mclp["robustness"] is None
    assert sum(pmed["robustness"]["chosen_share"].values()) == pytest.approx(3)
    shares = chosen.set_index("problem")["chosen_share"]
    assert len(shares["cfc_mclp"]) == 3 and len(shares["cfc_p_median"]) == 3
    assert shares["cfc_mclp"].isna().all()
    assert ((shares["cfc_p_median"] > 0) & (shares["cfc_p_median"] <= 1)).all()


# ------------------------------------------------------------------------ bad input


def _cfc_case(tmp_path, data_dir, edit, catalog=None, widen=None):
    config = with_repo_paths(
        yaml.safe_load((ROOT / "configs" / "bihar_kesaria_cfc.yaml").read_text())
    )
    if widen is not None:
        config["widen_ranges"] = widen
    config["catalog"] = str(ROOT / "layers" / "bihar.yaml")
    config["study_area"]["buffer_km"] = 3
    config["allocation"] = {"cfc": config["allocation"]["cfc_mclp"]}
    edit(config["allocation"]["cfc"])
    if catalog is not None:
        base = yaml.safe_load((ROOT / "layers" / "bihar.yaml").read_text())
        tiles = base["layers"]["dem_dted0_india"]["tiles"]
        tiles["sha256_file"] = str(ROOT / "layers" / tiles["sha256_file"])
        base["layers"] |= catalog
        return run_case(tmp_path, data_dir, config, catalog=base)
    return run_case(tmp_path, data_dir, config)


def test_k_larger_than_the_candidates(tmp_path, data_dir):
    line = _cfc_case(tmp_path, data_dir, lambda a: a.update(k=5, candidates={"top_n": 3}))
    assert "allocation.cfc.k: 5 sites asked for, but only 3 candidates" in line


def test_a_t_that_covers_nothing(tmp_path, data_dir):
    line = _cfc_case(tmp_path, data_dir, lambda a: a.update(within_min=0.01),
                     widen={"allocation.cfc.within_min": [0.01, 600]})  # fmt: skip
    assert "allocation.cfc.within_min: no demand point lies within 0.01 minutes" in line


def test_zero_demand_from_a_planners_csv(tmp_path, data_dir):
    (tmp_path / "msme.csv").write_text(
        "unit,lon,lat,employees\nBag unit,84.930,26.310,0\nShoe unit,84.935,26.300,0\n"
    )
    units = {"msme_units": {"kind": "points", "format": "csv", "path": str(tmp_path / "msme.csv"),
                            "x_column": "lon", "y_column": "lat", "crs": "EPSG:4326",
                            "name_column": "unit"}}  # fmt: skip
    line = _cfc_case(
        tmp_path, data_dir,
        lambda a: a.update(demand={"layer": "msme_units", "weight_column": "employees"}),
        catalog=units,
    )  # fmt: skip
    assert "allocation.cfc.demand: the demand adds up to 0; nothing to serve" in line


def test_spacing_that_leaves_no_answer(tmp_path, data_dir):
    line = _cfc_case(tmp_path, data_dir, lambda a: a.update(min_spacing_km=50))
    assert "allocation.cfc: mclp: HiGHS found no feasible answer" in line
    assert "relax min_spacing_km, required_sites or k" in line


def test_candidates_all_excluded(tmp_path, data_dir):
    def edit(config):
        config["constraints"] = [{"exclude_if": "time_to_sahibganj_min >= 0"}]

    config = with_repo_paths(
        yaml.safe_load((ROOT / "configs" / "bihar_kesaria_cfc.yaml").read_text())
    )
    config["catalog"] = str(ROOT / "layers" / "bihar.yaml")
    config["study_area"]["buffer_km"] = 3
    edit(config)
    line = run_case(tmp_path, data_dir, config)
    assert "constraints: all" in line and "sites are excluded" in line


def test_a_required_site_that_is_excluded(tmp_path, data_dir):
    line = _cfc_case(tmp_path, data_dir, lambda a: a.update(required_sites=["nowhere"]))
    assert "allocation.cfc.required_sites: 'nowhere' is not a site of this run" in line


def test_a_problem_without_its_parameters(tmp_path, data_dir):
    line = _cfc_case(tmp_path, data_dir, lambda a: a.pop("within_min"))
    assert "allocation.cfc: mclp needs within_min, the coverage standard T" in line


def test_the_cfc_map_shows_the_answer(cfc):
    """The map marks the chosen sites and colours the villages by their CFC (issue 22)."""
    import os
    import re
    import shutil

    from playwright.sync_api import sync_playwright

    executable = os.environ.get("SITESEL_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.skip("no chromium here (CI installs Debian's)")
    assert '"messages"' in (cfc / "cfc.html").read_text()  # the Bihar study's map is in Hindi
    english = cfc / "cfc_en.html"  # the answer is checked on its English words
    assert sitesel("map", cfc / "run", "--map", english, "--lang", "en").exit_code == 0
    html = english.read_text()
    payload = json.loads(re.search(r'id="sitesel-data">(.*?)</script>', html, re.S).group(1))
    mclp = payload["allocation"][0]
    chosen = pd.read_csv(cfc / "run" / "allocation.csv")
    assert mclp["ids"] == chosen.loc[chosen["problem"] == "cfc_mclp", "site_id"].tolist()
    with sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        blocked = []
        page.route(re.compile(r"^(https?|wss?)://"), lambda r: (blocked.append(1), r.abort()))
        page.goto(english.as_uri())
        page.wait_for_function("window.sitesel && window.sitesel.ready", timeout=30_000)
        markers = page.locator(".leaflet-marker-pane .sitesel-allocation").all_inner_texts()
        assert markers == ["1", "2", "3"]  # the first problem's sites, on by default
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        share = round(100 * mclp["coverage_share"])
        title = f"Allocation: cfc_mclp (mclp, k=3, T=15 min, {share}% of demand covered)"
        assert title in [t.strip() for t in labels]
        legend = page.locator(".sitesel-legend").inner_text()
        assert "cfc_p_median (p-median, k=3, 100% of demand covered)" in legend
        # The p-median's sites say how often the weight draws chose them again.
        page.hover(".leaflet-control-layers")  # the switcher opens on hover
        overlays = page.locator(".leaflet-control-layers-overlays label")
        overlays.filter(has_text="cfc_p_median").locator("input").check()
        markers = page.locator(".leaflet-marker-pane .sitesel-allocation")
        assert markers.count() == 6
        page.mouse.move(0, 0)  # close the switcher: it lies over the map
        markers.nth(3).hover(force=True)
        tip = page.locator(".leaflet-tooltip").last.inner_text()
        assert "cfc_p_median site 1" in tip and "% of 50 weight draws" in tip, tip
        assert blocked == []
        browser.close()


def test_suitability_in_the_objective_breaks_ties_and_costs_what_it_says():
    """Two candidates equally placed for every village; with a weight on suitability the
    more suitable wins, by the stated forms (p-median: minutes x (1 + w (1 - s)); MCLP:
    + w x demand / k x s)."""
    minutes = np.array([[2.0, 2.0], [4.0, 4.0]])
    weight = np.array([10.0, 5.0])
    plain = Instance(minutes=minutes, weight=weight, k=1, within_min=3.0)
    blended = Instance(minutes=minutes, weight=weight, k=1, within_min=3.0,
                       suitability=np.array([0.5, 0.9]), suitability_weight=1.0)  # fmt: skip
    assert solve_exact("p_median", plain, time_limit_s=10, mip_gap=0).objective == 40
    median = solve_exact("p_median", blended, time_limit_s=10, mip_gap=0)
    assert median.chosen.tolist() == [1]
    assert median.objective == pytest.approx(40 * (1 + 1.0 * (1 - 0.9)))
    cover = solve_exact("mclp", blended, time_limit_s=10, mip_gap=0)
    assert cover.chosen.tolist() == [1] and cover.objective == pytest.approx(10 + 15 * 0.9)
    for problem in ("p_median", "mclp"):  # the heuristic agrees, within its gap
        heur = solve_heuristic(problem, blended, time_limit_s=10, target_gap=0.0)
        assert heur.chosen.tolist() == [1]
        assert heur.objective == pytest.approx(objective_of(problem, blended, heur.chosen))


@pytest.mark.parametrize("seed", [6, 7])
def test_a_blend_matches_between_exact_and_heuristic(seed):
    minutes, weight = _random(seed, 80, 40)
    rng = np.random.default_rng(seed)
    inst = Instance(minutes=minutes, weight=weight, k=4, within_min=20,
                    suitability=rng.uniform(0.3, 1.0, 40), suitability_weight=0.5)  # fmt: skip
    for problem in ("p_median", "mclp"):
        exact = solve_exact(problem, inst, time_limit_s=60, mip_gap=0.0)
        heur = solve_heuristic(problem, inst, time_limit_s=20, target_gap=0.0)
        assert objective_of(problem, inst, exact.chosen) == pytest.approx(exact.objective)
        assert abs(heur.objective - exact.objective) <= heur.gap * abs(heur.objective) + 1e-6


def test_how_often_each_site_is_chosen_across_weight_draws():
    """Two candidates equally placed: each draw's re-solve picks the more suitable one, so
    the shares are the shares of draws in which each is the more suitable."""
    spec = AllocationSpec.model_validate(
        {"problem": "p_median", "k": 1, "demand": {"layer": "villages"},
         "suitability_weight": 0.5, "robustness_draws": 10}
    )  # fmt: skip
    inst = Instance(minutes=np.array([[2.0, 2.0], [4.0, 4.0]]), weight=np.array([10.0, 5.0]),
                    k=1, suitability=np.array([0.5, 0.5]), suitability_weight=0.5)  # fmt: skip
    first_better = np.array([1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1], dtype=bool)  # 12 draws
    draws = np.full((12, 4), np.nan)  # 4 sites; the candidates are sites 3 and 1
    draws[:, 3] = np.where(first_better, 0.9, 0.4)
    draws[:, 1] = 0.6
    share = chosen_share(spec, inst, np.array([3, 1]), draws, "test")
    assert share.tolist() == [0.3, 0.7]  # only the first 10 draws: 3 of them favour site 3
    # Fewer draws than robustness_draws asks for (the Monte Carlo drew 6): shares of 6.
    share = chosen_share(spec, inst, np.array([3, 1]), draws[:6], "test")
    assert share.tolist() == pytest.approx([3 / 6, 3 / 6])
    no_blend = spec.model_copy(update={"suitability_weight": 0.0})
    assert chosen_share(no_blend, inst, np.array([3, 1]), draws, "test") is None


def test_the_sites_suitability_under_draws_keeps_excluded_sites_out():
    parsed, _ = load_study_config(ROOT / "configs" / "bihar_kesaria_cfc.yaml")
    candidates = np.array([True, False, True])
    draws = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]] * 30)  # 90 draws
    scores = np.array([[1.0, 0.0], [0.5, 0.5]])  # the two candidates' criterion scores

    def rescore(w):
        return w @ scores.T

    out = suitability_under_draws(parsed, rescore, candidates, draws)
    assert out.shape == (50, 3)  # robustness_draws of the blending problem
    assert np.isnan(out[:, 1]).all()
    assert out[0, [0, 2]].tolist() == pytest.approx([0.2, 0.5])
    assert suitability_under_draws(parsed, rescore, candidates, None) is None
    plain = parsed.model_copy(
        update={"allocation": {n: s.model_copy(update={"suitability_weight": 0.0})
                               for n, s in parsed.allocation.items()}}
    )  # fmt: skip
    assert suitability_under_draws(plain, rescore, candidates, draws) is None


def test_the_dossier_gives_each_chosen_sites_role_and_how_often_it_came_back(cfc, tmp_path):
    chosen = pd.read_csv(cfc / "run" / "allocation.csv")
    ids = ",".join(chosen["site_id"].unique())
    result = sitesel("report", cfc / "run", "--sites", ids, "--out", tmp_path / "r", "--lang", "en")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    for row in chosen.itertuples():
        page = html.split(f"id='site-{row.site_id}'")[1].split("id='site-")[0]
        role = page.split("<h2>Allocation role</h2>")[1].split("</table>")[0]
        line = role.split(f"<td>{row.problem}</td>")[1].split("</tr>")[0]
        if row.problem == "cfc_p_median":
            assert f"<td>{round(100 * row.chosen_share)}% of 50 weight draws</td>" in line
        else:
            assert "<td>not re-solved</td>" in line


# --------------------------------------------- issue 32: a planner's CSV, as offices write it


def _indian(n: int) -> str:
    """A whole number in Indian grouping: 1,23,456 (thousand, then lakh, crore)."""
    text = str(n)
    if len(text) <= 3:
        return text
    head, tail = text[:-3], text[-3:]
    pairs = [head[max(i - 2, 0) : i] for i in range(len(head), 0, -2)][::-1]
    return ",".join([*pairs, tail])


def _dms(value: float, axis: str) -> str:
    hemisphere = ("E" if value >= 0 else "W") if axis == "x" else ("N" if value >= 0 else "S")
    total = round(abs(value) * 36000)  # tenths of a second
    d, rest = divmod(total, 36000)
    m, s = divmod(rest, 600)
    return f"{d}°{m:02d}'{s / 10:04.1f}\"{hemisphere}"


def _habitations_near_sahebganj(data_dir):
    import geopandas as gpd

    habs = gpd.read_file(data_dir / "bihar" / "pmgsy_habitations_bihar.zip").to_crs(4326)
    near = habs.cx[84.88:84.98, 26.22:26.32]
    return pd.DataFrame(
        {
            "name": near["HAB_NAME"].astype(str).to_numpy(),
            "lon": near.geometry.x.round(5).to_numpy(),
            "lat": near.geometry.y.round(5).to_numpy(),
            "people": near["TOT_POPULA"].astype(int).to_numpy(),
        }
    )


def _demand_catalog(path):
    return {"msme_units": {"kind": "points", "format": "csv", "path": str(path),
                           "x_column": "lon", "y_column": "lat", "crs": "EPSG:4326",
                           "name_column": "name"}}  # fmt: skip


def _cfc_ok(tmp_path, data_dir, csv_path, name):
    from ..cases import run_ok

    config = with_repo_paths(
        yaml.safe_load((ROOT / "configs" / "bihar_kesaria_cfc.yaml").read_text())
    )
    config["study_area"]["buffer_km"] = 3
    config["robustness"] = None
    config["allocation"] = {"cfc": config["allocation"]["cfc_mclp"]}
    config["allocation"]["cfc"]["demand"] = {"layer": "msme_units", "weight_column": "people"}
    base = yaml.safe_load((ROOT / "layers" / "bihar.yaml").read_text())
    tiles = base["layers"]["dem_dted0_india"]["tiles"]
    tiles["sha256_file"] = str(ROOT / "layers" / tiles["sha256_file"])
    base["layers"] |= _demand_catalog(csv_path)
    _, out = run_ok(tmp_path, data_dir, config, base, name=name)
    return out


def test_a_demand_csv_written_as_an_office_writes_it_gives_the_same_answer(tmp_path, data_dir):
    """The same villages twice: plain numbers and decimal degrees, then Indian and
    international grouping and degrees-minutes-seconds. Same demand, same sites."""
    table = _habitations_near_sahebganj(data_dir)
    assert len(table) > 30 and table["people"].max() >= 1000
    for axis in ("lon", "lat"):  # on whole tenths of a second, so DMS can say them exactly
        table[axis] = (table[axis] * 36000).round() / 36000
    table.to_csv(tmp_path / "plain.csv", index=False, float_format="%.9f")
    office = table.astype(object)
    for i in range(len(office)):
        if i % 3 == 0:
            office.loc[i, "lon"] = _dms(table["lon"][i], "x")
            office.loc[i, "lat"] = _dms(table["lat"][i], "y")
        office.loc[i, "people"] = (
            _indian(table["people"][i]) if i % 2 else f"{table['people'][i]:,}"
        )
    office.to_csv(tmp_path / "office.csv", index=False)
    text = (tmp_path / "office.csv").read_text()
    assert "°" in text and '"1,' in text  # quoted, grouped numbers and DMS reach the file
    plain = _cfc_ok(tmp_path, data_dir, tmp_path / "plain.csv", "plain")
    written = _cfc_ok(tmp_path, data_dir, tmp_path / "office.csv", "office")
    a = pd.read_csv(plain / "allocation_demand.csv")
    b = pd.read_csv(written / "allocation_demand.csv")
    assert len(b) == len(a) > 0
    assert b["weight"].tolist() == a["weight"].tolist()
    np.testing.assert_allclose(b[["lon", "lat"]], a[["lon", "lat"]], atol=1e-6)
    assert (plain / "allocation.csv").read_bytes() == (written / "allocation.csv").read_bytes()


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("people", "12.345,6", "column 'people': 1 value(s) are not numbers: row 3 ('12.345,6')"),
        ("people", "1,2,3", "row 3 ('1,2,3')"),
        ("people", "about 500", "row 3 ('about 500')"),
        ("people", "-1,200", "column 'people': 1 count(s) are below 0: row 3 ('-1,200')"),
        ("lat", "26°75'00\"N", "lat: 1 value(s) are not coordinates: row 3"),
        ("lon", "84°55'E 12", "lon: 1 value(s) are not coordinates: row 3"),
        ("lat", "84°55'00\"E", "lat: 1 value(s) are not coordinates: row 3"),
    ],
)
def test_a_value_neither_a_number_nor_blank_is_refused_naming_its_row(
    tmp_path, data_dir, column, value, said
):
    table = _habitations_near_sahebganj(data_dir).head(5).astype(object)
    table.loc[1, column] = value
    table.to_csv(tmp_path / "units.csv", index=False)
    line = _cfc_case(
        tmp_path, data_dir,
        lambda a: a.update(demand={"layer": "msme_units", "weight_column": "people"}),
        catalog=_demand_catalog(tmp_path / "units.csv"),
    )  # fmt: skip
    assert said in line and "msme_units" in line


def test_a_demand_layer_above_its_limit_is_refused_before_any_work(tmp_path, data_dir):
    table = _habitations_near_sahebganj(data_dir)
    table.to_csv(tmp_path / "units.csv", index=False)
    limit = len(table) - 1

    def edit(a):
        a.update(demand={"layer": "msme_units", "weight_column": "people", "max_points": limit})

    line = _cfc_case(tmp_path, data_dir, edit, catalog=_demand_catalog(tmp_path / "units.csv"))
    assert f"allocation.cfc.demand: layer 'msme_units' has {len(table):,} features" in line
    assert f"more than demand.max_points ({limit:,})" in line
    assert "raise allocation.cfc.demand.max_points" in line


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_layers_size_is_counted_without_reading_it(tmp_path, data_dir, ending):
    import geopandas as gpd

    from sitesel.config.catalog import Catalog
    from sitesel.data.loader import LayerLoader

    (tmp_path / "units.csv").write_text("name,lon,lat\n" + "a,84.9,26.3\n" * 9 + "b,1,2" + ending)
    catalog = Catalog.model_validate(
        {"layers": {"units": _demand_catalog(tmp_path / "units.csv")["msme_units"],
                    "habs": {"kind": "points", "path": "ladakh/pmgsy_habitations_ladakh.zip"}}}
    )  # fmt: skip
    loader = LayerLoader(catalog, data_dir, offline=True)
    assert loader.feature_count("units") == len(pd.read_csv(tmp_path / "units.csv")) == 10
    habs = gpd.read_file(data_dir / "ladakh" / "pmgsy_habitations_ladakh.zip")
    assert loader.feature_count("habs") == len(habs) == 729


@pytest.mark.parametrize(("problem", "seed"), [("p_median", 0), ("p_median", 3), ("mclp", 27)])
def test_a_heuristic_stopped_short_reports_the_gap_it_left(problem, seed):
    """No time for substitution: the answer is worse than the optimum (so this is the case
    where a gap of 0 would be a lie), and the reported bound and gap still bracket the
    optimum the exact solver proves."""
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 100, (80, 2)), rng.uniform(0, 100, (40, 2))
    minutes = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    weight = rng.integers(1, 500, 80).astype(float)
    inst = Instance(minutes=minutes, weight=weight, k=5, within_min=15)
    best = solve_exact(problem, inst, time_limit_s=60, mip_gap=0.0).objective
    assert _spopt(problem, minutes, weight, 5, 15) == pytest.approx(best, rel=1e-9)
    heur = solve_heuristic(problem, inst, time_limit_s=0.0, target_gap=0.0)
    assert heur.objective == pytest.approx(objective_of(problem, inst, heur.chosen), rel=1e-9)
    short = abs(heur.objective - best) / heur.objective
    assert short > 0.01  # stopped short indeed
    if problem == "p_median":
        assert heur.bound <= best + 1e-6
    else:
        assert heur.bound >= best - 1e-6
    assert heur.gap >= short - 1e-12
