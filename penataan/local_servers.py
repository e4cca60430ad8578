"""Starting real server processes on this machine (`penataan serve`, `mlflow server`,
`mlflow models serve`) and waiting until they answer: shared by the tests and the benchmarks."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ok(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Poll `url` until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout} s")


@contextmanager
def running(
    command: list[str], env: dict[str, str], ready_url: str, log: Path, timeout: float = 600
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """Start `command` (its output to `log`), wait until `ready_url` answers; yield the
    process and the seconds it took to be ready; stop it on the way out, whatever happened."""
    with log.open("wb") as out:
        began = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ok(ready_url, process, timeout)
            yield process, time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(timeout=60)
