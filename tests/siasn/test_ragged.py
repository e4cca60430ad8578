"""Rows that do not line up with their header, written by hand as unquoting exports write
them (`siasn.ragged`), read through the importer's reader of text files."""

from __future__ import annotations

from pathlib import Path

import pytest

from siasn.files import ExportFile, read_exports
from siasn.ragged import LONG, SPLIT

HEADER = "NIP BARU;TMT JABATAN;UNOR ID;UNOR NAMA;JABATAN NAMA;JENIS MUTASI"
ROWS = [
    "199001012015031001;01/03/2015;U1;Bagian Umum;Analis;MJ",
    "199002022015031002;01/04/2016;U2;Sekretariat Kecamatan Ampenan;Kepala Seksi;MJ",
    "199003032015031003;01/05/2017;U3;Dinas Kesehatan;Perawat;MU",
]


def _read(path: Path, text: str, encoding: str = "utf-8") -> ExportFile:
    path.write_bytes(text.encode(encoding))
    [export] = read_exports(path)
    return export


def test_a_line_break_inside_an_unquoted_cell_is_rejoined(tmp_path: Path) -> None:
    """pandas read the two halves as two rows: the first padded and kept, a spell without
    its position and mutasi kind. Rejoined, the row is the one the export meant, counted as
    repaired and its lines named; a cell broken twice (three lines) too."""
    broken = ROWS[1].replace("Kecamatan ", "Kecamatan\r\n").replace("Kepala ", "Kepala\n")
    export = _read(tmp_path / "riwayat.csv", "\n".join([HEADER, ROWS[0], broken, ROWS[2]]) + "\n")
    frame = export.frame
    assert len(frame) == 3 and frame["UNOR NAMA"].tolist()[1] == "Sekretariat Kecamatan Ampenan"
    assert (
        frame["JABATAN NAMA"].tolist()[1] == "Kepala Seksi" and frame["JENIS MUTASI"].notna().all()
    )
    assert export.repaired == ((SPLIT, 1),) and not export.left_out and not export.checks
    assert export.notes == ("riwayat.csv: 1 row(s) split by a line break inside a cell rejoined, the break read as a space (lines 3-5)",)  # fmt: skip


def test_a_separator_inside_an_unquoted_cell_leaves_out_its_row_only(tmp_path: Path) -> None:
    """A degree title `S.H., M.Si` in a comma-separated file made pandas refuse the whole
    export (every employee set aside); now that row alone is left out, counted, and its line
    named to check."""
    header = "NIP BARU,NAMA,GELAR BELAKANG,TMT CPNS"
    rows = ["199001012015031001,Budi,S.Kom,01-03-2015", "199002022015031002,Sri,S.H., M.Si,01-04-2016", "199003032015031003,Ani,,01-05-2017"]  # fmt: skip
    export = _read(tmp_path / "Data_ASN.csv", "\n".join([header, *rows]) + "\n")
    assert export.frame["NAMA"].tolist() == ["Budi", "Ani"]
    assert export.left_out == ((LONG, 1),) and not export.repaired
    assert export.checks == ("Data_ASN.csv: 1 row(s) with more fields than the header's 4 left out (line 3): a separator inside a cell the export did not quote; quote that column in the export, or mend those rows, and import again",)  # fmt: skip


def test_a_separator_after_every_value_keeps_each_value_under_its_name(tmp_path: Path) -> None:
    """A separator after each row's last value and not after the header's: pandas read the
    first column as an index, which the reader dropped (the NIP gone, each value under its
    neighbour's name)."""
    export = _read(
        tmp_path / "riwayat.csv", "\r\n".join([HEADER, *(r + ";" for r in ROWS)]) + "\r\n"
    )
    assert export.frame["NIP BARU"].tolist() == [r.split(";")[0] for r in ROWS]
    assert export.frame["JENIS MUTASI"].tolist() == ["MJ", "MJ", "MU"]
    assert not (export.left_out or export.repaired or export.checks or export.notes)


