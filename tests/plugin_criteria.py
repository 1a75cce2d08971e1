"""A criterion family as a plug-in package would ship it (loaded through an entry point)."""

from typing import Literal

from sitesel.config import CriterionSpec, Selection
from sitesel.criteria import CriterionValues, criterion
from sitesel.criteria.distance import distance_km


class RingRoadDistance(CriterionSpec):
    """Straight-line distance to a selected road (a plug-in's own family)."""

    kind: Literal["ring_road_distance"]
    to: Selection


@criterion(RingRoadDistance, unit="km", label="Distance to the ring road")
def ring_road_distance(spec, name, ctx):
    targets = ctx.select(spec.to, f"criteria.{name}.to")
    return CriterionValues(distance_km(ctx.sites.geometry, targets.geometry), targets=targets)
