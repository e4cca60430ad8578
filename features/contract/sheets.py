"""Sheets in whatever form an agency's system wrote them, told by their bytes, not their name.

SIMPEG vendors and Excel write "Excel" files of several kinds: an XLSX (or XLSM, macros
aside), an Excel 97-2003 workbook (`.xls`, the OLE2 compound file many older systems still
export), a binary XLSB, a LibreOffice ODS, and (common in PHP systems, which send an HTML
table with an Excel content type) an HTML page named `.xls`, or Excel's XML Spreadsheet
2003 named `.xls` or `.xml` (older PHP libraries); a `.xls` may also be plain tab-separated
text. `sheet_form` tells them apart by content; `read_sheets` reads every
form but text within the bounds of `features.contract.limits`: XLSX with openpyxl, XLS, XLSB
and ODS with calamine (python-calamine), HTML tables and XML Spreadsheet 2003 with lxml,
streamed. A merged cell
reads as a sheet's does: its text in its first cell, the cells it covers empty.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final, Literal

import olefile
import pandas as pd
from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from features.contract.isolated import run_isolated
from features.contract.limits import (
    MAX_COLUMNS,
    CellBudget,
    FileTooLarge,
    check_inflated,
    check_size,
    file_tail,
    read_xlsx_sheets,
)

Form = Literal["xlsx", "calamine", "html", "xml2003", "text"]
SPREADSHEET_ML: Final = "urn:schemas-microsoft-com:office:spreadsheet"  # XML Spreadsheet 2003
MAX_HTML_BYTES: Final[int] = 512 << 20  # an HTML table "workbook": streamed, bounded by cells
_OLE2, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
_SNIFF: Final = 65_536  # bytes read to tell an HTML table from text
SHEET_ROWS: Final = 1_048_576  # a worksheet's rows, the header's included


def sheet_form(path: Path) -> Form:
    """How `path` is read: `xlsx` (openpyxl), `calamine` (an .xls, .xlsb or .ods), `html`
    (a page, whatever its name: its tables are the sheets), `xml2003` (Excel's XML
    Spreadsheet 2003, older PHP libraries' "Excel") or `text` (CSV, TSV, JSON: not a sheet).
    ValueError, saying what to do, for a zip archive holding no workbook (an export's files
    zipped)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF)
    if head.startswith(_OLE2):
        return "calamine"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype") if "mimetype" in names else b""
        except Exception as error:  # BadZipFile, or NotImplementedError for a bad version
            raise ValueError(f"{path.name}: a damaged zip or workbook ({error})") from None
        if b"opendocument.spreadsheet" in mimetype or "xl/workbook.bin" in names:
            return "calamine"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ValueError(f"{path.name}: an archive, not a workbook: extract its files into the folder")  # fmt: skip
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and SPREADSHEET_ML.encode() in text:
        return "xml2003"
    page = text.startswith(b"<") and any(tag in text for tag in (b"<table", b"<html", b"<!doctype html"))  # fmt: skip
    return "html" if page else "text"


def read_sheets(path: Path, first_only: bool = False, form: Form | None = None) -> list[tuple[str, pd.DataFrame]]:  # fmt: skip
    """Each sheet's (or HTML table's) title and cells, no header taken, as
    `features.contract.limits.read_xlsx_sheets` reads an XLSX's; `path` must be a sheet
    (`sheet_form` not `text`; `form` where the caller has read it already)."""
    form = form or sheet_form(path)
    readers = {"xlsx": read_xlsx_sheets, "html": _html_tables, "calamine": _calamine_sheets, "xml2003": _xml2003_sheets}  # fmt: skip
    if form not in readers:
        raise ValueError(f"{path.name}: not a workbook (it reads as text: save it as .csv)")
    try:
        return readers[form](path, first_only)
    except ValueError:
        raise
    except Exception as error:  # a parser's own failure on a damaged file (zlib, zipfile, XML)
        raise ValueError(f"{path.name}: not a readable workbook ({type(error).__name__}: {error})") from None  # fmt: skip


