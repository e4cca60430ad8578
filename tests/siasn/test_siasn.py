"""`penataan import siasn`: a world written as a BKPSDM's exports comes back as the same
contract folder, every source row accounted for, decisions in a reviewed mapping file."""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from features.contract.validate import load_data
from penataan.cli import app
from siasn.convert import SHOWN_LOST, MissingExports, import_siasn
from siasn.files import read_exports
from siasn.kinds import classify
from siasn.mapping import MappingProblems
from tests.helpers import assert_same_world, frame_rows, write_xls


@pytest.fixture(scope="module")
def imported(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "contract"
    strict = ["--strict"]  # nothing set aside, nothing to check first: exit 0
    run = CliRunner().invoke(app, ["import", "siasn", str(exported / "siasn"), "--out", str(out), *strict])  # fmt: skip
    assert run.exit_code == 0, run.output
    return out


def test_imported_files_are_readable_by_their_owner_only(imported: Path) -> None:
    """They hold NIPs, careers and performance records (`penataan` runs under umask 077)."""
    modes = {p.name: p.stat().st_mode & 0o777 for p in imported.rglob("*") if p.is_file()}
    assert modes and set(modes.values()) == {0o600}, modes


def test_the_import_accounts_for_every_source_row_and_validates(imported: Path) -> None:
    report = json.loads((imported / "import_report.json").read_text())
    assert report["contract"]["valid"]
    assert all(f["accounted"] for f in report["files"])
    by_kind = {f["kind"]: f for f in report["files"]}
    assert by_kind["riwayat_jabatan"]["merged"]["duplicate row"] > 0
    assert (
        by_kind["riwayat_jabatan"]["merged"]["renaming without a move (merged into the spell)"] > 0
    )
    assert by_kind["skp_numeric"]["merged"]["second period of the year (merged by mean)"] > 0
    assert by_kind["skp_numeric"]["repaired"], "Excel-mangled NIPs are restored"
    units = sum(1 for _ in (imported / "units.csv").open()) - 1
    assert sum(report["mapping"]["unit_domain"].values()) == units  # every unit decided once
    assert (imported / "import_report.md").read_text().startswith("# Import report")


def test_the_imported_world_is_the_world(exported: Path, imported: Path) -> None:
    assert_same_world(exported, imported)


def test_a_reviewed_mapping_wins_and_a_wrong_one_is_refused(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    rows = list(csv.DictReader((imported / "mapping.csv").open()))
    units = pd.read_csv(imported / "units.csv")
    name = str(units["unit_name"].iloc[0])
    for row in rows:
        if row["kind"] == "unit_domain" and row["source"] == name:
            row.update(target="keuangan", status="confirmed")
    reviewed = tmp_path / "mapping.csv"  # reviewed in Excel, Indonesian locale: `;` and a BOM
    with reviewed.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    again = tmp_path / "again"
    import_siasn(exported / "siasn", again, reviewed)
    assert pd.read_csv(again / "units.csv")["domain"].iloc[0] == "keuangan"
    assert "unit_domain," + name + ",keuangan,confirmed" in (again / "mapping.csv").read_text()
    reviewed.write_text("kind,source,target,status,count\nunit_domain,X,olahraga,confirmed,1\n"
                        "unit_kind,Y,kantor,confirmed,1\nsomething,Z,x,confirmed,1\n")  # fmt: skip
    with pytest.raises(MappingProblems) as refused:  # every row to mend, not the first a run
        import_siasn(exported / "siasn", tmp_path / "bad", reviewed)
    assert [p.split(": ")[0] for p in refused.value.problems] == [
        f"{reviewed}, row {n}, column {c}" for n, c in ((2, "target"), (3, "target"), (4, "kind"))
    ]
    assert "'olahraga' is not a unit_domain" in refused.value.problems[0]
    argv = ["import", "siasn", str(exported / "siasn"), "--out", str(tmp_path / "bad"), "--mapping", str(reviewed)]  # fmt: skip
    run = CliRunner().invoke(app, argv)
    assert run.exit_code == 1 and run.stderr.splitlines() == refused.value.problems  # a line each
    reviewed.write_bytes("kind,source,target,status,count\nunit_domain,Dinas Pariwisata Andé,pariwisata,confirmed,1\n".encode("cp1252"))  # fmt: skip
    with pytest.raises(ValueError, match="not UTF-8 text \\(line 2, byte 0xe9: "):
        import_siasn(exported / "siasn", tmp_path / "bad", reviewed)


def test_separators_header_variants_and_unknown_files(exported: Path, tmp_path: Path) -> None:
    """A `;` file saved with tabs instead, SIMPEG's header names (`Gol/Ruang` as a SIMPEG
    report heads the golongan, a unit tree's `Kode Unit` and `Kode Atasan`), a file of no
    known kind."""
    src = _source(exported, tmp_path)
    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    asn = asn.rename(columns={"UNOR ID": "UNIT ORGANISASI ID", "TINGKAT PENDIDIKAN NAMA": "TK PENDIDIKAN NAMA",
                              "GOL AKHIR NAMA": "Gol/Ruang", "KEDUDUKAN HUKUM NAMA": "Kedudukan Hukum",
                              "JENIS KELAMIN": "L/P", "PENDIDIKAN NAMA": "Program Studi"})  # fmt: skip
    # an export without them; the kedudukan by its name alone (on leave, tugas belajar)
    asn = asn.drop(columns=["JENIS PEGAWAI NAMA", "AGAMA NAMA", "KEDUDUKAN HUKUM ID"])
    asn.to_csv(src / "Data_ASN.csv", sep="\t", index=False)
    unor = pd.read_csv(src / "unor.csv", sep="|", dtype=str, keep_default_na=False)
    unor = unor.rename(columns={"Id": "Kode Unit", "DiatasanId": "Kode Atasan"})  # a SIMPEG's tree
    unor.to_csv(src / "unor.csv", sep="|", index=False)
    (src / "catatan.txt").write_text("bukan ekspor\n")
    with pytest.raises(ValueError, match="the exports' own folder"):  # the contract among them
        import_siasn(src, src / ".." / "src")
    assert sorted(p.name for p in src.iterdir()) == sorted([*(p.name for p in (exported / "siasn").iterdir()), "catatan.txt"])  # fmt: skip
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"] and list(report.ignored) == ["catatan.txt"]
    assert_same_world(exported, out)  # statuses and golongan included
    assert not any("kedudukan" in note for note in report.notes)
    asn.drop(columns=["Kedudukan Hukum"]).to_csv(src / "Data_ASN.csv", sep="\t", index=False)
    unsaid = import_siasn(src, tmp_path / "unsaid")
    assert any(note.startswith("Data ASN gives no kedudukan hukum") for note in unsaid.notes)
    with pytest.raises(ValueError, match="no unor tree file found"):
        (src / "unor.csv").unlink()
        import_siasn(src, tmp_path / "none")


def test_title_lines_above_a_csv_header_are_skipped(exported: Path, tmp_path: Path) -> None:
    """A SIMPEG report saved as CSV opens with its title (and a blank line) above the header,
    as its XLSX does: read from the header down. Such a diklat file was set aside as of no
    known kind, and every training was lost with the import still valid."""
    src = _source(exported, tmp_path)
    diklat = (src / "diklat.csv").read_text()
    (src / "diklat.csv").write_text("REKAP DIKLAT PEGAWAI KOTA MATARAM\n\n" + diklat)
    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    with (src / "Data_ASN.csv").open("w") as handle:
        handle.write("Laporan Data ASN;Kota Mataram\nDicetak: 01-12-2026\n")
        asn.to_csv(handle, sep=";", index=False)
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"] and not report.ignored, report.ignored
    assert_same_world(exported, out)
    assert len(load_data(out).trainings) == len(load_data(exported).trainings)


def test_exports_in_every_form_an_agencys_system_writes_are_read_by_what_they_hold(
    exported: Path, tmp_path: Path
) -> None:
    """Data ASN kept as Excel 97-2003 (.xls), a riwayat a PHP SIMPEG sent as an HTML table
    named .xls (headings merged over two rows), a diklat recap saved from LibreOffice (.ods),
    an SKP recap that is CSV text named .xls: the .xls and .ods were set aside ("save it as
    .xlsx") and the import refused with Data ASN missing. All are read by their bytes."""
    src = _source(exported, tmp_path)
    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    (src / "Data_ASN.csv").unlink()
    write_xls(src / "Data_ASN.xls", frame_rows(asn), "Data ASN")

    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path.unlink()
    rest = [c for c in riwayat.columns if c not in ("NIP BARU", "JABATAN NAMA", "TMT JABATAN")]
    head = "<th rowspan=2>NIP BARU<th colspan=2>JABATAN" + "".join(
        f"<th rowspan=2>{c}" for c in rest
    )
    body = "".join(  # unclosed cells and rows, as such pages have them
        "<tr>" + "".join(f"<td style=\"mso-number-format:'\\@'\">{v}" for v in row)
        for row in riwayat[["NIP BARU", "JABATAN NAMA", "TMT JABATAN", *rest]].itertuples(index=False)
    )  # fmt: skip
    (src / "riwayat_jabatan.xls").write_text(
        "<html><body><table><tr><td colspan=8>RIWAYAT JABATAN</td></tr>"
        f"<tr>{head}</tr><tr><th>NAMA</th><th>TMT</th></tr>{body}</table></body></html>"
    )
    diklat = pd.read_csv(src / "diklat.csv", dtype=str, keep_default_na=False)
    (src / "diklat.csv").unlink()
    with pd.ExcelWriter(src / "diklat.ods", engine="odf") as writer:
        diklat.to_excel(writer, index=False, sheet_name="Diklat")
    (src / "skp22.csv").rename(src / "skp22.xls")
    (src / "lama.zip").write_bytes(b"PK")
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"]
    assert report.ignored == {"lama.zip": "an archive, not read: extract its files into the folder"}
    assert_same_world(exported, out)
    assert "riwayat_jabatan.xls is an HTML page (what PHP systems send as Excel): its tables read as sheets" in report.notes  # fmt: skip
    assert "skp22.xls is text, not a workbook: read as CSV" in report.notes
    assert not any(n.startswith(("Data_ASN.xls is", "diklat.ods is")) for n in report.notes)
    (src / "Data_ASN.xls").unlink()  # a required export only in a zip: named under the refusal
    with pytest.raises(MissingExports) as refused:
        import_siasn(src, tmp_path / "again")
    lines = str(refused.value).splitlines()
    assert "no Data ASN file found" in lines[0]
    assert "  set aside: lama.zip: an archive, not read: extract its files into the folder" in lines


def test_a_data_asn_whose_nips_excel_stored_as_numbers_is_restored_from_the_histories(
    exported: Path, tmp_path: Path
) -> None:
    """Data ASN kept as a workbook with NIP BARU typed as numbers (Excel keeps 15 digits):
    every current employee came in with a NIP no history names, and the people the
    histories name as former staff, the contract still valid. Each NIP is restored from the
    other exports: by the PNS ID a riwayat pairs with it, else by its 15 digits where they
    are one NIP's; two people on one mangled NIP without an id stay, named in a note."""
    import openpyxl

    src = _source(exported, tmp_path)
    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    (src / "Data_ASN.csv").unlink()
    nips = asn["NIP BARU"].str.lstrip("'")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(asn.columns))
    for row, nip in zip(asn.itertuples(index=False), nips, strict=True):
        sheet.append([float(nip) if c == "NIP BARU" else v for c, v in zip(asn.columns, row, strict=True)])  # fmt: skip
    book.save(src / "Data_ASN.xlsx")
    shared = nips.str[:15].duplicated(keep=False)
    assert 0 < shared.sum() < 10  # the world has people a mangled NIP cannot tell apart

    report = import_siasn(src, tmp_path / "by_digits")
    assert report.contract["valid"]
    back = load_data(tmp_path / "by_digits").employees.set_index("nip")["status"]
    truth = load_data(exported).employees.set_index("nip")["status"]
    kept = nips[~shared]  # each restored with its own status, not added anew as former staff
    assert back.reindex(kept).tolist() == truth.reindex(kept).tolist()
    assert {n for n in back.index if n.endswith("000")} == set(nips[shared].str[:15] + "000")
    assert any(f"{shared.sum()} Data ASN NIP(s) end in 000" in note for note in report.notes)

    path = src / "riwayat_jabatan.csv"  # SIASN's rw-jabatan carries the person's id too
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    riwayat["PNS ID"] = riwayat["NIP BARU"].map(dict(zip(nips, asn["PNS ID"], strict=True)))
    riwayat.to_csv(path, sep=";", index=False)
    assert import_siasn(src, tmp_path / "by_id").contract["valid"]
    assert_same_world(exported, tmp_path / "by_id")


def test_an_skp_file_is_the_kind_whose_needs_name_most_of_it() -> None:
    """An SKP 2022+ kind that needs the predikat or a rating has as many needs as the SKP
    up to 2021: a file with a `NILAI` beside its predikat and ratings stays SKP 2022+, and
    a numeric recap with a predikat (sebutan) beside its nilai stays numeric."""
    person = {"NIP BARU", "TAHUN"}
    ratings = {"HASIL KERJA", "PERILAKU KERJA", "KUADRAN"}
    assert classify(person | ratings | {"NILAI PRESTASI KERJA"}) == "skp_predikat"
    assert classify(person | {"NILAI PRESTASI KERJA", "KUADRAN"}) == "skp_numeric"
    assert classify(person | {"KUADRAN"}) == "skp_predikat"
    assert classify(person | ratings | {"PERIODIK"}) == "kinerja_periodik"


def test_an_skp_recap_of_the_predikat_alone_is_read(exported: Path, tmp_path: Path) -> None:
    """A SIMPEG's recap of SKP 2022+ may give the predikat alone (`NIP, Tahun, Predikat`,
    as a person types it): once set aside for lacking the two ratings, and every predikat
    year was lost with the import valid. Now read, the ratings empty (the contract's
    ratings are optional)."""
    src = _source(exported, tmp_path)
    skp = pd.read_csv(src / "skp22.csv", dtype=str, keep_default_na=False)
    recap = pd.DataFrame(
        {"NIP": skp["nip"], "Tahun": skp["tahun"], "Predikat": skp["kuadranKinerja"].str.title()}
    )
    recap.to_csv(src / "skp22.csv", index=False)
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"] and not report.ignored, report.ignored
    assert_same_world(exported, out)  # every predikat back
    back = load_data(out, "drop").evaluations
    assert back.loc[back["period"] >= 2022, "rating_hasil_kerja"].isna().all()


def test_dates_saved_as_day_numbers_are_read_and_a_file_mostly_dropped_is_flagged(
    exported: Path, tmp_path: Path
) -> None:
    """A TMT column formatted General in Excel is saved as day numbers (`31472` for
    1986-03-01): every riwayat row was dropped as 'not a date' and the import still said
    valid. Day numbers are read; a file whose rows are mostly dropped gets a warning line
    naming the reason."""
    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    tmt = pd.to_datetime(riwayat["TMT JABATAN"], format="%d/%m/%Y")
    riwayat["TMT JABATAN"] = (tmt - pd.Timestamp("1899-12-30")).dt.days.astype(str)
    riwayat.to_csv(path, sep=";", index=False)
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 0 and "warning" not in run.stdout, run.output
    assert_same_world(exported, out)
    riwayat["TMT JABATAN"] = "sejak lama"
    riwayat.to_csv(path, sep=";", index=False)
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(tmp_path / "bad")])
    rows = len(riwayat)
    assert f"    warning: {rows:,} of {rows:,} rows dropped, {rows:,} of them: TMT JABATAN is not a date" in run.stdout  # fmt: skip


