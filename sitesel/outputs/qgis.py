"""A run the GIS cell opens styled in QGIS: styles inside ``sites.gpkg``, and a project.

``layer_styles`` is the table QGIS reads a GeoPackage layer's default style from (QGIS's
GeoPackage styling extension: one row per layer, its QML, ``useAsDefault`` 1). The project
(``sites.qgz``: a zip holding the ``.qgs`` XML) lists the layers in the map's order with
the same styles, the study area's CRS, and paths relative to itself, so the run folder can
be copied anywhere.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sitesel.render.classes import map_classes
from sitesel.render.qgis_styles import (
    roads_qml,
    routes_qml,
    sites_qml,
    study_area_qml,
    taken_land_qml,
)
from sitesel.result import Result

STYLES_TABLE = """CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT '2000-01-01T00:00:00.000Z')"""
"""The table as QGIS creates it (a fixed default time: the same run gives the same bytes)."""


@dataclass(frozen=True)
class StyledLayer:
    """A layer of the GeoPackage as the project shows it."""

    name: str
    geometry: str  # Point, Line or Polygon, as QGIS names them
    qml: str


def write_layer_styles(gpkg: Path, styles: Mapping[str, str], stamp: str) -> None:
    """Store each layer's QML as its default style in the GeoPackage's ``layer_styles``."""
    with sqlite3.connect(gpkg) as db:
        db.execute(STYLES_TABLE)
        db.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier,"
            " last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', ?)",
            (stamp,),
        )
        geometry = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        for layer, qml in styles.items():
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
                " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
                " owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '', ?)",
                (layer, geometry.get(layer, "geom"), f"sitesel {layer}", qml,
                 "as sitesel's meeting map draws it", stamp),
            )  # fmt: skip


def _body(qml: str) -> str:
    """The renderer and labeling of a QML file, to put inside a project's map layer."""
    return re.sub(r"^.*?<qgis[^>]*>|</qgis>\s*$", "", qml, flags=re.S)


def _layer_id(name: str) -> str:
    return f"sitesel_{name}"


def project_xml(name: str, gpkg: str, crs: str, layers: Sequence[StyledLayer]) -> str:
    """A QGIS project showing ``layers`` of ``gpkg`` (first on top), styled, in ``crs``."""
    srs = f"<spatialrefsys><authid>{escape(crs)}</authid></spatialrefsys>"
    tree, maps = [], []
    for layer in layers:
        # QGIS 3.22 gives a layer a new id when the project's looks like its name and a
        # number ("sites_0"), and the layer tree then points at nothing: a prefix keeps it.
        lid = _layer_id(layer.name)
        source = f"./{gpkg}|layername={layer.name}"
        tree.append(
            f'<layer-tree-layer expanded="1" checked="Qt::Checked" id={quoteattr(lid)}'
            f' name={quoteattr(layer.name)} source={quoteattr(source)} providerKey="ogr"/>'
        )
        maps.append(
            f'<maplayer type="vector" geometry={quoteattr(layer.geometry)}'
            ' hasScaleBasedVisibilityFlag="0" styleCategories="AllStyleCategories">'
            f"<id>{escape(lid)}</id><datasource>{escape(source)}</datasource>"
            f"<layername>{escape(layer.name)}</layername><srs>{srs}</srs>"
            f'<provider encoding="UTF-8">ogr</provider>{_body(layer.qml)}</maplayer>'
        )
    order = "".join(f"<item>{escape(_layer_id(layer.name))}</item>" for layer in layers)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis projectname={quoteattr(name)} version="3.22.16">'
        f"<title>{escape(name)}</title><projectCrs>{srs}</projectCrs>"
        f'<layer-tree-group>{"".join(tree)}<custom-order enabled="0">{order}</custom-order>'
        f"</layer-tree-group><projectlayers>{''.join(maps)}</projectlayers>"
        '<properties><Paths><Absolute type="bool">false</Absolute></Paths></properties>'
        "</qgis>\n"
    )


def write_project(
    path: Path, name: str, gpkg: str, crs: str, layers: Sequence[StyledLayer]
) -> None:
    """Write the ``.qgz``: a zip holding ``<name>.qgs`` (fixed time: same run, same bytes)."""
    info = zipfile.ZipInfo(f"{name}.qgs", date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, project_xml(name, gpkg, crs, layers))


def styled_layers(result: Result, in_gpkg: Sequence[str]) -> list[StyledLayer]:
    """The run's layers as the meeting map draws them, top first (those in the GeoPackage)."""
    sites = result.sites
    classes = map_classes(sites["suitability"].to_numpy(float), sites["excluded"].to_numpy(bool))
    layers = [
        StyledLayer("sites", "Polygon", sites_qml(classes, result.manifest.top_n)),
        StyledLayer("routes", "Line", routes_qml(
            [] if result.routes is None else list(dict.fromkeys(result.routes["criterion"])))),
        StyledLayer("roads", "Line", roads_qml(
            [] if result.roads is None else result.roads["road_class"].astype(str).tolist())),
        StyledLayer("taken_land", "Polygon", taken_land_qml()),
        StyledLayer("study_area", "Polygon", study_area_qml()),
    ]  # fmt: skip
    return [layer for layer in layers if layer.name in in_gpkg]
