"""The dossier's small formatters: escaped text, numbers grouped the Indian way, ranks."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sitesel.language import grouped

Say = Callable[..., str]
"""A translator: ``t(msgid, **fields)`` (:func:`sitesel.language.translator`)."""


def e(value: Any) -> str:
    """The value as HTML text (markup in a name shows as text)."""
    return html.escape(str(value) if value is not None else "")


def known_text(value: Any) -> str:
    """The text of a value that may be missing (None, NaN or pandas' NA): "" when missing.

    >>> known_text(float("nan")), known_text(None), known_text("Leh")
    ('', '', 'Leh')
    """
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)


def finite(value: Any) -> bool:
    """Whether the value is a finite number."""
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def as_float(value: Any) -> float | None:
    """The value as a float, None when missing or not finite."""
    return float(value) if finite(value) else None


def num(value: Any, digits: int) -> str:
    """A number with ``digits`` decimals in Indian grouping, "-" when missing.

    >>> num(1234567.891, 1), num(float("nan"), 2)
    ('12,34,567.9', '-')
    """
    return grouped(float(value), digits) if finite(value) else "-"


def rank_text(s: pd.Series, t: Say) -> str:
    """The rank as words ("rank 3"), or "excluded"."""
    rank = s.get("rank")
    return t("rank {n}", n=int(rank)) if finite(rank) else t("excluded")
