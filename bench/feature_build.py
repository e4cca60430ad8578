"""Benchmark: build the `mataram` training rows and every candidate row.

Prints rows, median seconds over repeats, rows/s and peak memory (RSS), and the ratio of
candidate to training throughput measured in the same process. Target: under 60 s and 4 GiB.
Then a request's rows, as the API builds them: five pairs of one employee from the snapshot
kept at load (`features_at`), against `build_features` taking the snapshot for each call.

    .venv/bin/python bench/feature_build.py [--data DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from champion import bench_world
from timing import median_time, peak_rss_gib, print_table

from features.pipeline import (
    build_features,
    candidate_pairs,
    features_at,
    take_snapshot,
    training_pairs,
)


def per_call_ms(build: Callable[[pd.DataFrame], object], calls: list[pd.DataFrame]) -> float:
    """Median milliseconds of one call, each after a first untimed one."""
    build(calls[0])
    times = []
    for pairs in calls:
        started = time.perf_counter()
        build(pairs)
        times.append(time.perf_counter() - started)
    return float(np.median(times)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = bench_world(args.data)
    jobs = {
        "training rows": training_pairs(data)[["nip", "unit_id", "as_of"]],
        "candidate rows": candidate_pairs(data),
    }
    results = {}
    for name, pairs in jobs.items():
        seconds, rows = median_time(lambda pairs=pairs: build_features(data, pairs), args.repeats)
        results[name] = (len(rows), seconds)
    print_table(
        ["job", "rows", "median s", "rows/s"],
        [(name, n, s, n / s) for name, (n, s) in results.items()],
    )
    total = sum(s for _, s in results.values())
    ratio = (results["candidate rows"][0] / results["candidate rows"][1]) / (
        results["training rows"][0] / results["training rows"][1]
    )
    print(
        f"both jobs: {total:.1f} s (target < 60 s), peak RSS {peak_rss_gib():.2f} GiB (target < 4 GiB)"
    )
    print(f"candidate / training throughput ratio: {ratio:.1f}x")

    snapshot = take_snapshot(data, data.default_as_of())
    nips = data.active_nips().sample(100, random_state=0)
    calls = [candidate_pairs(data, nips=[nip]).head(5) for nip in nips]
    kept = per_call_ms(lambda pairs: features_at(snapshot, pairs), calls)
    fresh = per_call_ms(lambda pairs: build_features(data, pairs), calls)
    print(f"\na request's 5 rows ({len(calls)} employees), median ms per call:")
    print_table(
        ["path", "ms", "x kept snapshot"],
        [("features_at, the snapshot kept (the API)", kept, 1.0),
         ("build_features, a snapshot per call", fresh, fresh / kept)],
    )  # fmt: skip


if __name__ == "__main__":
    main()
