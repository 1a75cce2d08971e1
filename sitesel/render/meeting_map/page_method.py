"""What the page needs of the run's aggregation method to re-rank as sitesel does.

The method comes back from the manifest's record (:func:`~sitesel.mcda.methods.
spec_from_record`); its registry entry says whether the page's script knows it
(``page_kernel``: the sliders re-rank the drawn sites) and which of its prepared arrays
the page can weigh site by site (``page_terms``: the scores, or PROMETHEE II's net flows),
which is what lets a big map's image of candidates be repainted live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sitesel._typing import FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods import DEFAULT_METHOD, AggregationMethod, method_of, spec_from_record
from sitesel.render.mapdata import MapData

SCALARS = (str, int, float, bool, list, type(None))
"""Spec values the page reads (a method's parameters; mappings such as PROMETHEE's
preference functions are folded into its terms instead)."""


@dataclass(frozen=True)
class PageMethod:
    """The run's method as the page sees it.

    Attributes
    ----------
    spec, method
        The aggregation section and its registry entry (None for a method not installed
        here: a plug-in's run read on another machine).
    names
        The weighted criteria in the page's order.
    scores
        ``(n_sites, len(names))``: their scores.
    terms
        ``(n_sites, len(names))``: what the page weighs for each site on its own, None when
        the method compares every site with the pool (TOPSIS, VIKOR).
    """

    spec: AggregationSpec
    method: AggregationMethod[Any] | None
    names: list[str]
    scores: FloatArray
    terms: FloatArray | None

    @property
    def terms_are_scores(self) -> bool:
        """Whether the page's terms are the criterion scores themselves."""
        return (
            self.terms is not None
            and self.method is not None
            and (self.method.page_terms == "scores")
        )

    @property
    def reranks(self) -> bool:
        """Whether the page's script computes this method (else it shows sitesel's values)."""
        return self.method is not None and self.method.page_kernel


def _found(data: MapData) -> tuple[AggregationSpec, AggregationMethod[Any] | None]:
    """The run's aggregation spec and method (None when not installed here)."""
    record = data.aggregation or {"method": DEFAULT_METHOD}
    try:
        spec = spec_from_record(record)
    except ValueError:  # a plug-in's method, not installed here: sitesel's values shown
        return AggregationSpec(method=str(record.get("method"))), None
    return spec, method_of(spec.method)


def weighs_per_site(data: MapData) -> bool:
    """Whether the page can weigh each site on its own (and so repaint an image of them)."""
    method = _found(data)[1]
    return method is not None and method.page_kernel and method.page_terms is not None


def page_method(data: MapData) -> PageMethod:
    """The run's method, and the per-site terms the page weighs when it can."""
    spec, method = _found(data)
    names = [n for n in data.units if n in data.weights]  # the criteria's order
    scores = np.column_stack([data.sites[f"score__{n}"].to_numpy(dtype=float) for n in names])
    if method is None or method.page_terms is None or not weighs_per_site(data):
        return PageMethod(spec, method, names, scores, None)
    pool = ~data.sites["excluded"].to_numpy(dtype=bool)
    prepared = method.prepare(scores, spec, pool if pool.any() else ~pool, names)
    return PageMethod(spec, method, names, scores, prepared[method.page_terms])


def aggregation_payload(found: PageMethod) -> dict[str, Any]:
    """The page's ``AGG``: the method, its parameters and its label.

    The payload adds the drawn sites' terms when they are not the scores (PROMETHEE II's
    net flows).
    """
    params = found.spec.model_dump(exclude={"method"})
    out: dict[str, Any] = {"method": found.spec.method} | {
        key: params[key] for key in sorted(params) if isinstance(params[key], SCALARS)
    }
    known = found.method
    out["label"] = known.label_of(found.spec) if known is not None else found.spec.method
    return out
