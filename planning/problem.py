"""A transfer round as an optimisation problem: candidate moves, their value, the caps.

Everything the solver needs is in plain arrays (`PlanProblem`), so the exact solver, the
greedy baseline, the constraint checker and the brute-force test all read one thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features.data import HRData
from features.eligibility import EligibilitySettings, eligibility_mask
from planning.settings import PlanSettings
from training.model import PlacementModel


@dataclass
class PlanProblem:
    """Candidate moves (one entry per allowed employee x destination) and the caps."""

    employee: np.ndarray  # int: index into `nips`
    origin: np.ndarray  # int: unit index the employee leaves
    dest: np.ndarray  # int: unit index the employee joins
    value: np.ndarray  # the objective: weighted gain (+ rotation bonus)
    slack_in: np.ndarray  # per unit: how many more may arrive than leave (0 if over capacity)
    max_out: np.ndarray  # per unit: how many may leave
    max_moves: int
    excluded: dict[str, int] = field(default_factory=dict)  # why pairs were not candidates

    @property
    def n_units(self) -> int:
        return len(self.slack_in)


@dataclass
class PlanInputs:
    """The problem plus what the report needs to describe each candidate move."""

    problem: PlanProblem
    nips: pd.Index
    units: pd.DataFrame  # indexed by unit_id: unit_name, domain, capacity, headcount, need, weight
    moves: pd.DataFrame  # one row per candidate move: nip, from/to unit, predictions, gains, row
    stay_pred: pd.DataFrame  # per employee: predicted_score of staying (index nip)


def service_need(data: HRData, unit_ids: pd.Index, year: int, s: PlanSettings) -> np.ndarray:
    """Per unit, 0..1: how poor its latest public-service results are (low IKM, many
    complaints, long waits), as the weighted mean of percentile ranks; 0 without results."""
    kpis = data.unit_kpis
    if kpis is None or kpis.empty:
        return np.zeros(len(unit_ids))
    known = kpis[kpis["period"] < year].sort_values("period").groupby("unit_id").last()
    known = known.reindex(unit_ids)
    parts = []
    for column, weight, worse_high in (
        ("ikm", s.ikm_weight, False),
        ("complaints", s.complaints_weight, True),
        ("avg_wait_minutes", s.wait_weight, True),
    ):
        if column in known and weight > 0 and known[column].notna().any():
            rank = known[column].astype(float).rank(pct=True, ascending=worse_high)
            parts.append((rank.fillna(0.0).to_numpy(), weight))
    if not parts:
        return np.zeros(len(unit_ids))
    return sum(r * w for r, w in parts) / sum(w for _, w in parts)


def build_problem(
    data: HRData,
    model: PlacementModel,
    rows: pd.DataFrame,
    settings: PlanSettings,
    eligibility: EligibilitySettings | None = None,
) -> PlanInputs:
    """Keep the moves the rules allow, scoring only the rows that could still be chosen
    (staying put, and moves no rule or lock forbids): most pairs fall to the rules first.

    `rows` are `build_features` rows for every (active employee, unit) pair at one as-of date.
    """
    units = data.units.set_index("unit_id")[["unit_name", "domain", "capacity"]].copy()
    stay = rows["is_stay"].to_numpy() == 1
    current = pd.Series(rows["unit_id"].to_numpy()[stay], index=rows["nip"].to_numpy()[stay])
    units["headcount"] = current.value_counts().reindex(units.index).fillna(0).astype(int)
    year = pd.Timestamp(rows["as_of"].iloc[0]).year
    units["need"] = service_need(data, units.index, year, settings)
    units["weight"] = 1.0 + settings.service_weight * units["need"]

    frame = pd.DataFrame(
        {
            "nip": rows["nip"].to_numpy(),
            "to_unit_id": rows["unit_id"].to_numpy(),
            "tenure": rows["tenure_current"].to_numpy(dtype=float),
            "willing": rows["willing_to_move"].to_numpy(dtype=float),
            "row": np.arange(len(rows)),
        }
    )
    frame["from_unit_id"] = frame["nip"].map(current)
    keep = np.ones(len(frame), dtype=bool)
    excluded: dict[str, int] = {}

    def exclude(reason: str, mask: pd.Series) -> None:
        nonlocal keep
        hit = keep & mask.to_numpy(dtype=bool)
        excluded[reason] = int(hit.sum())
        keep &= ~hit

    broken = eligibility_mask(data, rows, eligibility).drop(columns=["formasi_full"])
    exclude("stay", pd.Series(stay))
    exclude("no current unit", frame["from_unit_id"].isna())
    for code in broken.columns:
        exclude(f"rule {code}", broken[code])
    exclude("locked employee", frame["nip"].isin(settings.locked_nips))
    exclude("locked unit", frame["to_unit_id"].isin(settings.locked_units) | frame["from_unit_id"].isin(settings.locked_units))  # fmt: skip

    scored = np.flatnonzero(keep | stay)
    pred = model.predict(rows.iloc[scored])
    for column, source in (("predicted_after", "predicted_score"), ("low_after", "low"), ("high_after", "high")):  # fmt: skip
        values = np.full(len(frame), np.nan)
        values[scored] = pred[source].to_numpy()
        frame[column] = values
    stays = frame[stay].set_index("nip")
    frame["predicted_before"] = frame["nip"].map(stays["predicted_after"])
    frame["low_before"] = frame["nip"].map(stays["low_after"])
    frame["gain"] = frame["predicted_after"] - frame["predicted_before"]
    # The pessimistic gain: both predictions at their interval's lower bound, so a move is
    # charged for being less certain than staying; never above the gain itself.
    frame["gain_low"] = np.minimum(frame["low_after"] - frame["low_before"], frame["gain"])
    exclude("predicted no better off", frame["gain"] <= 0)  # nobody ends the round worse off
    exclude("gain not above the noise", frame["gain_low"] <= settings.min_gain_low)
    exclude("unwilling, gain below threshold", (frame["willing"] < 0) & (frame["gain"] < settings.unwilling_min_gain))  # fmt: skip
    moves = frame[keep].reset_index(drop=True)

    unit_pos = pd.Series(np.arange(len(units)), index=units.index)
    nips = pd.Index(pd.unique(rows["nip"]))
    due = moves["tenure"] >= settings.max_tenure_years
    weight = moves["to_unit_id"].map(units["weight"]).to_numpy()
    moves["due_for_rotation"] = due.to_numpy()
    moves["value"] = weight * moves["gain"].to_numpy() + settings.rotation_bonus * due.to_numpy()
    active = len(nips)
    caps = [math.floor(settings.max_moves_share * active)]
    if settings.max_moves is not None:
        caps.append(settings.max_moves)
    problem = PlanProblem(
        employee=nips.get_indexer(moves["nip"]),
        origin=moves["from_unit_id"].map(unit_pos).to_numpy(dtype=int),
        dest=moves["to_unit_id"].map(unit_pos).to_numpy(dtype=int),
        value=moves["value"].to_numpy(dtype=float),
        slack_in=np.maximum(units["capacity"].to_numpy() - units["headcount"].to_numpy(), 0),
        max_out=np.floor(settings.max_unit_outflow_share * units["headcount"].to_numpy()).astype(
            int
        ),
        max_moves=min(caps),
        excluded=excluded,
    )
    stay_pred = stays[["predicted_after"]].rename(columns={"predicted_after": "predicted_score"})
    return PlanInputs(problem, nips, units, moves, stay_pred)
