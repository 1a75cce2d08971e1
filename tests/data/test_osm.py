"""OSM paths on real OSM data (the Finnish PBF extracts) and on a hand-written XML file."""

import functools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import osmium
import osmnx as ox
import pyproj
import pytest

from sitesel.data.osm import (
    DRIVABLE_HIGHWAYS,
    is_drivable,
    road_edges_from_osm_xml,
    road_edges_from_overpass,
    road_edges_from_pbf,
)
from sitesel.network.graph import connectivity_report

from ..conftest import TEST_DATA

UTM35 = pyproj.CRS.from_epsg(32635)


def test_tiny_xml_pbf_reader_and_osmnx_agree():
    via_osmium = road_edges_from_pbf(TEST_DATA / "tiny.osm", crs=UTM35, layer="tiny")
    via_osmnx = road_edges_from_osm_xml(TEST_DATA / "tiny.osm", crs=UTM35, layer="tiny")
    for roads in (via_osmium, via_osmnx):
        assert len(roads.node_xy) == 4 and len(roads.edges) == 5
        assert sorted(roads.edges["road_class"]) == ["primary"] * 4 + ["residential"]
        assert roads.edges["oneway"].all()  # every arc explicit, as in osmnx
    np.testing.assert_allclose(
        np.sort(via_osmium.edges["length_m"]), np.sort(via_osmnx.edges["length_m"]), rtol=1e-6
    )


def test_helsinki_pbf(data_dir):
    roads = road_edges_from_pbf(data_dir / "osm" / "helsinki.osm.pbf", crs=UTM35, layer="hki")
    report = connectivity_report(roads)
    assert report.largest_component_length_share > 0.95
    classes = set(roads.edges["road_class"])
    assert {"residential", "primary", "service"} <= classes
    assert not classes & {"footway", "cycleway", "steps", "path"}
    # One-way streets exist in central Helsinki: fewer reverse arcs than forward ones.
    pairs = set(zip(roads.edges["u"], roads.edges["v"], strict=True))
    one_way_only = sum((v, u) not in pairs for u, v in pairs)
    assert one_way_only > 20


def _complete_highways_as_xml(pbf: Path, out: Path) -> None:
    """Nodes and the highway ways whose nodes are all in the extract, as OSM XML."""
    node_ids = set()
    for obj in osmium.FileProcessor(str(pbf), osmium.osm.NODE):
        node_ids.add(obj.id)
    writer = osmium.SimpleWriter(str(out))
    for obj in osmium.FileProcessor(str(pbf)):
        if obj.is_node():
            writer.add_node(obj)
        elif obj.is_way() and "highway" in obj.tags and all(n.ref in node_ids for n in obj.nodes):
            writer.add_way(obj)
    writer.close()


def test_osmium_and_osmnx_readers_agree_on_real_osm(data_dir, tmp_path):
    pbf = data_dir / "osm" / "kouvola.osm.pbf"
    xml = tmp_path / "kouvola.osm"
    _complete_highways_as_xml(pbf, xml)
    a = road_edges_from_pbf(xml, crs=UTM35, layer="k")
    b = road_edges_from_osm_xml(xml, crs=UTM35, layer="k")
    assert a.edges["length_m"].sum() == pytest.approx(b.edges["length_m"].sum(), rel=1e-6)
    assert connectivity_report(a).n_components == connectivity_report(b).n_components
    # The clipped PBF itself keeps the in-extract parts of incomplete ways as well.
    whole = road_edges_from_pbf(pbf, crs=UTM35, layer="k")
    assert whole.edges["length_m"].sum() > a.edges["length_m"].sum()


class _OverpassFromPbf(BaseHTTPRequestHandler):
    """Answers Overpass queries with the drivable ways of a PBF inside the query's bbox."""

    pbf: Path
    requests: list[str]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        query = parse_qs(body)["data"][0]
        type(self).requests.append(query)
        poly = re.search(r"poly:'([^']+)'", query).group(1).split()
        lats, lons = [float(v) for v in poly[0::2]], [float(v) for v in poly[1::2]]
        south, north, west, east = min(lats), max(lats), min(lons), max(lons)
        nodes, elements = {}, []
        for obj in osmium.FileProcessor(str(self.pbf)).with_locations():
            if obj.is_node() and obj.location.valid():
                nodes[obj.id] = (obj.location.lat, obj.location.lon)
            elif obj.is_way() and is_drivable(dict(obj.tags)):
                refs = [n.ref for n in obj.nodes]
                if not all(r in nodes for r in refs):
                    continue  # clipped by the extract; a real server has every node
                if any(south <= nodes[r][0] <= north and west <= nodes[r][1] <= east for r in refs):
                    elements.append(
                        {"type": "way", "id": obj.id, "nodes": refs, "tags": dict(obj.tags)}
                    )
        used = {r for e in elements for r in e["nodes"]}
        elements += [
            {"type": "node", "id": n, "lat": nodes[n][0], "lon": nodes[n][1]}
            for n in used
            if n in nodes
        ]
        payload = json.dumps({"version": 0.6, "elements": elements}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


def test_overpass_path_through_osmnx_against_a_local_server(data_dir, tmp_path, monkeypatch):
    handler = type(
        "H", (_OverpassFromPbf,), {"pbf": data_dir / "osm" / "kouvola.osm.pbf", "requests": []}
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/api"
        monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
        monkeypatch.setattr(ox.settings, "log_console", False)
        before = (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.cache_folder)
        bbox = (26.935, 60.522, 26.965, 60.538)
        fetch = functools.partial(
            road_edges_from_overpass,
            bbox,
            crs=UTM35,
            network_type="drive",
            cache_dir=tmp_path / "cache",
            layer="kouvola",
            overpass_url=url,
        )
        roads = fetch()
        # osmnx's global settings are as they were: nothing leaks into other code.
        assert (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.cache_folder) == before
        assert any((tmp_path / "cache").iterdir())
        assert len(handler.requests) == 1 and "highway" in handler.requests[0]
        assert roads.edges["length_m"].sum() > 10_000
        assert set(roads.edges["road_class"]) <= DRIVABLE_HIGHWAYS
        assert connectivity_report(roads).n_components < 20
        # A second call is answered from osmnx's cache: no new request.
        again = fetch()
        assert len(handler.requests) == 1
        assert len(again.edges) == len(roads.edges)
    finally:
        httpd.shutdown()
        httpd.server_close()
