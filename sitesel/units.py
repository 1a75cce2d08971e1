"""Unit constants and conversions used across sitesel.

Areas: schemes count acres, GIS works in m2 and ha. Speeds: configs give km/h, routing
works in metres per minute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sitesel._typing import FloatArray

    _Speed = TypeVar("_Speed", float, FloatArray)

ACRE_HA = 0.40468564224
"""One international acre in hectares."""

M2_PER_HA = 10_000.0
"""Square metres in a hectare."""

M_PER_KM = 1000.0
"""Metres in a kilometre."""


def m_per_min(speed_kmh: _Speed) -> _Speed:
    """A speed in km/h as metres per minute.

    >>> m_per_min(6.0)
    100.0
    """
    return speed_kmh * 1000 / 60


def kmh(metres_per_min: _Speed) -> _Speed:
    """A speed in metres per minute as km/h (the inverse of :func:`m_per_min`).

    >>> kmh(100.0)
    6.0
    """
    return metres_per_min * 60 / 1000
