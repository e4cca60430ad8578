"""The gain of a move, calibrated on the moves people really made, with an interval.

What HR acts on is a gain: the predicted score in another unit minus the predicted score of
staying. The difference of two regressor predictions is not a calibrated estimate of it:
the model shrinks the person x unit fit, learns the cost of moving from past transfers that
were chosen (often for a fit the records show only in part), and the largest of 280
differences is the likeliest to be too high (the winner's curse). So the raw difference is
mapped to the expected true gain, `alpha + beta * raw`, fitted on the held-out period's real
moves, using observed scores only:

- For a person who moved in the held-out year, the realised gain proxy is
  `z = score in the new unit - predicted score of staying - rho * last year's residual`:
  the last term removes what the model already got wrong about that person (their error
  persists, with coefficient `rho` measured on the year's stayers), so that it does not
  pass for a gain.
- Regressing `z` on the raw gain gives the line. It conditions on the raw gain, so picking
  the largest raw gains afterwards does not bias it (regression to the mean is the
  correction for the winner's curse); `beta` below 1 says how much of a raw difference is
  real.
- The interval: the spread of `z` around the line among movers, plus the line's own
  uncertainty at that raw gain. It is what a move's outcome shows a year later, and it is
  not reduced by the noise stayers show (a true gain of 0 with the noise of a single score):
  that deconvolution is a difference of two variances of a few hundred moves each, whose
  sampling error is as large as the spread left, and where it came out near zero every
  positive gain looked certain (last round's world 212 suggested moves to 53% of its staff,
  30% of them helping). The movers' full spread also stands in for what the line cannot
  see: its error at the move the model picks as best is larger than at the moves people
  made. Chosen on the choice seeds (each decile of the probability within 0.10 of the share
  truly helping), reported on the report seeds (docs/benchmarks.md). Measured again with the noise
  taken out at the outcomes' upper bound (`p_of_truth`, `GainCalibration.truth_sd`, off):
  on the report seeds the median world's suggested moves helped 71% of the time against
  81%, and world 212 moved 24% of its staff with its claims right on average, 67% helping
  (docs/benchmarks.md, "The probability of helping from the true gains' spread").

What real moves cannot show. Past transfers were chosen, often for a fit the records show
only in part, so the moves people made turned out better than a move the model suggests
will, and the model's best of ~95 moves is the likeliest to be overstated. Two corrections
were chosen on the family's choice seeds 101-112 (last round) and stay until a correction
measured on the data beats them: the slope is capped at 1 (a raw difference is never
amplified), and `SELECTION_SHIFT` points come off every move's gain. They are priors, not
measurements of this agency's data, and are logged with the model. This round measured the
alternative, the line as fitted (no cap, no shift, the movers' full spread): on the report
seeds 201-212 its suggested moves helped 35% of the time (median world) with claims 4.8
points above the truth, and one world would have moved 43% of its staff; so it was not
adopted (docs/benchmarks.md, "Decisions across worlds").

Which moves to suggest is a decision over the whole table. Each move gets the probability
that it truly helps, `P(gain > 0) = Phi(gain / sd)`, `sd` the movers' spread around the
line plus the line's own uncertainty at that raw gain. A `Decision` then asks for a share of suggested
moves that truly help (`precision`, 0.8 by default): each employee's best move is ranked by
that probability, and the longest run from the top whose mean probability reaches the
precision is suggested (the Bayesian false-discovery rule: the expected share of suggested
moves that do not help is at most 1 - precision), stopping before any move less likely to
help than not (`LEAST_P`: an expected gain below 0). The threshold, and so how many moves are
suggested, is set by this data's probabilities, not by a fixed cut on the interval. An
optional floor on the interval's lower end (`min_gain_low`) can be added on top.

With fewer than `MIN_MOVES` observed moves the line falls back to the prior `alpha = 0,
beta = PRIOR_BETA` with the pooled residual spread, and says so.

A pilot, while no outcome of the agency's own suggestions has been seen. How far the claim
at the top of the model's order is off differs between worlds by up to 11 points, and no
statistic of the records tracks it (docs/benchmarks.md, "Decisions across worlds"): what shows it is
the outcome of the model's own picks, a year after they were made. Until the line has been
refit on such outcomes (`refit_on_outcomes`), a `Decision` also suggests a pilot: the
`pilot_size` surest best moves of the staff (each employee's best move, ranked by its
probability of helping, each more likely to help than not), flagged as a pilot wherever it
is shown, as few as measure the top's gain to within `PILOT_MARGIN` points (80%) given the
movers' spread, and never fewer than `MIN_MOVES` (what the refit needs) nor more than
`PILOT_MAX_SHARE` of the staff. People decide on each; their outcomes set the line that
later decisions use, and the pilot ends.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm
from scipy.stats import t as student_t

from features.data import HRData
from features.pipeline import build_features, take_snapshot

Predictor = Callable[[pd.DataFrame], np.ndarray]

MIN_MOVES = 30
PRIOR_BETA = 0.5  # without evidence, trust half of a raw difference
MAX_BETA = 1.0  # never amplify a raw difference
SELECTION_SHIFT = 2.0  # points off every move's gain (see above); chosen on seeds 101-112
PILOT_MARGIN = 1.0  # points: the pilot's mean outcome within this of the truth, 80% of the time
PILOT_MAX_SHARE = 0.05  # of the staff with a move: the most a pilot moves
# no move is suggested, on the evidence or as a pilot, unless likelier to help than not
LEAST_P = 0.5
EARLY_LEAST = 10  # outcomes: the fewest whose spread an early refit reads (`Shortfall`)
EARLY_LEVEL = 0.975  # one-sided, at each look: how sure an early refit is the claims are too high


@dataclass(frozen=True)
class GainCalibration:
    """`alpha + beta * raw gain`, its 2x2 covariance, and the spread of a move's outcome
    around it beyond that; `level` is the interval's nominal coverage."""

    alpha: float
    beta: float
    cov: tuple[tuple[float, float], tuple[float, float]]
    sd: float
    level: float
    rho: float
    n_moves: int
    n_stays: int
    fallback: bool = False
    shift: float = SELECTION_SHIFT
    source: str = "held-out moves"  # or "outcomes": refit on the agency's executed suggestions
    # the winner's curse through the staying leg, measured on stayers (`stay_curse`)
    stay_slope: float = 0.0
    stay_center: float = 0.0
    # after a refit on outcomes: the held-out line's gain where it is surest (raw gain, gain,
    # variance), which every later refit starts from again (`refit_on_outcomes`)
    anchor: tuple[float, float, float] | None = None
    # the spread of a stayer's outcome (`HeldOutMoves.z_stays`: a true gain of 0), and
    # whether the probability of helping reads the true gains' spread (`truth_sd`) rather
    # than the outcome's (`PENATAAN_GAIN_P_OF_TRUTH`)
    noise: float = 0.0
    p_of_truth: bool = False

    def truth_sd(self) -> float:
        """How far a move's true gain lies from the line: the spread of outcomes around it
        less what a single outcome's noise adds (`noise`, from thousands of stayers), with the
        outcomes' variance at its upper 90% bound (a difference of variances read from a few
        hundred moves is not known better than that); the outcome's spread itself when no
        noise was measured. 0 where the noise is as large as that bound: the probability is
        then as sure as the line's own uncertainty allows (what the default spread avoids)."""
        if self.noise <= 0 or self.n_moves < 3:
            return self.sd
        upper = self.sd**2 * (self.n_moves - 2) / chi2.ppf(0.1, self.n_moves - 2)
        return float(np.sqrt(max(upper - self.noise**2, 0.0)))

    def apply(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Calibrated gain of moves, its interval and the probability that the move truly
        helps, for raw gains (the caller sets the stay rows: staying is the reference)."""
        raw = np.asarray(raw, dtype=float)
        gain = (
            self.alpha + self.beta * raw - self.shift - self.stay_slope * (raw - self.stay_center)
        )
        (va, cab), (_, vb) = self.cov
        line_var = np.maximum(va + 2 * cab * raw + vb * raw**2, 0.0)
        sd = np.maximum(np.sqrt(self.sd**2 + line_var), 1e-9)
        half = norm.ppf(0.5 + self.level / 2) * sd
        sure = np.maximum(np.sqrt(self.truth_sd() ** 2 + line_var), 1e-9) if self.p_of_truth else sd
        return gain, gain - half, gain + half, norm.cdf(gain / sure)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GainCalibration:
        cov, anchor = values["cov"], values.get("anchor")
        return cls(
            **{**values, "cov": ((cov[0][0], cov[0][1]), (cov[1][0], cov[1][1])),
               "anchor": None if anchor is None else (anchor[0], anchor[1], anchor[2])}
        )  # fmt: skip

    def surest_point(self) -> tuple[float, float, float] | None:
        """Where the line fitted on held-out moves knows the gain best: the raw gain at which
        its variance is least (the held-out movers' mean raw gain), the calibrated gain
        there and that variance; the kept `anchor` once refit on outcomes; None where the
        line has no slope's uncertainty to read it from."""
        if self.anchor is not None or self.source == "outcomes":
            return self.anchor
        (va, cab), (_, vb) = self.cov
        if not vb > 0:
            return None
        raw = -cab / vb
        return raw, float(self.apply(np.array([raw]))[0][0]), max(va - cab**2 / vb, 0.0)


@dataclass(frozen=True)
class HeldOutMoves:
    """What the calibration reads: per held-out mover the raw gain and the realised proxy
    `z`; per held-out stayer its `z` (a true gain of 0)."""

    raw: np.ndarray
    z_moves: np.ndarray
    z_stays: np.ndarray
    rho: float
    best_stays: np.ndarray | None = None  # per stayer: their best move's raw gain (or NaN)


def held_out_moves(
    data: HRData, point: Predictor, fit_rows: pd.DataFrame, valid: pd.DataFrame,
    best_raw: pd.Series | None = None,
    raw_gain: Callable[[pd.DataFrame, pd.DataFrame], np.ndarray] | None = None,
) -> HeldOutMoves:  # fmt: skip
    """The held-out period's moves and stays, as the calibration reads them.

    `point` is a model fitted without the held-out period (its predicted score) and
    `raw_gain` its raw gain of rows over stay rows (`PlacementModel.raw_gain`; default the
    difference of `point`s); `fit_rows`
    and `valid` are training rows (with `score`) of the fitted periods and of the held-out
    one. A mover is a held-out row whose unit is not the one the person held on its as-of
    date.
    """
    period = int(valid["period"].iloc[0])
    before = fit_rows[fit_rows["period"] == period - 1]
    r_before = pd.Series(before["score"].to_numpy() - point(before), index=before["nip"].to_numpy())
    r_before = r_before[~r_before.index.duplicated()]
    valid = valid[valid["nip"].isin(r_before.index)]
    stays = valid[valid["is_stay"].to_numpy() == 1]
    r_stay = stays["score"].to_numpy() - point(stays)
    r_stay_before = r_before.reindex(stays["nip"]).to_numpy()
    rho = persistence(r_stay, r_stay_before)

    moved = valid[valid["is_stay"].to_numpy() == 0]
    as_of = pd.Timestamp(moved["as_of"].iloc[0]) if len(moved) else pd.Timestamp(period, 1, 1)
    current = take_snapshot(data, as_of).employees["current_unit"]
    moved = moved[moved["nip"].map(current).notna().to_numpy()]
    stay_pairs = pd.DataFrame(
        {"nip": moved["nip"].to_numpy(), "unit_id": moved["nip"].map(current).to_numpy(),
         "as_of": moved["as_of"].to_numpy()}
    )  # fmt: skip
    stay_rows = build_features(data, stay_pairs) if len(moved) else None
    stay_pred = point(stay_rows) if stay_rows is not None else np.zeros(0)

    def difference(here: pd.DataFrame, stay: pd.DataFrame) -> np.ndarray:
        return point(here) - point(stay)

    raw_gain = raw_gain or difference
    r_moved_before = r_before.reindex(moved["nip"]).to_numpy()
    return HeldOutMoves(
        raw=raw_gain(moved, stay_rows) if stay_rows is not None else np.zeros(0),
        z_moves=moved["score"].to_numpy() - stay_pred - rho * r_moved_before,
        z_stays=r_stay - rho * r_stay_before,
        rho=rho,
        best_stays=None if best_raw is None else best_raw.reindex(stays["nip"]).to_numpy(float),
    )


def persistence(r_now: np.ndarray, r_before: np.ndarray) -> float:
    """How much of last year's residual a stayer keeps (regression through the origin,
    clipped to [0, 1])."""
    denominator = float((r_before**2).sum())
    if len(r_now) < MIN_MOVES or denominator <= 0:
        return 0.0
    return float(np.clip((r_now * r_before).sum() / denominator, 0.0, 1.0))


def stay_curse(moves: HeldOutMoves) -> tuple[float, float]:
    """(slope, centre) of the stayers' realised proxy on their best move's raw gain.

    A large raw gain is partly an underestimated staying leg: the people whose prediction of
    staying came out too low look best to move, and would have done better than predicted
    had they stayed. Among the held-out year's stayers (a true gain of 0), the slope of `z`
    on how good their best move looked measures that, from thousands of people rather than
    the hundreds who moved; the movers' line does not see it, because past transfers were
    not chosen by the model's raw gain. Clipped to [0, 1]: no slope is read as a benefit."""
    best, z = moves.best_stays, moves.z_stays
    if best is None:
        return 0.0, 0.0
    keep = np.isfinite(best) & np.isfinite(z)
    if keep.sum() < MIN_MOVES or np.ptp(best[keep]) == 0:
        return 0.0, 0.0
    slope = float(np.polyfit(best[keep], z[keep], 1)[0])
    return float(np.clip(slope, 0.0, 1.0)), float(best[keep].mean())


def fit_calibration(
    moves: HeldOutMoves, level: float, prior: bool = True, measured: bool = False,
    p_of_truth: bool = False,
) -> GainCalibration:  # fmt: skip
    """The line of realised on raw gains among held-out movers, and its interval.

    `prior` (the default, `PENATAAN_GAIN_PRIOR`): the slope capped at 1 and
    `SELECTION_SHIFT` off every gain. Without it, the line as the moves show it (only a
    backwards slope is dropped): the evidence-only alternative measured in docs/benchmarks.md, kept
    so that it can be re-measured. Either way the interval's spread is the movers' full
    spread; `p_of_truth` has the probability of helping read the true gains' spread instead
    (`GainCalibration.truth_sd`, the stayers' noise taken out)."""
    raw, z, stays = moves.raw, moves.z_moves, moves.z_stays
    if len(raw) < MIN_MOVES or np.ptp(raw) == 0:
        pooled = z if len(z) > 1 else stays
        spread = float(np.std(pooled, ddof=1)) if len(pooled) > 1 else 0.0
        return GainCalibration(
            0.0, PRIOR_BETA, ((0.0, 0.0), (0.0, 0.0)), spread, level, moves.rho, len(raw),
            len(stays), fallback=True,
        )  # fmt: skip
    x = np.column_stack([np.ones_like(raw), raw])
    coef, *_ = np.linalg.lstsq(x, z, rcond=None)
    alpha, beta = float(coef[0]), float(coef[1])
    highest = MAX_BETA if prior else np.inf
    if not 0 <= beta <= highest:  # backwards: no information; above 1: selection (see above)
        beta = float(np.clip(beta, 0.0, highest))
        alpha = float((z - beta * raw).mean())
    resid = z - alpha - beta * raw
    resid_var = float(resid @ resid) / max(len(raw) - 2, 1)
    cov = resid_var * np.linalg.inv(x.T @ x)
    slope, centre = stay_curse(moves) if measured else (0.0, 0.0)
    shift = SELECTION_SHIFT if prior and not measured else 0.0
    return GainCalibration(
        alpha, beta, ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
        float(np.sqrt(resid_var)), level, moves.rho, len(raw), len(stays), shift=shift,
        stay_slope=slope, stay_center=centre, p_of_truth=p_of_truth,
        noise=float(np.std(stays, ddof=1)) if len(stays) > 1 else 0.0,
    )  # fmt: skip


@dataclass(frozen=True)
class Shortfall:
    """The agency's outcomes against what was claimed for the same moves: a paired t test,
    one-sided, of realised below claimed.

    Why it exists: a refit waits for `PENATAAN_MIN_OUTCOMES` (30) outcomes, and a round may
    bring fewer (a small staff's pilot is capped at 5% of it, a full formasi admits fewer,
    people reject some), so where the model's top is wrong the pilot goes on moving people
    into worse units for more than a year (`bench/loop.py`: before the round's cap was
    mended, world 202's pilot moved 6-8 people a year for five years, 17-71% helping). When the outcomes so far
    already rule the claims out, waiting buys nothing but more such moves, so the refit may
    come early (`refit_on_outcomes`). Only the harmful side stops early: outcomes
    above the claims mean the pilot helps more than it said, and the refit can wait for 30.

    The test is made at every look (each year's outcomes, added to the earlier ones), so
    each look asks for `EARLY_LEVEL` (97.5% one-sided): over three looks between 10 and 30
    outcomes (world 202's, before the cap was mended), claims that were right are ruled out
    by chance about 5% of the time (`tests/oversight/test_loop.py` simulates it), and what
    that costs is a line refit on fewer outcomes (weighted against the held-out anchor, as
    every refit is), not a move. With fewer than `EARLY_LEAST` outcomes the spread the test
    divides by is too unsure to read."""

    n: int
    claimed: float  # mean claimed gain
    realised: float  # mean realised gain
    t: float  # (realised - claimed) over its standard error; NaN below two or without spread
    bound: float  # the t below which the claims are ruled out

    @property
    def rules_out_claims(self) -> bool:
        return self.n >= EARLY_LEAST and bool(self.t < -self.bound)

    def describe(self) -> str:
        return (
            f"{self.n} outcome(s) realised {self.realised:+.2f} against {self.claimed:+.2f} "
            f"claimed (t = {self.t:.2f}; the claims are ruled out below -{self.bound:.2f} "
            f"with at least {EARLY_LEAST} outcomes)"
        )


def shortfall(claimed: np.ndarray, realised: np.ndarray) -> Shortfall:
    """The paired test of `Shortfall` on moves' claimed and realised gains."""
    difference = np.asarray(realised, dtype=float) - np.asarray(claimed, dtype=float)
    n = len(difference)
    if n < 2:
        return Shortfall(n, float(np.mean(claimed)) if n else np.nan,
                         float(np.mean(realised)) if n else np.nan, np.nan, np.inf)  # fmt: skip
    error = float(np.std(difference, ddof=1)) / math.sqrt(n)
    t = float(difference.mean()) / error if error > 0 else np.nan  # no spread: no test
    return Shortfall(n, float(np.mean(claimed)), float(np.mean(realised)), t,
                     float(student_t.ppf(EARLY_LEVEL, n - 1)))  # fmt: skip


def refit_on_outcomes(
    calibration: GainCalibration, raw: np.ndarray, realised: np.ndarray, least: int = MIN_MOVES
) -> GainCalibration:
    """The line refit on what the agency's own executed suggestions realised a year later.

    These moves are the model's own picks, made on its suggestions: the selection that the
    held-out moves suffer from (people moved on a fit no record shows) is absent, so no
    selection prior is taken off (`shift` 0), and the winner's curse is measured, not
    assumed (so neither the prior nor a curse measured on stayers is taken off).

    Suggested moves are the top of the model's order, a narrow range of raw gains far from
    where the past movers were. What their outcomes say is the gain *there*; moving the
    whole line by it (as this refit once did) carried the top's offset to every move, and
    on a world whose top gained 6 points more than claimed the next round suggested 160
    moves of which 63% helped (`bench/loop.py`). So the line is fitted through both: the
    outcomes, and the held-out line's gain where that line is surest (at the past movers'
    mean raw gain, with its variance: `GainCalibration.surest_point`), weighted by their
    precisions (weighted least squares, the anchor one observation). Outcomes spread over a
    narrow range then set the level at the top and the anchor the slope below it; outcomes
    spread widely set the slope themselves. A slope below 0 (the order backwards) is taken
    as none. The spread is the outcomes' around the new line, beside the line's own
    uncertainty. Without an anchor (a line without a slope's uncertainty) the slope is
    kept and the outcomes set the intercept. `realised` is the evaluation in the new unit
    minus the model's prediction of staying. Approval is never a label: only realised
    outcomes enter. Refused with fewer than `least` outcomes (`PENATAAN_MIN_OUTCOMES`)
    unless they already rule out what this line claimed for the same moves (`Shortfall`)."""
    raw, realised = np.asarray(raw, dtype=float), np.asarray(realised, dtype=float)
    if len(raw) < max(least, 2):
        early = shortfall(calibration.apply(raw)[0], realised)
        if not early.rules_out_claims:
            raise ValueError(
                f"{len(raw)} observed outcome(s) of executed suggestions; at least "
                f"{max(least, 2)} are needed to refit the gain calibration "
                f"(PENATAAN_MIN_OUTCOMES), or at least {EARLY_LEAST} that realise less than "
                f"claimed beyond chance" + (f": {early.describe()}" if early.n >= 2 else "")
            )
    anchor = calibration.surest_point()
    if anchor is None:
        beta = calibration.beta
        alpha = float((realised - beta * raw).mean())
        resid_var = float(np.var(realised - alpha - beta * raw, ddof=1))
        cov = ((resid_var / len(raw), 0.0), (0.0, calibration.cov[1][1]))
    else:
        x = np.column_stack([np.ones(len(raw) + 1), np.append(raw, anchor[0])])
        y = np.append(realised, anchor[1])
        resid_var = float(np.var(realised, ddof=1))  # the outcomes' own, then around the line
        for _ in range(3):
            w = np.append(np.full(len(raw), 1 / max(resid_var, 1e-9)), 1 / max(anchor[2], 1e-9))
            info = x.T @ (w[:, None] * x)
            alpha, beta = np.linalg.solve(info, x.T @ (w * y))
            if beta < 0:  # backwards: no slope, the precision-weighted level
                alpha, beta = float(np.average(y, weights=w)), 0.0
            resid_var = float(np.var(realised - alpha - beta * raw, ddof=1))
        inv = np.linalg.inv(info)
        cov = ((float(inv[0, 0]), float(inv[0, 1])), (float(inv[1, 0]), float(inv[1, 1])))
    return dataclasses.replace(
        calibration, alpha=float(alpha), beta=float(beta), cov=cov,
        sd=float(np.sqrt(resid_var)), n_moves=len(raw), fallback=False, shift=0.0,
        stay_slope=0.0, stay_center=0.0, source="outcomes", anchor=anchor,
    )  # fmt: skip


def pilot_size(calibration: GainCalibration) -> int:
    """How many moves a pilot makes (before `PILOT_MAX_SHARE`): 0 once the line has been
    refit on the agency's outcomes; else enough outcomes for their mean to land within
    `PILOT_MARGIN` points of the top's true gain 80% of the time, given the spread of a
    move's outcome (`calibration.sd`), and at least `MIN_MOVES`, what the refit needs."""
    if calibration.source == "outcomes":
        return 0
    needed = math.ceil((norm.ppf(0.9) * calibration.sd / PILOT_MARGIN) ** 2)
    return max(MIN_MOVES, needed)


@dataclass(frozen=True)
class Threshold:
    """The least probability of helping a suggested move has: `evidence`, where the
    suggested moves' expected share that truly helps reaches the precision, and `pilot`,
    that of the pilot's last move (infinity: none above it), and how many moves the pilot
    takes beyond the evidence's. A move at or above `evidence` is suggested on the evidence; one between `pilot`
    and `evidence`, as a pilot. (A round, bound by formasi, may instead take up to
    `pilot_moves` of the moves likelier to help than not: `planning.problem`.)"""

    evidence: float
    pilot: float = float("inf")
    pilot_moves: int = 0

    @property
    def least(self) -> float:
        return min(self.evidence, self.pilot)

    def as_budget(self) -> Threshold:
        """The round's view: with a pilot, every move likelier to help than not may be
        taken as one (the solver keeps them within `pilot_moves`), since the pilot's own
        moves, each person's surest, mostly lead into full units."""
        if not self.pilot_moves:
            return self
        return dataclasses.replace(self, pilot=float(np.nextafter(LEAST_P, 1.0)))


@dataclass(frozen=True)
class Decision:
    """The operating point: the share of suggested moves that must truly help, an optional
    floor on the lower end of a suggested move's gain interval, and the pilot's size
    (`None`: `pilot_size`, from the data; 0: no pilot; a pilot ends either way once the line
    has been refit on outcomes)."""

    precision: float = 0.8
    min_gain_low: float | None = None
    pilot: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.precision < 1:
            raise ValueError(f"precision {self.precision!r} must lie strictly between 0 and 1")
        if self.pilot is not None and self.pilot < 0:
            raise ValueError(f"pilot {self.pilot!r} must be 0 (none) or a number of moves")

    def threshold(self, p_best: np.ndarray, sized: int) -> Threshold:
        """The threshold set on a staff: `p_best` is each employee's best move's probability
        of helping, for every employee with an allowed move, whether or not it is predicted
        to help (the pilot's cap is a share of them: a caller that passes only the helping
        ones shrinks it), and `sized` the model's `pilot_size` (0: its line has seen
        outcomes)."""
        p = np.sort(np.asarray(p_best, dtype=float)[np.isfinite(p_best)])[::-1]
        likely = p[p > LEAST_P]
        # the run may not reach below one half: a set of moves can help `precision` of the
        # time on average while its last ones, each more likely to hurt than to help (an
        # expected gain below 0), ride on the surest; a low `precision` asked took them all
        evidence = precision_threshold(likely, self.precision)
        moves = 0 if sized == 0 else sized if self.pilot is None else self.pilot
        moves = min(moves, int(PILOT_MAX_SHARE * len(p)))
        likely = likely[:moves]
        last = float(likely[-1]) if len(likely) else float("inf")
        return Threshold(evidence, last, int((likely < evidence).sum()))  # the evidence's aside

    def accepts(self, p_help: np.ndarray, gain_low: np.ndarray, threshold: Threshold) -> np.ndarray:
        """Moves this operating point suggests, given the threshold set on the staff they
        belong to: probability of helping at least `threshold.least`, and the gain interval's
        lower end above `min_gain_low` when that is set (NaN: never)."""
        mask = np.nan_to_num(p_help, nan=-1.0) >= threshold.least
        if self.min_gain_low is not None:
            mask &= np.nan_to_num(gain_low, nan=-np.inf) > self.min_gain_low
        return np.asarray(mask)


def on_pilot(p_help: np.ndarray, threshold: Threshold) -> np.ndarray:
    """Of suggested moves, those suggested as a pilot rather than on the evidence."""
    return np.asarray(np.nan_to_num(p_help, nan=np.inf) < threshold.evidence)


def precision_threshold(p_best: np.ndarray, precision: float) -> float:
    """The least probability of helping a suggested move may have: each employee's best move
    ranked by its probability, the longest run from the top whose mean reaches `precision`
    (infinity, nothing suggested, when even the surest move falls short)."""
    p = np.sort(np.asarray(p_best, dtype=float)[np.isfinite(p_best)])[::-1]
    if len(p) == 0:
        return float("inf")
    running = np.cumsum(p) / np.arange(1, len(p) + 1)
    reached = np.flatnonzero(running >= precision)
    return float(p[reached[-1]]) if len(reached) else float("inf")
