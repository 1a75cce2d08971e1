"""The run's own words in the map's language: reason templates and place descriptions.

A reason is a template its rule wrote in English ("within 500 m of {name}", "in the
built-up area of {name}", a rule pack's reason). Its translation is looked up in the
catalog under the template with each number written as ``{n0}``, ``{n1}``... so that one
message covers every distance a planner may set ("within {n0} m of {name}"); the
numbers go back in their places. A template the catalog does not hold stays English (a
planner's own wording is not machine-translated).

A site's place ("1.3 km S of Sahibganj", "at Leh") is written by
:func:`sitesel.data.place_names.describe_locations` in one fixed form; it is read back
here and said in the language, the place's name kept as the layer spells it.
"""

from __future__ import annotations

import re

from sitesel.language.catalog import translator

_NUMBER = re.compile(r"(?<![\w{])\d+(?:,\d+)*(?:\.\d+)?(?![\w}])")
"""A number written in a template's literal text (not a field, not part of a word)."""

_PLACE = re.compile(r"^(?P<km>\d+(?:\.\d+)?) km (?P<dir>N|NE|E|SE|S|SW|W|NW) of (?P<name>.+)$")
_AT = re.compile(r"^at (?P<name>.+)$")
COMPASS_WORDS = {
    "N": "north", "NE": "north-east", "E": "east", "SE": "south-east",
    "S": "south", "SW": "south-west", "W": "west", "NW": "north-west",
}  # fmt: skip
"""The compass points of a place description, as words to translate."""


def number_key(template: str) -> tuple[str, list[str]]:
    """The template with its literal numbers as ``{n0}``, ``{n1}``..., and the numbers.

    >>> number_key("within 500 m of {name}")
    ('within {n0} m of {name}', ['500'])
    >>> number_key("slope over 8.5 deg, 2 of {name}")
    ('slope over {n0} deg, {n1} of {name}', ['8.5', '2'])
    >>> number_key("rules 1, 2 and 4,000 m")
    ('rules {n0}, {n1} and {n2} m', ['1', '2', '4,000'])
    >>> number_key("{distance_km} km from {name}")
    ('{distance_km} km from {name}', [])
    """
    numbers: list[str] = []

    def mark(match: re.Match[str]) -> str:
        numbers.append(match.group(0))
        return f"{{n{len(numbers) - 1}}}"

    return _NUMBER.sub(mark, template), numbers


def localised_template(template: str, lang: str) -> str:
    """A reason template in ``lang``: the catalog's message for it, else the English.

    The record fields (``{name}``, ``{distance_m}``...) stay fields, to be filled as the
    English template's are.
    """
    if lang == "en":
        return template
    key, numbers = number_key(template)
    t = translator(lang)
    said = t(key)
    if said == key:
        return template
    for k, number in enumerate(numbers):
        said = said.replace(f"{{n{k}}}", number)
    return said


def localised_place(text: str, lang: str) -> str:
    """A site's place description in ``lang`` (the name as the layer spells it).

    >>> localised_place("1.3 km S of Sahibganj", "en")
    '1.3 km S of Sahibganj'
    """
    if lang == "en" or not text:
        return text
    t = translator(lang)
    if found := _PLACE.match(text):
        direction = t(COMPASS_WORDS[found["dir"]])
        return t("{km} km {direction} of {name}", km=found["km"], direction=direction,
                 name=found["name"])  # fmt: skip
    if found := _AT.match(text):
        return t("at {name}", name=found["name"])
    return text
