"""The layer catalog (``layers/*.yaml``): where each data layer comes from.

A catalog names each layer, its kind, its local file(s) relative to the data directory,
and the public address and sha256 of each file, so that a machine without the data can
fetch it (:mod:`sitesel.data.fetch`). It also says how to read a layer (which columns hold the
road class, the coordinates, ...). Tunable parameters stay in the scoring config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sitesel.config._base import Strict
from sitesel.config._messages import describe_pattern
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.errors import ConfigError

SHA256_PATTERN = describe_pattern(
    r"^[0-9a-f]{64}$", "64 lower-case hexadecimal digits (what sha256sum prints)"
)

LayerKind = Literal["roads", "dem", "points", "area", "parcels"]
LayerFormat = Literal["vector", "csv", "runways_csv", "raster", "osm_xml", "osm_pbf", "overpass"]

_FORMATS_BY_KIND: dict[str, set[str]] = {
    "roads": {"vector", "osm_xml", "osm_pbf", "overpass"},
    "dem": {"raster"},
    "points": {"vector", "csv", "runways_csv"},
    "area": {"vector"},
    "parcels": {"vector"},
}


def _check_url(url: str | None) -> str | None:
    """A download address: https (or http, allowed by the layer), with a host."""
    if url is None:
        return None
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in {"https", "http"} or not rest.split("/")[0]:
        raise ValueError(f"a download address must be https://host/..., found {url!r}")
    return url


Url = Annotated[str, AfterValidator(_check_url)]


class FileSource(Strict):
    """One file of a layer: its place in the data directory and its public source."""

    path: str = Field(description="Path relative to the data directory (or absolute).")
    url: Url | None = Field(default=None, description="Public https address to download it from.")
    sha256: str | None = Field(
        default=None, pattern=SHA256_PATTERN, description="Checksum of the file."
    )


class TileSetSpec(Strict):
    """One-degree tiles named by their south-west corner, fetched as the study area needs.

    ``path`` and ``url`` are patterns with ``{ew}`` (e or w), ``{lon}``, ``{ns}`` (n or s)
    and ``{lat}`` (whole degrees, unsigned; format specs allowed: ``{lon:03d}``); ``{EW}``
    and ``{NS}`` give the letters in capitals (Copernicus GLO-30's names). The tiles
    that exist, and their sha256, are listed in ``sha256_file`` (``sha256sum`` output,
    relative to the catalog, each name the end of a tile's path).
    """

    path: str = Field(description="e.g. india/dem_dted0/{ew}{lon:03d}/{ns}{lat:02d}.dt0")
    url: str | None = Field(default=None, description="The public address, same fields.")
    sha256_file: str | None = Field(default=None, description="Tiles that exist, checksums.")
    checksums: dict[str, str] = Field(
        default_factory=dict, description="Filled from sha256_file when the catalog is read."
    )

    @model_validator(mode="after")
    def _patterns(self) -> TileSetSpec:
        for pattern in (self.path, self.url or ""):
            try:
                pattern.format(ew="e", EW="E", lon=77, ns="n", NS="N", lat=34)
            except (KeyError, ValueError, IndexError) as exc:
                raise ValueError(f"tile pattern {pattern!r} cannot be filled: {exc}") from None
        if self.url is not None:
            _check_url(self.url.format(ew="e", EW="E", lon=77, ns="n", NS="N", lat=34))
        return self


class LayerSpec(Strict):
    """One data layer."""

    kind: LayerKind
    format: LayerFormat = "vector"
    title: str | None = None
    path: str | None = Field(
        default=None,
        description="Shorthand for a one-file layer: relative to the data folder, or with ./"
        " to the catalog (a planner's own file kept beside it).",
    )
    url: Url | None = None
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    allow_http: bool = Field(
        default=False, description="Accept plain http:// addresses for this layer's files."
    )
    allow_references: bool = Field(
        default=False,
        description="Accept files that point at other files (GDAL VRT); off by default.",
    )
    files: list[FileSource] = Field(default_factory=list, description="Files (several tiles).")
    tiles: TileSetSpec | None = Field(
        default=None, description="dem: a tile set, of which the study area's tiles are used."
    )
    crs: str | None = Field(
        default=None, description="CRS to assign when the file has none (e.g. EPSG:4326)."
    )
    x_column: str | None = Field(default=None, description="csv: longitude / x column.")
    y_column: str | None = Field(default=None, description="csv: latitude / y column.")
    class_column: str | None = Field(default=None, description="roads: the road class column.")
    name_column: str | None = Field(default=None, description="Column with a feature's name.")
    population_column: str | None = Field(
        default=None, description="Column with a place's population (labels on the map)."
    )
    network_type: str = Field(default="drive", description="overpass: osmnx network_type.")
    endpoint: Url | None = Field(
        default=None,
        description="overpass: the Overpass API address (osmnx's default, the public"
        " overpass-api.de, when omitted); a mirror, or a local replay in tests.",
    )
    runway_geometry: Literal["midpoint", "line"] = Field(
        default="midpoint",
        description="runways_csv: a point at each runway's middle, or its centreline.",
    )
    vertical_offset_m: float = Field(
        default=0.0,
        ge=-200,
        le=200,
        description="dem: metres added to every height (e.g. ellipsoidal to sea-level heights).",
    )
    licence: str | None = None
    attribution: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LayerSpec:
        if self.format not in _FORMATS_BY_KIND[self.kind]:
            allowed = ", ".join(sorted(_FORMATS_BY_KIND[self.kind]))
            raise ValueError(f"format {self.format!r} does not fit kind {self.kind!r} ({allowed})")
        if self.path is not None and self.files:
            raise ValueError("give either path (one file) or files (several), not both")
        if self.path is None and (self.url is not None or self.sha256 is not None):
            raise ValueError("url and sha256 at the top level go with path")
        if self.endpoint is not None and self.format != "overpass":
            raise ValueError("endpoint goes with format overpass")
        if self.format == "overpass":
            if self.path is not None or self.files:
                raise ValueError("an overpass layer is fetched by osmnx and has no files")
        elif (self.path is not None) + bool(self.files) + (self.tiles is not None) != 1:
            raise ValueError("a layer needs one of path (one file), files (several) or tiles")
        if self.tiles is not None and self.kind != "dem":
            raise ValueError("tiles: go with kind dem")
        if self.format == "csv" and (self.x_column is None or self.y_column is None):
            raise ValueError("a csv layer needs x_column and y_column")
        plain = [s.url for s in self.sources if s.url and s.url.lower().startswith("http:")]
        if plain and not self.allow_http:
            raise ValueError(
                f"{plain[0]} is plain http; use https, or set allow_http: true for this layer"
            )
        return self

    @property
    def sources(self) -> list[FileSource]:
        """The layer's files, whether given as ``path`` or as ``files``."""
        if self.path is not None:
            return [FileSource(path=self.path, url=self.url, sha256=self.sha256)]
        return list(self.files)


class Catalog(Strict):
    """A layer catalog file."""

    description: str | None = None
    layers: dict[str, LayerSpec] = Field(min_length=1)


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate a layer catalog.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    Catalog
        The validated catalog.

    Raises
    ------
    ConfigError
        If the file is missing or invalid.
    """
    path = Path(path)
    catalog = validate_mapping(Catalog, read_yaml_mapping(path), path)
    layers = {
        name: spec.model_copy(update={"tiles": _with_checksums(spec.tiles, path, name)})
        for name, spec in catalog.layers.items()
        if spec.tiles is not None and spec.tiles.sha256_file is not None
    }
    layers |= {
        name: _beside(spec, path.parent)
        for name, spec in catalog.layers.items()
        if spec.path is not None and spec.path.startswith(BESIDE)
    }
    return catalog.model_copy(update={"layers": catalog.layers | layers}) if layers else catalog


BESIDE = "./"
"""A path starting so is a planner's own file beside the catalog, not in the data folder."""


def _beside(spec: LayerSpec, folder: Path) -> LayerSpec:
    """The layer with its ``./`` path made absolute, beside the catalog (read, never fetched)."""
    assert spec.path is not None
    return spec.model_copy(update={"path": str((folder / spec.path).resolve())})


def _with_checksums(tiles: TileSetSpec, catalog_path: Path, layer: str) -> TileSetSpec:
    """The tile set with its ``sha256_file`` read (``<sha256>  <name>`` per line)."""
    assert tiles.sha256_file is not None
    index = catalog_path.parent / tiles.sha256_file
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(
            f"{catalog_path}: layers.{layer}.tiles.sha256_file: cannot read {index}"
            f" ({exc.strerror})"
        ) from None
    checksums = {}
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 64:
            raise ConfigError(
                f"{index}: line {number}: expected '<sha256>  <tile name>', found {line!r}"
            )
        checksums[parts[1].lstrip("*")] = parts[0]
    return tiles.model_copy(update={"checksums": checksums})


def check_references(
    catalog: Catalog,
    catalog_path: Path,
    references: list[tuple[str, str]],
    config_path: Path,
    expected_kinds: dict[str, set[str]],
) -> None:
    """Check that every layer a config names exists in the catalog with a fitting kind.

    Parameters
    ----------
    catalog
        The layer catalog.
    catalog_path
        Its file, for messages.
    references
        ``(yaml key, layer name)`` pairs from the config.
    config_path
        The config file, for messages.
    expected_kinds
        YAML key prefix -> layer kinds accepted there.

    Raises
    ------
    ConfigError
        Listing every unknown layer or wrong kind at once.
    """
    problems = []
    for key, name in references:
        spec = catalog.layers.get(name)
        if spec is None:
            problems.append(
                f"{key}: layer {name!r} is not in {catalog_path.name}"
                f" (it has: {', '.join(sorted(catalog.layers))})"
            )
            continue
        for prefix, kinds in expected_kinds.items():
            if key.startswith(prefix) and spec.kind not in kinds:
                problems.append(
                    f"{key}: expected a layer of kind {' or '.join(sorted(kinds))},"
                    f" layer {name!r} is of kind {spec.kind!r}"
                )
    if problems:
        raise ConfigError(f"{config_path}: " + "; ".join(problems))
