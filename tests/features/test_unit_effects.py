"""The units' own effects: read from the marks of people who worked in more than one unit,
not from who works where; a unit known from few marks is shrunk more; nothing is made up
where the marks show no unit apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.unit_effects import unit_effects


def _careers(
    sizes: np.ndarray,
    effect_sd: float = 2.0,
    periods: int = 8,
    move: float = 0.2,
    sorted_people: bool = False,
    seed: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Yearly marks of people in units of `sizes` staff: person level (sd 5) + the unit's
    effect (sd `effect_sd`) + a unit-year shock (sd 0.5) + noise (sd 3); each year a share
    `move` of people changes unit (to one drawn by its size, so sizes hold).
    `sorted_people`: the ablest start in the units of the lowest effect, so a unit's mean
    mark says the opposite of its effect."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, effect_sd, len(sizes))
    unit = np.repeat(np.arange(len(sizes)), sizes)
    ability = rng.normal(0, 5, len(unit))
    if sorted_people:
        ability = np.sort(ability)[::-1][np.argsort(np.argsort(effect[unit]))]
    frames = []
    for period in range(2016, 2016 + periods):
        shock = rng.normal(0, 0.5, len(sizes))
        score = 70 + ability + effect[unit] + shock[unit] + rng.normal(0, 3, len(unit))
        frames.append(pd.DataFrame({
            "nip": np.arange(len(unit)).astype(str), "unit_id": unit.astype(str),
            "period": period, "score": score,
        }))  # fmt: skip
        movers = rng.random(len(unit)) < move
        unit = np.where(movers, rng.choice(len(sizes), len(unit), p=sizes / sizes.sum()), unit)
    return pd.concat(frames, ignore_index=True), effect


def test_a_units_effect_is_read_apart_from_who_works_there() -> None:
    """The ablest people work in the units that lift marks least: the units' mean marks
    rank them backwards, their effects (tied by the people who moved) rank them right."""
    marks, effect = _careers(np.full(30, 20), sorted_people=True)
    found = unit_effects(marks)
    ids = np.arange(30).astype(str)
    mean_mark = marks[marks["period"] == marks["period"].min()].groupby("unit_id")["score"].mean()
    assert np.corrcoef(mean_mark.reindex(ids), effect)[0, 1] < 0
    assert np.corrcoef(found["unit_effect"].reindex(ids), effect)[0, 1] > 0.85
    assert np.corrcoef(found["unit_effect_last"].reindex(ids), effect)[0, 1] > 0.7


def test_a_unit_known_from_few_marks_is_shrunk_more() -> None:
    """Units of 3 staff and of 30 with effects drawn alike: the small units' effects come out
    nearer zero (a smaller slope on the truth) than the large units', by more than half."""
    sizes = np.array([3] * 40 + [30] * 40)
    marks, effect = _careers(sizes, effect_sd=1.5, move=0.1)
    found = unit_effects(marks)["unit_effect"].reindex(np.arange(80).astype(str)).to_numpy()
    small, large = (
        np.polyfit(effect[:40], found[:40], 1)[0],
        np.polyfit(effect[40:], found[40:], 1)[0],
    )
    assert small < 0.6 * large
    assert 0.3 < large < 1.1  # one year's effect is known from few movers: all are shrunk


def test_no_effect_is_made_up() -> None:
    """Nothing to compare: no effects; units that differ no more than chance: all zero."""
    one_unit, _ = _careers(np.array([20]))
    assert unit_effects(one_unit).empty
    marks, _ = _careers(np.full(10, 20), effect_sd=0.0)
    marks["score"] = 70 + np.tile([-5.0, 5.0], len(marks) // 2)
    assert (unit_effects(marks)["unit_effect"] == 0).all()
