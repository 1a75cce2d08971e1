"""What a planner sees of a run, by product, with their shared parts beside.

Products: ``meeting_map/`` (the offline HTML map), ``compare_map/`` (two runs' rankings),
``dossier/`` (one printable page a site) and ``summary/`` (the summary PNG). Shared:
``mapdata`` (what a map shows), ``basemap`` (the offline Folium page and hillshade),
``assets`` and ``static/`` (Leaflet, the stylesheet and the map's script), ``palette``,
``classes``, ``hillshade``, ``site_image`` (sites as one raster) and ``units_text``.
"""

from sitesel.render.basemap import map_html, save_map
from sitesel.render.mapdata import Elevation, MapData
from sitesel.render.meeting_map.sitemap import site_map

__all__ = ["Elevation", "MapData", "map_html", "save_map", "site_map"]
