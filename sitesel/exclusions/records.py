"""One model of what excludes and flags land: a table of records, one per site and rule.

Every source of an exclusion or a flag (the study area, a missing value, a threshold
``exclude_if``, a setback ``exclude_within``, a rule of a pack, a planner's land layer,
the scheme's land rule) gives :class:`Hits`: the sites it touches, with the feature that
decided (a park's name, a road's) and the measure (a distance, a share of the site, a raw
value). A :class:`Source` says what the rule is, what it does and how its records read
(its reason template and citation). Text is written from these records only at the output
edge (:mod:`sitesel.exclusions.text`); nothing reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel._typing import BoolArray, FloatArray, IntArray
from sitesel.config.land import Template, parse_template

Action = Literal["exclude", "flag", "ineligible"]
"""``exclude``: the site does not rank; ``flag``: it ranks, with a mark a committee must
clear; ``ineligible``: it ranks but fails the scheme's land rule."""

Kind = Literal[
    "study_area", "missing_value", "threshold", "setback", "land_rule", "land_layer", "scheme"
]

MEASURES = ("distance_m", "share", "value", "area_acres")
"""What a record may measure: the distance to the feature, the share of the site in the
zone, the raw value a threshold judged, the land a scheme counted."""


def literal(text: str) -> str:
    """A fixed text as a template: its braces doubled, so it names no field.

    >>> literal("slope {deg} > 15")
    'slope {{deg}} > 15'
    """
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class Source:
    """One rule of a run: what it is, and how its records read.

    Attributes
    ----------
    id
        Its name in the run: ``constraints[2]``, ``national_parks``, ``land.exclude[0]``,
        ``missing:time_to_leh_min``, ``study_area``, ``scheme``.
    kind
        The family of sources it belongs to.
    template
        What a record says, with ``{name}`` (the feature), ``{distance_m}``,
        ``{distance_km}``, ``{share_pct}`` or ``{area_acres}`` in braces.
    citation
        The instrument it comes from, put after the text in brackets ("" for none).
    """

    id: str
    kind: Kind
    template: str
    citation: str = ""

    @property
    def parsed(self) -> Template:
        """The template's literal parts and fields."""
        return parse_template(self.template)


@dataclass(frozen=True)
class Hits:
    """The records of one source and action: which sites, which feature, what measure.

    ``measures`` holds one array per measure the records carry (``distance_m``, ``share``,
    ``value``, ``area_acres``); ``partial`` marks flags a zone gave for a share of the site
    below its limit (they read "12 % " before the rule's text).
    """

    source: Source
    action: Action
    site: IntArray
    feature: npt.NDArray[np.object_]
    measures: dict[str, FloatArray] = field(default_factory=dict)
    partial: bool = False

    def __len__(self) -> int:
        return len(self.site)

    @classmethod
    def where(
        cls,
        source: Source,
        action: Action,
        hit: BoolArray,
        *,
        feature: Sequence[str] | npt.NDArray[np.object_] | None = None,
        measures: dict[str, FloatArray] | None = None,
        partial: bool = False,
    ) -> Hits:
        """The records of the sites where ``hit`` holds (features and measures per site).

        >>> s = Source("constraints[0]", "threshold", "too steep")
        >>> h = Hits.where(s, "exclude", np.array([False, True, True]),
        ...                measures={"value": np.array([2.0, 20.0, 31.0])})
        >>> h.site.tolist(), h.measures["value"].tolist()
        ([1, 2], [20.0, 31.0])
        """
        rows = np.flatnonzero(hit)
        names = np.full(len(hit), "", dtype=object) if feature is None else feature
        return cls(
            source=source,
            action=action,
            site=rows.astype(np.int64),
            feature=np.asarray(names, dtype=object)[rows],
            measures={
                k: np.asarray(v, dtype=np.float64)[rows] for k, v in (measures or {}).items()
            },
            partial=partial,
        )


@dataclass(frozen=True)
class Records:
    """Every record of a run, in the order their texts are joined (sources, then sites).

    The order is the reading order of a site's reasons: the study area, missing values,
    thresholds, then setbacks, rule packs and land layers as configured.
    """

    hits: tuple[Hits, ...] = ()

    def __add__(self, other: Records) -> Records:
        return Records(self.hits + other.hits)

    def of(self, action: Action) -> list[Hits]:
        """The hits of one action, in order."""
        return [h for h in self.hits if h.action == action and len(h)]

    def mask(self, n_sites: int, action: Action = "exclude") -> BoolArray:
        """Which sites carry at least one record of ``action``.

        >>> s = Source("study_area", "study_area", "outside the study area")
        >>> Records((Hits.where(s, "exclude", np.array([True, False])),)).mask(2).tolist()
        [True, False]
        """
        out = np.zeros(n_sites, dtype=bool)
        for hits in self.of(action):
            out[hits.site] = True
        return out

    def sources(self) -> list[Source]:
        """Each source once, in order."""
        return list({h.source.id: h.source for h in self.hits}.values())

    def subset(self, keep: BoolArray) -> Records:
        """The records of the sites ``keep`` selects, renumbered to their positions."""
        position = np.cumsum(keep) - 1
        out = []
        for h in self.hits:
            mine = keep[h.site]
            out.append(
                Hits(h.source, h.action, position[h.site[mine]], h.feature[mine],
                     {k: v[mine] for k, v in h.measures.items()}, h.partial)
            )  # fmt: skip
        return Records(tuple(out))


def concat(parts: Iterable[Records]) -> Records:
    """Several runs of records, one after the other."""
    return Records(tuple(h for part in parts for h in part.hits))


def as_table(records: Records, site_ids: Sequence[str]) -> pd.DataFrame:
    """The records as one table: a row per record (the run's ``exclusions`` output).

    Columns: ``site_id``, ``rule``, ``kind``, ``action``, ``feature``, one column per
    measure, ``partial`` (a share below the rule's limit), ``template`` and ``citation``.
    """
    ids = np.asarray(site_ids, dtype=object)
    frames = []
    for h in records.hits:
        if not len(h):
            continue
        frame = pd.DataFrame(
            {"site_id": ids[h.site], "rule": h.source.id, "kind": h.source.kind,
             "action": h.action, "feature": h.feature}
        )  # fmt: skip
        for measure in MEASURES:
            frame[measure] = h.measures.get(measure, np.full(len(h), np.nan))
        frame["partial"] = h.partial
        frame["template"] = h.source.template
        frame["citation"] = h.source.citation
        frames.append(frame)
    columns = ["site_id", "rule", "kind", "action", "feature", *MEASURES, "partial", "template",
               "citation"]  # fmt: skip
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def from_table(table: pd.DataFrame, site_ids: Sequence[str]) -> Records:
    """Records read back from :func:`as_table`'s table (a run folder's ``exclusions``)."""
    position = {str(s): k for k, s in enumerate(site_ids)}
    hits = []
    keys = ["rule", "action", "partial"]
    for (_, action, partial), rows in table.groupby(keys, sort=False):
        first = rows.iloc[0]
        citation = first["citation"] if isinstance(first["citation"], str) else ""
        source = Source(str(first["rule"]), first["kind"], str(first["template"]), citation)
        measures = {m: rows[m].to_numpy(dtype=float) for m in MEASURES if rows[m].notna().any()}
        hits.append(
            Hits(source, action, rows["site_id"].astype(str).map(position).to_numpy(np.int64),
                 rows["feature"].fillna("").astype(str).to_numpy(dtype=object), measures,
                 bool(partial))
        )  # fmt: skip
    return Records(tuple(hits))
