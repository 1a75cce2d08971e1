"""``sitesel init``: a new study anywhere in India, written as a config and a layer catalog.

The place is found by name (:mod:`.place`), its layers chosen from the public ones sitesel
knows (:mod:`.layers`), and a commented config written for the programme
(:mod:`.programmes`). Nothing is downloaded here: the first run fetches what is missing,
and ``sitesel validate`` lists it beforehand.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from sitesel.errors import ConfigError
from sitesel.new_study.layers import downloads, plan_layers
from sitesel.new_study.place import Area, parse_area, resolve_place
from sitesel.new_study.programmes import PROGRAMMES, NewStudy, config_text

__all__ = ["Written", "init_study"]

NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
SOURCE_ROOT = Path(__file__).resolve().parents[2]
"""The sitesel checkout, whose rules/ and schemes/ a new study's config names."""
SUPPORT_FILES = ("rules/protected_areas.yaml", "rules/aerodromes.yaml", "rules/water.yaml",
                 "schemes/emc2.yaml")  # fmt: skip
"""Files a new study's config refers to, copied beside it when its folder lacks them."""
DEFAULT_RADIUS_KM = {"emc2": 25.0, "cfc": 15.0}


@dataclass(frozen=True)
class Written:
    """What ``sitesel init`` wrote and chose."""

    config: Path
    catalog: Path
    study: NewStudy
    downloads: list[str]


def init_study(
    name: str,
    place_query: str,
    *,
    root: Path,
    data_dir: Path,
    programme: str = "emc2",
    radius_km: float | None = None,
    district: str | None = None,
    bbox: str | None = None,
    offline: bool = False,
    force: bool = False,
    nominatim_url: str | None = None,
) -> Written:
    """Write ``configs/NAME.yaml`` and ``layers/NAME.yaml`` under ``root`` for a place.

    Raises
    ------
    ConfigError
        For a bad name, programme, area or place, or files that exist (without ``force``).
    """
    if not NAME.fullmatch(name):
        raise ConfigError(
            f"init: NAME {name!r}: expected lower-case letters, digits and _, starting with a"
            " letter (it names the files and the run's outputs)"
        )
    if programme not in PROGRAMMES:
        raise ConfigError(
            f"init: --programme: expected one of {', '.join(PROGRAMMES)}, found {programme!r}"
        )
    area = parse_area(radius_km, district, bbox, DEFAULT_RADIUS_KM[programme])
    config_path, catalog_path = root / "configs" / f"{name}.yaml", root / "layers" / f"{name}.yaml"
    existing = [str(p) for p in (config_path, catalog_path) if p.exists()]
    if existing and not force:
        raise ConfigError(f"init: {' and '.join(existing)} exist; give --force to replace them")
    place = resolve_place(
        district or place_query, data_dir, offline=offline, nominatim_url=nominatim_url
    )
    bounds = area.bounds_around(place)
    plan = plan_layers(place, bounds)
    study = NewStudy(name, place, area, programme, plan)
    _write(catalog_path, _catalog_text(study))
    _write(catalog_path.parent / "dem_dted0_india.sha256", _checksums(), keep=True)
    for relative in SUPPORT_FILES:  # the packs and scheme the config names, beside it
        source = SOURCE_ROOT / relative
        if source.is_file():
            _write(root / relative, source.read_text(encoding="utf-8"), keep=True)
    _write(config_path, config_text(study))
    return Written(config_path, catalog_path, study, downloads(plan, data_dir, bounds))


def _catalog_text(study: NewStudy) -> str:
    place = study.place
    header = (
        f"# Layer catalog of {study.name}: {place.name}, {place.state}; by `sitesel init`.\n"
        "# Paths are relative to the data directory (--data-dir or $SITESEL_DATA_DIR); a file\n"
        "# missing there is downloaded from its url by the first run and checked against its\n"
        "# sha256, or, where the source publishes none, locked on first download in\n"
        f"# {study.name}.lock beside this file.\n#\n"
        + "".join(f"# {note}\n" for note in study.plan.notes)
    )
    about = f"Public layers for {place.name}, {place.state}"
    body = yaml.safe_dump(
        {"description": about, "layers": study.plan.layers},
        sort_keys=False, allow_unicode=True, width=100,
    )  # fmt: skip
    return header + body


def _checksums() -> str:
    return resources.files("sitesel.new_study").joinpath("dem_dted0_india.sha256").read_text()


def _write(path: Path, text: str, *, keep: bool = False) -> None:
    """Write a file in one step (a temporary file renamed over it); ``keep`` an existing one."""
    if keep and path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def describe(written: Written) -> list[str]:
    """What ``sitesel init`` prints: what it chose, wrote and what the first run fetches."""
    study = written.study
    lines = [
        f"place: {study.place.describe()}",
        *(f"  {note}" for note in study.plan.notes),
        f"wrote {written.config} and {written.catalog}",
    ]
    if written.downloads:
        lines.append("the first run will download:")
        lines += [f"  {d}" for d in written.downloads]
    else:
        lines.append("every file is in the data folder: the first run downloads nothing")
    lines.append(f"next: sitesel validate {written.config}, then sitesel run {written.config}")
    return lines


__all__ += ["Area", "describe"]
