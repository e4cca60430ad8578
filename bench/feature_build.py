"""Benchmark: build the `mataram` training rows and every candidate row.

Prints rows, median seconds over repeats, rows/s and peak memory (RSS), and the ratio of
candidate to training throughput measured in the same process. Target: under 60 s and 4 GiB.

    .venv/bin/python bench/feature_build.py [--data DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from champion import bench_world
from timing import median_time, peak_rss_gib, print_table

from features.pipeline import build_features, candidate_pairs, training_pairs


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


if __name__ == "__main__":
    main()
