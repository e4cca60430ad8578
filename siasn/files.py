"""Reading a BKPSDM's export files as they come, and telling which file is which.

CSV (or TSV, TXT) with `,` `;` `|` or tab separators, UTF-8 with or without a BOM,
Windows-1252 (Excel's CSV on Windows) or UTF-16 (Excel's "Unicode Text"); title rows and a row
of group headings above the header, or a header over two rows (merged headings: `_header`), in
a CSV as in a sheet; every sheet that has cells of a workbook in any form an agency's system
writes, told by its bytes, not its name (XLSX, XLS, XLSB, ODS, an HTML table or an XML
Spreadsheet 2003 saved as `.xls`: `features.contract.sheets`; `misnamed` says so in the
report); JSON as SIASN's API returns records (a list, or `{"data": [...]}`); a
folder read as one export per kind of its files (the API answers one person at a time),
and the folders within it the same way (a pull kept per date, `2024-11/rw-skp22/`); header
names in SIASN's upper case, SIMPEG's variants, the API's camelCase or a database dump's
snake_case (`siasn/kinds.py` says which names mean which field, and which kind a file is). A header the agency has named in `mapping.csv` (`kind=column`) is read as
the field it names. Where several headers name one field, the best named is read
(`_columns`). Every cell is text or None: a spreadsheet's or JSON's numbers and dates as an
export writes them (`_typed`), a leading `'` (Excel's guard for long numbers) and characters
no one sees (a zero-width space a copy from a web page leaves: `without_format_marks`) removed,
the literal `null` an empty cell. A text file's rows whose fields do not line up with its header
are left out, trimmed or rejoined (`siasn.ragged`) and a last row cut off is left out
(`features.contract.reader.text_end`), each counted for the report. Nothing else is changed
here.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from features.contract.headers import header_words
from features.contract.limits import check_csv_header, read_json_records
from features.contract.reader import separator_of, text_end
from features.contract.sheets import read_sheets, sheet_form
from features.nip import without_format_marks
from siasn.kinds import NearMiss, classify, header_name, header_rank, known_headers, nearest
from siasn.ragged import line_up, records

# read by what they hold (`features.contract.sheets.sheet_form`), whatever the name says
SUFFIXES: Final[tuple[str, ...]] = (
    ".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".htm", ".html", ".xml",
)  # fmt: skip
# files an agency holds that are exports in another form: what to do with each
OTHER_FILES: Final[dict[str, str]] = {
    ".zip": "an archive, not read: extract its files into the folder",
}
HEADER_SEARCH: Final = 30  # rows or lines a header may lie below a file's title rows
# what a spreadsheet writes where a formula failed (a VLOOKUP that found nothing): no value
EXCEL_ERRORS: Final = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})  # fmt: skip
# rows no record of any kind is: the columns' numbers (`_numbering`); a row with one cell
# filled, a report's footer (`Dicetak oleh SIMPEG pada ...`, `Jumlah: 300`), a title repeated
# on a page, a signature block's lines (but an id alone in its column: a unit with no name)
KEY_COLUMNS: Final = ("ID", "UNOR ID", "NIP BARU", "PNS ID")  # a unit's or a person's id
NUMBERING: Final = "the columns' numbers (1, 2, 3, ...), as a government table prints them under its header"  # fmt: skip
TEXT_LINE: Final = "a line of text, not a record (one cell filled: a footer, a title, a signature)"


@dataclass(frozen=True)
class ExportFile:
    """One source file: what kind it is, its rows, and how it was read."""

    path: Path
    kind: str | None  # None: a file of no known kind (reported, not used)
    frame: pd.DataFrame
    separator: str | None
    header_row: int  # 0-based line/row of the header (title or group rows above it)
    encoding: str = "utf-8"  # of a CSV: "cp1252" or "utf-16" where it was not UTF-8 (`_read_text`)
    sheet: str | None = None  # the sheet, where a workbook holds several (`read_exports`)
    folder: bool = False  # a folder's files of one kind, stacked (`_folder`)
    label: str = ""  # such a folder as the report names it, from the source (`2024/rw-skp22/`)
    form: str = ""  # how it was read where its name would mislead (`read_exports`, `misnamed`)
    # a text file's rows as read (`_read_text`): rows read and left out, and rows repaired, by
    # reason (a row cut off mid-row where the file ends, a row of more fields than the header,
    # a row split by a line break: `siasn.ragged`); what a person must check first (each
    # naming its file and lines) and what was done
    left_out: tuple[tuple[str, int], ...] = ()
    repaired: tuple[tuple[str, int], ...] = ()
    checks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How the report, the mapping and every message name it: the file, and the sheet
        where its workbook holds several (`ABK.xlsx [Dinas Kesehatan]`); a folder's
        stacked files as the folder (`rw-skp22/`)."""
        if self.folder:
            return self.label or f"{self.path.name}/"
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name


