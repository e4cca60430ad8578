"""Text cells written so that a spreadsheet shows them instead of running them.

An agency opens every CSV Penataan writes (the imported contract tables, `mapping.csv`,
scores, a round's moves) in Excel or LibreOffice. A cell that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return is taken there as a formula: free text copied from an export (a
course title `=HYPERLINK(...)`, a unit name) would become a live link or command (CSV
injection, OWASP). Such cells get Excel's own text guard, a leading `'`; numbers such as
`-1.5` are left alone. `unguard` reads a guarded cell back as the text it was.

What comes back: a file Penataan wrote that a person edited and saved again (a round's
`moves.csv` with the committee's decisions, a reviewed `mapping.csv`) is read by
`read_edited_csv` as a spreadsheet saves it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from features.contract.reader import not_utf8, separator_of

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


def read_edited_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each row by its line (the header is line 1, as a spreadsheet numbers
    them) of a CSV a person saved from a spreadsheet: Excel in an Indonesian locale writes
    `;` separators (the separator is the header's, `separator_of`) and a BOM, and on
    Windows its ANSI code page, which is refused (ValueError) naming the line and the fix.
    Cells as the file holds them (None where a row is short)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=separator_of(header))
            rows = list(enumerate(reader, 2))
            return list(reader.fieldnames or []), rows
    except UnicodeDecodeError:
        raise ValueError(f"{path}: {not_utf8(path)}") from None
