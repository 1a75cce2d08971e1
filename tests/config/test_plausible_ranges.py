"""Every plausible range the schema declares, tested at both limits and just outside.

The ranges are found from the config models themselves (issue 31, item 2): a range
declared tomorrow is tested the day it is declared, or this test fails saying that some
config must show the key. Each limit must be accepted and each value just beyond refused
with a message naming the key, so a "<" written for "<=" (a valid grid refused at its
limit) or a bound dropped are caught.
"""

from __future__ import annotations

import copy
import re
import tempfile
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from sitesel.api import load_config
from sitesel.config.plausible import PLAUSIBLE, PLAUSIBLE_BY, Declared, declared_ranges
from sitesel.errors import ConfigError
from sitesel.pipeline.registries import study_config_model

from ..cases import with_repo_paths
from ..conftest import ROOT


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def declared_fields(root: type[BaseModel]) -> set[tuple[type[BaseModel], str]]:
    """(model, field) of every range declared anywhere under ``root``, by the classes."""
    found: set[tuple[type[BaseModel], str]] = set()
    todo, seen = [root], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, Mapping) and (PLAUSIBLE in extra or PLAUSIBLE_BY in extra):
                found.add((model, name))
            todo.extend(_models_in(field.annotation))
    return found


def _config(stem: str) -> dict:
    path = ROOT / "configs" / f"{stem}.yaml"
    data = with_repo_paths(yaml.safe_load(path.read_text()))
    data["catalog"] = str((path.parent / data["catalog"]).resolve())
    return data


def _extras() -> dict:
    """A config showing the keys no shipped config sets (every gravity decay, ...)."""
    data = _config("bihar_kesaria_cfc")
    decays = {"step": "cutoff_min", "exponential": "half_life_min", "gaussian": "sigma_min"}
    for function, key in decays.items():
        data["criteria"][f"g_{function}"] = {
            "kind": "gravity",
            "to": {"layer": "habitations"},
            "decay": {"function": function, key: 30},
        }
    mclp = data["allocation"]["cfc_mclp"]
    mclp["cutoff_min"] = 60
    mclp["demand"]["within_area_km"] = 2
    data["regions"] = {"min_suitability": 0.8, "gap_m": 100}
    data["dem"] = {"layer": "dem_dted0_india", "resolution_m": 500}
    data["sites"] = {"grid": {"cell_area_ha": 4}}
    return data


def _bases() -> list[tuple[str, dict]]:
    configs = [(p.stem, _config(p.stem)) for p in sorted((ROOT / "configs").glob("*.yaml"))]
    leh = dict(configs)["leh"]
    leh["land"]["distances_m"] = {"nh_building_line": 20}
    leh["criteria"]["infra_cost_cr"]["rate_overrides"] = {
        "access_road_per_km.hilly": {"value": 12_000_000, "unit": "INR/km"},
        "earthwork_per_m3": {"value": 350, "unit": "INR/m3"},
    }
    return [*configs, ("extras", _extras())]


def _validated(folder: Path, data: dict, name: str = "c") -> BaseModel:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return load_config(path).config


def _is_mapping(found: Declared) -> bool:
    """Whether the field is a mapping of numbers (its entries are the keys to test)."""
    annotation = found.owner.model_fields[found.field].annotation
    return any(typing.get_origin(a) is dict for a in [annotation, *typing.get_args(annotation)])


def _cases() -> list[tuple[str, dict, Declared]]:
    """One occurrence of every declared (model, field): in the first base config that sets
    it, else the first that shows it unset."""
    chosen: dict[tuple[type[BaseModel], str], tuple[str, dict, Declared]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in _bases():
            for found in declared_ranges(_validated(Path(tmp), data, name)):
                if found.value is None and _is_mapping(found):
                    continue  # the mapping itself: its entries come next
                pair = (found.owner, found.field)
                unset = pair in chosen and chosen[pair][2].value is None
                if pair not in chosen or (unset and found.value is not None):
                    chosen[pair] = (name, data, found)
    return sorted(chosen.values(), key=lambda c: c[2].key)


CASES = _cases()


def test_every_declared_range_is_shown_by_some_config():
    covered = {(c[2].owner, c[2].field) for c in CASES}
    declared = declared_fields(study_config_model())
    missing = sorted(f"{m.__name__}.{f}" for m, f in declared - covered)
    assert not missing, f"no config in configs/ nor _extras() shows {missing}: add one"
    assert len(declared) >= 24  # as many as were declared when this test was written


_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _set(data: dict, key: str, value: float) -> None:
    """Set a key path (``constraints[3].exclude_within.to``) in a config's data.

    A mapping's own keys may hold dots (``access_road_per_km.hilly``): the longest run of
    parts the mapping has is taken as one key.
    """
    parts: list[int | str] = [int(i) if i else name for i, name in _TOKEN.findall(key)]
    node: typing.Any = data
    i = 0
    while i < len(parts) - 1:
        part = parts[i]
        if isinstance(node, dict) and part not in node:
            for j in range(len(parts) - 1, i, -1):
                joined = ".".join(map(str, parts[i : j + 1]))
                if joined in node:
                    part, i = joined, j
                    break
            else:
                node[part] = {}
        node = node[part]
        i += 1
    node[parts[-1]] = value


def _beyond(bound: float, direction: int) -> float:
    return bound + direction * max(abs(bound) * 1e-6, 1e-6)


@pytest.mark.parametrize(("base", "data", "found"), CASES, ids=[c[2].key for c in CASES])
def test_a_range_at_its_limits_and_just_beyond(tmp_path, base, data, found):
    for limit in (found.low, found.high):
        edited = copy.deepcopy(data)
        _set(edited, found.key, limit)
        try:
            _validated(tmp_path, edited)
        except ConfigError as exc:
            pytest.fail(f"{base}: {found.key} = {limit:g}, a limit of its range, refused: {exc}")
    for beyond in (_beyond(found.low, -1), _beyond(found.high, +1)):
        edited = copy.deepcopy(data)
        _set(edited, found.key, beyond)
        with pytest.raises(ConfigError) as caught:
            _validated(tmp_path, edited)
        assert f"{found.key}: " in str(caught.value), (base, beyond, str(caught.value))


RATES = ROOT / "rates" / "india_indicative.yaml"


@pytest.mark.parametrize(
    "key", ["access_road_per_km.plain", "road_upgrade_per_km.RR(VR)", "earthwork_per_m3"]
)
def test_a_rate_in_its_file_at_its_limits_and_just_beyond(tmp_path, key):
    from sitesel.config.rates import RATE_RANGES, load_rates, unit_of_key

    low, high = RATE_RANGES[unit_of_key(key)]
    field, _, entry = key.partition(".")

    def with_value(value: float) -> Path:
        rates = yaml.safe_load(RATES.read_text())
        (rates[field][entry] if entry else rates[field])["value"] = value
        path = tmp_path / "rates.yaml"
        path.write_text(yaml.safe_dump(rates))
        return path

    for limit in (low, high):
        load_rates(with_value(limit), overrides={}, key="k")
    for beyond in (_beyond(low, -1), _beyond(high, +1)):
        with pytest.raises(ConfigError, match=re.escape(f"{key}.value: ")):
            load_rates(with_value(beyond), overrides={}, key="k")
