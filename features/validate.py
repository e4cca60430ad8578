"""Validating a data directory against the contract, reporting every violation.

The validator never stops at the first problem: HR staff fix an export in one pass when they
see all of it. Each violation names the file, the data row (1 = first), the column, the value
and the rule. Only a directory with no violation becomes `HRData`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from features import vocab
from features.data import HRData
from features.nip import nip_birth_date
from features.reader import TableFileError, find_table_file, read_raw
from features.schema import TABLES, Column, Table


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
        value = "" if self.value is None and self.row is None else f" value {self.value!r}:"
        return f"{', '.join(where)}:{value} {self.rule}"


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


# --- one cell at a time -------------------------------------------------------------------


def _split_list(text: str) -> list[str]:
    return text.split(";")


def _fields_ok(text: str) -> bool:
    return all(part in vocab.FIELD_SUITS for part in _split_list(text))


def _competency_levels_ok(text: str) -> bool:
    for part in _split_list(text):
        name, sep, level = part.partition(":")
        if not sep or name not in vocab.COMPETENCIES or level not in {"1", "2", "3", "4", "5"}:
            return False
    return True


def _parse_column(column: Column, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The typed column and a mask of cells that break the column's rule."""
    missing = raw.isna().to_numpy()
    present = ~missing
    text = raw.astype(object)
    bad = missing.copy() if not column.nullable else np.zeros(len(raw), dtype=bool)
    value: pd.Series
    if column.kind in ("str", "enum"):
        value = text
        if column.kind == "enum":
            bad |= present & ~text.isin(column.choices).to_numpy()
        if column.pattern:
            matches = text.where(present, "").astype(str).str.fullmatch(column.pattern)
            bad |= present & ~matches.to_numpy(dtype=bool)
    elif column.kind == "int":
        ok = text.where(present, "").astype(str).str.fullmatch(r"[+-]?[0-9]{1,15}").to_numpy()
        bad |= present & ~ok
        value = pd.to_numeric(text.where(present & ok, None), errors="coerce").astype("Int64")
    elif column.kind == "float":
        number = pd.to_numeric(text.where(present, None), errors="coerce").astype(float)
        bad |= present & ~np.isfinite(number.to_numpy())
        value = number
    elif column.kind == "date":
        shaped = text.where(present, "").astype(str).str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        value = pd.to_datetime(
            text.where(present & shaped.to_numpy(), None), format="%Y-%m-%d", errors="coerce"
        ).astype("datetime64[ns]")
        bad |= present & value.isna().to_numpy()
    elif column.kind == "fields":
        ok = np.array([v is None or _fields_ok(v) for v in text.tolist()])
        bad |= ~ok
        value = text.map(lambda v: tuple(_split_list(v)) if isinstance(v, str) else ())
    else:  # competency_levels
        ok = np.array([v is None or _competency_levels_ok(v) for v in text.tolist()])
        bad |= ~ok
        value = text.map(
            lambda v: (
                {p.split(":")[0]: int(p.split(":")[1]) for p in _split_list(v)}
                if isinstance(v, str) and _competency_levels_ok(v)
                else {}
            )
        )
    if column.low is not None or column.high is not None:
        number = pd.to_numeric(value, errors="coerce").astype(float).to_numpy()
        out = np.zeros(len(raw), dtype=bool)
        with np.errstate(invalid="ignore"):
            if column.low is not None:
                out |= number <= column.low if column.low_exclusive else number < column.low
            if column.high is not None:
                out |= number > column.high
        bad |= present & out
    return value, bad


def _cell_violations(
    file: str, column: str, raw: pd.Series, rows: np.ndarray, rule: str
) -> list[Violation]:
    return [Violation(file, int(i) + 1, column, raw.iloc[int(i)], rule) for i in rows]


def parse_table(
    table: Table, raw: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, list[Violation], list[str]]:
    """Typed frame, violations and warnings for one table read by `read_raw`."""
    violations: list[Violation] = []
    warnings: list[str] = []
    extra = [c for c in raw.columns if c not in table.column_names]
    if extra:
        warnings.append(f"{file}: extra column(s) ignored: {', '.join(extra)}")
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in raw.columns:
            if column.present:
                violations.append(
                    Violation(file, None, column.name, None, "required column is absent")
                )
            typed[column.name] = pd.Series([None] * len(raw), dtype=object)
            continue
        value, bad = _parse_column(column, raw[column.name])
        violations += _cell_violations(
            file, column.name, raw[column.name], np.flatnonzero(bad), column.rule()
        )
        typed[column.name] = value.where(~bad, None) if value.dtype == object else value
    return pd.DataFrame(typed), violations, warnings


