"""The stages of a run, in order, with what each needs and gives, and why it runs there.

:func:`sitesel.pipeline.run` times each stage by name (:class:`~sitesel.pipeline.timing.
Timings`), and the timer refuses a stage that is not declared here or comes out of this
order, so the list below is the run's order, not a description of it. ``config``,
``catalog`` and ``data`` are what a run starts from.
"""

from __future__ import annotations

from dataclasses import dataclass

START = ("config", "catalog", "data")
"""What every run starts from: the validated config, its layer catalog, the data folder."""


@dataclass(frozen=True)
class Stage:
    """One stage: its name (as timed in the manifest), its inputs, outputs and reason."""

    name: str
    needs: tuple[str, ...]
    gives: tuple[str, ...]
    why: str


STAGES = (
    Stage("check", ("config", "catalog"), ("weights", "land_rules"),
          "a bad config, catalog reference, AHP matrix or rule pack is refused before any"
          " download or computation; the packs are read and hashed once, here"),
    Stage("fetch", ("config", "catalog", "data", "land_rules"), ("layer_files",),
          "every layer the config and its land rules name is downloaded and checked against"
          " its checksum before any is read, so a missing file stops the run at once"),
    Stage("study_area", ("config", "layer_files"), ("study_area",),
          "the study area fixes the working CRS and clips everything read after it"),
    Stage("dem", ("config", "layer_files", "study_area"), ("dem",),
          "read over the study area only; the sites (a DEM-square grid, each site's DEM in"
          " a stack) and the road grades need it"),
    Stage("sites", ("config", "layer_files", "study_area", "dem"), ("sites", "places"),
          "the candidate sites (parcels or a grid over the study area), named after the"
          " nearest place"),
    Stage("road_graph", ("config", "layer_files", "study_area", "dem"), ("network",),
          "the routable graph; its grades and closures above a height need the DEM"),
    Stage("taken_land", ("config", "layer_files", "sites", "land_rules"), ("land_records",),
          "setbacks, rule packs and land layers first: a site they exclude is not measured by"
          " the costly criteria"),
    Stage("criteria", ("config", "sites", "network", "dem", "land_records"),
          ("raw_values", "targets"),
          "every criterion's raw values through the registry, on the sites still in play"),
    Stage("scoring", ("raw_values", "weights", "land_records"),
          ("suitability", "rank", "aggregator", "exclusion_records"),
          "value functions, exclusions by value and the aggregation method give the ranking"),
    Stage("robustness", ("aggregator", "weights", "suitability"),
          ("weight_draws", "stability"),
          "the candidates rescored under weight changes and draws (excluded sites never"
          " compete)"),
    Stage("regions", ("suitability", "sites", "network"), ("regions", "scheme_records"),
          "contiguous good land and the scheme's area rule, parcels joined across roads"),
    Stage("allocation", ("suitability", "network", "weight_draws"), ("chosen_sites",),
          "after robustness: how often each chosen site stays chosen is counted over the"
          " same weight draws"),
    Stage("routes", ("rank", "chosen_sites", "network", "targets"), ("routes",),
          "after allocation: the shortlist is the best-ranked sites and those a location"
          " problem chose, and the dossier shows the route of each"),
    Stage("terrain_profile", ("rank", "chosen_sites", "dem"), ("terrain",),
          "after allocation, for the same shortlist: slope classes on the finest DEM"),
)  # fmt: skip
"""Every stage of a run, in the order it runs."""

ORDER = {stage.name: k for k, stage in enumerate(STAGES)}
"""A stage's position in :data:`STAGES`."""


def undeclared_needs() -> list[str]:
    """Inputs a stage needs that neither the start nor an earlier stage gives (none)."""
    given = set(START)
    missing = []
    for stage in STAGES:
        missing += [f"{stage.name} needs {n}" for n in stage.needs if n not in given]
        given |= set(stage.gives)
    return missing
