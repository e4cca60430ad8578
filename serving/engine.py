"""The serving engine: one loaded model, one data snapshot, and every candidate row.

Feature rows for every (active employee, unit) pair are built once at load, through the
same `build_features` that training and `penataan score` use, so the API's scores agree with
`penataan score`; each request then scores its rows afresh and explains only the rows it
returns (TreeSHAP costs far more than predicting). An `Engine` is immutable: a reload
builds a new one and swaps it in whole, so a request never sees half of each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from features.data import HRData
from features.eligibility import RULES, EligibilitySettings, broken_rules, eligibility_mask
from features.pipeline import build_features, candidate_pairs
from features.validate import load_data
from planning.run import check_blackout, plan_round
from planning.settings import PlanSettings
from serving import explain
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
    RecommendResponse,
)
from serving.settings import ServeSettings
from training.evaluation import read_truth
from training.model import interval_group
from training.registry import LoadedModel, load_registered
from training.settings import RegistrySettings


class NotFound(LookupError):
    """An unknown NIP or unit: the API answers 404 naming the field."""

    def __init__(self, field: str, value: str, what: str) -> None:
        super().__init__(f"{what} {value!r} not found")
        self.field = field


@dataclass(frozen=True)
class Engine:
    loaded: LoadedModel
    data: HRData
    data_dir: Path
    as_of: pd.Timestamp
    rows: pd.DataFrame  # every active employee x every unit, employee-major, units in order
    broken: np.ndarray  # rows x RULES: True where a rule is broken
    nips: pd.Index  # active employees, in row order
    units: pd.DataFrame  # indexed by unit_id, in row order: unit_name, domain, capacity
    stay_unit: np.ndarray  # per employee: position of the current unit in `units`, -1 if none
    headcount: np.ndarray  # per unit: active employees placed there
    explain_factors: int
    matrix: np.ndarray  # `rows` as the booster reads them, sliced per request
    groups: np.ndarray  # per row: its interval group
    stay_score: np.ndarray  # per employee: predicted score of staying (NaN without a unit)
    stay_factors: np.ndarray  # per employee x factor: TreeSHAP of staying, for the narrative

    @classmethod
    def load(
        cls,
        settings: ServeSettings,
        eligibility: EligibilitySettings | None = None,
        progress: Callable[[str], None] = lambda _: None,
    ) -> Engine:
        """Load the registered model and the data, then build every candidate row."""
        registry = RegistrySettings()
        mlflow.set_tracking_uri(registry.mlflow_tracking_uri)
        uri = settings.model_uri or registry.champion_uri
        progress(f"loading {uri}")
        loaded = load_registered(uri)
        progress(f"loading data from {settings.data_dir}")
        data = load_data(settings.data_dir)
        as_of = pd.Timestamp(settings.as_of) if settings.as_of else data.default_as_of()
        units = data.units.set_index("unit_id")[["unit_name", "domain", "capacity"]]
        nips = pd.Index(data.active_nips())
        progress(f"building {len(nips) * len(units):,} candidate rows as of {as_of.date()}")
        rows = build_features(data, candidate_pairs(data, as_of=as_of, unit_ids=list(units.index)))
        broken = eligibility_mask(data, rows, eligibility).to_numpy()
        stay = rows["is_stay"].to_numpy().reshape(len(nips), len(units)) == 1
        stay_unit = np.where(stay.any(axis=1), stay.argmax(axis=1), -1)
        headcount = np.bincount(stay_unit[stay_unit >= 0], minlength=len(units))
        model = loaded.model
        matrix = model.matrix(rows)
        placed = np.flatnonzero(stay_unit >= 0)
        progress(f"explaining staying put for {len(placed):,} employees (the narrative's baseline)")
        contrib = model.contributions_matrix(matrix[placed * len(units) + stay_unit[placed]])
        stay_score = np.full(len(nips), np.nan)
        stay_score[placed] = contrib.sum(axis=1)  # base + contributions == the prediction
        stay_factors = np.full((len(nips), len(explain.FACTOR_NAMES)), np.nan)
        stay_factors[placed] = explain.by_factor(contrib)
        return cls(
            loaded, data, settings.data_dir, as_of, rows, broken, nips, units, stay_unit,
            headcount, settings.explain_factors, matrix, interval_group(rows), stay_score,
            stay_factors,
        )  # fmt: skip

    @property
    def model_ref(self) -> ModelRef:
        return ModelRef(name=self.loaded.name, version=self.loaded.version, alias=self.loaded.alias)

    @cached_property
    def importance(self) -> pd.DataFrame:
        """Gain and mean |SHAP| per feature, SHAP on a fixed sample of this data's rows."""
        return self.loaded.model.importance_table(self.rows, sample=2000)

    def _row(self, employee: Any, unit: Any) -> Any:
        """Row position(s) of (employee, unit) position(s); works on ints and arrays."""
        return employee * len(self.units) + unit

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
            raise NotFound("nip", nip, "active employee")
        return position

    def _unit(self, unit_id: str, field: str) -> int:
        position = self._unit_info[0].get(unit_id)
        if position is None:
            raise NotFound(field, unit_id, "unit")
        return position

    def _placements(
        self, rows: np.ndarray, top_k: int, include_ineligible: bool, lang: Lang
    ) -> list[Placement]:
        """Score `rows`, rank them, and explain the top `top_k` against staying put."""
        model = self.loaded.model
        x = self.matrix[rows]
        point = model.point_matrix(x)
        low, high = model.bounds(point, self.groups[rows])
        keep = np.arange(len(rows))
        if not include_ineligible:
            keep = np.flatnonzero(~self.broken[rows].any(axis=1))
        order = keep[np.argsort(-point[keep], kind="stable")][:top_k]
        if len(order) == 0:
            return []
        contrib = model.contributions_matrix(x[order])
        factors = explain.by_factor(contrib)
        n_units = len(self.units)
        _, ids, names, domains = self._unit_info
        out = []
        for rank, (i, row) in enumerate(zip(order, rows[order], strict=True)):
            employee, unit_pos = divmod(int(row), n_units)
            current = self.stay_unit[employee]
            staying = self.stay_score[employee]
            gain = None if np.isnan(staying) else float(point[i] - staying)
            text = explain.narrative(
                lang, names[unit_pos], None if current < 0 else names[current],
                float(point[i]), float(low[i]), float(high[i]), gain,
                None if gain is None else factors[rank] - self.stay_factors[employee],
            )  # fmt: skip
            codes = broken_rules(self.broken[row])
            out.append(
                Placement(
                    rank=rank + 1,
                    nip=str(self.nips[employee]),
                    unit_id=ids[unit_pos],
                    unit_name=names[unit_pos],
                    domain=domains[unit_pos],
                    is_current=bool(unit_pos == current),
                    predicted_score=round(float(point[i]), 3),
                    interval=Interval(low=round(float(low[i]), 3), high=round(float(high[i]), 3)),
                    gain=None if gain is None else round(gain, 3) + 0.0,  # no -0.0
                    eligible=not codes,
                    ineligible_reasons=[_reason(code, lang) for code in codes],
                    explanation=explain.explanation(
                        float(contrib[rank, -1]), factors[rank], self.explain_factors, lang, text
                    ),
                )
            )
        return out

    def recommend(
        self, nip: str, top_k: int, unit_ids: list[str] | None, include_ineligible: bool,
        lang: Lang,
    ) -> RecommendResponse:  # fmt: skip
        employee = self._employee(nip)
        if unit_ids is None:
            columns = np.arange(len(self.units))
        else:
            columns = np.array([self._unit(u, "unit_ids") for u in dict.fromkeys(unit_ids)])
        rows = self._row(employee, columns)
        current = self.stay_unit[employee]
        suggestions = self._placements(rows, top_k, include_ineligible, lang)
        return RecommendResponse(
            nip=nip,
            as_of=self.as_of.date().isoformat(),
            current=None if current < 0 else self._current(employee, current),
            suggestions=suggestions,
            model=self.model_ref,
        )

    def _current(self, employee: int, unit: int) -> CurrentPlacement:
        row = self._row(employee, unit)
        point = self.stay_score[employee : employee + 1]
        low, high = self.loaded.model.bounds(point, self.groups[row : row + 1])
        info = self.units.iloc[unit]
        return CurrentPlacement(
            unit_id=str(info.name),
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            predicted_score=round(float(point[0]), 3),
            interval=Interval(low=round(float(low[0]), 3), high=round(float(high[0]), 3)),
            tenure_years=round(float(self.rows["tenure_current"].iloc[row]), 2),
        )

    def candidates(
        self, unit_id: str, top_k: int, include_ineligible: bool, lang: Lang
    ) -> CandidatesResponse:
        unit = self._unit(unit_id, "unit_id")
        outside = np.flatnonzero(self.stay_unit != unit)  # people already there are not candidates
        rows = self._row(outside, unit)
        info = self.units.iloc[unit]
        return CandidatesResponse(
            unit_id=unit_id,
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            capacity=int(info["capacity"]),
            headcount=int(self.headcount[unit]),
            as_of=self.as_of.date().isoformat(),
            candidates=self._placements(rows, top_k, include_ineligible, lang),
            model=self.model_ref,
        )

    def plan(self, as_of: dt.date | None, settings: PlanSettings) -> PlanResponse:
        """A transfer round, exactly as `penataan plan` would choose it for this data."""
        when = pd.Timestamp(as_of) if as_of is not None else self.as_of
        check_blackout(when, settings)  # before the (slow) candidate rows for another date
        rows = self.rows
        if when != self.as_of:
            rows = build_features(self.data, candidate_pairs(self.data, as_of=when, unit_ids=list(self.units.index)))  # fmt: skip
        result = plan_round(self.data, self.loaded.model, rows, settings, read_truth(self.data_dir))
        result.summary["model"] = {"name": self.loaded.name, "version": self.loaded.version}
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
        answer = self.recommend(str(self.nips[0]), 1, None, True, "id")
        score = answer.suggestions[0].predicted_score
        if not np.isfinite(score):
            raise ValueError(f"smoke prediction is not finite ({score})")


def _reason(code: str, lang: Lang) -> IneligibleReason:
    rule = RULES[code]
    return IneligibleReason(
        code=code, reason=rule.text_en if lang == "en" else rule.text_id, reference=rule.reference
    )
