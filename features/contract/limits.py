"""Bounds on what a table file may ask of the machine before any parser sees it.

A 1.6 KB XLSX can declare a sheet of millions of cells (pandas then asks for ~137 GB), a
1.5 MB one can inflate to gigabytes of XML, and a 50 MB CSV can be one line of 25 million
columns: each exhausts memory or runs for minutes while its file size looks harmless. So
an XLSX is checked for the size its members inflate to, then streamed row by row (openpyxl
read-only, the sheet's declared dimension ignored) with a bound on columns and cells; a
CSV's header line is read with a bound on its length and columns. A file over a bound is
refused naming the file, the bound and what it held, never a MemoryError or a hang.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

MAX_COLUMNS: Final[int] = 512  # the widest real export (SIASN's Data ASN) has about 150
MAX_CELLS: Final[int] = 50_000_000  # a province's riwayat: ~1M rows x 20 columns, twice over
MAX_INFLATED_BYTES: Final[int] = 2 << 30  # what an XLSX's XML may inflate to
MAX_LINE_BYTES: Final[int] = 1 << 20  # a CSV's header line
MAX_JSON_BYTES: Final[int] = 256 << 20  # a JSON file parses to ~10x its size in memory


class FileTooLarge(ValueError):
    """A file that asks for more than a table may: `reason` names the bound (and the row
    where it was crossed, when there is one)."""

    def __init__(self, file: str, reason: str, row: int | None = None) -> None:
        self.reason = reason if row is None else f"row {row}: {reason}"
        super().__init__(f"{file}: {reason}" if row is None else f"{file}, row {row}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        """As it was made, through a pickle (a reader in a child process raises it:
        `features.contract.isolated`); the default would call `__init__` with the message."""
        return (_too_large, (str(self), self.reason))


def _too_large(message: str, reason: str) -> FileTooLarge:
    error = FileTooLarge.__new__(FileTooLarge)
    ValueError.__init__(error, message)
    error.reason = reason
    return error


TAIL_BYTES: Final[int] = 1 << 16  # of a file's end, read to tell whether it was cut short


def file_tail(path: Path, unit: int = 1) -> bytes:
    """The last `TAIL_BYTES` of `path` (all of a smaller file), from an offset that is a
    multiple of `unit` (2 for UTF-16, whose characters are two bytes from the start): where
    a copy that stopped part way shows it."""
    start = max(path.stat().st_size - TAIL_BYTES, 0)
    with path.open("rb") as handle:
        handle.seek(start + (-start) % unit)
        return handle.read()


def check_size(path: Path, bound: int, what: str, advice: str) -> None:
    """Refuse a file over `bound` bytes by its size alone, before anything reads it: `what`
    names what may have that size, `advice` what to do instead."""
    size = path.stat().st_size
    if size > bound:
        raise FileTooLarge(
            path.name,
            f"{size / 2**20:,.0f} MiB is over the {bound >> 20:,} MiB {what} may have ({advice})",
        )


def check_csv_header(path: Path) -> None:
    """Refuse a CSV whose header line is over `MAX_LINE_BYTES` or `MAX_COLUMNS` fields."""
    with path.open("rb") as handle:
        line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise FileTooLarge(
            path.name,
            f"the header line is over {MAX_LINE_BYTES >> 20} MiB "
            "(a table's header names its columns; is this a CSV export?)",
        )
    fields = max(line.count(sep) for sep in (b",", b";", b"|", b"\t")) + 1
    if fields > MAX_COLUMNS:
        raise FileTooLarge(
            path.name, f"{fields:,} columns in the header, over the {MAX_COLUMNS} a table may have"
        )


def check_inflated(path: Path) -> None:
    """Refuse a zipped workbook (XLSX, ODS, XLSB) whose members inflate past
    `MAX_INFLATED_BYTES`, before any parser inflates them."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ValueError(f"{path.name}: not an XLSX workbook ({error})") from None
    if inflated > MAX_INFLATED_BYTES:
        raise FileTooLarge(
            path.name,
            f"its contents inflate to {inflated / 2**20:,.0f} MiB, over the "
            f"{MAX_INFLATED_BYTES >> 20:,} MiB a workbook may hold",
        )


