"""Load with a reload in the middle: does the service drop anything, and does memory stay flat?

Starts `penataan serve` on a benchmark world (loopback only), then for `--seconds` (60)
keeps `--concurrency` (16) asyncio clients calling `/v1/recommend` for random employees;
halfway through, an admin key calls `/v1/admin/reload`. Prints requests, errors by status,
p50/p99 latency before, during and after the reload, the reload's own time, the server's
RSS after warm-up and after each reload (the first under load, `--more-reloads` more after
it), and whether every answered call has its audit row. Targets: 0 errors; RSS flat within
10% from reload to reload.

    .venv/bin/python bench/load.py [--data data/bench-mataram] [--seconds 60] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
from champion import bench_world, ensure_champion
from timing import print_table, process_memory_gib

from penataan.local_servers import free_port, running
from serving.keys import KeyStore


async def drive(
    base: str, hr: str, admin: str | None, nips: list[str], seconds: float, concurrency: int
) -> tuple[list[tuple[float, float, int]], tuple[float, float, int]]:
    """(start, latency, status) of every call, and (start, seconds, status) of the reload
    made halfway with the `admin` key (none without one)."""
    calls: list[tuple[float, float, int]] = []
    stop = time.perf_counter() + seconds
    rng = random.Random(0)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await http.post("/v1/recommend", json={"nip": rng.choice(nips)}, headers={"X-API-Key": hr})  # fmt: skip
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0  # no answer at all
                calls.append((started, time.perf_counter() - started, status))

    async def reloader() -> tuple[float, float, int]:
        if admin is None:
            return float("inf"), 0.0, 0
        await asyncio.sleep(seconds / 2)
        async with httpx.AsyncClient(base_url=base, timeout=seconds * 10) as http:
            started = time.perf_counter()
            response = await http.post("/v1/admin/reload", headers={"X-API-Key": admin})
            return started, time.perf_counter() - started, response.status_code

    results = await asyncio.gather(reloader(), *(client() for _ in range(concurrency)))
    return calls, results[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--more-reloads", type=int, default=2, help="reloads after the load, for memory"
    )
    args = parser.parse_args()
    data = bench_world(args.data)
    _, registry = ensure_champion(args.data, data)
    nips = list(data.active_nips())
    with tempfile.TemporaryDirectory() as tmp:
        keys = KeyStore(Path(tmp) / "keys.json")
        hr, admin = keys.create("hr", "load-hr"), keys.create("admin", "load-admin")
        port = free_port()
        env = {**os.environ, "MLFLOW_TRACKING_URI": registry.mlflow_tracking_uri,
               "PENATAAN_API_KEYS_FILE": str(keys.path), "PENATAAN_AUDIT_DB": f"{tmp}/audit.db",
               "PENATAAN_MODEL_URI": registry.champion_uri}  # fmt: skip
        command = [str(Path(sys.executable).parent / "penataan"), "serve", "--data", str(args.data), "--port", str(port)]  # fmt: skip
        ready = f"http://127.0.0.1:{port}/ready"
        with running(command, env, ready, Path(tmp) / "server.log") as (process, _):
            base = f"http://127.0.0.1:{port}"
            warm, _ = asyncio.run(drive(base, hr, None, nips, 3.0, 2))
            rss_start = process_memory_gib(process.pid, "VmRSS")
            began = time.perf_counter()
            calls, reload = asyncio.run(
                drive(base, hr, admin, nips, args.seconds, args.concurrency)
            )
            wall = time.perf_counter() - began
            time.sleep(2.0)  # let the server settle after the last answer
            rss_end = process_memory_gib(process.pid, "VmRSS")
            after_reloads = [rss_end]
            for _ in range(args.more_reloads):  # is memory flat from reload to reload?
                httpx.post(f"{base}/v1/admin/reload", headers={"X-API-Key": admin}, timeout=900)
                time.sleep(2.0)
                after_reloads.append(process_memory_gib(process.pid, "VmRSS"))
        with sqlite3.connect(f"{tmp}/audit.db") as db:
            audited = db.execute("select count(*) from audit where endpoint = '/v1/recommend' and status = 200").fetchone()[0]  # fmt: skip
    statuses = Counter(status for _, _, status in calls)
    reload_start, reload_seconds, reload_status = reload
    phases = {
        "before the reload": [c for c in calls if c[0] < reload_start],
        "during the reload": [
            c for c in calls if reload_start <= c[0] < reload_start + reload_seconds
        ],
        "after the reload": [c for c in calls if c[0] >= reload_start + reload_seconds],
    }
    rows = []
    for name, part in phases.items():
        if part:
            ms = np.percentile([lat * 1000 for _, lat, _ in part], [50, 99])
            errors = sum(1 for *_, s in part if s != 200)
            rows.append((name, len(part), errors, float(ms[0]), float(ms[1])))
    print(f"\n{args.data}: concurrency {args.concurrency} for {args.seconds:.0f} s, reload at {args.seconds / 2:.0f} s "
          f"(status {reload_status}, {reload_seconds:.1f} s)")  # fmt: skip
    print_table(["phase", "requests", "errors", "p50 ms", "p99 ms"], rows)
    errors = sum(n for s, n in statuses.items() if s != 200)
    print(f"requests {len(calls):,} ({len(calls) / wall:.0f}/s), errors {errors} {dict(statuses)}; "
          f"answered calls audited: {audited:,} of {statuses[200] + len(warm):,} (warm-up included)")  # fmt: skip
    print(f"server RSS {rss_start:.2f} GiB after warm-up, {rss_end:.2f} GiB after the first reload "
          f"({(rss_end / rss_start - 1) * 100:+.1f}%: two engines coexist while the new one loads)")  # fmt: skip
    growth = (after_reloads[-1] / after_reloads[0] - 1) * 100
    print(f"RSS after each reload: {', '.join(f'{r:.2f}' for r in after_reloads)} GiB; "
          f"from the first to the last {growth:+.1f}% (target within 10%: no growth per reload)")  # fmt: skip


if __name__ == "__main__":
    main()
