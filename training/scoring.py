"""Scoring every active employee against every (eligible) unit: `penataan score`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from features.data import HRData
from features.spreadsheet import guard_frame
from training.candidates import CandidateTable
from training.model import PlacementModel
from training.outputs import write_atomic
from training.settings import PipelineSettings

SCORE_COLUMNS = ["nip", "unit_id", "predicted_score", "low", "high", "gain", "gain_low",
                 "gain_high", "p_help", "is_current", "suggested", "rank"]  # fmt: skip


def score_candidates(
    data: HRData,
    model: PlacementModel,
    settings: PipelineSettings,
    as_of: pd.Timestamp | None = None,
    all_units: bool = False,
) -> pd.DataFrame:
    """One row per (active employee, unit), ranked within each employee by the decision
    policy: suggested moves first (`settings.decision`: enough of them truly help), then
    staying, then the rest; each move carries its probability of helping."""
    table = CandidateTable.build(data, as_of, settings)
    where = None if all_units else table.allowed()
    scored = table.score(model, where)
    decision = settings.decision
    rank = scored.ranks(decision, where)
    keep = np.flatnonzero(rank > 0)
    rows = table.rows

    def rounded(values: np.ndarray) -> np.ndarray:
        return np.round(values[keep], 3) + 0.0  # no -0.0

    out = pd.DataFrame(
        {
            "nip": rows["nip"].to_numpy()[keep],
            "unit_id": rows["unit_id"].to_numpy()[keep],
            "predicted_score": rounded(scored.predicted),
            "low": rounded(scored.low),
            "high": rounded(scored.high),
            "gain": rounded(scored.gain),
            "gain_low": rounded(scored.gain_low),
            "gain_high": rounded(scored.gain_high),
            "is_current": table.is_stay[keep],
            "p_help": rounded(scored.p_help),
            "suggested": scored.suggested(decision, where)[keep],
            "rank": rank[keep],
        }
    )
    return out.sort_values(["nip", "rank"]).reset_index(drop=True)[SCORE_COLUMNS]


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """CSV or Parquet by the file's extension, written whole or not at all."""
    target = Path(path)
    if target.suffix == ".parquet":
        write_atomic(target, lambda p: frame.to_parquet(p, index=False))
    elif target.suffix == ".csv":
        write_atomic(target, lambda p: guard_frame(frame).to_csv(p, index=False))
    else:
        raise ValueError(f"{path}: the output must end in .csv or .parquet")
