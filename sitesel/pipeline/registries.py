"""The config model of this installation: every registered criterion family and method.

The config layer knows neither registry (it sits below them); here they meet: the
criterion families (:mod:`sitesel.criteria`) and the aggregation methods
(:mod:`sitesel.mcda.methods`), built-in or from plug-ins, make the model YAML is read with.
"""

from __future__ import annotations

from pathlib import Path

from sitesel import criteria
from sitesel.config import Config, config_model, load_config
from sitesel.mcda import methods


def study_config_model() -> type[Config]:
    """The config model accepting exactly the registered criteria and methods."""
    return config_model(criteria.spec_models(), methods.spec_models())


def load_study_config(path: str | Path) -> tuple[Config, Path]:
    """Read and validate a scoring config with every registered family and method.

    :func:`sitesel.config.load_config` with the registries' spec models.

    Raises
    ------
    ConfigError
        With one line naming the file, each wrong key, what was expected and what was found.
    """
    return load_config(path, criteria=criteria.spec_models(), methods=methods.spec_models())
