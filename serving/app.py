"""The placement API: `create_app(settings)` builds it; `penataan serve` runs it.

This module only wires: settings (built once here, passed down), the key store, the audit
log, the engine holder, the routers (`serving/routes/`, one per concern), the error handlers
(`serving/errors.py`) and the middleware. The model and data load in the background from the
moment the process starts: `/health` answers at once (an orchestrator's liveness probe must
not fail during a minute of loading), `/ready` answers 503 "loading" until the engine is in
place. A failed load leaves the process up and saying why (`/health` alive, `/ready` 503)
rather than crashing in a loop; a failed reload leaves the previous engine serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry

from oversight.store import DecisionStore
from planning.settings import PlanSettings
from serving import errors
from serving.audit import AuditLog
from serving.deps import Holder
from serving.engine import Engine
from serving.keys import KeyStore
from serving.middleware import BodyLimit, RequestLog
from serving.pages import routes as pages
from serving.pages.session import Sessions
from serving.routes import admin, decisions, model, monitor, ops, placements, plan
from serving.schemas import ADVISORY
from serving.settings import ServeSettings

log = logging.getLogger("penataan.serving")


def _bound_registry_calls(seconds: float) -> None:
    """A dead MLflow server must fail a reload in seconds, not after MLflow's defaults
    (120 s a request, 7 retries with backoff: minutes). Explicit environment values win."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, round(seconds))))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")


def _load(settings: ServeSettings) -> Engine:
    engine = Engine.load(settings, progress=log.info)
    engine.smoke()
    return engine


def create_app(
    settings: ServeSettings | None = None, loader: Callable[[ServeSettings], Engine] = _load
) -> FastAPI:
    """The app; `loader` builds and smoke-tests an engine (tests inject failures here)."""
    settings = settings or ServeSettings()
    _bound_registry_calls(settings.registry_timeout_seconds)
    metrics = CollectorRegistry()
    holder = Holder(metrics)
    audit = AuditLog(settings.audit_db, settings.audit_timeout_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def load() -> None:
            try:
                holder.serve(await run_in_threadpool(loader, settings))
                await run_in_threadpool(admin.release_memory)  # the load's temporaries; freeze
            except Exception as error:  # keep the process up and say why on /ready
                holder.error = f"{type(error).__name__}: {error}"
                log.error("model or data failed to load: %s", holder.error)
            finally:
                holder.loaded.set()

        loading = asyncio.create_task(load())
        yield
        loading.cancel()  # a load still running at shutdown is abandoned, not awaited
        holder.stop()
        audit.close()

    # /docs and /redoc from assets the app serves itself: a BKPSDM intranet has no CDN
    app = FastAPIOffline(
        static_url="/static/docs",
        title="Penataan placement API",
        version="1",
        description=f"Ranked, explained placement suggestions for ASN. {ADVISORY}",
        lifespan=lifespan,
        responses=errors.ERRORS,
    )
    app.state.settings = settings
    # the round's defaults from the environment (model_validate: read like any settings);
    # a request's `config` overrides them through `PlanSettings.overridden`
    app.state.plan_settings = PlanSettings.model_validate({})
    app.state.loader = loader
    app.state.holder = holder
    app.state.keys = KeyStore(settings.api_keys_file)
    app.state.audit = audit
    app.state.decisions = DecisionStore(settings.decisions_db)
    # one round at a time: a round on another date scores the whole staff (on a province,
    # half an hour and gigabytes); two at once could take the memory every request needs
    app.state.one_round = threading.Lock()
    app.state.monitor_cache = {}  # the monitor's costly parts, per model version, data and dates
    app.state.metrics = metrics
    for routes in (placements, decisions, monitor, model, admin, plan, ops, pages):
        app.include_router(routes.router)
    app.mount("/ui/static", StaticFiles(directory=Path(pages.__file__).with_name("static")), name="ui-static")  # fmt: skip
    secret = settings.session_secret
    app.state.sessions = Sessions(secret.get_secret_value() if secret else None)
    errors.install(app)
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, timeout=settings.body_timeout_seconds,
        larger={pages.PAPER_UPLOAD: settings.max_upload_bytes},
    )  # fmt: skip
    app.add_middleware(RequestLog, registry=metrics, audit=audit)  # sees every reply it routes
    if settings.cors_origins:  # outermost: a browser's preflight carries no key, reads nothing
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"], max_age=600,
        )  # fmt: skip
    return app