def _calamine_sheets(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    """An .xls, .xlsb or .ods file's sheets, read by calamine in a bounded process of its
    own (`features.contract.isolated`: a damaged file makes calamine abort), after the
    checks that refuse damage known in advance: a zip bomb, a compound file's chains."""
    if zipfile.is_zipfile(path):
        check_inflated(path)
    else:
        _check_compound_file(path)
    sheets: list[tuple[str, pd.DataFrame]] = run_isolated(path, "features.contract.calamine_child", str(int(first_only)))  # fmt: skip
    return sheets


def calamine_read(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    """calamine's reading of `path`, in the process that runs it (see `_calamine_sheets`)."""
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


_END_OF_CHAIN, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def _chain_ends(table: Sequence[int], start: int, least: int) -> bool:
    """Whether the chain from `start` through `table` (a compound file's FAT or mini FAT)
    ends, each link in the table and met once, after at least `least` links."""
    seen: set[int] = set()
    while start != _END_OF_CHAIN:
        if start >= len(table) or start in seen:
            return False
        seen.add(start)
        start = table[start]
    return len(seen) >= least


def _check_compound_file(path: Path) -> None:
    """ValueError where an Excel 97-2003 file's compound-file structure is damaged, before
    calamine reads it. calamine follows a file's sector chains without noting where it has
    been: a copy made at the file's full size and stopped part way leaves zero bytes, whose
    chains lead back to sector 0 for ever, and calamine grew its buffer until the machine
    had no memory left (a 26 KB workbook, in a scratch probe, took 21 GB before the process
    was killed; on the server, a committee's paper uploaded so would take the service
    down: the test holds such files, `bench/damaged.py` counts them). olefile reads the
    structure within the file's size; every chain calamine follows (the directory, the mini
    FAT, the mini stream, each stream, the DIFAT) must end, each sector met once."""
    damaged = f"{path.name}: a damaged Excel 97-2003 file (copied in part? copy it again, or save it as .xlsx)"  # fmt: skip
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not {"workbook", "book"} & {"/".join(name).lower() for name in ole.listdir()}:
                raise ValueError(f"{damaged}: no workbook inside")
            sector, difat = ole.first_difat_sector, set[int]()
            while sector not in (_END_OF_CHAIN, _FREE):
                if sector in difat or sector >= ole.nb_sect or len(difat) > ole.num_difat_sectors:  # fmt: skip
                    raise ValueError(f"{damaged}: its sector table loops")
                difat.add(sector)
                sector = int.from_bytes(ole.getsect(sector)[-4:], "little")
            chains = [(ole.fat, ole.first_dir_sector, 1)]
            if ole.num_mini_fat_sectors:
                chains.append((ole.fat, ole.first_mini_fat_sector, ole.num_mini_fat_sectors))
                ole.loadminifat()
            for entry in ole.direntries:
                if entry is None or entry.size == 0 or entry.entry_type not in (olefile.STGTY_STREAM, olefile.STGTY_ROOT):  # fmt: skip
                    continue
                mini = entry.entry_type == olefile.STGTY_STREAM and entry.size < ole.minisectorcutoff  # fmt: skip
                size = ole.mini_sector_size if mini else ole.sector_size
                chains.append((ole.minifat if mini else ole.fat, entry.isectStart, -(-entry.size // size)))  # fmt: skip
            if not all(_chain_ends(table, start, least) for table, start, least in chains):
                raise ValueError(f"{damaged}: a chain of its sectors loops or stops short")
    except (OSError, IndexError, ValueError) as error:  # olefile.OleFileError is an OSError
        if str(error).startswith(damaged):
            raise
        raise ValueError(f"{damaged} ({error})") from None


def _html_tables(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    """Each top-level `<table>` of an HTML page, streamed row by row (lxml's `iterparse`,
    which mends what browsers mend: unclosed cells and rows)."""
    check_size(path, MAX_HTML_BYTES, "an HTML table", "export it as CSV, or split it")
    _refuse_unclosed(path)
    budget = CellBudget()
    tables: list[tuple[str, pd.DataFrame]] = []
    for k, rows in enumerate(_table_rows(path, path.name), 1):
        title = f"table {k}"
        tables.append((title, budget.frame(rows, path.name if k == 1 else f"{path.name} [{title}]")))  # fmt: skip
        if first_only:
            break
    return tables


def _refuse_unclosed(path: Path) -> None:
    """ValueError where the page ends inside a table: lxml mends a page cut short by closing
    what is open, so a copy that stopped part way read as whole (a score `73,43` cut to `73`,
    a row missing its last cells). A page an export wrote closes its table after its last
    row; the file's end (`file_tail`) is looked at."""
    tail = file_tail(path).rstrip(b"\x00 \t\r\n").lower()
    if tail.rfind(b"</table") < tail.rfind(b"<tr"):
        raise ValueError(
            f"{path.name}: the page ends inside its table, no </table> after its last row: "
            "copied in part? (copy it again); if it is whole, open it in Excel and save it as .xlsx"
        )


def _table_rows(path: Path, name: str) -> Iterator[list[list[object]]]:
    """The rows of each table in the page, in order; a table within a table's cell is
    read as that cell's text. A row wider than a table may be (its spans included) is
    refused here: `CellBudget` would see it only after its empty cells were dropped."""
    rows: list[list[object]] = []
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


def _cells(row: etree._Element, spans: dict[int, int]) -> list[object]:
    """A `<tr>`'s cells as a sheet holds them (`_placed`: `colspan`, `rowspan`)."""
    return _placed(
        ((None, " ".join(" ".join(c.itertext()).split()) or None, _count(c.get("colspan")) - 1, _count(c.get("rowspan")) - 1)
         for c in row if c.tag in ("td", "th")),
        spans,
    )  # fmt: skip


def _placed(cells: Iterable[tuple[int | None, object, int, int]], spans: dict[int, int]) -> list[object]:  # fmt: skip
    """A row's cells, each `(column, value, more across, more down)` (column 1-based where
    the file gives it, else the next), placed as a sheet holds a merged cell: its value in
    its first cell, the cells it covers to its right and (`spans`: column -> rows still
    covered) below empty. Stops past `MAX_COLUMNS` (the caller refuses the row)."""
    out: list[object] = []
    for at, value, across, down in cells:
        while len(out) <= MAX_COLUMNS and (spans.get(len(out), 0) > 0 or (at is not None and len(out) < at - 1)):  # fmt: skip
            if spans.get(len(out), 0) > 0:  # covered by a cell above
                spans[len(out)] -= 1
            out.append(None)
        if len(out) > MAX_COLUMNS:
            break
        for k in range(min(across, MAX_COLUMNS) + 1):  # colspan="1000000" is a wide row, no more
            out.append(value if k == 0 else None)
            if down > 0:
                spans[len(out) - 1] = down
    for column, left in spans.items():  # covered past the row's last cell: this row is one
        if column >= len(out) and left > 0:
            spans[column] = left - 1
    return out


def _count(value: str | None, least: int = 1) -> int:
    """An attribute's count of cells (a `colspan`, an `ss:MergeAcross`), `least` where it is
    missing, not a number or below it."""
    try:
        return max(int(value or least), least)
    except ValueError:
        return least


def _xml2003_sheets(path: Path, first_only: bool) -> list[tuple[str, pd.DataFrame]]:
    """Each `Worksheet` of an XML Spreadsheet 2003, streamed: a `Cell`'s `ss:Index` skips to
    its column and a `Row`'s to its row, `ss:MergeAcross`/`ss:MergeDown` cover cells as a
    merged cell does (`_placed`); a `Number` is a number (a NIP typed as one reads as Excel
    shows it, for the importer's repair), a `DateTime` at midnight its date."""
    check_size(path, MAX_HTML_BYTES, "an XML spreadsheet", "export it as CSV, or split it")
    ns = f"{{{SPREADSHEET_ML}}}"
    budget = CellBudget()
    sheets: list[tuple[str, pd.DataFrame]] = []
    rows: list[list[object]] = []
    spans: dict[int, int] = {}
    tags = (f"{ns}Worksheet", f"{ns}Row")
    for event, element in etree.iterparse(str(path), events=("start", "end"), tag=tags, resolve_entities=False, no_network=True):  # fmt: skip
        if element.tag == f"{ns}Row" and event == "end":
            skip_to = _count(element.get(f"{ns}Index"), 0)
            if skip_to > SHEET_ROWS:  # `ss:Index="1000000000"` asks for no rows a sheet has
                raise FileTooLarge(path.name, f"a row index of {skip_to:,}, past a sheet's {SHEET_ROWS:,} rows")  # fmt: skip
            while len(rows) < skip_to - 1:  # rows it skips
                rows.append(_placed((), spans))
            cells = ((_count(c.get(f"{ns}Index"), 0) or None, _data(c.find(f"{ns}Data"), ns),
                      _count(c.get(f"{ns}MergeAcross"), 0), _count(c.get(f"{ns}MergeDown"), 0))
                     for c in element.iterchildren(f"{ns}Cell"))  # fmt: skip
            rows.append(_placed(cells, spans))
            if len(rows[-1]) > MAX_COLUMNS:
                raise FileTooLarge(path.name, f"over the {MAX_COLUMNS} columns a table may have", row=len(rows))  # fmt: skip
            element.clear()
        elif element.tag == f"{ns}Row":  # a row begins: read at its end
            continue
        elif event == "start":  # a Worksheet begins
            rows, spans = [], {}
        else:
            title = element.get(f"{ns}Name") or f"sheet {len(sheets) + 1}"
            sheets.append((title, budget.frame(rows, path.name if not sheets else f"{path.name} [{title}]")))  # fmt: skip
            element.clear()
            if first_only:
                break
    return sheets


def _data(data: etree._Element | None, ns: str) -> object:
    """A `Data` element's value: a `Number` a float, a `DateTime` at midnight its date."""
    if data is None:
        return None
    text = "".join(data.itertext())
    if data.get(f"{ns}Type") == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if data.get(f"{ns}Type") == "DateTime" and text.endswith("T00:00:00.000"):
        return text[:10]
    return text
