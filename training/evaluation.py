"""Baselines and metrics: how good is a model at the decision it supports?

Observed scores only show each employee where they were placed, so regression metrics on the
held-out period are reported beside decision metrics against a synthetic world's truth:
for every active employee over every unit, how much better the truly best unit is than the
one suggested (regret), and how well the whole ranking agrees (Spearman, NDCG@5).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, ndcg_score, r2_score, root_mean_squared_error
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from features import vocab
from features.data import HRData
from features.definitions import CATEGORICAL, FEATURE_NAMES
from training.candidates import CandidateTable, ScoredTable
from training.model import PlacementModel
from training.rows import split_by_time, training_rows
from training.scoring import ScoredStaff, score_staff
from training.settings import PipelineSettings

Predictor = Callable[[pd.DataFrame], np.ndarray]


def fit_baselines(train: pd.DataFrame) -> dict[str, Predictor]:
    """The rules HR could use today, fitted on the same training rows as the model."""
    mean = float(train["score"].mean())
    unit_mean = train.groupby("unit_id")["score"].mean()
    # Education-field rule: a person's own level, plus a bonus where the field suits the unit.
    own = train["score_mean3"].fillna(mean)
    suits = train["field_suits_domain"] == 1
    bonus = float((train["score"] - own)[suits].mean() - (train["score"] - own)[~suits].mean())
    linear = _linear_model().fit(train[list(FEATURE_NAMES)], train["score"])

    def rule(rows: pd.DataFrame) -> np.ndarray:
        level = rows["score_mean3"].fillna(mean).to_numpy(dtype=float)
        return level + bonus * rows["field_suits_domain"].to_numpy(dtype=float)

    return {
        "global_mean": lambda rows: np.full(len(rows), mean),
        "unit_mean": lambda rows: rows["unit_id"].map(unit_mean).fillna(mean).to_numpy(dtype=float),
        "education_rule": rule,
        "linear": lambda rows: linear.predict(rows[list(FEATURE_NAMES)]),
    }


def _linear_model() -> Pipeline:
    numeric = [f for f in FEATURE_NAMES if f not in CATEGORICAL]
    columns = ColumnTransformer(
        [
            (
                "num",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                numeric,
            ),
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
        ]
    )
    return make_pipeline(columns, Ridge(alpha=1.0))


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "rmse": float(root_mean_squared_error(y, pred)),
        "mae": float(mean_absolute_error(y, pred)),
        "r2": float(r2_score(y, pred)),
    }


def read_truth(directory: Path) -> pd.DataFrame | None:
    """The world's truth, when it carries one (evaluation code only)."""
    path = directory / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"nip": str, "unit_id": str})


def true_scores(table: CandidateTable, truth: pd.DataFrame) -> np.ndarray:
    """The truth's expected score of each row of `table` (NaN where it has none)."""
    return _true_of(table, truth.set_index(["nip", "unit_id"])["expected_score"])


def _true_of(table: CandidateTable, lookup: pd.Series) -> np.ndarray:
    rows = table.rows
    index = pd.MultiIndex.from_arrays([rows["nip"].to_numpy(), rows["unit_id"].to_numpy()])
    return lookup.reindex(index).to_numpy(dtype=float)


def decision_metrics(
    table: CandidateTable,
    predicted: np.ndarray,
    true: np.ndarray,
    top: np.ndarray | None = None,
) -> dict[str, float]:
    """Regret and ranking agreement of `predicted` over every (employee, unit) pair.

    `top` is each employee's first suggestion (a row position per employee, from a decision
    policy); by default the highest prediction, ties broken in favour of staying, so a
    constant predictor means "stay". Employees whose every unit has a truth are counted.
    """
    return _decision_summary(_decision_outcomes(table, predicted, true, top))


