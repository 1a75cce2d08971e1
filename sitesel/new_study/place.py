"""Where a new study is: a place found by name, and the area around it.

The place is looked up offline first, in the GeoNames file of the data folder (the state
from the state polygons), then, on a machine with internet, with osmnx's geocoder
(Nominatim). A name matching several places lists them; one outside India, or not found,
is one line naming what was tried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sitesel.data.gazetteer import Place, close_names, distance_km, find_place, read_places
from sitesel.errors import ConfigError

log = logging.getLogger(__name__)

GEONAMES = "india/geonames_places_in.csv"
STATES = "india/india_states.geojson"
INDIA_LONLAT = (68.0, 6.0, 98.0, 38.0)
"""India's bounding box (west, south, east, north): a place or box beyond it is refused."""
SAME_PLACE_KM = 10.0
"""Entries of one name this close together are one place (GeoNames lists some twice)."""
MAX_RADIUS_KM = 300.0
"""The widest radius: a district is rarely wider (Leh, the largest, spans ~400 km)."""


@dataclass(frozen=True)
class Area:
    """The study area a new study starts with: a radius around the place, or a box.

    Attributes
    ----------
    radius_km
        The buffer around the place (None with a box).
    bbox_lonlat
        ``(west, south, east, north)`` in degrees (None with a radius).
    district
        The district it was asked for by name, when it was.
    """

    radius_km: float | None = None
    bbox_lonlat: tuple[float, float, float, float] | None = None
    district: str | None = None

    def bounds_around(self, place: Place) -> tuple[float, float, float, float]:
        """The area's bounds in degrees (a radius as the square holding its circle)."""
        if self.bbox_lonlat is not None:
            return self.bbox_lonlat
        import math

        r = float(self.radius_km or 0.0)
        dlat = r / 111.32
        dlon = r / (111.32 * max(math.cos(math.radians(place.lat)), 0.01))
        return (place.lon - dlon, place.lat - dlat, place.lon + dlon, place.lat + dlat)


def parse_area(
    radius_km: float | None, district: str | None, bbox: str | None, default_radius_km: float
) -> Area:
    """The study area from the command's options (at most one of them).

    Raises
    ------
    ConfigError
        For two options at once, a radius outside 0-300 km, or a box that is not four
        numbers west, south, east, north inside India.
    """
    given = [o for o, v in (("--radius-km", radius_km), ("--district", district),
                            ("--bbox", bbox)) if v is not None]  # fmt: skip
    if len(given) > 1:
        raise ConfigError(f"init: give one of {', '.join(given)}, not {len(given)}")
    if bbox is not None:
        return Area(bbox_lonlat=parse_bbox(bbox))
    radius = default_radius_km if radius_km is None else radius_km
    if not 0 < radius <= MAX_RADIUS_KM:
        raise ConfigError(
            f"init: --radius-km: expected more than 0 and at most {MAX_RADIUS_KM:g} km (a"
            f" district), found {radius:g}"
        )
    return Area(radius_km=radius, district=district)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``W,S,E,N`` in degrees, inside India and the right way round.

    >>> parse_bbox("85.8, 25.4, 86.1, 25.6")
    (85.8, 25.4, 86.1, 25.6)

    Raises
    ------
    ConfigError
        Naming what is wrong with the box.
    """
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(
            f"init: --bbox: expected four numbers west,south,east,north in degrees, found {text!r}"
        ) from None
    if not (west < east and south < north):
        raise ConfigError(
            f"init: --bbox: west must be less than east and south less than north, found {text!r}"
        )
    iw, is_, ie, in_ = INDIA_LONLAT
    if west < iw or east > ie or south < is_ or north > in_:
        raise ConfigError(
            f"init: --bbox: {text} reaches beyond India ({iw:g}-{ie:g} E, {is_:g}-{in_:g} N);"
            " sitesel's public layers cover India"
        )
    if (east - west) * (north - south) > 16:
        raise ConfigError(
            f"init: --bbox: {text} spans more than 16 square degrees; a district is smaller"
        )
    return west, south, east, north


def resolve_place(
    query: str, data_dir: Path, *, offline: bool, nominatim_url: str | None = None
) -> Place:
    """The one place a query names.

    Raises
    ------
    ConfigError
        If it names several places (listing them with their state), none (with names
        spelt alike), or one outside India.
    """
    places = _gazetteer(data_dir)
    found = find_place(query, places) if places else []
    if not found and not offline:
        found = _geocode(query, nominatim_url)
    if not found:
        near = close_names(query, places) if places else []
        hint = f"; places spelt alike: {', '.join(near)}" if near else ""
        where = "the GeoNames file" if offline else "the GeoNames file or by the geocoder"
        raise ConfigError(f"init: --place {query!r}: not found in {where}{hint}")
    first = found[0]
    apart = [
        p for p in found[1:] if distance_km(p.lon, p.lat, first.lon, first.lat) > SAME_PLACE_KM
    ]
    if apart:
        listed = "; ".join(p.describe() for p in [first, *apart][:6])
        raise ConfigError(
            f"init: --place {query!r} names {len(apart) + 1} places: {listed}. Add the district"
            ' or state after a comma, e.g. --place "Teghra, Begusarai"'
        )
    place = found[0]
    iw, is_, ie, in_ = INDIA_LONLAT
    if not (iw <= place.lon <= ie and is_ <= place.lat <= in_):
        raise ConfigError(
            f"init: --place {query!r} is {place.describe()}, outside India; sitesel's public"
            " layers cover India"
        )
    return place


def _gazetteer(data_dir: Path) -> list[Place]:
    """The GeoNames places of the data folder (none when the files are not there)."""
    geonames, states = data_dir / GEONAMES, data_dir / STATES
    if not (geonames.is_file() and states.is_file()):
        log.info("no %s or %s in %s: the place is geocoded online", GEONAMES, STATES, data_dir)
        return []
    return read_places(geonames, states)


def _geocode(query: str, nominatim_url: str | None) -> list[Place]:
    """The place from osmnx's geocoder (Nominatim), restricted to India, or nothing."""
    import osmnx as ox

    from sitesel.data.osm import osmnx_settings

    overrides: dict[str, object] = {"use_cache": False}
    if nominatim_url is not None:
        overrides["nominatim_url"] = nominatim_url
    try:
        with osmnx_settings(**overrides):
            lat, lon = ox.geocode(f"{query}, India")
    except (OSError, ValueError, TypeError) as exc:
        log.info("geocoder: %s", exc)
        return []
    return [Place(query.split(",")[0].strip(), float(lon), float(lat), 0, "India", 0)]