def test_dates_an_english_excel_wrote_month_first_are_read_month_first(
    exported: Path, tmp_path: Path
) -> None:
    """A riwayat saved by Excel set to English (US) writes `3/1/1986` for 1 March: read day
    first, every TMT after the 12th of its month was dropped and the rest moved to another
    month, silently. A file whose dates show month first is read so."""
    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    tmt = pd.to_datetime(riwayat["TMT JABATAN"], format="%d/%m/%Y")
    riwayat["TMT JABATAN"] = [f"{d.month}/{d.day}/{d.year}" for d in tmt]
    riwayat.to_csv(path, sep=";", index=False)
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 0 and "warning" not in run.stdout, run.output
    assert_same_world(exported, out)


def test_dates_with_two_digit_years_are_read_in_the_century_they_happened(
    exported: Path, tmp_path: Path
) -> None:
    """Excel's short date formats write `10-01-70` and `1-Des-18`: no date was read, every
    riwayat and diklat row was dropped and the import failed. A two-digit year is this
    century's up to next year, else the last one's (a birth in 1965 is not one in 2065, as
    Python's own `%y` would have it)."""
    src = _source(exported, tmp_path)
    for name, sep, column, form in (
        ("Data_ASN.csv", ",", "TANGGAL LAHIR", "%d-%m-%y"),
        ("riwayat_jabatan.csv", ";", "TMT JABATAN", "%d/%m/%y"),
        ("diklat.csv", ",", "TANGGAL SELESAI", "%-d-%b-%y"),
    ):
        frame = pd.read_csv(src / name, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")  # fmt: skip
        when = pd.to_datetime(frame[column], dayfirst=True)
        frame[column] = when.dt.strftime(form).str.replace("Dec", "Des").str.replace("Aug", "Agu")
        frame.to_csv(src / name, sep=sep, index=False)
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 0 and "warning" not in run.stdout, run.output
    assert_same_world(exported, out)
    born = pd.read_csv(out / "employees.csv", parse_dates=["birth_date"])["birth_date"].dt.year
    assert born.min() < 1968  # born before 1968: 19xx where `%y` reads 20xx


def test_diklat_hours_written_with_their_unit_are_read(exported: Path, tmp_path: Path) -> None:
    """`32 JP` (jam pelajaran) or `40 Jam`, as SIMPEG writes hours: once every such row was
    dropped as 'not a positive number'."""
    src = _source(exported, tmp_path)
    diklat = pd.read_csv(src / "diklat.csv", dtype=str, keep_default_na=False)
    unit = ["JP", "Jam", "jp.", "JPL"]
    diklat["JUMLAH JAM"] = [f"{h} {unit[k % 4]}" for k, h in enumerate(diklat["JUMLAH JAM"])]
    diklat.to_csv(src / "diklat.csv", index=False)
    out = tmp_path / "out"
    assert import_siasn(src, out).contract["valid"]
    hours = load_data(out).trainings["hours"].sort_values(ignore_index=True)
    expected = load_data(exported).trainings["hours"].sort_values(ignore_index=True)
    pd.testing.assert_series_equal(hours, expected)


def _titled_workbook(path: Path, headings: list[list[str | None]], rows: pd.DataFrame) -> None:
    """`rows` as a SIMPEG report's sheet: a title row, then `headings`, then the rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["DAFTAR PEGAWAI"], *headings, *map(list, rows.itertuples(index=False))]:
        sheet.append(row)
    book.save(path)


def test_a_row_of_group_headings_above_the_header_is_skipped(
    exported: Path, tmp_path: Path
) -> None:
    """A SIMPEG workbook groups its headings under a row of their own (`IDENTITAS`,
    `JABATAN`, `PENDIDIKAN`), which are known names too: the first row naming two was taken
    for the header, and Data ASN was refused as missing. The header is the row naming most."""

    src = _source(exported, tmp_path)
    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    (src / "Data_ASN.csv").unlink()
    groups = {"NIP BARU": "IDENTITAS", "JABATAN NAMA": "JABATAN", "PENDIDIKAN NAMA": "PENDIDIKAN"}
    _titled_workbook(src / "Data_ASN.xlsx", [[groups.get(c) for c in asn.columns], list(asn.columns)], asn)  # fmt: skip
    out = tmp_path / "out"
    assert import_siasn(src, out).contract["valid"]
    assert_same_world(exported, out)


def test_headings_merged_over_two_rows_are_read_as_one(exported: Path, tmp_path: Path) -> None:
    """A SIMPEG report exported from a sheet with merged headings writes them over two rows
    (`JABATAN` above `NAMA`, `TMT` and `JENIS`; `NIP` above an empty cell): the riwayat was
    refused as missing (no row named its TMT) and Data ASN lost its kedudukan. Both rows are
    read as one header, in a CSV as in a workbook."""

    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    heads = {
        "NIP BARU": ("NIP", ""), "JABATAN NAMA": ("JABATAN", "NAMA"), "TMT JABATAN": ("", "TMT"),
        "JENIS JABATAN ID": ("", "JENIS"), "UNOR ID": ("UNIT KERJA", "KODE"),
        "UNOR NAMA": ("", "NAMA"), "ESELON ID": ("ESELON", ""), "JENIS MUTASI": ("JENIS MUTASI", ""),
    }  # fmt: skip
    riwayat = riwayat[list(heads)]
    lines = [";".join(h[0] for h in heads.values()), ";".join(h[1] for h in heads.values())]
    lines += [";".join(row) for row in riwayat.itertuples(index=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    asn = pd.read_csv(src / "Data_ASN.csv", dtype=str, keep_default_na=False)
    (src / "Data_ASN.csv").unlink()
    pairs = {"AGAMA", "JENIS KAWIN", "KEDUDUKAN HUKUM", "TINGKAT PENDIDIKAN"}
    upper: list[str | None] = []
    lower: list[str | None] = []
    for k, column in enumerate(asn.columns):
        group, _, own = column.rpartition(" ")
        if group in pairs:
            upper.append(None if upper and upper[-1] == group else group)
            lower.append(own)
        else:
            upper.append("IDENTITAS" if k == 1 else None if k < 8 else column)
            lower.append(column if k < 8 else None)
    _titled_workbook(src / "Data_ASN.xlsx", [upper, lower], asn)
    out = tmp_path / "out"
    assert import_siasn(src, out).contract["valid"]
    assert_same_world(exported, out)


def test_a_heading_under_a_group_is_read_only_as_what_it_names(tmp_path: Path) -> None:
    """Under a group that only groups (`DATA PRIBADI`) a heading is itself; under a group
    that qualifies it, the two together or nothing known: `KEDUDUKAN HUKUM` + `ID` is no unor
    tree's `ID`, `TMT` + `PNS` no SIASN `PNS ID`; those stay as written, for the mapping."""
    path = tmp_path / "pegawai.csv"
    upper = ["DATA PRIBADI", "", "", "KEDUDUKAN HUKUM", "", "TMT", "", "UNIT KERJA"]
    lower = ["NIP", "NAMA", "TANGGAL LAHIR", "ID", "NAMA", "CPNS", "PNS", ""]
    row = ["198409192014011001", "A", "1984-09-19", "01", "Aktif", "2014-01-01", "2015-01-01", "X"]
    path.write_text("\n".join(",".join(r) for r in (upper, lower, row)) + "\n")
    (export,) = read_exports(path)
    assert list(export.frame.columns) == [
        "NIP BARU", "NAMA", "TANGGAL LAHIR", "KEDUDUKAN HUKUM ID", "KEDUDUKAN HUKUM NAMA",
        "TMT CPNS", "TMT PNS", "UNOR NAMA",
    ]  # fmt: skip
    assert export.header_row == 1 and export.frame.iloc[0].tolist()[-1] == "X"


def test_hostile_cells_and_files_neither_run_nor_stop_the_import(
    exported: Path, tmp_path: Path
) -> None:
    """A unit name that is a guarded formula in the export stays guarded in every file the
    import writes; a damaged file and an endless header are set aside with the reason,
    named in the report, and the rest imports."""
    src = _source(exported, tmp_path)
    unor = pd.read_csv(src / "unor.csv", dtype=str, keep_default_na=False, sep="|")
    unor.loc[1, "NamaUnor"] = "'=HYPERLINK(" + '"http://x"' + ")"
    unor.to_csv(src / "unor.csv", index=False, sep="|")
    (src / "rusak.csv").write_bytes(b"\xff\xfe\x00\x81 not text")
    (src / "lebar.csv").write_text(",".join(["x"] * 5000) + "\n")
    (src / "<b>judul.txt").write_text("bukan ekspor\n")
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"]
    assert report.ignored["rusak.csv"].startswith("unreadable")
    assert "5,000 columns" in report.ignored["lebar.csv"]
    names = pd.read_csv(out / "units.csv", dtype=str)["unit_name"]
    assert names.str.startswith("=").sum() == 0 and names.str.startswith("'=").sum() == 1
    mapping = (out / "mapping.csv").read_text()
    assert "\n=" not in mapping and ",=" not in mapping
    markdown = (out / "import_report.md").read_text()
    assert "<b>" not in markdown and "\\<b\\>judul" in markdown


def _cut(path: Path, keep: int | None = None, pad: int = 0) -> int:
    """Cut a text file after its last row's first `keep` characters (the line end gone),
    and add `pad` zero bytes; the last row's line."""
    data = path.read_bytes().rstrip(b"\r\n")
    head, last = data.rsplit(b"\n", 1)
    path.write_bytes(head + b"\n" + last[:keep] + b"\x00" * pad)
    return head.count(b"\n") + 2


def test_a_file_copied_in_part_is_never_read_as_whole(exported: Path, tmp_path: Path) -> None:
    """An interrupted copy stops mid-row and pandas reads the row as whole: the last
    numeric SKP score `73,43` cut to `7` was imported as 7 (its year's mean with the other
    period), the contract valid. A last row with fewer fields than the header, or zero bytes
    after it (a copy made at the file's full size), is left out and counted; one with all
    its fields, no line end after it, is kept and named to check (a cut in its last value
    and a file made by hand look alike). Both are printed and written in the report; a
    workbook cut short is unreadable, set aside, and a warning says the import lacks it."""
    src = _source(exported, tmp_path)
    rows = {name: sum(1 for _ in (src / name).open(encoding="utf-8-sig")) - 1 for name in ("riwayat_jabatan.csv", "diklat.csv")}  # fmt: skip
    short = _cut(src / "riwayat_jabatan.csv", keep=30)  # into its third field of eight
    padded = _cut(src / "diklat.csv", keep=10, pad=4096)
    skp = src / "skp_2016_2021.csv"
    score = skp.read_text(encoding="utf-8-sig").rstrip().rsplit(";", 1)[1]
    open_end = _cut(skp, keep=-(len(score) - 1))  # `73,43` -> `7`: every field still there
    asesmen = src / "rekap_asesmen.xlsx"
    asesmen.write_bytes(asesmen.read_bytes()[:2000])  # unreadable: set aside, and said so
    out, run = _imports(src)
    cut = f"cut off: the file ends mid-row, its last row (line {short:,}) with 3 of the header's 8 fields"  # fmt: skip
    zeros = f"cut off: the file ends in zero bytes (line {padded:,})"
    check = f"skp_2016_2021.csv ends without a line end after its last row (line {open_end:,}): kept as read"  # fmt: skip
    warning = "warning: 1 unreadable file(s) set aside: the import lacks their rows"
    for line in (f"check: riwayat_jabatan.csv: {cut}", f"check: diklat.csv: {zeros}", f"check: {check}", warning):  # fmt: skip
        assert line in run.stdout, run.output
    report = _report(out)
    files = {f["file"]: f for f in report["files"]}
    for name, reason in (("riwayat_jabatan.csv", cut), ("diklat.csv", zeros)):
        assert files[name]["read"] == rows[name] and files[name]["accounted"]
        assert [n for why, n in files[name]["dropped"].items() if why.startswith(reason)] == [1]
    assert any(c.startswith(check) for c in report["check_first"])
    assert "## Check first" in (out / "import_report.md").read_text()
    strict = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out), "--strict"])
    assert strict.exit_code == 1 and "--strict: 1 unreadable file(s), 3 thing(s) to check first" in strict.output  # fmt: skip


