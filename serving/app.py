"""The placement API: `create_app(settings)` builds it; `penataan serve` runs it.

The model and data load in the background from the moment the process starts: `/health`
answers at once (an orchestrator's liveness probe must not fail during a minute of loading),
`/ready` answers 503 "loading" until the engine is in place. A failed load leaves the process
up and saying why (`/health` alive, `/ready` 503) rather than crashing in a loop; a failed
reload leaves the previous engine serving.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pydantic import ValidationError

from features.definitions import FACTORS, FEATURE_SET, FEATURES, label
from planning.run import PlanRefused
from planning.settings import PlanSettings
from serving.audit import AuditLog
from serving.engine import Engine, NotFound
from serving.keys import PERMISSIONS, ApiKey, KeyFileError, KeyStore
from serving.middleware import BodyLimit, RequestLog
from serving.schemas import (
    ADVISORY,
    CandidatesRequest,
    CandidatesResponse,
    ErrorBody,
    FeatureImportance,
    ImportanceRow,
    Lang,
    ModelInfo,
    PlanRequest,
    PlanResponse,
    RecommendRequest,
    RecommendResponse,
    ReloadResponse,
)
from serving.settings import ServeSettings
from training.candidates import AsOfOutOfRange
from training.settings import RegistrySettings

log = logging.getLogger("penataan.serving")

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown X-API-Key"},
    403: {"model": ErrorBody, "description": "The key's role may not call this endpoint"},
    413: {"model": ErrorBody, "description": "Request body over the limit (64 KiB)"},
    422: {"model": ErrorBody, "description": "Invalid request; `errors` names each field"},
    503: {"model": ErrorBody, "description": "No model loaded yet (see /ready)"},
}


class Holder:
    """The engine currently serving, swapped whole by a reload."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.error: str | None = None
        self.reloading = asyncio.Lock()
        self.loaded = threading.Event()  # the first load has ended, well or not


def engine_for(request: Request) -> Engine:
    """The engine serving now; 503 (not a 5xx from a crash) while none is loaded."""
    holder: Holder = request.app.state.holder
    engine = holder.engine
    if engine is None:
        raise HTTPException(503, f"no model loaded: {holder.error or 'still loading'}")
    request.state.model_version = engine.loaded.version
    return engine


EngineDep = Annotated[Engine, Depends(engine_for)]


def allowed(permission: str) -> Callable[..., ApiKey]:
    """A dependency: 401 without a known key, 403 if the key's role lacks `permission`."""

    def check(
        request: Request,
        x_api_key: Annotated[str | None, Header(description="Your API key.")] = None,
    ) -> ApiKey:
        keys: KeyStore = request.app.state.keys
        try:
            holder_key = keys.verify(x_api_key)
        except KeyFileError as error:
            raise HTTPException(503, f"API keys unavailable: {error}") from None
        if holder_key is None:
            raise HTTPException(
                401, "missing or unknown X-API-Key", headers={"WWW-Authenticate": "X-API-Key"}
            )
        request.state.key_name = holder_key.name
        if permission not in PERMISSIONS[holder_key.role]:
            raise HTTPException(403, f"role {holder_key.role!r} may not call {permission}")
        return holder_key

    return check


