"""The loop closed on a synthetic world: round -> decisions -> next year -> outcomes ->
monitor -> recalibration, twice, every step a whole `penataan` process.

1. `penataan generate` a world (`--evaluations numeric`: the realised scores are numbers,
   so the realised gain is measured, not placed) and `penataan train` its champion.
2. Cycle 1: `penataan plan` (the default operating point unless `--precision` sets one: the
   model's line has seen no outcome, so the round carries a pilot), decisions at
   the three stages through `penataan decisions import` (HR and Baperjakat approve every
   move; the PPK rejects every fifth, with a reason and a note), `penataan outcomes
   executed`, then `penataan generate --then` plays the world's next year on the executed
   moves; `penataan monitor` on that year's data.
3. `penataan outcomes recalibrate`: the champion's gain line refit on those outcomes.
4. Cycle 2: the same on the next year, with the recalibrated champion.

Per cycle: moves, realised gain measured by the monitor against the truth's gain of the same
moves (the world's expected scores in the new unit minus in the old), claimed gain against
realised, the share of executed moves that truly help; and how far the next year's
evaluations of all staff run above the truth's expected scores (how raters mark: leniency
and the year's unit shock, which the truth leaves out) in the executed moves' destinations
and over all units.

    .venv/bin/python bench/loop.py [--preset ampenan --scenario family --seeds 201,202 --precision 0.6]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from timing import print_table

PENATAAN = str(Path(sys.executable).with_name("penataan"))


def run(*args: str, env: dict[str, str], may_refuse: bool = False) -> str:
    # run in the registry's folder: MLflow puts a sqlite registry's artifacts in ./mlruns
    cwd = Path(env["PENATAAN_DECISIONS_DB"]).parent
    done = subprocess.run([PENATAAN, *args], env=env, capture_output=True, text=True, cwd=cwd)
    if done.returncode == 1 and may_refuse:
        return done.stderr
    if done.returncode != 0:
        raise SystemExit(f"penataan {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def decide(moves: Path, as_of: str, root: Path, cycle: int, env: dict[str, str]) -> None:
    """HR and Baperjakat approve every move; the PPK rejects every fifth, with its reason."""
    frame = pd.read_csv(moves, dtype=str)
    tmt = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).date().isoformat()
    frame["decision"], frame["reason_code"], frame["note"], frame["tmt"] = "setuju", "sesuai_kompetensi", "", tmt  # fmt: skip
    approved = root / f"approved-{cycle}.csv"
    frame.to_csv(approved, index=False)
    for stage in ("hr", "baperjakat"):
        run(
            "decisions",
            "import",
            str(approved),
            "--stage",
            stage,
            "--by",
            f"bench {stage}",
            env=env,
        )
    reject = frame.index % 5 == 4
    frame.loc[reject, ["decision", "reason_code", "note"]] = ["tolak", "dibutuhkan_unit_asal", "masih dibutuhkan di unit asal"]  # fmt: skip
    final = root / f"final-{cycle}.csv"
    frame.to_csv(final, index=False)
    run("decisions", "import", str(final), "--stage", "ppk", "--by", "bench ppk", env=env)


def raters(world: Path, following: Path) -> pd.Series:
    """Per employee (indexed by unit), how far the next year's evaluation runs above the
    truth's expected score (which leaves out how raters mark: leniency, the unit's shock)."""
    truth = pd.read_csv(world / "truth" / "expected_scores.csv", dtype={"nip": str})
    expected = truth.set_index(["nip", "unit_id"])["expected_score"]
    ev = pd.read_csv(following / "evaluations.csv", dtype={"nip": str, "unit_id": str})
    ev = ev[ev["period"] == ev["period"].max()]
    above = ev["score"].to_numpy() - expected.reindex(list(zip(ev["nip"], ev["unit_id"], strict=True))).to_numpy()  # fmt: skip
    return pd.Series(above, index=ev["unit_id"].to_numpy()).dropna()


def truth_gain(world: Path, moves: pd.DataFrame) -> pd.Series:
    """Per move, the truth's gain: expected score in the new unit minus in the old."""
    truth = pd.read_csv(world / "truth" / "expected_scores.csv", dtype={"nip": str})
    score = truth.set_index(["nip", "unit_id"])["expected_score"]
    after = score.reindex(list(zip(moves["nip"], moves["to_unit_id"], strict=True))).to_numpy()
    before = score.reindex(list(zip(moves["nip"], moves["from_unit_id"], strict=True))).to_numpy()
    return pd.Series(after - before, index=moves.index)


