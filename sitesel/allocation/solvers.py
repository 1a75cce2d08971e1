"""The solvers, tried in order: the first that takes a problem of this size solves it.

A solver is one module of this package that registers itself with :func:`solver`: the
problems it solves, whether it takes an instance of this size under the spec's limits,
and its solve function. The exact MIP (HiGHS) comes first up to ``max_exact_variables``;
the heuristic (greedy + substitution, Lagrangian bound) takes the p-median and MCLP above
it. A new solver is one more module; nothing else is edited.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from sitesel.allocation.problems import Instance, Solution, variables
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import ConfigError, SolverError

Fits = Callable[[AllocationSpec, Instance], bool]
Solve = Callable[[AllocationSpec, Instance], Solution]


@dataclass(frozen=True)
class Solver:
    """A solver: its name, the problems it solves, when it takes one, how it solves it."""

    name: str
    problems: frozenset[str]
    fits: Fits
    solve: Solve
    order: int


_SOLVERS: dict[str, Solver] = {}


def solver(
    name: str, *, problems: frozenset[str], fits: Fits, order: int
) -> Callable[[Solve], Solve]:
    """Register the decorated function as a solver, tried at ``order`` (lowest first)."""

    def register(solve: Solve) -> Solve:
        _SOLVERS[name] = Solver(name, problems, fits, solve, order)
        return solve

    return register


def solvers() -> list[Solver]:
    """Every registered solver, in the order they are tried."""
    package = importlib.import_module("sitesel.allocation")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"sitesel.allocation.{info.name}")
    return sorted(_SOLVERS.values(), key=lambda s: s.order)


def solve(spec: AllocationSpec, inst: Instance, key: str) -> Solution:
    """The answer of the first solver that takes the problem.

    Raises
    ------
    SolverError
        If the solver finds no feasible answer (naming the rules that may make it so).
    ConfigError
        If no solver takes a problem this large.
    """
    for found in solvers():
        if spec.problem in found.problems and found.fits(spec, inst):
            try:
                return found.solve(spec, inst)
            except SolverError as exc:
                raise SolverError(
                    f"{key}: {exc}; relax min_spacing_km, required_sites or k"
                ) from None
    limit = spec.solver.max_exact_variables
    raise ConfigError(
        f"{key}: {variables(spec.problem, inst):,} variables, above"
        f" solver.max_exact_variables ({limit:,}), and {spec.problem} has no heuristic here;"
        " choose fewer candidates (candidates.top_n) or raise the limit"
    )
