"""A committee's paper back in: every row's problems named before any row is recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oversight.committee import import_decisions
from tests.helpers import shown_moves


def test_a_paper_with_a_row_its_rules_refuse_records_none_of_it(tmp_path: Path) -> None:
    """The module promises that a paper is checked whole and recorded only without a
    problem. A `setuju` naming a unit instead, an `ubah` to the unit suggested, a TMT before
    the suggestion and an id never shown were each found only when its row was written, the
    rows above it already on the record; and a `tolak` carrying an SK was recorded, the
    record saying both that the move was refused and that its SK was signed."""
    store, (first, second, third) = shown_moves(tmp_path)
    paper = tmp_path / "rapat.csv"
    pd.DataFrame(
        [
            {"suggestion_id": first, "decision": "setuju", "reason_code": "sesuai_kompetensi"},
            {"suggestion_id": second, "decision": "setuju", "reason_code": "sesuai_kompetensi",
             "alt_unit_id": "C"},
            {"suggestion_id": third, "decision": "tolak", "reason_code": "dibutuhkan_unit_asal",
             "note": "satu-satunya bendahara", "sk_number": "800/12/2026", "tmt": "2027-01-01"},
            {"suggestion_id": first, "decision": "ubah", "reason_code": "unit_lain_lebih_sesuai",
             "note": "x", "alt_unit_id": "B", "tmt": "2025-12-31"},
            {"suggestion_id": "sg_0000", "decision": "setuju", "reason_code": "lainnya"},
        ]
    ).to_csv(paper, index=False)  # fmt: skip
    out = import_decisions(store, paper, "hr", "Bidang Mutasi")
    assert out.recorded == 0 and store.suggestion(first)["decisions"] == []  # type: ignore[index]
    assert out.problems == [
        "rapat.csv, row 3, column alt_unit_id: a unit instead is for ubah only; 'setuju' keeps the one suggested",
        "rapat.csv, row 4, column sk_number: an SK is for a move decided (setuju, ubah); 'tolak' moves no one",
        "rapat.csv, row 5, column alt_unit_id: ubah names another unit than the one suggested",
        "rapat.csv, row 5, column tmt: TMT 2025-12-31 is before the suggestion's date (2026-01-01)",
        "rapat.csv, row 6, column suggestion_id: no suggestion 'sg_0000' was shown",
    ]  # fmt: skip


def test_a_paper_copied_in_part_is_refused_whole(tmp_path: Path) -> None:
    """A paper whose copy stopped in its last row's SK number was read as whole: the record
    would hold `800/1` for `800/123/BKPSDM/2026`, and the record is append-only. Cut short
    (fewer fields than the header, no line end) it is refused, naming the line, nothing
    recorded; with its line end back the same rows record. Google Sheets ends a CSV's last
    row without a line end: a whole row so is read."""
    store, (first, second, _) = shown_moves(tmp_path)
    paper = tmp_path / "rapat.csv"
    rows = [
        {"suggestion_id": first, "decision": "setuju", "reason_code": "sesuai_kompetensi",
         "sk_number": "800/123/BKPSDM/2026", "tmt": "2026-03-01"},
        {"suggestion_id": second, "decision": "setuju", "reason_code": "sesuai_kompetensi",
         "sk_number": "800/124/BKPSDM/2026", "tmt": "2026-03-01"},
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(paper, index=False)
    whole = paper.read_bytes()
    paper.write_bytes(whole[: whole.rindex(b"800/124") + 5])
    with pytest.raises(ValueError, match="its last row \\(line 3\\) with 4 of the header's 5 fields"):  # fmt: skip
        import_decisions(store, paper, "hr", "Bidang Mutasi")
    assert store.suggestion(first)["decisions"] == []  # type: ignore[index]
    paper.write_bytes(whole.rstrip(b"\r\n"))  # Google Sheets' CSV: no line end after the last row
    assert import_decisions(store, paper, "hr", "Bidang Mutasi").recorded == 2
