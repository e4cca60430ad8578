"""`penataan score --all-units`' path on this tree against another commit's, in the same run.

Why: this machine is shared and its speed drifts by a fifth within an hour (a bare
`Booster.predict` of the same rows took 72 s one day and 79 s another), so a scoring time
measured today against a figure from another day says little about a change. Here the two
trees take turns, each in a fresh process on the same world and champion, `--rounds`
times, and each process times `--repeats` runs after a warm one; the table gives each
tree's median and their ratio, and whether both scored every pair the same (a hash of the
whole output frame).

    .venv/bin/python bench/score_against.py --base fc4825d

The base is checked out into a temporary git worktree (removed after); the world is
`data/bench-mataram` (seed 7, generated when missing) and the champion the benchmarks'
(`bench/champion.py`), which both trees must be able to load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from timing import print_table

# run in each tree (cwd and import path that tree's): time the path, hash its output
CHILD = """
import json, sys, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, "bench")
from timing import quiet
from champion import bench_world, ensure_champion
from training.scoring import score_candidates
quiet()
world = Path("data/bench-mataram")
data = bench_world(world)
loaded, settings = ensure_champion(world, data)
settings.prepare(loaded.model)
def run():
    return score_candidates(data, loaded.model, settings, all_units=True)
out = run()  # warm: compiled trees loaded, caches filled
times = []
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    run()
    times.append(time.perf_counter() - started)
digest = int(pd.util.hash_pandas_object(out, index=False).sum())
print(json.dumps({"times": times, "rows": len(out), "hash": digest}))
"""


def timed(tree: Path, repeats: int) -> dict[str, object]:
    """One process in `tree`: its times, rows and output hash."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(repeats)], cwd=tree, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:  # e.g. a base whose code cannot load this champion
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"scoring in {tree} failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="turns each tree takes")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per process")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(dir=here / "data") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base],
                       cwd=here, check=True)  # fmt: skip
        try:
            (base / "data").symlink_to(here / "data")
            trees = {f"base {args.base}": base, f"this tree ({head})": here}
            results: dict[str, list[dict[str, object]]] = {name: [] for name in trees}
            for k in range(args.rounds):
                for name, tree in trees.items():
                    results[name].append(timed(tree, args.repeats))
                    last = results[name][-1]["times"]
                    print(f"round {k + 1}/{args.rounds}, {name}: "
                          + " ".join(f"{t:.2f}" for t in last), flush=True)  # fmt: skip
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=here, check=True
            )

    medians = {
        name: float(np.median([t for run in runs for t in run["times"]]))
        for name, runs in results.items()
    }
    hashes = {name: {run["hash"] for run in runs} for name, runs in results.items()}
    same = len(set().union(*hashes.values())) == 1
    reference = medians[f"base {args.base}"]
    print(f"\n`score --all-units`' path, {args.rounds} processes x {args.repeats} runs per tree, taking turns:")  # fmt: skip
    print_table(["tree", "median s", "x base"],
                [(name, value, value / reference) for name, value in medians.items()])  # fmt: skip
    print(f"every pair scored the same by both: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
