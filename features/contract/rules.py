"""The rules across rows and tables: unique keys, references that must exist, NIP digits
that must agree with the row, assignments that must not overlap, evaluations that must fall
in an assignment."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from features import vocab
from features.contract.violations import Violation, cell_text
from features.nip import nip_birth_date


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
            file,
            i + 1,
            f"{a}, {b}",
            f"{cell_text(frame[a].iloc[i])}, {cell_text(frame[b].iloc[i])}",
            "both or neither",
        )
        for i in _rows(one)
    ]


FORMER = ("pensiun", "berhenti")  # statuses whose records may be incomplete
CURRENT_NEEDS = (
    "name", "sex", "birth_date", "employment_type", "golongan", "education_level",
    "education_field", "service_start",
)  # fmt: skip


def employee_rules(file: str, emp: pd.DataFrame) -> list[Violation]:
    out = _unique(file, emp, ["nip"], "nip")
    current = ~emp["status"].isin(FORMER)
    for column in CURRENT_NEEDS:
        out += [
            Violation(
                file,
                i + 1,
                column,
                None,
                "required for current staff (may be empty only for former staff)",
            )  # fmt: skip
            for i in _rows(current & emp[column].isna())
        ]
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
    # An employee whose NIP broke its own rule has none to match: that row is already refused.
    active = emp[(emp["status"] == "aktif") & emp["nip"].notna()]
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
    out += [
        Violation(file, i + 1, "score, predikat", None, "an evaluation needs a score or a predikat")
        for i in _rows(ev["score"].isna() & ev["predikat"].isna())
    ]
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
                    "must agree with the assignments of its period "
                    f"(no assignment to this unit overlaps {ev['period'].iloc[r]})",
                )  # fmt: skip
            )
    return out


def cross_rules(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Violation]:
    units, emp = frames["units"], frames["employees"]
    out = _unique(files["units"], units, ["unit_id"], "unit_id")
    out += _exists(files["units"], units, "parent_unit_id", units["unit_id"], "unit_id")
    out += _pairs(files["units"], units, "latitude", "longitude")
    out += employee_rules(files["employees"], emp)
    for name in ("assignments", "evaluations", "competencies", "trainings", "discipline"):
        if name in files:
            out += _exists(files[name], frames[name], "nip", emp["nip"], "employee nip")
    for name in ("assignments", "evaluations", "unit_kpis"):
        if name in files:
            out += _exists(files[name], frames[name], "unit_id", units["unit_id"], "unit_id")
    out += _assignment_rules(files["assignments"], frames["assignments"], files["employees"], emp)
    out += _evaluation_rules(files["evaluations"], frames["evaluations"], frames["assignments"])
    return out
