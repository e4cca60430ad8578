"""The exact round is the optimum (brute force agrees), keeps every rule, and beats greedy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planning.problem import PlanProblem
from planning.solve import BRANCHED, RELAXED, solve_exact, solve_greedy, violations


def random_problem(rng: np.random.Generator, people: int = 5, units: int = 3) -> PlanProblem:
    origin_of = rng.integers(0, units, people)
    employee, origin, dest = [], [], []
    for e in range(people):
        for u in range(units):
            if u != origin_of[e] and rng.random() < 0.8:
                employee.append(e)
                origin.append(origin_of[e])
                dest.append(u)
    return PlanProblem(
        employee=np.array(employee, dtype=int),
        origin=np.array(origin, dtype=int),
        dest=np.array(dest, dtype=int),
        value=rng.normal(1.0, 2.0, len(employee)).round(2),
        slack_in=rng.integers(0, 2, units),
        max_out=rng.integers(0, 3, units),
        max_moves=int(rng.integers(1, people + 1)),
        pilot=rng.random(len(employee)) < 0.4,  # a pilot's moves, at most `max_pilot` of them
        max_pilot=int(rng.integers(0, 3)),
    )


def brute_force(p: PlanProblem) -> float:
    """Try every choice of at most one move per employee; keep the best that fits."""
    options = [[None, *np.flatnonzero(p.employee == e)] for e in np.unique(p.employee)]
    best = 0.0
    for combo in itertools.product(*options):
        chosen = np.array([i for i in combo if i is not None], dtype=int)
        if not violations(p, chosen):
            best = max(best, float(p.value[chosen].sum()))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_exact_equals_brute_force_and_keeps_the_rules(seed: int) -> None:
    p = random_problem(np.random.default_rng(seed))
    exact = solve_exact(p)
    assert exact.status == "optimal" and exact.method in (RELAXED, BRANCHED)
    assert not violations(p, exact.chosen)
    assert exact.objective == pytest.approx(brute_force(p), rel=1e-6, abs=1e-6)
    greedy = solve_greedy(p)
    assert not violations(p, greedy.chosen)
    assert greedy.objective <= exact.objective + 1e-9


def test_the_brute_force_instances_are_settled_both_ways() -> None:
    """Brute force checks both proofs of optimality: some of its instances are settled by
    a whole relaxation, some by branching."""
    methods = {solve_exact(random_problem(np.random.default_rng(seed))).method for seed in range(40)}  # fmt: skip
    assert methods == {RELAXED, BRANCHED}


def swap(max_moves: int) -> PlanProblem:
    """A sits in unit 0 and would do better in 1; B the other way round; both units are full."""
    return PlanProblem(
        employee=np.array([0, 1]),
        origin=np.array([0, 1]),
        dest=np.array([1, 0]),
        value=np.array([2.0, 1.5]),
        slack_in=np.array([0, 0]),
        max_out=np.array([1, 1]),
        max_moves=max_moves,
    )


def test_a_swap_between_two_full_units_is_found_where_greedy_cannot() -> None:
    p = swap(max_moves=10)
    assert sorted(solve_exact(p).chosen) == [0, 1]
    assert len(solve_greedy(p).chosen) == 0


def test_a_swap_the_rounds_size_cuts_in_half_is_settled_by_branching() -> None:
    """With room for one move only, the linear relaxation takes half of each side of the
    swap (value 1.75, not a round); the integer program has no move that fits alone."""
    exact = solve_exact(swap(max_moves=1))
    assert exact.method == BRANCHED and exact.status == "optimal"
    assert len(exact.chosen) == 0 and exact.objective == 0.0


def test_a_whole_relaxation_is_the_round_without_branching() -> None:
    """The swap with room for both moves: the relaxation's optimum is whole, so it is the
    round, proved optimal without branch and bound (brute force agrees above)."""
    p = PlanProblem(
        employee=np.array([0, 1, 1]),
        origin=np.array([0, 1, 1]),
        dest=np.array([1, 0, 2]),
        value=np.array([2.0, 1.5, 0.5]),
        slack_in=np.array([0, 0, 1]),
        max_out=np.array([1, 1, 1]),
        max_moves=10,
    )
    exact = solve_exact(p)
    assert exact.method == RELAXED and sorted(exact.chosen) == [0, 1]


def test_units_already_over_formasi_may_not_grow() -> None:
    # unit 1 is over its formasi (slack 0): one may join only if one leaves.
    p = PlanProblem(
        employee=np.array([0, 1]),
        origin=np.array([0, 0]),
        dest=np.array([1, 1]),
        value=np.array([3.0, 2.0]),
        slack_in=np.array([5, 0]),
        max_out=np.array([2, 0]),
        max_moves=10,
    )
    assert len(solve_exact(p).chosen) == 0
