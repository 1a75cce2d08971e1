"""A PNG of a run's QGIS project as QGIS draws it (for the README), headless.

Run with the Python that has QGIS's bindings (Debian: ``apt install python3-qgis``)::

    /usr/bin/python3 scripts/qgis_view.py out/leh/sites.qgz docs/img/leh_qgis.png

The view is the extent of the ``sites`` layer; every layer of the project is drawn with
the styles ``sites.gpkg`` carries, labels included.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # after the platform is set
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
)
from qgis.PyQt.QtCore import QSize


def main(project_path: str, png_path: str, width: int = 1280, height: int = 800) -> None:
    """Draw every layer of the project over the sites' extent into ``png_path``."""
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    if not project.read(project_path):
        sys.exit(f"qgis_view: cannot read {project_path}")
    layers = [node.layer() for node in project.layerTreeRoot().findLayers()]
    sites = project.mapLayersByName("sites")[0]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setExtent(sites.extent())
    settings.setOutputSize(QSize(width, height))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png_path, "png")
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
