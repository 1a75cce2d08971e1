"""TOPSIS: relative closeness to the ideal and the anti-ideal among the candidates.

Hwang & Yoon (1981): weighted scores ``v = w s``; the ideal and anti-ideal are each
criterion's best and worst ``v`` among the compared sites; suitability is
``d- / (d+ + d-)`` from the Euclidean distances to them (1 where both are zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import Field

from sitesel._typing import BoolArray, FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import AggregationMethod, PerDraws, Prepared


class TopsisSpec(AggregationSpec):
    """TOPSIS and its normalisation."""

    method: Literal["topsis"]
    normalisation: Literal["min_max", "vector"] = Field(
        default="min_max",
        description="topsis: min_max uses the value-function scores as they are; vector"
        " divides each criterion by its Euclidean norm (Hwang & Yoon).",
    )


def vector_normalised(scores: FloatArray, pool: BoolArray) -> FloatArray:
    """Each criterion's scores divided by their Euclidean norm over the pool (0 if none)."""
    norm = np.sqrt(np.nansum(scores[pool] ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(norm > 0, scores / norm, 0.0), dtype=np.float64)


def prepare(
    scores: FloatArray, spec: TopsisSpec, pool: BoolArray, names: Sequence[str]
) -> Prepared:
    """The scores, normalised as the spec says."""
    vector = spec.normalisation == "vector"
    return {"normalised": vector_normalised(scores, pool) if vector else scores}


def closeness(s: FloatArray, w: FloatArray, pool: BoolArray) -> FloatArray:
    """``(n_draws, n_sites)`` relative closeness for normalised weights ``(n_draws, m)``."""
    v = w[:, None, :] * s[None, :, :]  # (d, n, m)
    candidates = v[:, pool, :]
    ideal = np.nanmax(candidates, axis=1, keepdims=True)
    anti = np.nanmin(candidates, axis=1, keepdims=True)
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=2))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=2))
    with np.errstate(invalid="ignore"):
        ratio = d_minus / (d_plus + d_minus)
    return np.asarray(np.where(d_plus + d_minus == 0, 1.0, ratio), dtype=np.float64)


def combine(prepared: Prepared, spec: TopsisSpec, pool: BoolArray) -> PerDraws:
    """TOPSIS suitability for each weight vector."""
    return lambda w: closeness(prepared["normalised"], w, pool)


def label(spec: TopsisSpec) -> str:
    """The method in words, naming a vector normalisation."""
    return "TOPSIS (vector normalisation)" if spec.normalisation == "vector" else "TOPSIS"


TOPSIS = AggregationMethod(
    spec=TopsisSpec, label=label, prepare=prepare, combine=combine, page_kernel=True
)
