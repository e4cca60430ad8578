"""Predikat-only years on one scale: measured against the same worlds with numbers kept.

For each seed, a family world is generated twice (`--evaluations numeric` and `law`: the same
world, truth included; the law world records only a predikat and two ratings from 2022) and
trained four ways with the default `penataan train` path:

- `numbers`: the numeric world (the yardstick: what the agency would have with numbers);
- `latent`, `midpoints`, `drop`: the law world with `PENATAAN_PREDIKAT_SCALE` set so.

    .venv/bin/python bench/predikat.py --seeds 201-206

Prints move regret (mean over employees of the true score lost by the model's best move
against the truly best unit, `training/evaluation.py`) and Spearman per world, medians, and
the issue's targets as ratios measured in this run: latent within 10% of numbers, at least
25% better than drop.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
from timing import quiet
from worlds import seeds

from training.model import LgbParams
from training.run import train
from training.settings import PipelineSettings
from world.writer import ensure_world

ROOT = Path("data/worlds")
WAYS = (("numbers", "numeric", "latent"), ("latent", "law", "latent"),
        ("midpoints", "law", "midpoints"), ("drop", "law", "drop"))  # fmt: skip


def one(seed: int, preset: str, way: str, regime: str, scale: str) -> dict[str, object]:
    path = ROOT / f"{preset}-family-{seed}-{regime}"
    ensure_world(preset, seed, path, scenario="family", evaluations=regime)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = PipelineSettings(
            mlflow_tracking_uri=f"sqlite:///{tmp}/mlflow.db",
            experiment="predikat",
            predikat_scale=scale,  # type: ignore[arg-type]
        )
        result = train(path, settings, LgbParams())
    model = result.metrics.loc["model"]
    return {
        "seed": seed,
        "way": way,
        "move_regret": model["move_regret"],
        "spearman": model["spearman"],
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="201-206")
    parser.add_argument("--preset", default="ampenan")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    chosen = seeds(args.seeds)
    jobs = [(s, args.preset, *way) for s in chosen for way in WAYS]
    started = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for k, row in enumerate(pool.map(one, *zip(*jobs, strict=True)), 1):
            rows.append(row)
            print(f"[{k}/{len(jobs)}] world {row['seed']} {row['way']} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    frame = pd.DataFrame(rows)
    regret = frame.pivot(index="seed", columns="way", values="move_regret")[[w for w, *_ in WAYS]]
    spearman = frame.pivot(index="seed", columns="way", values="spearman")[[w for w, *_ in WAYS]]
    pd.set_option("display.width", 200)
    print(f"\n{args.preset} family, seeds {args.seeds}: move regret (lower is better)\n")
    print(regret.round(3).to_string())
    print("\nwithin-world Spearman (higher is better)\n")
    print(spearman.round(3).to_string())
    median = regret.median()
    print("\nmedians: " + ", ".join(f"{w} {v:.3f}" for w, v in median.items()))
    vs_numbers = (regret["latent"] / regret["numbers"]).median()
    vs_drop = (regret["latent"] / regret["drop"]).median()
    vs_mid = (regret["latent"] / regret["midpoints"]).median()
    print(f"latent / numbers: median {vs_numbers:.2f} (target <= 1.10: "
          f"{'met' if vs_numbers <= 1.10 else 'MISSED'})")  # fmt: skip
    print(f"latent / drop:    median {vs_drop:.2f} (target <= 0.75: "
          f"{'met' if vs_drop <= 0.75 else 'MISSED'})")  # fmt: skip
    print(f"latent / midpoints: median {vs_mid:.2f}")


if __name__ == "__main__":
    main()
