"""Sheets are told by their bytes, not their names, and every form is read within bounds."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from features.contract.limits import MAX_COLUMNS, FileTooLarge
from features.contract.sheets import read_sheets, sheet_form
from features.spreadsheet import read_edited
from tests.helpers import write_xls

ROWS: list[list[str | None]] = [
    ["NIP", "KEPUTUSAN"], ["198409192014011001", "setuju"], ["198409192014011002", None]
]  # fmt: skip


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def _ods(path: Path) -> Path:
    frame = pd.DataFrame(ROWS[1:], columns=ROWS[0])
    with pd.ExcelWriter(path, engine="odf") as writer:
        frame.to_excel(writer, index=False, sheet_name="usulan")
    return path


def _xml2003(path: Path) -> Path:
    """What older PHP libraries write as "Excel": an XML Spreadsheet 2003."""
    rows = "".join(
        "<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' if v else "<Cell/>" for v in row) + "</Row>"
        for row in ROWS
    )  # fmt: skip
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="usulan">'
        f"<Table>{rows}</Table></Worksheet></Workbook>"
    )
    return path


def test_each_form_is_told_by_its_bytes_and_read_alike(tmp_path: Path) -> None:
    """An .xlsm, an .xls, an .ods, an .xlsx renamed .csv, an HTML table and an XML Spreadsheet
    2003 named .xls read as the same sheet; CSV text named .xls is text; a zip of files is
    refused as an archive."""
    html = tmp_path / "html.xls"
    html.write_text(
        "\ufeff<html><table><tr><th>NIP<th>KEPUTUSAN</tr><tr><td>198409192014011001<td>setuju"
        "<tr><td>198409192014011002<td></table></html>"
    )  # fmt: skip
    books = {
        "xlsx": _xlsx(tmp_path / "macro.xlsm"), "calamine": write_xls(tmp_path / "lama.xls", ROWS, "usulan"),
        "html": html, "renamed": _xlsx(tmp_path / "renamed.csv"),
    }  # fmt: skip
    books["ods"] = _ods(tmp_path / "libre.ods")
    books["xml2003"] = _xml2003(tmp_path / "ekspor.xls")
    expected = pd.DataFrame(ROWS, dtype=object)
    for form, path in books.items():
        assert sheet_form(path) == {"renamed": "xlsx", "ods": "calamine"}.get(form, form), form
        (title, cells), *_ = read_sheets(path)
        pd.testing.assert_frame_equal(cells, expected, obj=form)
        assert read_edited(path) == read_edited(books["xlsx"]), form
    text = tmp_path / "tab.xls"
    text.write_text("NIP\tKEPUTUSAN\n198409192014011001\tsetuju\n")
    assert sheet_form(text) == "text"
    archive = tmp_path / "ekspor.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Data_ASN.csv", "NIP\n1\n")
    with pytest.raises(ValueError, match="an archive, not a workbook: extract its files"):
        sheet_form(archive)
    styled = tmp_path / "styled.xls"  # the table past a long style block
    styled.write_text("<html><head><style>" + "td{}" * 20_000 + "</style></head><body>"
                      "<table><tr><td>NIP<td>KEPUTUSAN</table></body></html>")  # fmt: skip
    assert sheet_form(styled) == "html" and read_sheets(styled)[0][1].values.tolist() == [ROWS[0]]


def test_an_html_tables_spans_read_as_a_sheets_merged_cells(tmp_path: Path) -> None:
    """A `rowspan` covers the cells below it, a `colspan` those to its right, as a merged
    cell does in a sheet (its text in its first cell); a span past a row's last cell
    still counts that row, so the data below stays in its columns."""
    page = tmp_path / "riwayat.xls"
    page.write_text(
        "<table><tr><th rowspan=2>NIP<th colspan=2>JABATAN<th rowspan=2>UNIT KERJA"
        "<tr><th>NAMA<th>TMT<tr><td>1<td>Analis<br>Kebijakan<td>2020-03-01<td>Bagian&nbsp;Umum"
        "<tr><td>2<td colspan=x>Kepala<td rowspan=0>2021-01-01<td>Dinas</table>"
    )  # fmt: skip
    ((_, cells),) = read_sheets(page)
    assert cells.values.tolist() == [
        ["NIP", "JABATAN", None, "UNIT KERJA"],
        [None, "NAMA", "TMT", None],
        ["1", "Analis Kebijakan", "2020-03-01", "Bagian Umum"],
        ["2", "Kepala", "2021-01-01", "Dinas"],
    ]


def test_an_xml_spreadsheets_skips_merges_and_types_read_as_a_sheets(tmp_path: Path) -> None:
    """`ss:Index` skips columns and rows, `ss:MergeAcross`/`ss:MergeDown` cover cells, a
    `Number` NIP reads as the float Excel stored, a `DateTime` at midnight as its date."""
    path = tmp_path / "riwayat.xml"
    path.write_text(
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="Riwayat"><Table>'
        '<Row><Cell ss:MergeDown="1"><Data ss:Type="String">NIP</Data></Cell><Cell ss:MergeAcross="1"><Data ss:Type="String">JABATAN</Data></Cell></Row>'
        '<Row><Cell ss:Index="2"><Data ss:Type="String">NAMA</Data></Cell><Cell><Data ss:Type="String">TMT</Data></Cell></Row>'
        '<Row ss:Index="4"><Cell><Data ss:Type="Number">1.98409192014011E+17</Data></Cell><Cell><Data ss:Type="String">Analis</Data></Cell>'
        '<Cell><Data ss:Type="DateTime">2020-03-01T00:00:00.000</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )  # fmt: skip
    assert sheet_form(path) == "xml2003"
    ((title, cells),) = read_sheets(path)
    assert title == "Riwayat" and cells.values.tolist() == [
        ["NIP", "JABATAN", None], [None, "NAMA", "TMT"], [None, None, None],
        [1.98409192014011e17, "Analis", "2020-03-01"],
    ]  # fmt: skip


def test_an_html_page_cut_short_is_refused_not_mended(tmp_path: Path) -> None:
    """lxml mends a page cut short by closing what is open: a SIMPEG's "Excel" page whose
    copy stopped inside its last score read `73,43` as `73`. A page whose table is not closed
    after its last row is refused, saying what to do; the same page closed reads."""
    page = tmp_path / "skp.xls"
    whole = "<html><table><tr><th>NIP<th>NILAI</tr><tr><td>198409192014011001<td>73,43</tr></table></html>"  # fmt: skip
    page.write_text(whole[: whole.index("43</tr>")])
    with pytest.raises(ValueError, match="skp.xls: the page ends inside its table, no </table> after its last row"):  # fmt: skip
        read_sheets(page)
    page.write_text(whole + "\n\n")
    assert read_sheets(page)[0][1].values.tolist() == [["NIP", "NILAI"], ["198409192014011001", "73,43"]]  # fmt: skip


def _looped(book: bytes) -> bytes:
    """`book` (an Excel 97-2003 file) with its directory's sector linked to itself: a chain
    calamine follows for ever (it allocated 4 GiB and aborted under a 3 GB limit)."""
    fat = 512 + int.from_bytes(book[0x4C:0x50], "little") * (1 << int.from_bytes(book[0x1E:0x20], "little"))  # fmt: skip
    directory = int.from_bytes(book[0x30:0x34], "little")
    at = fat + 4 * directory  # the directory's one sector: its next link
    return book[:at] + directory.to_bytes(4, "little") + book[at + 4 :]


def test_a_damaged_excel_97_file_is_refused_never_fatal(tmp_path: Path) -> None:
    """calamine trusts what a file declares: a 26 KB .xls whose copy stopped part way, padded
    with zero bytes to its size, made it allocate until the machine killed the process (21
    GB), and one byte gone wrong in a record made it abort (a failed 4 GiB allocation), which
    on the server would be a committee's paper taking the service down. Cut short, padded
    with zeros or with a chain that loops, the file is refused before calamine reads it; a
    damage only calamine meets stops its own bounded process, not this one. Whole, it reads."""
    book = write_xls(tmp_path / "whole.xls", [["NIP", "NILAI"]] + [[f"19840919201401{k:04d}", "73,43"] for k in range(300)], "skp").read_bytes()  # fmt: skip
    assert len(book) == 26_112  # the byte below is a record's, in xlwt's layout of these rows
    cut = len(book) * 9 // 10
    before = "a damaged Excel 97-2003 file \\(copied in part\\? copy it again"
    damaged = {
        "cut.xls": (book[:cut], before),
        "zeros.xls": (book[:cut] + bytes(len(book) - cut), before),
        "looped.xls": (_looped(book), before),
        "flipped.xls": (
            book[:7865] + b"\xff" + book[7866:],
            "a damaged workbook, its reader stopped",
        ),
    }
    for name, (data, says) in damaged.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=f"{name}: {says}"):
            read_sheets(tmp_path / name)
    assert read_sheets(tmp_path / "whole.xls")[0][1].shape == (301, 2)


def test_a_workbook_whose_zip_says_a_version_no_reader_knows_is_refused(tmp_path: Path) -> None:
    """A damaged byte in an XLSX's zip directory made zipfile raise NotImplementedError
    ("zip file version 19.3"), which no caller expected: the round page's upload of such a
    committee paper answered 500. It is a ValueError naming the file, as any damage is."""
    whole = _xlsx(tmp_path / "rapat.xlsx").read_bytes()
    at = whole.index(b"PK\x01\x02") + 6  # the first member's "version needed to extract"
    (tmp_path / "rapat.xlsx").write_bytes(whole[:at] + (193).to_bytes(2, "little") + whole[at + 2 :])  # fmt: skip
    with pytest.raises(ValueError, match="rapat.xlsx: a damaged zip or workbook"):
        read_sheets(tmp_path / "rapat.xlsx")


def test_an_html_table_asking_for_too_wide_a_row_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "lebar.xls"
    page.write_text('<table><tr><td colspan="100000000">x</td><td>y</td></tr></table>')
    with pytest.raises(
        FileTooLarge, match=f"row 1: over the {MAX_COLUMNS} columns a table may have"
    ):
        read_sheets(page)
    far = tmp_path / "jauh.xml"  # a row index that asks for a billion empty rows
    far.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>'
        '<Row ss:Index="1000000000"><Cell><Data ss:Type="String">x</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )  # fmt: skip
    with pytest.raises(FileTooLarge, match="a row index of 1,000,000,000"):
        read_sheets(far)
