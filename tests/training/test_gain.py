"""The gain calibration: it recovers a known line, a calibrated interval and probability of
helping from noisy moves, and falls back to its documented prior when there are too few
moves; the decision rule keeps the expected share of suggested moves that help at the target."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from features.data import HRData
from tests.helpers import FAST
from training.gain import (
    MAX_BETA,
    MIN_MOVES,
    PILOT_MAX_SHARE,
    PRIOR_BETA,
    SELECTION_SHIFT,
    Decision,
    GainCalibration,
    HeldOutMoves,
    fit_calibration,
    held_out_moves,
    on_pilot,
    pilot_size,
    precision_threshold,
    refit_on_outcomes,
)
from training.model import PlacementModel
from training.rows import split_by_time, training_rows


def _moves(n: int, seed: int = 0) -> tuple[HeldOutMoves, np.ndarray, np.ndarray]:
    """Raw gains, true gains on the line 1 + 0.5 raw with spread 1, and realised proxies with
    the noise of a single score (sd 2) that stayers show too."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(0, 3, n)
    true = 1.0 + 0.5 * raw + rng.normal(0, 1.0, n)
    z = true + rng.normal(0, 2.0, n)
    stays = rng.normal(0, 2.0, n)
    return HeldOutMoves(raw, z, stays, rho=0.0), raw, true


def test_calibration_recovers_the_line_and_covers_the_outcome() -> None:
    moves, _, _ = _moves(4000)
    cal = fit_calibration(moves, 0.8)
    assert cal.alpha == pytest.approx(1.0, abs=0.15) and cal.beta == pytest.approx(0.5, abs=0.05)
    # the movers' full spread: the true gain's (1) and a single score's noise (2) together
    assert cal.sd == pytest.approx(np.sqrt(1.0 + 4.0), abs=0.25) and not cal.fallback
    fresh, raw, _ = _moves(4000, seed=1)
    outcome = fresh.z_moves
    gain, low, high, p_help = dataclasses.replace(cal, shift=0.0).apply(raw)
    assert np.mean((outcome >= low) & (outcome <= high)) == pytest.approx(0.8, abs=0.04)
    # the probability of helping is calibrated on what a move's outcome shows: by quintile,
    # the share of outcomes above zero matches the mean probability
    quintile = np.digitize(p_help, np.quantile(p_help, [0.2, 0.4, 0.6, 0.8]))
    for q in range(5):
        inside = quintile == q
        assert np.mean(outcome[inside] > 0) == pytest.approx(p_help[inside].mean(), abs=0.05)
    # the selection prior comes off every move's gain, and only that
    np.testing.assert_allclose(cal.apply(raw)[0], gain - SELECTION_SHIFT)
    assert SELECTION_SHIFT > 0


def test_the_probability_can_read_the_true_gains_spread_the_stayers_noise_taken_out() -> None:
    """With `p_of_truth` the probability of helping is of the true gain (spread 1 around the
    line), not of a year's outcome (spread sqrt 5); the interval stays the outcome's."""
    moves, _, _ = _moves(4000)
    cal = fit_calibration(moves, 0.8, p_of_truth=True)
    assert cal.noise == pytest.approx(2.0, abs=0.1)
    assert 1.0 <= cal.truth_sd() <= 1.3  # the upper bound of what the moves show, not below it
    fresh, raw, true = _moves(4000, seed=1)
    line = dataclasses.replace(cal, shift=0.0)
    _, low, high, p_help = line.apply(raw)
    quintile = np.digitize(p_help, np.quantile(p_help, [0.2, 0.4, 0.6, 0.8]))
    for q in range(5):
        inside = quintile == q
        assert np.mean(true[inside] > 0) == pytest.approx(p_help[inside].mean(), abs=0.05)
    outcome = fresh.z_moves
    assert np.mean((outcome >= low) & (outcome <= high)) == pytest.approx(0.8, abs=0.04)
    # a line without measured noise (too few moves: the prior) keeps the outcome's spread
    assert dataclasses.replace(cal, noise=0.0).truth_sd() == cal.sd
    # a champion registered before the option loads with neither field: the outcome's spread
    older = {k: v for k, v in cal.to_dict().items() if k not in ("noise", "p_of_truth")}
    loaded = GainCalibration.from_dict(older)
    assert loaded == dataclasses.replace(cal, noise=0.0, p_of_truth=False)
    assert GainCalibration.from_dict(cal.to_dict()) == cal


def test_a_spread_the_stayers_noise_would_cancel_still_counts() -> None:
    """Movers whose outcomes scatter no more than stayers' once looked certain (spread 0)."""
    rng = np.random.default_rng(3)
    raw = rng.normal(0, 3, 300)
    z = 0.5 * raw + rng.normal(0, 2.0, 300)  # all of the scatter is a single score's noise
    cal = fit_calibration(HeldOutMoves(raw, z, rng.normal(0, 2.1, 3000), 0.0), 0.8)
    assert cal.sd == pytest.approx(2.0, abs=0.3)
    _, _, _, p_help = dataclasses.replace(cal, shift=0.0).apply(np.array([2.0]))
    assert 0.6 < p_help[0] < 0.8  # a one-point expected gain against two points of scatter


