"""Pick the one-degree tiles of a tile set that cover a study area (plus its margin)."""

from __future__ import annotations

import math

from sitesel._typing import Bounds
from sitesel.config.catalog import TileSetSpec
from sitesel.data.fetch import FileRequest


def tile_name(pattern: str, lon: int, lat: int) -> str:
    """A tile's path or address from its south-west corner.

    >>> tile_name("dem/{ew}{lon:03d}/{ns}{lat:02d}.dt0", 77, 34)
    'dem/e077/n34.dt0'
    >>> tile_name("{ns}{lat:02d}{ew}{lon:03d}.hgt", -1, -2)
    's02w001.hgt'
    >>> tile_name("DSM_{NS}{lat:02d}_00_{EW}{lon:03d}_00.tif", 85, 25)  # GLO-30's capitals
    'DSM_N25_00_E085_00.tif'
    """
    ew, ns = ("e" if lon >= 0 else "w"), ("n" if lat >= 0 else "s")
    return pattern.format(ew=ew, EW=ew.upper(), lon=abs(lon), ns=ns, NS=ns.upper(), lat=abs(lat))


def tile_requests(
    tiles: TileSetSpec, *, layer: str, bounds_lonlat: Bounds, allow_http: bool = False
) -> list[FileRequest]:
    """The tiles that exist (in the set's checksum list, when it has one) over the bounds."""
    west, south, east, north = bounds_lonlat
    requests = []
    for lon in range(math.floor(west), math.floor(east) + 1):
        for lat in range(math.floor(south), math.floor(north) + 1):
            path = tile_name(tiles.path, lon, lat)
            sha256 = next((s for n, s in tiles.checksums.items() if path.endswith(n)), None)
            if tiles.checksums and sha256 is None:
                continue  # no such tile in the set (the sea, or beyond its extent)
            url = tile_name(tiles.url, lon, lat) if tiles.url else None
            requests.append(FileRequest(layer, path, url, sha256, allow_http))
    return requests
