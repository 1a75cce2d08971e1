"""Parcel criteria: properties of the site's own geometry."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from sitesel._typing import FloatArray
from sitesel.units import M2_PER_HA


def area_ha(sites: gpd.GeoSeries) -> FloatArray:
    """Area of each site in hectares (the working CRS is projected, in metres)."""
    return np.asarray(sites.area.to_numpy() / M2_PER_HA, dtype=np.float64)
