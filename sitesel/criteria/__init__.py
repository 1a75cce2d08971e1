"""Criteria: raw values per site, each in a stated unit; one module per family.

Built-in families: ``travel_time``, ``opportunities`` and ``gravity`` (over the road
network), ``distance`` (straight line), ``slope`` and ``elevation`` (from the DEM) and
``area``. Each module defines its spec model and registers its compute function with
:func:`~sitesel.criteria.registry.criterion`; adding a family means adding a module here
(or, from another package, an entry point in the ``sitesel.criteria`` group).
"""

from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import (
    CriterionFamily,
    criterion,
    criterion_label,
    families,
    family_of,
    spec_models,
)

__all__ = [
    "CriterionContext",
    "CriterionFamily",
    "CriterionValues",
    "criterion",
    "criterion_label",
    "families",
    "family_of",
    "spec_models",
]
