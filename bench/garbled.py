"""Benchmark: cells an export got wrong never end `penataan import siasn` in an error.

The generated SIASN export of `cakranegara` (`penataan generate --export siasn`) has a share
of its text files' cells replaced at random by what exports hold where a value went wrong
(`#N/A`, `#REF!`, `#VALUE!` from a spreadsheet's formulas, `-`, `?`, `0`, `null`, an em
dash, an impossible date `31-02-2020`, `00-00-0000`, `9999999`, an empty cell), each run its
own seed, and imported by the command itself (`penataan import siasn`, a whole process).
Each run ends one of three ways: exit 0, the contract valid; exit 1 with the contract's or
the command's own lines (naming the rows to fix: a current employee whose name, sex,
golongan or education the garbling took cannot be imported); or an error of the code
(`penataan: error:` and, as it was, a pandas message). The reference in the same run: the
clean export imported the same way, its seconds beside each share's median.

Then what the row check costs where files are large: the generated riwayat repeated to
`--rows` rows (a province's), read as the importer reads a text export
(`siasn.files.read_exports`) and scanned alone (`siasn.ragged.line_up`, part of that read),
median of 3 each, in a process of its own (this folder's `siasn.py` would shadow the package).

    .venv/bin/python bench/garbled.py [--runs 16] [--shares 0.02,0.2] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from timing import print_table

from world.writer import generate

GARBAGE = ("-", "#N/A", "#REF!", "#VALUE!", "?", "0", "", "null", "N/A", "\u2014", "31-02-2020", "00-00-0000", "9999999", "x")  # fmt: skip
VALID, REFUSED, ERROR = "exit 0, valid", "exit 1, lines naming the rows", "an error of the code"


def garble(folder: Path, share: float, seed: int) -> None:
    """Each data cell of the folder's text exports replaced, with probability `share`, by
    one of `GARBAGE`; separators, encodings and headers kept."""
    rng = random.Random(seed)
    for path in sorted(folder.glob("*.csv")):
        text = path.read_text(encoding="utf-8-sig")
        head = text.split("\n", 1)[0]
        separator = max([",", ";", "|", "\t"], key=head.count)
        rows = list(csv.reader(io.StringIO(text), delimiter=separator))
        for row in rows[1:]:
            for k in range(len(row)):
                row[k] = rng.choice(GARBAGE) if rng.random() < share else row[k]
        out = io.StringIO()
        csv.writer(out, delimiter=separator, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8-sig")


def imported(source: Path, out: Path) -> tuple[str, float, str]:
    """How `penataan import siasn` of `source` ends, its seconds, and an error's line."""
    command = [str(Path(sys.executable).with_name("penataan")), "import", "siasn", str(source), "--out", str(out)]  # fmt: skip
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    error = next((line for line in run.stderr.splitlines() if line.startswith("penataan: error:")), "")  # fmt: skip
    if error:
        return ERROR, seconds, error
    return (VALID if run.returncode == 0 else REFUSED), seconds, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=16, help="seeds per share")
    parser.add_argument("--shares", default="0.02,0.2", help="shares of cells garbled")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large riwayat")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate("cakranegara", 7, root / "world", progress=False, export="siasn")
        clean = root / "world" / "siasn"
        reference = [imported(clean, root / f"clean{k}")[1] for k in range(3)]
        rows, errors = [], Counter[str]()
        for share in (float(s) for s in args.shares.split(",")):
            ends, seconds = Counter[str](), []
            for seed in range(args.runs):
                source = root / f"garbled-{share}-{seed}"
                shutil.copytree(clean, source)
                garble(source, share, seed)
                end, took, error = imported(source, root / f"out-{share}-{seed}")
                ends[end] += 1
                seconds.append(took)
                if error:
                    errors[error] += 1
            median = statistics.median(seconds)
            rows.append([f"{share:.0%}", args.runs, ends[VALID], ends[REFUSED], ends[ERROR], median, median / statistics.median(reference)])  # fmt: skip
        read, scan = scan_cost(clean / "riwayat_jabatan.csv", root / "large.csv", args.rows)
    print(f"clean export imported in {statistics.median(reference):.2f} s (median of 3)")
    print_table(["cells garbled", "runs", VALID, REFUSED, ERROR, "median s", "x clean"], rows)
    for error, n in errors.most_common():
        print(f"  error x{n}: {error}")
    print_table(["riwayat rows", "read s", "of it the row check s", "share"], [[args.rows, read, scan, f"{scan / read:.0%}"]])  # fmt: skip


SCAN = """
import json, statistics, sys, time
from pathlib import Path
from siasn.files import read_exports
from siasn.ragged import line_up
path = Path(sys.argv[1])
def timed(work):
    times = []
    for _ in range(3):
        started = time.perf_counter(); work(); times.append(time.perf_counter() - started)
    return statistics.median(times)
print(json.dumps([timed(lambda: read_exports(path)), timed(lambda: line_up(path, "utf-8-sig", sys.argv[2], 0, False))]))
"""


def scan_cost(riwayat: Path, large: Path, rows: int) -> tuple[float, float]:
    """Seconds to read `riwayat` repeated to `rows` rows as an export, and to scan its rows."""
    head, *body = riwayat.read_text(encoding="utf-8-sig").rstrip("\n").split("\n")
    with large.open("w", encoding="utf-8") as out:
        out.write(head + "\n")
        for k in range(rows):
            out.write(body[k % len(body)] + "\n")
    command = [sys.executable, "-c", SCAN, str(large), max([",", ";", "|", "\t"], key=head.count)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=large.parent)
    read, scan = json.loads(done.stdout)
    return float(read), float(scan)


if __name__ == "__main__":
    main()
