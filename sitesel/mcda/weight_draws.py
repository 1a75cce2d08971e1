"""Monte Carlo weight draws as a config asks for them, and how they were made.

The draws feed :func:`sitesel.mcda.robustness.monte_carlo` and SMAA-2
(:mod:`sitesel.mcda.smaa`); the record goes to the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sitesel._typing import FloatArray
from sitesel.config import Config
from sitesel.config.decision import MonteCarloSpec
from sitesel.errors import ConfigError
from sitesel.mcda import ahp, robustness, smaa
from sitesel.mcda.weights import WeightReport


def weight_draws(
    mc: MonteCarloSpec, config: Config, config_path: Path, weights: FloatArray, report: WeightReport
) -> FloatArray:
    """The Monte Carlo weight vectors, ``(mc.draws, n_criteria)``, as the config asks.

    ``dirichlet``: around the run's weights (Butler et al. 1997); ``ahp_judgments``: from
    the AHP matrix with each judgment perturbed (the weights of the perturbed matrices
    under the consistency limit), combined with objective weights as the run's were.

    Raises
    ------
    ConfigError
        If ``ahp_judgments`` is asked without AHP weighting, or no perturbed matrix is
        consistent enough.
    """
    rng = np.random.default_rng(mc.seed)
    if mc.method != "ahp_judgments":
        return robustness.dirichlet_weights(
            weights, concentration=mc.concentration, draws=mc.draws, rng=rng
        )
    if report.matrix is None or config.weighting.ahp is None:
        raise ConfigError(
            f"{config_path}: robustness.monte_carlo.method: ahp_judgments needs"
            " weighting.method ahp; use dirichlet"
        )
    try:
        draws = ahp.perturbed_ahp_weights(
            report.matrix,
            sigma=mc.judgment_sigma,
            draws=mc.draws,
            max_cr=report.max_consistency_ratio or float("inf"),
            rng=rng,
        )
    except ValueError as exc:
        raise ConfigError(f"{config_path}: robustness.monte_carlo: {exc}") from None
    if report.objective is not None:  # combined weighting: each draw combined the same way
        objective = np.array([report.objective_weights[report.objective][n] for n in config.scored])
        draws = draws * objective
        draws /= np.where(draws.sum(axis=1, keepdims=True) > 0, draws.sum(axis=1, keepdims=True), 1)
    return draws


def monte_carlo_record(
    mc: MonteCarloSpec, scored: list[str], leaders: list[smaa.SmaaSite]
) -> dict[str, Any]:
    """How the draws were made, and the SMAA-2 leaders, for the manifest."""
    dirichlet = mc.method == "dirichlet"
    return {
        "method": mc.method,
        "draws": mc.draws,
        "seed": mc.seed,
        "top_k": mc.top_k,
        "concentration": mc.concentration if dirichlet else None,
        "judgment_sigma": None if dirichlet else mc.judgment_sigma,
        "smaa": {"criteria": list(scored), "sites": [vars(site) for site in leaders]},
    }
