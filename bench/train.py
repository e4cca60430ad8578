"""Benchmark: `penataan train` on `mataram`, then scoring throughput against bare LightGBM.

1. `penataan train` end to end, a whole process (validation, feature build, split fit,
   refit, truth metrics, audit, registration) into a throwaway sqlite store: wall time and
   peak memory, with every employee x unit judged against the truth a part at a time (the
   default: about 300,000 pairs' worth of employees) and, as the reference, all at once.
   Target < 2 min.
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
import os
import tempfile
from pathlib import Path

from timing import median_time, peak_rss_gib, penataan_process, print_table

from features.contract.validate import load_data
from features.pipeline import as_model_frame, build_features, candidate_pairs
from training.registry import load_registered
from training.scoring import score_candidates
from training.settings import PipelineSettings
from world.writer import ensure_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("data/bench-mataram"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ensure_world("mataram", 7, args.data)

    trained = {}
    with tempfile.TemporaryDirectory() as store:
        for label, chunk in (("in parts (default)", None), ("all at once", "1000000000")):
            uri = f"sqlite:///{Path(store) / label.split()[0]}.db"
            env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
            env |= {"PENATAAN_SCORE_CHUNK": chunk} if chunk else {}
            trained[label] = penataan_process(["train", "--data", str(args.data)], env)
            print(f"  penataan train, staff x units {label}: {trained[label][0]:.1f} s, "
                  f"peak {trained[label][1]:.2f} GiB")  # fmt: skip
        settings = PipelineSettings(mlflow_tracking_uri=f"sqlite:///{Path(store) / 'in.db'}")
        settings.connect()
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

    print(f"\npenataan train on {args.data}, whole process (target < 120 s):")
    print_table(["staff x units judged against the truth", "seconds", "peak GiB"],
                [(label, *figures) for label, figures in trained.items()])  # fmt: skip
    print(f"scoring {pairs:,} pairs, median of {args.repeats}:")
    print_table(
        ["path", "median s", "pairs/s", "x bare predict"],
        [(name, s, pairs / s, s / floor) for name, s in timed.items()],
    )
    print(f"peak RSS {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
