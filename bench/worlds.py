"""The model judged across a family of worlds, never one.

Each seed is a world of the `family` scenario (`penataan generate --preset ampenan --scenario
family --seed N`: its causal structure drawn from `world/scenarios.py`), trained with the
default `penataan train` path on a fresh registry, then scored against its truth: the
decision metrics, the suggested moves, the gain calibration, and a default round.

    .venv/bin/python bench/worlds.py --seeds 101-112            # the seeds choices are made on
    .venv/bin/python bench/worlds.py --seeds 201-212            # the seeds reported, never tuned on

Prints one line per world and the median and worst of each figure beside its target.
Worlds are generated once into data/worlds/ and reused.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from features.contract.validate import load_data
from planning.run import plan_round
from planning.settings import PlanSettings
from training.candidates import CandidateTable
from training.evaluation import read_truth
from training.model import LgbParams
from training.registry import current_champion
from training.run import train
from training.settings import PipelineSettings
from world.writer import ensure_world

ROOT = Path("data/worlds")


def seeds(text: str) -> list[int]:
    """`101-112` or `101,105,107`."""
    if "-" in text:
        first, last = (int(x) for x in text.split("-"))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


def one_world(seed: int, preset: str) -> dict[str, object]:
    """Generate (once), train with the defaults, score the truth, plan a default round."""
    path = ROOT / f"{preset}-family-{seed}"
    ensure_world(preset, seed, path, scenario="family")
    causal = json.loads((path / "truth" / "causal.json").read_text())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = PipelineSettings(
            mlflow_tracking_uri=f"sqlite:///{tmp}/mlflow.db", experiment="worlds"
        )
        result = train(path, settings, LgbParams())
        seconds = time.perf_counter() - started
        champion = current_champion(settings.model_name, settings.model_alias)
        assert champion is not None
        data = load_data(path, settings.predikat_scale)
        table = CandidateTable.build(data, None, settings)
        round_ = plan_round(data, champion.model, table, PlanSettings(), read_truth(path))
    m = result.metrics
    model, stay = m.loc["model"], m.loc["stay"]
    truth = round_.summary["truth"]
    predicted = round_.summary["total_predicted_gain"]
    return {
        "seed": seed,
        "policies": "+".join(sorted(causal["move_policy"])),
        "knack": causal["knack_sd"],
        "dip": causal["adaptation"],
        "train_s": seconds,
        "top1": model["top1_regret"],
        "top1_stay": stay["top1_regret"],
        "top1_x_stay": model["top1_regret"] / stay["top1_regret"],
        "move": model["move_regret"],
        "move_x_rule": model["move_regret"] / m.loc["education_rule", "move_regret"],
        "move_ridge": m.loc["linear", "move_regret"],
        "spearman": model["spearman"],
        "gain_top1": model["true_gain_top1"],
        "suggested": model.get("suggested_share", np.nan),
        "helpful": model.get("suggested_helpful", np.nan),
        "true_gain": model.get("suggested_true_gain", np.nan),
        "pred_gain": model.get("suggested_pred_gain", np.nan),
        "slope": model.get("gain_slope", np.nan),
        "coverage": model.get("suggested_coverage", np.nan),
        "cover_best": model.get("best_move_coverage", np.nan),
        "round_moves": round_.summary["moves"],
        "round_pred": predicted,
        "round_true": truth["true_gain"],
        "round_helpful": truth["helpful_share"],
    }


TARGETS = [  # (column, how it is aggregated, the target, the worst world it allows)
    ("top1_x_stay", "median", "<= 0.8", lambda s: s.max() < 1.0),
    ("move_x_rule", "median", "<= 0.6", lambda s: s.median() <= 0.6),
    ("true_gain", "median", "> 0 in every world", lambda s: s.min() > 0),
    ("helpful", "median", ">= 0.75", lambda s: s.min() >= 0.75),
    ("coverage", "median", "0.75-0.85", lambda s: 0.75 <= s.median() <= 0.85),
    ("round_helpful", "median", ">= 0.8", lambda s: s.min() >= 0.8),
]


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Median and worst of every figure; worst is the max for regrets, the min otherwise."""
    lower_better = {"top1", "top1_x_stay", "move", "move_x_rule"}
    numeric = frame.drop(columns=["seed", "policies"])
    worst = {
        c: numeric[c].max() if c in lower_better else numeric[c].min() for c in numeric.columns
    }
    return pd.DataFrame({"median": numeric.median(), "worst": pd.Series(worst)}).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="101-112", help="e.g. 101-112 or 101,105")
    parser.add_argument("--preset", default="ampenan")
    parser.add_argument("--jobs", type=int, default=2, help="worlds trained at once")
    parser.add_argument("--out", type=Path, help="also write the per-world table here (CSV)")
    args = parser.parse_args()
    chosen = seeds(args.seeds)
    started = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(one_world, seed, args.preset) for seed in chosen]
        for k, future in enumerate(futures, 1):
            rows.append(future.result())
            print(f"[{k}/{len(chosen)}] world {rows[-1]['seed']} done "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    frame = pd.DataFrame(rows).sort_values("seed")
    round_ratio = frame["round_true"] / frame["round_pred"].where(frame["round_pred"] > 0)
    frame.insert(frame.columns.get_loc("round_helpful"), "round_true_x_pred", round_ratio)
    frame["pred_minus_true"] = frame["pred_gain"] - frame["true_gain"]
    if args.out:
        frame.to_csv(args.out, index=False)
    pd.set_option("display.width", 250)
    print(f"\n{args.preset} family, seeds {args.seeds}: one world a line\n")
    print(frame.round(2).to_string(index=False))
    print("\nacross the worlds\n")
    print(summarise(frame).round(2).to_string())
    print("\ntargets")
    for column, how, target, met in TARGETS:
        value = frame[column].median() if how == "median" else frame[column].max()
        print(f"  {column:<14} {how} {value:6.2f}  target {target:<20} {'met' if met(frame[column]) else 'MISSED'}")  # fmt: skip
    ridge = (frame["move"] <= frame["move_ridge"]).mean()
    print(f"  move regret no worse than ridge in {ridge:.0%} of worlds (target 80%)")
    gap = frame["pred_minus_true"].abs().median()
    print(
        f"  |mean predicted - mean true gain| of suggested moves: median {gap:.2f} (target <= 0.5)"
    )
    ratio = frame["round_true_x_pred"].min()
    print(f"  round true / predicted gain: worst {ratio:.2f} (target >= 0.6)")


if __name__ == "__main__":
    main()
