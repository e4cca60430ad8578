"""A violation of the contract, and the report of one directory: every violation, the
warnings, and the typed data when there is none."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from features.data import HRData

ABSENT = "required column is absent"  # a column-level rule, grouped per file in summaries
EMPTY = "(empty)"  # how a message quotes an empty cell


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place in one file."""

    file: str
    row: int | None  # 1 = first data row; None for a file- or column-level problem
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        value = "" if self.value is None and self.row is None else f" value {self.shown}:"
        return f"{', '.join(where)}:{value} {self.rule}"

    @property
    def shown(self) -> str:
        """The value as quoted in a message: an empty cell says so, not `None`."""
        return EMPTY if self.value is None else repr(self.value)


def cell_text(value: object) -> str:
    """A typed cell as a message quotes it inside a value of several cells."""
    return (
        EMPTY
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
        else str(value)
    )


@dataclass
class ValidationReport:
    """All violations and warnings of one directory, and the typed data when it is valid."""

    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: HRData | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


class ContractError(Exception):
    """Raised by `load_data` when a directory breaks the contract; carries the full report."""

    def __init__(self, report: ValidationReport) -> None:
        shown = "\n".join(str(v) for v in report.violations[:20])
        more = len(report.violations) - 20
        tail = f"\n... and {more} more (run `penataan validate`)" if more > 0 else ""
        super().__init__(f"{len(report.violations)} contract violation(s):\n{shown}{tail}")
        self.report = report
