"""An output in one module: ``shortlist.geojson``, the top sites for a phone or a web map.

The example of ``docs/DESIGN.md``: an output needs a :class:`~sitesel.outputs.run_files.
RunFile` (its name in the manifest, its file, when a run has it, how it is written). Put
the module in ``sitesel/outputs/run_files/`` to ship it, or register it from another
package under the entry-point group ``sitesel.outputs``; ``tests/outputs/
test_output_plugin.py`` does the latter with this very file. The writer stages it with the
others (the run folder changes in one step) and lists it, with its checksum, in the
manifest.
"""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs.run_files import RunFile
from sitesel.result import Result

TOP = 10
"""How many ranked sites the file holds."""


def write(result: Result, path: Path) -> None:
    """The ``TOP`` best-ranked sites in WGS84 with their id, rank and suitability."""
    ranked = result.sites[result.sites["rank"].notna()].sort_values("rank").head(TOP)
    columns = ["site_id", "rank", "suitability", ranked.geometry.name]
    ranked[columns].to_crs("EPSG:4326").to_file(path, driver="GeoJSON", engine="pyogrio")


SHORTLIST = RunFile(name="shortlist", file="shortlist.geojson", write=write)