# --- rules across rows and tables ---------------------------------------------------------


def _rows(mask: pd.Series | np.ndarray) -> Iterable[int]:
    return (int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool)))


def _unique(file: str, frame: pd.DataFrame, keys: list[str], what: str) -> list[Violation]:
    dup = frame.duplicated(keys, keep="first") & frame[keys].notna().all(axis=1)
    return [
        Violation(
            file, i + 1, keys[-1], "/".join(str(frame[k].iloc[i]) for k in keys), f"{what} twice"
        )
        for i in _rows(dup)
    ]


def _exists(
    file: str, frame: pd.DataFrame, column: str, known: pd.Series, what: str
) -> list[Violation]:
    unknown = frame[column].notna() & ~frame[column].isin(set(known.dropna()))
    return [
        Violation(file, i + 1, column, frame[column].iloc[i], f"must be an existing {what}")
        for i in _rows(unknown)
    ]


def _pairs(file: str, frame: pd.DataFrame, a: str, b: str) -> list[Violation]:
    one = frame[a].isna() != frame[b].isna()
    return [
        Violation(
            file, i + 1, f"{a}, {b}", f"{frame[a].iloc[i]}, {frame[b].iloc[i]}", "both or neither"
        )
        for i in _rows(one)
    ]


def _employee_rules(file: str, emp: pd.DataFrame) -> list[Violation]:
    out = _unique(file, emp, ["nip"], "nip")
    out += _pairs(file, emp, "home_latitude", "home_longitude")
    for i, row in enumerate(emp.itertuples(index=False)):
        nip, kind = row.nip, row.employment_type
        if not isinstance(nip, str):
            continue
        born = nip_birth_date(nip)
        if born is None:
            out.append(Violation(file, i + 1, "nip", nip, "digits 1-8 are not a real birth date"))
        elif isinstance(row.birth_date, pd.Timestamp) and row.birth_date.date() != born:
            out.append(
                Violation(
                    file,
                    i + 1,
                    "birth_date",
                    row.birth_date.date().isoformat(),
                    f"must agree with NIP digits 1-8 ({born.isoformat()})",
                )  # fmt: skip
            )
        if kind == "PNS":
            year, month = int(nip[8:12]), int(nip[12:14])
            if not (1 <= month <= 12 and 1900 <= year <= 2100):
                out.append(Violation(file, i + 1, "nip", nip, "digits 9-14 are not a real YYYYMM"))
            elif isinstance(row.service_start, pd.Timestamp) and (
                row.service_start.year != year or row.service_start.month != month
            ):
                out.append(
                    Violation(
                        file,
                        i + 1,
                        "service_start",
                        row.service_start.date().isoformat(),
                        f"must agree with NIP digits 9-14 ({nip[8:14]})",
                    )  # fmt: skip
                )
            if nip[14] not in "12":
                out.append(Violation(file, i + 1, "nip", nip, "digit 15 (sex) must be 1 or 2"))
            elif row.sex in vocab.SEXES and {"1": "L", "2": "P"}[nip[14]] != row.sex:
                out.append(
                    Violation(
                        file, i + 1, "sex", row.sex, f"must agree with NIP digit 15 ({nip[14]})"
                    )
                )
            if isinstance(row.golongan, str) and row.golongan not in vocab.PNS_GOLONGAN:
                out.append(
                    Violation(
                        file, i + 1, "golongan", row.golongan, "a PNS golongan is I/a ... IV/e"
                    )
                )
        elif kind == "PPPK" and isinstance(row.golongan, str):
            if row.golongan not in vocab.PPPK_GOLONGAN:
                out.append(
                    Violation(
                        file, i + 1, "golongan", row.golongan, "a PPPK golongan is I ... XVII"
                    )
                )
        if (
            row.education_level in vocab.GENERAL_EDUCATION
            and isinstance(row.education_field, str)
            and row.education_field != "umum"
        ):
            out.append(
                Violation(
                    file,
                    i + 1,
                    "education_field",
                    row.education_field,
                    f"must be 'umum' for education level {row.education_level}",
                )  # fmt: skip
            )
    return out


