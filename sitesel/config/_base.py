"""The base of every config model, and feature selections shared by many keys."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Scalar = str | int | float | bool

PLACES_LAYER = "places"
"""The catalog layer ``place:`` looks names up in unless a selection names another."""

MAX_NAME_CHARS = 80
UNSAFE_IN_FILE_NAMES = '/\\<>:"|?*'
"""Folder separators, and what Windows refuses in a file name."""
RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)]
)
"""Names Windows keeps for devices (``con.html`` cannot be created there)."""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a run's folder and map, in words; None when it can.

    A run name names ``out/<name>/`` and ``maps/<name>.html``: letters and digits of any
    script (Devanagari, Arabic, ...) are welcome; folder separators, control characters,
    a leading dot, a trailing dot or space and Windows' device names are not.

    >>> name_problem("लेह_ईएमसी") is None, name_problem("لیہ") is None
    (True, True)
    >>> name_problem("../leh")
    "it has '/', which separates folders: use _ or - instead"
    >>> name_problem("con")
    "'con' is a name Windows keeps for a device: add a word to it"
    """
    if not name.strip():
        return "it is empty: give the study a name"
    if len(name) > MAX_NAME_CHARS:
        return f"it has {len(name)} characters, more than {MAX_NAME_CHARS}: shorten it"
    for position, char in enumerate(name, start=1):
        if char in "/\\":
            return f"it has {char!r}, which separates folders: use _ or - instead"
        if char in UNSAFE_IN_FILE_NAMES:
            return f"it has {char!r}, which Windows refuses in a file name: use _ or - instead"
        if unicodedata.category(char).startswith("C"):
            return f"it has an invisible control character at position {position}: retype it"
    if name.startswith("."):
        return "it starts with a dot, which hides a file: drop the dot"
    if name.endswith((".", " ")):
        return "it ends with a dot or a space, which Windows drops: drop it"
    if name.split(".")[0].upper() in RESERVED_NAMES:
        return f"{name!r} is a name Windows keeps for a device: add a word to it"
    return None


def _run_name(name: str) -> str:
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(f"{name!r} cannot name the run's folder and map: {problem}")
    return unicodedata.normalize("NFC", name)


RunName = Annotated[str, AfterValidator(_run_name)]
"""A run name: any script's letters and digits; nothing unsafe in a file name."""


class Strict(BaseModel):
    """A frozen model that refuses unknown keys (a misspelt key is an error, not a default).

    Numbers must be finite: ``.inf`` and ``.nan`` are refused wherever a number is expected.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Selection(Strict):
    """Features chosen from a catalog layer by attribute.

    ``where`` keeps features whose column equals the value (or one of a list of values);
    ``min`` keeps features whose column is at least the value. All conditions must hold.
    ``place`` picks one town by name from the layer's ``name_column`` (the GeoNames
    ``places`` layer unless ``layer`` says otherwise): ``to: {place: Leh}``.
    """

    layer: str = Field(
        default=PLACES_LAYER, description="Name of a layer in the catalog ('places' for place:)."
    )
    place: str | None = Field(
        default=None, description="A town's name in the layer's name_column, e.g. Leh."
    )
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict, description="Column -> value or list of accepted values."
    )
    min: dict[str, float] = Field(
        default_factory=dict, description="Column -> minimum value (inclusive)."
    )