def test_a_slope_above_one_is_capped_never_amplifying_a_raw_difference() -> None:
    moves, raw, _ = _moves(2000)
    steep = HeldOutMoves(raw, 3.0 * moves.z_moves, moves.z_stays, 0.0)
    cal = fit_calibration(steep, 0.8)
    assert cal.beta == MAX_BETA
    assert cal.alpha == pytest.approx(float((steep.z_moves - raw).mean()))
    # without the prior: the slope as measured, no shift
    measured = fit_calibration(steep, 0.8, prior=False)
    assert measured.beta == pytest.approx(1.5, abs=0.15) and measured.shift == 0.0
    assert measured.sd == pytest.approx(3.0 * np.sqrt(1.0 + 4.0), abs=0.5)


def test_a_backwards_ranking_carries_no_gain_information() -> None:
    moves, raw, _ = _moves(500)
    backwards = HeldOutMoves(raw, -moves.z_moves, moves.z_stays, 0.0)
    cal = fit_calibration(backwards, 0.8)
    assert cal.beta == 0.0 and cal.alpha == pytest.approx(float(-moves.z_moves.mean()))


def test_too_few_moves_fall_back_to_the_prior() -> None:
    moves, raw, _ = _moves(MIN_MOVES - 1)
    cal = fit_calibration(moves, 0.8)
    assert cal.fallback and cal.beta == PRIOR_BETA and cal.alpha == 0.0 and cal.sd > 0


def test_held_out_moves_of_the_small_world(hr_data: HRData) -> None:
    rows = training_rows(hr_data)
    fit_rows, valid = split_by_time(rows)
    model = PlacementModel.fit(fit_rows, FAST, valid)
    moves = held_out_moves(hr_data, model.point, fit_rows, valid)
    moved = int((valid["is_stay"] == 0).sum())
    assert 0 < len(moves.raw) <= moved and len(moves.raw) == len(moves.z_moves)
    assert np.isfinite(moves.raw).all() and np.isfinite(moves.z_moves).all()
    assert 0.0 <= moves.rho <= 1.0 and len(moves.z_stays) > len(moves.raw)


def test_the_threshold_keeps_the_expected_share_that_helps_at_the_precision() -> None:
    # running means of the sorted probabilities: 0.95, 0.925, 0.85, 0.7625
    p = np.array([0.5, 0.95, 0.7, 0.9])
    assert precision_threshold(p, 0.8) == 0.7
    assert precision_threshold(p, 0.9) == 0.9
    assert precision_threshold(p, 0.96) == float("inf")  # nothing is sure enough
    assert precision_threshold(np.array([]), 0.8) == float("inf")
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 10_000)
    chosen = p >= precision_threshold(p, 0.8)
    assert p[chosen].mean() >= 0.8 > p[p >= np.quantile(p, 0.5)].mean() - 0.05
    with pytest.raises(ValueError, match="precision"):
        Decision(precision=1.0)


def test_no_move_less_likely_to_help_than_not_is_suggested() -> None:
    """A run of moves can help 80% of the time on average while its last ones, each more
    likely to hurt (an expected gain below 0), ride on the surest; and a client asking for
    precision 0.3 was suggested nearly every best move. The run stops above one half."""
    p_best = np.concatenate([np.full(100, 0.99), np.full(20, 0.3)])  # mean of all: 0.875
    assert precision_threshold(p_best, 0.8) == 0.3  # the bare rule takes them
    assert Decision(0.8).threshold(p_best, sized=0).least == 0.99
    spread = np.random.default_rng(4).uniform(0, 1, 10_000)
    loose = Decision(0.3).threshold(spread, sized=0)
    assert precision_threshold(spread, 0.3) < 0.1  # the bare rule: nearly every move
    assert 0.5 < loose.least < 0.51 and (spread >= loose.least).sum() == (spread > 0.5).sum()
    assert Decision(0.3).threshold(np.full(50, 0.45), sized=0).least == float("inf")


