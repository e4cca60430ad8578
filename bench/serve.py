"""Benchmark: `/v1/recommend` latency and throughput, beside the bare model and `mlflow models serve`.

On `mataram` (283 units, so every request scores 283 rows, returns the top 5 and explains
them with TreeSHAP):
1. `penataan serve` over HTTP at concurrency 1 and 8: p50/p95/p99 latency and requests/s;
2. (a) in process, the same work bare: every pair's score computed once beforehand (as the
   API does at load), then per request the ranking of the 283 scores and LightGBM's
   `pred_contrib` of the 5 rows an answer returns: the floor; and (a') the engine's own
   `recommend` in process (what the route calls, without HTTP, keys or the audit);
3. (b) `mlflow models serve` of the registered pyfunc scoring the same 283 feature rows
   per request over HTTP (no eligibility, no explanation): rows/s to compare.
Target: p99 under 10 ms at concurrency 1 on 2 cores; 5x the rows/s of `mlflow models serve`.

Both servers are called by the same client: one kept-alive `http.client` connection per
thread (what a load tool such as `wrk` does), so that the figures are the server's and not a
client library's (httpx, used before: one line per server is measured through it too).

    .venv/bin/python bench/serve.py [--data DIR] [--requests 1000]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import httpx
import numpy as np
from champion import bench_world, ensure_champion
from timing import print_table, process_peak_gib

from features.pipeline import build_features, candidate_pairs
from penataan.local_servers import free_port, running
from serving.engine import Engine
from serving.keys import KeyStore
from serving.settings import ServeSettings
from training.registry import pyfunc_frame


class Client(Protocol):
    """What a load test calls through: post JSON (failing on any status but 200), close."""

    def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> None: ...

    def close(self) -> None: ...


class KeptAlive:
    """A kept-alive HTTP/1.1 connection that posts JSON and fails on any status but 200."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> None:
        sent = {"content-type": "application/json"} | (headers or {})
        self.connection.request("POST", path, json.dumps(body).encode(), sent)
        answer = self.connection.getresponse()
        content = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"POST {path}: {answer.status} {content[:200]!r}")

    def close(self) -> None:
        self.connection.close()


class HttpxClient:
    """The same calls through httpx (what this benchmark used before), to show its cost."""

    def __init__(self, port: int) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)

    def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> None:
        self.client.post(path, json=body, headers=headers).raise_for_status()

    def close(self) -> None:
        self.client.close()