def _assignment_rules(
    file: str, asg: pd.DataFrame, emp_file: str, emp: pd.DataFrame
) -> list[Violation]:
    out: list[Violation] = []
    backwards = asg["end_date"].notna() & (asg["end_date"] < asg["start_date"])
    out += [
        Violation(
            file,
            i + 1,
            "end_date",
            asg["end_date"].iloc[i].date().isoformat(),
            "must be >= start_date",
        )
        for i in _rows(backwards)
    ]
    far = pd.Timestamp("2262-01-01")
    spans = asg.assign(_row=np.arange(len(asg)), _end=asg["end_date"].fillna(far))
    spans = spans[spans["start_date"].notna() & spans["nip"].notna()]
    spans = spans.sort_values(["nip", "start_date", "_row"], kind="stable")
    prev_end = spans.groupby("nip")["_end"].shift()
    overlap = prev_end.notna() & (spans["start_date"] <= prev_end)
    out += [
        Violation(
            file,
            int(r) + 1,
            "start_date",
            spans["start_date"].loc[idx].date().isoformat(),
            "assignments of one employee must not overlap",
        )  # fmt: skip
        for idx, r in spans.loc[overlap, "_row"].items()
    ]
    open_count = asg[asg["end_date"].isna()].groupby("nip").size()
    active = emp[emp["status"] == "aktif"]
    for i, nip in zip(active.index, active["nip"], strict=True):
        n = int(open_count.get(nip, 0))
        if n != 1:
            out.append(
                Violation(
                    emp_file,
                    int(i) + 1,
                    "nip",
                    nip,
                    f"an aktif employee has exactly one open assignment (found {n})",
                )  # fmt: skip
            )
    return out


def _evaluation_rules(file: str, ev: pd.DataFrame, asg: pd.DataFrame) -> list[Violation]:
    out = _unique(file, ev, ["nip", "period"], "(nip, period)")
    far = pd.Timestamp("2262-01-01")
    spans = asg[["nip", "unit_id", "start_date", "end_date"]].dropna(subset=["start_date"])
    spans = spans.assign(end_date=spans["end_date"].fillna(far))
    rows = ev.assign(_row=np.arange(len(ev))).dropna(subset=["nip", "unit_id", "period"])
    joined = rows.merge(spans, on=["nip", "unit_id"], how="left")
    year_start = pd.to_datetime(joined["period"].astype(int).astype(str) + "-01-01")
    year_end = year_start + pd.offsets.YearEnd(0)
    overlaps = (joined["start_date"] <= year_end) & (joined["end_date"] >= year_start)
    agreed = set(joined.loc[overlaps, "_row"])
    for r in rows["_row"]:
        if r not in agreed:
            out.append(
                Violation(
                    file,
                    int(r) + 1,
                    "unit_id",
                    ev["unit_id"].iloc[r],
                    f"must agree with the assignments of {ev['period'].iloc[r]} "
                    "(no assignment to this unit overlaps that year)",
                )  # fmt: skip
            )
    return out


def _cross_rules(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Violation]:
    units, emp = frames["units"], frames["employees"]
    out = _unique(files["units"], units, ["unit_id"], "unit_id")
    out += _exists(files["units"], units, "parent_unit_id", units["unit_id"], "unit_id")
    out += _pairs(files["units"], units, "latitude", "longitude")
    out += _employee_rules(files["employees"], emp)
    for name in ("assignments", "evaluations", "competencies", "trainings", "discipline"):
        if name in files:
            out += _exists(files[name], frames[name], "nip", emp["nip"], "employee nip")
    for name in ("assignments", "evaluations", "unit_kpis"):
        if name in files:
            out += _exists(files[name], frames[name], "unit_id", units["unit_id"], "unit_id")
    out += _assignment_rules(files["assignments"], frames["assignments"], files["employees"], emp)
    out += _evaluation_rules(files["evaluations"], frames["evaluations"], frames["assignments"])
    return out


def validate_directory(directory: Path) -> ValidationReport:
    """Read and check every table of `directory`; the report holds data only when valid."""
    report = ValidationReport()
    if not directory.is_dir():
        report.violations.append(Violation(str(directory), None, None, None, "not a directory"))
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
                frames[table.name] = pd.DataFrame(
                    {c.name: pd.Series(dtype=object) for c in table.columns}
                )
                continue
            raw = read_raw(path)
        except TableFileError as exc:
            report.violations.append(Violation(exc.file, None, None, None, exc.message))
            unreadable = True
            continue
        frame, violations, warnings = parse_table(table, raw, path.name)
        frames[table.name], files[table.name] = frame, path.name
        report.violations += violations
        report.warnings += warnings
    if unreadable:
        # Rules across tables need every required table; they would only echo the gap.
        return report
    report.violations += _cross_rules(frames, files)
    if not report.violations:
        report.data = HRData.from_frames(frames)
    return report


def load_data(directory: Path) -> HRData:
    """The typed data of a valid directory; `ContractError` with every violation otherwise."""
    report = validate_directory(directory)
    if report.data is None:
        raise ContractError(report)
    return report.data
