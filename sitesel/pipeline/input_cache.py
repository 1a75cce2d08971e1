"""Inputs kept between the runs of one session (``sitesel watch``), while they still apply.

A planner tuning weights and thresholds reruns a study many times with the same study
area, sites, DEM and roads. Loading those is a third of a Leh run (study area, DEM tiles,
the repaired road graph, land taken by ``exclude_within``); a session keeps the last of
each and reuses it while the config sections and catalog it came from are unchanged.
Files are not re-read: a session assumes the data folder does not change under it.
The files' sha256 recorded when they were read are put back in the new run's manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sitesel.config import Config
from sitesel.data.loader import LayerLoader

T = TypeVar("T")

INPUT_SECTIONS = {"study_area", "sites", "dem", "network", "working_crs"}
"""The config sections the input stages read (everything else can change freely)."""


def inputs_key(config: Config, config_path: Path, loader: LayerLoader) -> str:
    """What the loaded inputs depend on: their config sections, the catalog and the data."""
    return json.dumps(
        [
            config.model_dump(mode="json", include=INPUT_SECTIONS),
            str(config_path.resolve()),
            loader.catalog.model_dump(mode="json"),
            str(loader.data_dir),
            loader.offline,
        ],
        sort_keys=True,
        default=str,
    )


@dataclass
class InputCache:
    """The last value of each kind of input, with the key it was loaded under."""

    entries: dict[str, tuple[str, Any, dict[str, str]]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def get(self, kind: str, key: str, load: Callable[[], T], loader: LayerLoader) -> T:
        """The cached ``kind`` if loaded under ``key``, else ``load()`` (and keep it).

        The sha256 of the files read while loading are recorded with the value and given
        back to ``loader`` on a hit, so the manifest lists the same inputs.
        """
        held = self.entries.get(kind)
        if held is not None and held[0] == key:
            loader.file_sha256.update(held[2])
            self.hits.append(kind)
            return held[1]  # type: ignore[no-any-return]
        before = dict(loader.file_sha256)
        value = load()
        read = {k: v for k, v in loader.file_sha256.items() if before.get(k) != v}
        self.entries[kind] = (key, value, read)
        return value
