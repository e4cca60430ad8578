"""Scoring every active employee against every (eligible) unit: `penataan score`."""

from __future__ import annotations

import pandas as pd

from features.data import HRData
from features.eligibility import eligibility_mask
from features.pipeline import build_features, candidate_pairs
from training.model import PlacementModel

SCORE_COLUMNS = ["nip", "unit_id", "predicted_score", "low", "high", "is_current", "rank"]


def score_candidates(
    data: HRData, model: PlacementModel, as_of: pd.Timestamp | None = None, all_units: bool = False
) -> pd.DataFrame:
    """One row per (active employee, unit), ranked within each employee (1 = best)."""
    rows = build_features(data, candidate_pairs(data, as_of=as_of))
    if not all_units:
        rows = rows[~eligibility_mask(data, rows).any(axis=1).to_numpy()]
    pred = model.predict(rows)
    out = pd.DataFrame(
        {
            "nip": rows["nip"].to_numpy(),
            "unit_id": rows["unit_id"].to_numpy(),
            "predicted_score": pred["predicted_score"].round(3).to_numpy(),
            "low": pred["low"].round(3).to_numpy(),
            "high": pred["high"].round(3).to_numpy(),
            "is_current": rows["is_stay"].to_numpy() == 1,
        }
    )
    out["rank"] = (
        out.groupby("nip")["predicted_score"].rank(ascending=False, method="first").astype(int)
    )
    return out.sort_values(["nip", "rank"]).reset_index(drop=True)[SCORE_COLUMNS]


def write_table(frame: pd.DataFrame, path: str) -> None:
    """CSV or Parquet by the file's extension."""
    if path.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    elif path.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: the output must end in .csv or .parquet")