def one_loop(preset: str, scenario: str, seed: int, precision: float | None, cycles: int, root: Path) -> list[list[object]]:  # fmt: skip
    """The loop on one world, in `root`: a row per cycle."""
    env = os.environ | {
        "MLFLOW_TRACKING_URI": f"sqlite:///{root / 'mlflow.db'}",
        "PENATAAN_DECISIONS_DB": str(root / "decisions.db"),
    }
    if precision is not None:
        env["PENATAAN_PRECISION"] = str(precision)
    world = [preset, "--seed", str(seed), "--scenario", scenario, "--evaluations", "numeric"]
    data = root / "world-0"
    run("generate", "--preset", *world, "--out", str(data), env=env)
    run("train", "--data", str(data), env=env)
    executed: list[Path] = []
    rows: list[list[object]] = []
    version = "v1"
    for cycle in range(1, cycles + 1):
        out = root / f"round-{cycle}"
        run("plan", "--data", str(data), "--out", str(out), env=env)
        moves = pd.read_csv(out / "moves.csv", dtype={"nip": str})
        summary = json.loads((out / "summary.json").read_text())
        decide(out / "moves.csv", summary["as_of"], root, cycle, env)
        ex = root / f"executed-{cycle}.csv"
        run("outcomes", "executed", "--out", str(ex), "--round", summary["round_id"], env=env)
        executed.append(ex)
        then = [a for path in executed for a in ("--then", str(path))]
        following = root / f"world-{cycle}"
        run("generate", "--preset", *world, *then, "--out", str(following), env=env)
        report_file = root / f"monitor-{cycle}.html"
        run("monitor", "--data", str(following), "--out", str(report_file), env=env)
        report = json.loads(report_file.with_suffix(".json").read_text())
        done = set(pd.read_csv(ex, dtype=str)["nip"])
        kept = moves[moves["nip"].isin(done)]
        true = truth_gain(data, kept)
        marks = raters(data, following)
        # the monitor's figures cover every cycle so far; this cycle's are its round's
        gain = report["gain_by_round"].get(summary["round_id"], {})
        baseline = report["stayers_error"].get(summary["as_of"], {})
        rows.append([seed, f"{cycle} ({version})", len(moves), int(moves["pilot"].sum()), len(kept),
                     round(float(kept["gain"].mean()), 2), round(float(kept["p_help"].mean()), 2),
                     round(float(true.mean()), 2), round(float((true > 0).mean()), 2),
                     gain.get("executed_observed"), round(gain.get("realised_gain", float("nan")), 2),
                     round(gain.get("realised_gain_before_netting", float("nan")), 2),
                     round(baseline.get("slope", float("nan")), 2),
                     round(float(marks.groupby(level=0).mean().reindex(kept["to_unit_id"]).mean()), 2),
                     round(float(marks.mean()), 2)])  # fmt: skip
        if cycle < cycles:
            said = run("outcomes", "recalibrate", "--data", str(following), env=env, may_refuse=True)  # fmt: skip
            print(f"world {seed}, after cycle {cycle}: {said.strip()}", flush=True)
            version = "recalibrated" if "is the champion" in said else version
        data = following
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="ampenan")
    parser.add_argument("--scenario", default="family")
    parser.add_argument("--seeds", default="201", help="e.g. 201 or 201,202,203")
    parser.add_argument("--precision", type=float, default=None, help="PENATAAN_PRECISION (default: the pipeline's, 0.8)")  # fmt: skip
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep every file here (default: a temporary folder)")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = (args.keep / str(seed)) if args.keep else Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            rows += one_loop(args.preset, args.scenario, seed, args.precision, args.cycles, root)
    print_table(
        ["world", "cycle (model)", "moves", "pilot", "executed", "claimed", "stated p", "true gain",
         "truly help", "observed", "realised (monitor)", "before netting staying's error",
         "stayers' slope", "raters: destinations", "raters: all units"],
        rows,
    )  # fmt: skip
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
