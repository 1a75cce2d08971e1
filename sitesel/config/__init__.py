"""Scoring configs, layer catalogs and scheme files: pydantic models read once, at the edge.

Nothing here computes: the models validate YAML and hand plain, typed values on.
"""

from sitesel.config._base import Selection, Strict
from sitesel.config._yaml import describe_validation_error, read_yaml_mapping
from sitesel.config.catalog import Catalog, LayerSpec, check_references, load_catalog
from sitesel.config.criteria import CriterionSpec, NetworkCriterionSpec
from sitesel.config.decision import SchemeFile, SchemeVariant, load_scheme
from sitesel.config.network import NetworkSpec
from sitesel.config.scoring import Config, config_model, load_config

__all__ = [
    "Catalog",
    "Config",
    "CriterionSpec",
    "LayerSpec",
    "NetworkCriterionSpec",
    "NetworkSpec",
    "SchemeFile",
    "SchemeVariant",
    "Selection",
    "Strict",
    "check_references",
    "config_model",
    "describe_validation_error",
    "load_catalog",
    "load_config",
    "load_scheme",
    "read_yaml_mapping",
]
