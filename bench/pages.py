"""Benchmark: the pages' server time on `mataram`, beside the API call that does the same work.

In process (the app with its middleware, audit log and record of suggestions, through the
test client, so the time is the server's, not a network's): the employee page (`/ui/employee`,
283 units ranked, the top one explained, the shown items recorded) beside `/v1/recommend`
for the same employees; and the round page (`/ui/round`) of a round with many moves.
Targets: employee page p95 under 150 ms, round page with all its moves under 500 ms. Then the
pause of a full garbage collection with the engine loaded, frozen as the server keeps it and not.

    .venv/bin/python bench/pages.py [--requests 200] [--precision 0.55]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from champion import bench_world, ensure_champion
from timing import print_table

from serving.app import create_app
from serving.keys import KeyStore
from serving.settings import ServeSettings

with warnings.catch_warnings():
    # starlette's notice that its test client will move to httpx2 (as pyproject's pytest
    # settings): a dependency's notice, not this table's
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

WORLD = Path("data/bench-mataram")


def _ms(latencies: list[float]) -> tuple[float, float, float]:
    ms = np.array(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), float(ms.max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--precision", type=float, default=0.55,
                        help="the round's precision (lower: more moves on the page)")  # fmt: skip
    args = parser.parse_args()
    data = bench_world(WORLD)
    _, pipeline = ensure_champion(WORLD, data)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = ServeSettings(
            data_dir=WORLD, api_keys_file=root / "keys.json", audit_db=root / "audit.db",
            decisions_db=root / "decisions.db", mlflow_tracking_uri=pipeline.mlflow_tracking_uri,
            model_name=pipeline.model_name,
        )  # fmt: skip
        key = KeyStore(settings.api_keys_file).create("admin", "bench")
        print("loading the engine on mataram (about a minute)...", file=sys.stderr, flush=True)
        with TestClient(create_app(settings)) as client:
            app = client.app
            assert app.state.holder.loaded.wait(600) and app.state.holder.engine is not None  # type: ignore[attr-defined]
            engine = app.state.holder.engine  # type: ignore[attr-defined]
            rng = np.random.default_rng(7)
            nips = [str(n) for n in rng.choice(np.asarray(engine.nips), size=args.requests)]
            headers = {"X-API-Key": key}
            login = client.post("/ui/login", data={"api_key": key}, follow_redirects=False)
            assert login.status_code == 303
            timings: dict[str, list[float]] = {"/v1/recommend (reference)": [], "/ui/employee": []}
            for nip in nips:  # interleaved, so both meet the same machine
                started = time.perf_counter()
                assert client.post("/v1/recommend", json={"nip": nip, "top_k": 10}, headers=headers).status_code == 200  # fmt: skip
                timings["/v1/recommend (reference)"].append(time.perf_counter() - started)
                started = time.perf_counter()
                assert client.get(f"/ui/employee?nip={nip}").status_code == 200
                timings["/ui/employee"].append(time.perf_counter() - started)
            plan = client.post("/v1/plan", json={"config": {"precision": args.precision}}, headers=headers)  # fmt: skip
            assert plan.status_code == 200, plan.text
            round_id, moves = plan.json()["summary"]["round_id"], len(plan.json()["moves"])
            timings[f"/ui/round ({moves} moves)"] = []
            for _ in range(20):
                started = time.perf_counter()
                assert client.get(f"/ui/round?id={round_id}").status_code == 200
                timings[f"/ui/round ({moves} moves)"].append(time.perf_counter() - started)
            pauses = _full_collection()
    rows = [[name, len(t), *_ms(t)] for name, t in timings.items()]
    print(f"\nmataram: server time per request in process (ms), {args.requests} employees\n")
    print_table(["path", "requests", "p50 ms", "p95 ms", "max ms"], rows)
    employee, api = timings["/ui/employee"], timings["/v1/recommend (reference)"]
    ratio = statistics.median(employee) / statistics.median(api)
    p95 = _ms(employee)[1]
    round_p95 = _ms(timings[f"/ui/round ({moves} moves)"])[1]
    print(f"\nemployee page p95 {p95:.1f} ms (target < 150: {'met' if p95 < 150 else 'MISSED'}), "
          f"{ratio:.2f}x the API's median; round page p95 {round_p95:.1f} ms with {moves} moves "
          f"(target < 500: {'met' if round_p95 < 500 else 'MISSED'})")  # fmt: skip
    print(f"a full garbage collection with the engine loaded: {pauses[0]:.1f} ms as the server "
          f"keeps it (frozen after loading), {pauses[1]:.0f} ms unfrozen")  # fmt: skip


def _full_collection() -> tuple[float, float]:
    """Milliseconds of a full collection with the engine frozen out of the collector's sight
    (as `serving.routes.admin.release_memory` leaves it), and with it in sight."""
    started = time.perf_counter()
    gc.collect()
    frozen = (time.perf_counter() - started) * 1000
    gc.unfreeze()
    started = time.perf_counter()
    gc.collect()
    unfrozen = (time.perf_counter() - started) * 1000
    gc.freeze()
    return frozen, unfrozen


if __name__ == "__main__":
    main()
