"""The placement model: a LightGBM regressor of the score and an 80% interval around it.

`PlacementModel` is what every consumer uses (scoring, the API, the planner): it takes rows
from `features.pipeline.build_features`, so it cannot be fed anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.definitions import CATEGORICAL, FEATURE_NAMES, FEATURE_SET
from features.pipeline import as_model_frame

POINT, LOW, HIGH = "point", "low", "high"


@dataclass(frozen=True)
class LgbParams:
    """Hyperparameters; deterministic by default (fixed seed, threads and histogram order)."""

    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 40
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    bagging_freq: int = 1
    lambda_l2: float = 1.0
    max_rounds: int = 2000
    early_stopping_rounds: int = 100
    seed: int = 42
    num_threads: int = 2
    interval: float = 0.8

    def booster_params(self, objective: str, alpha: float | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": self.bagging_freq,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }
        if alpha is not None:
            params["alpha"] = alpha
        return params


def _dataset(
    rows: pd.DataFrame, target: pd.Series, reference: lgb.Dataset | None = None
) -> lgb.Dataset:
    return lgb.Dataset(
        as_model_frame(rows),
        label=target.to_numpy(dtype=float),
        categorical_feature=list(CATEGORICAL),
        reference=reference,
        free_raw_data=False,
    )


@dataclass
class PlacementModel:
    """Three boosters (point, low and high quantile) over one feature set."""

    boosters: dict[str, lgb.Booster]
    feature_set: str = FEATURE_SET
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        train: pd.DataFrame,
        params: LgbParams,
        valid: pd.DataFrame | None = None,
        rounds: int | None = None,
    ) -> PlacementModel:
        """Fit on `train` (rows with a `score`); early-stop on `valid` when given."""
        data = _dataset(train, train["score"])
        tail = (1.0 - params.interval) / 2
        boosters: dict[str, lgb.Booster] = {}
        best: dict[str, int] = {}
        for name, objective, alpha in (
            (POINT, "regression", None),
            (LOW, "quantile", tail),
            (HIGH, "quantile", 1.0 - tail),
        ):
            booster_params = params.booster_params(objective, alpha)
            if valid is not None:
                vdata = _dataset(valid, valid["score"], reference=data)
                booster = lgb.train(
                    booster_params,
                    data,
                    num_boost_round=params.max_rounds,
                    valid_sets=[vdata],
                    callbacks=[lgb.early_stopping(params.early_stopping_rounds, verbose=False)],
                )
            else:
                n = rounds if rounds is not None else params.max_rounds
                booster = lgb.train(booster_params, data, num_boost_round=n)
            boosters[name] = booster
            best[name] = booster.best_iteration or booster.current_iteration()
        return cls(boosters, info={"best_iterations": best})

    def predict(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Predicted score and interval per row; the interval always contains the point."""
        x = as_model_frame(rows)
        point = self.boosters[POINT].predict(x, num_threads=2)
        low = self.boosters[LOW].predict(x, num_threads=2)
        high = self.boosters[HIGH].predict(x, num_threads=2)
        return pd.DataFrame(
            {
                "predicted_score": point,
                "low": np.minimum(np.minimum(low, high), point),
                "high": np.maximum(np.maximum(low, high), point),
            },
            index=rows.index,
        )

    def contributions(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Exact TreeSHAP contributions of each feature to the point prediction, plus `base`.

        Costs far more than `predict`: call it only for rows that will be shown.
        """
        raw = self.boosters[POINT].predict(as_model_frame(rows), pred_contrib=True, num_threads=2)
        return pd.DataFrame(raw, columns=[*FEATURE_NAMES, "base"], index=rows.index)

    def importance(self) -> pd.DataFrame:
        """Gain importance of the point model per feature."""
        gain = self.boosters[POINT].feature_importance(importance_type="gain")
        return pd.DataFrame({"feature": FEATURE_NAMES, "gain": gain}).set_index("feature")

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, booster in self.boosters.items():
            booster.save_model(str(directory / f"{name}.txt"))
        (directory / "feature_set.txt").write_text(self.feature_set)

    @classmethod
    def load(cls, directory: Path) -> PlacementModel:
        feature_set = (directory / "feature_set.txt").read_text().strip()
        if feature_set != FEATURE_SET:
            raise ValueError(
                f"model was trained on feature set {feature_set!r}; this code builds {FEATURE_SET!r}"
            )
        boosters = {
            name: lgb.Booster(model_file=str(directory / f"{name}.txt"))
            for name in (POINT, LOW, HIGH)
        }
        return cls(boosters, feature_set)
