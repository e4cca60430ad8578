"""The within-person model: it finds a person x unit fit that people's levels hide, its
terms add up to its predictions, a gain's factors add up to the gain that ranked the move,
and it is saved and loaded with the booster."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pytest

from features.definitions import CATEGORICAL, FEATURE_NAMES
from training import registry
from training.model import PlacementModel
from training.within import ALPHAS, NUMERIC, TRAITS, WithinModel, choose_alpha, stack_weights

COLUMN = {name: j for j, name in enumerate(FEATURE_NAMES)}
LEVELS = {"unit_domain": 4, "unit_kind": 3, "education_field": 5, "position_type": 2}


def _panel(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """People observed for 5 years in units of random fields. The truth: a person's level
    plus 3 points per sd of communication in field 2. The level rises with communication
    and good communicators were sent to field 3, so across people field 3 looks best and
    communication looks good everywhere: only a comparison within people shows the fit."""
    rng = np.random.default_rng(seed)
    people, years = 400, 5
    komunikasi = rng.normal(3.0, 1.0, people)
    level = 70 + 4 * (komunikasi - 3) + rng.normal(0, 3, people)
    n = people * years
    person = np.repeat(np.arange(people), years)
    good = komunikasi[person] > 3.5
    domain = np.where(good & (rng.random(n) < 0.6), 3, rng.integers(0, 4, n))
    x = np.full((n, len(FEATURE_NAMES)), np.nan)
    for name in FEATURE_NAMES:
        if name not in CATEGORICAL:
            x[:, COLUMN[name]] = rng.normal(0, 1, n) * 0.01  # present, but no signal
    x[:, COLUMN["comp_komunikasi"]] = komunikasi[person]
    x[:, COLUMN["unit_domain"]] = domain
    x[:, COLUMN["unit_kind"]] = rng.integers(0, 3, n)
    x[:, COLUMN["education_field"]] = rng.integers(0, 5, n)
    fit = 3.0 * (komunikasi[person] - 3) * (domain == 2)
    y = level[person] + fit + rng.normal(0, 1.0, n)
    return x, y, person.astype(str), np.tile(np.arange(years), people), float(komunikasi.std())


def test_the_fit_within_people_is_found_where_their_levels_hide_it() -> None:
    x, y, person, period, sd = _panel()
    model = WithinModel.fit(x, y, person, period, LEVELS)
    trait = TRAITS.index(COLUMN["comp_komunikasi"])
    by_field = model.b_trait_domain[trait]  # per sd of the trait
    # per sd of communication: about 3 points in field 2, nothing in the others
    assert by_field[2] - by_field[[0, 1, 3]].mean() == pytest.approx(3.0 * sd, abs=0.4)
    assert np.abs(by_field[[0, 1, 3]] - by_field[[0, 1, 3]].mean()).max() < 0.4
    # a person's gain between fields, against the truth's
    one = x[:2].copy()
    one[:, COLUMN["comp_komunikasi"]] = 5.0
    one[:, COLUMN["unit_domain"]] = [2, 0]
    gain = np.diff(model.predict(one)[::-1])[0]
    assert gain == pytest.approx(3.0 * 2.0, abs=0.8)


def test_its_terms_add_up_to_its_prediction_and_survive_a_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x, y, person, period, _ = _panel(1)
    rng = np.random.default_rng(3)
    x[rng.random(len(x)) < 0.2, COLUMN["training_hours_3y"]] = np.nan  # a missing flag
    model = WithinModel.fit(x, y, person, period, LEVELS)
    assert len(model.missing) == 1
    rows = x[:50].copy()  # missing traits, fields and kinds too: each term's own rule
    rows[:10, COLUMN["comp_komunikasi"]] = np.nan
    rows[5:15, COLUMN["unit_domain"]] = np.nan
    rows[12:20, COLUMN["unit_kind"]] = np.nan
    rows[18:25, COLUMN["education_field"]] = np.nan
    monkeypatch.setattr("training.within.ROWS_AT_ONCE", 7)  # predicted in slices
    contributions = model.contributions(rows)
    np.testing.assert_allclose(contributions.sum(axis=1), model.predict(rows), atol=1e-9)
    assert np.abs(contributions[:, COLUMN["score_last"]]).max() == 0  # past results: never
    again = WithinModel.from_dict(model.to_dict())
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_stack_weights_count_both_models_equally_at_the_boosters_spread() -> None:
    rng = np.random.default_rng(2)
    booster, within = rng.normal(0, 2, 5000), rng.normal(0, 10, 5000)
    wb, ww = stack_weights(booster, within)
    stacked = wb * booster + ww * within
    assert stacked.std() == pytest.approx(booster.std(), rel=1e-9)
    assert wb * booster.std() == pytest.approx(ww * within.std(), rel=1e-9)  # equal parts
    assert stack_weights(booster, np.zeros(5000)) == (1.0, 0.0)  # nothing to add: the booster
    # no move to measure on (every unit's formasi full): the booster alone, not NaN weights
    # that made every raw gain NaN and training end in "SVD did not converge"
    assert stack_weights(np.zeros(0), np.zeros(0)) == (1.0, 0.0)
    assert stack_weights(np.ones(1), np.ones(1)) == (1.0, 0.0)


def test_an_unmeasured_within_model_leaves_the_boosters_gain_alone() -> None:
    """Before its weights are measured (or where its gains do not vary) the within-person
    model has no part in a gain, and no disagreement is taken off it."""
    x, y, person, period, _ = _panel(3)
    within = WithinModel.fit(x, y, person, period, LEVELS, caution=0.5)
    assert within.weight == 0
    model = PlacementModel(booster=None, offsets={}, within=within)  # type: ignore[arg-type]
    here, stay = np.array([[3.0, 0.0], [-2.0, 0.0]]), np.zeros((2, 2))
    np.testing.assert_array_equal(model.raw_gains(here, stay), [3.0, -2.0])
    within.weight = 1.0  # measured: now half the disagreement comes off
    np.testing.assert_array_equal(model.raw_gains(here, stay), [1.5, -3.0])


def test_a_gains_factors_add_up_to_the_gain_that_ranked_the_move(
    registry_uri: str, world_dir: Path
) -> None:
    """The shared champion's within-person part is measured, saved with it and loaded back
    from the registry; the narrative's
    per-feature parts of a move minus staying sum to the raw gain the move was ranked by."""
    from features.contract.validate import load_data
    from training.candidates import CandidateTable
    from training.settings import PipelineSettings

    mlflow.set_tracking_uri(registry_uri)  # another test's `train` may have pointed it elsewhere
    model = registry.load_registered("models:/penataan-placement@champion").model
    assert model.within is not None and model.within.weight > 0
    data = load_data(world_dir)
    table = CandidateTable.build(data, None, PipelineSettings(), data.active_nips()[:5])
    x = model.matrix(table.rows)
    stay = np.maximum(table.stay_rows, 0)
    summed = model.leg_contributions(x, model.contributions_matrix(x)).sum(axis=1)
    legs = model.legs_matrix(x, model.point_matrix(x))
    delta = legs - legs[stay]
    placed = table.stay_rows >= 0
    np.testing.assert_allclose(
        (summed - summed[stay])[placed], delta.sum(axis=1)[placed], atol=1e-6
    )
    # the raw gain: that sum, less the caution's share of the two models' disagreement and
    # the part of the joined unit's level its staff do not show (test_unit_levels.py)
    scored = table.score(model)
    caution = model.within.caution * np.abs(delta[:, 0] - delta[:, 1])
    units = np.asarray(table.unit_ids)[table.unit_of(np.arange(len(table)))]
    discount = np.where(table.is_stay, 0.0, model.unit_discount(units))
    np.testing.assert_allclose(
        scored.raw_gain[placed], (delta.sum(axis=1) - caution - discount)[placed], atol=1e-9
    )
    # ... and the raw gain is not the predicted scores' difference: the within model counts
    booster = scored.predicted - scored.predicted[np.maximum(table.stay_rows, 0)]
    assert np.abs(booster[placed] - scored.raw_gain[placed]).max() > 0.01


def test_the_penalty_is_the_one_the_last_period_supports() -> None:
    """A fit within people that holds (3 points per sd of communication in one field, little
    noise) keeps its terms: the least penalty; where scores differ within people by noise
    alone, a penalty that shrinks every term hard wins (one of the two largest: which of
    them is the draw's); with one period there is nothing to hold out and the least penalty
    is kept, saying so. The choice is the fit's own."""
    x, y, person, period, _ = _panel()
    alpha, how = choose_alpha(x, y, person, period, LEVELS)
    assert alpha == ALPHAS[0] and set(how["alpha_errors"]) == {f"{a:g}" for a in ALPHAS}
    assert how["alpha_errors"]["1"] < how["alpha_errors"]["10000"] / 2
    rng = np.random.default_rng(5)
    noise = rng.normal(70, 5, 400)[np.unique(person, return_inverse=True)[1]] + rng.normal(
        0, 3, len(y)
    )
    hard = choose_alpha(x, noise, person, period, LEVELS)[0]
    assert hard >= ALPHAS[-2]
    first = period == 0
    alpha, how = choose_alpha(x[first], y[first], person[first], period[first], LEVELS)
    assert alpha == ALPHAS[0] and how["alpha_chosen_by"] == "too few periods to compare"
    model = WithinModel.fit(x, noise, person, period, LEVELS)
    assert (
        model.info["alpha"] == hard and model.info["alpha_chosen_by"] == "the last period held out"
    )
    fixed = WithinModel.fit(x, noise, person, period, LEVELS, alpha=1.0)
    assert fixed.info["alpha"] == 1.0 and "alpha_errors" not in fixed.info
    assert np.abs(model.b_trait_domain).max() < np.abs(fixed.b_trait_domain).max() / 3


def test_standardised_inputs_put_missing_at_the_centre_and_infinite_ones_at_the_ends() -> None:
    """`_blocks` sets a missing number to its centre and flags it, and an infinite one (no
    feature should be, but a row may hold one) to the largest float, as `np.nan_to_num`
    would: the shortcut that skips it where every input is finite changes nothing."""
    numeric = len(NUMERIC)
    x = np.full((3, len(FEATURE_NAMES)), 2.0)
    x[0, NUMERIC[0]] = np.nan
    x[1, NUMERIC[1]] = np.inf
    center, scale = np.ones(numeric), np.full(numeric, 2.0)
    z, hinge, flags = WithinModel._blocks(x, center, scale, np.arange(numeric))
    expected = np.nan_to_num((x[:, list(NUMERIC)] - center) / scale)
    np.testing.assert_array_equal(z, expected)
    assert z[0, 0] == 0.0 and z[1, 1] == np.finfo(float).max and z[2, 0] == 0.5
    np.testing.assert_array_equal(flags, np.isnan(x[:, list(NUMERIC)]))
    np.testing.assert_array_equal(hinge, np.maximum(expected, 0.0))
