"""The HTTP server around the app: uvicorn, with the two guards it lacks and a quiet log.

- A deadline on a request's headers. Uvicorn times out idle kept-alive connections but not a
  client that opens a socket and sends its headers a byte at a time (slowloris): such a
  connection would hold a socket for ever. `HeaderDeadline` answers 408 and closes the socket
  when a request's headers are not complete `header_timeout_seconds` after the connection
  opened or the previous answer was sent. (The body has its own deadline,
  `serving.middleware.BodyLimit`.)
- No secret in the access log. Keys travel in a header (`X-API-Key`, or `Authorization:
  Bearer`), which the access line does not hold, but a client that puts
  one in the query string (`?api_key=...`) would have it written in clear in every access
  line; `RedactSecrets` blanks such values before the line is written.
- No probe in the access log. A load balancer or a start-up script asks `/health` and
  `/ready` every second or so; each answer written as an access line buries the requests
  and the loading progress an operator reads (`make demo` printed forty `GET /ready 503`
  lines while the model loaded). `QuietProbes` drops those lines; `/ready` itself says
  what is missing, and the server logs its loading steps and any failure on its own.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from serving.app import create_app
from serving.settings import ServeSettings

_SLOW_BODY = b'{"detail": "request headers took too long"}'
TOO_SLOW = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_SLOW_BODY), _SLOW_BODY)
)
PROBES = frozenset({"/health", "/ready"})
_SECRET = re.compile(
    r"(?i)([?&][^=&#]*(?:key|token|secret|password|auth)[^=&#]*=)[^&#]*|pnt_[A-Za-z0-9_-]+"
)


def redact(target: str) -> str:
    """A request target with the values of key-like query parameters, and anything shaped
    like a Penataan key, replaced by `***`."""
    return _SECRET.sub(lambda m: f"{m.group(1)}***" if m.group(1) else "***", target)


def _target(record: logging.LogRecord) -> str | None:
    """The request target of one of uvicorn's access lines (`client - "METHOD target HTTP/x"
    status`: its third argument), None for any other record."""
    if isinstance(record.args, tuple) and len(record.args) >= 3:
        return str(record.args[2])
    return None


class RedactSecrets(logging.Filter):
    """Blanks secrets in uvicorn's access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        target = _target(record)
        if target is not None and isinstance(record.args, tuple):
            record.args = (*record.args[:2], redact(target), *record.args[3:])
        return True


class QuietProbes(logging.Filter):
    """Drops uvicorn's access lines for the probes `PROBES` (see the module), under the
    server's `root_path` (uvicorn logs the path with it)."""

    def __init__(self, root_path: str = "") -> None:
        super().__init__()
        self.probes = frozenset(root_path + probe for probe in PROBES)

    def filter(self, record: logging.LogRecord) -> bool:
        target = _target(record)
        return target is None or target.split("?", 1)[0] not in self.probes


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers (see the
    module). The deadline is armed when a connection opens and when a request's first byte
    arrives on a kept-alive one, and disarmed when its headers are complete; if it fires
    first, the headers are late. (Built on h11 before: httptools parses in C where h11 parsed
    in Python, part of what lay between the engine and the answer, docs/benchmarks.md,
    "Serving".)"""

    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        self._arm()  # a request's first bytes (on a new or a kept-alive connection)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.warning("%s: request headers took too long; closed with 408", self.client)
            self.transport.write(TOO_SLOW)
            self.transport.close()


def serve(settings: ServeSettings, host: str, port: int) -> None:
    """Run the API until interrupted."""
    listening = listen(host, port)
    protocol = type("Protocol", (HeaderDeadline,), {"header_timeout": settings.header_timeout_seconds})  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="info", http=protocol, root_path=settings.root_path)  # fmt: skip
    server = uvicorn.Server(config)
    access = logging.getLogger("uvicorn.access")
    access.addFilter(QuietProbes(settings.root_path))
    access.addFilter(RedactSecrets())
    shown = f"[{host}]" if ":" in host else host  # uvicorn says where only when it binds itself
    logging.getLogger("penataan.serving").info(f"listening on http://{shown}:{port} (Ctrl+C to stop)")  # fmt: skip
    server.run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything loads: uvicorn binds after its startup, so a
    port in use ended the process only after the model and data began to load, in uvicorn's
    words and exit code 3. OSError naming the address otherwise."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error} (another server there? choose --port)") from None  # fmt: skip
    sock.set_inheritable(True)
    return sock
