"""Location-allocation: which k sites together serve the demand best.

Four standard problems over a demand-by-candidate matrix of travel minutes (``inf`` where
a candidate is beyond the matrix's cutoff from a demand point):

- **p-median** (Hakimi 1964; ReVelle & Swain 1970): choose k sites minimising the
  demand-weighted travel time, each demand point served by its nearest chosen site;
- **maximal coverage, MCLP** (Church & ReVelle 1974): choose k sites maximising the demand
  within T minutes of a chosen site;
- **set covering, LSCP** (Toregas et al. 1971): the fewest sites putting every coverable
  demand point within T minutes (points no candidate reaches within T are named apart);
- **p-centre** (Hakimi 1964): choose k sites minimising the longest travel time of any
  demand point to its nearest chosen site.

Options: sites that must be chosen (an existing cluster), and a minimum straight-line
spacing between chosen sites. Each is solved exactly as a mixed-integer programme by
HiGHS (:func:`scipy.optimize.milp`) when its size allows (:mod:`.allocation_exact`);
p-median and MCLP above that size by greedy addition plus vertex substitution, with a
Lagrangian bound and the gap (:mod:`.allocation_heuristic`). spopt's models are the
reference the tests check the objective values against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from sitesel._typing import FloatArray, IntArray

Problem = Literal["p_median", "mclp", "lscp", "p_center"]
Sense = Literal["min", "max"]

SENSE: dict[str, Sense] = {"p_median": "min", "mclp": "max", "lscp": "min", "p_center": "min"}


@dataclass(frozen=True)
class Instance:
    """A problem's data.

    Attributes
    ----------
    minutes
        ``(n_demand, n_candidates)`` travel minutes, ``inf`` beyond the cutoff.
    weight
        Demand at each point (people, employees, ...), at least 0.
    k
        Sites to choose (p-median, MCLP, p-centre); ignored by LSCP.
    within_min
        T, the coverage standard (MCLP, LSCP).
    required
        Candidates that must be chosen.
    conflicts
        Pairs of candidates too close to be chosen together (the spacing rule).
    suitability
        Each candidate's suitability in [0, 1], used with ``suitability_weight``.
    suitability_weight
        beta in [0, 1]: how much suitability enters the objective (0: not at all). The
        p-median counts a site's minutes times ``1 + beta (1 - s_j)`` (a less suitable
        site is as if farther); MCLP adds ``beta * total demand / k * s_j`` for each chosen
        site (a fully suitable site is worth a k-th of all the demand).
    """

    minutes: FloatArray
    weight: FloatArray
    k: int = 1
    within_min: float = np.inf
    required: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    conflicts: IntArray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    suitability: FloatArray | None = None
    suitability_weight: float = 0.0

    @property
    def time_factor(self) -> FloatArray:
        """p-median: each candidate's multiplier on minutes (1 without a blend)."""
        n = self.minutes.shape[1]
        if self.suitability is None or self.suitability_weight == 0:
            return np.ones(n)
        return 1.0 + self.suitability_weight * (1.0 - self.suitability)

    @property
    def site_bonus(self) -> FloatArray:
        """MCLP: each candidate's bonus in demand units (0 without a blend)."""
        n = self.minutes.shape[1]
        if self.suitability is None or self.suitability_weight == 0:
            return np.zeros(n)
        share = float(self.weight.sum()) / max(self.k, 1)
        return self.suitability_weight * share * self.suitability

    @property
    def covers(self) -> npt.NDArray[np.bool_]:
        """Which candidate covers which demand point (within T)."""
        return np.asarray(self.minutes <= self.within_min)


@dataclass(frozen=True)
class Solution:
    """A solved problem: the chosen sites, the objective, its bound and the gap.

    ``bound`` is a proven bound on the optimum (lower for minimising problems, upper for
    MCLP); ``gap`` is ``|objective - bound| / |objective|`` (0 when proven optimal).
    """

    chosen: IntArray
    objective: float
    bound: float
    solver: str
    seconds: float

    @property
    def gap(self) -> float:
        """Relative gap between the objective and its bound."""
        if self.objective == self.bound:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-12)


def assignment(minutes: FloatArray, chosen: IntArray) -> tuple[IntArray, FloatArray]:
    """Each demand point's nearest chosen site (-1 where none is reachable) and its minutes.

    >>> m = np.array([[1.0, 5.0], [4.0, 2.0], [np.inf, np.inf]])
    >>> site, t = assignment(m, np.array([0, 1]))
    >>> site.tolist(), t.tolist()
    ([0, 1, -1], [1.0, 2.0, inf])
    """
    if len(chosen) == 0:
        return np.full(len(minutes), -1, dtype=np.int64), np.full(len(minutes), np.inf)
    sub = minutes[:, chosen]
    best = sub.argmin(axis=1)
    t = sub[np.arange(len(sub)), best]
    site = np.where(np.isfinite(t), chosen[best], -1)
    return np.asarray(site, dtype=np.int64), np.asarray(t, dtype=np.float64)


def objective_of(problem: Problem, inst: Instance, chosen: IntArray) -> float:
    """The problem's objective for a set of chosen sites (``inf`` if infeasible)."""
    if problem == "p_median":
        _, t = assignment(inst.minutes * inst.time_factor[None, :], chosen)
        return float(np.sum(inst.weight * t)) if np.isfinite(t).all() else np.inf
    _, t = assignment(inst.minutes, chosen)
    if problem == "mclp":
        return float(inst.weight[t <= inst.within_min].sum() + inst.site_bonus[chosen].sum())
    if problem == "lscp":
        return float(len(chosen))
    return float(t.max()) if len(t) else 0.0


def variables(problem: Problem, inst: Instance) -> int:
    """How many variables the programme has (to choose between exact and heuristic)."""
    n_d, n_c = (int(v) for v in inst.minutes.shape)
    if problem in ("p_median", "p_center"):
        return n_c + int(np.isfinite(inst.minutes).sum()) + int(problem == "p_center")
    if problem == "mclp":
        return n_c + n_d
    return n_c
