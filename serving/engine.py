"""The serving engine: one loaded model, one data snapshot, and every pair's scores.

Every (active employee, unit) pair is scored once at load, `PENATAAN_SCORE_CHUNK` employees
at a time, through the same `score_staff` as `penataan score` (so the API's scores agree
with it); each part is copied into one table sized for the whole staff (`JoinedStaff`) and
its feature rows are let go: the engine keeps the scores (about 90 bytes a pair) and the
records' snapshot, not every pair's feature row (about two kilobytes). A request ranks its
rows on the kept scores and explains only the rows it returns (TreeSHAP costs far more than
predicting): their model rows are those kept at load for every employee's default answer
(`serving.kept_rows`), or built from the snapshot (`features.pipeline.features_at`). An
`Engine` is immutable: a reload builds a new one and swaps it in whole, so a request never
sees half of each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from features.contract.validate import load_data
from features.data import HRData
from features.eligibility import RULES, broken_rules
from features.pipeline import Snapshot, features_at, take_snapshot
from features.vocab import PREDIKAT
from oversight.records import Shown, record_round
from oversight.store import DecisionStore
from planning.problem import ScoredPairs, person_values
from planning.run import check_blackout, plan_round
from planning.settings import PlanRules
from serving.kept_rows import KeptRows
from serving.schemas import (
    CandidatesResponse,
    CurrentPlacement,
    IneligibleReason,
    Interval,
    Lang,
    ModelRef,
    Placement,
    PlanMove,
    PlanResponse,
    PlanUnit,
    RecommendRequest,
    RecommendResponse,
)
from serving.settings import ServeSettings
from training import explain
from training.candidates import CandidateTable, JoinedStaff, ScoredTable, table_date
from training.gain import Decision, on_pilot
from training.model import PlacementModel
from training.registry import LoadedModel, load_registered
from training.scoring import score_staff, staff_tables

# A request's own `precision` is decided once per value and kept: at most this many values,
# and at most this many bytes of their masks (`Engine.suggested_for`)
PRECISION_ENTRIES = 16
PRECISION_CACHE_BYTES = 512 * 2**20


class NotFound(LookupError):
    """An unknown NIP or unit: the API answers 404 naming the field (and why, where the
    data knows the NIP but the service does not serve it)."""

    def __init__(self, field: str, value: str, what: str, status: str | None = None, why: str | None = None) -> None:  # fmt: skip
        super().__init__(why or f"{what} {value!r} not found")
        self.field, self.value = field, value
        self.status = status  # the data's status of a NIP it knows but the service does not serve


@dataclass(frozen=True)
class Engine:
    loaded: LoadedModel
    data: HRData
    data_dir: Path
    scored: ScoredTable  # every pair's score, interval and gain, computed at load (lean)
    snapshot: Snapshot  # the records as of the served date: returned rows are built from it
    units: pd.DataFrame  # indexed by unit_id, in column order: unit_name, domain, capacity
    headcount: np.ndarray  # per unit: active employees placed there
    settings: ServeSettings  # the eligibility thresholds, the decision policy, the explanations
    people: pd.DataFrame  # per employee: tenure_current (years in the unit held), willing_to_move
    kept: KeptRows  # the model rows of each employee's default answer (serving.kept_rows)

    @classmethod
    def load(
        cls,
        settings: ServeSettings,
        progress: Callable[[str], None] = lambda _: None,
    ) -> Engine:
        """Load the registered model and the data, then score every candidate pair once, a
        part of the staff at a time. Nothing is explained here: staying's rows (every
        narrative's baseline) and the moves of default answers are explained in the
        background once the engine serves (`explain_ahead`), and any row a request needs
        before its turn is explained by that request."""
        settings.connect()
        uri = settings.model_uri or settings.champion_uri
        progress(f"loading {uri}")
        loaded = load_registered(uri)
        model = loaded.model
        settings.prepare(model)  # compiled trees where allowed (training.compiled)
        progress(f"loading data from {settings.data_dir}")
        data = load_data(settings.data_dir, settings.predikat_scale)
        as_of = table_date(data, settings.as_of or None)
        snapshot = take_snapshot(data, as_of)  # the parts' rows, then the requests', from it
        people: list[pd.DataFrame] = []
        joined = JoinedStaff(len(data.active_nips()))

        def keep_part(part: ScoredTable) -> None:
            t = part.table
            people.append(person_values(t))
            joined.add(part)
            progress(f"scored {sum(map(len, people)):,} employees")

        progress(
            f"scoring every active employee in every unit, {settings.part_size(len(data.units)):,} at a time"
        )
        score_staff(
            data, model, settings, as_of, all_units=True, visit=keep_part, keep=False,
            snapshot=snapshot,
        )  # fmt: skip
        scored = joined.result()
        table = scored.table
        units = data.units.set_index("unit_id").loc[
            table.unit_ids, ["unit_name", "domain", "capacity"]
        ]
        placed = table.stay_unit[table.stay_unit >= 0]
        headcount = np.bincount(placed, minlength=table.n_units)
        progress("keeping the model rows of every employee's default answer")
        kept = KeptRows.build(
            scored, settings.decision, RecommendRequest.model_fields["top_k"].default,
            lambda rows: _model_rows(model, table, snapshot, rows),
        )  # fmt: skip
        return cls(
            loaded, data, settings.data_dir, scored, snapshot, units, headcount, settings,
            pd.concat(people, ignore_index=True), kept,
        )  # fmt: skip

    @property
    def table(self) -> CandidateTable:
        """Who and where each scored row is, and which rules each breaks (no feature rows)."""
        return self.scored.table

    def _matrix(self, rows: np.ndarray) -> np.ndarray:
        """The model rows of table rows `rows`: kept at load, or built from the snapshot."""
        return self.kept.take(rows, self._built_matrix)

    def _contributions(self, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        """TreeSHAP of table rows `rows` (model rows `x`): the rows of default answers as
        explained ahead (`explain_ahead`), the others now."""
        out = np.empty((len(rows), x.shape[1] + 1))
        kept, values = self.kept.explanations(rows)
        out[kept] = values
        fresh = np.flatnonzero(~kept)
        if len(fresh):
            out[fresh] = self.loaded.model.contributions_matrix(x[fresh])
        return out

    def explain_ahead(self, stop: threading.Event) -> int:
        """Explain the kept rows of every default answer on one thread, staying's first
        (every narrative's baseline), then the moves, until done or `stop`: run in the
        background once the engine serves, so that requests find their explanations
        computed; how many rows it explained."""

        def contributions(x: np.ndarray) -> np.ndarray:
            return self.loaded.model.contributions_matrix(x, threads=1)

        stays = self.table.is_stay[self.kept.rows]
        done = self.kept.explain_ahead(contributions, stays, stop)
        return done + self.kept.explain_ahead(contributions, ~stays, stop)

    @property
    def explained_ahead(self) -> tuple[int, int]:
        """Rows of default answers explained ahead so far, and how many there are."""
        return int(self.kept.explained.sum()), len(self.kept.rows)

    def _built_matrix(self, rows: np.ndarray) -> np.ndarray:
        return _model_rows(self.loaded.model, self.table, self.snapshot, rows)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.table.as_of

    @property
    def nips(self) -> pd.Index:
        return self.table.nips

    @cached_property
    def fingerprint(self) -> str:
        """The served data's content hash (computed once; `smoke` computes it at load)."""
        return self.data.fingerprint()

    def shown(self, as_of: pd.Timestamp | None = None) -> Shown:
        """What every suggestion record of this engine carries: model, run, data, date."""
        when = (as_of if as_of is not None else self.as_of).date().isoformat()
        loaded = self.loaded
        return Shown(loaded.name, loaded.version, loaded.run_id, self.fingerprint, when)

    def unit_of(self, nip: str) -> str | None:
        """The unit the employee holds on the as-of date (None: no unit)."""
        unit = int(self.table.stay_unit[self._employee(nip)])
        return None if unit < 0 else str(self.units.index[unit])

    def stay_prediction(self, nip: str) -> float | None:
        """The predicted score of staying in the unit held (None: no unit): what a shown
        move's realised outcome is compared to a year later (`oversight.monitor`)."""
        employee = self._employee(nip)
        unit = int(self.table.stay_unit[employee])
        return (
            None if unit < 0 else float(self.scored.predicted[self.table.position(employee, unit)])
        )

    def raw_gain(self, nip: str, unit_id: str) -> float | None:
        """The raw gain (before calibration) of `nip` moving to `unit_id`, None where the
        employee holds no unit: what the outcome loop refits the gain's line on."""
        row = self.table.position(self._employee(nip), self._unit(unit_id, "unit_id"))
        value = float(self.scored.raw_gain[row])
        return value if np.isfinite(value) else None

    @property
    def model_ref(self) -> ModelRef:
        return ModelRef(name=self.loaded.name, version=self.loaded.version, alias=self.loaded.alias)

    def suggested_for(self, precision: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: a move the policy suggests, and of those the pilot's; the server's
        operating point is computed once at load, another `precision` (a request's) once
        per value."""
        if precision is None or precision == self.settings.precision:
            return self.suggested
        cache = self._suggested_by_precision
        if precision not in cache:
            # bounded: callers may send any number of values, and each value's two masks
            # take two bytes a pair (a province's 128M pairs: 256 MB an entry)
            pairs = max(len(self.scored.p_help), 1)
            room = min(PRECISION_ENTRIES, max(1, PRECISION_CACHE_BYTES // (2 * pairs)))
            while len(cache) >= room:
                cache.pop(next(iter(cache)))
            cache[precision] = self._suggest(dataclasses.replace(self.settings.decision, precision=precision))  # fmt: skip
        return cache[precision]

    @cached_property
    def _suggested_by_precision(self) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        return {}

    @cached_property
    def suggested(self) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: a move the server's policy suggests, and a pilot's (computed once, not
        per request)."""
        return self._suggest(self.settings.decision)

    def _suggest(self, decision: Decision) -> tuple[np.ndarray, np.ndarray]:
        threshold = self.scored.threshold(decision)
        suggested = self.scored.suggested(decision, threshold=threshold)  # eligible moves only
        return suggested, suggested & on_pilot(self.scored.p_help, threshold)

    @cached_property
    def unit_names(self) -> dict[str, str]:
        """Unit id -> name in this engine's data, made once: what names the unit an `ubah`
        decided instead on the round page and its paper (made per request, the round
        page's median doubled beside the explaining ahead; kept on the engine, a page
        never pairs one engine's names with another's across a reload)."""
        return self.units["unit_name"].astype(str).to_dict()

    @cached_property
    def importance(self) -> pd.DataFrame:
        """Gain and mean |SHAP| per feature, SHAP on a fixed sample of this data's rows."""
        rows = len(self.table)
        sample = np.random.default_rng(0).choice(rows, min(rows, 2000), replace=False)
        return self.loaded.model.importance_table(
            _feature_rows(self.table, self.snapshot, np.sort(sample)), sample=2000
        )

    @cached_property
    def _employee_pos(self) -> dict[str, int]:
        return {str(nip): i for i, nip in enumerate(self.nips)}

    @cached_property
    def _unit_info(self) -> tuple[dict[str, int], list[str], list[str], list[str]]:
        """Unit position by id; ids, names and domains by position (plain lists are far
        cheaper per request than DataFrame row lookups)."""
        ids = [str(u) for u in self.units.index]
        names = [str(n) for n in self.units["unit_name"]]
        domains = [str(d) for d in self.units["domain"]]
        return {u: i for i, u in enumerate(ids)}, ids, names, domains

    def _employee(self, nip: str) -> int:
        position = self._employee_pos.get(nip)
        if position is None:
            raise self._not_served(nip)
        return position

    def _not_served(self, nip: str) -> NotFound:
        """Why a NIP gets no suggestion, saying so where the data knows it: HR typing a
        retiree's NIP, or one on leave, read "not found" as a typo."""
        known = self.data.employees.loc[self.data.employees["nip"] == nip, "status"]
        if known.empty:
            return NotFound("nip", nip, "active employee")
        status = str(known.iloc[0])
        if status == "aktif":  # joined after the served date, or no assignment then
            why = f"employee {nip!r} holds no unit on {self.as_of.date().isoformat()} in the data's assignments"  # fmt: skip
        else:
            why = f"employee {nip!r} is {status} in the data, not aktif: suggestions are for active staff"  # fmt: skip
        return NotFound("nip", nip, "active employee", status, why)

    def _unit(self, unit_id: str, field: str) -> int:
        position = self._unit_info[0].get(unit_id)
        if position is None:
            raise NotFound(field, unit_id, "unit")
        return position

    def _placements(
        self, rows: np.ndarray, top_k: int, include_ineligible: bool, lang: Lang, by_policy: bool,
        precision: float | None = None,
    ) -> list[Placement]:  # fmt: skip
        """Rank `rows` and explain the top `top_k` against staying put. `by_policy`: credible
        moves first, then staying, then the rest (one employee's units); else by score."""
        sc = self.scored
        suggested, pilot = self.suggested_for(precision)
        asked = rows  # a staying answer says why no move: the rules, over every unit asked
        if not include_ineligible:
            rows = rows[~self.table.broken[rows].any(axis=1)]
        point = sc.predicted[rows]
        if by_policy:
            tier = np.where(suggested[rows], 0, np.where(self.table.is_stay[rows], 1, 2))
            order = rows[np.lexsort((-sc.order_key(rows), tier))][:top_k]
        else:
            order = rows[np.argsort(-point, kind="stable")][:top_k]
        if len(order) == 0:
            return []
        staying_first = by_policy and bool(self.table.is_stay[order[0]])
        closed = self._closing(asked, lang) if staying_first else None
        model = self.loaded.model
        # the rows returned and their employees' staying rows (each narrative's baseline),
        # explained together: a staying row among those returned is explained once
        employees = self.table.employee_of(order)
        held = self.table.stay_unit[employees]
        placed = held >= 0
        stays = self.table.position(employees[placed], held[placed])
        both = np.unique(np.concatenate([order, stays]))
        x_both = self._matrix(both)
        contrib_both = self._contributions(both, x_both)
        legs_both = explain.by_factor(model.leg_contributions(x_both, contrib_both))
        at = np.searchsorted(both, order)
        contrib = contrib_both[at]
        factors = explain.by_factor(contrib)  # the predicted score's, for the explanation
        legs = legs_both[at]  # the gain's, for the text
        baseline = np.full((len(order), len(explain.FACTOR_NAMES)), np.nan)
        baseline[placed] = legs_both[np.searchsorted(both, stays)]
        _, ids, names, domains = self._unit_info
        credible, trial = suggested[order], pilot[order]
        chances = model.predikat_probabilities(sc.predicted[order], sc.low[order], sc.high[order])
        out = []
        for rank, row in enumerate(order):
            employee, unit_pos = int(self.table.employee_of(row)), int(self.table.unit_of(row))
            current = int(self.table.stay_unit[employee])
            known = current >= 0
            gain = float(sc.gain[row]) if known else None
            text = explain.narrative(
                lang, names[unit_pos], names[current] if known else None,
                float(sc.predicted[row]), float(sc.low[row]), float(sc.high[row]), gain,
                legs[rank] - baseline[rank] if known else None,
                None if gain is None else (float(sc.gain_low[row]), float(sc.gain_high[row])),
                bool(credible[rank]), float(sc.p_help[row]) if known else None,
                precision or self.settings.precision, by_policy and rank == 0, bool(trial[rank]),
                closed if rank == 0 else None,
            )  # fmt: skip
            codes = broken_rules(self.table.broken[row])
            out.append(
                Placement(
                    rank=rank + 1,
                    nip=str(self.nips[employee]),
                    unit_id=ids[unit_pos],
                    unit_name=names[unit_pos],
                    domain=domains[unit_pos],
                    is_current=unit_pos == current,
                    predicted_score=_round(sc.predicted[row]),
                    interval=Interval(low=_round(sc.low[row]), high=_round(sc.high[row])),
                    predikat_probabilities={
                        p: round(float(q), 3) for p, q in zip(PREDIKAT, chances[rank], strict=True)
                    },
                    gain=None if gain is None else _round(gain),
                    gain_interval=None
                    if gain is None
                    else Interval(low=_round(sc.gain_low[row]), high=_round(sc.gain_high[row])),
                    probability_helps=None if gain is None else round(float(sc.p_help[row]), 3),
                    suggested=bool(credible[rank]),
                    pilot=bool(trial[rank]),
                    eligible=not codes,
                    ineligible_reasons=[_reason(code, lang) for code in codes],
                    explanation=explain.explanation(
                        float(contrib[rank, -1]),
                        factors[rank],
                        self.settings.explain_factors,
                        lang,
                        text,
                    ),
                )
            )
        return out

    def _closed(self, rows: np.ndarray) -> list[str] | None:
        """Where every move among `rows` (one employee's, or one unit's candidates) breaks a
        rule, the rules' codes: those every one of them breaks, else those each breaks one of;
        None where a move is allowed. "Stay", or no candidate, then says the rules, not the
        model, decided (two years in the position not yet served read as "no move is likely
        enough to help")."""
        moves = rows[~self.table.is_stay[rows]]
        broken = self.table.broken[moves]
        if len(moves) == 0 or not broken.any(axis=1).all():
            return None
        return broken_rules(broken.all(axis=0)) or broken_rules(broken.any(axis=0))

    def _closing(self, rows: np.ndarray, lang: Lang) -> list[str] | None:
        """`_closed`'s rules as the narrative says them, in `lang`."""
        codes = self._closed(rows)
        if codes is None:
            return None
        texts = [_reason(code, lang).reason for code in codes]
        return [text[0].lower() + text[1:] if text[1:2].islower() else text for text in texts]

    def recommend(
        self, nip: str, top_k: int, unit_ids: list[str] | None, include_ineligible: bool,
        lang: Lang, precision: float | None = None,
    ) -> RecommendResponse:  # fmt: skip
        employee = self._employee(nip)
        if unit_ids is None:
            columns = np.arange(len(self.units))
        else:
            columns = np.array([self._unit(u, "unit_ids") for u in dict.fromkeys(unit_ids)])
        rows = self.table.position(employee, columns)
        current = int(self.table.stay_unit[employee])
        suggestions = self._placements(
            rows, top_k, include_ineligible, lang, by_policy=True, precision=precision
        )
        moving = bool(suggestions) and suggestions[0].suggested
        return RecommendResponse(
            nip=nip,
            as_of=self.as_of.date().isoformat(),
            current=None if current < 0 else self._current(employee, current),
            decision="move" if moving else "stay",
            precision=precision or self.settings.precision,
            pilot=moving and suggestions[0].pilot,
            min_gain_low=self.settings.min_gain_low,
            suggestions=suggestions,
            model=self.model_ref,
        )

    def _current(self, employee: int, unit: int) -> CurrentPlacement:
        row = int(self.table.position(employee, unit))
        sc = self.scored
        info = self.units.iloc[unit]
        return CurrentPlacement(
            unit_id=str(info.name),
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            predicted_score=_round(sc.predicted[row]),
            interval=Interval(low=_round(sc.low[row]), high=_round(sc.high[row])),
            tenure_years=round(float(self.people["tenure_current"].iat[employee]), 2),
        )

    def candidates(
        self, unit_id: str, top_k: int, include_ineligible: bool, lang: Lang,
        precision: float | None = None,
    ) -> CandidatesResponse:  # fmt: skip
        unit = self._unit(unit_id, "unit_id")
        outside = np.flatnonzero(self.table.stay_unit != unit)  # people there are not candidates
        rows = self.table.position(outside, unit)
        info = self.units.iloc[unit]
        return CandidatesResponse(
            unit_id=unit_id,
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            capacity=int(info["capacity"]),
            headcount=int(self.headcount[unit]),
            as_of=self.as_of.date().isoformat(),
            precision=precision or self.settings.precision,
            candidates=self._placements(
                rows, top_k, include_ineligible, lang, by_policy=False, precision=precision
            ),
            closed_by=[_reason(code, lang) for code in self._closed(rows) or []],
            model=self.model_ref,
        )

    def plan(
        self, as_of: dt.date | None, settings: PlanRules, store: DecisionStore
    ) -> PlanResponse:
        """A transfer round, exactly as `penataan plan` would choose it for this data, its
        moves stored as suggestions shown (`oversight.records.record_round`). On the
        served date it reads the pairs scored at load (`planning.problem.ScoredPairs`),
        so it costs the rules and the solver, not a scoring of every pair (on a province,
        16.5 s against half an hour: docs/benchmarks.md, "A province"); on another date its
        candidate rows are built and scored a part of the staff at a time, as `penataan plan`
        does."""
        when = pd.Timestamp(as_of) if as_of is not None else self.as_of
        check_blackout(when, settings)  # before the (slow) candidate rows
        source: Iterable[CandidateTable] | ScoredPairs = (
            ScoredPairs(self.scored, self.people) if when == self.as_of
            else staff_tables(self.data, self.settings, when)
        )  # fmt: skip
        result = plan_round(
            self.data, self.loaded.model, source, settings, pipeline=self.settings.decision
        )
        record_round(result, self.shown(when), store)
        moves = result.moves.reindex(columns=list(PlanMove.model_fields)).round(3)
        units = result.units.reindex(columns=list(PlanUnit.model_fields))
        units = units.astype(object).where(units.notna(), None)
        return PlanResponse(
            summary=result.summary,
            moves=[PlanMove(**m) for m in moves.to_dict(orient="records")],
            units=[PlanUnit(**u) for u in units.to_dict(orient="records")],
            model=self.model_ref,
        )

    def smoke(self) -> None:
        """One explained prediction end to end; raises if the model cannot serve."""
        if len(self.nips) == 0:
            raise ValueError("the data has no active employee to serve")
        assert self.fingerprint  # hashed now, at load, not on the first request
        answer = self.recommend(str(self.nips[0]), 1, None, True, "id")
        score = answer.suggestions[0].predicted_score
        if not np.isfinite(score):
            raise ValueError(f"smoke prediction is not finite ({score})")


def _feature_rows(table: CandidateTable, snapshot: Snapshot, rows: np.ndarray) -> pd.DataFrame:
    """The feature rows of table rows `rows`, built from the records' snapshot: the same
    rows `build_features` made when the engine scored them."""
    pairs = pd.DataFrame(
        {"nip": table.nips.to_numpy()[table.employee_of(rows)],
         "unit_id": table.unit_ids.to_numpy()[table.unit_of(rows)], "as_of": table.as_of}
    )  # fmt: skip
    return features_at(snapshot, pairs)


def _model_rows(
    model: PlacementModel, table: CandidateTable, snapshot: Snapshot, rows: np.ndarray
) -> np.ndarray:
    """The model rows of table rows `rows`, built from the records' snapshot."""
    return model.matrix(_feature_rows(table, snapshot, rows))


def _round(value: float) -> float:
    return round(float(value), 3) + 0.0  # no -0.0


def _reason(code: str, lang: Lang) -> IneligibleReason:
    rule = RULES[code]
    return IneligibleReason(
        code=code, reason=rule.text_en if lang == "en" else rule.text_id, reference=rule.reference
    )
