"""Benchmark: build the `mataram` training rows and every candidate row.

Prints rows, median seconds over repeats, rows/s and peak memory (RSS), and the ratio of
candidate to training throughput measured in the same process (machines here are shared
and noisy: compare medians and ratios, not single times). Target: under 60 s and 4 GiB.

    .venv/bin/python bench/features.py [--data DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow
# the `features` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from features.pipeline import build_features, candidate_pairs, training_pairs  # noqa: E402
from features.validate import load_data  # noqa: E402
from world.generate import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (args.data / "units.csv").exists():
        started = time.perf_counter()
        generate("mataram", 7, args.data)
        print(f"generated mataram in {time.perf_counter() - started:.1f} s")
    data = load_data(args.data)
    jobs = {
        "training rows": training_pairs(data)[["nip", "unit_id", "as_of"]],
        "candidate rows": candidate_pairs(data),
    }
    results = {}
    for name, pairs in jobs.items():
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            rows = build_features(data, pairs)
            times.append(time.perf_counter() - started)
        results[name] = (len(rows), statistics.median(times))
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"{'job':<16}{'rows':>12}{'median s':>10}{'rows/s':>12}")
    for name, (n, seconds) in results.items():
        print(f"{name:<16}{n:>12,}{seconds:>10.2f}{n / seconds:>12,.0f}")
    total = sum(s for _, s in results.values())
    ratio = (results["candidate rows"][0] / results["candidate rows"][1]) / (
        results["training rows"][0] / results["training rows"][1]
    )
    print(f"both jobs: {total:.1f} s (target < 60 s), peak RSS {peak_gib:.2f} GiB (target < 4 GiB)")
    print(f"candidate / training throughput ratio: {ratio:.1f}x")


if __name__ == "__main__":
    main()
