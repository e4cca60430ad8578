"""Every contract rule is refused with file, row, column, value and rule named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from features.contract.reader import text_end
from features.contract.validate import (
    EMPTY_TABLE,
    ContractError,
    Violation,
    load_data,
    validate_directory,
)
from features.data import HRData
from features.nip import nip_service_start, nip_sex
from features.pipeline import build_features, candidate_pairs
from penataan.cli import app
from tests.helpers import frame_rows, write_xls

Edit = Callable[[pd.DataFrame], pd.DataFrame]


def _edit(directory: Path, table: str, edit: Edit) -> None:
    path = directory / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)


def _set(row: int, column: str, value: str) -> Edit:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return edit


def _without(columns: list[str]) -> Edit:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(columns=columns)

    return edit


def _first(frame: pd.DataFrame, column: str, value: str) -> int:
    return int(frame.index[frame[column] == value][0])


def _violations(directory: Path) -> list[Violation]:
    report = validate_directory(directory)
    assert report.data is None
    return report.violations


def _expect(
    directory: Path, file: str, row: int | None, column: str | None, rule: str
) -> Violation:
    found = [
        v
        for v in _violations(directory)
        if v.file == file and v.row == row and v.column == column and rule in v.rule
    ]
    assert found, f"no {file} row {row} {column} '{rule}' in {_violations(directory)[:5]}"
    return found[0]


CELL_RULES = [
    ("units", "unit_id", "bad id!", "matching"),
    ("units", "unit_kind", "kantor", "one of"),
    ("units", "domain", "olahraga", "one of"),
    ("units", "capacity", "0", ">= 1"),
    ("units", "capacity", "2.5", "whole number"),
    ("units", "unit_name", "", "required"),
    ("units", "required_fields", "akuntansi;sihir", "education fields"),
    ("units", "required_competencies", "komunikasi:6", "competency:level"),
    ("units", "latitude", "-91", ">= -90"),
    ("employees", "nip", "19860926201505100", "[0-9]{18}"),
    ("employees", "nip", "1986O926201505 001", "[0-9]{18}"),
    ("employees", "sex", "X", "one of"),
    ("employees", "birth_date", "26/09/1986", "ISO date"),
    ("employees", "birth_date", "1986-02-30", "ISO date"),
    ("employees", "employment_type", "honorer", "one of"),
    ("employees", "golongan", "V/a", "one of"),
    ("employees", "education_level", "S4", "one of"),
    ("employees", "education_field", "astrologi", "one of"),
    ("employees", "status", "mati", "one of"),
    ("employees", "willing_to_move", "mungkin", "one of"),
    ("employees", "religion", "jedi", "one of"),
    ("assignments", "position_type", "eselon", "one of"),
    ("assignments", "start_date", "2020-13-01", "ISO date"),
    ("assignments", "position_title", "", "required"),
    ("evaluations", "score", "101", "<= 100"),
    ("evaluations", "score", "-1", ">= 0"),
    ("evaluations", "score", "baik", "a number"),
    ("evaluations", "period", "2024.5", "whole number"),
    ("evaluations", "predikat", "istimewa", "one of"),
    ("competencies", "level", "6", "<= 5"),
    ("competencies", "competency", "sihir", "one of"),
    ("trainings", "hours", "0", "> 0"),
    ("trainings", "domain", "olahraga", "one of"),
    ("discipline", "severity", "ringan sekali", "one of"),
    ("unit_kpis", "complaints", "-1", ">= 0"),
    ("unit_kpis", "ikm", "120", "<= 100"),
    ("unit_kpis", "avg_wait_minutes", "-3", ">= 0"),
]


@pytest.mark.parametrize(("table", "column", "value", "rule"), CELL_RULES)
def test_validate_refuses_bad_cell(
    world_copy: Path, table: str, column: str, value: str, rule: str
) -> None:
    _edit(world_copy, table, _set(2, column, value))
    found = _expect(world_copy, f"{table}.csv", 3, column, rule)
    assert found.value == (value or None)
    assert f"row 3, column {column}" in str(found)


def test_validate_refuses_duplicate_unit_id(world_copy: Path) -> None:
    _edit(world_copy, "units", lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True))
    units = pd.read_csv(world_copy / "units.csv")
    _expect(world_copy, "units.csv", len(units), "unit_id", "twice")


def test_validate_refuses_unknown_parent(world_copy: Path) -> None:
    _edit(world_copy, "units", _set(4, "parent_unit_id", "NOWHERE"))
    _expect(world_copy, "units.csv", 5, "parent_unit_id", "existing unit_id")


def test_validate_refuses_half_a_coordinate(world_copy: Path) -> None:
    _edit(world_copy, "units", _set(1, "longitude", ""))
    _expect(world_copy, "units.csv", 2, "latitude, longitude", "both or neither")


def _pns_row(directory: Path) -> tuple[int, pd.Series]:
    emp = pd.read_csv(directory / "employees.csv", dtype=str, keep_default_na=False)
    i = _first(emp, "employment_type", "PNS")
    return i, emp.loc[i]


def test_validate_refuses_impossible_nip_dates(world_copy: Path) -> None:
    i, row = _pns_row(world_copy)
    _edit(world_copy, "employees", _set(i, "nip", "19861332" + row["nip"][8:]))
    _expect(world_copy, "employees.csv", i + 1, "nip", "not a real birth date")


def test_validate_refuses_birth_date_against_nip(world_copy: Path) -> None:
    i, _ = _pns_row(world_copy)
    _edit(world_copy, "employees", _set(i, "birth_date", "1950-01-01"))
    _expect(world_copy, "employees.csv", i + 1, "birth_date", "NIP digits 1-8")


def test_validate_refuses_sex_against_nip(world_copy: Path) -> None:
    i, row = _pns_row(world_copy)
    _edit(world_copy, "employees", _set(i, "sex", "P" if row["sex"] == "L" else "L"))
    _expect(world_copy, "employees.csv", i + 1, "sex", "NIP digit 15")


def test_validate_refuses_service_start_against_nip(world_copy: Path) -> None:
    i, _ = _pns_row(world_copy)
    _edit(world_copy, "employees", _set(i, "service_start", "1979-05-01"))
    _expect(world_copy, "employees.csv", i + 1, "service_start", "NIP digits 9-14")


def test_validate_refuses_pns_with_pppk_golongan(world_copy: Path) -> None:
    i, _ = _pns_row(world_copy)
    _edit(world_copy, "employees", _set(i, "golongan", "IX"))
    _expect(world_copy, "employees.csv", i + 1, "golongan", "PNS golongan")


def test_validate_refuses_field_for_school_level(world_copy: Path) -> None:
    def edit(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[0, "education_level"] = "SMA"
        f.loc[0, "education_field"] = "hukum"
        return f

    _edit(world_copy, "employees", edit)
    _expect(world_copy, "employees.csv", 1, "education_field", "'umum'")


def test_validate_refuses_duplicate_nip(world_copy: Path) -> None:
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    _edit(world_copy, "employees", _set(1, "nip", emp.loc[0, "nip"]))
    _expect(world_copy, "employees.csv", 2, "nip", "twice")


def test_validate_refuses_unknown_nip_and_unit(world_copy: Path) -> None:
    _edit(world_copy, "trainings", _set(0, "nip", "199001012015011001"))
    _edit(world_copy, "evaluations", _set(0, "unit_id", "NOWHERE"))
    _expect(world_copy, "trainings.csv", 1, "nip", "existing employee")
    _expect(world_copy, "evaluations.csv", 1, "unit_id", "existing unit_id")


def test_validate_refuses_end_before_start(world_copy: Path) -> None:
    asg = pd.read_csv(world_copy / "assignments.csv", dtype=str, keep_default_na=False)
    i = int(asg.index[asg["end_date"] != ""][0])
    _edit(world_copy, "assignments", _set(i, "end_date", "1970-01-01"))
    _expect(world_copy, "assignments.csv", i + 1, "end_date", ">= start_date")


def test_validate_refuses_overlapping_assignments(world_copy: Path) -> None:
    asg = pd.read_csv(world_copy / "assignments.csv", dtype=str, keep_default_na=False)
    closed = asg[asg["end_date"] != ""].iloc[0]
    extra = closed.copy()
    extra["start_date"] = closed["end_date"]
    extra["end_date"] = closed["end_date"]
    _edit(
        world_copy, "assignments", lambda f: pd.concat([f, extra.to_frame().T], ignore_index=True)
    )
    assert any(v.file == "assignments.csv" and "overlap" in v.rule for v in _violations(world_copy))


def test_validate_refuses_active_without_open_assignment(world_copy: Path) -> None:
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    i = _first(emp, "status", "aktif")
    nip = emp.loc[i, "nip"]

    def close(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[(f["nip"] == nip) & (f["end_date"] == ""), "end_date"] = "2025-12-31"
        return f

    _edit(world_copy, "assignments", close)
    _expect(world_copy, "employees.csv", i + 1, "nip", "exactly one open assignment")


def test_a_malformed_nip_is_refused_once_not_again_as_without_assignment(world_copy: Path) -> None:
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    i = _first(emp, "status", "aktif")
    _edit(world_copy, "employees", _set(i, "nip", emp.loc[i, "nip"][:17] + "X"))
    on_row = [v for v in _violations(world_copy) if v.file == "employees.csv" and v.row == i + 1]
    assert [v.column for v in on_row] == ["nip"]
    assert on_row[0].value == emp.loc[i, "nip"][:17] + "X"


def test_validate_refuses_duplicate_evaluation(world_copy: Path) -> None:
    _edit(world_copy, "evaluations", lambda f: pd.concat([f, f.iloc[[3]]], ignore_index=True))
    n = len(pd.read_csv(world_copy / "evaluations.csv"))
    _expect(world_copy, "evaluations.csv", n, "period", "(nip, period) twice")


def test_validate_refuses_evaluation_unit_outside_assignments(world_copy: Path) -> None:
    ev = pd.read_csv(world_copy / "evaluations.csv", dtype=str, keep_default_na=False)
    units = pd.read_csv(world_copy / "units.csv", dtype=str)["unit_id"]
    other = next(u for u in units if u != ev.loc[0, "unit_id"])
    _edit(world_copy, "evaluations", _set(0, "unit_id", other))
    _expect(world_copy, "evaluations.csv", 1, "unit_id", "must agree with the assignments")


def test_validate_refuses_missing_column_and_table(world_copy: Path) -> None:
    _edit(world_copy, "units", lambda f: f.drop(columns=["capacity"]))
    (world_copy / "evaluations.csv").unlink()
    _expect(world_copy, "units.csv", None, "capacity", "required column is absent")
    _expect(world_copy, "evaluations.csv", None, None, "required table is missing")


def test_a_path_that_is_no_folder_says_what_it_is(world_copy: Path) -> None:
    """Both said "not a directory": a path that does not exist, and a table's file given
    where its folder is wanted (`validate data/units.csv`)."""
    (missing,) = validate_directory(world_copy / "nowhere").violations
    assert missing.rule == "no such folder"
    (file,) = validate_directory(world_copy / "units.csv").violations
    assert (
        file.rule == f"a file, not a folder: give the folder that holds the tables ({world_copy})"
    )


def test_validate_reports_every_violation_not_the_first(world_copy: Path) -> None:
    _edit(world_copy, "evaluations", _set(0, "score", "250"))
    _edit(world_copy, "evaluations", _set(5, "score", "-4"))
    _edit(world_copy, "units", _set(0, "capacity", "0"))
    rows = {(v.file, v.row) for v in _violations(world_copy)}
    assert {("evaluations.csv", 1), ("evaluations.csv", 6), ("units.csv", 1)} <= rows


def test_validate_warns_once_about_extra_columns(world_copy: Path) -> None:
    _edit(world_copy, "units", lambda f: f.assign(catatan="x"))
    report = validate_directory(world_copy)
    assert report.ok
    assert [w for w in report.warnings if "catatan" in w] == [
        "units.csv: extra column(s) ignored: catatan"
    ]


def test_a_column_without_a_heading_is_named_by_its_place_or_passed_over_when_empty(
    world_copy: Path,
) -> None:
    """Excel writes a trailing separator on every row, or keeps a formatted column past the
    table: a column with no heading and nothing in it is nothing, not a warning about
    `Unnamed: 11`; one with values is named by its place, in a CSV and in a workbook."""
    path = world_copy / "units.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(f"{line}," for line in lines) + "\n")
    report = validate_directory(world_copy)
    assert report.ok and not [w for w in report.warnings if "units.csv" in w]
    path.write_text("\n".join([lines[0] + ","] + [f"{line},lihat SK" for line in lines[1:]]) + "\n")
    width = len(lines[0].split(","))
    said = [w for w in validate_directory(world_copy).warnings if "units.csv" in w]
    assert said == [f"units.csv: extra column(s) ignored: column {width + 1} (no heading)"]
    units = pd.read_csv(path, dtype=str, keep_default_na=False)
    path.unlink()
    units.rename(columns={units.columns[-1]: ""}).assign(**{" ": ""}).replace("", None).to_excel(
        world_copy / "units.xlsx", index=False
    )
    report = validate_directory(world_copy)
    said = [w for w in report.warnings if "units.xlsx" in w]
    assert report.ok and said == [f"units.xlsx: extra column(s) ignored: column {width + 1} (no heading)"]  # fmt: skip


def test_a_header_off_by_case_or_spaces_is_read_saying_so(world_copy: Path) -> None:
    """`Unit_ID ` is `unit_id` as a spreadsheet user typed it: read, with a warning, the same
    data as the contract's own header gives."""
    data = validate_directory(world_copy).data
    _edit(world_copy, "units", lambda f: f.rename(columns={"unit_id": " Unit_ID "}))
    report = validate_directory(world_copy)
    assert report.data is not None and data is not None
    assert "units.csv: column ' Unit_ID ' read as 'unit_id'" in report.warnings
    pd.testing.assert_frame_equal(report.data.units, data.units)


