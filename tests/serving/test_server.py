"""The HTTP server's own guards, on a real socket: a deadline on request headers
(slowloris), and no key written to the access log."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from penataan.local_servers import free_port
from serving.server import HeaderDeadline, QuietProbes, RedactSecrets, redact


async def _hello(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] == "http"
    head = [(b"content-length", b"5")]
    await send({"type": "http.response.start", "status": 200, "headers": head})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"hello"})  # type: ignore[operator]


@pytest.fixture()
def port() -> Iterator[int]:
    protocol = type("Protocol", (HeaderDeadline,), {"header_timeout": 0.5})
    port = free_port()
    config = uvicorn.Config(_hello, port=port, http=protocol, log_level="error", lifespan="off")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _read_all(sock: socket.socket, within: float) -> bytes:
    sock.settimeout(within)
    chunks = []
    while chunk := sock.recv(65536):  # b"" once the server closed the socket
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost: x\r\n"])
def test_slow_or_missing_headers_get_408_and_a_closed_socket(port: int, sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(sent)
        began = time.perf_counter()
        answer = _read_all(sock, within=5)
    assert answer.startswith(b"HTTP/1.1 408") and time.perf_counter() - began < 2


def test_a_kept_alive_connection_is_timed_per_request(port: int) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(3):  # three prompt requests, each answered, over longer than the deadline
            sock.sendall(request)
            sock.settimeout(5)
            answer = b""
            while not answer.endswith(b"hello"):  # the head and the body may come apart
                chunk = sock.recv(65536)
                assert chunk, f"closed after {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(0.3)
        sock.sendall(b"GET / HTTP/1.1\r\n")  # then one that stalls
        assert b"408" in _read_all(sock, within=5)


def test_keys_in_the_query_string_never_reach_the_access_log() -> None:
    assert redact("/v1/model?api_key=pnt_SECRET&force=true") == "/v1/model?api_key=***&force=true"
    assert redact("/v1/model?X-API-Key=abc") == "/v1/model?X-API-Key=***"
    assert redact("/v1/pnt_SECRET_x-y") == "/v1/***"
    assert redact("/v1/plan?force=true") == "/v1/plan?force=true"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/v1/model?token=pnt_abc", "1.1", 401), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record) and "pnt_abc" not in record.getMessage()


def test_probes_stay_out_of_the_access_log() -> None:
    def line(target: str, status: int) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "GET", target, "1.1", status), None,
        )  # fmt: skip

    quiet = QuietProbes()
    assert not quiet.filter(line("/ready", 503))
    assert not quiet.filter(line("/health?verbose=1", 200))
    assert quiet.filter(line("/v1/recommend", 200))
    assert quiet.filter(line("/readyz", 200))  # only the probes themselves
    assert quiet.filter(line("/metrics", 200))


def test_a_port_in_use_is_refused_before_anything_loads(
    port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """uvicorn binds after its startup: `penataan serve` on a port in use began loading the
    model and data, then ended in uvicorn's words with exit code 3. Now one line, at once."""
    from penataan.cli import main

    began = time.perf_counter()
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--data", ".", "--port", str(port)])
    assert stop.value.code == 1 and time.perf_counter() - began < 5
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"penataan: error: cannot listen on 127.0.0.1:{port}: Address already in use")  # fmt: skip
