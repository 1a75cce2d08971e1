"""Array aliases and small typed containers shared across sitesel's packages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyproj
from affine import Affine

FloatArray = npt.NDArray[np.float64]
"""An array of float64 (values in the unit its name says)."""

IntArray = npt.NDArray[np.int64]
"""An array of int64 (node or row indices)."""

BoolArray = npt.NDArray[np.bool_]
"""A boolean mask."""

Bounds = tuple[float, float, float, float]
"""``(xmin, ymin, xmax, ymax)``."""


@dataclass(frozen=True)
class Dem:
    """An elevation grid in a projected CRS.

    Attributes
    ----------
    elevation_m
        ``(rows, cols)`` heights in metres, NaN where unknown.
    transform
        Affine transform of the grid (north-up, square cells).
    crs
        The grid's CRS.
    source_crs
        The CRS of the files it was read from (before reprojection), when known.
    """

    elevation_m: FloatArray
    transform: Affine
    crs: pyproj.CRS
    source_crs: str | None = None

    @property
    def cell_size_m(self) -> float:
        """Width of a cell in metres."""
        return float(self.transform.a)

    @property
    def bounds(self) -> Bounds:
        """``(xmin, ymin, xmax, ymax)`` of the grid."""
        rows, cols = self.elevation_m.shape
        xmin, ymax = self.transform.c, self.transform.f
        return (xmin, ymax + rows * self.transform.e, xmin + cols * self.transform.a, ymax)
