"""Benchmark: how every step grows from one city to several, and what that says of a province.

For `mataram`, `mataram-x2` and `mataram-x3` (seed 7: Mataram's organisation one, two and
three times over, `world/presets.py`), each step as a whole `penataan` process on a fresh
world: generate (with the truth, which training judges the model against), validate, train
(into a throwaway registry), score every employee in every unit, plan the round, and serve
(seconds until `/ready` and the server's peak; skipped where the previous size's memory per
pair projects it past this machine's 16 GiB budget). Seconds and peak memory per step, then
for each step the growth exponent b of `seconds ~ pairs^b` fitted over the sizes (log-log
least squares) and the projection to a `provinsi` (nine Matarams: the preset's 50,220
staff x 2,547 units = 128M pairs) beside the issue's targets: every step under 16 GiB,
scoring all pairs under 15 minutes, the round under 5 minutes.

    .venv/bin/python bench/scale.py [--presets mataram,mataram-x2,mataram-x3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from timing import penataan_process, print_table, process_peak_gib

from penataan.local_servers import free_port, running
from serving.keys import KeyStore
from world.presets import PRESETS

PROVINCE = "provinsi"
BUDGET_GIB = 16.0
TARGETS = {"score": 15 * 60, "plan": 5 * 60}  # seconds, for a province


def pairs_of(preset: str) -> int:
    p = PRESETS[preset]
    return p.n_active * len(p.units())


def serve(world: Path, env: dict[str, str], tmp: Path) -> tuple[float, float]:
    """Seconds until `penataan serve` answers `/ready`, and its peak memory then."""
    keys = tmp / "keys.json"
    KeyStore(keys).create("hr", "bench")
    env = env | {"PENATAAN_API_KEYS_FILE": str(keys), "PENATAAN_AUDIT_DB": str(tmp / "audit.db")}
    port = free_port()
    command = [str(Path(sys.executable).with_name("penataan")), "serve", "--data", str(world), "--port", str(port)]  # fmt: skip
    ready_url = f"http://127.0.0.1:{port}/ready"
    with running(command, env, ready_url, tmp / "serve.log", timeout=3600) as (process, ready):
        return ready, process_peak_gib(process.pid)


def steps(preset: str, root: Path, projected_serve_gib: float) -> dict[str, tuple[float, float]]:
    """Every step of `preset` as a whole process: seconds and peak GiB each."""
    world, tmp = root / "world", root / "tmp"
    tmp.mkdir()
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'mlflow.db'}",
           "PENATAAN_DECISIONS_DB": str(tmp / "decisions.db")}  # fmt: skip
    out: dict[str, tuple[float, float]] = {}
    commands = {
        "generate": ["generate", "--preset", preset, "--seed", "7", "--out", str(world)],
        "validate": ["validate", str(world)],
        "train": ["train", "--data", str(world)],
        "score": ["score", "--data", str(world), "--all-units", "--out", str(tmp / "s.parquet")],
        "plan": ["plan", "--data", str(world), "--out", str(tmp / "round")],
    }
    for step, args in commands.items():
        out[step] = penataan_process(args, env)
        print(f"  {preset}: {step} {out[step][0]:.1f} s, peak {out[step][1]:.2f} GiB", flush=True)
    if projected_serve_gib <= BUDGET_GIB:
        out["serve"] = serve(world, env, tmp)
        print(f"  {preset}: serve ready {out['serve'][0]:.1f} s, peak {out['serve'][1]:.2f} GiB")
    else:
        print(f"  {preset}: serve skipped, projected {projected_serve_gib:.1f} GiB")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default="mataram,mataram-x2,mataram-x3")
    args = parser.parse_args()
    presets = args.presets.split(",")
    results: dict[str, dict[str, tuple[float, float]]] = {}
    serve_per_pair = 0.0
    for preset in presets:
        pairs = pairs_of(preset)
        print(f"{preset}: {PRESETS[preset].n_active:,} staff x {len(PRESETS[preset].units()):,} "
              f"units = {pairs:,} pairs", flush=True)  # fmt: skip
        with tempfile.TemporaryDirectory(dir="data") as root:
            results[preset] = steps(preset, Path(root), serve_per_pair * pairs)
        if "serve" in results[preset]:
            serve_per_pair = results[preset]["serve"][1] / pairs

    names = list(results[presets[0]])
    print("\nseconds (peak GiB) per step, each a whole process:")
    print_table(["preset", "pairs", *names],
                [(p, pairs_of(p), *(f"{r[s][0]:.1f} ({r[s][1]:.2f})" if s in r else "skipped" for s in names))
                 for p, r in results.items()])  # fmt: skip

    province = pairs_of(PROVINCE)
    rows = []
    for step in names:
        measured = [(pairs_of(p), *r[step]) for p, r in results.items() if step in r]
        if len(measured) < 2:
            continue
        x, seconds, peak = (np.array(v, dtype=float) for v in zip(*measured, strict=True))
        b = np.polyfit(np.log(x), np.log(seconds), 1)[0]
        b_mem = np.polyfit(np.log(x), np.log(peak), 1)[0]
        projected = seconds[-1] * (province / x[-1]) ** b
        projected_gib = peak[-1] * (province / x[-1]) ** b_mem
        target = TARGETS.get(step)
        verdict = "" if target is None else ("met" if projected <= target else f"missed ({target / 60:.0f} min)")  # fmt: skip
        memory = "met" if projected_gib <= BUDGET_GIB else "missed"
        rows.append((step, b, b_mem, projected / 60, projected_gib, verdict, memory))
    print(
        f"\ngrowth over the sizes measured, projected to a {PROVINCE} ({province:,} pairs, "
        f"{province / pairs_of(presets[-1]):.1f}x the largest measured):"
    )
    print_table(["step", "b (seconds ~ pairs^b)", "b (peak)", "province min", "province GiB",
                 "time target", f"memory < {BUDGET_GIB:.0f} GiB"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
