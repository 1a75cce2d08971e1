"""Where a study looks and what it compares.

The study area, the candidate sites (parcels or a grid), the DEM, and what the map shows.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    PositiveFloat,
    model_validator,
)

from sitesel.config._base import Selection, Strict
from sitesel.config.plausible import plausible
from sitesel.units import ACRE_HA


class StudyAreaSpec(Selection):
    """The study area: the union of the selected features, buffered; or a box."""

    buffer_km: float = Field(
        default=0.0,
        ge=0,
        description="Buffer around the selection.",
        json_schema_extra=plausible(0, 300, "km"),
    )
    bbox_lonlat: tuple[float, float, float, float] | None = Field(
        default=None,
        description="A box instead of a selection: [west, south, east, north] in degrees.",
    )

    @model_validator(mode="after")
    def _box(self) -> StudyAreaSpec:
        if self.bbox_lonlat is None:
            return self
        west, south, east, north = self.bbox_lonlat
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(
                f"bbox_lonlat: expected [west, south, east, north] in degrees, west < east and"
                f" south < north, found {list(self.bbox_lonlat)}"
            )
        if self.place is not None or self.where or self.min:
            raise ValueError("give bbox_lonlat or a selection (place, where, min), not both")
        return self


class GridSpec(Strict):
    """A generated grid of cells covering the study area.

    ``shape: hexagon`` (the default) gives hexagons of exactly the cell area. ``shape:
    dem_square`` gives squares made of whole DEM cells (k x k, the smallest k reaching the
    cell area), so each site's terrain statistics are read from the DEM cells it holds
    without zonal geometry: faster at district scale, at the DEM's resolution.
    """

    shape: Literal["hexagon", "dem_square"] = Field(
        default="hexagon", description="hexagon, or dem_square (squares of whole DEM cells)."
    )
    cell_area_acres: PositiveFloat | None = Field(
        default=None,
        description="Area of one cell in acres (EMC 2.0 counts acres).",
        json_schema_extra=plausible(1, 50_000, "acres"),
    )
    cell_area_ha: PositiveFloat | None = Field(
        default=None,
        description="Area of one cell in ha.",
        json_schema_extra=plausible(0.4, 20_000, "ha"),
    )
    max_cells: int = Field(
        default=2_000_000, ge=1, description="Refuse a grid of more cells (memory guard)."
    )

    @model_validator(mode="after")
    def _one_area(self) -> GridSpec:
        if (self.cell_area_acres is None) == (self.cell_area_ha is None):
            raise ValueError("give exactly one of cell_area_acres or cell_area_ha")
        return self

    @property
    def area_ha(self) -> float:
        """Cell area in hectares."""
        if self.cell_area_ha is not None:
            return self.cell_area_ha
        assert self.cell_area_acres is not None  # guaranteed by _one_area
        return self.cell_area_acres * ACRE_HA


class ParcelSpec(Strict):
    """Candidate sites read from a polygon layer of the catalog."""

    layer: str
    id_column: str | None = Field(
        default=None, description="Column holding the parcel id; row numbers when omitted."
    )


class SitesSpec(Strict):
    """Where the candidate sites come from: exactly one of ``grid`` or ``parcels``."""

    grid: GridSpec | None = None
    parcels: ParcelSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SitesSpec:
        if (self.grid is None) == (self.parcels is None):
            raise ValueError("give exactly one of grid or parcels")
        return self


class DemSpec(Strict):
    """The elevation models used by terrain criteria: one, or several in order of preference.

    With ``layers: [fine, coarse]`` each site's terrain comes from the first DEM whose
    heights cover the whole site (the 30 m raster around Leh where it reaches, the ~1 km
    tiles beyond); the last must cover the study area and also serves road grades, the
    hillshade and ``dem_square`` grids.
    """

    layer: str | None = Field(default=None, description="Name of a dem layer in the catalog.")
    layers: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Several dem layers, finest first; the last must cover the study area.",
    )
    resolution_m: PositiveFloat | None = Field(
        default=None,
        description="Cell size of the last (covering) DEM after reprojection; the source's"
        " when omitted. Finer DEMs keep their own.",
        json_schema_extra=plausible(5, 5_000, "m"),
    )
    max_cells: int = Field(
        default=50_000_000,
        ge=1,
        description="Refuse a DEM of more cells (a memory guard: 50 million cells hold 400 MB"
        " of heights), checked before it is read.",
    )
    when_available: list[str] = Field(
        default_factory=list,
        description="Finer layers of the stack used when their files can be had (in the data"
        " folder, or downloaded when online) and left out, with a warning, when not: public"
        " tiles a connected machine fetches (Copernicus GLO-30).",
    )

    @model_validator(mode="after")
    def _one_form(self) -> DemSpec:
        if (self.layer is None) == (self.layers is None):
            raise ValueError("give exactly one of layer (one DEM) or layers (finest first)")
        if self.layers is not None and len(set(self.layers)) != len(self.layers):
            raise ValueError(f"layers names a DEM twice: {', '.join(self.layers)}")
        stray = [n for n in self.when_available if n not in self.stack[:-1]]
        if stray:
            raise ValueError(
                f"when_available names {', '.join(stray)}, not a finer layer of layers"
                " (the last, covering DEM cannot be left out)"
            )
        return self

    @property
    def stack(self) -> list[str]:
        """The DEM layers, finest first; the last covers the study area."""
        return list(self.layers) if self.layers is not None else [str(self.layer)]

    @property
    def base(self) -> str:
        """The DEM that covers the study area (the last of the stack)."""
        return self.stack[-1]


class MapSpec(Strict):
    """What the HTML map shows."""

    top_n: int = Field(default=10, ge=0, description="How many top sites carry their rank.")
    elevation_tint: bool = Field(
        default=True, description="Colour the hillshade basemap by elevation."
    )
    max_vector_sites: int = Field(
        default=50_000,
        ge=1,
        description="Above this many sites the map draws excluded sites as one image; if "
        "candidates alone are more, the best-ranked stay vectors and the rest are an image "
        "the sliders repaint (TOPSIS, VIKOR: the run's colours, sliders off).",
    )
    language: Literal["en", "hi"] = Field(
        default="en",
        description="The language of the map and the dossier: en (English) or hi (Hindi, with"
        " the Devanagari font embedded); `sitesel map --lang` and `report --lang` override it.",
    )
