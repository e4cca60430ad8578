"""Reading contract tables from CSV, Parquet or XLSX without changing a single value.

Every cell is read as text (or rendered to text from a typed Parquet/XLSX cell) so that the
validator judges exactly what the file holds: nothing is coerced, clipped or dropped here.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from features.contract.limits import FileTooLarge, check_csv_header, check_size, file_tail
from features.contract.schema import TABLES
from features.contract.sheets import read_sheets

# a table's file; a workbook in any of its forms (an office's Excel 97-2003 or LibreOffice
# file too: `features.contract.sheets`), its first sheet the table
SUFFIXES: Final[tuple[str, ...]] = (".csv", ".parquet", ".xlsx", ".xlsm", ".xls", ".ods")
MAX_TABLE_BYTES: Final[int] = (
    1 << 30
)  # a city's largest table is tens of MiB; a province's, hundreds


class TableFileError(Exception):
    """A table file that cannot be read at all (ambiguous, unreadable, no header)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


def find_table_file(directory: Path, table: str) -> Path | None:
    """The one file holding `table`, or None; two formats of one table are refused."""
    found = [directory / f"{table}{s}" for s in SUFFIXES if (directory / f"{table}{s}").is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise TableFileError(found[0].name, f"table {table!r} is given twice ({names}); keep one")
    return found[0] if found else None


def replaces_a_table(path: Path) -> str | None:
    """The contract table an output written to `path` would replace, or None: a file named as
    a table (`units.csv`, ...) in a folder that holds a contract (a units or employees file).
    `penataan plan --out` the data folder wrote the round's `units.csv` over the units."""
    names = {f"{table.name}{suffix}" for table in TABLES for suffix in SUFFIXES}
    holds = any((path.parent / f"{t}{s}").is_file() for t in ("units", "employees") for s in SUFFIXES)  # fmt: skip
    return path.name if path.name in names and holds else None


def render_cell(value: object) -> str | None:
    """A typed cell as the text a CSV would hold; None for a missing value."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, pd.Timestamp | dt.datetime):
        if pd.isna(value):
            return None
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    text = str(value)
    return text if text != "" else None


def _ragged_rows(path: Path) -> tuple[list[str], list[tuple[int, int]]]:
    """The header, and (row, fields) of each CSV data row whose field count differs from
    it: the mark of a file cut short by an interrupted copy, which pandas would pad
    silently."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return [], []
        width = len(header)
        return header, [
            (i, len(row)) for i, row in enumerate(reader, 1) if row and len(row) != width
        ]


@dataclass(frozen=True)
class TextEnd:
    """A text file whose last row no line end follows (`text_end`): the row's line, its
    fields, and whether zero bytes follow it."""

    line: int
    fields: int
    padded: bool

    def cut(self, width: int) -> str | None:
        """Why the last row was cut off, where it surely was: zero bytes after it, or fewer
        fields than the header's `width`; None where it may be whole."""
        if self.padded:
            return (
                f"cut off: the file ends in zero bytes (line {self.line:,}), as a copy stopped "
                "part way leaves it; its last row left out (copy it again)"
            )
        if self.fields < width:
            return (
                f"cut off: the file ends mid-row, its last row (line {self.line:,}) with "
                f"{self.fields} of the header's {width} fields (copied in part? copy it again)"
            )
        return None

    def open_note(self, file: str) -> str:
        """What to check where the last row has all its fields: it may be whole (a file
        made by hand) or cut within its last value."""
        return (
            f"{file} ends without a line end after its last row (line {self.line:,}): kept "
            "as read; were the file copied in part, that row's last value would be cut short: "
            "check it"
        )


def text_end(path: Path, encoding: str, separator: str) -> TextEnd | None:
    """How a text file ends, where no line end follows its last row; None where one does.

    Why. The writers of agencies' files (Excel, PHP's `fputcsv`, pandas, Python's `csv`)
    end each row with a line end, the last included. A file copied in part
    (an interrupted download or USB copy) stops wherever it stops, and pandas reads its last
    row as whole: a score `73,43` cut to `7` is a score of 7. A copy made at the file's full
    size and stopped part way ends in zero bytes, which pandas reads as one more row. Reads
    the file's end only (`file_tail`; and counts its lines where it ends so)."""
    if encoding == "utf-16":  # its byte-order mark says which way its units run
        with path.open("rb") as handle:
            codec = "utf-16-be" if handle.read(2) == b"\xfe\xff" else "utf-16-le"
        text = file_tail(path, unit=2).decode(codec, errors="replace")
    else:
        text = file_tail(path).decode(encoding, errors="replace")
    padded = text.endswith("\x00")
    tail = text.rstrip("\x00").removesuffix("\x1a")  # DOS's end-of-file mark ends a file whole
    last = tail.rsplit("\n", 1)[-1]
    if not padded and (tail.endswith(("\n", "\r")) or not last.strip()):
        return None
    with path.open("rb") as handle:
        line = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) + 1
    return TextEnd(line, len(next(csv.reader([last], delimiter=separator), [])), padded)