def test_an_export_that_does_not_quote_what_it_should_imports_the_same_world(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """Three ways an export leaves cells unquoted, each in a file of its own: a line break
    inside a unit's name (riwayat, `;`), a separator after every row's last value (diklat),
    and a degree title `S.H., M.Si` in Data ASN (`,`). Before: the split row was kept without
    its position, every diklat row was dropped (the NIP read as pandas' index), and Data ASN
    was set aside whole, so the import failed. Now the first two import the same world; the
    third leaves that employee's row out, counted and named to check."""
    src = _source(exported, tmp_path)
    riwayat = src / "riwayat_jabatan.csv"
    lines = riwayat.read_text(encoding="utf-8-sig").split("\n")
    split = next(k for k, line in enumerate(lines) if k and " " in line.split(";")[3])
    fields = lines[split].split(";")
    fields[3] = fields[3].replace(" ", "\r\n", 1)
    lines[split] = ";".join(fields)
    riwayat.write_text("\n".join(lines), encoding="utf-8-sig")
    diklat = src / "diklat.csv"
    heading, *courses = diklat.read_text(encoding="utf-8-sig").splitlines()
    diklat.write_text(
        "\n".join([heading, *(f"{row}," for row in courses)]) + "\n", encoding="utf-8-sig"
    )
    people = src / "Data_ASN.csv"
    head, *rows = people.read_text(encoding="utf-8-sig").splitlines()
    title = head.split(",").index("GELAR BELAKANG")
    fields = rows[4].split(",")
    fields[title] = "S.H., M.Si"
    rows[4] = ",".join(fields)
    people.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8-sig")
    out, run = _imports(src)
    assert f"check: Data_ASN.csv: 1 row(s) with more fields than the header's {len(head.split(','))} left out (line 6)" in run.stdout  # fmt: skip
    report = _report(out)
    files = {f["file"]: f for f in report["files"]}
    assert files["riwayat_jabatan.csv"]["repaired"] == {"a row split by a line break inside a cell, rejoined": 1}  # fmt: skip
    assert files["Data_ASN.csv"]["dropped"] == {"more fields than the header (a separator inside a cell the export did not quote)": 1}  # fmt: skip
    assert files["diklat.csv"]["kept"] == len(courses) and all(
        f["accounted"] for f in files.values()
    )
    nip = rows[4].split(",")[head.split(",").index("NIP BARU")].lstrip("'")
    _same(out, imported, "assignments", "trainings", without=[nip])


def _source(exported: Path, tmp_path: Path) -> Path:
    """A copy of the generated export, to break as an agency's files are broken."""
    src = tmp_path / "src"
    shutil.copytree(exported / "siasn", src)
    return src


def _imports(src: Path) -> tuple[Path, Result]:
    """`penataan import siasn src`, which must end in exit 0: the contract folder and the run."""
    out = src.parent / "out"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 0, run.output
    return out, run


def _same(out: Path, imported: Path, *tables: str, sort: bool = False, without: Sequence[str] = ()) -> None:  # fmt: skip
    """Each table of `out` is the clean import's, row for row (`sort`: in any order), the
    people `without` left out of both."""
    for table in tables:
        mine, theirs = (pd.read_csv(d / f"{table}.csv", dtype=str) for d in (out, imported))
        mine, theirs = (f[~f["nip"].isin(without)] if without else f for f in (mine, theirs))
        if sort:
            mine, theirs = (f.sort_values(list(f.columns)) for f in (mine, theirs))
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))


