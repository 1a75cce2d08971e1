"""GDAL without the network: what ``--offline`` promises for the files GDAL opens.

rasterio and pyogrio each carry their own GDAL, so the option is set in both. With
``CPL_VSIL_CURL_ALLOWED_EXTENSIONS`` naming an extension no address has, GDAL's ``/vsicurl/``
(which a VRT's ``http://`` source becomes) refuses every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyogrio
import rasterio

from sitesel.errors import LayerError

_NO_NETWORK = {"CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".sitesel-offline", "GDAL_HTTP_MAX_RETRY": "0"}
_REFERENCE_MARKERS = (b"<VRTDataset", b"<OGRVRTDataSource")


@contextmanager
def without_network(active: bool = True) -> Iterator[None]:
    """Within the block, GDAL (rasterio's and pyogrio's) makes no network request."""
    if not active:
        yield
        return
    before = {key: pyogrio.get_gdal_config_option(key) for key in _NO_NETWORK}
    pyogrio.set_gdal_config_options(_NO_NETWORK)
    try:
        with rasterio.Env(**_NO_NETWORK):
            yield
    finally:
        pyogrio.set_gdal_config_options(before)


def refuse_references(path: Path, *, layer: str) -> None:
    """Refuse a file that makes GDAL open other files or addresses (a VRT).

    Raises
    ------
    LayerError
        Naming the file, and how to accept it deliberately.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip()
    except OSError:
        return  # the reader says what is wrong with it
    if any(marker in head for marker in _REFERENCE_MARKERS):
        raise LayerError(
            f"layer {layer!r}: {path.name} is a GDAL virtual file that points at other files or"
            " addresses; set allow_references: true for this layer in the catalog if you trust it"
        )