def test_a_listed_value_off_only_by_case_or_spaces_gets_a_hint(world_copy: Path) -> None:
    """`Aktif` for `aktif`, `s1` for `S1`: refused (the contract coerces nothing), with a hint
    saying what the contract's value is; a value no case makes valid gets none, nor does a
    value the list holds as written that broke another rule."""
    from features.contract.summary import causes

    _edit(world_copy, "employees", lambda f: f.assign(status=["Aktif ", *f["status"].iloc[1:]]))
    _edit(world_copy, "employees", _set(1, "education_level", "s1"))
    _edit(world_copy, "employees", _set(2, "sex", "X"))
    _edit(world_copy, "employees", _set(3, "golongan", "X"))  # a PPPK's, written right, for a PNS
    found = causes(validate_directory(world_copy).violations)
    hints = {c.column: c.hint for c in found}
    assert hints["status"] == (
        "only case or spaces differ ('Aktif ' is 'aktif'): write the values as the contract does"
    )
    assert hints["education_level"] is not None and "'s1' is 'S1'" in hints["education_level"]
    assert hints["sex"] is None
    assert [c.hint for c in found if c.column == "golongan"] == [None]  # was "'X' is 'X'"


def test_a_cause_of_many_shows_its_first_violations_details() -> None:
    """Causes group violations whose details differ; the summary shows the first one's, marked
    as one of several, not an empty `(...)`."""
    from features.contract.summary import causes

    rule = "must agree with the assignments of its period (no assignment to this unit overlaps {})"  # fmt: skip
    found = [Violation("evaluations.csv", r, "unit_id", "SETDA", rule.format(2015 + r)) for r in (1, 2)]  # fmt: skip
    (cause,) = causes(found)
    assert cause.rule == rule.format("2016, ...") and cause.count == 2


