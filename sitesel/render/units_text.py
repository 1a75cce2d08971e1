"""How a raw value is written with its unit, alike on the map's cards and in the dossier.

Minutes, metres and people are whole numbers; kilometres, degrees and hectares have one
decimal; anything else two. Degrees are written as the sign; accessibility counts as
people. The map's script reads the same table as ``SITESEL_UNITS``.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal

from sitesel.language import grouped

RAW_DIGITS: dict[str, int] = {
    "min": 0, "m": 0, "reachable": 0, "access": 0, "people": 0, "km": 1, "deg": 1, "ha": 1,
}  # fmt: skip
"""Decimals shown per unit (others: 2)."""
UNIT_TEXT: dict[str, str] = {"deg": "\u00b0", "reachable": "people", "access": ""}
"""How a unit is written where its name is not the word (degrees: the sign)."""
DEFAULT_DIGITS = 2


def raw_text(value: float | None, unit: str) -> str:
    """A raw value with its unit, as the card and the dossier write it.

    >>> raw_text(31594.2, "reachable"), raw_text(3.914, "deg"), raw_text(59.671, "crore")
    ('31,594 people', '3.9°', '59.67 crore')
    >>> raw_text(-12.5, "min"), raw_text(2.675, "crore"), raw_text(153720, "reachable")
    ('-13 min', '2.68 crore', '1,53,720 people')
    >>> raw_text(float("nan"), "min")
    'no value'
    """
    if value is None or not math.isfinite(value):
        return "no value"
    digits = RAW_DIGITS.get(unit, DEFAULT_DIGITS)
    text = UNIT_TEXT.get(unit, unit)
    # Halves away from zero on the shortest decimal that reads back as the float (repr),
    # as the browser's toLocaleString rounds (ICU): 2.675 gives 2.68, not Python's 2.67.
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    number = grouped(float(exact), digits)  # 1,23,456: Indian grouping, as the page's
    if text == "\u00b0":
        return number + text
    return f"{number} {text}" if text else number


def units_js() -> str:
    """The table as the script's ``SITESEL_UNITS`` constant."""
    table = {"digits": RAW_DIGITS, "text": UNIT_TEXT, "default_digits": DEFAULT_DIGITS}
    return f"const SITESEL_UNITS = {json.dumps(table)};\n"
