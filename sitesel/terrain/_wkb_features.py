"""Polygons handed to exactextract as WKB, without a GeoJSON round trip per feature.

exactextract's GeoDataFrame source builds a GeoJSON dict for every row
(``GeoDataFrame.iterfeatures``) and serialises it to a JSON string that the C++ side parses
again; for 77,000 hexagons that is 13 s of the 18 s zonal step. exactextract also accepts
any :class:`exactextract.feature.FeatureSource` whose features return WKB (its GDAL and
QGIS sources do), so here the WKB of all sites is made in one vectorised shapely call and
each feature only hands its bytes over. Measured on a 77k-hexagon grid: 18 s -> 5 s, same
cell ids and coverage fractions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely
from exactextract._exactextract import Feature
from exactextract.feature import FeatureSource


class WkbFeature(Feature):  # type: ignore[misc]
    """One polygon as WKB bytes, with the attribute slots exactextract writes results to."""

    def __init__(self, wkb: bytes) -> None:
        Feature.__init__(self)
        self._wkb = wkb
        self._fields: dict[str, Any] = {}

    def geometry(self) -> bytes:
        return self._wkb

    def set_geometry(self, wkb: bytes | None) -> None:
        self._wkb = wkb or b""

    def set_geometry_format(self) -> str:
        return "wkb"

    def get(self, name: str) -> Any:
        return self._fields[name]

    def set(self, name: str, value: Any) -> None:
        self._fields[name] = value

    def fields(self) -> list[str]:
        return list(self._fields)


class WkbFeatureSource(FeatureSource):  # type: ignore[misc]
    """Polygons (a shapely geometry array) in a CRS given as WKT, read in order."""

    def __init__(self, geometries: np.ndarray, srs_wkt: str | None) -> None:
        super().__init__()
        self._wkb = shapely.to_wkb(geometries)
        self._srs_wkt = srs_wkt

    def count(self) -> int:
        return len(self._wkb)

    def __iter__(self) -> Iterator[WkbFeature]:
        return (WkbFeature(wkb) for wkb in self._wkb)

    def srs_wkt(self) -> str | None:
        return self._srs_wkt
