"""Benchmark: damaged workbooks never take the reading process down. Workbooks written by
real writers (xlwt's Excel 97-2003, pandas' ODS) are damaged at random, as files are when a
copy stops part way or a byte goes wrong (1-8 bytes changed, the end cut off, the end or a
block of 512 bytes zeroed), and each is read by `features.contract.sheets.read_sheets`
here, in this process: read, or refused with a ValueError, and this process alive after
every one. The reference, in the same run: calamine reading each in the process that asks,
as the code did before `features.contract.isolated` (a forked child here, bounded at 8 GiB
more memory, so that what would kill the process kills only the child). Then the cost of
the isolation on whole workbooks.

    .venv/bin/python bench/damaged.py [--cases 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xlwt
from python_calamine import CalamineWorkbook
from timing import print_table

from features.contract.sheets import read_sheets

warnings.filterwarnings("ignore")  # calamine's and pandas' warnings on damaged cells


def workbooks(folder: Path) -> list[Path]:
    """Three Excel 97-2003 workbooks of the shapes agencies export (a recap of scores, a wide
    Data ASN, two sheets) and one ODS."""
    shapes: dict[str, list[Sequence[Sequence[object]]]] = {
        "skp.xls": [
            [("NIP", "NILAI")]
            + [(f"19840919201401{k:04d}", f"{70 + k % 25},43") for k in range(300)]
        ],  # fmt: skip
        "asn.xls": [
            [tuple(f"KOLOM {j}" for j in range(40))]
            + [tuple(f"nilai {k} {j}" if j % 3 else k * j for j in range(40)) for k in range(200)]
        ],  # fmt: skip
        "abk.xls": [[("UNIT", "KEBUTUHAN")] + [(f"Unit {k}", k % 7) for k in range(80)]] * 2,
    }
    paths = []
    for name, sheets in shapes.items():
        book = xlwt.Workbook()
        for k, rows in enumerate(sheets):
            page = book.add_sheet(f"Sheet{k + 1}")
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    page.write(i, j, value)
        book.save(str(folder / name))
        paths.append(folder / name)
    ods = folder / "diklat.ods"
    pd.DataFrame({"NIP": [f"19840919201401{k:04d}" for k in range(150)], "JP": range(150)}).to_excel(ods, index=False, engine="odf")  # fmt: skip
    return [*paths, ods]


def damage(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damage of `data`, as files meet them, and its name."""
    b = bytearray(data)
    kind = rng.choice(["bytes changed", "end cut off", "end zeroed", "block zeroed"])
    if kind == "bytes changed":
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "end cut off":
        b = b[: rng.randrange(512, len(b))]
    elif kind == "end zeroed":
        n = rng.randrange(512, len(b))
        b[n:] = bytes(len(b) - n)
    else:
        n = rng.randrange(0, len(b) - 512)
        b[n : n + 512] = bytes(512)
    return kind, bytes(b)


def in_process_before(path: Path) -> str:
    """calamine in the asking process, as before: in a forked child bounded at 8 GiB more."""
    pid = os.fork()
    if pid == 0:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, ((8 << 30) + _vm(), hard))
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        try:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                list(book.get_sheet_by_name(name).iter_rows())
            os._exit(0)
        except Exception:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {0: "read", 3: "refused (an error raised)"}.get(code, "process killed")


def _vm() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        books = workbooks(folder)
        now: Counter[str] = Counter()
        before: Counter[str] = Counter()
        began = time.perf_counter()
        for case in range(args.cases):
            source = rng.choice(books)
            kind, data = damage(source.read_bytes(), rng)
            path = folder / f"damaged{source.suffix}"
            path.write_bytes(data)
            before[in_process_before(path)] += 1
            try:
                read_sheets(path)
                now["read"] += 1
            except ValueError as error:
                stopped = "reader stopped" in str(error) or "reader took over" in str(error)
                now["refused: its reader's process stopped" if stopped else "refused (an error raised)"] += 1  # fmt: skip
            print(f"\r{case + 1}/{args.cases} damaged workbooks read", end="", flush=True)
        print(f" in {time.perf_counter() - began:.0f} s; this process alive after every one\n")
        outcomes = sorted(set(now) | set(before))
        print_table(["outcome", "read_sheets now", "calamine in the asking process (before)"],
                    [(o, now[o], before[o]) for o in outcomes])  # fmt: skip
        print()
        seconds: dict[str, list[float]] = {"read_sheets (isolated)": [], "calamine in-process": []}
        for book in books * 3:
            t = time.perf_counter()
            read_sheets(book)
            seconds["read_sheets (isolated)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()
            seconds["calamine in-process"].append(time.perf_counter() - t)
        print_table(["whole workbooks, median of 12 reads", "seconds"],
                    [(k, statistics.median(v)) for k, v in seconds.items()])  # fmt: skip


if __name__ == "__main__":
    main()
