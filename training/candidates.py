"""Every active employee x every unit at one date: the table every suggestion comes from.

`CandidateTable.build` makes the feature rows (through `build_features`, like training),
each row's eligibility, and the layout: employee-major, so employee `e` in unit `u` is row
`e * n_units + u`, and each employee's stay row is known. `CandidateTable.score` adds the
model's predicted score and interval and, for every move, the calibrated gain over staying,
its interval and the probability that it truly helps (`training.gain`);
`ScoredTable.suggested` applies a `Decision` (a target share of suggested moves that help)
to the whole table, and `ranks` puts the suggested moves first, then staying.

`penataan score`, the API, the round, the training metrics and the fairness audit all read
this table; nothing else knows the row layout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from features.data import HRData
from features.eligibility import StaffReadings, eligibility_mask
from features.pipeline import Snapshot, build_features, candidate_pairs, features_at
from features.settings import EligibilitySettings
from training.gain import Decision, Threshold
from training.model import PlacementModel, interval_group
from training.unit_levels import UnitLevels
from training.within import stack_weights

MAX_YEARS_AHEAD = 1  # past a year after the last evaluation, tenures and careers are guesses


class AsOfOutOfRange(ValueError):
    """An as-of date the data cannot speak for (the API answers 422 naming `as_of`)."""


def check_as_of(data: HRData, as_of: pd.Timestamp) -> None:
    """Refuse dates before the first evaluated period or more than a year past the data's
    own as-of date: a round "as of 2100" would move people for 75 years of tenure."""
    first = pd.Timestamp(year=data.periods[0], month=1, day=1)
    last = data.default_as_of() + pd.DateOffset(years=MAX_YEARS_AHEAD)
    if not first <= as_of <= last:
        raise AsOfOutOfRange(
            f"as_of {as_of.date()} is outside what the data covers "
            f"({first.date()} to {last.date()}: its evaluations end in {data.last_period})"
        )


def table_date(data: HRData, as_of: pd.Timestamp | str | None) -> pd.Timestamp:
    """The date a table is built for: `as_of`, or the data's default date; checked
    (`check_as_of`)."""
    t = pd.Timestamp(as_of) if as_of is not None else data.default_as_of()
    check_as_of(data, t)
    return t


@dataclass(frozen=True)
class CandidateTable:
    """Feature rows for every (active employee, unit) pair at `as_of`, employee-major."""

    as_of: pd.Timestamp
    nips: pd.Index  # active employees, in row order
    unit_ids: pd.Index  # units, in column order
    rows: pd.DataFrame  # `build_features` rows
    broken: np.ndarray  # rows x eligibility rules: True where the rule is broken
    rule_codes: tuple[str, ...]
    stay_unit: np.ndarray  # per employee: column of the current unit, -1 if none

    @classmethod
    def build(
        cls,
        data: HRData,
        as_of: pd.Timestamp | None,
        eligibility: EligibilitySettings,
        nips: pd.Index | None = None,
        snapshot: Snapshot | None = None,
        readings: StaffReadings | None = None,
    ) -> CandidateTable:
        """The table at `as_of` (None: the data's default date) under the `eligibility`
        thresholds, which the caller passes down from its settings (never read here); for
        the active employees `nips` (default: all of them), so that a large staff can be
        scored a part at a time (`training.scoring`). `snapshot` is the records taken at that
        date (`features.pipeline.take_snapshot`) when the caller builds several parts: the
        rows are then built from it (`features_at`, what `build_features` calls per date)
        instead of each part taking the whole staff's snapshot again; `readings`, what the
        eligibility rules read of every assignment (`features.eligibility.StaffReadings`),
        likewise."""
        t = table_date(data, as_of)
        if snapshot is not None and snapshot.as_of != t:
            raise ValueError(f"a snapshot of {snapshot.as_of.date()} for a table as of {t.date()}")
        nips = pd.Index(data.active_nips() if nips is None else nips)
        unit_ids = pd.Index(data.units["unit_id"])
        pairs = candidate_pairs(data, as_of=t, nips=list(nips), unit_ids=list(unit_ids))
        rows = build_features(data, pairs) if snapshot is None else features_at(snapshot, pairs)
        mask = eligibility_mask(data, rows, eligibility, readings)
        stay = rows["is_stay"].to_numpy(dtype=float).reshape(len(nips), len(unit_ids)) == 1
        stay_unit = np.where(stay.any(axis=1), stay.argmax(axis=1), -1)
        return cls(t, nips, unit_ids, rows, mask.to_numpy(), tuple(mask.columns), stay_unit)

    @property
    def n_units(self) -> int:
        return len(self.unit_ids)

    def __len__(self) -> int:
        return len(self.rows)

    def position(self, employee: np.ndarray | int, unit: np.ndarray | int) -> np.ndarray:
        """Row position(s) of (employee, unit) position(s)."""
        return np.asarray(employee) * self.n_units + np.asarray(unit)

    def employee_of(self, row: np.ndarray) -> np.ndarray:
        return np.asarray(row) // self.n_units

    def unit_of(self, row: np.ndarray) -> np.ndarray:
        return np.asarray(row) % self.n_units

    @cached_property
    def stay_rows(self) -> np.ndarray:
        """Per row: the position of that employee's stay row, -1 if they hold no unit."""
        stay = self.position(np.arange(len(self.nips)), np.maximum(self.stay_unit, 0))
        per_employee = np.where(self.stay_unit >= 0, stay, -1)
        return np.repeat(per_employee, self.n_units)

    @cached_property
    def is_stay(self) -> np.ndarray:
        return np.asarray(self.stay_rows == np.arange(len(self.rows)))

    def allowed(self, ignore: tuple[str, ...] = ()) -> np.ndarray:
        """Rows no eligibility rule (except those in `ignore`) forbids."""
        keep = [k for k, code in enumerate(self.rule_codes) if code not in ignore]
        return np.asarray(~self.broken[:, keep].any(axis=1))

    def best_raw(self, model: PlacementModel) -> pd.DataFrame:
        """Per employee with a unit and an allowed move, by NIP: the unit held, the predicted
        score of staying there and the raw gain (`PlacementModel.raw_gains`) of their best
        allowed move.
        What the gain calibration (`training.gain.stay_curse`) and the monitor's baseline
        (`oversight.monitor.stay_baselines`) read for stayers: how much their staying was
        underestimated, against how good their best move looked. Raw gains only: no gain
        calibration is needed, so it serves before one is fitted."""
        point, legs = self._legs(model)
        raw = self._raw(model, legs)
        raw = np.where(self.allowed() & ~self.is_stay & np.isfinite(raw), raw, -np.inf)
        best = raw.reshape(len(self.nips), self.n_units).max(axis=1)
        keep = np.isfinite(best)
        stay_rows = self.stay_rows.reshape(len(self.nips), self.n_units)[:, 0]
        stay_point = np.where(stay_rows >= 0, point[np.maximum(stay_rows, 0)], np.nan)
        held = np.asarray(self.unit_ids)[np.maximum(self.stay_unit, 0)]
        return pd.DataFrame(
            {"unit_id": held[keep], "stay_predicted": stay_point[keep], "best_raw": best[keep]},
            index=pd.Index(np.asarray(self.nips)[keep], name="nip"),
        )

    def _legs(self, model: PlacementModel) -> tuple[np.ndarray, np.ndarray]:
        """Every row's predicted score and its legs (`PlacementModel.legs_matrix`)."""
        x = model.matrix(self.rows)
        point = model.point_matrix(x)
        return point, model.legs_matrix(x, point)

    def _raw(self, model: PlacementModel, legs: np.ndarray) -> np.ndarray:
        """Per row, the raw gain over the employee's stay row from rows x 2 `legs`
        (`PlacementModel.legs_matrix`; NaN rows where not scored): 0 for staying, NaN where
        the employee holds no unit."""
        stay_rows = self.stay_rows
        discount: np.ndarray | float = 0.0
        if model.unit_levels is not None:
            by_unit = model.unit_discount(np.asarray(self.unit_ids))
            discount = np.where(self.is_stay, 0.0, by_unit[self.unit_of(np.arange(len(self)))])
        raw = model.raw_gains(legs, legs[np.maximum(stay_rows, 0)], discount)
        return np.where(stay_rows >= 0, raw, np.nan)

    def stack_weights(self, model: PlacementModel) -> tuple[float, float]:
        """How the booster's and the within-person model's predictions weigh in a gain
        (`training.within.stack_weights`), measured on the moves this table allows."""
        if model.within is None:
            return 1.0, 0.0
        x = model.matrix(self.rows)
        both = np.column_stack([model.point_matrix(x), model.within.predict(x)])
        delta = both - both[np.maximum(self.stay_rows, 0)]  # each model's raw gain
        moves = self.allowed() & ~self.is_stay & (self.stay_rows >= 0)
        return stack_weights(delta[moves, 0], delta[moves, 1])

    def unit_levels(self, model: PlacementModel, staff: pd.Series, ratio: float) -> UnitLevels:
        """Each unit's level in `model`'s raw gains (before any discount), measured on the
        moves this table allows, and shrunk for its `staff` (`training.unit_levels`)."""
        _, legs = self._legs(model)
        raw = model.raw_gains(legs, legs[np.maximum(self.stay_rows, 0)])  # no discount
        moves = np.flatnonzero(self.allowed() & ~self.is_stay & (self.stay_rows >= 0))
        units = np.asarray(self.unit_ids)[self.unit_of(moves)]
        return UnitLevels.measure(self.employee_of(moves), units, raw[moves], staff, ratio)

    def score(
        self,
        model: PlacementModel,
        where: np.ndarray | None = None,
        matrix: np.ndarray | None = None,
    ) -> ScoredTable:
        """Predict the rows in `where` (a boolean mask; default all) and every stay row, then
        the gain of each scored move over staying. `matrix` is `model.matrix(self.rows)`
        when the caller keeps it (the API explains rows from it)."""
        scored = np.ones(len(self), dtype=bool) if where is None else where.copy()
        scored |= self.is_stay
        picked = np.flatnonzero(scored)
        x = matrix[picked] if matrix is not None else model.matrix(self.rows.iloc[picked])
        point, legs = np.full(len(self), np.nan), np.full((len(self), 2), np.nan)
        point[picked] = model.point_matrix(x)
        legs[picked] = model.legs_matrix(x, point[picked])
        low, high = np.full(len(self), np.nan), np.full(len(self), np.nan)
        low[picked], high[picked] = model.bounds(
            point[picked], interval_group(self.rows.iloc[picked])
        )
        raw = self._raw(model, legs)
        gain, gain_low, gain_high, p_help = model.gains(raw)
        stay = self.is_stay
        for values in (gain, gain_low, gain_high, p_help):
            values[stay] = 0.0  # staying is the reference: no gain, no uncertainty about it
        return ScoredTable(
            self, point, low, high, raw, gain, gain_low, gain_high, p_help, model.pilot_size()
        )


@dataclass(frozen=True)
class ScoredTable:
    """A candidate table with predictions: per row the predicted score and its interval,
    the raw and calibrated gain over staying, the gain's interval and the probability that
    the move truly helps (NaN where not scored or where the employee holds no unit); and
    how many moves a pilot makes with the model's line (`training.gain.pilot_size`)."""

    table: CandidateTable
    predicted: np.ndarray
    low: np.ndarray
    high: np.ndarray
    raw_gain: np.ndarray
    gain: np.ndarray
    gain_low: np.ndarray
    gain_high: np.ndarray
    p_help: np.ndarray
    pilot_moves: int

    def _moves(self, where: np.ndarray | None, ignore: tuple[str, ...]) -> np.ndarray:
        """Scored moves no rule forbids (rules in `ignore` aside), within `where`."""
        t = self.table
        moves = ~t.is_stay & np.isfinite(self.gain) & t.allowed(ignore)
        return moves & where if where is not None else moves

    def best_moves(
        self, where: np.ndarray | None = None, ignore: tuple[str, ...] = ()
    ) -> np.ndarray:
        """Per employee: the row of their eligible move with the highest gain, -1 if none."""
        return self._best(self._moves(where, ignore))

    def _best(self, moves: np.ndarray) -> np.ndarray:
        t = self.table
        gain = np.where(moves, self.gain, -np.inf).reshape(len(t.nips), t.n_units)
        best = t.position(np.arange(len(t.nips)), gain.argmax(axis=1))
        return np.where(np.isfinite(gain.max(axis=1)), best, -1)

    def _threshold(self, moves: np.ndarray, decision: Decision) -> Threshold:
        return decision.threshold(self._best_p(moves), self.pilot_moves)

    def _best_p(self, moves: np.ndarray) -> np.ndarray:
        best = self._best(moves)
        return np.asarray(self.p_help[best[best >= 0]])

    def best_p(self, where: np.ndarray | None = None, ignore: tuple[str, ...] = ()) -> np.ndarray:
        """Each employee's best eligible move's probability of helping (employees without
        one left out; rules in `ignore` aside): what a decision's threshold is set by, kept
        when a staff is scored a part at a time."""
        return self._best_p(self._moves(where, ignore))

    def employee_blocks(self, size: int) -> Iterator[tuple[int, ScoredTable]]:
        """This table `size` employees at a time, each block's arrays views of the whole's
        (nothing copied), with the position of its first row: what is computed per employee
        (ranks, best moves) can then be computed per block, with temporaries the size of a
        block, not of a province's 128M pairs. Each block's feature rows are a fresh frame of
        its length when the table keeps none (`JoinedStaff`), else the whole's rows sliced."""
        t = self.table
        for first in range(0, len(t.nips), size):
            last = min(first + size, len(t.nips))
            rows = slice(first * t.n_units, last * t.n_units)
            frame = (
                t.rows.iloc[rows].reset_index(drop=True) if len(t.rows.columns)
                else pd.DataFrame(index=pd.RangeIndex(rows.stop - rows.start))
            )  # fmt: skip
            part = dataclasses.replace(
                t, nips=t.nips[first:last], rows=frame, broken=t.broken[rows],
                stay_unit=t.stay_unit[first:last],
            )  # fmt: skip
            arrays = {name: getattr(self, name)[rows] for name in _SCORES}
            yield rows.start, dataclasses.replace(self, table=part, **arrays)

    def lean(self) -> ScoredTable:
        """The same scores without the feature rows (only who and where are kept): what a
        caller holds on to while it scores the next part of a large staff."""
        t = self.table
        light = dataclasses.replace(t, rows=t.rows[["nip", "unit_id"]].copy())
        return dataclasses.replace(self, table=light)

    def threshold(
        self, decision: Decision, where: np.ndarray | None = None, ignore: tuple[str, ...] = ()
    ) -> Threshold:
        """The least probability of helping that `decision` accepts on this table, on the
        evidence and for a pilot: set by each employee's best move (highest gain) among the
        eligible scored moves in `where` (rules in `ignore` aside: the round keeps the
        formasi itself)."""
        return self._threshold(self._moves(where, ignore), decision)

    def suggested(
        self,
        decision: Decision,
        where: np.ndarray | None = None,
        ignore: tuple[str, ...] = (),
        threshold: Threshold | None = None,
    ) -> np.ndarray:
        """Moves the decision suggests (never a stay row, never one a rule forbids):
        probability of helping at least the table's threshold (or `threshold`, set on a
        whole staff of which this table is a part), and the gain interval above
        `min_gain_low` when that is set."""
        moves = self._moves(where, ignore)
        if threshold is None:
            threshold = self._threshold(moves, decision)
        return moves & decision.accepts(self.p_help, self.gain_low, threshold)

    def ranks(
        self, decision: Decision, where: np.ndarray | None = None,
        threshold: Threshold | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Rank of each row within its employee (1 = first suggestion; 0 where not ranked).

        Suggested moves come first, then staying, then the other units; by gain within each
        (`order_key`). Only rows in `where` (default: every scored row) and stay rows are
        ranked. Each employee's row of units is sorted on its own (a part of a staff: 0.02 s
        against 0.07 s for one sort of every row with the employee as a key)."""
        t = self.table
        ranked = ~np.isnan(self.predicted)
        if where is not None:
            ranked &= where | t.is_stay
        suggested = self.suggested(decision, where, threshold=threshold)
        tier = np.where(suggested, 0, np.where(t.is_stay, 1, 2))
        keys = tuple(k.reshape(len(t.nips), t.n_units) for k in (-self.order_key(), tier, ~ranked))
        order = np.lexsort(keys, axis=1)  # per employee: their rows, first rank first
        place = np.empty_like(order)
        np.put_along_axis(place, order, np.broadcast_to(np.arange(t.n_units), order.shape), axis=1)
        return np.where(ranked, place.ravel() + 1, 0)

    def order_key(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """What one employee's units are ordered by, for `rows` (default all): the gain
        over staying where the employee holds a unit (the gain ranks with the within-person
        model, the predicted score with the booster alone), else the predicted score; -inf
        where not scored."""
        gain, predicted = self.gain[rows], self.predicted[rows]
        key = np.where(np.isfinite(gain), gain, predicted)
        return np.nan_to_num(key, nan=-np.inf)

    def top(self, decision: Decision, where: np.ndarray | None = None) -> np.ndarray:
        """Per employee: the row of the first suggestion."""
        ranks = self.ranks(decision, where)
        return np.flatnonzero(ranks == 1)


_SCORES = tuple(f.name for f in dataclasses.fields(ScoredTable) if f.name not in ("table", "pilot_moves"))  # fmt: skip


class JoinedStaff:
    """One staff's scored parts written into one table as each is scored: what the API
    holds, so that a request finds any employee's row by position. The whole table's arrays
    are allocated when the first part comes and each part is copied in (the parts are
    consecutive employees, same date and units), so the parts and the whole are never held
    at once; no feature rows are kept (who and where a row is are its position in `nips`
    and `unit_ids`)."""

    def __init__(self, n_employees: int) -> None:
        self.n_employees = n_employees
        self.filled = 0
        self._first: CandidateTable | None = None
        self._nips: list[np.ndarray] = []
        self._arrays: dict[str, np.ndarray] = {}
        self._pilot_moves = 0

    def add(self, part: ScoredTable) -> None:
        t = part.table
        if self._first is None:
            self._first = t
            self._pilot_moves = part.pilot_moves
            size = self.n_employees * t.n_units
            self._arrays = {name: np.empty(size) for name in _SCORES}
            self._arrays["broken"] = np.empty((size, t.broken.shape[1]), dtype=bool)
            self._arrays["stay_unit"] = np.empty(self.n_employees, dtype=t.stay_unit.dtype)
        first = self._first
        if t.as_of != first.as_of or not t.unit_ids.equals(first.unit_ids):
            raise ValueError("the parts of one staff share one date and one list of units")
        if self.filled + len(t.nips) > self.n_employees:
            raise ValueError(f"more employees than the {self.n_employees} the staff was sized for")
        rows = slice(self.filled * t.n_units, (self.filled + len(t.nips)) * t.n_units)
        for name in _SCORES:
            self._arrays[name][rows] = getattr(part, name)
        self._arrays["broken"][rows] = t.broken
        self._arrays["stay_unit"][self.filled : self.filled + len(t.nips)] = t.stay_unit
        self._nips.append(t.nips.to_numpy())
        self.filled += len(t.nips)

    def result(self) -> ScoredTable:
        first = self._first
        if first is None or self.filled != self.n_employees:
            raise ValueError(f"{self.filled} of {self.n_employees} employees were scored")
        arrays = self._arrays
        table = dataclasses.replace(
            first, nips=pd.Index(np.concatenate(self._nips)),
            rows=pd.DataFrame(index=pd.RangeIndex(len(arrays["broken"]))),
            broken=arrays["broken"], stay_unit=arrays["stay_unit"],
        )  # fmt: skip
        arrays_of = {name: arrays[name] for name in _SCORES}
        return ScoredTable(table=table, pilot_moves=self._pilot_moves, **arrays_of)