def _report(out: Path) -> dict[str, Any]:
    """The import report an import wrote beside its contract folder."""
    return json.loads((out / "import_report.json").read_text())


@contextlib.contextmanager
def _edited(src: Path, name: str) -> Iterator[pd.DataFrame]:
    """An export's text file as a frame of text cells, to change in place; written back with
    its own separator when the block ends."""
    path = src / name
    separator = max([",", ";", "|", "\t"], key=path.read_text(encoding="utf-8-sig").split("\n", 1)[0].count)  # fmt: skip
    frame = pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    yield frame
    frame.to_csv(path, sep=separator, index=False)


def _nips(src: Path, mark: Callable[[str], str], files: str = "*.csv") -> None:
    """Every NIP cell of the export's text files (`files`) rewritten by `mark`."""
    for path in src.glob(files):
        text = path.read_text(encoding="utf-8-sig")
        sep = ";" if text.split("\n")[0].count(";") > text.split("\n")[0].count(",") else ","
        sep = "|" if "|" in text.split("\n")[0] else sep
        rows = list(csv.reader(text.splitlines(), delimiter=sep))
        columns = [k for k, name in enumerate(rows[0]) if "NIP" in name.upper()]
        for row in rows[1:]:
            for k in columns:
                row[k] = mark(row[k]) if k < len(row) and row[k] else row[k]
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=sep, lineterminator="\n").writerows(rows)