def test_a_column_given_twice_is_refused_naming_both(world_copy: Path) -> None:
    """pandas would read the second `ikm` as `ikm.1` and the validator ignore it, whichever of
    the two held the data: refused, the columns named. A column the table does not read may
    repeat."""
    path = world_copy / "unit_kpis.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0] + ",IKM,catatan,catatan"] + [x + ",,a,b" for x in lines[1:]])
    )
    (violation,) = [v for v in validate_directory(world_copy).violations if v.file == path.name]
    assert violation.rule == "a column is given twice: 'ikm' (columns 3, 6); keep one"
    path.write_text("\n".join([lines[0] + ",catatan,catatan"] + [x + ",a,b" for x in lines[1:]]))
    assert validate_directory(world_copy).ok


def test_the_ratings_are_read_by_the_contracts_name_and_their_former_one(
    world_copy: Path,
) -> None:
    """The contract names the ratings `rating_hasil_kerja` and `rating_perilaku_kerja`; a
    file written before (`hasil_kerja`) still loads, saying so, and a file with both names
    is read by the contract's."""
    data = validate_directory(world_copy).data
    assert data is not None
    ratings = ["rating_hasil_kerja", "rating_perilaku_kerja"]
    assert data.evaluations[ratings].notna().any().all()  # the generator writes both
    old = {c: c.removeprefix("rating_") for c in ratings}
    _edit(world_copy, "evaluations", lambda f: f.rename(columns=old))
    report = validate_directory(world_copy)
    assert report.data is not None
    assert "evaluations.csv: column 'hasil_kerja' read as 'rating_hasil_kerja'" in report.warnings
    pd.testing.assert_frame_equal(report.data.evaluations, data.evaluations)

    _edit(world_copy, "evaluations", lambda f: f.assign(rating_hasil_kerja=f["hasil_kerja"]))
    _edit(world_copy, "evaluations", _set(0, "hasil_kerja", "nonsense"))
    report = validate_directory(world_copy)
    assert report.ok
    assert "evaluations.csv: extra column(s) ignored: hasil_kerja" in report.warnings


