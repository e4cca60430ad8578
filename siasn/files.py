"""Reading a BKPSDM's export files as they come, and telling which file is which.

CSV with `,` `;` `|` or tab separators and an optional UTF-8 BOM; XLSX with title rows above
the header; header names in SIASN's upper case, SIMPEG's variants or SIASN's camelCase
(`siasn/kinds.py` says which names mean which field, and which kind a file is). A header
the agency has named in `mapping.csv` (`kind=column`) is read as the field it names. Every
cell is text or None: a leading `'` (Excel's guard for long numbers) is removed and the
literal `null` is an empty cell. Nothing else is changed here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from features.contract.limits import check_csv_header, read_xlsx
from siasn.kinds import NearMiss, classify, header_name, known_headers, nearest

SUFFIXES: Final[tuple[str, ...]] = (".csv", ".txt", ".xlsx")


@dataclass(frozen=True)
class ExportFile:
    """One source file: what kind it is, its rows, and how it was read."""

    path: Path
    kind: str | None  # None: a file of no known kind (reported, not used)
    frame: pd.DataFrame
    separator: str | None
    header_row: int  # 0-based line/row of the header (XLSX title rows above it)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), None)

    def cell(value: object) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if text.startswith("'"):
            text = text[1:]
        return None if text == "" or text.lower() == "null" else text

    return frame.map(cell)


def _sniff(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.readline()
    return max([",", ";", "|", "\t"], key=head.count)


def read_export(path: Path, named: dict[str, str] | None = None) -> ExportFile:
    """Read one export file whatever its separator, encoding marks or title rows; `named`:
    the agency's own names for some of its headers (header as written -> field)."""
    named = {" ".join(k.upper().split()): v for k, v in (named or {}).items()}

    def field(raw: object) -> str:
        return named.get(" ".join(str(raw).upper().split())) or header_name(raw)

    if path.suffix.lower() == ".xlsx":
        raw = read_xlsx(path)
        header_row = _header_row(raw)
        frame = raw.iloc[header_row + 1 :].reset_index(drop=True)
        frame.columns = [field(c) for c in raw.iloc[header_row]]
        frame = frame.dropna(how="all")
        frame = frame.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
        separator = None
    else:
        check_csv_header(path)
        separator = _sniff(path)
        frame = pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)  # fmt: skip
        frame.columns = [field(c) for c in frame.columns]
        header_row = 0
    frame = frame.loc[:, [c for c in frame.columns if c and c != "NAN"]]
    frame = _clean(frame.loc[:, ~frame.columns.duplicated()])
    kind = classify(set(frame.columns))
    return ExportFile(path, kind, frame.reset_index(drop=True), separator, header_row)


def _header_row(raw: pd.DataFrame) -> int:
    """The first row naming at least two known columns (title rows above it are skipped)."""
    known = known_headers()
    for k in range(min(len(raw), 30)):
        names = {header_name(v) for v in raw.iloc[k] if pd.notna(v)}
        if len(names & known) >= 2:
            return k
    return 0


def find_exports(
    source: Path, named: dict[str, dict[str, str]] | None = None
) -> tuple[list[ExportFile], dict[str, str], list[NearMiss]]:
    """Every readable export under `source` (one level); each file set aside with the
    reason (unreadable, or of no known kind: one damaged file never stops the others); and
    for each file of no known kind, what it lacks to be the kind it most resembles.
    `named`: per file name, the agency's names for its headers (`mapping.csv`)."""
    found: list[ExportFile] = []
    ignored: dict[str, str] = {}
    near: list[NearMiss] = []
    for path in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in SUFFIXES:
            ignored[path.name] = "not a CSV, TXT or XLSX file"
            continue
        try:
            export = read_export(path, (named or {}).get(path.name))
        except Exception as error:  # any parser failure: this file is reported, not the import
            ignored[path.name] = f"unreadable: {str(error).removeprefix(path.name + ': ')}"
            continue
        if export.kind is None:
            miss = nearest(path.name, list(export.frame.columns))
            near.append(miss)
            ignored[path.name] = "its columns match no known kind: " + miss.line().split(": ", 1)[1]
        else:
            found.append(export)
    return found, ignored, near
