"""Benchmark: the compiled trees (lleaves) against `Booster.predict`, and `penataan score
--all-units` against both, on `mataram` (every active employee x every unit).

1. Compiling the champion's trees into an empty cache, then loading them from it; and
   compiling them with LLVM's inlining on (`training.compiled.INLINE` is off), for the trade,
   and with LLVM's large code model (lleaves' default; `code_model_for` picks the small one
   for a forest of this size), the reference for the code model's gain.
2. Predicting every candidate row: `Booster.predict` (2 threads) against the compiled trees
   (2 threads), median of repeats, the largest difference between the two.
3. `penataan score --all-units` as a whole process, with compiled trees and with
   `PENATAAN_COMPILED_TREES=false`, beside the bare predictions of the same rows (the
   floor the issue names); peak memory of each process; and once with every employee's
   rows built at once (`PENATAAN_SCORE_CHUNK` above the staff) against the default parts
   (about 300,000 pairs' worth of employees).

    .venv/bin/python bench/trees.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from champion import bench_world, ensure_champion
from timing import median_time, penataan_process, print_table

from features.settings import EligibilitySettings
from training.candidates import CandidateTable
from training.compiled import CompiledTrees

WORLD = Path("data/bench-mataram")


def whole_process(env: dict[str, str], out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one `penataan score --all-units`."""
    return penataan_process(["score", "--data", str(WORLD), "--all-units", "--out", str(out)], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = bench_world(WORLD)
    loaded, settings = ensure_champion(WORLD, data)
    booster = loaded.model.booster
    table = CandidateTable.build(data, None, EligibilitySettings())
    x = loaded.model.matrix(table.rows)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "trees"
        began = time.perf_counter()
        compiled = CompiledTrees(booster, cache)
        cold = time.perf_counter() - began
        began = time.perf_counter()
        compiled = CompiledTrees(booster, cache)
        warm = time.perf_counter() - began
        t_booster, expected = median_time(lambda: booster.predict(x, num_threads=2), args.repeats)
        t_compiled, got = median_time(lambda: compiled.predict(x), args.repeats)
        began = time.perf_counter()
        large = CompiledTrees(booster, Path(tmp) / "large", code_model="large")
        cold_large = time.perf_counter() - began
        t_large, got_large = median_time(lambda: large.predict(x), args.repeats)
        began = time.perf_counter()
        inlined = CompiledTrees(booster, Path(tmp) / "inlined", inline=True)
        cold_inlined = time.perf_counter() - began
        t_inlined, got_inlined = median_time(lambda: inlined.predict(x), args.repeats)
        env = os.environ | {
            "MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
            "PENATAAN_TREES_CACHE": str(cache),
        }
        on = whole_process(env, Path(tmp) / "on.parquet")
        off = whole_process(env | {"PENATAAN_COMPILED_TREES": "false"}, Path(tmp) / "off.parquet")
        whole = whole_process(
            env | {"PENATAAN_SCORE_CHUNK": str(10**9)}, Path(tmp) / "whole.parquet"
        )
    print(f"{len(x):,} rows, {booster.num_trees()} trees; compiling {cold:.1f} s cold, {warm:.2f} s from the cache")  # fmt: skip
    print_table(
        ["predict every row", "seconds", "rows/s", "x Booster.predict", "max |difference|"],
        [["Booster.predict (2 threads)", round(t_booster, 2), round(len(x) / t_booster), 1.0, 0.0],
         [f"compiled (lleaves, 2 threads; {compiled.code_model} code model)", round(t_compiled, 2),
          round(len(x) / t_compiled), round(t_booster / t_compiled, 2), float(np.abs(got - expected).max())],
         ["compiled, large code model (lleaves' default)", round(t_large, 2), round(len(x) / t_large),
          round(t_booster / t_large, 2), float(np.abs(got_large - expected).max())],
         ["compiled, LLVM inlining on (not the default)", round(t_inlined, 2), round(len(x) / t_inlined),
          round(t_booster / t_inlined, 2), float(np.abs(got_inlined - expected).max())]],
    )  # fmt: skip
    print(
        f"compiling with LLVM inlining on: {cold_inlined:.1f} s cold (off, the default: {cold:.1f} s);"
        f" with the large code model {cold_large:.1f} s; compiled / large code model: "
        f"{t_compiled / t_large:.2f}x the time"
    )
    print_table(
        ["penataan score --all-units", "seconds", "x bare Booster.predict", "x bare compiled", "peak GiB"],
        [["compiled trees", round(on[0], 1), round(on[0] / t_booster, 1), round(on[0] / t_compiled, 1), round(on[1], 2)],
         ["LightGBM (PENATAAN_COMPILED_TREES=false)", round(off[0], 1), round(off[0] / t_booster, 1), round(off[0] / t_compiled, 1), round(off[1], 2)],
         ["compiled, every employee at once (PENATAAN_SCORE_CHUNK=10^9)", round(whole[0], 1), round(whole[0] / t_booster, 1), round(whole[0] / t_compiled, 1), round(whole[1], 2)]],
    )  # fmt: skip


if __name__ == "__main__":
    main()