def test_former_staff_may_carry_only_nip_and_status(world_copy: Path) -> None:
    """A current-state export knows nothing of former staff but their NIP and status: they
    load, birth date and a PNS's service start read from the NIP, and the same empty cells
    in a current employee's row are refused by row and column."""
    full = load_data(world_copy).employees
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    former = emp["status"].isin(["pensiun", "berhenti"])
    assert former.sum() > 10
    blank = [c for c in emp.columns if c not in ("nip", "status")]
    emp.loc[former, blank] = ""
    emp.to_csv(world_copy / "employees.csv", index=False)
    report = validate_directory(world_copy)
    assert report.data is not None, report.violations[:3]
    got = report.data.employees
    pd.testing.assert_series_equal(got["birth_date"], full["birth_date"])
    pns = former & (full["employment_type"] == "PNS")
    same_month = got["service_start"].dt.to_period("M") == full["service_start"].dt.to_period("M")
    assert same_month[pns].all()
    assert got.loc[former, "name"].isna().all()
    assert (
        f"employees.csv: birth_date read from the NIP for {former.sum():,} former staff "
        "without one" in report.warnings
    )

    i = _first(emp, "status", "aktif")
    _edit(world_copy, "employees", _set(i, "name", ""))
    _edit(world_copy, "employees", _set(i, "service_start", ""))
    named = _expect(world_copy, "employees.csv", i + 1, "name", "required for current staff")
    assert "value (empty):" in str(named)  # not `None`
    _expect(world_copy, "employees.csv", i + 1, "service_start", "required for current staff")


