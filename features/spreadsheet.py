"""Text cells written so that a spreadsheet shows them instead of running them.

An agency opens every CSV Penataan writes (the imported contract tables, `mapping.csv`,
scores, a round's moves) in Excel or LibreOffice. A cell that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return is taken there as a formula: free text copied from an export (a
course title `=HYPERLINK(...)`, a unit name) would become a live link or command (CSV
injection, OWASP). Such cells get Excel's own text guard, a leading `'`; numbers such as
`-1.5` are left alone. `unguard` reads a guarded cell back as the text it was.
"""

from __future__ import annotations

import pandas as pd

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
