"""The output edge of the records: what each says, a site's reasons and flags, their counts.

A record reads as its source's template filled with the feature and the measure, then the
citation in brackets ("inside Hemis National Park (Wildlife (Protection) Act 1972, s.
35)"); a flag a zone gave for part of a site reads with that share first ("12 % within 40
m of NH 1 ..."). A site's texts are joined by "; " in the records' order. The CSV, the
GeoPackage, the map, the dossier and the CLI all write from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel.config.land import fill, parse_template
from sitesel.exclusions.records import Action, Hits, Records, Source
from sitesel.language.records import localised_template

SEPARATOR = "; "
"""Between the reasons (or the flags) of one site."""

_MEASURE_FIELDS = ("distance_m", "distance_km", "share_pct")
_UNIT_WORDS = re.compile(r" ?(km|m|%) (from (the )?)?")
"""After a leading measure, the words that belong to it ("6.5 km from the "): a flag's
measure, told apart from the kind of flag for the map's cards and the summary's counts."""


FIELDS: dict[str, tuple[str, Callable[[float], float]]] = {
    "distance_m": ("distance_m", lambda v: v),
    "distance_km": ("distance_m", lambda v: v / 1000.0),
    "share_pct": ("share", lambda v: 100.0 * v),
    "area_acres": ("area_acres", lambda v: v),
}
"""Each numeric template field: the measure it is written from, and how (0 without it)."""


def _values(hits: Hits, k: int) -> dict[str, object]:
    values: dict[str, object] = {"name": hits.feature[k]}
    for field, (measure, convert) in FIELDS.items():
        value = float(hits.measures[measure][k]) if measure in hits.measures else 0.0
        values[field] = convert(value)
    return values


def _cited(text: str, citation: str) -> str:
    return f"{text} ({citation})" if citation else text


def texts(hits: Hits, lang: str = "en") -> npt.NDArray[np.object_]:
    """What each record of ``hits`` says (in ``lang``, where the catalog has its template).

    >>> from sitesel.exclusions.records import Source
    >>> s = Source("esz_band", "land_rule", "{distance_km} km from {name}: band", "EIA 2006")
    >>> h = Hits(s, "flag", np.array([0]), np.array(["Hemis"], dtype=object),
    ...          {"distance_m": np.array([6540.0])})
    >>> texts(h).tolist()
    ['6.5 km from Hemis: band (EIA 2006)']
    """
    prefixes, kinds = split(hits, lang)
    return np.array([p + k for p, k in zip(prefixes, kinds, strict=True)], dtype=object)


def split(hits: Hits, lang: str = "en") -> tuple[list[str], list[str]]:
    """Each record as its measure ("6.5 km from ", "12 % ") and its kind (the rest).

    The kind is what records of one rule and feature share whatever the distance: the map's
    card sends it once, the summary counts by it. A record has a measure when its template
    starts with one (a distance, a share) or when it flags a share of the site.
    """
    if len(hits) > 1:  # each distinct record written once
        head, ids, _ = _distinct(hits, np.ones(len(hits), dtype=bool))
        if len(head) < len(hits):
            head_prefixes, head_kinds = split(head, lang)
            return [head_prefixes[i] for i in ids], [head_kinds[i] for i in ids]
    template = (
        hits.source.parsed
        if lang == "en"
        else parse_template(localised_template(hits.source.template, lang))
    )
    leading = template[0][1] if template and template[0][0] == "" else None
    prefixes, kinds = [], []
    for k in range(len(hits)):
        values = _values(hits, k)
        text = _cited(fill(template, values), hits.source.citation)
        prefix = ""
        if hits.partial:
            prefix = f"{values['share_pct']:.0f} % "
        elif leading in _MEASURE_FIELDS:
            after = _UNIT_WORDS.match(template[1][0] if len(template) > 1 else "")
            if after:
                prefix = fill((("", leading),), values) + after.group(0)
        kind = text if hits.partial else text[len(prefix) :]
        prefixes.append(prefix)
        kinds.append(kind)
    return prefixes, kinds


def joined(
    records: Records, action: Action, n_sites: int, lang: str = "en"
) -> npt.NDArray[np.object_]:
    """Each site's texts of one action joined by "; " in the records' order ("" for none).

    Sources whose records all read alike (a threshold, a missing value) are joined once per
    combination of them: a district's 383k sites share a handful of combinations.
    """
    out = np.full(n_sites, "", dtype=object)
    hits = records.of(action)
    constant = 0
    while constant < len(hits) and _reads_alike(hits[constant]):
        constant += 1
    if constant and n_sites:
        marks = np.zeros((n_sites, constant), dtype=bool)
        for j, h in enumerate(hits[:constant]):
            marks[h.site, j] = True
        out = _combined(marks, [str(texts(h, lang)[0]) for h in _heads(hits[:constant])])
    for h in hits[constant:]:
        for site, text in zip(h.site, texts(h, lang), strict=True):
            out[site] = f"{out[site]}{SEPARATOR}{text}" if out[site] else text
    return out


def _reads_alike(hits: Hits) -> bool:
    """Whether every record of ``hits`` says the same (a template without fields)."""
    parsed = hits.source.parsed
    return not hits.partial and all(name is None for _, name in parsed)


def _heads(hits: list[Hits]) -> list[Hits]:
    return [
        Hits(h.source, h.action, h.site[:1], h.feature[:1],
             {k: v[:1] for k, v in h.measures.items()}, h.partial)
        for h in hits
    ]  # fmt: skip


def _combined(marks: npt.NDArray[np.bool_], words: list[str]) -> npt.NDArray[np.object_]:
    """Per row of ``marks``, the words of its true columns joined by "; "."""
    packed = np.ascontiguousarray(np.packbits(marks, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    combos = [SEPARATOR.join(w for w, m in zip(words, marks[i], strict=True) if m) for i in first]
    return np.array(combos, dtype=object)[inverse.reshape(-1)]


def counts(
    records: Records,
    action: Action,
    keep: npt.NDArray[np.bool_] | None = None,
    lang: str = "en",
) -> pd.Series:
    """How many sites each text (a flag: its kind) is on, most first, ties by text.

    ``keep`` limits the count to some sites (a flag on an excluded site is not counted
    among the ranked sites' flags).
    """
    found: dict[str, int] = {}
    for h in records.of(action):
        rows = np.ones(len(h), dtype=bool) if keep is None else keep[h.site]
        if not rows.any():
            continue
        distinct, _, n = _distinct(h, rows)
        words = split(distinct, lang)[1] if action == "flag" else texts(distinct, lang)
        for text, count in zip(words, n.tolist(), strict=True):
            found[str(text)] = found.get(str(text), 0) + count
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return pd.Series(dict(ordered), dtype="int64")


def _distinct(
    hits: Hits, rows: npt.NDArray[np.bool_]
) -> tuple[Hits, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """One record of each distinct text among ``rows``, each row's, and how many each.

    A record's text depends only on its feature and the measures its template writes (a
    partial flag's share too): a district's millions of records read as a few thousand
    texts, each written once.
    """
    sel = np.flatnonzero(rows)
    fields = {name for _, name in hits.source.parsed if name is not None}
    used = {FIELDS[f][0] for f in fields if f in FIELDS}
    used |= {"share"} if hits.partial else set()
    columns = {"feature": hits.feature[sel]} | {
        k: v[sel] for k, v in hits.measures.items() if k in used
    }
    group = pd.DataFrame(columns).groupby(list(columns), sort=False, dropna=False).ngroup()
    ids = group.to_numpy()
    first = sel[np.unique(ids, return_index=True)[1]]
    head = Hits(hits.source, hits.action, hits.site[first], hits.feature[first],
                {k: v[first] for k, v in hits.measures.items()}, hits.partial)  # fmt: skip
    return head, ids, np.bincount(ids)


def per_site(
    records: Records, action: Action, n_sites: int, lang: str = "en"
) -> list[list[tuple[str, str]]]:
    """Each site's records of one action as (measure, kind) pairs, in order."""
    out: list[list[tuple[str, str]]] = [[] for _ in range(n_sites)]
    for h in records.of(action):
        for site, prefix, kind in zip(h.site, *split(h, lang), strict=True):
            out[site].append((prefix, kind))
    return out


def zone_labels(source: Source, names: list[str], *, distance_m: float = 0.0) -> list[str]:
    """What each zone of a rule is, for the map's layer and the GeoPackage.

    The rule's text for its feature, at the rule's distance.

    >>> zone_labels(Source("r", "land_rule", "within {distance_m} m of {name}", "IRC"),
    ...             ["NH 1"], distance_m=40)
    ['within 40 m of NH 1 (IRC)']
    """
    zones = Hits(source, "exclude", np.arange(len(names)), np.asarray(names, dtype=object),
                 {"distance_m": np.full(len(names), distance_m)})  # fmt: skip
    return [str(t) for t in texts(zones)]