def test_optional_tables_may_be_absent(world_copy: Path) -> None:
    for name in ("competencies", "trainings", "discipline", "unit_kpis"):
        (world_copy / f"{name}.csv").unlink()
    assert validate_directory(world_copy).ok


@pytest.mark.parametrize("table", ["units", "employees"])
def test_a_required_table_with_a_header_only_is_named(world_copy: Path, table: str) -> None:
    """Once `validate` ended in numpy's "ufunc 'invert' not supported" for a units file of a
    header alone; now it names the file, and not a violation per row of the others."""
    path = world_copy / f"{table}.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    violations = _violations(world_copy)
    assert [(v.file, v.rule) for v in violations] == [(f"{table}.csv", EMPTY_TABLE)]


def test_what_is_absent_is_typed_as_what_is_present(world_copy: Path, hr_data: HRData) -> None:
    """An agency without a diklat export, assessments or coordinates: its optional tables and
    columns absent are read with the types the present ones have, and its features build (an
    absent trainings table once made the hours a column of objects, and training failed on
    `'training_hours_3y'`)."""
    for name in ("competencies", "trainings", "discipline", "unit_kpis"):
        (world_copy / f"{name}.csv").unlink()
    left_out = {
        "units": ["kelurahan", "latitude", "longitude", "parent_unit_id"],
        "employees": ["religion", "marital_status", "home_kelurahan", "home_latitude",
                      "home_longitude", "willing_to_move"],
        "evaluations": ["rating_hasil_kerja", "rating_perilaku_kerja"],
    }  # fmt: skip
    for table, columns in left_out.items():
        _edit(world_copy, table, _without(columns))
    data = load_data(world_copy)
    for table in HRData.table_names():
        got, present = getattr(data, table).dtypes, getattr(hr_data, table).dtypes
        assert got.to_dict() == present.to_dict(), table
    rows = build_features(data, candidate_pairs(data).iloc[:3000])
    assert rows["training_hours_3y"].eq(0.0).all() and rows["sanctions_3y"].eq(0.0).all()
    assert rows["commute_km"].isna().all()


