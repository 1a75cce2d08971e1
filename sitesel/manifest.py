"""The run manifest: what a run used and produced, written and read through one model.

``manifest.json`` lets a run be reproduced (config, catalog and input checksums, package
versions), compared (weights, units) and re-mapped without rescoring. The model is
versioned (``manifest_version``); a manifest that does not match it is refused with the
keys at fault, never read half-way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Literal

import pyproj
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sitesel.config._base import RunName
from sitesel.config._messages import expected
from sitesel.errors import OutputError

MANIFEST_VERSION: Literal[1] = 1


def build_time() -> dt.datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` sets for reproducible outputs, if it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileRecord(_Record):
    """A file the run read, and its checksum."""

    path: str
    sha256: str


class SiteCounts(_Record):
    """How many sites there were, were excluded and were ranked."""

    total: int
    excluded: int
    ranked: int


class StabilityRecord(_Record):
    """One criterion's weight stability interval (see :mod:`sitesel.mcda.robustness`)."""

    criterion: str
    weight: float
    lower: float | None
    upper: float | None
    lower_challenger: str | None
    upper_challenger: str | None
    smallest_change: float | None


class RegionsRecord(_Record):
    """How regions were grown, and how many there are."""

    count: int
    min_suitability: float | None
    gap_m: float | None


class Manifest(_Record):
    """Everything ``manifest.json`` holds (version :data:`MANIFEST_VERSION`)."""

    manifest_version: Literal[1] = MANIFEST_VERSION
    sitesel_version: str
    name: RunName
    description: str = ""
    run_date: str
    config: FileRecord
    catalog: FileRecord
    data_dir: str
    inputs_sha256: dict[str, str]
    working_crs: str
    criteria: list[str]
    criteria_units: dict[str, str]
    criteria_labels: dict[str, str] = Field(default_factory=dict)
    value_functions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    weights: dict[str, float]
    weighting: dict[str, Any] | None = None
    aggregation: dict[str, Any]
    stability: list[StabilityRecord] = Field(default_factory=list)
    monte_carlo: dict[str, Any] | None = None
    scheme: dict[str, Any] | None = None
    regions: RegionsRecord | None = None
    constraints: list[str] = Field(default_factory=list)
    land: dict[str, Any] | None = None
    criteria_notes: dict[str, str] = Field(default_factory=dict)
    rates: dict[str, dict[str, Any]] = Field(default_factory=dict)
    allocation: dict[str, dict[str, Any]] = Field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Each output written: file and sha256."
    )
    top_n: int = 10
    elevation_tint: bool = True
    max_vector_sites: int = 50_000
    language: str = "en"
    sites: SiteCounts
    road_graph: dict[str, Any] | None = None
    timings_s: dict[str, float] = Field(default_factory=dict)
    versions: dict[str, str] = Field(default_factory=dict)
    attribution: list[str] = Field(default_factory=list)

    def to_json(self) -> str:
        """The manifest as JSON text: sorted keys, two-space indent, a final newline."""
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path) -> Manifest:
    """Read ``manifest.json`` through the model.

    Raises
    ------
    OutputError
        If the file is missing, is not JSON, or does not match the model (naming the keys).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(f"{path}: not found; give the --out folder of a `sitesel run`") from None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: cannot be read as JSON ({exc})") from None
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {expected(dict(err))}"
            for err in exc.errors(include_url=False)
        )
        raise OutputError(
            f"{path}: not a sitesel {MANIFEST_VERSION} manifest ({problems}); rerun"
            " `sitesel run` to write a complete run folder"
        ) from None
    try:
        pyproj.CRS.from_user_input(manifest.working_crs)
    except pyproj.exceptions.CRSError:
        raise OutputError(
            f"{path}: working_crs: {manifest.working_crs!r} is not a CRS PROJ knows (was the"
            " file edited?); rerun `sitesel run` to write a complete run folder"
        ) from None
    return manifest