def test_a_pilot_tries_the_surest_moves_until_outcomes_refit_the_line() -> None:
    """Before any outcome: the pilot is sized from the movers' spread (enough outcomes for
    their mean to land within a point of the truth, 80% of the time; never fewer than the
    refit needs), takes the surest best moves likelier to help than not, capped at a share
    of the staff, and is flagged apart from the moves the evidence suggests. Once the line
    has been refit on outcomes, no pilot; `pilot=0` turns it off, a number sets it."""
    rng = np.random.default_rng(5)
    moves = HeldOutMoves(rng.normal(0, 2, 300), rng.normal(0, 5.6, 300), rng.normal(0, 4, 2000), 0.3)  # fmt: skip
    line = fit_calibration(moves, 0.8)
    assert pilot_size(line) == math.ceil((1.2815516 * line.sd) ** 2) > MIN_MOVES  # ~52 at 5.6
    narrow = dataclasses.replace(line, sd=1.0)
    assert pilot_size(narrow) == MIN_MOVES  # the refit's minimum, however narrow the spread
    refit = refit_on_outcomes(line, rng.normal(3, 1, 40), rng.normal(1, 5, 40))
    assert pilot_size(refit) == 0

    p_best = np.concatenate([[0.95, 0.9], np.linspace(0.6, 0.52, 98), np.full(900, 0.3)])
    t = Decision(0.8).threshold(p_best, sized=40)
    assert t.evidence == precision_threshold(p_best, 0.8) == 0.6  # 3 moves on the evidence
    assert t.pilot == np.sort(p_best)[::-1][39] and t.least == t.pilot  # the 40th surest
    assert t.pilot_moves == 37  # beyond the evidence's three
    suggested = Decision(0.8).accepts(p_best, p_best, t)
    assert suggested.sum() == 40 and on_pilot(p_best[suggested], t).sum() == 37
    capped = Decision(0.8).threshold(p_best, sized=500)  # never more than the share
    assert (p_best >= capped.least).sum() == int(PILOT_MAX_SHARE * len(p_best)) == 50
    # where the evidence alone suggests more moves than the pilot would, nothing is a pilot
    sure = np.concatenate([np.full(60, 0.95), np.linspace(0.6, 0.52, 40), np.full(900, 0.3)])
    covered = Decision(0.8).threshold(sure, sized=40)
    assert covered.pilot_moves == 0 and covered.least == covered.evidence < 0.95
    assert (sure >= covered.least).sum() > 40 and not on_pilot(sure[sure >= covered.least], covered).any()  # fmt: skip
    unlikely = Decision(0.8).threshold(np.full(1000, 0.45), sized=40)
    assert unlikely.pilot == float("inf")  # a pilot never tries a move likelier to hurt
    assert Decision(0.8, pilot=0).threshold(p_best, sized=40).pilot == float("inf")
    assert Decision(0.8, pilot=10).threshold(p_best, sized=40).pilot == np.sort(p_best)[::-1][9]
    assert Decision(0.8, pilot=10).threshold(p_best, sized=0).pilot == float("inf")  # refit
    with pytest.raises(ValueError, match="pilot"):
        Decision(pilot=-1)


def test_the_curse_through_the_staying_leg_is_measured_on_stayers() -> None:
    """Stayers whose best move looked better were predicted too low for staying, by 0.6 of
    that raw gain: with the measured correction, a move's gain loses exactly that, and the
    2-point prior is not taken off as well."""
    moves, raw, _ = _moves(4000)
    rng = np.random.default_rng(3)
    best = rng.normal(1.0, 1.5, 4000)
    stays = 0.6 * (best - 1.0) + rng.normal(0, 2.0, 4000)
    measured = dataclasses.replace(moves, z_stays=stays, best_stays=best)
    cal = fit_calibration(measured, 0.8, measured=True)
    assert cal.stay_slope == pytest.approx(0.6, abs=0.05) and cal.stay_center == pytest.approx(1.0, abs=0.1)  # fmt: skip
    assert cal.shift == 0.0
    plain = fit_calibration(measured, 0.8, prior=False)
    np.testing.assert_allclose(
        cal.apply(raw)[0], plain.apply(raw)[0] - cal.stay_slope * (raw - cal.stay_center)
    )
    flat = dataclasses.replace(measured, z_stays=rng.normal(0, 2.0, 4000))
    assert fit_calibration(flat, 0.8, measured=True).stay_slope < 0.05  # nothing to take off
    assert fit_calibration(moves, 0.8, measured=True).stay_slope == 0.0  # no stayers' moves known


def test_the_reviews_decision_table_is_the_thresholds_the_service_sets() -> None:
    """The notebook's table of operating points counts what `Decision.threshold` takes: the
    longest run from the surest move whose mean reaches the precision, then the pilot."""
    from training.review import decision_table

    p = np.array([0.95, 0.9, 0.85, 0.6, 0.55, 0.3])
    table = decision_table(p, 0, Decision(precision=0.8), precisions=(0.9,))
    assert table.loc[0.8, "on the evidence"] == 4 and table.loc[0.9, "on the evidence"] == 3
    assert table.loc[0.8, "expected share helping"] == pytest.approx(0.825)
    assert bool(table.loc[0.8, "default"]) and not bool(table.loc[0.9, "default"])
    unsure = np.r_[np.linspace(0.6, 0.51, 20), np.full(20, 0.3)]  # a pilot: 5% of them at most
    piloted = decision_table(unsure, 3, Decision(precision=0.9), precisions=()).loc[0.9]
    assert (piloted["on the evidence"], piloted["as a pilot"]) == (0, 2)
    assert piloted["least probability"] == pytest.approx(unsure[1])