def read_xlsx_sheets(path: Path, first_only: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Each sheet's title and cells (header row included, no header taken), streamed within
    the bounds, trailing empty cells and rows dropped: a workbook may hold an export per sheet
    (an ABK per perangkat daerah); `first_only`, the first (a contract table's). The bound on cells is the workbook's,
    over all its sheets; a bound crossed past the first sheet names the sheet."""
    check_inflated(path)
    handle = path.open("rb")  # a stream: openpyxl refuses a name not ending .xlsx or .xlsm
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (KeyError, OSError, InvalidFileException) as error:  # a zip holding no workbook
        handle.close()
        raise ValueError(f"{path.name}: not an XLSX workbook ({error})") from None
    budget = CellBudget()
    sheets: list[tuple[str, pd.DataFrame]] = []
    try:
        for k, sheet in enumerate(book.worksheets[:1] if first_only else book.worksheets):
            sheet.reset_dimensions()  # never trust the declared size: read what is there
            where = path.name if k == 0 else f"{path.name} [{sheet.title}]"
            sheets.append((sheet.title, budget.frame(sheet.iter_rows(values_only=True), where)))
    finally:
        book.close()
        handle.close()
    return sheets


class CellBudget:
    """The cells a workbook may hold over all its sheets (`MAX_CELLS`), each row at most
    `MAX_COLUMNS` wide: the bound every sheet reader here applies as it streams rows."""

    def __init__(self) -> None:
        self.cells = 0

    def frame(self, rows: Iterable[Sequence[object]], where: str) -> pd.DataFrame:
        """`rows` as a frame of cells (no header taken), read within the bounds: trailing
        empty cells and rows dropped, `""` an empty cell as in a sheet."""
        kept: list[list[object]] = []
        for number, row in enumerate(rows, 1):
            values = [None if v == "" else v for v in row]
            while values and values[-1] is None:
                values.pop()
            if len(values) > MAX_COLUMNS:
                raise FileTooLarge(
                    where, f"{len(values):,} columns, over the {MAX_COLUMNS} a table may have", row=number
                )  # fmt: skip
            self.cells += len(values)
            if self.cells > MAX_CELLS:
                raise FileTooLarge(where, f"over {MAX_CELLS:,} cells by row {number} (split the export)")  # fmt: skip
            kept.append(values)
        while kept and not kept[-1]:
            kept.pop()
        width = max((len(r) for r in kept), default=0)
        return pd.DataFrame([r + [None] * (width - len(r)) for r in kept], dtype=object)


def read_json_records(path: Path) -> pd.DataFrame:
    """A JSON file of records as SIASN's API returns them: a list of objects, or an object
    whose `data` is that list (or one object: a single record), one row per record, one
    column per key in the order keys first appear. A value that is itself an object or a
    list (the API's `path` of documents) is kept as its JSON text; `"data": null` (a person
    with no such history) is no rows. Refused over `MAX_JSON_BYTES` (before parsing) or
    `MAX_COLUMNS` keys."""
    check_size(path, MAX_JSON_BYTES, "a JSON export", "save it as CSV, or split it")
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path.name}: not JSON ({error})") from None
    records = document.get("data", document) if isinstance(document, dict) else document
    records = [records] if isinstance(records, dict) else [] if records is None else records
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(
            f"{path.name}: not a list of records (expected [{{...}}, ...] or "
            '{"data": [{...}, ...]})'
        )
    columns = list(dict.fromkeys(key for record in records for key in record))
    if len(columns) > MAX_COLUMNS:
        raise FileTooLarge(
            path.name, f"{len(columns):,} keys, over the {MAX_COLUMNS} columns a table may have"
        )

    def cell(value: object) -> object:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value

    return pd.DataFrame(
        [[cell(r.get(c)) for c in columns] for r in records], columns=columns, dtype=object
    )
