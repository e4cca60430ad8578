"""Benchmark: how every step grows from one city to a province, each a whole process.

For each preset (`world/presets.py`: `mataram`, and Mataram's organisation two, three and
nine times over as `mataram-x2`, `mataram-x3`, `provinsi`, seed 7), each step as a whole
`penataan` process: generate (with the truth, which training judges the model against, or
`--no-truth`: a province's truth would be 128M rows), validate, train (into the world's own
registry), score every employee in every unit, plan the round, and serve (seconds until
`/ready` and the server's peak). Seconds and peak memory per step, the growth exponent b of
`seconds ~ pairs^b` fitted over the sizes (log-log least squares), and beside the issue's
targets for a province (every step under 16 GiB, scoring all pairs under 15 minutes, the
round under 5): measured where `provinsi` is among the presets, else projected. The round
is timed twice: `penataan plan` (a whole process that loads, builds and scores every pair the
rules allow) and `POST /v1/plan` to the server once it is ready (`plan_api`: the same round
on the served date, from the pairs the server scored when it loaded).

A province's steps take longer than one sitting, so `--workdir` keeps the worlds, their
registries and each step's figures (`results.json`): run again, and the benchmark goes on
from the first step not yet measured (a step measured is never measured twice; remove the
folder to start over); `--report` prints what it holds ("not yet" for steps to come).
`--skip score` leaves a step out of this run (not generate or train: the rest need their
world and model), when its figure is known from an earlier run and the machine's hours are
better spent on the steps not yet measured.

    .venv/bin/python bench/scale.py [--presets mataram,mataram-x2,mataram-x3] [--no-truth]
    .venv/bin/python bench/scale.py --presets mataram,provinsi --no-truth --workdir data/scale [--report] [--skip score]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
from timing import penataan_process, print_table, process_peak_gib

from penataan.local_servers import free_port, running
from serving.keys import KeyStore
from world.presets import PRESETS

PROVINCE = "provinsi"
BUDGET_GIB = 16.0
TARGETS = {"score": 15 * 60, "plan": 5 * 60, "plan_api": 5 * 60}  # seconds, for a province
STEPS = ("generate", "validate", "train", "score", "plan", "serve", "plan_api")
MEASURED_BY = {"plan_api": "serve"}  # steps measured within another step's process


def pairs_of(preset: str) -> int:
    p = PRESETS[preset]
    return p.n_active * len(p.units())


def serve(world: Path, env: dict[str, str], tmp: Path) -> dict[str, tuple[float, float]]:
    """Seconds until `penataan serve` answers `/ready` and its peak memory then; then the
    seconds a `POST /v1/plan` (the default round on the served date) takes to answer, and
    the server's peak after it."""
    keys = tmp / "keys.json"
    if keys.exists():  # a run cut short left its key file
        keys.unlink()
    admin = KeyStore(keys).create("admin", "bench")
    env = env | {"PENATAAN_API_KEYS_FILE": str(keys), "PENATAAN_AUDIT_DB": str(tmp / "audit.db")}
    port = free_port()
    command = [str(Path(sys.executable).with_name("penataan")), "serve", "--data", str(world), "--port", str(port)]  # fmt: skip
    ready_url = f"http://127.0.0.1:{port}/ready"
    with running(command, env, ready_url, tmp / "serve.log", timeout=3 * 3600) as (process, ready):
        peak = process_peak_gib(process.pid)
        started = time.perf_counter()
        with httpx.Client(timeout=3 * 3600) as client:
            answer = client.post(f"http://127.0.0.1:{port}/v1/plan", json={}, headers={"X-API-Key": admin})  # fmt: skip
        seconds = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"POST /v1/plan answered {answer.status_code}: {answer.text[:500]}")
        return {"serve": (ready, peak), "plan_api": (seconds, process_peak_gib(process.pid))}