def test_validate_accepts_parquet_and_xlsx(world_copy: Path) -> None:
    units = pd.read_csv(world_copy / "units.csv", dtype=str, keep_default_na=False)
    (world_copy / "units.csv").unlink()
    units.replace("", None).to_excel(world_copy / "units.xlsx", index=False)
    emp = pd.read_csv(world_copy / "employees.csv", dtype={"nip": str})
    emp["birth_date"] = pd.to_datetime(emp["birth_date"])
    (world_copy / "employees.csv").unlink()
    emp.to_parquet(world_copy / "employees.parquet")
    data = load_data(world_copy)
    assert data.employees["nip"].map(type).eq(str).all()
    assert len(data.units) == len(units)


def test_dates_of_one_digit_and_printed_nips_get_their_hint(world_copy: Path) -> None:
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    nip = emp.loc[1, "nip"]
    emp.loc[0, "birth_date"] = "1985-3-12"
    emp.loc[1, "nip"] = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"  # as an SK prints it
    emp.to_csv(world_copy / "employees.csv", index=False)
    run = CliRunner().invoke(app, ["validate", str(world_copy)])
    assert "hint: a month or day of one digit: write two (1985-03-02, not 1985-3-2)" in run.stdout
    assert "hint: NIPs in their printed groups: write the 18 digits without spaces or dots" in run.stdout  # fmt: skip


def test_tables_saved_as_xls_or_ods_are_read_as_their_csv(world_copy: Path) -> None:
    """An office keeps units in Excel 97-2003 (.xls) and employees in LibreOffice (.ods):
    `validate` named them and asked for .xlsx or CSV; both are read, as the CSV was. A CSV
    renamed .xls is told so."""
    before = load_data(world_copy)
    units = pd.read_csv(world_copy / "units.csv", dtype=str, keep_default_na=False)
    write_xls(world_copy / "units.xls", frame_rows(units), "units")
    (world_copy / "units.csv").unlink()
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(world_copy / "employees.ods", engine="odf") as writer:
        emp.to_excel(writer, index=False, sheet_name="employees")
    (world_copy / "employees.csv").unlink()
    after = load_data(world_copy)
    pd.testing.assert_frame_equal(after.units, before.units)
    pd.testing.assert_frame_equal(after.employees, before.employees)
    (world_copy / "units.xls").unlink()
    units.to_csv(world_copy / "units.xls", index=False)  # text under a workbook's name
    _expect(world_copy, "units.xls", None, None, "not a workbook (it reads as text: save it as .csv)")  # fmt: skip


