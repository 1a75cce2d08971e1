"""What a config value should have been, in plain words, for every error pydantic raises.

pydantic's own messages ("Input should be greater than 0", "String should match pattern
'^[A-Za-z0-9]...'") quote the library and, worse, regular expressions. Each error type a
config can raise is said here in a planner's words; a type not listed falls back to its
name in words, never to pydantic's sentence.
"""

from __future__ import annotations

from typing import Any

PATTERN_WORDS: dict[str, str] = {}
"""A field's regular expression -> what it asks for, in words (registered where defined)."""


def describe_pattern(pattern: str, words: str) -> str:
    """Register what ``pattern`` asks for; returns the pattern (for ``Field(pattern=...)``)."""
    PATTERN_WORDS[pattern] = words
    return pattern


def _n(value: Any) -> str:
    """A number as a person writes it: 100000 -> 100,000; 0.5 -> 0.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:g}"


_SIMPLE: dict[str, str] = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (check its spelling; `sitesel schema` lists keys)",
    "finite_number": "expected a finite number (not .inf or .nan)",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number, without decimals",
    "int_parsing_size": "expected a whole number of a sensible size",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "string_unicode": "expected text (UTF-8)",
    "bytes_type": "expected text",
    "dict_type": "expected a mapping of keys (key: value)",
    "model_type": "expected a mapping of keys (key: value)",
    "model_attributes_type": "expected a mapping of keys (key: value)",
    "dataclass_type": "expected a mapping of keys (key: value)",
    "list_type": "expected a list (one '- item' a line, or [a, b])",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "iterable_type": "expected a list",
    "path_type": "expected a file path",
    "none_required": "expected nothing here (leave the key out)",
    "callable_type": "expected a value, not code",
    "is_instance_of": "expected a value of another kind (see `sitesel schema`)",
    "arguments_type": "expected a mapping of keys (key: value)",
    "json_invalid": "expected valid JSON",
    "recursion_loop": "expected a value that does not refer to itself",
    "frozen_field": "this key cannot be changed",
    "frozen_instance": "this section cannot be changed",
    "date_parsing": "expected a date (YYYY-MM-DD)",
    "date_type": "expected a date (YYYY-MM-DD)",
    "datetime_parsing": "expected a date and time",
    "datetime_type": "expected a date and time",
    "url_parsing": "expected a web address (https://...)",
    "url_type": "expected a web address (https://...)",
    "uuid_parsing": "expected an identifier",
    "decimal_parsing": "expected a number",
    "complex_str_parsing": "expected a number",
    "literal_error": "expected one of {expected}",
    "enum": "expected one of {expected}",
}


def expected(err: dict[str, Any]) -> str:
    """What the value should have been, in words (no library wording, no pattern).

    >>> expected({"type": "greater_than", "ctx": {"gt": 0}, "msg": "Input should be ..."})
    'expected a number above 0'
    >>> expected({"type": "less_than_equal", "ctx": {"le": 100000}, "msg": "x"})
    'expected a number of at most 100,000'
    >>> expected({"type": "string_pattern_mismatch", "ctx": {"pattern": "^x$"}, "msg": "x"})
    'expected text in the form `sitesel schema` describes for this key'
    """
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "greater_than":
        return f"expected a number above {_n(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"expected a number of at least {_n(ctx.get('ge'))}"
    if kind == "less_than":
        return f"expected a number below {_n(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"expected a number of at most {_n(ctx.get('le'))}"
    if kind == "multiple_of":
        return f"expected a multiple of {_n(ctx.get('multiple_of'))}"
    if kind in {"too_short", "string_too_short"}:
        n = ctx.get("min_length", 1)
        what = "character" if kind == "string_too_short" else "item"
        return f"expected at least {n} {what}{'s' if n != 1 else ''}"
    if kind in {"too_long", "string_too_long"}:
        n = ctx.get("max_length", 0)
        what = "character" if kind == "string_too_long" else "item"
        return f"expected at most {n} {what}{'s' if n != 1 else ''}"
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern", "")))
        return (
            f"expected {words}"
            if words
            else "expected text in the form `sitesel schema` describes for this key"
        )
    if kind in {"value_error", "assertion_error"}:
        return (
            str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        )
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(expected=ctx.get("expected", ""))
    return f"expected another kind of value ({kind.replace('_', ' ')})"
