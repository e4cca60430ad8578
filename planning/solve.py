"""Choosing the round: the exact integer program (HiGHS through scipy: its linear relaxation
first, `milp`'s branch and bound when that is not whole), the greedy baseline HR would
otherwise use, and the checker both must pass.

Variables: one binary per candidate move. Constraints: each employee moves at most once;
per unit, arrivals minus departures within its free formasi (zero if already over it), so
chains and swaps (A takes B's place while B moves on) are allowed; per unit, departures
within the outflow cap; in total, moves within the round's cap, and a pilot's moves within
the pilot's size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import LinearConstraint, linprog, milp

from planning.problem import PlanProblem

INTEGRAL = 1e-9  # how far from 0 or 1 a relaxed variable may be and still count as whole
RELAXED = "linear relaxation (its optimum was whole)"
BRANCHED = "branch and bound"


@dataclass(frozen=True)
class Solution:
    chosen: np.ndarray  # indices into the problem's candidate moves
    objective: float
    status: str
    seconds: float
    gap: float | None = None
    method: str | None = None  # what proved the exact round optimal: BRANCHED or RELAXED


def _pilot(p: PlanProblem) -> np.ndarray:
    return np.zeros(len(p.value), dtype=bool) if p.pilot is None else p.pilot


def _constraints(p: PlanProblem) -> tuple[sp.csr_matrix, np.ndarray]:
    n = len(p.value)
    cols = np.arange(n)
    people, person_row = np.unique(p.employee, return_inverse=True)
    u = p.n_units
    blocks = [
        sp.csr_matrix((np.ones(n), (person_row, cols)), shape=(len(people), n)),  # once each
        sp.csr_matrix((np.ones(n), (p.dest, cols)), shape=(u, n))
        - sp.csr_matrix((np.ones(n), (p.origin, cols)), shape=(u, n)),  # net arrivals
        sp.csr_matrix((np.ones(n), (p.origin, cols)), shape=(u, n)),  # departures
        sp.csr_matrix(np.ones((1, n))),  # the round's size
        sp.csr_matrix(_pilot(p).astype(float)[None, :]),  # the pilot's size
    ]
    upper = np.concatenate([np.ones(len(people)), p.slack_in, p.max_out, [p.max_moves, p.max_pilot]])  # fmt: skip
    return sp.vstack(blocks, format="csr"), upper.astype(float)


def _relaxed(p: PlanProblem, a: sp.csr_matrix, upper: np.ndarray, time_limit: float) -> np.ndarray | None:  # fmt: skip
    """The moves of the linear relaxation's optimum when that optimum is a round (every
    variable 0 or 1), which is then the integer program's optimum too; None otherwise.
    Without the round's size and the pilot's, the constraints are those of a network flow
    (people leave a unit, join another, each unit's net arrivals and departures bounded),
    whose vertices are whole; with them, on rounds grown to a province's size
    (`bench/plan.py`), the relaxation settled the round in about a third of the time branch
    and bound had taken to prove the same optimum. A fractional vertex (a swap cut in half
    by the round's size) goes to branch and bound."""
    result = linprog(-p.value, A_ub=a, b_ub=upper, bounds=(0, 1), method="highs-ds",
                     options={"time_limit": time_limit})  # fmt: skip
    if result.status != 0:
        return None
    x = result.x
    if np.abs(x - np.round(x)).max() > INTEGRAL:
        return None
    chosen = np.flatnonzero(x > 0.5)
    value, bound = float(p.value[chosen].sum()), float(-result.fun)
    if violations(p, chosen) or value < bound - 1e-6 * max(1.0, abs(bound)):
        return None  # rounding the tolerance away must keep the rules and the optimum
    return chosen


def solve_exact(p: PlanProblem, time_limit: float = 120.0) -> Solution:
    """The optimal round (within a 1e-6 relative gap); status says if the time limit cut it
    short. The linear relaxation first: when its optimum is a round, that round is optimal
    and no branching is needed (`method` says which proved it)."""
    started = time.perf_counter()
    if len(p.value) == 0 or p.max_moves == 0:
        return Solution(np.array([], dtype=int), 0.0, "optimal (nothing to choose)", 0.0, 0.0)
    a, upper = _constraints(p)
    chosen = _relaxed(p, a, upper, time_limit)
    if chosen is not None:
        seconds = time.perf_counter() - started
        return Solution(chosen, float(p.value[chosen].sum()), "optimal", seconds, 0.0, RELAXED)
    remaining = max(time_limit - (time.perf_counter() - started), 1.0)
    result = milp(
        c=-p.value,
        constraints=LinearConstraint(a, -np.inf, upper),
        integrality=np.ones(len(p.value)),
        bounds=(0, 1),
        # 1e-6 relative: a millionth of the round's value. Asking HiGHS for exactly 0 makes
        # it chase floating-point ties on large rounds for minutes without a better answer.
        options={"time_limit": remaining, "mip_rel_gap": 1e-6, "disp": False},
    )
    seconds = time.perf_counter() - started
    if result.x is None:
        raise RuntimeError(f"the solver found no round: {result.message}")
    chosen = np.flatnonzero(result.x > 0.5)
    status = "optimal" if result.status == 0 else f"stopped: {result.message}"
    gap = getattr(result, "mip_gap", None)
    return Solution(chosen, float(p.value[chosen].sum()), status, seconds, gap, BRANCHED)


def solve_greedy(p: PlanProblem) -> Solution:
    """Each person in turn (best first) takes their best move that still fits the caps."""
    started = time.perf_counter()
    net_in = np.zeros(p.n_units, dtype=int)
    out = np.zeros(p.n_units, dtype=int)
    order = np.lexsort((-p.value, p.employee))  # by employee, best move first
    best: dict[int, list[int]] = {}
    for i in order:
        best.setdefault(int(p.employee[i]), []).append(int(i))
    people = sorted(best, key=lambda e: -p.value[best[e][0]])
    pilot, trials = _pilot(p), 0
    chosen: list[int] = []
    for person in people:
        if len(chosen) >= p.max_moves:
            break
        for i in best[person]:
            if p.value[i] <= 0:
                break
            d, o = p.dest[i], p.origin[i]
            if pilot[i] and trials >= p.max_pilot:
                continue
            if net_in[d] + 1 <= p.slack_in[d] and out[o] + 1 <= p.max_out[o]:
                trials += int(pilot[i])
                net_in[d] += 1
                net_in[o] -= 1
                out[o] += 1
                chosen.append(i)
                break
    picked = np.array(sorted(chosen), dtype=int)
    return Solution(picked, float(p.value[picked].sum()), "greedy", time.perf_counter() - started)


def violations(p: PlanProblem, chosen: np.ndarray) -> list[str]:
    """Every rule the chosen moves break (empty: the round keeps every rule)."""
    found = []
    people, counts = np.unique(p.employee[chosen], return_counts=True)
    found += [
        f"employee #{e} moves {c} times" for e, c in zip(people, counts, strict=True) if c > 1
    ]
    arrivals = np.bincount(p.dest[chosen], minlength=p.n_units)
    departures = np.bincount(p.origin[chosen], minlength=p.n_units)
    for u in np.flatnonzero(arrivals - departures > p.slack_in):
        found.append(f"unit #{u}: net arrivals {arrivals[u] - departures[u]} > free formasi {p.slack_in[u]}")  # fmt: skip
    for u in np.flatnonzero(departures > p.max_out):
        found.append(f"unit #{u}: {departures[u]} leave > cap {p.max_out[u]}")
    if len(chosen) > p.max_moves:
        found.append(f"{len(chosen)} moves > cap {p.max_moves}")
    trials = int(_pilot(p)[chosen].sum())
    if trials > p.max_pilot:
        found.append(f"{trials} pilot moves > the pilot's {p.max_pilot}")
    return found
