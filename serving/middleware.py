"""Pure-ASGI middleware: a cap on request bodies, and the request log (metrics + audit).

Pure ASGI (not `BaseHTTPMiddleware`) so that streaming and exceptions behave, and so both
see every response, including the 413s and 422s that never reach a route.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

from serving.audit import AuditLog

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

disable_created_metrics()  # the `_created` series only add noise to the scrape

AUDITED = {"/v1/recommend": "nip", "/v1/candidates": "unit_id", "/v1/plan": "as_of"}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, whether announced or streamed; the body
    read is kept in `scope["state"]["body"]` for the request log."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        announced = headers.get(b"content-length", b"0")
        too_big = {"detail": f"request body over {self.limit} bytes", "errors": [{"field": "body", "message": "too large"}]}  # fmt: skip
        if announced.isdigit() and int(announced) > self.limit:
            await _send_json(send, 413, too_big)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _send_json(send, 413, too_big)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
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
    """Prometheus request counts and latency by endpoint and status; the audit log rows."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry, audit: AuditLog) -> None:
        self.app, self.audit = app, audit
        self.requests = Counter(
            "penataan_requests",
            "HTTP requests by endpoint, method and status",
            ["endpoint", "method", "status"],
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
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.requests.labels(endpoint, scope["method"], str(status)).inc()
            self.latency.labels(endpoint).observe(time.perf_counter() - started)
            if scope["path"] in AUDITED:
                self._audit(scope, status)

    def _audit(self, scope: Scope, status: int) -> None:
        state = scope.get("state") or {}
        subject = state.get("subject")
        if subject is None:  # refused before the route ran: take what the body claimed
            try:
                claimed = json.loads(state.get("body") or b"{}").get(AUDITED[scope["path"]])
            except (ValueError, AttributeError):
                claimed = None
            subject = None if claimed is None else str(claimed)[:64]
        self.audit.append(
            scope["path"], status, state.get("key_name"), subject, state.get("model_version")
        )
