"""Benchmark: damaged workbooks never take the reading process down. Workbooks written by
real writers (xlwt's Excel 97-2003, pandas' ODS and XLSX) are damaged at random, as files
are when a copy stops part way or a byte goes wrong (1-8 bytes changed, the end cut off,
the end or a block of 512 bytes zeroed), and each is read by
`features.contract.sheets.read_sheets` here, in this process: read, or refused with a
ValueError, and this process alive after every one. The reference, in the same run: the
readers as called before (calamine in the process that asks, before
`features.contract.isolated`; openpyxl for the XLSX), each in a forked child bounded at 8
GiB more memory, so that what would kill the process kills only the child. Then the cost
of the isolation on whole workbooks.

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

from features.contract.isolated import address_space_used
from features.contract.limits import read_xlsx_sheets
from features.contract.sheets import calamine_read, read_sheets

warnings.filterwarnings("ignore")  # calamine's and pandas' warnings on damaged cells
REFUSED = "refused with a ValueError, the file named"


def workbooks(folder: Path) -> list[Path]:
    """Three Excel 97-2003 workbooks of the shapes agencies export (a recap of scores, a wide
    Data ASN, two sheets), one ODS and one XLSX (a committee's paper)."""
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
    diklat = pd.DataFrame({"NIP": [f"19840919201401{k:04d}" for k in range(150)], "JP": range(150)})  # fmt: skip
    diklat.to_excel(folder / "diklat.ods", index=False, engine="odf")
    diklat.to_excel(folder / "rapat.xlsx", index=False, engine="openpyxl")  # a committee's paper
    return [*paths, folder / "diklat.ods", folder / "rapat.xlsx"]


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
    """The reader before, in the asking process (a forked child here, bounded at 8 GiB
    more): `calamine_read` (what `_calamine_sheets` ran in the asking process, unchanged)
    for .xls and .ods, openpyxl's streaming reader for .xlsx; an error other than a
    ValueError is what the round page's upload answered with a 500."""
    pid = os.fork()
    if pid == 0:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, ((8 << 30) + address_space_used(), hard))
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        try:
            (read_xlsx_sheets if path.suffix == ".xlsx" else calamine_read)(path, False)
            os._exit(0)
        except ValueError:
            os._exit(3)
        except BaseException:  # pyo3's PanicException is one: never back into main()
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {0: "read", 3: REFUSED, 4: "another error (a 500 on the upload)"}.get(code, "process killed")  # fmt: skip


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
                now["refused: its reader's process stopped" if stopped else REFUSED] += 1
            except Exception:
                now["another error (a 500 on the upload)"] += 1
            print(f"\r{case + 1}/{args.cases} damaged workbooks read", end="", flush=True)
        print(f" in {time.perf_counter() - began:.0f} s; this process alive after every one\n")
        outcomes = sorted(set(now) | set(before))
        print_table(["outcome", "read_sheets now", "the readers before, in the asking process"],
                    [(o, now[o], before[o]) for o in outcomes])  # fmt: skip
        print()
        seconds: dict[str, list[float]] = {"read_sheets (isolated)": [], "calamine in-process": []}
        for book in [b for b in books if b.suffix != ".xlsx"] * 3:
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