def test_short_rows_of_a_writer_that_leaves_out_trailing_empties_stay_as_read(
    tmp_path: Path,
) -> None:
    """A writer that leaves out trailing empty values writes short rows of its own; two of
    them may add up to the header's fields by chance, so nothing is rejoined in such a file:
    the short rows are padded as before, and the pairs that would join are named to check."""
    rows = ["199001012015031001;01/03/2015;U1", *ROWS[1:], "199004042015031004;01/06/2018;U4;Bagian", "Hukum;Analis;MJ"]  # fmt: skip
    export = _read(tmp_path / "riwayat.csv", "\n".join([HEADER, *rows]) + "\n")
    assert len(export.frame) == 5 and export.frame["UNOR NAMA"].tolist()[3] == "Bagian"
    assert not (export.left_out or export.repaired or export.notes)
    assert export.checks == ("riwayat.csv: 1 pair(s) of short rows that together have the header's 6 fields (lines 5-6): one row split by a line break inside a cell? Read as separate rows, since this file also has short rows of its own: check them",)  # fmt: skip


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_rows_line_up_in_the_encodings_excel_writes(tmp_path: Path, encoding: str) -> None:
    """Excel's ANSI CSV (a unit named `Sekretariat Daerah – Umum`) and its tab-separated
    "Unicode Text": the same repairs, the text read in its own encoding."""
    sep = "\t" if encoding == "utf-16" else ";"
    rows = [
        r.replace(";", sep) for r in (ROWS[0].replace("Bagian Umum", "Setda – Umum"), *ROWS[1:])
    ]
    broken = rows[1].replace("Kecamatan ", "Kecamatan\r\n")
    long = rows[2] + sep + "extra"
    text = "\r\n".join([HEADER.replace(";", sep), rows[0], broken, long]) + "\r\n"
    export = _read(tmp_path / "riwayat.txt", text, encoding)
    assert export.frame["UNOR NAMA"].tolist() == ["Setda – Umum", "Sekretariat Kecamatan Ampenan"]
    assert export.repaired == ((SPLIT, 1),) and export.left_out == ((LONG, 1),)
    assert export.encoding == encoding


def test_a_last_row_cut_off_is_still_the_ends_to_judge(tmp_path: Path) -> None:
    """The last record of a file with no line end after it is left as read here: a row cut
    off mid-row is `text_end`'s (left out once, with its own reason), never rejoined with
    the short row before it."""
    text = "\n".join([HEADER, ROWS[0], "199002022015031002;01/04/2016;U2", "Kecamatan Ampenan;Kep"])
    export = _read(tmp_path / "riwayat.csv", text)
    assert len(export.frame) == 2 and not export.repaired
    assert [why for why, _ in export.left_out] == ["cut off: the file ends mid-row, its last row (line 4) with 2 of the header's 6 fields (copied in part? copy it again)"]  # fmt: skip


def test_the_columns_numbers_and_a_reports_footer_are_not_records(tmp_path: Path) -> None:
    """A government table numbers its columns under the header (and a unor tree read so
    gained a unit `3` under a parent `2`), and ends in a footer and a signature: neither is a
    record, each left out and counted; a row numbered 1 in a `NO` column is one."""
    header = "NO;" + HEADER
    rows = [f"{k};{row}" for k, row in enumerate(ROWS, 1)]
    numbers = ";".join(str(k) for k in range(1, 8))
    footer = ["Dicetak oleh SIMPEG pada 01-12-2026 10:15;;;;;;", ";;;;;Kepala BKPSDM;", ";;;;;;"]
    export = _read(tmp_path / "riwayat.csv", "\n".join([header, numbers, *rows, *footer]) + "\n")
    assert export.frame["NO"].tolist() == ["1", "2", "3"]
    assert dict(export.left_out) == {
        "the columns' numbers (1, 2, 3, ...), as a government table prints them under its header": 1,
        "a line of text, not a record (one cell filled: a footer, a title, a signature)": 2,
    }


def test_an_id_alone_in_its_column_is_a_record_not_a_line_of_text(tmp_path: Path) -> None:
    """A unit the unor tree gives only its id (no parent, no name) is a unit; a footer in the
    same column, words with spaces, is not."""
    text = "Id|DiatasanId|NamaUnor|EselonId\nA1||Kantor|22\nB2|||\nJumlah: 2 unit|||\n"
    export = _read(tmp_path / "unor.csv", text)
    assert export.frame["ID"].tolist() == ["A1", "B2"]
    assert dict(export.left_out) == {"a line of text, not a record (one cell filled: a footer, a title, a signature)": 1}  # fmt: skip
