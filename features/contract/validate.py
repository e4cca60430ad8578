"""Validating a data directory against the contract, reporting every violation.

The validator never stops at the first problem: HR staff fix an export in one pass when they
see all of it. Each violation names the file, the data row (1 = first), the column, the value
and the rule (`violations.py`); cell rules are in `cells.py`, rules across rows and tables in
`rules.py`. Only a directory with no violation becomes `HRData`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from features.contract.cells import parse_table
from features.contract.reader import TableFileError, find_table_file, read_raw, text_end
from features.contract.rules import cross_rules
from features.contract.schema import TABLES
from features.contract.violations import ContractError, ValidationReport, Violation
from features.data import HRData
from features.kinerja import on_one_scale
from features.nip import nip_birth_date, nip_service_start

EMPTY_TABLE = "required table has no rows (a header only): was the export cut off or filtered?"

__all__ = [
    "EMPTY_TABLE",
    "ContractError",
    "ValidationReport",
    "Violation",
    "load_data",
    "not_a_folder",
    "validate_directory",
]


def not_a_folder(directory: Path) -> str | None:
    """Why `directory` cannot hold the contract's tables (None: it is a folder)."""
    if directory.is_dir():
        return None
    if directory.exists():
        return f"a file, not a folder: give the folder that holds the tables ({directory.parent})"
    return "no such folder"


def validate_directory(directory: Path) -> ValidationReport:
    """Read and check every table of `directory`; the report holds data only when valid."""
    report = ValidationReport()
    if rule := not_a_folder(directory):
        report.violations.append(Violation(str(directory), None, None, None, rule))
        return report
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    unreadable = False
    for table in TABLES:
        try:
            path = find_table_file(directory, table.name)
            if path is None:
                if table.required:
                    report.violations.append(
                        Violation(
                            f"{table.name}.csv", None, None, None, "required table is missing"
                        )
                    )
                    unreadable = True
                # an optional table absent: no rows, each column typed as a present one's
                empty = pd.DataFrame({c.name: pd.Series(dtype=object) for c in table.columns})
                frames[table.name] = parse_table(table, empty, f"{table.name}.csv")[0]
                continue
            raw = read_raw(path, [n for c in table.columns for n in (c.name, *c.aliases)])
        except TableFileError as exc:
            report.violations.append(Violation(exc.file, None, None, None, exc.message))
            unreadable = True
            continue
        frame, violations, warnings = parse_table(table, raw, path.name)
        if path.suffix == ".csv" and (end := text_end(path, "utf-8-sig", ",")) is not None:
            warnings.append(end.open_note(path.name))  # cut short mid-row: refused as ragged
        frames[table.name], files[table.name] = frame, path.name
        if table.required and frame.empty:
            # every row of the other tables would only echo it ("not an existing unit_id")
            violations.append(Violation(path.name, None, None, None, EMPTY_TABLE))
            unreadable = True
        report.violations += violations
        report.warnings += warnings
    if unreadable:
        # Rules across tables need every required table; they would only echo the gap.
        return report
    report.violations += cross_rules(frames, files)
    if not report.violations:
        frames["employees"], read = _read_from_nip(frames["employees"])
        report.warnings += [
            f"{files['employees']}: {column} read from the NIP for {n:,} former staff without one"
            for column, n in read.items()
            if n
        ]
        report.data = HRData.from_frames(frames)
    return report


def _read_from_nip(emp: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Former staff's missing birth date and service start, read from the NIP
    (`features.nip`): a current-state export leaves them empty, and a former employee's years
    of service are a feature of every training row of theirs. The rules have already held
    every NIP's birth date to be real, and current staff to have both."""
    out = emp.copy()
    read: dict[str, int] = {}
    for column, digits_say in (
        ("birth_date", nip_birth_date),
        ("service_start", nip_service_start),
    ):
        missing = out[column].isna()
        derived = pd.to_datetime(out.loc[missing, "nip"].map(digits_say))
        out.loc[missing, column] = derived
        out[column] = out[column].astype("datetime64[ns]")
        read[column] = int(derived.notna().sum())
    return out, read


def load_data(directory: Path, predikat_scale: str = "latent") -> HRData:
    """The typed data of a valid directory, its evaluations on one scale (`features.kinerja`:
    every consumer of the data sees the same numbers); `ContractError` with every violation
    otherwise."""
    report = validate_directory(directory)
    if report.data is None:
        raise ContractError(report)
    scaled, scale = on_one_scale(report.data, predikat_scale)
    return dataclasses.replace(scaled, scale=scale)
