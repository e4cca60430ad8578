"""Benchmark: the transfer round on `mataram` and a second seed, and how the solver scales.

1. For each world (mataram seed 7, and seed 8 which the defaults were never tuned on):
   `plan_round` time (median of repeats, candidate rows prebuilt) and peak memory; the exact
   round against the greedy one on the same caps: objective, predicted gain, and the true
   gain from the world's truth (evaluation only). Target: under 30 s on 2 cores.
2. `penataan plan` on mataram seed 7 as a whole process: seconds and peak memory with the
   candidate rows built `PENATAAN_SCORE_CHUNK` employees at a time (the default) and, as the
   reference, all at once; the two rounds must be the same moves.
3. Scaling to a province: the solver alone on problems built by resampling mataram's
   candidate moves and copying its units up to 50,000 active employees (`scaled`), each size
   in a fresh process (its own peak memory); the time ratio between sizes shows how it grows.

    .venv/bin/python bench/plan.py [--repeats 3] [--worlds 7,8] [--sizes 5580,12500,25000,50000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from champion import bench_registry, bench_world, ensure_champion
from timing import median_time, peak_rss_gib, penataan_process, print_table, process_peak_gib

from features.settings import EligibilitySettings
from planning.problem import PlanProblem, build_problem
from planning.run import plan_round
from planning.settings import PlanSettings
from planning.solve import solve_exact, solve_greedy, violations
from training.candidates import CandidateTable
from training.evaluation import read_truth


def scaled(base: PlanProblem, active: int, employees: int, seed: int = 0) -> PlanProblem:
    """A problem like `base` (from `active` employees) grown to `employees`, as a province
    grows from a city (`world.presets`' `provinsi`: the organisation repeated): the units
    copied once per `employees / active`, people with candidate moves resampled from `base`,
    each placed in one copy and offered their moves into every copy (a person's candidate
    moves grow with the units, as `mataram-x3`'s real round has 3.6 times `mataram`'s per
    person), their values a little apart; the pilot's flags kept and its size not grown
    (`training.gain.pilot_size` is set by the outcomes it must measure, not by the staff)."""
    rng = np.random.default_rng(seed)
    people = np.unique(base.employee)
    factor = employees / active
    copies = max(1, round(factor))
    picks = rng.choice(people, round(len(people) * factor))
    by_person = {e: np.flatnonzero(base.employee == e) for e in people}
    idx = np.concatenate([by_person[e] for e in picks])
    owner = np.repeat(np.arange(len(picks)), [len(by_person[e]) for e in picks])
    home = rng.integers(0, copies, len(picks))[owner]  # the copy each person works in
    into = np.repeat(np.arange(copies), len(idx))  # each move, into every copy
    idx, owner, home = np.tile(idx, copies), np.tile(owner, copies), np.tile(home, copies)
    pilot = np.zeros(len(base.value), dtype=bool) if base.pilot is None else base.pilot
    return PlanProblem(
        employee=owner,
        origin=base.origin[idx] + base.n_units * home,
        dest=base.dest[idx] + base.n_units * into,
        # people drawn twice differ a little, as real people do (identical twins would only
        # add symmetric optima for the solver to prove equal)
        value=np.maximum(base.value[idx] + rng.normal(0.0, 0.25, len(idx)), 0.01),
        slack_in=np.tile(base.slack_in, copies),
        max_out=np.tile(base.max_out, copies),
        max_moves=round(base.max_moves * factor),
        pilot=pilot[idx],
        max_pilot=base.max_pilot,
    )


def solve_sized(base: PlanProblem, active: int, employees: int) -> tuple[Any, ...]:
    """Solve one resampled size (run in a fresh process, so its peak memory is its own)."""
    p = scaled(base, active, employees)
    started = time.perf_counter()
    exact = solve_exact(p, time_limit=300)
    exact_s = time.perf_counter() - started
    greedy = solve_greedy(p)
    assert not violations(p, exact.chosen) and not violations(p, greedy.chosen)
    return (employees, len(p.value), exact_s, greedy.seconds, exact.objective,
            greedy.objective, process_peak_gib(), exact.status, exact.method)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="5580,12500,25000,50000")
    parser.add_argument("--worlds", default="7,8", help="mataram seeds to plan on")
    args = parser.parse_args()
    seeds = [int(x) for x in args.worlds.split(",")]  # the first also seeds the scaling problems
    worlds = {f"mataram seed {n}": (Path("data/bench-mataram" if n == 7 else f"data/bench-mataram-s{n}"), n) for n in seeds}  # fmt: skip
    settings = PlanSettings()
    table, base, active = [], None, 0
    for label, (path, seed) in worlds.items():
        data = bench_world(path, seed)
        champion, pipeline = ensure_champion(path, data)
        candidates = CandidateTable.build(data, None, EligibilitySettings())
        truth = read_truth(path)
        job = functools.partial(
            plan_round,
            data,
            champion.model,
            [candidates],
            settings,
            truth,
            pipeline=pipeline.decision,
        )
        seconds, result = median_time(job, args.repeats)
        s = result.summary
        table.append((label, s["candidate_moves"], s["moves"], seconds, s["objective"], s["greedy"]["objective"],
                      s["total_predicted_gain"], s["greedy"]["total_predicted_gain"],
                      s["truth"]["true_gain"], s["truth"]["greedy_true_gain"],
                      s["truth"]["helpful_share"] or 0.0))  # fmt: skip
        if base is None:
            decision = settings.decision(pipeline.decision)
            inputs = build_problem(data, [candidates], champion.model, settings, decision)
            base, active = inputs.problem, len(inputs.nips)
    print(
        f"\nthe round, median of {args.repeats} (candidate rows prebuilt); peak RSS {peak_rss_gib():.2f} GiB"
    )
    print_table(["world", "candidates", "moves", "median s", "objective", "greedy obj", "pred gain",
                 "greedy pred", "true gain", "greedy true", "truly helping"], table)  # fmt: skip

    assert base is not None
    first = next(iter(worlds.values()))[0]
    whole, rounds = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for label, chunk in (("in parts (default)", None), ("all at once", "1000000000")):
            env = {**os.environ, "MLFLOW_TRACKING_URI": bench_registry(first).mlflow_tracking_uri,
                   "PENATAAN_DECISIONS_DB": str(Path(tmp) / "decisions.db")}  # fmt: skip
            env |= {"PENATAAN_SCORE_CHUNK": chunk} if chunk else {}
            out = Path(tmp) / label.split()[0]
            whole[label] = penataan_process(["plan", "--data", str(first), "--out", str(out)], env)
            rounds.append(pd.read_csv(out / "moves.csv")[["nip", "to_unit_id"]])
    same = rounds[0].equals(rounds[1])
    print(f"\npenataan plan on {first}, whole process (the same {len(rounds[1])} moves: {same}):")
    print_table(["candidate rows", "seconds", "peak GiB"], [(k, *v) for k, v in whole.items()])  # fmt: skip
    assert same, "the round in parts differs from the round at once"
    sizes = [int(x) for x in args.sizes.split(",") if x]  # --sizes "" skips the scaling
    scaling = []
    for n in sizes:
        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: its own peak memory
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            scaling.append(pool.submit(solve_sized, base, active, n).result())
    rows_out = []
    for i, (n, variables, exact_s, greedy_s, obj, gobj, rss, status, method) in enumerate(scaling):
        growth = (
            ""
            if i == 0
            else f"{exact_s / scaling[i - 1][2]:.1f}x for {n / scaling[i - 1][0]:.1f}x people"
        )
        rows_out.append(
            (
                f"{n:,} employees",
                variables,
                exact_s,
                greedy_s,
                obj / gobj if gobj else float("nan"),
                rss,
                status,
                method,
                growth,
            )
        )
    if not rows_out:
        return
    print("\nthe solver alone on resampled problems (each in a fresh process):")
    print_table(["size", "variables", "exact s", "greedy s", "exact/greedy obj", "peak GiB", "status", "proved by", "growth"], rows_out)  # fmt: skip


if __name__ == "__main__":
    main()
