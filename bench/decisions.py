"""Benchmark: 1,000 decisions written at once by 16 clients (each its own process and
connection, as 16 HR workstations or API workers are) into one record; none may be lost and
the hash chain must verify. Then the middle row edited by hand must make `verify` name it.
Last, one writer alone, as a server at concurrency 1 writes: the latency of a call.

    .venv/bin/python bench/decisions.py [--clients 16] [--decisions 1000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from timing import print_table

from oversight.records import Shown
from oversight.store import DecisionStore

SHOWN = Shown("penataan-placement", "1", "run", "f" * 16, "2026-01-01")


def client(path: str, ids: list[str], start: float) -> tuple[int, list[float]]:
    """One client: wait for the common start, then record its decisions one by one."""
    store = DecisionStore(Path(path), timeout_seconds=30)
    while time.time() < start:
        time.sleep(0.001)
    waits = []
    for sid in ids:
        began = time.perf_counter()
        store.decide(sid, "hr", "setuju", "sesuai_kompetensi", "bench", "hr")
        waits.append(time.perf_counter() - began)
    return len(ids), waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--decisions", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "decisions.db"
        store = DecisionStore(path)
        records = [SHOWN.record("plan", f"19850714201001{k:04d}", "A", "B", {"gain": 1.0}, "rd_bench") for k in range(args.decisions)]  # fmt: skip
        store.record(records)
        ids = [r.id for r in records]
        shares = [ids[k :: args.clients] for k in range(args.clients)]
        start = time.time() + 2.0  # every process started and waiting
        with ProcessPoolExecutor(args.clients) as pool:
            futures = [pool.submit(client, str(path), share, start) for share in shares]
            results = [f.result() for f in futures]
        elapsed = time.time() - start
        waits = sorted(w for _, ws in results for w in ws)
        written = len(store.rows())
        intact = store.verify() == []
        middle = max(1, args.decisions // 2)
        with sqlite3.connect(path) as db:  # a hand edit, triggers dropped first
            db.execute("drop trigger decisions_no_update")
            db.execute("update decisions set note = 'diubah' where seq = ?", (middle,))
        caught = store.verify()
    p = lambda q: waits[min(len(waits) - 1, int(q * len(waits)))] * 1000  # noqa: E731
    print_table(
        ["clients", "decisions", "written", "lost", "chain intact", "seconds", "per s", "p50 ms", "p99 ms"],
        [[args.clients, args.decisions, written, args.decisions - written, "yes" if intact else "NO",
          round(elapsed, 2), round(written / elapsed), round(p(0.5), 1), round(p(0.99), 1)]],
    )  # fmt: skip
    print(
        f"after editing row {middle} by hand, verify says: {caught[0] if caught else 'nothing (a defect)'}"
    )
    alone = one_writer(2000)
    print(f"one writer storing 5 suggestions shown per call, as /v1/recommend does, 2,000 calls: "
          f"p50 {alone[0]:.2f} ms, p99 {alone[1]:.2f} ms, max {alone[2]:.2f} ms")  # fmt: skip


def one_writer(calls: int) -> tuple[float, float, float]:
    """p50, p99 and max ms of `DecisionStore.record` of 5 suggestions (each with a 1.5 kB
    snapshot) and the suspension check, one call after another with a pause between, as a
    server at concurrency 1 makes them: the write-ahead log fills every hundred calls or so,
    and its checkpoint runs beside, on a thread of its own (`oversight.wal`)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = DecisionStore(Path(tmp) / "decisions.db")
        snapshot = {"explanation": "x" * 1500}
        took = []
        for k in range(calls):
            shown = [SHOWN.record("recommend", f"19850714201001{k:04d}", "A", f"U{j}", snapshot) for j in range(5)]  # fmt: skip
            began = time.perf_counter()
            store.record(shown)
            store.suspended()
            took.append((time.perf_counter() - began) * 1000)
            time.sleep(0.0005)
    ordered = sorted(took)
    return ordered[len(ordered) // 2], ordered[int(0.99 * len(ordered))], ordered[-1]


if __name__ == "__main__":
    main()
