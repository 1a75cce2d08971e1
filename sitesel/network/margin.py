"""Whether the road network's margin around the study area is wide enough for the criteria.

The road graph keeps roads up to ``network.margin_km`` outside the study area. A criterion
that counts what lies within T minutes of a site (people within 30 min, a gravity decay
cut off at 60 min) reaches at most ``T / 60 x`` the fastest road speed beyond the area; a
narrower margin cuts those routes and undercounts the sites near the edge. (A cluster
tile's piece of the network needs the same, with the off-road legs added:
:mod:`sitesel.network.tiling`.) Travel times to named targets have no such bound; whether
their targets lie within the margin is checked with the targets
(:mod:`sitesel.pipeline.target_checks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sitesel._typing import FloatArray
from sitesel.units import kmh


@dataclass(frozen=True)
class MarginCheck:
    """The margin a criterion needs against the one the network has.

    Attributes
    ----------
    criterion
        The criterion's name.
    reach_min
        The longest travel time it counts.
    needed_km
        How far beyond the study area that time reaches at the fastest road speed.
    margin_km
        The network's margin.
    """

    criterion: str
    reach_min: float
    needed_km: float
    margin_km: float

    @property
    def short(self) -> bool:
        """Whether the margin is narrower than the criterion needs."""
        return self.margin_km < self.needed_km

    def message(self, fastest_kmh: float) -> str:
        """One line for the log: what is short, and the key to raise."""
        return (
            f"criteria.{self.criterion} counts what lies within {self.reach_min:g} min, up to"
            f" {self.needed_km:.1f} km beyond the study area at the fastest road speed"
            f" ({fastest_kmh:.0f} km/h), but network.margin_km is {self.margin_km:g}: sites"
            f" near the edge are undercounted; raise network.margin_km to"
            f" {np.ceil(self.needed_km):.0f}"
        )


def fastest_kmh(length_m: FloatArray, forward_min: FloatArray, backward_min: FloatArray) -> float:
    """The highest speed on any open arc of the network (km/h); 0 for no open arc.

    >>> round(fastest_kmh(np.array([1000, 500]), np.array([1.5, np.inf]), np.array([2, 1])), 9)
    40.0
    """
    times = np.concatenate([forward_min, backward_min])
    lengths = np.concatenate([length_m, length_m])
    open_ = np.isfinite(times) & (times > 0)
    if not open_.any():
        return 0.0
    return float(kmh((lengths[open_] / times[open_]).max()))


def margin_checks(
    reach_min: Mapping[str, float], margin_km: float, speed_kmh: float
) -> list[MarginCheck]:
    """The margin each time-bounded criterion needs, against ``margin_km``.

    >>> [c.short for c in margin_checks({"jobs_30min": 30, "jobs_60min": 60}, 30, 40)]
    [False, True]
    """
    return [
        MarginCheck(name, minutes, minutes / 60 * speed_kmh, margin_km)
        for name, minutes in reach_min.items()
    ]
