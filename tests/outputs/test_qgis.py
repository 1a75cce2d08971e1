"""Issue 36: a run opened in QGIS shows the meeting map's classes, colours and labels.

The styles are read back from ``sites.gpkg``'s ``layer_styles`` (what QGIS reads) and
checked against the map's own classes, site by site: each site falls in exactly one rule,
and that rule's colour is the colour the map gives the site. The project is read back
from ``sites.qgz`` and every layer it shows must be a layer of the GeoPackage, in the
map's order. Where QGIS itself is installed (Debian's python3-qgis), it loads the project.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pyogrio
import pytest
from matplotlib.colors import to_rgba

import sitesel
from sitesel.render.classes import map_classes
from sitesel.render.palette import EXCLUDED

RULE = re.compile(r'"suitability" >= ([\d.e-]+) AND "suitability" (<=?) ([\d.e-]+)')


def _styles(gpkg):
    with sqlite3.connect(gpkg) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
    return {name: (geometry, qml, default) for name, geometry, qml, default in rows}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b, _ = to_rgba(colour)
    return f"{round(255 * r)},{round(255 * g)},{round(255 * b)},{round(255 * alpha)}"


def test_the_sites_style_gives_each_site_the_maps_colour(leh_run):
    run = leh_run / "run"
    styles = _styles(run / "sites.gpkg")
    assert set(styles) == {"sites", "roads", "routes", "taken_land", "study_area"}
    assert all(default == 1 for _, _, default in styles.values())
    root = ET.fromstring(styles["sites"][1].split("\n", 1)[1])
    rules = root.findall(".//rules/rule")
    symbols = {s.get("name"): s for s in root.findall(".//symbols/symbol")}
    colour_of = {
        r.get("key"): symbols[r.get("symbol")].find(".//Option[@name='color']").get("value")
        for r in rules
    }
    result = sitesel.read_run(run)
    suit = result.sites["suitability"].to_numpy(float)
    excluded = result.sites["excluded"].to_numpy(bool)
    classes = map_classes(suit, excluded)
    expected = np.where(
        excluded, _rgba(EXCLUDED, 0.45),
        np.array([_rgba(c, 0.75) for c in classes.colours])[classes.index(suit)],
    )  # fmt: skip
    got = []
    for x, out in zip(suit, excluded, strict=True):
        hits = []
        for rule in rules:
            expr = rule.get("filter")
            if expr == '"excluded"':
                ok = bool(out)
            else:
                low, op, high = RULE.search(expr).groups()
                ok = (
                    not out
                    and float(low) <= x
                    and (x <= float(high) if op == "<=" else x < float(high))
                )
            if ok:
                hits.append(colour_of[rule.get("key")])
        assert len(hits) == 1, (x, out, hits)  # every site in exactly one class
        got.append(hits[0])
    assert got == expected.tolist()
    top_n = json.loads((run / "manifest.json").read_text())["top_n"]
    label = root.find(".//labeling/settings/text-style").get("fieldName")
    assert label == f'CASE WHEN "rank" <= {top_n} THEN to_string(to_int("rank")) END'


def test_the_project_shows_the_geopackages_layers_in_the_maps_order(leh_run):
    run = leh_run / "run"
    with zipfile.ZipFile(run / "sites.qgz") as archive:
        (name,) = archive.namelist()
        project = ET.fromstring(archive.read(name).decode().split("\n", 1)[1])
    assert name == "leh.qgs"
    in_gpkg = {layer for layer, _ in pyogrio.list_layers(run / "sites.gpkg")}
    shown = [
        (m.findtext("layername"), m.findtext("datasource"))
        for m in project.findall(".//projectlayers/maplayer")
    ]
    assert [n for n, _ in shown] == ["sites", "routes", "roads", "taken_land", "study_area"]
    assert all(source == f"./sites.gpkg|layername={n}" and n in in_gpkg for n, source in shown)
    crs = json.loads((run / "manifest.json").read_text())["working_crs"]
    assert project.findtext(".//projectCrs/spatialrefsys/authid") == crs
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["outputs"]["qgis_project"]["file"] == "sites.qgz"


QGIS_PYTHON = shutil.which("python3", path="/usr/bin")


@pytest.mark.skipif(
    QGIS_PYTHON is None
    or subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode,
    reason="QGIS's Python bindings are not installed here (Debian: apt install python3-qgis)",
)
def test_qgis_loads_the_project_with_its_styles(leh_run):
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from qgis.core import QgsApplication, QgsProject\n"
        "app = QgsApplication([], False); app.initQgis()\n"
        "p = QgsProject.instance(); assert p.read(sys.argv[1])\n"
        "layers = list(p.mapLayers().values())\n"
        "tree = [n.layer() for n in p.layerTreeRoot().findLayers()]\n"
        "assert all(tree), [n.layerId() for n in p.layerTreeRoot().findLayers()]\n"
        "sites = p.mapLayersByName('sites')[0]; r = sites.renderer()\n"
        "from qgis.core import QgsRenderContext; ctx = QgsRenderContext()\n"
        "r.startRender(ctx, sites.fields())\n"
        "drawn = [len(r.symbolsForFeature(f, ctx)) for f in sites.getFeatures()]\n"
        "r.stopRender(ctx)\n"
        "assert drawn == [1] * sites.featureCount(), sorted(set(drawn))\n"
        "print(len(layers), all(l.isValid() for l in layers),"
        " ','.join(l.name() for l in tree), sorted(l.renderer().type() for l in layers))\n"
    )
    done = subprocess.run([QGIS_PYTHON, "-c", code, str(leh_run / "run" / "sites.qgz")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    count, valid, legend, renderers = done.stdout.split(" ", 3)
    assert count == "5" and valid == "True" and "RuleRenderer" in renderers
    assert legend == "sites,routes,roads,taken_land,study_area"  # the legend, the map's order