def load_test(
    call: Callable[[Client, int], None], port: int, n: int, concurrency: int,
    connect: Callable[[int], Client] = KeptAlive,
) -> tuple[list[float], float]:  # fmt: skip
    """Latencies (s) of `n` calls spread over `concurrency` threads (a connection each),
    and the wall time."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        client = connect(port)
        try:
            for i in range(k, n, concurrency):
                started = time.perf_counter()
                call(client, i)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started


def row(name: str, latencies: list[float], wall: float, rows_per_call: int) -> tuple[object, ...]:
    ms = np.percentile(np.array(latencies) * 1000, [50, 95, 99])
    return (
        name,
        float(ms[0]),
        float(ms[1]),
        float(ms[2]),
        len(latencies) / wall,
        len(latencies) * rows_per_call / wall,
    )


def measure_server(
    label: str, command: list[str], env: dict[str, str], port: int, ready_path: str, log: Path,
    call: Callable[[Client, int], None], requests: int, rows_per_call: int,
    settle: Callable[[float], float] | None = None,
) -> list[tuple[object, ...]]:  # fmt: skip
    """Start a server, warm it up, load-test it at concurrency 1 and 8, stop it; print how
    long it took to be ready and its peak memory. `settle`: the server works in the
    background after it is ready (it explains ahead): measure concurrency 1 at once, wait
    for `settle` (given the moment `/ready` answered, it returns the seconds since), then
    measure both."""
    ready_url = f"http://127.0.0.1:{port}{ready_path}"
    with running(command, env, ready_url, log, timeout=300) as (process, ready):
        ready_at = time.perf_counter()
        load_test(call, port, 20, 1)  # warm up
        rows = []
        if settle is not None:
            name = f"{label}, concurrency 1, just after /ready (explaining ahead)"
            rows.append(row(name, *load_test(call, port, requests, 1), rows_per_call))
            print(f"{label}: its background work took {settle(ready_at):.0f} s after /ready")
        rows += [
            row(f"{label}, concurrency {c}", *load_test(call, port, requests, c), rows_per_call)
            for c in (1, 8)
        ]
        name = f"{label}, concurrency 1, called through httpx"
        rows.append(row(name, *load_test(call, port, requests, 1, HttpxClient), rows_per_call))
        print(
            f"{label}: ready after {ready:.1f} s, peak memory {process_peak_gib(process.pid):.2f} GiB"
        )
        return rows


def explained_ahead(ready_url: str, since: float) -> float:
    """Wait until the server has explained every default answer's moves (`/ready` says
    how far it is); the seconds since `since`."""
    while True:
        done = httpx.get(ready_url, timeout=10).json()["explained_ahead"]
        if done["done"] >= done["of"]:
            return time.perf_counter() - since
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    data = bench_world(args.data)
    champion, settings = ensure_champion(args.data, data)
    nips = list(data.active_nips().sample(200, random_state=0))
    rows = build_features(data, candidate_pairs(data, nips=nips))
    per_nip = [rows[rows["nip"] == nip] for nip in nips]
    n_units = len(per_nip[0])

    # (a) the floor: the same work bare, in process, scores computed beforehand like the API
    booster = champion.model.booster
    matrices = [champion.model.matrix(block) for block in per_nip]
    scored = [(x, booster.predict(x, num_threads=2)) for x in matrices]
    bare = []
    for x, scores in (scored * (args.requests // len(scored) + 1))[: args.requests]:
        started = time.perf_counter()
        top = np.argsort(-scores)[:5]
        booster.predict(x[top], pred_contrib=True, num_threads=2)
        bare.append(time.perf_counter() - started)
    results = [row("bare ranking + pred_contrib of 5 rows (in process)", bare, sum(bare), n_units)]

    # (a') the engine in process: what the API's route calls, without HTTP, keys or audit
    engine = Engine.load(ServeSettings(data_dir=args.data, mlflow_tracking_uri=settings.mlflow_tracking_uri, model_name=settings.model_name))  # fmt: skip
    calls = [nips[i % len(nips)] for i in range(args.requests)]
    for nip in calls[:20]:
        engine.recommend(nip, 5, None, True, "id")  # warm up, as the servers are

    def in_process(label: str, engine: Engine) -> None:
        latencies = []
        for nip in calls:
            started = time.perf_counter()
            engine.recommend(nip, 5, None, True, "id")
            latencies.append(time.perf_counter() - started)
        results.append(row(label, latencies, sum(latencies), n_units))

    in_process("`Engine.recommend` (in process), explaining every row", engine)
    started = time.perf_counter()
    engine.explain_ahead(threading.Event())
    print(f"the engine explained {engine.explained_ahead[1]:,} rows ahead (staying's and moves) in {time.perf_counter() - started:.0f} s (one thread)")  # fmt: skip
    in_process("`Engine.recommend` (in process), default answers explained ahead", engine)
    kept = len(engine.kept.rows)
    del engine
    gc.collect()

    bin_dir = str(Path(sys.executable).parent)  # `mlflow models serve` execs `uvicorn` from PATH
    env = {**os.environ, "MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys.json"
        key = KeyStore(keys).create("hr", "bench")
        env |= {
            "PENATAAN_API_KEYS_FILE": str(keys),
            "PENATAAN_AUDIT_DB": str(Path(tmp) / "audit.db"),
        }
        bin_path = Path(sys.executable).parent
        port = free_port()
        print(f"starting penataan serve on {args.data} ({len(data.active_nips()) * n_units:,} candidate rows)")  # fmt: skip

        def recommend(client: Client, i: int) -> None:
            body = {"nip": nips[i % len(nips)], "top_k": 5, "include_ineligible": True}
            client.post("/v1/recommend", body, {"X-API-Key": key})

        results += measure_server(
            "penataan serve /v1/recommend",
            [str(bin_path / "penataan"), "serve", "--data", str(args.data), "--port", str(port)],
            env, port, "/ready", Path(tmp) / "serve.log",
            recommend, args.requests, n_units,
            lambda since: explained_ahead(f"http://127.0.0.1:{port}/ready", since),
        )  # fmt: skip

        mlflow_port = free_port()
        uri = f"models:/{champion.name}/{champion.version}"
        print(f"starting mlflow models serve -m {uri}")
        # pandas writes NaN as null, which the scoring server reads back as missing
        payloads = [{"dataframe_split": json.loads(pyfunc_frame(block).to_json(orient="split", index=False))} for block in per_nip]  # fmt: skip

        def invocations(client: Client, i: int) -> None:
            client.post("/invocations", payloads[i % len(payloads)])

        results += measure_server(
            "mlflow models serve /invocations",
            [str(bin_path / "mlflow"), "models", "serve", "-m", uri, "-p", str(mlflow_port),
             "--env-manager", "local", "-w", "1"],
            env, mlflow_port, "/ping", Path(tmp) / "mlflow.log",
            invocations, args.requests, n_units,
        )  # fmt: skip

    print(
        f"\n{args.requests} requests per line, {n_units} rows scored per request, model v{champion.version}"
    )
    print_table(["path", "p50 ms", "p95 ms", "p99 ms", "req/s", "rows/s"], results)
    by = {str(r[0]): r for r in results}
    serve = {c: by[f"penataan serve /v1/recommend, concurrency {c}"] for c in (1, 8)}
    mlflow_rows = {c: by[f"mlflow models serve /invocations, concurrency {c}"][5] for c in (1, 8)}
    for c in (1, 8):
        print(
            f"concurrency {c}: penataan serve / mlflow models serve rows/s = {serve[c][5] / mlflow_rows[c]:.1f}x"
        )
    print(f"p99 at concurrency 1: {serve[1][3]:.1f} ms (target < 10 ms); "
          f"penataan serve p50 / bare p50 = {serve[1][1] / results[0][1]:.1f}x, "
          f"/ the engine's in process = {serve[1][1] / results[2][1]:.1f}x")  # fmt: skip
    print(f"the engine kept the model rows of {kept:,} rows for the default answers")
    print(f"median of bare calls {statistics.median(bare) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
