"""`GET /v1/monitor`, for reviewers: did the approved moves help, has the data drifted, are
people deciding (`oversight/monitor.py`, the same report as `penataan monitor`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from oversight.monitor import drift, monitor, reference_date
from oversight.store import DecisionStore
from serving.deps import EngineDep, allowed
from serving.engine import Engine
from serving.schemas import MonitorReport

router = APIRouter(prefix="/v1")


def _report(engine: Engine, store: DecisionStore, cache: dict[tuple[str, str, str], Any]) -> MonitorReport:  # fmt: skip
    report = monitor(store, engine.data, engine.loaded.model, engine.settings)
    reference = reference_date(store, engine.data)
    # drift rebuilds every employee's features twice: once per model, data and date
    key = (engine.loaded.version, engine.fingerprint, reference.isoformat())
    if key not in cache:
        cache.clear()
        cache[key] = drift(engine.data, engine.loaded.model, reference)
    return MonitorReport(**report, drift=cache[key], model=engine.model_ref)


@router.get("/monitor", response_model=MonitorReport, dependencies=[Depends(allowed("monitor"))])
async def monitor_report(request: Request, engine: EngineDep) -> MonitorReport:
    """Outcomes of decided suggestions against their claims (on the data serving now), drift
    since the first suggestion on record, and override rates and rubber-stamp flags."""
    state = request.app.state
    return await run_in_threadpool(_report, engine, state.decisions, state.drift_cache)
