"""`penataan plan` and `POST /v1/plan`: build the round's problem, solve it exactly, compare
with greedy, explain every move, and (on synthetic worlds) measure it against the truth."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from features.data import HRData
from features.pipeline import build_features
from planning.problem import PlanInputs, ScoredPairs, build_problem
from planning.settings import PlanRules
from planning.solve import Solution, solve_exact, solve_greedy, violations
from training import explain
from training.candidates import CandidateTable
from training.explain import ADVISORY_ID
from training.gain import Decision
from training.model import PlacementModel

Progress = Callable[[str], None]

MOVE_COLUMNS = ["suggestion_id", "nip", "from_unit_id", "to_unit_id", "predicted_before", "predicted_after",
                "gain", "gain_low", "gain_high", "p_help", "raw_gain", "reasons", "pilot"]  # fmt: skip
# what a committee fills in beside each move of `moves.xlsx` (read by oversight.committee)
DECISION_COLUMNS = ("decision", "reason_code", "note", "alt_unit_id", "sk_number", "tmt")
UNIT_COLUMNS = ["unit_id", "capacity", "headcount_before", "headcount_after", "mean_predicted_before",
                "mean_predicted_after", "moved_out", "moved_in"]  # fmt: skip


class PlanRefused(ValueError):
    """The round may not be held (a blackout window); the message says why and until when."""


class UnknownLocks(ValueError):
    """A lock names no one the data knows (`field`: `locked_nips` or `locked_units`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class PlanResult:
    moves: pd.DataFrame  # MOVE_COLUMNS + unit names, narrative
    units: pd.DataFrame  # UNIT_COLUMNS + unit_name, need, weight
    summary: dict[str, Any]


def check_blackout(as_of: pd.Timestamp, settings: PlanRules) -> None:
    start = settings.head_of_region_inaugurated
    if start is None:
        return
    end = pd.Timestamp(start) + pd.DateOffset(months=settings.blackout_months)
    if pd.Timestamp(start) <= as_of < end:
        raise PlanRefused(
            f"no transfer round on {as_of.date()}: a new head of region took office on {start} and "
            f"UU 10/2016 Pasal 71(2) forbids mutasi for {settings.blackout_months} months, "
            f"until {end.date()}, without the Minister of Home Affairs' written approval"
        )


def check_locks(data: HRData, settings: PlanRules) -> None:
    """Refuse a lock that names no employee or unit of `data`: the person a mistyped NIP
    meant to keep in place would otherwise be free to be moved, and nothing would say so."""
    known = {"locked_nips": set(data.employees["nip"]), "locked_units": set(data.units["unit_id"])}
    what = {"locked_nips": "employee", "locked_units": "unit"}
    for field, names in known.items():
        unknown = [value for value in getattr(settings, field) if value not in names]
        if unknown:
            shown = ", ".join(unknown[:5]) + (
                f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            )
            raise UnknownLocks(field, f"{shown} name{'s' if len(unknown) == 1 else ''} no {what[field]} in the data (a lock that names no one locks no one)")  # fmt: skip


def _true_gains(moves: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """The truth's expected score after minus before, per move."""
    lookup = truth.set_index(["nip", "unit_id"])["expected_score"]
    after = lookup.reindex(pd.MultiIndex.from_arrays([moves["nip"], moves["to_unit_id"]]))
    before = lookup.reindex(pd.MultiIndex.from_arrays([moves["nip"], moves["from_unit_id"]]))
    return np.asarray(after.to_numpy() - before.to_numpy(), dtype=float)


def _explained(data: HRData, inputs: PlanInputs, model: PlacementModel, picked: pd.DataFrame, precision: float) -> pd.DataFrame:  # fmt: skip
    """Reasons and an Indonesian narrative per move, from each factor's part of the move's
    gain (TreeSHAP and the within-person model's terms, `PlacementModel.leg_contributions`)
    (the rows of the moves and stays shown are built again, by the same `build_features`:
    the candidate tables were let go part by part)."""
    if picked.empty:
        return picked.assign(reasons=[], narrative=[])
    nip = np.concatenate([picked["nip"].to_numpy(), picked["nip"].to_numpy()])
    unit = np.concatenate([picked["to_unit_id"].to_numpy(), picked["from_unit_id"].to_numpy()])
    shown = build_features(data, pd.DataFrame({"nip": nip, "unit_id": unit, "as_of": inputs.as_of}))
    x = model.matrix(shown)
    factors = explain.by_factor(model.leg_contributions(x, model.contributions_matrix(x)))
    n = len(picked)
    delta = factors[:n] - factors[n:]
    names = inputs.units["unit_name"]
    reasons, narratives = [], []
    for k, move in enumerate(picked.itertuples(index=False)):
        order = np.argsort(-delta[k])[:2]
        parts = [f"gain {move.gain:+.2f} (80% {move.gain_low:+.2f} to {move.gain_high:+.2f}; "
                 f"helps with probability {move.p_help:.0%}{'; a pilot' if move.pilot else ''})",
                 f"weight {inputs.units.loc[move.to_unit_id, 'weight']:.2f}"]  # fmt: skip
        if move.due_for_rotation:
            parts.append(f"due for rotation ({move.tenure:.1f} years in post)")
        parts.append("; ".join(f"{explain.FACTOR_NAMES[i]} {delta[k, i]:+.2f}" for i in order))
        reasons.append("; ".join(parts))
        narratives.append(
            explain.narrative(
                "id",
                str(names[move.to_unit_id]),
                str(names[move.from_unit_id]),
                float(move.predicted_after),
                float(move.low_after),
                float(move.high_after),
                float(move.gain),
                delta[k],
                (float(move.gain_low), float(move.gain_high)),
                suggested=True,
                p_help=float(move.p_help),
                precision=precision,
                pilot=bool(move.pilot),
            )  # fmt: skip
        )
    return picked.assign(reasons=reasons, narrative=narratives)


def plan_round(
    data: HRData,
    model: PlacementModel,
    tables: Iterable[CandidateTable] | ScoredPairs,
    settings: PlanRules,
    truth: pd.DataFrame | None = None,
    progress: Progress = lambda _: None,
    pipeline: Decision | None = None,
) -> PlanResult:
    """The best round the rules allow for the candidate `tables` (every active employee x
    unit at one date: one table, or the staff a part at a time), among the moves the
    decision policy suggests: `pipeline`'s (the `PENATAAN_PRECISION` /
    `PENATAAN_MIN_GAIN_LOW` in force), with `settings`' own values where the round sets
    them. The blackout is checked on the first table's date, before any other is built.
    `tables` may instead be the whole staff's pairs scored already (the server's: the same
    round, with nothing built or scored again)."""
    check_locks(data, settings)
    decision = settings.decision(pipeline or Decision())
    source: Iterable[CandidateTable] | ScoredPairs = tables
    if isinstance(tables, ScoredPairs):
        as_of = tables.as_of
    else:
        parts = iter(tables)
        first = next(parts, None)
        if first is None:
            raise ValueError("a round needs the candidate table of at least one employee")
        as_of, source = first.as_of, chain([first], parts)
    check_blackout(as_of, settings)
    progress("applying the rules to every (employee, unit) pair and scoring what they allow")
    inputs = build_problem(data, source, model, settings, decision)
    p = inputs.problem
    progress(f"solving: {len(p.value):,} candidate moves, at most {p.max_moves} moves")
    exact = solve_exact(p, settings.time_limit_seconds)
    greedy = solve_greedy(p)
    for name, solution in (("exact", exact), ("greedy", greedy)):
        broken = violations(p, solution.chosen)
        if broken:
            raise RuntimeError(f"the {name} round breaks rules: {broken[:5]}")
    progress(f"{exact.status} in {exact.seconds:.1f} s: {len(exact.chosen)} moves; explaining them")
    picked = inputs.moves.iloc[exact.chosen].sort_values("value", ascending=False)
    picked = _explained(data, inputs, model, picked, decision.precision)
    units = _unit_table(inputs, picked)
    summary = _summary(inputs, exact, greedy, picked, units, truth, as_of, settings)
    summary["decision"] = {"precision": decision.precision, "min_gain_low": decision.min_gain_low, "pilot": decision.pilot}  # fmt: skip
    moves = picked.assign(
        from_unit_name=picked["from_unit_id"].map(inputs.units["unit_name"]),
        to_unit_name=picked["to_unit_id"].map(inputs.units["unit_name"]),
    )
    return PlanResult(moves.reset_index(drop=True), units, summary)


def _unit_table(inputs: PlanInputs, picked: pd.DataFrame) -> pd.DataFrame:
    units = inputs.units
    before = inputs.stay_pred["predicted_score"]
    current = inputs.moves.drop_duplicates("nip").set_index("nip")["from_unit_id"]
    staff = pd.DataFrame({"unit_id": current.reindex(before.index), "score": before})
    staff = staff.dropna(subset=["unit_id"])
    movers = set(picked["nip"])
    stayers = staff[~staff.index.isin(movers)]
    arrivals = pd.DataFrame({"unit_id": picked["to_unit_id"], "score": picked["predicted_after"]})
    after = pd.concat([stayers, arrivals])
    out = pd.DataFrame(index=units.index)
    out["unit_name"] = units["unit_name"]
    out["capacity"] = units["capacity"]
    out["headcount_before"] = units["headcount"]
    out["moved_out"] = (
        picked["from_unit_id"].value_counts().reindex(units.index).fillna(0).astype(int)
    )
    out["moved_in"] = picked["to_unit_id"].value_counts().reindex(units.index).fillna(0).astype(int)
    out["headcount_after"] = out["headcount_before"] - out["moved_out"] + out["moved_in"]
    out["mean_predicted_before"] = (
        staff.groupby("unit_id")["score"].mean().reindex(units.index).round(3)
    )
    out["mean_predicted_after"] = (
        after.groupby("unit_id")["score"].mean().reindex(units.index).round(3)
    )
    out["service_need"] = units["need"].round(3)
    out["weight"] = units["weight"].round(3)
    return out.rename_axis("unit_id").reset_index()


def _summary(
    inputs: PlanInputs, exact: Solution, greedy: Solution, picked: pd.DataFrame,
    units: pd.DataFrame, truth: pd.DataFrame | None, as_of: pd.Timestamp, settings: PlanRules,
) -> dict[str, Any]:  # fmt: skip
    p = inputs.problem
    greedy_moves = inputs.moves.iloc[greedy.chosen]
    arrivals = units["moved_in"] - units["moved_out"]
    slack = pd.Series(p.slack_in, index=units.index)
    binding = {
        "units_at_formasi": int(((arrivals == slack) & (units["moved_in"] > 0)).sum()),
        "units_at_outflow_cap": int(((units["moved_out"] == p.max_out) & (p.max_out > 0)).sum()),
        "round_size_cap": bool(len(exact.chosen) >= p.max_moves),
    }
    summary: dict[str, Any] = {
        "as_of": as_of.date().isoformat(),
        "active_employees": len(inputs.nips),
        "candidate_moves": len(p.value),
        "excluded_pairs": p.excluded,
        "moves": len(picked),
        "max_moves": p.max_moves,
        "total_predicted_gain": round(float(picked["gain"].sum()), 3),
        "mean_predicted_gain": round(float(picked["gain"].mean()), 3) if len(picked) else 0.0,
        "expected_helpful_share": round(float(picked["p_help"].mean()), 3) if len(picked) else None,
        "pilot_moves": int(picked["pilot"].sum()) if len(picked) else 0,
        "objective": round(exact.objective, 3),
        "due_for_rotation_moved": int(picked["due_for_rotation"].sum()) if len(picked) else 0,
        "unwilling_moved": int((picked["willing"] < 0).sum()) if len(picked) else 0,
        "binding": binding,
        "solver": {
            "name": "HiGHS (scipy.optimize)",
            "method": exact.method,
            "status": exact.status,
            "seconds": round(exact.seconds, 3),
            "mip_gap": exact.gap,
        },  # fmt: skip
        "greedy": {
            "moves": len(greedy.chosen),
            "objective": round(greedy.objective, 3),
            "total_predicted_gain": round(float(greedy_moves["gain"].sum()), 3),
        },
        "settings": settings.model_dump(mode="json"),
        "advisory": ADVISORY_ID,
    }
    if truth is not None:
        true = _true_gains(picked, truth)
        summary["truth"] = {
            "true_gain": float(true.sum()),
            "helpful_share": float((true > 0).mean()) if len(true) else None,
            "greedy_true_gain": float(_true_gains(greedy_moves, truth).sum()),
            "note": "evaluation only: the truth never chooses a move",
        }
    return summary
