"""Hostile table files: tiny files that would exhaust memory or CPU are refused (or read as
what they hold) in seconds, naming the file and the bound; spreadsheet formulas are written
as text."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from features.contract import limits
from features.contract.limits import (
    MAX_COLUMNS,
    FileTooLarge,
    check_csv_header,
    read_json_records,
    read_xlsx_sheets,
)
from features.contract.reader import TableFileError, read_raw
from features.spreadsheet import guard, guard_frame, unguard


def _declare_huge_dimension(path: Path) -> None:
    """Rewrite the first sheet's declared size to a million rows x 16,384 columns (the 1.6 KB
    file that made pandas ask for ~137 GB), keeping its one real cell."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = members[sheet].decode()
    start = xml.index("<dimension ref=")
    end = xml.index("/>", start) + 2
    members[sheet] = (xml[:start] + '<dimension ref="A1:XFD1048576"/>' + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_declared_sheet_size_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["unit_id", "unit_name"])
    book.active.append(["A", "Satu"])
    book.save(path)
    _declare_huge_dimension(path)
    started = time.perf_counter()
    cells = read_xlsx_sheets(path, first_only=True)[0][1]
    assert time.perf_counter() - started < 5
    assert cells.shape == (2, 2) and cells.iloc[1, 1] == "Satu"
    assert list(read_raw(path).columns) == ["unit_id", "unit_name"]


def test_a_sheet_wider_than_any_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(MAX_COLUMNS + 5)])
    book.save(path)
    with pytest.raises(FileTooLarge, match=r"units.xlsx, row 1: 517 columns"):
        read_xlsx_sheets(path, first_only=True)[0][1]
    with pytest.raises(TableFileError, match="517 columns"):
        read_raw(path)


def test_a_csv_of_one_endless_header_is_refused_before_parsing(tmp_path: Path) -> None:
    wide = tmp_path / "units.csv"
    wide.write_text(",".join(["x"] * 100_000) + "\n")
    long = tmp_path / "employees.csv"
    long.write_text("a" * (2 << 20))
    started = time.perf_counter()
    with pytest.raises(FileTooLarge, match="100,000 columns"):
        check_csv_header(wide)
    with pytest.raises(TableFileError, match="header line is over 1 MiB"):
        read_raw(long)
    assert time.perf_counter() - started < 5


def test_formula_cells_are_written_as_text_and_read_back() -> None:
    for text in ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]:
        assert guard(text) == "'" + text and unguard(str(guard(text))) == text
    for text in ["-1.5", "+3", "Dinas Kesehatan", "'kept as it was", "", None, 7]:
        assert guard(text) == text
    frame = pd.DataFrame({"name": ["=1+1", "ok"], "score": [-1.0, 2.0]})
    guarded = guard_frame(frame)
    assert guarded["name"].tolist() == ["'=1+1", "ok"] and guarded["score"].tolist() == [-1.0, 2.0]
    assert frame["name"].tolist() == ["=1+1", "ok"]  # the caller's frame is untouched


def test_a_json_export_is_bounded_before_parsing_and_by_its_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON file parses to about ten times its size: one over the bound is refused by its
    size alone (the parser is never asked); records with more keys than a table may have
    columns are refused naming the count."""
    big = tmp_path / "rw_skp22.json"
    big.write_text('{"data": [' + ",".join(['{"tahun": 2022}'] * 1000) + "]}")
    monkeypatch.setattr(limits, "MAX_JSON_BYTES", 1000)
    monkeypatch.setattr(limits.json, "loads", lambda _: pytest.fail("parsed"))
    with pytest.raises(FileTooLarge, match=r"rw_skp22.json: 0 MiB is over the 0 MiB a JSON export"):
        read_json_records(big)
    monkeypatch.undo()
    wide = tmp_path / "rw_jabatan.json"
    wide.write_text("[" + ",".join(f'{{"k{i}": 1}}' for i in range(MAX_COLUMNS + 1)) + "]")
    with pytest.raises(FileTooLarge, match=f"{MAX_COLUMNS + 1} keys"):
        read_json_records(wide)
    assert read_json_records(big).shape == (1000, 1)


def test_every_sheet_of_a_workbook_is_read_within_the_same_bounds(tmp_path: Path) -> None:
    path = tmp_path / "ABK.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["UNIT KERJA", "KEBUTUHAN"])
    book.create_sheet("Dinas Kesehatan").append([f"c{i}" for i in range(MAX_COLUMNS + 1)])
    book.save(path)
    assert read_xlsx_sheets(path, first_only=True)[0][1].shape == (
        1,
        2,
    )  # the first sheet alone, as the contract reads it
    with pytest.raises(FileTooLarge, match=r"ABK.xlsx \[Dinas Kesehatan\], row 1: 513 columns"):
        read_xlsx_sheets(path)
