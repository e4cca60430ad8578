"""The labelled rows a model learns from and the temporal split that keeps the last
evaluated period unseen: shared by training, `penataan evaluate` and the review notebook."""

from __future__ import annotations

import pandas as pd

from features.data import HRData
from features.pipeline import build_features, training_pairs


def training_rows(data: HRData) -> pd.DataFrame:
    """One row per evaluation: features as of the period's start, the score, the period."""
    pairs = training_pairs(data)
    rows = build_features(data, pairs[["nip", "unit_id", "as_of"]])
    return rows.assign(period=pairs["period"].to_numpy(), score=pairs["score"].to_numpy())


def split_by_time(rows: pd.DataFrame, last_period: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit on periods before the last, validate on the last."""
    return rows[rows["period"] < last_period], rows[rows["period"] == last_period]