def test_characters_no_one_sees_are_not_part_of_a_nip(exported: Path, tmp_path: Path) -> None:
    """A NIP copied from a web page (SIASN's, an e-Kinerja page) carries a zero-width space
    before it and a no-break space after it: not 18 digits, every row of every file was
    dropped and the import ended in `Cannot cast DatetimeArray to dtype float64`. The cells
    are read without them: the same world."""
    src = _source(exported, tmp_path)
    _nips(src, lambda nip: f"\u200b{nip}\xa0")
    out, run = _imports(src)
    assert_same_world(exported, out)


def test_an_export_of_no_valid_nip_is_refused_by_the_contract_not_a_crash(exported: Path, tmp_path: Path) -> None:  # fmt: skip
    """Every row dropped (no NIP is 18 digits): the report's counts and the contract's
    refusal say so, exit 1; no pandas error about empty frames."""
    src = _source(exported, tmp_path)
    _nips(src, lambda nip: f"NIP {nip}")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 1 and "Cannot cast" not in run.output
    assert "rows dropped" in run.stdout and "NIP is not 18 digits" in run.stdout
    assert _report(out)["contract"]["valid"] is False


def test_nips_excel_showed_in_scientific_notation_are_restored_where_proven(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A history opened in Excel and saved again writes each NIP as Excel showed it, a
    number in scientific notation: `1,96501E+17` (Excel set to Indonesian, six digits shown)
    or `1.96501162006032E+17` (the 15 it keeps, the rest zeros). Every such row was dropped as of no known
    employee. The 15 digits are restored as a mangled NIP's are (diklat); six digits only
    where the file gives a name and one employee of those digits has it (SKP up to 2021),
    the rest dropped saying the digits are lost and what to do (hukdis: no names)."""
    src = _source(exported, tmp_path)
    _nips(
        src, lambda nip: f"{int(nip.lstrip(chr(39))[:15] + '000'):.14E}", files="diklat.csv"
    )  # 15 kept
    for name in ("skp_2016_2021.csv", "hukdis.csv"):  # the first gives names, the second none
        _nips(src, lambda nip: f"{int(nip.lstrip(chr(39))):.5E}".replace(".", ","), files=name)
    out, run = _imports(src)
    people = pd.read_csv(imported / "employees.csv", dtype=str)
    shown = people["nip"].map(lambda nip: (int(nip) + 5 * 10**11) // 10**12)
    # in this world a name is one person's within a birth month (six digits shown); two
    # people share 15 digits here and there: their diklat rows stay unrestored, as before
    assert not people.groupby([shown, people["name"].str.upper()])["nip"].size().gt(1).any()
    twins = people.loc[people.groupby(people["nip"].str[:15])["nip"].transform("size") > 1, "nip"]
    _same(out, imported, "evaluations")
    _same(out, imported, "trainings", without=list(twins))
    files = {f["file"]: f for f in _report(out)["files"]}
    restored = files["skp_2016_2021.csv"]["repaired"]
    assert restored["Excel-mangled NIP restored (shown as 6 digits in scientific notation; they and the name agree)"] > 0  # fmt: skip
    assert files["diklat.csv"]["repaired"]
    assert files["hukdis.csv"]["dropped"] == {SHOWN_LOST: files["hukdis.csv"]["read"]}


def test_a_grouped_report_gives_each_row_its_persons_nip(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A SIMPEG report prints a person's NIP on their first row only (and a sheet reads a NIP
    merged down over the rows so): every row below was dropped as naming no one, a career
    reduced to its first spell. Where the file shows the layout (each person's rows together)
    they are the person's above, counted as repaired; a file whose persons' rows lie apart
    is not read so (its rows that name no one are dropped, as before); a report's footer
    and a signature are lines of text, not records."""
    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    riwayat = riwayat.sort_values("NIP BARU", kind="stable")
    blanked = riwayat["NIP BARU"].duplicated()
    riwayat.loc[blanked, "NIP BARU"] = ""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        riwayat.to_csv(handle, sep=";", index=False)
        handle.write(
            ";;;;;;;\nDicetak oleh SIMPEG pada 01-12-2026 10:15;;;;;;;\n;;;;;Kepala BKPSDM;;\n"
        )
    with _edited(src, "diklat.csv") as diklat:
        gaps = diklat["NIP BARU"].eq(diklat["NIP BARU"].shift())  # unsorted: rows apart
        diklat.loc[gaps, "NIP BARU"] = ""
    out, run = _imports(src)
    files = {f["file"]: f for f in _report(out)["files"]}
    assert list(files["riwayat_jabatan.csv"]["repaired"].values()) == [int(blanked.sum())]
    assert files["riwayat_jabatan.csv"]["dropped"] == {"a line of text, not a record (one cell filled: a footer, a title, a signature)": 2}  # fmt: skip
    assert files["diklat.csv"]["dropped"] == {"no NIP (nor a PNS ID paired with one)": int(gaps.sum())}  # fmt: skip
    _same(out, imported, "assignments", "evaluations", sort=True)


def test_headings_wrapped_over_lines_are_read_as_one_header(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A formatted report's wrapped headings are saved as quoted names that break over lines
    (`"TMT` and `JABATAN"`): read line by line, the header named nothing, and the riwayat
    (the first line `"NIP` without a separator) was no known kind: the import failed."""
    src = _source(exported, tmp_path)
    for name in ("riwayat_jabatan.csv", "skm.csv"):
        text = (src / name).read_text(encoding="utf-8-sig")
        head, rest = text.split("\n", 1)
        sep = ";" if head.count(";") > head.count(",") else ","
        wrapped = sep.join(f'"{h.replace(" ", chr(10), 1)}"' for h in head.split(sep))
        (src / name).write_text(f"{wrapped}\n{rest}", encoding="utf-8-sig")
    out, run = _imports(src)
    _same(out, imported, "assignments", "unit_kpis")


def test_codes_a_workbook_stores_as_numbers_read_as_codes_beside_empty_cells(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A SIMPEG workbook stores `JENIS JABATAN ID` and `ESELON ID` as numbers; one empty
    cell in the column (a merged cell, a row not filled) made pandas turn the column float,
    `1` read as `1.0`, which no code is: every struktural and fungsional spell was read as a
    pelaksana's."""
    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path.unlink()
    book = openpyxl.Workbook()
    book.active.append(list(riwayat.columns))
    numeric = {"JENIS JABATAN ID", "ESELON ID"}
    blank = riwayat.index[riwayat["JENIS JABATAN ID"].eq("4")][0]  # read as pelaksana either way
    for k, row in riwayat.iterrows():
        cells = {c: (int(v) if c in numeric else v) for c, v in row.items()}
        cells["JENIS JABATAN ID"] = None if k == blank else cells["JENIS JABATAN ID"]
        book.active.append(list(cells.values()))
    book.save(src / "riwayat_jabatan.xlsx")
    out, run = _imports(src)
    assert set(pd.read_csv(imported / "assignments.csv")["position_type"]) > {"pelaksana"}
    _same(out, imported, "assignments", sort=True)


def test_a_simpeg_report_workbook_imports_the_same_world(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """The riwayat as a SIMPEG report prints it: title rows, a `NO` column, wrapped headings,
    the columns' numbers under them, each person's rows together with their number and NIP
    merged down over them, codes stored as numbers, a place, date and signature below."""
    src = _source(exported, tmp_path)
    path = src / "riwayat_jabatan.csv"
    riwayat = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path.unlink()
    riwayat = riwayat.sort_values("NIP BARU", kind="stable")
    book = openpyxl.Workbook()
    sheet = book.active
    for title in (["LAPORAN RIWAYAT JABATAN PEGAWAI"], ["PEMERINTAH KOTA MATARAM"], []):
        sheet.append(title)
    sheet.append(["NO", *(c.replace(" ", "\n", 1) for c in riwayat.columns)])
    sheet.append(list(range(1, len(riwayat.columns) + 2)))
    for number, (_, rows) in enumerate(riwayat.groupby("NIP BARU", sort=False), 1):
        first = sheet.max_row + 1
        for k, row in enumerate(rows.itertuples(index=False)):
            codes = [int(v) if c in ("JENIS JABATAN ID", "ESELON ID") else v for c, v in zip(riwayat.columns, row, strict=True)]  # fmt: skip
            sheet.append([number if k == 0 else None, *codes])
        for column in (1, 2):
            sheet.merge_cells(start_row=first, end_row=sheet.max_row, start_column=column, end_column=column)  # fmt: skip
    for line in ([], [None, None, None, None, "Mataram, 1 Desember 2026"], [None, None, None, None, "Kepala BKPSDM"]):  # fmt: skip
        sheet.append(line)
    book.save(src / "riwayat_jabatan.xlsx")
    out, run = _imports(src)
    _same(out, imported, "assignments", sort=True)


def test_predikat_and_ratings_read_whatever_their_spacing_case_or_punctuation(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """`Kurang / Misconduct`, `sangat baik`, `DIATASEKSPEKTASI`, `Sesuai Ekspektasi`: the
    predikat of such rows was no predikat (the row dropped) and a rating none (left empty,
    silently). Compared by letters and digits, each is SIASN's text; a rating still unread
    is counted in the report's evidence."""
    src = _source(exported, tmp_path)
    forms = [str.title, str.lower, lambda v: v.replace(" ", ""), lambda v: v.replace("/", " / ")]
    with _edited(src, "skp22.csv") as skp:
        for column in ("hasilKinerja", "perilakuKerja", "kuadranKinerja"):
            skp[column] = [forms[k % len(forms)](v) for k, v in enumerate(skp[column])]
    out, run = _imports(src)
    _same(out, imported, "evaluations")
    evidence = _report(out)["evidence"]
    assert evidence["SKP 2022+ ratings given but no rating SIASN knows (left empty)"] == 0


def test_a_recap_naming_units_by_their_abbreviations_finds_them(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """An SKM report writes `KEC. CAKRANEGARA` and `Kel. Cakranegara Selatan` where the unor
    tree has `Kecamatan Cakranegara`: such a row matched no unit and was dropped (the
    service results of 102 of 120 unit-years gone). Full stops, case and the usual
    abbreviations (`NAME_WORDS`) no longer stand between a name and its unit."""
    src = _source(exported, tmp_path)
    with _edited(src, "skm.csv") as skm:
        short = skm["NAMA UNIT"].str.replace("Kecamatan", "Kec.").str.replace("Kelurahan", "Kel.")
        skm["NAMA UNIT"] = short.where(skm.index % 2 == 0, short.str.upper())
        assert skm["NAMA UNIT"].str.upper().str.contains(r"KE[CL]\.").mean() > 0.5
    out, run = _imports(src)
    _same(out, imported, "unit_kpis")


def test_golongan_and_education_read_as_vendors_write_them(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """`III/A`, `III - a`, `IIIa`, `Penata Muda (III/a)`, a PPPK's `Gol. IX`; `S1`, `D3`,
    `D IV`, `SMA`, `Strata 1` with no level id beside them: such a golongan was none (every
    such current employee refused by the contract: the import failed) and `D IV` no level."""
    src = _source(exported, tmp_path)
    forms = [str.upper, lambda v: v.replace("/", " - "), lambda v: v.replace("/", ""), lambda v: f"Penata Muda ({v})" if "/" in v else f"Gol. {v}"]  # fmt: skip
    short = {"S-1": "S1", "D-III": "D3", "D-IV": "D IV", "SLTA": "SMA", "S-2": "Strata 2"}
    with _edited(src, "Data_ASN.csv") as people:
        people["GOL AKHIR NAMA"] = [forms[k % 4](v) if v not in ("", "null") else v for k, v in enumerate(people["GOL AKHIR NAMA"])]  # fmt: skip
        people["TINGKAT PENDIDIKAN NAMA"] = people["TINGKAT PENDIDIKAN NAMA"].replace(short)
        people["TINGKAT PENDIDIKAN ID"] = ""
    out, run = _imports(src)
    _same(out, imported, "employees")


def test_jenis_jabatan_read_from_the_words_exports_use(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """`JFT`, `JFU`, `Jabatan Pimpinan Tinggi`, `Jabatan Pelaksana` in place of SIASN's code:
    the first three were no kind known and every such spell was read as a pelaksana's,
    silently. Now read, and what is still unknown is counted in the evidence; an eselon as
    SIMPEG writes it (`IIIb` and `Eselon III/a` were a pengawas's) too."""
    src = _source(exported, tmp_path)
    words = {"1": ["Struktural", "Jabatan Pimpinan Tinggi", "JPT"], "2": ["JFT", "Jabatan Fungsional", "JF"], "4": ["JFU", "Jabatan Pelaksana", "Fungsional Umum"]}  # fmt: skip
    eselon = {"21": "II.a", "22": "II/B", "31": "Eselon III/a", "32": "IIIb", "41": "IV/A", "42": "ESELON IV.b"}  # fmt: skip
    with _edited(src, "riwayat_jabatan.csv") as riwayat:
        riwayat["JENIS JABATAN ID"] = [words[c][k % 3] if c in words else c for k, c in enumerate(riwayat["JENIS JABATAN ID"])]  # fmt: skip
        assert set(riwayat["ESELON ID"]) & set(eselon)
        riwayat["ESELON ID"] = riwayat["ESELON ID"].replace(eselon)
    out, run = _imports(src)
    _same(out, imported, "assignments")
    evidence = _report(out)["evidence"]
    assert evidence["riwayat rows whose jenis jabatan is no kind known (read as pelaksana)"] == 0


def test_assessment_levels_and_discipline_read_as_recaps_write_them(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """An assessment recap's `Level 3`, `III` or `3,00`: each cell was no number and left out
    without a note (half the competencies gone); a hukdis's `Hukuman Disiplin Ringan` or
    `Hukdis Berat`: the row dropped as of no tingkat."""
    src = _source(exported, tmp_path)
    book = openpyxl.load_workbook(src / "rekap_asesmen.xlsx")
    forms = [lambda v: f"Level {v}", lambda v: ["I", "II", "III", "IV", "V"][int(v) - 1], lambda v: f"{v},00"]  # fmt: skip
    for k, row in enumerate(book.active.iter_rows(min_row=2)):
        for cell in row[3:]:
            cell.value = forms[k % 3](cell.value) if cell.value not in (None, "") else cell.value
    book.save(src / "rekap_asesmen.xlsx")
    words = {"R": "Hukuman Disiplin Ringan", "S": "Hukdis Sedang", "B": "Hukdis Berat"}
    with _edited(src, "hukdis.csv") as hukdis:
        hukdis["TINGKAT HUKUMAN"] = hukdis["TINGKAT HUKUMAN"].replace(words)
    out, run = _imports(src)
    _same(out, imported, "competencies", "discipline")


def test_numbers_with_their_words_are_read_and_one_that_is_none_drops_its_row(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A SIMPEG recap prints `85,50 (Baik)` or `Baik (85,50)`, an SKM report `25,7 menit`:
    each was no number (the SKP row dropped). And one score that is no number at all
    (`-`, a cell typed by hand) ended the whole import in a pandas error about missing
    values; it drops its row, counted."""
    src = _source(exported, tmp_path)
    forms = [lambda v: f"{v} (Baik)", lambda v: f"Baik ({v})", lambda v: v]
    with _edited(src, "skp_2016_2021.csv") as skp:
        skp["NILAI PRESTASI KERJA"] = [forms[k % 3](v) for k, v in enumerate(skp["NILAI PRESTASI KERJA"])]  # fmt: skip
        skp.loc[len(skp)] = [*skp.iloc[0, :-1], "-"]  # the same person and year, no score
    with _edited(src, "skm.csv") as skm:
        skm["RATA-RATA WAKTU TUNGGU"] += " menit"
    out, run = _imports(src)
    _same(out, imported, "evaluations", "unit_kpis")
    files = {f["file"]: f for f in _report(out)["files"]}
    assert files["skp_2016_2021.csv"]["dropped"] == {"nilai is not a number 0-100": 1}


def test_cells_an_export_got_wrong_drop_or_empty_their_rows_never_end_the_import(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """Cells as exports get them wrong: a year `0` in an SKP (the import ended in a pandas
    error about `0-01-01`), an SKM's `#N/A` year and `9999999` IKM (written through, and the
    contract refused the import), a PPPK whose `JENIS PEGAWAI NAMA` is `#N/A` (read as a PNS:
    the contract refused their NIP), two units from one TMT (the first spell ended the day
    before it began: refused), a unit whose id is `N/A` (a unit the contract refused). Each
    now drops its row, empties its cell or lets the NIP say, counted; the rest of the world
    is the same."""
    src = _source(exported, tmp_path)
    with _edited(src, "skp_2016_2021.csv") as skp:
        skp.loc[len(skp)] = pd.Series({**skp.iloc[0], "TAHUN": "0"})
    with _edited(src, "skm.csv") as skm:
        skm.loc[0, "IKM"] = "9999999"
        skm.loc[len(skm)] = pd.Series({**skm.iloc[1], "TAHUN": "#N/A"})
    with _edited(src, "unor.csv") as unor:
        unor.loc[len(unor)] = pd.Series({**unor.iloc[-1], "Id": "N/A"})
    with _edited(src, "Data_ASN.csv") as people:
        people.loc[people["JENIS PEGAWAI NAMA"].eq("PPPK"), "JENIS PEGAWAI NAMA"] = "#N/A"
    with _edited(src, "riwayat_jabatan.csv") as riwayat:  # the file's earlier row: dropped
        riwayat.loc[len(riwayat)] = riwayat.iloc[0]
        riwayat.loc[0, "UNOR ID"] = riwayat["UNOR ID"].iloc[-2]
    out, run = _imports(src)
    report = _report(out)
    files = {f["file"]: f for f in report["files"]}
    year = "TAHUN is not a year (1900 to next year)"
    assert files["skp_2016_2021.csv"]["dropped"] == {year: 1} and files["skm.csv"]["dropped"] == {year: 1}  # fmt: skip
    assert files["riwayat_jabatan.csv"]["dropped"] == {"another unit from the same TMT (the file's later row kept)": 1}  # fmt: skip
    assert report["evidence"]["SKM IKM outside 0-100 or waiting times below 0 (left empty)"] == 1
    assert files["unor.csv"]["dropped"] == {"unit id is no id (letters, digits, _ . -)": 1}
    _same(out, imported, "units", "employees", "assignments", "evaluations")
    kpis = pd.read_csv(out / "unit_kpis.csv", dtype=str)
    assert (
        len(kpis) == len(pd.read_csv(imported / "unit_kpis.csv")) and kpis["ikm"].isna().sum() == 1
    )


def test_a_required_cell_gone_wrong_is_read_from_another_column_or_named_at_its_source(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """An education level whose `TINGKAT PENDIDIKAN NAMA` is `#N/A` is SIASN's id's (`40`)
    or the diploma's (`S-1 AKUNTANSI`); before, the level was none and the contract refused
    the employee. What no column gives (a name gone) is named under "Check first" by NIP and
    what the cells held, where the contract's refusal names rows of its own employees.csv; a
    spreadsheet's error value (`#REF!`) is no value, counted in the notes."""
    src = _source(exported, tmp_path)
    with _edited(src, "Data_ASN.csv") as people:
        people.loc[0:9, "TINGKAT PENDIDIKAN NAMA"] = "#N/A"  # the id says
        people.loc[10:19, ["TINGKAT PENDIDIKAN NAMA", "TINGKAT PENDIDIKAN ID"]] = [
            "-",
            "",
        ]  # the diploma
    out, run = _imports(src)
    _same(out, imported, "employees")
    with _edited(src, "Data_ASN.csv") as people:
        nip = people.loc[20, "NIP BARU"].lstrip("'")
        people.loc[20, "NAMA"] = "#REF!"
    run = CliRunner().invoke(app, ["import", "siasn", str(src), "--out", str(out)])
    assert run.exit_code == 1  # a spreadsheet's error value is no value: no name
    assert f"check: Data ASN: 1 current employee(s) with no name the import could read from NAMA: {nip} (empty)" in run.output  # fmt: skip
    notes = _report(out)["notes"]
    assert "Data_ASN.csv: 11 cell(s) held a spreadsheet's error value (#N/A, #REF! ...): read as empty" in notes  # fmt: skip


def test_headers_whose_words_ran_together_are_read_as_their_fields(
    exported: Path, imported: Path, tmp_path: Path
) -> None:
    """A database dump's lower-case names (`diatasanid`, `namaunor`, `tmtjabatan`): the unor
    tree was no kind known and the import failed, saying to map every column."""
    src = _source(exported, tmp_path)
    for name in ("unor.csv", "riwayat_jabatan.csv"):
        text = (src / name).read_text(encoding="utf-8-sig")
        head, rest = text.split("\n", 1)
        (src / name).write_text(f"{head.lower().replace(' ', '')}\n{rest}", encoding="utf-8-sig")
    assert (src / "unor.csv").read_text(encoding="utf-8-sig").startswith("id|diatasanid|namaunor")
    out, _ = _imports(src)
    _same(out, imported, "units", "assignments")
