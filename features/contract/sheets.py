"""Sheets in whatever form an agency's system wrote them, told by their bytes, not their name.

SIMPEG vendors and Excel write "Excel" files of several kinds: an XLSX (or XLSM, macros
aside), an Excel 97-2003 workbook (`.xls`, the OLE2 compound file many older systems still
export), a binary XLSB, a LibreOffice ODS, and (common in PHP systems, which send an HTML
table with an Excel content type) an HTML page named `.xls`; a `.xls` may also be plain
tab-separated text. `sheet_form` tells them apart by content; `read_sheets` reads every
form but text within the bounds of `features.contract.limits`: XLSX with openpyxl, XLS, XLSB
and ODS with calamine (python-calamine), HTML tables with lxml, streamed. A merged cell
reads as a sheet's does: its text in its first cell, the cells it covers empty.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal

import pandas as pd
from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from features.contract.limits import (
    MAX_COLUMNS,
    CellBudget,
    FileTooLarge,
    check_inflated,
    check_size,
    read_xlsx_sheets,
)

Form = Literal["xlsx", "calamine", "html", "text"]
MAX_HTML_BYTES: Final[int] = 512 << 20  # an HTML table "workbook": streamed, bounded by cells
_OLE2, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
_SNIFF: Final = 65_536  # bytes read to tell an HTML table from text


def sheet_form(path: Path) -> Form:
    """How `path` is read: `xlsx` (openpyxl), `calamine` (an .xls, .xlsb or .ods), `html`
    (a page, whatever its name: its tables are the sheets) or `text` (CSV, TSV, JSON: not a
    sheet). ValueError, saying what to do, for a zip archive holding no workbook (an
    export's files zipped) and an XML Spreadsheet 2003 (older PHP libraries' "Excel")."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF)
    if head.startswith(_OLE2):
        return "calamine"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype") if "mimetype" in names else b""
        except zipfile.BadZipFile as error:
            raise ValueError(f"{path.name}: a damaged zip or workbook ({error})") from None
        if b"opendocument.spreadsheet" in mimetype or "xl/workbook.bin" in names:
            return "calamine"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ValueError(f"{path.name}: an archive, not a workbook: extract its files into the folder")  # fmt: skip
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        raise ValueError(f"{path.name}: an XML Spreadsheet 2003, not read: open it in Excel and save it as .xlsx or CSV UTF-8")  # fmt: skip
    page = text.startswith(b"<") and any(tag in text for tag in (b"<table", b"<html", b"<!doctype html"))  # fmt: skip
    return "html" if page else "text"


def read_sheets(path: Path, first_only: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """Each sheet's (or HTML table's) title and cells, no header taken, as
    `features.contract.limits.read_xlsx_sheets` reads an XLSX's; `path` must be a sheet
    (`sheet_form` not `text`)."""
    form = sheet_form(path)
    if form == "xlsx":
        return read_xlsx_sheets(path, first_only)
    if form == "html":
        return _html_tables(path, first_only)
    if form == "calamine":
        return _calamine_sheets(path, first_only)
    raise ValueError(f"{path.name}: not a workbook (it reads as text: save it as .csv)")


def _calamine_sheets(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    if zipfile.is_zipfile(path):
        check_inflated(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise ValueError(f"{path.name}: protected by a password: save a copy without one") from None  # fmt: skip
    except (CalamineError, OSError, ValueError) as error:
        raise ValueError(f"{path.name}: not a readable workbook ({error})") from None
    budget = CellBudget()
    sheets: list[tuple[str, pd.DataFrame]] = []
    try:
        for k, name in enumerate(book.sheet_names[:1] if first_only else book.sheet_names):
            where = path.name if k == 0 else f"{path.name} [{name}]"
            sheets.append((name, budget.frame(book.get_sheet_by_name(name).iter_rows(), where)))
    except CalamineError as error:
        raise ValueError(f"{path.name}: not a readable workbook ({error})") from None
    finally:
        book.close()
    return sheets


def _html_tables(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    """Each top-level `<table>` of an HTML page, streamed row by row (lxml's `iterparse`,
    which mends what browsers mend: unclosed cells and rows)."""
    check_size(path, MAX_HTML_BYTES, "an HTML table", "export it as CSV, or split it")
    budget = CellBudget()
    tables: list[tuple[str, pd.DataFrame]] = []
    for k, rows in enumerate(_table_rows(path, path.name), 1):
        title = f"table {k}"
        tables.append((title, budget.frame(rows, path.name if k == 1 else f"{path.name} [{title}]")))  # fmt: skip
        if first_only:
            break
    return tables


def _table_rows(path: Path, name: str) -> Iterator[list[list[str | None]]]:
    """The rows of each table in the page, in order; a table within a table's cell is
    read as that cell's text. A row wider than a table may be (its spans included) is
    refused here: `CellBudget` would see it only after its empty cells were dropped."""
    rows: list[list[str | None]] = []
    spans: dict[int, int] = {}  # column -> rows a cell above still covers
    depth = 0
    events = etree.iterparse(str(path), events=("start", "end"), tag=("table", "tr"), html=True, recover=True)  # fmt: skip
    for event, element in events:
        if element.tag == "table":
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                rows, spans = [], {}
            elif event == "end" and depth == 0:
                yield rows
                element.clear()
        elif event == "end" and depth == 1:
            cells = _cells(element, spans)
            if len(cells) > MAX_COLUMNS:
                raise FileTooLarge(name, f"over the {MAX_COLUMNS} columns a table may have", row=len(rows) + 1)  # fmt: skip
            rows.append(cells)
            element.clear()


def _cells(row: etree._Element, spans: dict[int, int]) -> list[str | None]:
    """A `<tr>`'s cells as a sheet holds them: a `colspan` or `rowspan` cell's text in its
    first cell, the cells it covers (to its right, and below, `spans`) empty."""
    out: list[str | None] = []
    cells = iter(c for c in row if c.tag in ("td", "th"))
    while True:
        while spans.get(len(out), 0) > 0:  # covered by a cell above
            spans[len(out)] -= 1
            out.append(None)
        cell = next(cells, None)
        if cell is None or len(out) > MAX_COLUMNS:
            break
        out.append(" ".join(" ".join(cell.itertext()).split()) or None)
        across, down = _span(cell.get("colspan")), _span(cell.get("rowspan"))
        for k in range(min(across, MAX_COLUMNS + 1)):  # colspan="1000000" is a wide row, no more
            if k:
                out.append(None)
            if down > 1:
                spans[len(out) - 1] = down - 1
    for column, left in spans.items():  # covered past the row's last cell: this row is one
        if column >= len(out) and left > 0:
            spans[column] = left - 1
    return out


def _span(value: str | None) -> int:
    """A `colspan`/`rowspan` as a count of cells (1 where missing or not a number)."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1