def separator_of(header: str) -> str:
    """The separator a CSV's header line uses: the commonest of `,` `;` `|` and tab (Excel in
    an Indonesian locale writes `;`, some exports `|`), `,` where it has none of them."""
    return max([",", ";", "|", "\t"], key=header.count)


def loose(header: str) -> str:
    """A header as people mistype it: case and surrounding or doubled spaces do not count
    (`Unit_ID ` is `unit_id`)."""
    return " ".join(header.split()).lower()


def _refuse_twice(file: str, header: list[str], read: frozenset[str]) -> None:
    """A header that gives a column the table reads (`read`, compared loosely) twice: pandas
    would rename the second (`ikm.1`) and the validator read the first and ignore the other,
    whichever held the data. Columns the table does not read may repeat (they are ignored)."""
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(header, 1):
        if loose(name) in read:
            seen.setdefault(loose(name), []).append(position)
    twice = [f"{name!r} (columns {', '.join(map(str, at))})" for name, at in seen.items() if len(at) > 1]  # fmt: skip
    if twice:
        raise TableFileError(file, f"a column is given twice: {'; '.join(twice)}; keep one")


def not_utf8(path: Path) -> str:
    """Where a CSV stops being UTF-8, and what to do: Excel's "CSV" on Windows writes its ANSI
    code page (Windows-1252), whose accented letters are not UTF-8. The file's line (as an
    editor numbers it; a quoted cell may span lines) and the text around the first such byte,
    read as Windows-1252; one pass over the file, a line at a time."""
    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, 1):
            if line_no == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            try:
                line.decode()
            except UnicodeDecodeError as exc:
                near = line[max(exc.start - 30, 0) : exc.start + 30]
                return (
                    f"not UTF-8 text (line {line_no}, byte 0x{line[exc.start]:02x}: "
                    f"...{near.decode('cp1252', errors='replace').strip()}... as Windows-1252): "
                    "save it as 'CSV UTF-8' (Excel's Save As offers it)"
                )
    return "not UTF-8 text"


def read_raw(path: Path, read: Collection[str] = ()) -> pd.DataFrame:
    """The table as an object frame of `str | None` cells, in file order; refused where it
    gives a column of `read` (the names the table reads) twice."""
    names = frozenset(loose(name) for name in read)
    blank: list[bool] | None = None  # which columns' headings are empty (a Parquet has none)
    try:
        check_size(path, MAX_TABLE_BYTES, "a table", "split the export, or check that this is the right file")  # fmt: skip
        if path.suffix == ".csv":
            check_csv_header(path)
            header, ragged = _ragged_rows(path)
            _refuse_twice(path.name, header, names)
            if ragged:
                where = ", ".join(f"row {r} has {n}" for r, n in ragged[:5])
                more = f" and {len(ragged) - 5} more rows" if len(ragged) > 5 else ""
                raise TableFileError(
                    path.name,
                    f"fields per row differ from the header's {len(header)} ({where}{more}): a "
                    "truncated or damaged file? Copy it again",
                )
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig"
            )
            frame = frame.astype(object).where(frame != "", None)
            return _headless_named(frame.reset_index(drop=True), [not h.strip() for h in header])
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            sheets = read_sheets(path, first_only=True)
            cells = sheets[0][1] if sheets else pd.DataFrame()
            if cells.empty:
                raise pd.errors.EmptyDataError("no header row")
            frame = cells.iloc[1:].reset_index(drop=True)
            headings = [render_cell(c) for c in cells.iloc[0]]
            blank = [not (h or "").strip() for h in headings]
            frame.columns = [h or f"column {k}" for k, h in enumerate(headings, 1)]
            _refuse_twice(path.name, list(frame.columns), names)
    except TableFileError:
        raise
    except FileTooLarge as exc:
        raise TableFileError(path.name, exc.reason) from None
    except UnicodeDecodeError as exc:
        where = not_utf8(path) if path.suffix == ".csv" else f"not UTF-8 text ({exc.reason})"
        raise TableFileError(path.name, where) from exc
    except pd.errors.EmptyDataError as exc:
        raise TableFileError(path.name, "the file is empty (no header row)") from exc
    except Exception as exc:  # any parser failure is reported as a file error
        raise TableFileError(path.name, f"cannot be read: {exc}") from exc
    frame.columns = [str(c) for c in frame.columns]
    rendered = {c: [render_cell(v) for v in frame[c].tolist()] for c in frame.columns}
    out = pd.DataFrame(rendered, columns=frame.columns, dtype=object).reset_index(drop=True)
    return out if blank is None else _headless_named(out, blank)


def _headless_named(frame: pd.DataFrame, blank: list[bool]) -> pd.DataFrame:
    """`frame` without the columns whose heading is empty and that hold nothing (Excel keeps
    a formatted column past the table's last, and a row's trailing separator makes one), and
    the others with an empty heading named by their place (`column 12 (no heading)`, where
    pandas says `Unnamed: 11`), so that a warning says which column is ignored."""
    names, keep = list(frame.columns), []
    for k, (name, empty) in enumerate(zip(names, blank, strict=True)):
        if not empty:
            keep.append(name)
        elif frame[name].notna().any():
            names[k] = f"column {k + 1} (no heading)"
            keep.append(names[k])
    frame.columns = names
    return frame[keep]
