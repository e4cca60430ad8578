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
        return cls(
            loaded, data, settings.data_dir, as_of, rows, broken, nips, units, stay_unit,
            headcount, settings.explain_factors,
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

    def _employee(self, nip: str) -> int:
        position = self.nips.get_indexer([nip])[0]
        if position < 0:
            raise NotFound("nip", nip, "active employee")
        return int(position)

    def _unit(self, unit_id: str, field: str) -> int:
        position = self.units.index.get_indexer([unit_id])[0]
        if position < 0:
            raise NotFound(field, unit_id, "unit")
        return int(position)

    def _placements(
        self, rows: np.ndarray, stay_rows: np.ndarray, top_k: int, include_ineligible: bool,
        lang: Lang,
    ) -> list[Placement]:  # fmt: skip
        """Score `rows` (with each one's stay row), rank, explain the top `top_k`."""
        frame = self.rows.iloc[rows]
        pred = self.loaded.model.predict(frame)
        ok = ~self.broken[rows].any(axis=1)
        keep = np.arange(len(rows)) if include_ineligible else np.flatnonzero(ok)
        order = keep[np.argsort(-pred["predicted_score"].to_numpy()[keep], kind="stable")][:top_k]
        if len(order) == 0:
            return []
        has_stay = stay_rows[order] >= 0
        shown = rows[order]
        stays = stay_rows[order][has_stay]
        contrib = self.loaded.model.contributions(self.rows.iloc[np.concatenate([shown, stays])])
        factors = explain.by_factor(contrib)
        base = contrib["base"].to_numpy()
        stay_factors = np.full((len(order), factors.shape[1]), np.nan)
        stay_factors[has_stay] = factors[len(order) :]
        stay_score = np.full(len(order), np.nan)
        stay_score[has_stay] = base[len(order) :] + factors[len(order) :].sum(axis=1)  # == predict
        out = []
        for rank, (i, row) in enumerate(zip(order, shown, strict=True)):
            j = rank
            unit = self.units.iloc[row % len(self.units)]
            employee = row // len(self.units)
            score = float(pred["predicted_score"].iloc[i])
            low, high = float(pred["low"].iloc[i]), float(pred["high"].iloc[i])
            gain = None if np.isnan(stay_score[j]) else score - float(stay_score[j])
            current = self.stay_unit[employee]
            current_name = None if current < 0 else str(self.units.iloc[current]["unit_name"])
            text = explain.narrative(
                lang, str(unit["unit_name"]), current_name, score, low, high, gain,
                None if gain is None else factors[j] - stay_factors[j],
            )  # fmt: skip
            codes = broken_rules(self.broken[row])
            out.append(
                Placement(
                    rank=rank + 1,
                    nip=str(self.nips[employee]),
                    unit_id=str(unit.name),
                    unit_name=str(unit["unit_name"]),
                    domain=str(unit["domain"]),
                    is_current=bool(row % len(self.units) == current),
                    predicted_score=round(score, 3),
                    interval=Interval(low=round(low, 3), high=round(high, 3)),
                    gain=None if gain is None else round(gain, 3) + 0.0,  # no -0.0
                    eligible=not codes,
                    ineligible_reasons=[_reason(code, lang) for code in codes],
                    explanation=explain.explanation(
                        float(base[j]), factors[j], self.explain_factors, lang, text
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
        stay_row = -1 if current < 0 else self._row(employee, current)
        suggestions = self._placements(
            rows, np.full(len(rows), stay_row), top_k, include_ineligible, lang
        )
        return RecommendResponse(
            nip=nip,
            as_of=self.as_of.date().isoformat(),
            current=None if current < 0 else self._current(employee, current),
            suggestions=suggestions,
            model=self.model_ref,
        )

    def _current(self, employee: int, unit: int) -> CurrentPlacement:
        row = self._row(employee, unit)
        frame = self.rows.iloc[[row]]
        pred = self.loaded.model.predict(frame).iloc[0]
        info = self.units.iloc[unit]
        return CurrentPlacement(
            unit_id=str(info.name),
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            predicted_score=round(float(pred["predicted_score"]), 3),
            interval=Interval(low=round(float(pred["low"]), 3), high=round(float(pred["high"]), 3)),
            tenure_years=round(float(frame["tenure_current"].iloc[0]), 2),
        )

    def candidates(
        self, unit_id: str, top_k: int, include_ineligible: bool, lang: Lang
    ) -> CandidatesResponse:
        unit = self._unit(unit_id, "unit_id")
        outside = np.flatnonzero(self.stay_unit != unit)  # people already there are not candidates
        rows = self._row(outside, unit)
        stays = np.where(
            self.stay_unit[outside] >= 0, self._row(outside, self.stay_unit[outside]), -1
        )
        info = self.units.iloc[unit]
        return CandidatesResponse(
            unit_id=unit_id,
            unit_name=str(info["unit_name"]),
            domain=str(info["domain"]),
            capacity=int(info["capacity"]),
            headcount=int(self.headcount[unit]),
            as_of=self.as_of.date().isoformat(),
            candidates=self._placements(rows, stays, top_k, include_ineligible, lang),
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