def test_two_formats_of_one_table_are_refused(world_copy: Path) -> None:
    pd.read_csv(world_copy / "units.csv").to_parquet(world_copy / "units.parquet")
    _expect(world_copy, "units.csv", None, None, "given twice")


def test_load_data_raises_with_the_report(world_copy: Path) -> None:
    _edit(world_copy, "evaluations", _set(0, "score", "250"))
    with pytest.raises(ContractError, match="evaluations.csv, row 1, column score"):
        load_data(world_copy)


def test_cli_validate_exit_codes(world_dir: Path, world_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(world_dir)])
    assert ok.exit_code == 0 and "valid" in ok.output and "periods" in ok.output
    _edit(world_copy, "evaluations", _set(0, "score", "250"))
    bad = runner.invoke(app, ["validate", str(world_copy)])
    assert bad.exit_code == 1
    assert "evaluations.csv: 1 violation(s)" in bad.output and "row 1 '250'" in bad.output
    every = runner.invoke(app, ["validate", str(world_copy), "--all"])
    assert "evaluations.csv, row 1, column score: value '250'" in every.output


def test_a_csv_cut_in_half_is_refused_not_padded(world_copy: Path) -> None:
    """An interrupted copy leaves a last row with too few fields; pandas would pad it with
    empty cells and call the file valid."""
    path = world_copy / "evaluations.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    report = validate_directory(world_copy)
    assert report.data is None
    (violation,) = [v for v in report.violations if v.file == "evaluations.csv"]
    assert "fields per row differ from the header" in violation.rule and "row " in violation.rule
    # the grouped view people read first names the row too, not only `--all`
    run = CliRunner().invoke(app, ["validate", str(world_copy)])
    assert run.exit_code == 1 and violation.rule in run.output


def test_a_csv_cut_within_its_last_value_is_flagged_for_a_look(world_copy: Path) -> None:
    """A cut that falls inside the last row's last value leaves every field: the row reads
    as whole (`sesuai` cut to `ses` would at least be refused; a score `87` cut to `8` would
    not). No line end after it is the mark, so the check names the line; a file that ends
    with one says nothing."""
    path = world_copy / "units.csv"
    assert not any("line end" in w for w in validate_directory(world_copy).warnings)
    data = path.read_bytes()
    path.write_bytes(data.rstrip(b"\r\n")[:-1])
    lines = data.count(b"\n")
    report = validate_directory(world_copy)
    assert report.data is not None  # kept as read: it may be whole, a file made by hand
    assert f"units.csv ends without a line end after its last row (line {lines:,})" in "\n".join(report.warnings)  # fmt: skip


def test_text_files_that_end_whole_are_not_flagged(tmp_path: Path) -> None:
    """A line end after the last row, DOS's end-of-file mark, or UTF-16's two-byte line
    end (Excel's Unicode Text) ends a file whole; a UTF-16 file cut mid-row does not."""
    path = tmp_path / "a.txt"
    for data, encoding in (
        (b"A;B\r\n1;2\r\n", "utf-8-sig"),
        (b"A;B\r\n1;2\r\n\x1a", "utf-8-sig"),
        ("A\tB\r\n1\t2\r\n".encode("utf-16"), "utf-16"),
    ):
        path.write_bytes(data)
        assert text_end(path, encoding, ";" if b";" in data else "\t") is None, data
    path.write_bytes("A\tB\r\n1\t2\r\n3".encode("utf-16"))
    end = text_end(path, "utf-16", "\t")
    assert end is not None and end.line == 3 and end.cut(2) and "1 of the header's 2" in str(end.cut(2))  # fmt: skip


