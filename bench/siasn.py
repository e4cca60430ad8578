"""Real exports in: a world written as SIASN/SIMPEG exports, imported with no mapping file,
then validated, trained and scored, each step a whole `penataan` process, timed.

    .venv/bin/python bench/siasn.py                  # mataram, seed 7
    .venv/bin/python bench/siasn.py --preset ampenan
    .venv/bin/python bench/siasn.py --dialect rw-split   # another agency's files (see --help)

The reference in the same run is the same validate, train and score on the world's own
contract folder; the table also says whether the import report accounts for every source
row, and how many lines `penataan validate` prints on the raw export folder (target <= 60).
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

PENATAAN = str(Path(sys.executable).with_name("penataan"))


def run(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([PENATAAN, *args], capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="mataram")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dialect", default="siasn", help="siasn, rw-split, simpeg, api, names, split")  # fmt: skip
    args = parser.parse_args()
    suffix = "" if args.dialect == "siasn" else f"-{args.dialect}"
    root = Path("data") / f"siasn-{args.preset}-{args.seed}{suffix}"
    world, imported = root / "world", root / "imported"
    if not (world / "siasn").is_dir():
        print(f"generating {world} with --export siasn", flush=True)
        subprocess.run([PENATAAN, "generate", "--preset", args.preset, "--seed", str(args.seed),
                        "--export", "siasn", "--dialect", args.dialect, "--out", str(world)], check=True)  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, data in (
            ("from SIASN exports", imported),
            ("contract folder (reference)", world),
        ):
            env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp}/{len(rows)}.db"}
            steps: dict[str, float] = {}
            if data == imported:
                steps["import"], done = run(["import", "siasn", str(world / "siasn"), "--out", str(data)], env)  # fmt: skip
                assert done.returncode == 0, done.stderr[-2000:]
            for step, command in (
                ("validate", ["validate", str(data)]),
                ("train", ["train", "--data", str(data)]),
                ("score", ["score", "--data", str(data), "--out", f"{tmp}/scores.csv"]),
            ):
                steps[step], done = run(command, env)
                assert done.returncode == 0, f"{step}: {done.stderr[-2000:]}"
                print(f"  {label}: {step} {steps[step]:.1f} s", flush=True)
            rows.append({"path": label, **steps, "total": sum(steps.values())})
        _, raw = run(["validate", str(world / "siasn")], dict(os.environ))
    report = json.loads((imported / "import_report.json").read_text())
    frame = pd.DataFrame(rows).set_index("path")
    print(
        f"\n{args.preset} seed {args.seed}, dialect {args.dialect}: seconds per step (each a whole process)\n"
    )
    print(frame.round(1).astype(object).where(frame.notna(), "").to_string())
    total = frame.loc["from SIASN exports", "total"]
    print(f"\nimport + validate + train + score: {total:.0f} s (target < 180 s: "
          f"{'met' if total < 180 else 'MISSED'}); {total / frame.iloc[1]['total']:.2f}x the contract folder's")  # fmt: skip
    accounted = all(f["accounted"] for f in report["files"])
    read = sum(f["read"] for f in report["files"])
    print(f"import report: {len(report['files'])} files, {read:,} source rows, every row accounted for: {accounted}")  # fmt: skip
    lines = len(raw.stdout.splitlines())
    print(f"`penataan validate` on the raw export folder: {lines} lines (target <= 60)")


if __name__ == "__main__":
    main()
