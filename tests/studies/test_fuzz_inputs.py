"""Random YAML configs and catalog entries: `sitesel validate` exits 0 or 2, never 1."""

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..cases import catalog_dict, leh_dict, sitesel
from ..conftest import ROOT

KEYS = [
    "name", "catalog", "study_area", "sites", "grid", "layer", "where", "criteria", "kind",
    "value", "weight", "type", "low", "high", "to", "path", "url", "files", "sha256", "x",
]  # fmt: skip
E_MAILED = [  # what a pack or rates file sent by e-mail may hold
    "{distance_m:,d}", "{name:>1000000000}", "{name.__class__}", "{0}", "{}", "{name!s:>5}",
    "{{name}}", "12,345", "1,23,456", "64.2 lakh", "INR/m3", "National Highway", "26°18'36\"N",
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["../..", "/etc/passwd", "file:///etc/passwd", "1/0", "EPSG:4326", "1e999"])
    | st.sampled_from(E_MAILED)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(node, prefix=()):
    """Every key path of a nested mapping (to replace one value at random)."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))


def _replace(data, path, new):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new


def _validate(tmp_path, config, catalog=None):
    if catalog is not None:
        (tmp_path / "catalog.yaml").write_text(json.dumps(catalog, default=str))
        config["catalog"] = str(tmp_path / "catalog.yaml")
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    result = sitesel("validate", path)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1


CONFIG_PATHS = list(_paths(leh_dict()))
CATALOG_PATHS = [p for p in _paths(catalog_dict()) if p[0] == "layers"]
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(doc=values)
def test_any_yaml_document_as_a_config(tmp_path, doc):
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    result = sitesel("validate", path)
    assert result.exit_code == 2, result.output


@FAST
@given(where=st.sampled_from(CONFIG_PATHS), new=values)
def test_one_config_value_replaced_at_random(tmp_path, where, new):
    config = leh_dict()
    _replace(config, where, new)
    _validate(tmp_path, config)


@FAST
@given(where=st.sampled_from(CATALOG_PATHS), new=values)
def test_one_catalog_value_replaced_at_random(tmp_path, where, new):
    catalog = catalog_dict()
    _replace(catalog, where, new)
    _validate(tmp_path, leh_dict(), catalog)


PACK = ROOT / "rules" / "protected_areas.yaml"
RATES = ROOT / "rates" / "india_indicative.yaml"
PACK_PATHS = list(_paths(yaml.safe_load(PACK.read_text())))
RATES_PATHS = list(_paths(yaml.safe_load(RATES.read_text())))


@FAST
@given(where=st.sampled_from(PACK_PATHS), new=values)
def test_one_rule_pack_value_replaced_at_random(tmp_path, where, new):
    pack = yaml.safe_load(PACK.read_text())
    _replace(pack, where, new)
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True))
    config = leh_dict()
    config["land"]["rule_packs"][0] = str(tmp_path / "pack.yaml")
    _validate(tmp_path, config)


@FAST
@given(where=st.sampled_from(RATES_PATHS), new=values)
def test_one_rates_value_replaced_at_random(tmp_path, where, new):
    rates = yaml.safe_load(RATES.read_text())
    _replace(rates, where, new)
    (tmp_path / "rates.yaml").write_text(yaml.safe_dump(rates, allow_unicode=True))
    config = leh_dict()
    config["criteria"]["infra_cost_cr"]["rates"] = str(tmp_path / "rates.yaml")
    _validate(tmp_path, config)
