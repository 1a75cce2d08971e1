"""Aggregation methods: one module per method, found by :mod:`.registry`.

Built in: ``weighted_sum`` (the default), ``weighted_product``, ``owa`` (Malczewski
2006), ``topsis`` (Hwang & Yoon 1981), ``vikor`` (Opricovic & Tzeng 2004) and
``promethee_ii`` (Brans & Vincke 1985). A new method is a new module here holding its
spec model and an :class:`~.registry.AggregationMethod` (``docs/DESIGN.md`` shows one).
"""

from sitesel.mcda.methods.registry import (
    DEFAULT_METHOD,
    AggregationMethod,
    Scene,
    method_of,
    methods,
    spec_from_record,
    spec_models,
)

__all__ = [
    "DEFAULT_METHOD",
    "AggregationMethod",
    "Scene",
    "method_of",
    "methods",
    "spec_from_record",
    "spec_models",
]
