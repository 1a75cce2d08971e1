"""The aggregation-method registry: every way scores combine into suitability.

A method is one module of :mod:`sitesel.mcda.methods` holding its spec model (an
:class:`~sitesel.config.decision.AggregationSpec` with a ``method`` literal and its own
keys) and an :class:`AggregationMethod` that says how to prepare the weight-free arrays
once and how to combine them with weights. Other packages add theirs through the
entry-point group ``sitesel.aggregations`` (each entry point names a module).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sitesel._plugins import registry_modules
from sitesel._typing import BoolArray, FloatArray
from sitesel.config.decision import AggregationSpec

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sitesel.aggregations"
SKIP = frozenset({"registry"})
DEFAULT_METHOD = "weighted_sum"
"""The method of a config that names none."""
SpecT = TypeVar("SpecT", bound=AggregationSpec)

Prepared = dict[str, FloatArray]
"""A method's weight-free arrays, one row per site (scores, flows, regret terms)."""
PerDraws = Callable[[FloatArray], FloatArray]
"""Normalised weights ``(n_draws, m)`` to suitability ``(n_draws, n_sites)``."""


@dataclass(frozen=True)
class Scene:
    """What a method may report about a run: the scores, weights and the candidates.

    Attributes
    ----------
    scores
        ``(n_sites, m)`` criterion scores in [0, 1].
    weights
        ``(m,)`` the run's normalised weights.
    candidates
        The sites not excluded.
    site_ids, names
        The sites' ids and the scored criteria's names (columns of ``scores``).
    """

    scores: FloatArray
    weights: FloatArray
    candidates: BoolArray
    site_ids: Sequence[str]
    names: Sequence[str]


@dataclass(frozen=True)
class AggregationMethod(Generic[SpecT]):
    """One aggregation method: its spec, label and arithmetic.

    Attributes
    ----------
    spec
        The method's config section model.
    label
        Its name in words for the map ("TOPSIS"), or a function of the spec giving it.
    prepare
        ``(scores, spec, pool, names) -> arrays``: the work that does not depend on the
        weights, done once per run (``pool``: the sites compared, for relative methods).
    combine
        ``(arrays, spec, pool) -> per_draws``: suitability for a batch of weight vectors.
        ``arrays`` may hold only some sites' rows (rescoring the candidates).
    describe
        ``(spec, scene) -> dict``: what the method says of this run for the manifest
        (added after the spec's keys); None: nothing.
    page_kernel
        Whether the map's script (``render/static/js/ranking.js``) computes the method, so
        its weight sliders re-rank the drawn sites; a method without one shows sitesel's
        suitability and its sliders stay off.
    page_terms
        The key of the prepared array the map can weigh for each site on its own (scores;
        PROMETHEE II: net flows), for a map's live sliders over an image of candidates;
        None when a site's value depends on the whole pool (TOPSIS, VIKOR).
    """

    spec: type[SpecT]
    label: str | Callable[[SpecT], str]
    prepare: Callable[[FloatArray, SpecT, BoolArray, Sequence[str]], Prepared]
    combine: Callable[[Prepared, SpecT, BoolArray], PerDraws]
    describe: Callable[[SpecT, Scene], dict[str, Any]] | None = None
    page_kernel: bool = False
    page_terms: str | None = None

    @property
    def name(self) -> str:
        """The ``method:`` that selects this method in YAML."""
        return self.spec.method_name()

    def label_of(self, spec: SpecT) -> str:
        """The method in words, for this spec."""
        return self.label if isinstance(self.label, str) else self.label(spec)


def scores_as_they_are(
    scores: FloatArray, spec: AggregationSpec, pool: BoolArray, names: Sequence[str]
) -> Prepared:
    """The preparation of methods that work on the scores directly."""
    return {"scores": scores}


_loaded: dict[str, AggregationMethod[Any]] = {}


def methods() -> dict[str, AggregationMethod[Any]]:
    """Every aggregation method, by name, the default first.

    Raises
    ------
    ValueError
        If two modules register the same method name.
    """
    if not _loaded:
        found: dict[str, AggregationMethod[Any]] = {}
        for module in registry_modules("sitesel.mcda.methods", ENTRY_POINT_GROUP, SKIP):
            for value in vars(module).values():
                if not isinstance(value, AggregationMethod):
                    continue
                known = found.get(value.name)
                if known is not None and known is not value:
                    raise ValueError(
                        f"aggregation method {value.name!r} is registered twice"
                        f" ({known.spec.__module__} and {value.spec.__module__})"
                    )
                found[value.name] = value
        first = [DEFAULT_METHOD] if DEFAULT_METHOD in found else []
        for name in first + sorted(set(found) - set(first)):
            _loaded[name] = found[name]
    return dict(_loaded)


def method_of(name: str) -> AggregationMethod[Any]:
    """The method registered under ``name``.

    Raises
    ------
    ValueError
        If no method has that name.
    """
    known = methods()
    if name not in known:
        raise ValueError(f"unknown aggregation {name!r}; use one of {', '.join(known)}")
    return known[name]


def spec_models() -> tuple[type[AggregationSpec], ...]:
    """Every method's spec model, the default first (what a config's aggregation may be)."""
    return tuple(m.spec for m in methods().values())


def spec_from_record(record: dict[str, Any]) -> AggregationSpec:
    """The spec back from a manifest's ``aggregation`` record.

    The record's keys beyond the spec's own (VIKOR's conditions, OWA's ORness) are left out.
    """
    method = method_of(str(record.get("method", DEFAULT_METHOD)))
    fields = method.spec.model_fields
    spec: AggregationSpec = method.spec.model_validate(
        {k: v for k, v in record.items() if k in fields}
    )
    return spec
