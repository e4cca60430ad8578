"""The units' levels: the reliability ratio is read from the marks, a unit of few staff
loses more of its level than a large one, and the discount reaches every raw gain of a move
into the unit (and none of staying), as trained, saved and loaded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from training import registry
from training.unit_levels import UnitLevels, reliability_ratio


def _marks(
    tau: float, sigma: float, units: int = 400, staff: int = 12, seed: int = 0
) -> pd.DataFrame:
    """Two periods of `staff` marks in each of `units` units: the unit's true mean spreads
    `tau`, one person's mark around it `sigma`."""
    rng = np.random.default_rng(seed)
    frames = []
    for period in (2020, 2021):
        level = rng.normal(70, tau, units)
        unit = np.repeat(np.arange(units), staff)
        score = level[unit] + rng.normal(0, sigma, units * staff)
        frames.append(pd.DataFrame({"period": period, "unit_id": unit.astype(str), "score": score}))
    return pd.concat(frames, ignore_index=True)


def test_the_ratio_is_the_spread_within_units_over_the_spread_of_their_true_means() -> None:
    """`k` = sigma^2 / tau^2, measured net of the sampling noise in the units' means."""
    assert reliability_ratio(_marks(tau=2.0, sigma=6.0)) == pytest.approx(9.0, rel=0.2)
    assert reliability_ratio(_marks(tau=4.0, sigma=4.0)) == pytest.approx(1.0, rel=0.2)
    one_unit = _marks(2.0, 6.0, units=1)
    assert reliability_ratio(one_unit) is None  # nothing to compare a unit with
    alike = pd.DataFrame(
        {"period": 2020, "unit_id": list("aaabbb"), "score": [60, 70, 80, 60, 70, 80]}
    )
    assert reliability_ratio(alike) == np.inf  # the units differ no more than chance says


def test_a_small_units_level_loses_more_of_itself_than_a_large_ones() -> None:
    """Unit X is 2 points above the person's mean of every move, Y as far below; with k = 4,
    X of 4 staff loses half of its level, Y of 36 a tenth, Z (no staff, at the mean) all of
    its level of 0; where the marks show no unit apart (k infinite), every level goes."""
    employee = np.repeat([0, 1], 3)
    unit = np.array(["X", "Y", "Z"] * 2)
    raw = np.array([3.0, -1.0, 1.0, 5.0, 1.0, 3.0])  # each person: X +2, Y -2, Z 0 from mean
    staff = pd.Series({"X": 4, "Y": 36})
    levels = UnitLevels.measure(employee, unit, raw, staff, ratio=4.0)
    assert levels.discount == pytest.approx({"X": 1.0, "Y": -0.2, "Z": 0.0})
    np.testing.assert_allclose(levels.of(np.array(["X", "Y", "new"])), [1.0, -0.2, 0.0])
    untrusted = UnitLevels.measure(employee, unit, raw, staff, ratio=np.inf)
    assert untrusted.discount == pytest.approx({"X": 2.0, "Y": -2.0, "Z": 0.0})
    assert UnitLevels.from_dict(levels.to_dict()) == levels


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_the_discount_reaches_moves_not_staying(world_dir: Path, tmp_path: Path) -> None:
    """Trained with `unit_shrink`, the champion carries its units' discount, saved and
    loaded with it, and says so in its ranking; in the candidate table every move's raw gain
    is the undiscounted one less its unit's discount, and staying stays 0."""
    from features.contract.validate import load_data
    from tests.helpers import EVIDENCE_ONLY, FAST
    from training.candidates import CandidateTable
    from training.run import train
    from training.settings import PipelineSettings

    settings = PipelineSettings(
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}", experiment="units",
        **EVIDENCE_ONLY,
    )  # fmt: skip
    result = train(world_dir, settings, dataclasses.replace(FAST, unit_shrink=True))
    run = mlflow.get_run(result.run_id)
    assert run.data.metrics["unit_reliability_ratio_final"] > 0
    model = registry.load_registered(settings.champion_uri).model
    assert model.unit_levels is not None and model.ranking.endswith("shrunk for their staff")
    assert any(abs(d) > 0 for d in model.unit_levels.discount.values())
    data = load_data(world_dir)
    table = CandidateTable.build(data, None, settings, data.active_nips()[:8])
    shrunk = table.score(model).raw_gain
    plain = table.score(dataclasses.replace(model, unit_levels=None)).raw_gain
    units = np.asarray(table.unit_ids)[table.unit_of(np.arange(len(table)))]
    placed = table.stay_rows >= 0
    expected = np.where(table.is_stay, 0.0, plain - model.unit_levels.of(units))
    np.testing.assert_allclose(shrunk[placed], expected[placed], atol=1e-9)
    assert (shrunk[table.is_stay & placed] == 0).all()
