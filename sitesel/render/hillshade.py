"""A hillshade basemap rendered from the DEM, so the map needs no tiles from the internet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyproj
from affine import Affine
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from sitesel._typing import FloatArray

WEB_MERCATOR = pyproj.CRS.from_epsg(3857)


@dataclass(frozen=True)
class WebImage:
    """An RGBA image in Web Mercator and its bounds in degrees, for Leaflet's ImageOverlay."""

    rgba: npt.NDArray[np.uint8]
    south_west: tuple[float, float]
    north_east: tuple[float, float]


def to_web_mercator(
    bands: np.ndarray,
    transform: Affine,
    crs: pyproj.CRS,
    *,
    resampling: Resampling,
    nodata: float,
) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    """Bands ``(k, rows, cols)`` of a north-up grid reprojected to Web Mercator.

    Returns the reprojected bands (``nodata`` where nothing falls) and the south-west and
    north-east corners of the result in degrees (latitude, longitude).
    """
    _, rows, cols = bands.shape
    left, top = transform.c, transform.f
    right, bottom = left + cols * transform.a, top + rows * transform.e
    dst_transform, width, height = calculate_default_transform(
        crs, WEB_MERCATOR, cols, rows, left, bottom, right, top
    )
    out = np.full((len(bands), height, width), nodata, dtype=bands.dtype)
    for band in range(len(bands)):
        reproject(
            bands[band],
            out[band],
            src_transform=transform,
            src_crs=crs,
            dst_transform=dst_transform,
            dst_crs=WEB_MERCATOR,
            src_nodata=nodata,
            dst_nodata=nodata,
            resampling=resampling,
        )
    west, south, east, north = transform_bounds(
        WEB_MERCATOR,
        "EPSG:4326",
        dst_transform.c,
        dst_transform.f + height * dst_transform.e,
        dst_transform.c + width * dst_transform.a,
        dst_transform.f,
    )
    return out, (south, west), (north, east)


def hillshade(
    elevation_m: FloatArray,
    cell_size_m: float,
    *,
    azimuth_deg: float = 315.0,
    altitude_deg: float = 45.0,
) -> FloatArray:
    """Illumination in [0, 1] of a north-up grid.

    Light comes from ``azimuth_deg`` (clockwise from north) at ``altitude_deg`` above the
    horizon; NaN where the height is unknown.

    >>> import numpy as np
    >>> flat = np.zeros((3, 3))
    >>> round(float(hillshade(flat, 30.0)[1, 1]), 4)  # sin(45 deg)
    0.7071
    """
    dz_dy, dz_dx = np.gradient(elevation_m, cell_size_m)
    # Rows run southwards, so north-facing gradient is -dz_dy.
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(-dz_dx, dz_dy)
    zenith = np.radians(90.0 - altitude_deg)
    azimuth = np.radians(azimuth_deg)
    shade = np.cos(zenith) * np.cos(slope) + np.sin(zenith) * np.sin(slope) * np.cos(
        azimuth - aspect
    )
    return np.asarray(np.clip(shade, 0.0, 1.0), dtype=np.float64)


def _tint(elevation_m: FloatArray) -> FloatArray:
    """A soft hypsometric tint: green valleys to brown and white heights (RGB in [0, 1])."""
    stops = np.array([0.0, 0.35, 0.7, 1.0])
    colours = np.array(
        [[0.55, 0.70, 0.48], [0.80, 0.76, 0.55], [0.66, 0.55, 0.43], [0.97, 0.97, 0.97]]
    )
    lo, hi = np.nanpercentile(elevation_m, [2, 98]) if np.isfinite(elevation_m).any() else (0, 1)
    t = np.clip((elevation_m - lo) / max(hi - lo, 1e-9), 0, 1)
    return np.stack([np.interp(t, stops, colours[:, i]) for i in range(3)], axis=-1)


def shaded_relief(
    elevation_m: FloatArray, transform: Affine, crs: pyproj.CRS, *, tint: bool = True
) -> WebImage:
    """Hillshade (optionally tinted by elevation) reprojected to Web Mercator.

    Parameters
    ----------
    elevation_m
        Heights on a north-up grid in a projected CRS (metres), NaN where unknown.
    transform, crs
        The grid's transform and CRS.
    tint
        Colour by elevation under the shading.

    Returns
    -------
    WebImage
        RGBA pixels (transparent where unknown) and their bounds in degrees.
    """
    light = hillshade(elevation_m, abs(transform.a))
    rgb = _tint(elevation_m) if tint else np.ones((*elevation_m.shape, 3))
    shaded = rgb * (0.35 + 0.65 * light[..., None])
    source = np.concatenate([np.moveaxis(shaded, -1, 0), np.isfinite(light)[None] * 1.0])
    bands, south_west, north_east = to_web_mercator(
        source, transform, crs, resampling=Resampling.bilinear, nodata=np.nan
    )
    alpha = np.nan_to_num(bands[3]) * np.isfinite(bands[0]) * 0.9
    rgba = np.concatenate([np.nan_to_num(bands[:3]), alpha[None]], axis=0)
    image = np.moveaxis(np.round(rgba * 255), 0, -1).astype(np.uint8)
    return WebImage(rgba=image, south_west=south_west, north_east=north_east)
