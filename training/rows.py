"""The labelled rows a model learns from and the temporal split that keeps the last
evaluated period unseen: shared by training, `penataan evaluate` and the review notebook."""

from __future__ import annotations

import pandas as pd

from features.data import HRData
from features.pipeline import build_features, training_pairs


def training_rows(data: HRData) -> pd.DataFrame:
    """One row per evaluation with a score (on the one scale of `features.kinerja`):
    features as of the period's start, the score, the period."""
    pairs = training_pairs(data)
    pairs = pairs[pairs["score"].notna()].reset_index(drop=True)
    rows = build_features(data, pairs[["nip", "unit_id", "as_of"]])
    return rows.assign(period=pairs["period"].to_numpy(), score=pairs["score"].to_numpy())


def held_out_period(rows: pd.DataFrame) -> int:
    """The last period with a score: the one kept unseen."""
    return int(rows["period"].max())


def split_by_time(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit on periods before the last scored one, validate on that one."""
    last = held_out_period(rows)
    return rows[rows["period"] < last], rows[rows["period"] == last]
