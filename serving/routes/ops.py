"""Operations, without a key: liveness (`/health`), readiness (`/ready`), and Prometheus
metrics (`/metrics`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from serving.audit import AuditLog
from serving.deps import Holder
from serving.errors import public
from serving.keys import KeyStore
from serving.schemas import ErrorBody

router = APIRouter()


# uptime checkers probe with HEAD, which FastAPI's GET route alone answers with 405 (kept out
# of the schema: one operation per path and method there)
@router.get("/health")
@router.head("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """The process is alive (says nothing about the model). On the event loop, not in the
    thread pool, so that threads waiting on a locked audit log cannot delay it."""
    return {"status": "alive"}


@router.get("/ready", responses={503: {"model": ErrorBody}})
@router.head("/ready", include_in_schema=False)
def ready(request: Request) -> JSONResponse:
    """Model and data loaded, keys and audit log usable: ready to answer."""
    holder: Holder = request.app.state.holder
    keys: KeyStore = request.app.state.keys
    audit: AuditLog = request.app.state.audit
    engine = holder.engine
    keys.refresh()
    problems = [] if engine is not None else [holder.error or "loading"]
    if keys.problem:
        problems.append(f"API keys unusable: {keys.problem}")
    if audit.problem:
        problems.append(audit.problem)
    if problems or engine is None:
        detail = public("not ready: " + "; ".join(problems))
        return JSONResponse({"detail": detail}, status_code=503)
    done, of = engine.explained_ahead  # moves of default answers explained ahead, of how many
    body = {
        "status": "ready",
        "model": engine.model_ref.model_dump(),
        "as_of": engine.as_of.date().isoformat(),
        "employees": len(engine.nips),
        "units": len(engine.units),
        "explained_ahead": {"done": done, "of": of},
    }
    return JSONResponse(body)


@router.get("/metrics", response_class=Response)
def prometheus(request: Request) -> Response:
    """Prometheus text format: requests and latency by endpoint and status, model version."""
    metrics: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)