def _bound_registry_calls(seconds: float) -> None:
    """A dead MLflow server must fail a reload in seconds, not after MLflow's defaults
    (120 s a request, 7 retries with backoff: minutes). Explicit environment values win."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, round(seconds))))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")


MAX_ROWS_LOST = 0.2  # a reload losing more of any table is taken for a damaged export


def _step_back(old: Engine, new: Engine) -> str | None:
    """Why `new` looks like a step back from `old` (older data, or a table much shorter)."""
    if new.as_of < old.as_of:
        return f"the data would move back from {old.as_of.date()} to {new.as_of.date()}"
    before, after = old.data.row_counts(), new.data.row_counts()
    lost = {t: (before[t], after[t]) for t in before if after[t] < (1 - MAX_ROWS_LOST) * before[t]}
    if lost:
        return "rows would be lost: " + ", ".join(
            f"{t} {a:,} of {b:,}" for t, (b, a) in lost.items()
        )
    return None


def _load(settings: ServeSettings) -> Engine:
    engine = Engine.load(settings, RegistrySettings(), progress=log.info)
    engine.smoke()
    return engine


def create_app(
    settings: ServeSettings | None = None, loader: Callable[[ServeSettings], Engine] = _load
) -> FastAPI:
    """The app; `loader` builds and smoke-tests an engine (tests inject failures here)."""
    settings = settings or ServeSettings()
    _bound_registry_calls(settings.registry_timeout_seconds)
    holder = Holder()
    keys = KeyStore(settings.api_keys_file)
    audit = AuditLog(settings.audit_db, settings.audit_timeout_seconds)
    metrics = CollectorRegistry()
    model_info = Gauge("penataan_model_info", "The model version serving (value 1)", ["name", "version"], registry=metrics)  # fmt: skip

    def _serve(engine: Engine) -> None:
        model_info.clear()
        model_info.labels(engine.loaded.name, engine.loaded.version).set(1)
        holder.engine, holder.error = engine, None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def load() -> None:
            try:
                _serve(await run_in_threadpool(loader, settings))
            except Exception as error:  # keep the process up and say why on /ready
                holder.error = f"{type(error).__name__}: {error}"
                log.error("model or data failed to load: %s", holder.error)
            finally:
                holder.loaded.set()

        loading = asyncio.create_task(load())
        yield
        loading.cancel()  # a load still running at shutdown is abandoned, not awaited
        audit.close()

    app = FastAPI(
        title="Penataan placement API",
        version="1",
        description=f"Ranked, explained placement suggestions for ASN. {ADVISORY}",
        lifespan=lifespan,
        responses=ERRORS,
    )
    app.state.holder = holder
    app.state.keys = keys
    app.state.audit = audit

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = []
        for item in error.errors():
            where = [str(p) for p in item.get("loc", ()) if p != "body"]
            field = "body" if item.get("type") == "json_invalid" or not where else ".".join(where)
            errors.append({"field": field, "message": str(item.get("msg", "invalid"))})
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        body = {"detail": str(error), "errors": [{"field": error.field, "message": str(error)}]}
        return JSONResponse(body, status_code=404)

    @app.post("/v1/recommend", response_model=RecommendResponse, responses={404: {"model": ErrorBody}}, dependencies=[Depends(allowed("recommend"))])  # fmt: skip
    def recommend(body: RecommendRequest, request: Request, engine: EngineDep) -> RecommendResponse:
        """Where would this employee do best, and why? Units ranked by predicted score."""
        request.state.subject = body.nip
        return engine.recommend(
            body.nip, body.top_k, body.unit_ids, body.include_ineligible, body.lang
        )

    @app.post("/v1/candidates", response_model=CandidatesResponse, responses={404: {"model": ErrorBody}}, dependencies=[Depends(allowed("candidates"))])  # fmt: skip
    def candidates(
        body: CandidatesRequest, request: Request, engine: EngineDep
    ) -> CandidatesResponse:
        """Who would do best in this unit (a vacancy)? Employees from other units, ranked."""
        request.state.subject = body.unit_id
        return engine.candidates(body.unit_id, body.top_k, body.include_ineligible, body.lang)

    @app.get("/v1/model", response_model=ModelInfo, dependencies=[Depends(allowed("model"))])
    def model(engine: EngineDep) -> ModelInfo:
        """The model serving: version, training data, held-out metrics, features."""
        loaded = engine.loaded
        return ModelInfo(
            name=loaded.name,
            version=loaded.version,
            alias=loaded.alias,
            run_id=loaded.run_id,
            trained_at=loaded.created_at,
            feature_set=FEATURE_SET,
            data_fingerprint=loaded.tags.get("data_fingerprint"),
            serving_data_fingerprint=engine.data.fingerprint(),
            held_out_metrics={k.removeprefix("model_"): v for k, v in loaded.metrics.items() if k.startswith("model_")},
            features=[{"name": f.name, "factor": f.factor, "label_id": f.label_id, "label_en": f.label_en} for f in FEATURES],
            model=engine.model_ref,
        )  # fmt: skip

    @app.get("/v1/feature-importance", response_model=FeatureImportance, dependencies=[Depends(allowed("feature-importance"))])  # fmt: skip
    def feature_importance(engine: EngineDep, lang: Lang = "en") -> FeatureImportance:
        """Gain and mean |SHAP| per feature and per human factor."""
        table = engine.importance
        factors = table.groupby("factor")[["gain", "mean_abs_shap"]].sum()
        factors = (
            factors.reindex([f.name for f in FACTORS])
            .fillna(0.0)
            .sort_values("mean_abs_shap", ascending=False)
        )
        return FeatureImportance(
            features=[ImportanceRow(name=str(n), label=label(str(n), lang), gain=float(r["gain"]), mean_abs_shap=float(r["mean_abs_shap"])) for n, r in table.iterrows()],
            factors=[ImportanceRow(name=str(n), label=label(str(n), lang), gain=float(r["gain"]), mean_abs_shap=float(r["mean_abs_shap"])) for n, r in factors.iterrows()],
            model=engine.model_ref,
        )  # fmt: skip

    @app.post("/v1/admin/reload", response_model=ReloadResponse, responses={409: {"model": ErrorBody}}, dependencies=[Depends(allowed("reload"))])  # fmt: skip
    async def reload(request: Request, force: bool = False) -> ReloadResponse | JSONResponse:
        """Load the champion and the data again; the old engine serves until the new one
        has loaded and passed a smoke prediction, and stays if it fails. A reload whose
        data would go back in time, or lose over a fifth of any table's rows (a half-copied
        export), is refused with 409 unless `force=true`."""
        request.state.subject = "reload (forced)" if force else "reload"
        if holder.reloading.locked():
            raise HTTPException(409, "a reload is already running")
        async with holder.reloading:
            previous = holder.engine
            kept = "nothing" if previous is None else f"v{previous.loaded.version}"
            try:
                with anyio.fail_after(settings.reload_timeout_seconds):
                    engine = await run_in_threadpool(loader, settings)
            except Exception as error:
                what = (
                    "timed out"
                    if isinstance(error, TimeoutError)
                    else f"{type(error).__name__}: {error}"
                )
                return JSONResponse({"detail": f"reload failed, still serving {kept}: {what}"}, status_code=503)  # fmt: skip
            step_back = None if previous is None or force else _step_back(previous, engine)
            if step_back:
                body = {"detail": f"reload refused, still serving {kept}: {step_back}; "
                        "POST /v1/admin/reload?force=true if this is intended",
                        "errors": [{"field": "force", "message": step_back}],
                        "data_fingerprint": engine.data.fingerprint()}  # fmt: skip
                return JSONResponse(body, status_code=409)
            _serve(engine)
        before = previous.model_ref if previous else engine.model_ref
        previous = None  # the old engine's arrays (GiBs) are freed now, not at the next GC pass
        await run_in_threadpool(gc.collect)
        return ReloadResponse(
            reloaded=True, previous=before, model=engine.model_ref,
            data_fingerprint=engine.data.fingerprint(), as_of=engine.as_of.date().isoformat(),
            detail=f"serving v{engine.loaded.version}, data as of {engine.as_of.date()}",
        )  # fmt: skip

    @app.post("/v1/plan", response_model=PlanResponse, dependencies=[Depends(allowed("plan"))])  # fmt: skip
    def plan(body: PlanRequest, request: Request, engine: EngineDep) -> PlanResponse:
        """An organisation-wide transfer round under the rules (the exact optimum), as
        `penataan plan` computes it: moves, units, summary. Advice for Baperjakat."""
        request.state.subject = f"round {body.as_of or engine.as_of.date()}"
        try:
            plan_settings = PlanSettings(**body.config)
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("body", "config", *e["loc"])} for e in error.errors()]
            ) from None
        try:
            return engine.plan(body.as_of, plan_settings)
        except (PlanRefused, AsOfOutOfRange) as refusal:
            raise RequestValidationError(
                [{"loc": ("body", "as_of"), "msg": str(refusal), "type": "value_error"}]
            ) from None

    @app.get("/health")
    def health() -> dict[str, str]:
        """The process is alive (says nothing about the model)."""
        return {"status": "alive"}

    @app.get("/ready", responses={503: {"model": ErrorBody}})
    def ready() -> JSONResponse:
        """Model and data loaded, ready to answer."""
        engine = holder.engine
        keys.refresh()
        problems = [] if engine is not None else [holder.error or "loading"]
        if keys.problem:
            problems.append(f"API keys unusable: {keys.problem}")
        if audit.problem:
            problems.append(audit.problem)
        if problems or engine is None:
            return JSONResponse({"detail": "not ready: " + "; ".join(problems)}, status_code=503)
        body = {
            "status": "ready",
            "model": engine.model_ref.model_dump(),
            "as_of": engine.as_of.date().isoformat(),
            "employees": len(engine.nips),
            "units": len(engine.units),
        }
        return JSONResponse(body)

    @app.get("/metrics", response_class=Response)
    def prometheus() -> Response:
        """Prometheus text format: requests and latency by endpoint and status, model version."""
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, timeout=settings.body_timeout_seconds
    )
    app.add_middleware(RequestLog, registry=metrics, audit=audit)  # outermost: sees every reply
    return app