def steps(preset: str, root: Path, truth: bool, done: dict[str, list[float]],
          record: Callable[[str, float, float], None], skip: frozenset[str]) -> None:  # fmt: skip
    """Every step of `preset` not yet in `done` nor in `skip`, as a whole process: seconds
    and peak GiB each, handed to `record` as it is measured."""
    world, tmp = root / "world", root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'mlflow.db'}",
           "PENATAAN_DECISIONS_DB": str(tmp / "decisions.db")}  # fmt: skip
    generate = ["generate", "--preset", preset, "--seed", "7", "--out", str(world)]
    commands = {
        "generate": generate + ([] if truth else ["--no-truth"]),
        "validate": ["validate", str(world)],
        "train": ["train", "--data", str(world)],
        "score": ["score", "--data", str(world), "--all-units", "--out", str(tmp / "s.parquet")],
        "plan": ["plan", "--data", str(world), "--out", str(tmp / "round")],
    }
    for step in STEPS:
        if step in done or step in skip or step in MEASURED_BY:
            continue
        if step == "generate" and world.exists():  # a generation cut short: start it again
            shutil.rmtree(world)
        figures = serve(world, env, tmp) if step == "serve" else {step: penataan_process(commands[step], env)}  # fmt: skip
        for name, (seconds, peak) in figures.items():
            record(name, seconds, peak)
            print(f"  {preset}: {name} {seconds:.1f} s, peak {peak:.2f} GiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default="mataram,mataram-x2,mataram-x3")
    parser.add_argument(
        "--no-truth", action="store_true", help="generate the worlds without the truth"
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep worlds and figures here; go on from them"
    )
    parser.add_argument(
        "--report", action="store_true", help="print what --workdir holds; run nothing"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="steps not to measure in this run, e.g. score (not generate, train)",
    )
    args = parser.parse_args()
    presets = args.presets.split(",")
    skip = frozenset(filter(None, args.skip.split(",")))
    skippable = [
        s for s in STEPS if s not in ("generate", "train", *MEASURED_BY)
    ]  # the rest need these
    if not skip <= set(skippable):
        parser.error(f"--skip takes {', '.join(skippable)}")
    with tempfile.TemporaryDirectory(dir="data") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        saved = workdir / "results.json"
        kept = json.loads(saved.read_text()) if saved.exists() else {}
        if kept and kept.get("truth") != (not args.no_truth):
            raise SystemExit(
                f"{saved}: measured with truth={kept.get('truth')}; use another --workdir"
            )
        kept["truth"] = not args.no_truth
        results: dict[str, dict[str, list[float]]] = kept.setdefault("steps", {})
        for preset in presets:
            done = results.setdefault(preset, {})
            print(f"{preset}: {PRESETS[preset].n_active:,} staff x {len(PRESETS[preset].units()):,} "
                  f"units = {pairs_of(preset):,} pairs" + (f" ({', '.join(done)} measured before)" if done else ""),
                  flush=True)  # fmt: skip

            def record(
                step: str, seconds: float, peak: float, done: dict[str, list[float]] = done
            ) -> None:
                done[step] = [seconds, peak]
                saved.write_text(json.dumps(kept, indent=1))

            if not args.report:
                steps(preset, workdir / preset, not args.no_truth, done, record, skip)

    results = {p: results[p] for p in presets}
    print("\nseconds (peak GiB) per step, each a whole process"
          + ("" if kept["truth"] else ", worlds without the truth") + ":")  # fmt: skip
    print_table(["preset", "pairs", *STEPS],
                [(p, pairs_of(p), *(f"{r[s][0]:.1f} ({r[s][1]:.2f})" if s in r else "not yet" for s in STEPS))
                 for p, r in results.items()])  # fmt: skip

    province = pairs_of(PROVINCE)
    rows = []
    for step in STEPS:
        measured = [(pairs_of(p), *results[p][step]) for p in presets if step in results[p]]
        if len(measured) < 2:
            continue
        x, seconds, peak = (np.array(v, dtype=float) for v in zip(*measured, strict=True))
        b = np.polyfit(np.log(x), np.log(seconds), 1)[0]
        b_mem = np.polyfit(np.log(x), np.log(peak), 1)[0]
        if step in results.get(PROVINCE, {}):
            minutes, gib = results[PROVINCE][step][0] / 60, results[PROVINCE][step][1]
            how = "measured"
        else:  # from the largest size measured, along the fitted growth
            minutes = seconds[-1] * (province / x[-1]) ** b / 60
            gib = peak[-1] * (province / x[-1]) ** b_mem
            how = "projected"
        # the cost of each pair added between the two largest sizes: the power law flattered
        # the province's training and scoring (projected 21 and 12-25 min, measured 38.5
        # and 45.7); a step that scores every pair grows about as its pairs do
        per_pair = (seconds[-1] - seconds[-2]) / (x[-1] - x[-2])
        bytes_per_pair = (peak[-1] - peak[-2]) * 2**30 / (x[-1] - x[-2])
        linear_min = (seconds[-1] + per_pair * (province - x[-1])) / 60
        linear_gib = peak[-1] + bytes_per_pair * (province - x[-1]) / 2**30
        target = TARGETS.get(step)
        verdict = "" if target is None else ("met" if minutes * 60 <= target else f"missed ({target / 60:.0f} min)")  # fmt: skip
        rows.append(
            (step, b, b_mem, minutes, gib, how, verdict, "met" if gib <= BUDGET_GIB else "missed",
             per_pair * 1e6, linear_min, bytes_per_pair, linear_gib)
        )  # fmt: skip
    if not rows:  # one size: no growth to fit
        return
    print(f"\ngrowth over {', '.join(presets)} ({province:,} pairs in a {PROVINCE}):")
    print_table(["step", "b (seconds ~ pairs^b)", "b (peak)", "province min", "province GiB", "",
                 "time target", f"memory < {BUDGET_GIB:.0f} GiB", "us per added pair",
                 "province min at that", "bytes per added pair", "province GiB at that"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
