"""Maps of a run: the offline HTML meeting map and a static PNG summary."""

from sitesel.render.mapdata import Elevation, MapData
from sitesel.render.sitemap import map_html, save_map, site_map

__all__ = ["Elevation", "MapData", "map_html", "save_map", "site_map"]
