"""The base of every config model, and feature selections shared by many keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool

PLACES_LAYER = "places"
"""The catalog layer ``place:`` looks names up in unless a selection names another."""

SAFE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
"""A run name: it names ``out/<name>/`` and ``maps/<name>.html``, so no path separators."""


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