def test_a_csv_saved_as_windows_1252_names_its_line_and_what_to_do(world_copy: Path) -> None:
    """Excel's "CSV" on Windows writes accented names in Windows-1252: the file is refused
    (the contract is UTF-8) with the line an editor shows, the text there, and the fix; a
    BOM before the header does not shift the place."""
    path = world_copy / "employees.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ",Andé ", 1)
    path.write_bytes(b"\xef\xbb\xbf" + "".join(lines).encode("cp1252"))
    report = validate_directory(world_copy)
    (violation,) = [v for v in report.violations if v.file == "employees.csv"]
    assert violation.rule.startswith("not UTF-8 text (line 4, byte 0xe9: ...")
    assert "Andé" in violation.rule and "save it as 'CSV UTF-8'" in violation.rule


def test_a_table_file_over_the_size_guard_is_refused_unread(world_copy: Path) -> None:
    from features.contract.reader import MAX_TABLE_BYTES

    path = world_copy / "trainings.csv"
    with path.open("r+b") as handle:  # sparse: no disk used, nothing read
        handle.truncate(MAX_TABLE_BYTES + 1)
    report = validate_directory(world_copy)
    (violation,) = [v for v in report.violations if v.file == "trainings.csv"]
    assert "MiB a table may have" in violation.rule


def test_the_contract_page_is_generated_from_the_schema() -> None:
    from features.contract.page import contract_markdown

    page = Path(__file__).parents[2] / "docs" / "contract.md"
    assert page.read_text() == contract_markdown(), "run `penataan contract --out docs/contract.md`"


def test_validate_groups_a_raw_export_into_causes_with_hints(world_copy: Path) -> None:
    """Thousands of violations from a handful of causes: each cause once with its count,
    at most 60 lines, with hints for day-first dates, Excel's ', M/F, a ';' file, a SIASN
    export and a file named like no table; every violation still in --json."""
    emp = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    emp["birth_date"] = pd.to_datetime(emp["birth_date"]).dt.strftime("%d-%m-%Y")
    emp["sex"] = emp["sex"].map({"L": "M", "P": "F"})
    emp["nip"] = "'" + emp["nip"]
    emp.to_csv(world_copy / "employees.csv", index=False)
    asg = pd.read_csv(world_copy / "assignments.csv", dtype=str, keep_default_na=False)
    asg.to_csv(world_copy / "assignments.csv", index=False, sep=";")
    (world_copy / "units.csv").rename(world_copy / "units-2024.csv")
    (world_copy / "DATA_ASN.csv").write_text("PNS ID,NIP BARU,NAMA\n1,2,3\n")
    out = world_copy.parent / "violations.json"
    run = CliRunner().invoke(app, ["validate", str(world_copy), "--json", str(out)])
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) <= 60, lines
    text = run.stdout
    for hint in ("day-first", "leading '", "M -> L", "';'-separated", "SIASN/SIMPEG export",
                 "looks like the units table", "not part of the contract"):  # fmt: skip
        assert hint in text, hint
    every = json.loads(out.read_text())["violations"]
    total = int(run.stderr.splitlines()[-1].split()[0].replace(",", ""))
    assert len(every) == total and total > len(lines)
    full = CliRunner().invoke(app, ["validate", str(world_copy), "--all"])
    assert len(full.stdout.splitlines()) >= len(every)


@pytest.mark.parametrize(
    ("nip", "start", "sex"),
    [
        ("198409192014011001", "2014-01-01", "L"),  # PNS: TMT CPNS 2014-01, digit 15 sex
        ("199203152021022002", "2021-02-01", "P"),
        ("199001012022210001", "2022-01-01", None),  # NI PPPK: appointed 2022, digit 13 is 2
        ("199001011985011001", None, "L"),  # a TMT before the birth date
        ("199001012014131001", None, "L"),  # month 13
    ],
)
def test_what_a_nip_says(nip: str, start: str | None, sex: str | None) -> None:
    got = nip_service_start(nip)
    assert (got.isoformat() if got else None) == start
    assert nip_sex(nip) == sex
