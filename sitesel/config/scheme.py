"""Scheme files (``schemes/*.yaml``): a scheme's land rule as data, with variants."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, PositiveFloat

from sitesel.config._base import Strict
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.decision import SchemeSpec
from sitesel.errors import ConfigError


class SchemeVariant(Strict):
    """One variant of a scheme's land rule."""

    min_area_acres: PositiveFloat
    max_parts: int = Field(default=1, ge=1, le=2)
    max_gap_km: float = Field(default=0.0, ge=0)
    road_corridor_m: float = Field(default=0.0, ge=0, le=1000)
    """Parcels up to this far apart join when a road of the network runs between them."""


class SchemeFile(Strict):
    """A scheme file: a name, where the rules come from, and its variants."""

    name: str
    source: str | None = None
    variants: dict[str, SchemeVariant] = Field(min_length=1)


def load_scheme(spec: SchemeSpec, config_path: Path) -> tuple[SchemeFile, SchemeVariant, Path]:
    """Read the scheme file a config names and pick its variant.

    Raises
    ------
    ConfigError
        If the file is invalid or has no such variant.
    """
    path = (config_path.parent / spec.file).resolve()
    if not path.is_file():
        raise ConfigError(
            f"{config_path}: scheme.file: {spec.file} resolves to {path}, which is not a file"
            " (paths in a config are relative to the config file)"
        )
    scheme = validate_mapping(SchemeFile, read_yaml_mapping(path), path)
    if spec.variant not in scheme.variants:
        raise ConfigError(
            f"{config_path}: scheme.variant: expected one of {', '.join(scheme.variants)}"
            f" (from {path.name}), found {spec.variant!r}"
        )
    return scheme, scheme.variants[spec.variant], path
