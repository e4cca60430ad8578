"""`GET /v1/monitor`, for reviewers: did the approved moves help, has the data drifted, are
people deciding (`oversight/monitor.py`, the same report as `penataan monitor`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from oversight.monitor import decided_dates, drift, monitor, reference_date, stay_baselines
from oversight.store import DecisionStore
from serving.deps import EngineDep, allowed
from serving.engine import Engine
from serving.schemas import MonitorReport

router = APIRouter(prefix="/v1")


def monitor_report(engine: Engine, store: DecisionStore, cache: dict[tuple[str, ...], Any]) -> MonitorReport:  # fmt: skip
    """The report on the data and model serving. What scores every employee again (the
    stayers' baselines, at each date suggestions were made for) or rebuilds everyone's
    features (drift) is kept in `cache` per model version, data and dates."""
    model, data = engine.loaded.model, engine.data
    dates = decided_dates(store)
    reference = reference_date(store, data)
    served = (engine.loaded.version, engine.fingerprint)
    for key in [k for k in list(cache) if k[:2] != served]:
        cache.pop(key, None)  # another model or data serves now (two callers may both see it)
    if (baselines_key := (*served, "baselines", *dates)) not in cache:
        cache[baselines_key] = stay_baselines(data, model, dates, engine.settings)
    if (drift_key := (*served, "drift", reference.isoformat())) not in cache:
        cache[drift_key] = drift(data, model, reference)
    report = monitor(store, data, cache[baselines_key], engine.fingerprint)
    return MonitorReport(**report, drift=cache[drift_key], model=engine.model_ref)


@router.get("/monitor", response_model=MonitorReport, dependencies=[Depends(allowed("monitor"))])
async def monitor_answer(request: Request, engine: EngineDep) -> MonitorReport:
    """Outcomes of decided suggestions against their claims (on the data serving now), drift
    since the first suggestion on record, and override rates and rubber-stamp flags."""
    state = request.app.state
    return await run_in_threadpool(monitor_report, engine, state.decisions, state.monitor_cache)
