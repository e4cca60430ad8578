"""Each unit's own effect on its staff's marks, apart from who works there.

Why. A unit's mean score (`unit_mean_score`) mixes two things: how good the people sent
there are, and what the unit does to anyone's marks (its leadership, its raters, its
workload). Only the second follows a person who moves in; a unit staffed with strong people
looks like a unit that lifts anyone. Labour economics separates the two with the two-way
model of Abowd, Kramarz & Margolis (1999): a score is a person's own level plus the effect
of the unit-year they were marked in plus noise, and the people who moved between units tie
the units' effects to one scale (a person's level is the same in both). The same model
gives a teacher's value added and a firm's wage premium.

How. `score - the year's mean = person + unit-year + noise`, fitted by alternating means
(backfitting, the Gauss-Seidel solution of the least squares): a person's level is the
mean of their marks less their units' effects (a fixed effect: people are not sent to
units at random, so a person's level is not assumed apart from their unit's); a unit-year's
effect is the mean of its marks less its people's levels, shrunk toward zero as a random
effect by `k`, the noise's variance over the variance of the unit-years' effects, both
the agency's own (`_fit`). So a unit of three people whose marks came out high one year is
not taken for a strong unit, a unit nobody moved into or out of is told apart from its
staff only as far as its marks' changes over the years allow, and a large unit with many
comings and goings is read nearly as it is.

A unit's effect is then given as two features, the model learning how much of each to
believe one year ahead (leadership changes, and a year's shock does not last): its mean
over the unit's last `RECENT` periods (`unit_effect`) and the last period's alone
(`unit_effect_last`, missing where the unit had no marks that year). A unit without marks
has neither. Point in time: the caller passes only the evaluations of periods before the
as-of date's year (`features.pipeline.take_snapshot`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RECENT = 3  # periods a unit's effect is averaged over
MAX_SWEEPS = 200  # alternating means: sweeps before giving up on the tolerance
TOLERANCE = 1e-6  # points: the largest change of any effect in a sweep, once converged


def _backfit(y: np.ndarray, blocks: list[tuple[np.ndarray, float]]) -> list[np.ndarray]:
    """Effects of `y` by alternating means: per block, its codes (one per mark) and the
    penalty its effects are shrunk with (0: a fixed effect), each block's effect the mean of
    what the others leave, over its count plus its penalty."""
    counts = [np.bincount(codes).astype(float) for codes, _ in blocks]
    effects = [np.zeros(len(n)) for n in counts]
    fitted = np.zeros_like(y)
    for _ in range(MAX_SWEEPS):
        change = 0.0
        for b, (codes, penalty) in enumerate(blocks):
            rest = y - fitted + effects[b][codes]
            new = np.bincount(codes, weights=rest, minlength=len(counts[b])) / (counts[b] + penalty)
            fitted += new[codes] - effects[b][codes]
            change = max(change, float(np.abs(new - effects[b]).max()))
            effects[b] = new
        if change < TOLERANCE:
            break
    return effects


def _fit(y: np.ndarray, person: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Unit-year effects, shrunk by the noise's variance over theirs.

    A first fit that barely shrinks (a penalty of one mark) gives both: the noise is what it
    leaves, the effects' variance what their spread holds beyond their sampling noise. The
    final fit shrinks by their ratio; where the effects spread no more than their noise
    says, every effect is zero."""
    level, first = _backfit(y, [(person, 0.0), (cell, 1.0)])
    rest = y - level[person] - first[cell]
    noise = float(rest @ rest) / max(len(y) - len(level) - len(first), 1)
    spread = float(np.var(first)) - float(np.mean(noise / (np.bincount(cell) + 1.0)))
    if not spread > 0:
        return np.zeros(len(first))
    return _backfit(y, [(person, 0.0), (cell, noise / spread)])[1]


def unit_effects(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Per unit id, `unit_effect` (the mean of its last `RECENT` periods' effects) and
    `unit_effect_last` (the last period's; missing for a unit without marks then), from
    evaluations (`nip`, `unit_id`, `period`, `score`; rows without a score are left out).
    Empty where fewer than two units have marks; zero where the units' effects spread no
    more than their noise says."""
    columns = ["unit_effect", "unit_effect_last"]
    marks = evaluations[["nip", "unit_id", "period", "score"]].dropna()
    if marks["unit_id"].nunique() < 2:
        return pd.DataFrame(columns=columns, dtype=float)
    y = marks["score"].to_numpy(dtype=float)
    y = y - marks.groupby("period")["score"].transform("mean").to_numpy(dtype=float)
    person = pd.factorize(marks["nip"])[0]
    # a unit-year is its unit's code and its period's, one integer: the same codes, in order
    # of first appearance, as factorizing the pairs, without a tuple per mark (`mataram`:
    # 0.003 s against 0.01-0.08 s)
    unit, unit_ids = pd.factorize(marks["unit_id"])
    period, periods = pd.factorize(marks["period"])
    cell, pair = pd.factorize(unit * len(periods) + period)
    cells = pd.DataFrame(
        {"unit_id": unit_ids[pair // len(periods)], "period": periods[pair % len(periods)],
         "effect": _fit(y, person, cell)}
    ).sort_values("period")  # fmt: skip
    recent = cells.groupby("unit_id").tail(RECENT).groupby("unit_id")["effect"].mean()
    last = cells[cells["period"] == cells["period"].max()].set_index("unit_id")["effect"]
    return pd.DataFrame({"unit_effect": recent, "unit_effect_last": last.reindex(recent.index)})