def _decision_outcomes(
    table: CandidateTable,
    predicted: np.ndarray,
    true: np.ndarray,
    top: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """`decision_metrics` per counted employee, so that a staff scored in parts is
    summarised exactly as if it had been scored at once."""
    n_e, n_u = len(table.nips), table.n_units
    true_m = true.reshape(n_e, n_u)
    stay_m = table.is_stay.reshape(n_e, n_u)
    keep = ~np.isnan(true_m).any(axis=1) & stay_m.any(axis=1)
    if not keep.any():
        return {}
    pred = predicted.reshape(n_e, n_u)[keep]
    true_m, stay_m = true_m[keep], stay_m[keep]
    if top is None:
        chosen = _tied_mean(pred + 1e-9 * stay_m, true_m)  # prefer staying on ties
    else:
        chosen = true_m[np.arange(len(pred)), table.unit_of(top)[keep]]
    rank_pred = np.apply_along_axis(rankdata, 1, pred)
    rank_true = np.apply_along_axis(rankdata, 1, true_m)
    rp = rank_pred - rank_pred.mean(1, keepdims=True)
    rt = rank_true - rank_true.mean(1, keepdims=True)
    denom = np.sqrt((rp**2).sum(1) * (rt**2).sum(1))
    relevance = true_m - true_m.min(1, keepdims=True)
    # scikit-learn gives NDCG's mean over the rows it is given: repeated per employee, the
    # mean over every part is the mean over the whole staff
    ndcg = ndcg_score(relevance, pred, k=vocab.NDCG_K)
    return {
        "best": true_m.max(axis=1),
        "chosen": chosen,
        "best_move": np.where(stay_m, -np.inf, true_m).max(1),
        "moved": _tied_mean(np.where(stay_m, -np.inf, pred), true_m),
        "spearman": np.where(denom > 0, (rp * rt).sum(1) / np.where(denom > 0, denom, 1), 0.0),
        "ndcg": np.full(len(pred), ndcg),
        "current": (true_m * stay_m).sum(axis=1),
    }


def _decision_summary(o: dict[str, np.ndarray]) -> dict[str, float]:
    if not o:
        return {}
    return {
        "top1_regret": float((o["best"] - o["chosen"]).mean()),
        "move_regret": float((o["best_move"] - o["moved"]).mean()),
        "spearman": float(o["spearman"].mean()),
        "ndcg_at_5": float(o["ndcg"].mean()),
        "true_gain_top1": float((o["chosen"] - o["current"]).mean()),
    }


def _tied_mean(key: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Per row, the mean true value over the columns tied at the highest `key`: what picking
    one of them at random is worth (rules such as the education one tie on many units, and
    a fixed tie order would make their regret an accident of the unit order)."""
    tied = key == key.max(axis=1, keepdims=True)
    return np.asarray((true * tied).sum(axis=1) / tied.sum(axis=1))


def _gain_outcomes(
    scored: ScoredTable,
    true: np.ndarray,
    top: np.ndarray,
    gain: np.ndarray | None = None,
    predicted: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """How suggested moves fare against the truth, per employee (whatever part of the staff
    they were scored in): their first suggestion (`top_*`, from the decision policy) and
    their best-predicted move (`best_*`), each with its true and predicted gain and the gain
    interval. `gain` overrides the table's calibrated gain (a baseline's raw difference) and
    `predicted` the predictions that pick each person's best move (the baseline's own)."""
    t = scored.table
    gain = scored.gain if gain is None else gain
    predicted = scored.predicted if predicted is None else predicted
    true_gain = true - np.where(t.stay_rows >= 0, true[np.maximum(t.stay_rows, 0)], np.nan)
    n_e, n_u = len(t.nips), t.n_units
    pred = np.where(t.is_stay | np.isnan(true_gain), -np.inf, predicted).reshape(n_e, n_u)
    best = t.position(np.arange(n_e), pred.argmax(axis=1))
    best = best[np.isfinite(pred.max(axis=1))]
    out = {"top_move": ~t.is_stay[top] & ~np.isnan(true_gain[top])}
    for name, rows in (("top", top), ("best", best)):
        out |= {f"{name}_true": true_gain[rows], f"{name}_gain": gain[rows],
                f"{name}_low": scored.gain_low[rows], f"{name}_high": scored.gain_high[rows]}  # fmt: skip
    return out


def _gain_summary(o: dict[str, np.ndarray]) -> dict[str, float]:
    """How many moves are suggested, their mean true and predicted gain, the share that
    truly helps and their interval's coverage; the slope of true on predicted gain over
    each employee's best-predicted move and that move's coverage."""
    moves = o["top_move"]
    out = {"suggested_share": float(moves.sum()) / max(len(moves), 1)}
    if moves.any():
        true, low, high = o["top_true"][moves], o["top_low"][moves], o["top_high"][moves]
        out |= {
            "suggested_true_gain": float(true.mean()),
            "suggested_pred_gain": float(o["top_gain"][moves].mean()),
            "suggested_helpful": float((true > 0).mean()),
            "suggested_coverage": float(((true >= low) & (true <= high)).mean()),
        }
    gain, true = o["best_gain"], o["best_true"]
    if len(gain) > 2 and np.ptp(gain) > 0:
        out["gain_slope"] = float(np.polyfit(gain, true, 1)[0])
        out["best_move_coverage"] = float(
            ((true >= o["best_low"]) & (true <= o["best_high"])).mean()
        )
    return out


class TruthTally:
    """Decision metrics against the truth for the model (under the decision policy), for
    each baseline (its highest prediction first) and for staying, gathered over a staff
    scored a part at a time (`training.scoring.score_staff`): what is kept between parts is
    a few numbers per employee, never the staff x units rows.

    `add_baselines` is handed each part with its feature rows (the baselines predict from
    them); `add_model` each part with its first suggestions, once the whole staff's
    threshold is known."""

    def __init__(
        self, truth: pd.DataFrame, baselines: dict[str, Predictor], label: str = "model"
    ) -> None:
        self.lookup = truth.set_index(["nip", "unit_id"])["expected_score"]
        self.baselines = baselines
        self.label = label
        self.decisions: dict[str, list[dict[str, np.ndarray]]] = {}
        self.gains: dict[str, list[dict[str, np.ndarray]]] = {}

    def _add(self, name: str, decisions: dict[str, np.ndarray], gains: dict[str, np.ndarray] | None) -> None:  # fmt: skip
        self.decisions.setdefault(name, []).append(decisions)
        if gains is not None:
            self.gains.setdefault(name, []).append(gains)

    def add_baselines(self, scored: ScoredTable) -> None:
        t = scored.table
        true = _true_of(t, self.lookup)
        for name, predict in self.baselines.items():
            predicted = predict(t.rows)
            stay_pred = predicted[np.maximum(t.stay_rows, 0)]
            raw_top = t.position(
                np.arange(len(t.nips)),
                (predicted + 1e-9 * t.is_stay).reshape(len(t.nips), t.n_units).argmax(axis=1),
            )
            gains = _gain_outcomes(scored, true, raw_top, predicted - stay_pred, predicted)
            self._add(name, _decision_outcomes(t, predicted, true), gains)
        self._add("stay", _decision_outcomes(t, t.is_stay.astype(float), true), None)

    def add_model(self, scored: ScoredTable, top: np.ndarray) -> None:
        """The model's order of one employee's units is its raw gain over staying (0 for
        staying; what ranks moves, `PlacementModel.raw_gains`), its predicted score where
        the employee holds no unit."""
        true = _true_of(scored.table, self.lookup)
        order = np.where(np.isnan(scored.raw_gain), scored.predicted, scored.raw_gain)
        decisions = _decision_outcomes(scored.table, order, true, top)
        self._add(self.label, decisions, _gain_outcomes(scored, true, top, predicted=order))

    def table(self) -> dict[str, dict[str, float]]:
        out = {}
        for name in (self.label, *self.baselines, "stay"):
            out[name] = _decision_summary(_joined(self.decisions.get(name, [])))
            if name in self.gains:
                gains = _gain_summary(_joined(self.gains[name]))
                keep = name == self.label  # a baseline's raw difference has no interval
                out[name] |= {k: v for k, v in gains.items() if keep or "coverage" not in k}
        out["stay"]["move_regret"] = float("nan")
        return out


def _joined(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    parts = [p for p in parts if p]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def comparison_table(
    fit_rows: pd.DataFrame,
    valid: pd.DataFrame,
    held_pred: np.ndarray,
    decisions: dict[str, dict[str, float]] | None = None,
    label: str = "model",
) -> dict[str, dict[str, float]]:
    """The model beside every baseline, as `penataan train` and `evaluate` both report it.

    Held-out metrics compare with baselines fitted on `fit_rows`; `decisions` are the
    metrics against the truth (`TruthTally.table`), whose baselines were fitted on all rows
    like the registered model.
    """
    y = valid["score"].to_numpy()
    table = {label: regression_metrics(y, held_pred)}
    for name, predict in fit_baselines(fit_rows).items():
        table[name] = regression_metrics(y, predict(valid))
    for name, values in (decisions or {}).items():
        table.setdefault(name, {}).update(values)
    return table


def staff_truth_metrics(
    data: HRData,
    model: PlacementModel,
    truth: pd.DataFrame,
    rows: pd.DataFrame,
    settings: PipelineSettings,
    label: str = "model",
) -> tuple[dict[str, dict[str, float]], ScoredStaff]:
    """Every active employee scored in every unit, a part at a time, and judged against the
    truth beside the baselines fitted on `rows`; the scored staff is returned for the
    merit-system audit."""
    tally = TruthTally(truth, fit_baselines(rows), label)
    staff = score_staff(data, model, settings, all_units=True, visit=tally.add_baselines)
    for scored, top in staff.tops(settings.decision):
        tally.add_model(scored, top)
    return tally.table(), staff


def evaluate_registered(
    data: HRData,
    model: PlacementModel,
    truth: pd.DataFrame | None,
    settings: PipelineSettings,
    label: str,
) -> pd.DataFrame:
    """`penataan evaluate`: a registered model beside the baselines on the last period
    (held out from the baselines; the registered model was refit on it, so its held-out row
    is optimistic and the decision metrics against the truth are what to read)."""
    rows = training_rows(data)
    fit_rows, valid = split_by_time(rows)
    held_pred = model.predict(valid)["predicted_score"].to_numpy()
    decisions = None
    if truth is not None:
        decisions, _ = staff_truth_metrics(data, model, truth, rows, settings, label)
    return pd.DataFrame(comparison_table(fit_rows, valid, held_pred, decisions, label)).T
