"""What every route depends on: the engine serving now (held by `Holder`, swapped whole by
a reload) and the caller's key with its role. Routes get both through FastAPI dependencies."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from prometheus_client import CollectorRegistry, Gauge

from oversight.store import DecisionStore
from serving.engine import Engine
from serving.errors import public
from serving.keys import PERMISSIONS, ApiKey, KeyFileError, KeyStore

log = logging.getLogger("penataan.serving")


class Holder:
    """The engine currently serving, swapped whole by a reload, and the first load's state."""

    def __init__(self, metrics: CollectorRegistry) -> None:
        self.engine: Engine | None = None
        self.error: str | None = None
        self.reloading = asyncio.Lock()
        self.loaded = threading.Event()  # the first load has ended, well or not
        self._ahead: threading.Event | None = None  # stops the serving engine's explaining ahead
        self._ahead_job: threading.Thread | None = None
        self._info = Gauge("penataan_model_info", "The model version serving (value 1)", ["name", "version"], registry=metrics)  # fmt: skip

    def serve(self, engine: Engine) -> threading.Thread | None:
        """Put `engine` in service (one assignment: a request sees the old or the new),
        stop the previous engine's explaining ahead and start this one's. Returns the
        previous job's thread, which holds the previous engine until it has finished the
        block it was explaining: whoever frees that engine's memory waits for it first
        (`serving.routes.admin.release_memory`)."""
        self._info.clear()
        self._info.labels(engine.loaded.name, engine.loaded.version).set(1)
        self.engine, self.error = engine, None
        previous = self.stop()
        if engine.settings.explain_ahead:
            self._ahead = threading.Event()
            self._ahead_job = threading.Thread(
                target=_explain_ahead, args=(engine, self._ahead), name="explain-ahead", daemon=True
            )
            self._ahead_job.start()
        return previous

    def stop(self) -> threading.Thread | None:
        """Stop explaining ahead (a reload, or the server shutting down); the job's thread,
        which ends after the block it is on, or None."""
        if self._ahead is not None:
            self._ahead.set()
        job, self._ahead_job = self._ahead_job, None
        return job


def _explain_ahead(engine: Engine, stop: threading.Event) -> None:
    """The background job: a failure costs speed, never an answer (requests explain their
    rows themselves), so it is logged, not raised."""
    try:
        done = engine.explain_ahead(stop)
        log.info("explained %s moves of default answers ahead", f"{done:,}")
    except Exception as error:
        log.error("explaining ahead stopped, requests explain their rows: %s", error)


async def engine_for(request: Request) -> Engine:
    """The engine serving now; 503 (not a 5xx from a crash) while none is loaded. Async:
    it only reads an attribute, and a sync dependency costs a hop to the thread pool (in a
    profile of `/v1/recommend` in process, making this and the key check async took its
    p50 from 6.9 to 4.2-4.9 ms)."""
    holder: Holder = request.app.state.holder
    engine = holder.engine
    if engine is None:
        raise HTTPException(503, public(f"no model loaded: {holder.error or 'still loading'}"))
    request.state.model_version = engine.loaded.version
    return engine


EngineDep = Annotated[Engine, Depends(engine_for)]


def not_suspended(request: Request) -> None:
    """503 with who suspended suggestions, when and why, while an admin has them stopped.
    Sync: it reads SQLite, which may wait on a lock, and the event loop must never wait. So
    each route that suggests calls it first, in the thread its own sync body runs in: as a
    dependency of its own it was a second hop to the thread pool per call (each such hop
    cost about a millisecond in a profile of `/v1/recommend` in process, docs/benchmarks.md,
    "Serving")."""
    store: DecisionStore = request.app.state.decisions
    try:
        why = store.suspended()
    except sqlite3.Error as error:
        raise HTTPException(
            503, public(f"the record of decisions cannot be read: {error}")
        ) from None
    if why:
        raise HTTPException(503, why)


def bearer(authorization: str | None) -> str | None:
    """The key in `Authorization: Bearer <key>`: many HTTP clients and gateways send a
    token only that way. X-API-Key wins where a client sends both."""
    scheme, _, key = (authorization or "").strip().partition(" ")
    return (key.strip() or None) if scheme.lower() == "bearer" else None


def allowed(permission: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency: 401 without a known key, 403 if the key's role lacks `permission`.
    Async, like `engine_for`: the check is a hash and a file's stamp (the file is re-read
    only when it changes), cheaper than the hop to the thread pool a sync one costs."""

    async def check(
        request: Request,
        x_api_key: Annotated[str | None, Header(description="Your API key.")] = None,
        authorization: Annotated[
            str | None,
            Header(description="`Bearer <your API key>`, for clients that send no X-API-Key."),
        ] = None,
    ) -> ApiKey:
        keys: KeyStore = request.app.state.keys
        try:
            holder_key = keys.verify(x_api_key or bearer(authorization))
        except KeyFileError as error:
            raise HTTPException(503, public(f"API keys unavailable: {error}")) from None
        if holder_key is None:
            raise HTTPException(
                401,
                "missing or unknown API key (X-API-Key, or Authorization: Bearer)",
                headers={"WWW-Authenticate": "X-API-Key, Bearer"},
            )
        request.state.key_name = holder_key.name
        if permission not in PERMISSIONS[holder_key.role]:
            raise HTTPException(403, f"role {holder_key.role!r} may not call {permission}")
        return holder_key

    return check
