"""Reason templates of rule packs: text with named fields, and nothing that runs.

A pack's ``reason`` is data sent round by e-mail, so it may name fields in braces
(``within {distance_m} m of {name}``) and nothing else: no format specification
(``{distance_m:,d}``, ``{name:>1000000000}``), no conversion (``{name!r}``), no attribute
or index (``{name.upper}``, ``{name[0]}``). Each field is written in one fixed way
(:data:`FIELD_FORMATS`), so a template cannot fail, exhaust memory or reach into Python.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

FIELD_FORMATS: dict[str, str] = {
    "name": "{}",
    "distance_m": "{:,.0f}",
    "distance_km": "{:,.1f}",
    "share_pct": "{:.0f}",
    "area_acres": "{:.0f}",
}
"""Every field a template may name and how each is written: the feature's name; the
distance in whole metres (thousands grouped); in kilometres with one decimal; the share of
the site in the zone in whole per cent; land in whole acres (a scheme's)."""

PACK_FIELDS = ("name", "distance_m", "distance_km", "share_pct")
"""The fields a rule pack's reason may name."""

Template = tuple[tuple[str, str | None], ...]
"""A parsed template: (literal text, field name or None) pairs in order."""


def parse_template(text: str, fields: tuple[str, ...] = tuple(FIELD_FORMATS)) -> Template:
    """The literal parts and field names of a reason, refusing anything but plain fields.

    Raises
    ------
    ValueError
        Naming the first field that is not a plain known name, and why.

    Examples
    --------
    >>> parse_template("within {distance_m} m of {name}")
    (('within ', 'distance_m'), (' m of ', 'name'))
    >>> parse_template("{distance_m:,d} m")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: field {distance_m:,d} has a format specification; write {distance_m} ...
    """
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"is not a template ({exc}); to show a brace, double it") from None
    out: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parts:
        if field is None:
            out.append((literal, None))
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "")
        shown += (f":{spec}" if spec else "") + "}"
        if field not in fields:
            known = ", ".join("{" + f + "}" for f in fields)
            what = "attribute or index access" if any(c in field for c in ".[") else "no such field"
            raise ValueError(f"field {shown}: {what}; a reason may name {known}")
        if conversion:
            raise ValueError(f"field {shown} has a conversion (!{conversion}); write {{{field}}}")
        if spec:
            example = FIELD_FORMATS[field].format(1234.5 if field != "name" else "Hemis")
            raise ValueError(
                f"field {shown} has a format specification; write {{{field}}}"
                f" ({field} is written as {example})"
            )
        out.append((literal, field))
    return tuple(out)


def fill(template: Template, values: Mapping[str, object]) -> str:
    """The template with each field written in its fixed format.

    >>> fill(parse_template("{distance_km} km from {name}"), {"distance_km": 6.54, "name": "P"})
    '6.5 km from P'
    >>> fill(parse_template("within {distance_m} m"), {"distance_m": 1500})
    'within 1,500 m'
    """
    return "".join(
        literal + ("" if field is None else FIELD_FORMATS[field].format(values[field]))
        for literal, field in template
    )
