"""Numbers and coordinates in tables as an Indian office writes them.

A population typed ``12,345`` or ``1,23,456`` (Indian grouping: lakh and crore) is a
number, not a missing value; a coordinate typed ``34°09'36"N`` is a coordinate. Anything
else that is not blank is refused naming the rows, never read as 0 or dropped unseen.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sitesel.errors import LayerError

_PLAIN = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
_GROUPED = (
    r"[-+]?("
    r"\d{1,3}(,\d{3})+"  # international: 123,456,789
    r"|\d{1,2}(,\d{2})*,\d{3}"  # Indian: 1,23,45,678 (crore, lakh, thousand)
    r")(\.\d+)?"
)
_NUMBER = re.compile(rf"^({_PLAIN}|{_GROUPED})$")

_DMS = re.compile(
    r"""^\s*(?P<pre>[NSEW])?\s*
    (?P<deg>\d{1,3}(\.\d+)?)\s*(°|º|d|deg|:|\s|(?=[NSEW]?\s*$))\s*
    ((?P<min>\d{1,2}(\.\d+)?)\s*('|′|m|min|:|\s|(?=[NSEW]?\s*$))\s*)?
    ((?P<sec>\d{1,2}(\.\d+)?)\s*("|″|''|′′|s|sec)?\s*)?
    (?P<post>[NSEW])?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEMISPHERES = {"x": ("E", "W"), "y": ("N", "S")}
SHOWN_ROWS = 5


def spreadsheet_row(label: object) -> str:
    """A table row as a spreadsheet numbers it (a header line, then data from row 2).

    >>> spreadsheet_row(0), spreadsheet_row("x")
    ('row 2', "row 'x'")
    """
    return f"row {label + 2}" if isinstance(label, int | np.integer) else f"row {label!r}"


def _rows_text(series: pd.Series, bad: np.ndarray) -> str:
    """The first few bad rows as ``row N ('value')``, counted as a spreadsheet does."""
    rows = [
        f"row {int(i) + 2} ({str(v)!r})"  # a header line, then rows from 1
        for i, v in zip(
            np.flatnonzero(bad)[:SHOWN_ROWS], series[bad].iloc[:SHOWN_ROWS], strict=False
        )
    ]
    more = int(bad.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def parse_numbers(series: pd.Series, *, what: str) -> pd.Series:
    """A column of numbers; text with thousands separators read, blanks missing (NaN).

    Parameters
    ----------
    series
        The column (numbers, or text as a CSV gives it).
    what
        What the column is, for the message (e.g. ``layer 'demand', column 'population'``).

    Raises
    ------
    LayerError
        Naming the rows whose values are neither blank nor a number.

    Examples
    --------
    >>> parse_numbers(pd.Series(["12,345", "1,23,456", "7", "", None, "2.5"]), what="x").tolist()
    [12345.0, 123456.0, 7.0, nan, nan, 2.5]
    >>> parse_numbers(pd.Series(["12.345,6"]), what="col")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sitesel.errors.LayerError: col: ... row 2 ('12.345,6'); write plain numbers ...
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    text = series.astype("string").str.strip()
    blank = text.isna() | (text == "")
    ok = blank | text.str.fullmatch(_NUMBER.pattern).fillna(False)
    bad = ~ok.to_numpy(dtype=bool)
    if bad.any():
        raise LayerError(
            f"{what}: {int(bad.sum())} value(s) are not numbers: {_rows_text(series, bad)};"
            " write plain numbers (thousands separators as in 1,23,456 or 123,456 are read;"
            " leave a missing value blank)"
        )
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False).mask(blank), errors="coerce")
    return numbers.astype(float).set_axis(series.index)


def parse_counts(series: pd.Series, *, what: str) -> pd.Series:
    """A column of counts (people, employees): numbers at or above 0, blanks as 0.

    Raises
    ------
    LayerError
        Naming the rows that are not numbers, or are below 0.

    >>> parse_counts(pd.Series(["1,200", "", 3]), what="x").tolist()
    [1200.0, 0.0, 3.0]
    """
    numbers = parse_numbers(series, what=what)
    negative = (numbers < 0).to_numpy(dtype=bool)
    if negative.any():
        raise LayerError(
            f"{what}: {int(negative.sum())} count(s) are below 0: {_rows_text(series, negative)}"
        )
    return numbers.fillna(0.0)


def _dms_value(text: str, axis: str) -> float | None:
    """Degrees of one coordinate in degrees-minutes-seconds, or None if it is not one.

    >>> _dms_value("34°09′36″N", "y"), _dms_value("77 35 24 E", "x"), _dms_value("N34 9.6", "y")
    (34.16, 77.59, 34.16)
    >>> _dms_value("34°09′36″E", "y") is None, _dms_value("34 75 00", "y") is None
    (True, True)
    """
    match = _DMS.match(text)
    if match is None or (match["pre"] and match["post"]):
        return None
    hemisphere = (match["pre"] or match["post"] or "").upper()
    if hemisphere and hemisphere not in _HEMISPHERES[axis]:
        return None
    minutes, seconds = float(match["min"] or 0), float(match["sec"] or 0)
    fractional_before = ("." in match["deg"] and match["min"]) or (
        "." in (match["min"] or "") and match["sec"]
    )
    if minutes >= 60 or seconds >= 60 or fractional_before:
        return None
    value = float(match["deg"]) + minutes / 60 + seconds / 3600
    if value > (180 if axis == "x" else 90):
        return None
    return round(-value if hemisphere in ("S", "W") else value, 9)


def parse_coordinates(series: pd.Series, *, axis: str, what: str) -> pd.Series:
    """Coordinates as decimal numbers; degrees-minutes-seconds read, blanks missing (NaN).

    Parameters
    ----------
    series
        The column.
    axis
        ``x`` (longitude: E or W) or ``y`` (latitude: N or S), for the hemisphere letter.
    what
        What the column is, for the message.

    Raises
    ------
    LayerError
        Naming the rows whose values are neither blank, a number nor degrees-minutes-seconds.

    Examples
    --------
    >>> parse_coordinates(pd.Series(["34.16", "34°09'36 N", "", "34°9′36″S"]), axis="y",
    ...                   what="lat").tolist()
    [34.16, 34.16, nan, -34.16]
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    text = series.astype("string").str.strip()
    plain = pd.to_numeric(text.where(text.str.fullmatch(_PLAIN).fillna(False)), errors="coerce")
    out = plain.astype(float).to_numpy().copy()
    todo = np.flatnonzero(np.isnan(out) & (text.fillna("") != "").to_numpy(dtype=bool))
    bad = np.zeros(len(series), dtype=bool)
    for i in todo:
        value = _dms_value(str(text.iloc[i]), axis)
        if value is None:
            bad[i] = True
        else:
            out[i] = value
    if bad.any():
        raise LayerError(
            f"{what}: {int(bad.sum())} value(s) are not coordinates: {_rows_text(series, bad)};"
            " write decimal degrees (34.16) or degrees, minutes and seconds (34°09'36\"N)"
        )
    return pd.Series(out, index=series.index, dtype=float)
