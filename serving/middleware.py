"""Pure-ASGI middleware: a cap on request bodies, and the request log (metrics + audit).

Pure ASGI (not `BaseHTTPMiddleware`) so that streaming and exceptions behave, and so both
see every response, including the 413s and 422s that never reach a route.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

from serving.audit import AuditError, AuditLog
from serving.errors import public

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

disable_created_metrics()  # the `_created` series only add noise to the scrape

AUDITED_PREFIX = ("/v1/", "/ui")  # every versioned route, reload and model info; every page
UNAUDITED = "/ui/static/"  # the pages' stylesheet says nothing about anyone
MAX_AUDITED_PATH = 200  # characters of a path kept in an audit row (a path can be 60 KB)
SUBJECT_FIELDS = {"/v1/recommend": "nip", "/v1/candidates": "unit_id", "/v1/plan": "as_of",
                  "/v1/decisions": "suggestion_id"}  # fmt: skip


def app_path(scope: Scope) -> str:
    """The request's path as the routes name it: below the server's root path (a prefix a
    reverse proxy strips, `PENATAAN_ROOT_PATH`, which uvicorn puts back in `path`)."""
    path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


async def _send_json(send: Send, status: int, body: dict[str, Any], close: bool = False) -> None:
    """`close`: the server closes the connection after this answer (a client too slow to
    send its body does not keep the socket)."""
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]  # fmt: skip
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, whether announced or streamed, and bodies
    that take longer than `timeout` seconds to arrive with 408 (a slow client must not hold a
    worker); the body read is kept in `scope["state"]["body"]` for the request log. `larger`:
    paths allowed more (a committee's workbook uploaded to the round page)."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = 10.0, larger: dict[str, int] | None = None) -> None:  # fmt: skip
        self.app, self.default, self.timeout = app, limit, timeout
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(app_path(scope), self.default)
        headers = dict(scope.get("headers") or [])
        announced = headers.get(b"content-length", b"0")
        too_big = {"detail": f"request body over {limit} bytes", "errors": [{"field": "body", "message": "too large"}]}  # fmt: skip
        if announced.isdigit() and int(announced) > limit:
            await _send_json(send, 413, too_big)
            return
        chunks, size, more = [], 0, True
        with anyio.move_on_after(self.timeout) as slow:  # a client trickling its body
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await _send_json(send, 413, too_big)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
        if slow.cancelled_caught:
            too_slow = {"detail": f"request body not received within {self.timeout:g} s", "errors": [{"field": "body", "message": "too slow"}]}  # fmt: skip
            await _send_json(send, 408, too_slow, close=True)
            return
        body = b"".join(chunks)
        scope.setdefault("state", {})["body"] = body
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RequestLog:
    """Prometheus request counts and latency by endpoint and status; the audit log.

    Every `/v1` call is audited, and fail-closed: the row is committed (in a worker thread,
    so a locked database never stalls the event loop) before the response starts; if it
    cannot be, the client gets 503 with the reason instead of data nobody recorded. A
    client that leaves before its answer is recorded as 499, never as a server error.
    """

    def __init__(self, app: ASGIApp, registry: CollectorRegistry, audit: AuditLog) -> None:
        self.app, self.audit = app, audit
        self.requests = Counter(
            "penataan_requests",
            "HTTP requests by endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=registry,
        )
        self.probes = Counter(
            "penataan_unaudited_probes",
            "Calls without a key to /v1 paths that do not exist: counted here, not audited "
            "row by row (a client could otherwise fill the disk the audit log needs)",
            registry=registry,
        )
        self.latency = Histogram(
            "penataan_request_seconds",
            "Request latency by endpoint",
            ["endpoint"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = app_path(scope)
        audited = path.startswith(AUDITED_PREFIX) and not path.startswith(UNAUDITED)
        status, responded, refused, left = 500, False, False, False

        async def watch() -> Message:
            nonlocal left
            message = await receive()
            if message["type"] == "http.disconnect":
                left = True
            return message

        async def send_after_audit(message: Message) -> None:
            nonlocal status, responded, refused
            if refused:
                return  # the body of a response that was replaced by the refusal
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                if audited and _probe(scope, status):
                    self.probes.inc()
                elif audited:
                    problem = await self._audit(scope, status)
                    if problem is not None:
                        refused, status, problem = True, 503, public(problem)
                        body = {"detail": f"refused: the audit log cannot record this call ({problem})",
                                "errors": [{"field": "audit", "message": problem}]}  # fmt: skip
                        await _send_json(send, 503, body)
                        return
            await send(message)

        try:
            await self.app(scope, watch, send_after_audit)
        except BaseException:
            if not responded:  # the app failed before answering (or the client had gone)
                status = 499 if left else 500
                if audited:
                    await self._audit(scope, status)
            raise
        else:
            if not responded and left:  # nothing was sent: the client had gone
                status = 499
                if audited:
                    await self._audit(scope, status)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.requests.labels(endpoint, scope["method"], str(status)).inc()
            self.latency.labels(endpoint).observe(time.perf_counter() - started)

    async def _audit(self, scope: Scope, status: int) -> str | None:
        """Commit the call's row off the event loop; the reason if it could not be."""
        state = scope.get("state") or {}
        subject = state.get("subject")
        if subject is None:  # refused before the route ran: take what the body claimed
            subject = _claimed_subject(app_path(scope), state.get("body"))
        try:
            with anyio.fail_after(self.audit.timeout + 1.0):
                await anyio.to_thread.run_sync(
                    self.audit.append, _bounded(app_path(scope)), status, state.get("key_name"), subject,
                    state.get("model_version"),
                )  # fmt: skip
        except AuditError as error:
            return str(error)
        except TimeoutError:
            return f"audit log {self.audit.path} did not answer in {self.audit.timeout + 1.0:.0f} s"
        return None


def _probe(scope: Scope, status: int) -> bool:
    """A call without a key to a path no route has: nothing was disclosed or refused about
    anyone, so it is counted, not stored."""
    state = scope.get("state") or {}
    return status == 404 and scope.get("route") is None and state.get("key_name") is None


def _bounded(path: str) -> str:
    """A path as an audit row keeps it: at most `MAX_AUDITED_PATH` characters and a count of
    the rest, so no caller decides how large a row is."""
    if len(path) <= MAX_AUDITED_PATH:
        return path
    return f"{path[:MAX_AUDITED_PATH]}...(+{len(path) - MAX_AUDITED_PATH} chars)"


def _claimed_subject(path: str, body: bytes | None) -> str | None:
    """The NIP or unit a refused request named, if it can be read at all: nothing a client
    sends (malformed, huge, 20,000 levels deep) may break the audit path."""
    field = SUBJECT_FIELDS.get(path)
    if field is None or not body:
        return None
    try:
        claimed = json.loads(body).get(field)
    except Exception:  # RecursionError, ValueError, AttributeError: no claim to record
        return None
    return None if claimed is None else str(claimed)[:64]
