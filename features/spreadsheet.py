"""Text cells written so that a spreadsheet shows them instead of running them.

An agency opens every CSV Penataan writes (the imported contract tables, `mapping.csv`,
scores, a round's moves) in Excel or LibreOffice. A cell that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return is taken there as a formula: free text copied from an export (a
course title `=HYPERLINK(...)`, a unit name) would become a live link or command (CSV
injection, OWASP). Such cells get Excel's own text guard, a leading `'`; numbers such as
`-1.5` are left alone. `unguard` reads a guarded cell back as the text it was.

What comes back: a file Penataan wrote that a person edited and saved again (a round's
`moves.csv` or `moves.xlsx` with the committee's decisions, a reviewed `mapping.csv`) is read
by `read_edited` as a spreadsheet saves it.

Why a workbook too (`write_workbook`): Excel set to Indonesian takes `,` as the decimal mark
and `;` as the separator, so a comma-separated CSV opens as one column, and a gain of `2.5`
typed in is two and a half thousand. A workbook's cells are numbers and text whatever the
reader's locale; its text cells are stored as text, never as formulas (no guard needed).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from features.contract.reader import not_utf8, render_cell, separator_of, text_end
from features.contract.sheets import SHEET_ROWS, read_sheets, sheet_form

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def guard(value: object) -> object:
    """`value` with a leading `'` if a spreadsheet would run it; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """A cell written by `guard`, read back as the text it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text columns are guarded (numeric and date columns are not text)."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object or isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].map(guard)
    return out


def read_edited_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """The header and each row by its line (the header is line 1, as a spreadsheet numbers
    them) of a CSV a person saved from a spreadsheet: Excel in an Indonesian locale writes
    `;` separators (the separator is the header's, `separator_of`) and a BOM, and on
    Windows its ANSI code page, which is refused (ValueError) naming the line and the fix.
    Cells as the file holds them (None where a row is short). A file copied in part is
    refused too, where its end shows it (`text_end`: a last row with fewer fields than the
    header and no line end, or zero bytes after it): read as whole, it would record a
    decision's SK number or note cut short. A last row with all its fields and no line end
    is read (Google Sheets saves its CSV so)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=separator_of(header))
            rows = list(enumerate(reader, 2))
            columns = list(reader.fieldnames or [])
    except UnicodeDecodeError:
        raise ValueError(f"{path}: {not_utf8(path)}") from None
    end = text_end(path, "utf-8-sig", separator_of(header)) if rows else None
    if end is not None and (cut := end.cut(len(columns))):
        raise ValueError(f"{path}: {cut}")
    return columns, rows


def read_edited(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """`read_edited_csv`'s header and rows, of a CSV or of a workbook's first sheet in any
    form, told by its bytes (an .xlsx, .xlsm, .xls or .ods as the committee's office suite
    saved it: `features.contract.sheets`, within the bounds of `features.contract.limits`):
    cells as text (a number as a CSV would hold it, a date as YYYY-MM-DD), None where empty;
    rows numbered as the spreadsheet numbers them."""
    form = sheet_form(path)
    if form == "text":
        return read_edited_csv(path)
    sheets = read_sheets(path, first_only=True, form=form)
    cells = sheets[0][1] if sheets else pd.DataFrame()
    if cells.empty:
        return [], []
    header = [render_cell(c) or "" for c in cells.iloc[0]]
    rendered = (
        (line, [render_cell(v) for v in values])
        for line, values in enumerate(cells.iloc[1:].itertuples(index=False), 2)
    )
    rows = [
        (line, dict(zip(header, texts, strict=False)))
        for line, texts in rendered
        if any(text is not None for text in texts)  # a row left blank is no row
    ]
    return header, rows


@dataclass(frozen=True)
class Lists:
    """What a form's columns may hold, offered in the workbook as a drop-down on each row
    written (data validation, which Excel and LibreOffice both show): `values` by column. A
    value typed outside the list is warned about, not refused: the importer checks every
    value anyway, and says which row and why. `legend` (a sheet's title and its rows) says
    what the values mean, on a second sheet; the form is the first."""

    values: Mapping[str, Sequence[str]]
    legend: tuple[str, pd.DataFrame] | None = None


# Excel's limit on a list written into the validation itself
MAX_LIST_CHARACTERS = 255


class SheetWriter:
    """A workbook of one sheet written a frame at a time (openpyxl's write-only mode: rows are
    streamed, not held), saved to a path at the end (see the module: numbers as numbers,
    text as text, whatever the locale that opens it), with `lists`' drop-downs."""

    def __init__(self, title: str, columns: list[str], lists: Lists | None = None) -> None:
        self.book = openpyxl.Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title)
        self.sheet.append([str(c) for c in columns])
        self.rows = 1
        self.columns, self.lists = [str(c) for c in columns], lists

    def append(self, frame: pd.DataFrame) -> None:
        """`frame`'s rows; ValueError where they would pass the rows a worksheet holds."""
        if self.rows + len(frame) > SHEET_ROWS:
            raise ValueError(
                f"more than the {SHEET_ROWS - 1:,} rows a worksheet holds: write .csv or .parquet"
            )
        for row in frame.itertuples(index=False):
            self.sheet.append([_cell(self.sheet, value) for value in row])
        self.rows += len(frame)

    def save(self, path: Path | str | BinaryIO) -> None:
        """To a file, or a stream (a page's download)."""
        if self.lists is not None:
            self._offer(self.lists)
        self.book.save(path)

    def _offer(self, lists: Lists) -> None:
        """The drop-downs over every row written, and the legend's sheet."""
        for column, values in lists.values.items():
            if column not in self.columns or self.rows < 2:
                continue
            allowed = ",".join(values)
            if len(allowed) > MAX_LIST_CHARACTERS or any("," in v or '"' in v for v in values):
                raise ValueError(f"{column}: a list Excel cannot hold in a validation: {allowed}")
            letter = get_column_letter(self.columns.index(column) + 1)
            offer = DataValidation(
                type="list", formula1=f'"{allowed}"', allow_blank=True, errorStyle="warning",
                showErrorMessage=True, errorTitle=column, error=f"{column}: {', '.join(values)}",
            )  # fmt: skip
            offer.add(f"{letter}2:{letter}{self.rows}")
            self.sheet.data_validations.append(offer)
        if lists.legend is not None:
            title, rows = lists.legend
            legend = self.book.create_sheet(title)
            legend.append([str(c) for c in rows.columns])
            for row in rows.itertuples(index=False):
                legend.append([_cell(legend, value) for value in row])

    def discard(self) -> None:
        """Give up before `save` (a failure between parts): the sheet's stream is closed
        now, not by the garbage collector, which writes into a file already closed."""
        self.sheet.close()


def write_workbook(
    frame: pd.DataFrame, path: Path | BinaryIO, title: str, lists: Lists | None = None
) -> None:
    """`frame` as a workbook of one sheet named `title` (`SheetWriter`), with `lists`."""
    writer = SheetWriter(title, list(frame.columns), lists)
    writer.append(frame)
    writer.save(path)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    """A value as the workbook holds it: text always as text (a leading `=` is no formula),
    without the control characters a worksheet's XML cannot hold (a vertical tab pasted into
    a unit's name would otherwise stop the whole file); numpy's numbers as Python's, missing
    values empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value
