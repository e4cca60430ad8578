"""Administration: `/v1/admin/reload` loads the champion and the data again without a
restart, keeping the engine serving until the new one is proven."""

from __future__ import annotations

import ctypes
import gc
import sqlite3
import threading
from collections.abc import Callable

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from oversight.store import DecisionStore
from serving.deps import Holder, allowed
from serving.engine import Engine
from serving.errors import public
from serving.schemas import ErrorBody, ReloadResponse, SuspendRequest, SuspendResponse
from serving.settings import ServeSettings

router = APIRouter(prefix="/v1/admin")

MAX_ROWS_LOST = 0.2  # a reload losing more of any table is taken for a damaged export
JOB_STOP_SECONDS = 60.0  # the most a reload waits for the old engine's explaining ahead to stop


def step_back(old: Engine, new: Engine) -> str | None:
    """Why `new` looks like a step back from `old` (older data, or a table, or one period of
    a table, much shorter)."""
    if new.as_of < old.as_of:
        return f"the data would move back from {old.as_of.date()} to {new.as_of.date()}"
    before = {**old.data.row_counts(), **old.data.period_counts()}
    after = {**new.data.row_counts(), **new.data.period_counts()}
    lost = {
        t: (b, after.get(t, 0))
        for t, b in before.items()
        if after.get(t, 0) < (1 - MAX_ROWS_LOST) * b
    }
    if lost:
        return "rows would be lost: " + ", ".join(
            f"{t} {a:,} of {b:,}" for t, (b, a) in lost.items()
        )
    return None


def release_memory(previous_job: threading.Thread | None = None) -> None:
    """Free the old engine now and hand the freed heap back to the system (glibc's
    `malloc_trim`; a no-op elsewhere), so memory after a reload is the new engine's, not the
    high-water mark of two engines and the load's temporaries (threads keep their own
    arenas, which otherwise grow from reload to reload). Then freeze what is left (the
    engine serving) out of the garbage collector's sight: a full collection over the
    engine's millions of objects is a pause any request could meet (227 ms on `mataram`,
    1.7 ms frozen: `bench/pages.py`). Unfrozen first, so the old engine's cycles are
    collected. `previous_job`, the old engine's explaining ahead, is waited for first: it
    holds the old engine until it ends the block it is on (a second or two), and the engine
    it still held was neither freed nor trimmed here but frozen with the new one (`bench/load.py`:
    RSS +17% over three reloads, against +2% before explanations ahead)."""
    if previous_job is not None:
        previous_job.join(timeout=JOB_STOP_SECONDS)
    gc.unfreeze()
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    gc.freeze()


@router.post("/reload", response_model=ReloadResponse, responses={409: {"model": ErrorBody}}, dependencies=[Depends(allowed("reload"))])  # fmt: skip
async def reload(request: Request, force: bool = False) -> ReloadResponse | JSONResponse:
    """Load the champion and the data again; the old engine serves until the new one has
    loaded and passed a smoke prediction, and stays if it fails. A reload whose data would
    go back in time, or lose over a fifth of any table's rows (a half-copied export), is
    refused with 409 unless `force=true`."""
    holder: Holder = request.app.state.holder
    settings: ServeSettings = request.app.state.settings
    loader: Callable[[ServeSettings], Engine] = request.app.state.loader
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
            what = "timed out" if isinstance(error, TimeoutError) else f"{type(error).__name__}: {error}"  # fmt: skip
            return JSONResponse({"detail": f"reload failed, still serving {kept}: {what}"}, status_code=503)  # fmt: skip
        why = None if previous is None or force else step_back(previous, engine)
        if why:
            body = {"detail": f"reload refused, still serving {kept}: {why}; "
                    "POST /v1/admin/reload?force=true if this is intended",
                    "errors": [{"field": "force", "message": why}],
                    "data_fingerprint": engine.fingerprint}  # fmt: skip
            return JSONResponse(body, status_code=409)
        job = holder.serve(engine)
    before = previous.model_ref if previous else engine.model_ref
    previous = None  # the old engine's arrays (GiBs) are freed now, not at the next GC pass
    await run_in_threadpool(release_memory, job)
    return ReloadResponse(
        reloaded=True, previous=before, model=engine.model_ref,
        data_fingerprint=engine.fingerprint, as_of=engine.as_of.date().isoformat(),
        detail=f"serving v{engine.loaded.version}, data as of {engine.as_of.date()}",
    )  # fmt: skip


@router.post("/suspend", response_model=SuspendResponse, dependencies=[Depends(allowed("suspend"))])  # fmt: skip
async def suspend(body: SuspendRequest, request: Request) -> SuspendResponse:
    """Stop every suggestion (recommend, candidates, plan answer 503 with the reason) until
    resumed; the reason is required and kept on the record with who and when."""
    return await _switch(body, request, resume=False)


@router.post("/resume", response_model=SuspendResponse, dependencies=[Depends(allowed("suspend"))])  # fmt: skip
async def resume(body: SuspendRequest, request: Request) -> SuspendResponse:
    """Start suggestions again after a suspension (the reason is kept on the record)."""
    return await _switch(body, request, resume=True)


async def _switch(body: SuspendRequest, request: Request, resume: bool) -> SuspendResponse:
    store: DecisionStore = request.app.state.decisions
    request.state.subject = "resume" if resume else "suspend"
    try:
        await run_in_threadpool(store.suspend, body.reason, request.state.key_name, resume)
        state = await run_in_threadpool(store.suspended)
    except sqlite3.Error as error:
        raise HTTPException(
            503, public(f"the record of decisions cannot be written: {error}")
        ) from None
    return SuspendResponse(suspended=state is not None, detail=state or "suggestions are served")
