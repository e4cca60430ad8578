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
from features.definitions import CATEGORICAL, FEATURE_NAMES

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


def decision_metrics(
    candidates: pd.DataFrame, predicted: np.ndarray, truth: pd.DataFrame
) -> dict[str, float]:
    """Regret and ranking agreement of `predicted` over every (employee, unit) pair.

    `candidates` holds nip, unit_id and is_stay for each pair. Ties in `predicted` are broken
    in favour of staying, so a constant predictor means "stay".
    """
    frame = candidates[["nip", "unit_id", "is_stay"]].assign(pred=predicted)
    frame = frame.merge(truth, on=["nip", "unit_id"], how="inner")
    if frame.empty:
        return {}
    frame = frame.sort_values(["nip", "unit_id"])
    n_units = frame.groupby("nip").size()
    frame = frame[frame["nip"].isin(n_units[n_units == n_units.max()].index)]
    people, units = frame["nip"].nunique(), int(n_units.max())
    pred = frame["pred"].to_numpy(dtype=float).reshape(people, units)
    true = frame["expected_score"].to_numpy(dtype=float).reshape(people, units)
    stay = frame["is_stay"].to_numpy(dtype=float).reshape(people, units) == 1
    rows = np.arange(people)
    key = pred + 1e-9 * stay  # prefer staying on ties
    top = key.argmax(1)
    best = true.max(1)
    moved_key = np.where(stay, -np.inf, key)
    moved_true = np.where(stay, -np.inf, true)
    move_top = moved_key.argmax(1)
    rank_pred = np.apply_along_axis(rankdata, 1, pred)
    rank_true = np.apply_along_axis(rankdata, 1, true)
    rp = rank_pred - rank_pred.mean(1, keepdims=True)
    rt = rank_true - rank_true.mean(1, keepdims=True)
    denom = np.sqrt((rp**2).sum(1) * (rt**2).sum(1))
    spearman = np.where(denom > 0, (rp * rt).sum(1) / np.where(denom > 0, denom, 1), 0.0)
    relevance = true - true.min(1, keepdims=True)
    has_stay = stay.any(1)
    current_true = np.where(has_stay, (true * stay).sum(1), np.nan)
    return {
        "top1_regret": float((best - true[rows, top]).mean()),
        "move_regret": float((moved_true.max(1) - true[rows, move_top]).mean()),
        "spearman": float(spearman.mean()),
        "ndcg_at_5": float(ndcg_score(relevance, pred, k=vocab.NDCG_K)),
        "true_gain_top1": float(np.nanmean(true[rows, top] - current_true)),
    }


def stay_metrics(candidates: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """The "nobody moves" reference: top-1 is always the current unit."""
    metrics = decision_metrics(candidates, candidates["is_stay"].to_numpy(dtype=float), truth)
    metrics["move_regret"] = float("nan")
    return metrics


def comparison_table(
    fit_rows: pd.DataFrame,
    valid: pd.DataFrame,
    held_pred: np.ndarray,
    rows: pd.DataFrame,
    candidates: pd.DataFrame | None = None,
    cand_pred: np.ndarray | None = None,
    truth: pd.DataFrame | None = None,
    label: str = "model",
) -> dict[str, dict[str, float]]:
    """The model beside every baseline, as `penataan train` and `evaluate` both report it.

    Held-out metrics compare with baselines fitted on `fit_rows`; decision metrics against
    the truth (when given, with the model's candidate predictions) compare with baselines
    fitted on all `rows`, like the registered model.
    """
    y = valid["score"].to_numpy()
    table = {label: regression_metrics(y, held_pred)}
    for name, predict in fit_baselines(fit_rows).items():
        table[name] = regression_metrics(y, predict(valid))
    if truth is not None and candidates is not None and cand_pred is not None:
        table[label].update(decision_metrics(candidates, cand_pred, truth))
        for name, predict in fit_baselines(rows).items():
            table[name].update(decision_metrics(candidates, predict(candidates), truth))
        table["stay"] = stay_metrics(candidates, truth)
    return table
