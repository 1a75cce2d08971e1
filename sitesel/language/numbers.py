"""Numbers as Indian readers group them: 1,23,45,678 (lakh and crore), in both languages.

Babel's ``en_IN`` pattern (``#,##,##0``) groups the digits; the digits stay the
international ones in Hindi too, as Indian government documents print them.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal


def grouped(value: float, decimals: int = 0) -> str:
    """A number with Indian digit grouping (the last three digits, then twos).

    >>> grouped(12345678), grouped(1234.5, 1), grouped(-987654.321, 2), grouped(999)
    ('1,23,45,678', '1,234.5', '-9,87,654.32', '999')
    >>> grouped(float("nan"))
    '-'
    """
    if not math.isfinite(value):
        return "-"
    pattern = "#,##,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern, locale="en_IN"))
