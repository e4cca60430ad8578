"""Benchmark: `penataan train` on `mataram`, then scoring throughput against bare LightGBM.

1. Training end to end (validation, feature build, split fit, refit, truth metrics, audit,
   registration) into a throwaway sqlite store: wall time and peak memory. Target < 2 min.
2. Scoring every active employee against every unit, medians over repeats:
   - `penataan score`'s path (`score_candidates`: features, eligibility, predict, rank),
     with the compiled trees as the command uses them;
   - `PlacementModel.predict` on the prebuilt feature rows (compiled trees + interval);
   - a bare `Booster.predict` of the point model on the same matrix (LightGBM: the floor
     the issue names; the model is a bag of six boosters, so this floor is six times the
     trees of one).
   Throughput in pairs/s and each path's ratio to the bare predict. Target: all pairs < 10 s.

    .venv/bin/python bench/train.py [--data DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from timing import median_time, peak_rss_gib, print_table

from features.contract.validate import load_data
from features.pipeline import as_model_frame, build_features, candidate_pairs
from training.model import LgbParams
from training.registry import load_registered
from training.run import train
from training.scoring import score_candidates
from training.settings import PipelineSettings
from world.writer import ensure_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ensure_world("mataram", 7, args.data)

    with tempfile.TemporaryDirectory() as store:
        settings = PipelineSettings(
            mlflow_tracking_uri=f"sqlite:///{Path(store) / 'mlflow.db'}", experiment="bench"
        )
        started = time.perf_counter()
        result = train(args.data, settings, LgbParams(), progress=lambda m: print(f"  {m}"))
        train_seconds = time.perf_counter() - started
        train_peak = peak_rss_gib()
        model = load_registered(settings.champion_uri).model
        settings.prepare(model)  # compiled trees, as `penataan score` uses them

    data = load_data(args.data)
    rows = build_features(data, candidate_pairs(data))
    matrix = as_model_frame(rows)
    booster = model.booster
    pairs = len(rows)
    jobs = {
        "penataan score (all units)": lambda: score_candidates(
            data, model, settings, all_units=True
        ),
        "PlacementModel.predict": lambda: model.predict(rows),
        "bare Booster.predict (point)": lambda: booster.predict(matrix, num_threads=2),
    }
    timed = {name: median_time(job, args.repeats)[0] for name, job in jobs.items()}
    floor = timed["bare Booster.predict (point)"]

    print(f"\ntraining on {args.data}: {train_seconds:.1f} s (target < 120 s), "
          f"peak RSS {train_peak:.2f} GiB; model rmse {result.metrics.loc['model', 'rmse']:.3f}")  # fmt: skip
    print(f"scoring {pairs:,} pairs, median of {args.repeats}:")
    print_table(
        ["path", "median s", "pairs/s", "x bare predict"],
        [(name, s, pairs / s, s / floor) for name, s in timed.items()],
    )
    print(f"peak RSS {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
