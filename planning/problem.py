"""A transfer round as an optimisation problem: candidate moves, their value, the caps.

Everything the solver needs is in plain arrays (`PlanProblem`), so the exact solver, the
greedy baseline, the constraint checker and the brute-force test all read one thing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features.data import HRData
from planning.settings import PlanRules
from training.candidates import CandidateTable, ScoredTable
from training.gain import Decision, on_pilot
from training.model import PlacementModel

PAIRS_PER_BLOCK = 300_000  # pairs of a staff scored already, read at once: bounded temporaries
PERSON_COLUMNS = ("tenure_current", "willing_to_move")  # what a round reads of each person


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
    pilot: np.ndarray | None = None  # bool per move: a pilot's (training.gain), not the evidence's
    max_pilot: int = 0  # how many of those the round may take

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
    as_of: pd.Timestamp


def service_need(data: HRData, unit_ids: pd.Index, year: int, s: PlanRules) -> np.ndarray:
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


@dataclass
class _Part:
    """What one part of the staff leaves for the round: the moves that could still be
    chosen (positive gain, no rule or lock against them), each employee's best such move's
    probability of helping (the decision's threshold is set on all of them together), who
    holds which unit and the predicted score of staying."""

    moves: pd.DataFrame
    best_p: np.ndarray
    stays: pd.DataFrame  # index nip: from_unit_id, predicted_score
    nips: pd.Index
    excluded: dict[str, int]
    as_of: pd.Timestamp


@dataclass(frozen=True)
class ScoredPairs:
    """Every pair of a staff scored already (the server's table, computed when it loaded)
    and each employee's tenure and willingness to move (`PERSON_COLUMNS`, in the table's
    employee order): a round from them builds and scores no pair again, so on the server's
    date `POST /v1/plan` costs the rules and the solver, not a scoring of every pair."""

    scored: ScoredTable
    people: pd.DataFrame

    @property
    def as_of(self) -> pd.Timestamp:
        return self.scored.table.as_of


def person_values(table: CandidateTable) -> pd.DataFrame:
    """Each employee's `PERSON_COLUMNS` (a person's own, so the same in every row of theirs:
    their first row's), copied out of the feature rows: a caller that keeps them keeps
    nothing else of the rows (a column or a sliced frame of them would keep the rows' block
    of every float feature alive)."""
    first = table.position(np.arange(len(table.nips)), 0)
    return pd.DataFrame({name: table.rows[name].to_numpy(dtype=float)[first] for name in PERSON_COLUMNS})  # fmt: skip


def _allowed(table: CandidateTable, settings: PlanRules) -> tuple[np.ndarray, dict[str, int]]:
    """The rows that could be chosen, found before any is scored: moves of employees who
    hold a unit, no rule (the formasi aside: the round keeps it itself, counting chains)
    nor lock against them; and how many pairs each reason took, in this order."""
    n_units, employees = table.n_units, len(table.nips)
    held = table.stay_unit >= 0
    from_ids = np.where(held, table.unit_ids.to_numpy()[np.maximum(table.stay_unit, 0)], None)
    keep = np.ones(employees * n_units, dtype=bool)
    excluded: dict[str, int] = {}

    def exclude(reason: str, mask: np.ndarray) -> None:
        hit = keep & mask
        excluded[reason] = int(hit.sum())
        keep[hit] = False

    exclude("stay", table.is_stay)
    exclude("no current unit", np.repeat(~held, n_units))
    for k, code in enumerate(table.rule_codes):
        if code != "formasi_full":  # the round keeps the formasi itself, counting chains
            exclude(f"rule {code}", table.broken[:, k])
    exclude("locked employee", np.repeat(table.nips.isin(settings.locked_nips), n_units))
    locked = table.unit_ids.isin(settings.locked_units)
    leaving_locked = pd.Index(from_ids).isin(settings.locked_units)
    exclude("locked unit", np.tile(locked, employees) | np.repeat(leaving_locked, n_units))
    return keep, excluded


def _part(scored: ScoredTable, keep: np.ndarray, excluded: dict[str, int], people: pd.DataFrame) -> _Part:  # fmt: skip
    """What the round keeps of a scored part: of the rows `keep` allows, the moves predicted
    to leave their employee better off, each employee's best allowed move's probability of
    helping, and who holds which unit with the predicted score of staying.

    The best moves are read before the moves predicted no better off are dropped: the
    decision's threshold and its pilot's cap (a share of the staff with a move) are set on
    everyone with an allowed move, as `penataan score` sets them. Read after, a staff whose
    model finds a helping move for one person in eight capped the round's pilot at 5% of
    that eighth (on family world 101: a cap of 7 moves, all of them the evidence's, so no
    pilot at all, where `penataan score` with the same model suggests 28 pilot moves)."""
    t = scored.table
    best_p = scored.best_p(keep, ignore=("formasi_full",))
    worse = keep & (scored.gain <= 0)  # nobody ends the round predicted worse off
    keep = keep & ~worse
    excluded = excluded | {"predicted no better off": int(worse.sum())}
    rows = np.flatnonzero(keep)
    employee = t.employee_of(rows)
    stay_unit = t.stay_unit
    stay_rows = t.position(employee, stay_unit[employee])
    moves = pd.DataFrame(  # ids as text, as the rows hold them, even in a part with no move
        {
            "nip": t.nips.take(employee).astype(str),
            "to_unit_id": t.unit_ids.take(t.unit_of(rows)).astype(str),
            "tenure": people["tenure_current"].to_numpy(dtype=float)[employee],
            "willing": people["willing_to_move"].to_numpy(dtype=float)[employee],
            "from_unit_id": t.unit_ids.take(stay_unit[employee]).astype(str),
            "predicted_after": scored.predicted[rows],
            "low_after": scored.low[rows],
            "high_after": scored.high[rows],
            "predicted_before": scored.predicted[stay_rows],
            "gain": scored.gain[rows],
            "gain_low": scored.gain_low[rows],
            "gain_high": scored.gain_high[rows],
            "p_help": scored.p_help[rows],
            "raw_gain": scored.raw_gain[rows],  # what the outcome loop refits the line on
        }
    )
    held = np.flatnonzero(stay_unit >= 0)
    stays = pd.DataFrame(
        {"from_unit_id": t.unit_ids.take(stay_unit[held]).astype(str),
         "predicted_score": scored.predicted[t.position(held, stay_unit[held])]},
        index=t.nips.take(held).astype(str).rename("nip"),
    )  # fmt: skip
    return _Part(
        moves=moves,
        best_p=best_p,
        stays=stays,
        nips=t.nips,
        excluded=excluded,
        as_of=t.as_of,
    )


def _parts(
    source: Iterable[CandidateTable] | ScoredPairs, model: PlacementModel, settings: PlanRules
) -> Iterator[_Part]:
    """The round's part of each candidate table (its allowed rows scored, the rest never),
    or of each block of a staff scored already (`ScoredPairs`: nothing scored again)."""
    if isinstance(source, ScoredPairs):
        size = max(1, PAIRS_PER_BLOCK // source.scored.table.n_units)
        for first_row, block in source.scored.employee_blocks(size):
            first = first_row // block.table.n_units
            people = source.people.iloc[first : first + len(block.table.nips)]
            yield _part(block, *_allowed(block.table, settings), people)
        return
    for table in source:
        keep, excluded = _allowed(table, settings)
        yield _part(table.score(model, where=keep), keep, excluded, person_values(table))


def build_problem(
    data: HRData,
    tables: Iterable[CandidateTable] | ScoredPairs,
    model: PlacementModel,
    settings: PlanRules,
    decision: Decision,
) -> PlanInputs:
    """The round's candidate moves and caps, from the candidate tables of the whole staff
    (one, or a part of the staff at a time: each is scored and let go before the next, so
    a province's pairs are never held at once; the round is the same either way), or from
    the whole staff's pairs scored already (`ScoredPairs`: the same round, nothing scored).

    A move's value is its calibrated gain over staying (`training.gain`: the raw difference
    of two predictions, mapped to the expected true gain measured on real moves), and only
    moves `decision` suggests may be chosen (the same policy as `penataan score` and the API,
    its threshold set on the moves this round may make, over every part together). While
    the model's line has seen no outcome, the pilot's part is a budget: up to as many moves
    as the pilot holds beyond the evidence's, each likelier to help than not, which the
    solver chooses under the formasi (the pilot's own moves, each person's surest move with
    the formasi aside as the round sets its threshold, mostly lead into full units).
    """
    parts = list(_parts(tables, model, settings))
    moves = pd.concat([part.moves for part in parts], ignore_index=True)
    excluded = {reason: sum(part.excluded[reason] for part in parts) for reason in parts[0].excluded}  # fmt: skip
    threshold = decision.threshold(np.concatenate([part.best_p for part in parts]), model.pilot_size())  # fmt: skip
    p_help, gain_low = moves["p_help"].to_numpy(), moves["gain_low"].to_numpy()
    drop = ~decision.accepts(p_help, gain_low, threshold.as_budget())
    moves["pilot"] = on_pilot(p_help, threshold)
    excluded["not suggested: too unlikely to help"] = int(drop.sum())
    unwilling = ~drop & (moves["willing"] < 0).to_numpy() & (moves["gain"] < settings.unwilling_min_gain).to_numpy()  # fmt: skip
    excluded["unwilling, gain below threshold"] = int(unwilling.sum())
    moves = moves[~drop & ~unwilling].reset_index(drop=True)

    stays = pd.concat([part.stays for part in parts])
    nips = pd.Index(np.concatenate([part.nips.to_numpy() for part in parts]))
    unit_ids = pd.Index(data.units["unit_id"])
    units = data.units.set_index("unit_id").loc[unit_ids, ["unit_name", "domain", "capacity"]]
    units["headcount"] = stays["from_unit_id"].value_counts().reindex(units.index).fillna(0).astype(int)  # fmt: skip
    units["need"] = service_need(data, units.index, parts[0].as_of.year, settings)
    units["weight"] = 1.0 + settings.service_weight * units["need"]

    unit_pos = pd.Series(np.arange(len(units)), index=units.index)
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
        pilot=moves["pilot"].to_numpy(dtype=bool),
        max_pilot=threshold.pilot_moves,
    )
    return PlanInputs(problem, nips, units, moves, stays[["predicted_score"]], parts[0].as_of)