def _clean(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Every cell as text or None (the module's docstring says how), and how many held a
    spreadsheet's error value."""
    frame = frame.astype(object).where(frame.notna(), None)
    errors = 0

    def cell(value: object) -> str | None:
        nonlocal errors
        if value is None:
            return None
        text = without_format_marks(str(value)).strip()
        if text.startswith("'"):
            text = text[1:]
        if text.upper() in EXCEL_ERRORS:
            errors += 1
            return None
        return None if text == "" or text.lower() == "null" else text

    return frame.map(cell), errors


def _header_line(path: Path, encoding: str) -> tuple[int, list[object] | None, str]:
    """A text file's header line (0-based; its last where it takes two), its names where
    it takes two lines (`_header`), and its separator: title lines above it are skipped as in
    a sheet (a SIMPEG report's `REKAP DIKLAT PEGAWAI 2020-2025` and a blank line). The lines
    are read as the records each separator makes of them (a quoted name may break over
    lines, `"TMT` and `JABATAN"`, as a formatted report's wrapped headings are saved), and
    the separator whose header names the most known fields is the file's; the line given is
    where that header's record begins."""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        lines = list(itertools.islice(handle, HEADER_SEARCH))
    best: tuple[int, int, list[object] | None, str] = (0, 0, None, separator_of(lines[0] if lines else ""))  # fmt: skip
    for separator in (",", ";", "|", "\t"):
        found = list(records(lines, separator))
        j, joined = _header([row for row, _, _ in found])
        if found and _named(joined or found[j][0]) > best[0]:
            best = (_named(joined or found[j][0]), found[j][1] - 1, joined, separator)
    return best[1], best[2], best[3]


def _named(row: Sequence[object]) -> int:
    """How many known fields a row of headings names."""
    return len({header_name(v) for v in row if pd.notna(v)} & known_headers())


def _most_named(rows: Sequence[Sequence[object]]) -> int:
    """Of a file's first rows, the one naming the most known columns (the first of equals),
    if it names at least two; else 0. The most, not the first with two: a SIMPEG sheet may
    group its headings under a row of their own (`IDENTITAS`, `JABATAN`, `PENDIDIKAN` above
    `NIP`, `NAMA` ...), and those group names are known names too."""
    counts = [_named(row) for row in rows]
    best = max(range(len(counts)), key=lambda k: (counts[k], -k), default=0)
    return best if counts and counts[best] >= 2 else 0


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, list[object] | None]:
    """The header's row (its last, where it takes two) and, where it takes two, its names.

    A SIMPEG report exported from a sheet with merged headings writes a heading over two
    rows: `JABATAN` above `NAMA` and `TMT`, `NIP` above an empty cell. Read with the row
    above or below the most named one (`_combined`), the header names more known fields
    than either row alone: then it is the two rows. Equal counts keep the one row (a row of
    group headings above full names, `IDENTITAS` above `NIP`, names nothing more)."""
    k = _most_named(rows)
    best: tuple[int, int, list[object] | None] = (_named(rows[k]) if rows else 0, k, None)
    for upper in (k - 1, k):
        if 0 <= upper and upper + 1 < len(rows):
            names = _combined(rows[upper], rows[upper + 1])
            if _named(names) > best[0]:
                best = (_named(names), upper + 1, names)
    return best[1], best[2]


def _combined(upper: Sequence[object], lower: Sequence[object]) -> list[object]:
    """Two rows of headings read as one. A cell with nothing below it is its own heading
    (merged down). A cell below a group (merged across: written in the span's first cell,
    continued while the lower row is filled) is the group's words and its own together where
    they make a known name (`JABATAN` + `TMT` is `TMT JABATAN`, `PENDIDIKAN` + `TINGKAT` is
    `TINGKAT PENDIDIKAN`); its own alone under a group that only groups (`IDENTITAS` + `NIP`
    is `NIP`); else both as written, for `mapping.csv` to name (`KEDUDUKAN HUKUM` + `ID`
    is no unor tree's `ID`, `TMT` + `PNS` no `PNS ID`)."""

    def text(row: Sequence[object], j: int) -> str | None:
        value = row[j] if j < len(row) else None
        return (str(value).strip() or None) if pd.notna(value) else None

    known = known_headers()
    words = {word for name in known for word in name.split()}
    names: list[object] = []
    group: str | None = None
    for j in range(max(len(upper), len(lower))):
        up, low = text(upper, j), text(lower, j)
        if up:
            group = up
        elif not (j and low and text(lower, j - 1)):
            group = None
        if not low or not group:
            names.append(low or up)
            continue
        joined = next((w for w in (f"{group} {low}", f"{low} {group}") if header_name(w) in known), None)  # fmt: skip
        groups_only = not set(header_words(group).split()) & words
        names.append(joined or (low if groups_only else f"{group} {low}"))
    return names


def _encoding(path: Path) -> str:
    """`utf-16` where the file opens with UTF-16's byte-order mark (Excel's "Unicode Text",
    tab-separated), else `utf-8-sig` (UTF-8, a BOM or none)."""
    with path.open("rb") as handle:
        return "utf-16" if handle.read(2) in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"


def read_exports(path: Path, named: dict[str, dict[str, str]] | None = None) -> list[ExportFile]:
    """The exports one file holds whatever its separator, encoding or title rows: a
    workbook's sheets that have cells, each its own export when there are several (an ABK
    per perangkat daerah, SIMPEG's data beside its notes), else the file. `named`: per name
    (`ExportFile.name`), the agency's names for its headers (header as written -> field)."""
    named = named or {}
    json = path.suffix.lower() == ".json"
    form = "text" if json else sheet_form(path)
    if form == "text":
        exports = [_read_text(path, named.get(path.name))]
    else:
        sheets = [
            (title, cells) for title, cells in read_sheets(path, form=form) if not cells.empty
        ]
        if len(sheets) <= 1:  # the one sheet with cells (or none) is the file
            exports = [_from_cells(path, sheets[0][1] if sheets else pd.DataFrame(), named.get(path.name))]  # fmt: skip
        else:
            exports = [
                _from_cells(path, cells, named.get(f"{path.name} [{title}]"), title)
                for title, cells in sheets
            ]
    return [dataclasses.replace(e, form="json" if json else form) for e in exports]


# what a file named as a workbook turned out to hold, as the report says it
MISNAMED: Final[dict[str, str]] = {
    "html": "an HTML page (what PHP systems send as Excel): its tables read as sheets",
    "xml2003": "an XML Spreadsheet 2003: read as one",
    "text": "text, not a workbook: read as CSV",
}
WORKBOOK_NAMES: Final = (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")


def misnamed(export: ExportFile) -> str | None:
    """The report's note where a file named as a workbook held something else, read so."""
    if export.path.suffix.lower() in WORKBOOK_NAMES and export.form in MISNAMED:
        return f"{export.name} is {MISNAMED[export.form]}"
    return None


def _from_cells(
    path: Path, cells: pd.DataFrame, named: dict[str, str] | None, sheet: str | None = None
) -> ExportFile:
    """A sheet's export: its header the first row that names known columns (title rows
    above it skipped)."""
    if cells.empty:
        return _export(path, pd.DataFrame(), named, None, 0, sheet=sheet)
    header_row, names = _header([list(cells.iloc[k]) for k in range(min(len(cells), HEADER_SEARCH))])  # fmt: skip
    frame = cells.iloc[header_row + 1 :].reset_index(drop=True)
    frame.columns = names or list(cells.iloc[header_row])
    return _export(path, _typed(frame.dropna(how="all")), named, None, header_row, sheet=sheet)


def first_filled(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Each row's value in the first of `columns` it has one in (None where none), filled
    column by column: pandas fills across a row (`bfill(axis=1)`) one row at a time."""
    found = pd.Series(None, index=frame.index, dtype=object)
    for column in columns:
        found = found.fillna(frame[column])
    return found


def _numbering(frame: pd.DataFrame) -> pd.Series:
    """Rows that number the columns (`1`, `2`, `3`, ... in its filled cells, from the
    first), as a government table prints them under its header (and again on each page)."""
    numbered = pd.Series(False, index=frame.index)
    if frame.shape[1] < 3:
        return numbered
    start = frame.iloc[:, 0].eq("1") & frame.iloc[:, 1].eq("2") & frame.iloc[:, 2].eq("3")
    for i in np.flatnonzero(start.to_numpy(bool)):  # a row or one a page: the rest in full
        cells = [v for v in frame.iloc[i] if v is not None]
        numbered.iloc[i] = cells == [str(k) for k in range(1, len(cells) + 1)]
    return numbered


def _export(
    path: Path, frame: pd.DataFrame, named: dict[str, str] | None, separator: str | None,
    header_row: int, encoding: str = "utf-8", sheet: str | None = None,
) -> ExportFile:  # fmt: skip
    """The export of a read frame: its headers as fields, its cells as text, its kind; rows
    with no cell filled (a CSV's `;;;;` line, which a sheet's empty row is not read as
    either), lines of text (`TEXT_LINE`) and the columns' numbers (`_numbering`) are not
    records."""
    frame, errors = _clean(_columns(frame, named or {}))
    kind = classify(set(frame.columns))
    filled = frame.notna().sum(axis=1)
    keys = [c for c in KEY_COLUMNS if c in frame]  # an id alone in its column is a record
    key = first_filled(frame, keys)
    keyed = key.notna() & ~key.astype("string").str.contains(r"\s").fillna(False)
    lines = (filled == 1) & ~keyed & (frame.shape[1] > 1)
    text = int(lines.sum())
    numbers = _numbering(frame)
    frame = frame[(filled > 0) & ~lines & ~numbers].reset_index(drop=True)
    left_out = tuple((why, n) for why, n in ((TEXT_LINE, text), (NUMBERING, int(numbers.sum()))) if n)  # fmt: skip
    notes = (f"{path.name}: {errors:,} cell(s) held a spreadsheet's error value (#N/A, #REF! ...): read as empty",) if errors else ()  # fmt: skip
    return ExportFile(path, kind, frame, separator, header_row, encoding, sheet, left_out=left_out, notes=notes)  # fmt: skip


def _read_text(path: Path, named: dict[str, str] | None) -> ExportFile:
    """A CSV, TSV, TXT or JSON file's export."""
    if path.suffix.lower() == ".json":
        return _export(path, _typed(read_json_records(path)), named, None, 0)
    check_csv_header(path)
    opened = _encoding(path)
    header, names, separator = _header_line(path, opened)
    encoding = "utf-16" if opened == "utf-16" else "utf-8"
    end = text_end(path, encoding, separator)
    try:
        lined = line_up(path, opened, separator, header, open_end=end is not None)
    except UnicodeDecodeError:  # Excel's "CSV" on Windows writes its ANSI code page
        opened = encoding = "cp1252"
        lined = line_up(path, opened, separator, header, open_end=end is not None)
    if lined.text is None:
        frame = _read_csv(path, separator, opened, header)
    else:  # rows left out, trimmed or rejoined (`siasn.ragged`)
        frame = _read_csv(io.StringIO(lined.text), separator, opened, 0)
    if names:  # a header of two lines: pandas read the second
        frame.columns = [*names, *[None] * len(frame.columns)][: len(frame.columns)]
    end = end if len(frame) else None
    cut = end.cut(len(frame.columns)) if end else None
    if cut:  # read, then left out: the report counts it
        frame = frame.iloc[:-1]
    export = _export(path, frame, named, separator, header, encoding)
    checks = [f"{path.name}: {why}" for why in (cut, *lined.checks) if why]
    if end and not cut:
        checks.append(end.open_note(path.name))
    return dataclasses.replace(
        export,
        left_out=(*export.left_out, *lined.left_out.items(), *([(cut, 1)] if cut else [])),
        repaired=tuple(lined.repaired.items()),
        checks=tuple(checks),
        notes=(*export.notes, *(f"{path.name}: {note}" for note in lined.notes)),
    )


def _read_csv(source: Path | io.StringIO, separator: str, encoding: str, header: int) -> pd.DataFrame:  # fmt: skip
    return pd.read_csv(source, sep=separator, dtype=str, keep_default_na=False, skiprows=header,
                       encoding=encoding, quoting=csv.QUOTE_MINIMAL)  # fmt: skip


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells a spreadsheet or JSON stored as numbers or dates read as the text an export
    writes: a float that is an integer as that integer (a year 2022.0 is `2022`, a code
    41.0 is `41`; one of 16 digits or more as the 15 significant digits Excel kept and shows,
    a NIP typed as a number reading `…000` for the repair to find, not the double's own
    `…008`), a date cell as `YYYY-MM-DD` (str() would append ` 00:00:00`, which no date
    format reads); CSV cells are text already."""

    def cell(value: object) -> object:
        # an integer as text: left a number, a column with an empty cell turns float (`4.0`)
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return format(Decimal(f"{value:.15g}"), "f") if abs(value) >= 1e15 else str(int(value))  # fmt: skip
        if isinstance(value, dt.datetime | dt.date):
            return value.strftime("%Y-%m-%d")
        return value

    return frame.map(cell)


def _columns(frame: pd.DataFrame, named: dict[str, str]) -> pd.DataFrame:
    """The frame with its headers read as fields (`named`: the agency's own names, header
    as written -> field, which win), one column per field: where several headers name the
    same field, the one that names it most exactly (`header_rank`), else the first; headers
    that name nothing (blank, or a spreadsheet's empty cell) are left out."""
    named = {" ".join(k.upper().split()): v for k, v in named.items()}
    chosen: dict[str, tuple[int, int]] = {}  # field -> (rank, position)
    for position, raw in enumerate(frame.columns):
        own = named.get(" ".join(str(raw).upper().split()))
        field = own or header_name(raw)
        rank = -1 if own else header_rank(raw)
        if pd.isna(raw) or not field:
            continue
        if field not in chosen or rank < chosen[field][0]:
            chosen[field] = (rank, position)
    keep = sorted((position, field) for field, (_, position) in chosen.items())
    out = frame.iloc[:, [position for position, _ in keep]]
    out.columns = [field for _, field in keep]
    return out


def find_exports(
    source: Path, named: dict[str, dict[str, str]] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[list[ExportFile], dict[str, str], list[NearMiss]]:  # fmt: skip
    """Every readable export under `source`: its files (a workbook's sheets each, where it
    holds several), and its folders, each read as one export per kind of the files in it,
    and the folders in those the same way (`_folder`); each file, sheet or folder set aside
    with the reason (unreadable, or of no known kind: one damaged file never stops the
    others); and for each of no known kind, what it lacks to be the kind it most resembles. `named`: per
    name (`ExportFile.name`), the agency's names for its headers (`mapping.csv`);
    `progress` hears of each folder before its files are read (thousands take a minute)."""
    found: list[ExportFile] = []
    ignored: dict[str, str] = {}
    near: list[NearMiss] = []
    for path in sorted(p for p in source.iterdir() if not p.name.startswith(".")):
        if path.is_dir():
            progress(f"reading {path.name}/ ({sum(1 for _ in path.iterdir()):,} entries)")
            found += _folder(path, named or {}, ignored, near)
            continue
        exports = _file(path, path.name, named or {}, ignored)
        for export in exports:
            if export.kind is None:
                miss = nearest(export.name, list(export.frame.columns))
                near.append(miss)
                ignored[export.name] = "its columns match no known kind: " + miss.line().split(": ", 1)[1]  # fmt: skip
            else:
                found.append(export)
    return found, ignored, near


def _file(path: Path, label: str, named: dict[str, dict[str, str]], ignored: dict[str, str]) -> list[ExportFile]:  # fmt: skip
    """The exports one file holds, or none with the reason under `label` in `ignored`."""
    if path.suffix.lower() not in SUFFIXES:
        ignored[label] = OTHER_FILES.get(
            path.suffix.lower(), "not a CSV, TSV, TXT, JSON file or a workbook (XLSX, XLS, ODS)"
        )
        return []
    try:
        return read_exports(path, named)
    except Exception as error:  # any parser failure: this file is reported, not the import
        ignored[label] = f"unreadable: {str(error).removeprefix(path.name + ': ')}"
        return []


def _folder(
    folder: Path, named: dict[str, dict[str, str]], ignored: dict[str, str], near: list[NearMiss],
    above: str = "",
) -> list[ExportFile]:  # fmt: skip
    """A folder's files as exports: SIASN's API answers for one person at a time, so a pull
    is a folder of files per history (`rw-skp22/<nip>.json`, thousands of them). The files
    of each kind are stacked into one export named after the folder; answers with no
    records (`"data": null`: no such history) are counted, not listed; files of no kind
    are one near miss for the folder (the first of them, and how many), not one each. A
    folder's own folders are read the same way, each its own export named from the source
    (`2024-11/rw-skp22/`: an agency keeps its pulls per date), as deep as they go."""
    label = f"{above}{folder.name}/"
    by_kind: dict[str, list[ExportFile]] = {}
    empty = 0
    unknown: list[ExportFile] = []
    out: list[ExportFile] = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_dir() and path.is_symlink():  # it may lead back up: never followed
            ignored[f"{label}{path.name}/"] = "a link to a folder: not followed"
            continue
        if path.is_dir():
            out += _folder(path, named, ignored, near, label)
            continue
        for export in _file(path, f"{label}{path.name}", {path.name: named.get(label, {})}, ignored):  # fmt: skip
            if export.kind is not None:
                by_kind.setdefault(export.kind, []).append(export)
            elif export.frame.empty:
                empty += 1
            else:
                unknown.append(export)
    if empty:
        ignored[f"{label} (empty)"] = f"{empty:,} file(s) with no records (an answer for someone with no such history)"  # fmt: skip
    if unknown:
        miss = nearest(label, list(unknown[0].frame.columns))
        near.append(miss)
        ignored[label] = (
            f"{len(unknown):,} file(s) whose columns match no known kind, the first "
            f"({unknown[0].path.name}): " + miss.line().split(": ", 1)[1]
        )
    for kind, parts in by_kind.items():
        frame = pd.concat([e.frame for e in parts], ignore_index=True)
        frame = frame.astype(object).where(frame.notna(), None)  # a column some files lack
        left_out = tuple((f"{e.path.name}: {why}", n) for e in parts for why, n in e.left_out)
        repaired = tuple(item for e in parts for item in e.repaired)
        checks = tuple(f"{label}{check}" for e in parts for check in e.checks)
        notes = tuple(f"{label}{note}" for e in parts for note in e.notes)
        out.append(ExportFile(folder, kind, frame, None, 0, folder=True, label=label, left_out=left_out, repaired=repaired, checks=checks, notes=notes))  # fmt: skip
    return out
