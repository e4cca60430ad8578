"""Files in the shapes SIASN's API and a SIMPEG database hold, written by hand, not by our
exporter: an importer tested only on what `world/siasn_export.py` writes has met one
dialect.

`fixtures/api/` is one small BPKAD (five units, four people, 2010-2023) as an agency that
pulls SIASN through its API would hold it. Field names and their order follow the tables of
`kanekescom/laravel-siasn-simpeg` at f151c93 (database/migrations: pegawai, ref_unor,
rw_jabatan, rw_skp, rw_skp22, rw_diklat, rw_kursus, rw_hukdis, list_pensiun_instansi;
../shared/real-exports.md R1): camelCase JSON, with and without the `{"code", "data"}`
envelope, nested `path` documents, numbers as JSON numbers; the Data ASN as a snake_case
database dump whose dates have ISO twins (`tanggal_lahir_`); rw-skp, rw-skp22 and rw-hukdis
keyed by SIASN's PNS ID (`pns`, `pnsDinilaiId`, `pnsOrang`), never by NIP; rw-skp with both
`nilaiSkp` and `nilaiPrestasiKerja`; rw-jabatan with `eselon` and `eselonId`, `unorNama`
and `namaUnor`, and `namaJabatan` empty on fungsional rows; `;` with decimal commas and a
BOM, `|`, and a tab-separated file. The expected rows below were worked out by hand from
the files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from features.contract.summary import directory_hints
from siasn.convert import _position_type, _severity, dates, import_siasn
from siasn.files import read_exports

SOURCE = Path(__file__).parent / "fixtures" / "api"
P1, P2, P3, P4 = "198503122010011001", "199001152015032002", "198807202011011003", "196201011985031004"  # fmt: skip
ANGGARAN, AKUNTANSI = "8AE4831A6A2B4C3E016A2B0D5F1A0002", "8AE4831A6A2B4C3E016A2B0D5F1A0003"
SUBBAG = "8AE4831A6A2B4C3E016A2B0D5F1A0004"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api") / "kota"
    report = import_siasn(SOURCE, out)
    assert report.contract["valid"], report.contract
    return out


def _read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{table}.csv", dtype={"nip": str})


def test_every_file_is_recognised_by_what_it_carries(imported: Path) -> None:
    report = json.loads((imported / "import_report.json").read_text())
    kinds = {f["file"]: f["kind"] for f in report["files"]}
    assert kinds == {
        "pegawai.csv": "data_asn", "ref_unor.json": "unor", "rw_jabatan.json": "riwayat_jabatan",
        "rw_skp.csv": "skp_numeric", "rw_skp22.json": "skp_predikat", "rw_diklat.tsv": "diklat",
        "rw_kursus.csv": "diklat", "rw_hukdis.csv": "hukdis", "list_pensiun.csv": "pemberhentian",
    }  # fmt: skip
    assert all(f["accounted"] for f in report["files"]) and not report["ignored_files"]


def test_histories_keyed_by_pns_id_reach_their_people(imported: Path) -> None:
    """rw-skp22's `pnsDinilaiId`, rw-skp's `pns` and rw-hukdis's `pnsOrang` are SIASN ids,
    paired with NIPs by the Data ASN's `PNS ID` and rw-jabatan's `idPns`; the one row whose
    id nothing pairs (someone of another instansi) is dropped, and said so."""
    evaluations = _read(imported, "evaluations").set_index(["nip", "period"])
    assert evaluations.loc[(P1, 2022), ["predikat", "rating_hasil_kerja", "rating_perilaku_kerja"]].tolist() == ["baik", "sesuai", "sesuai"]  # fmt: skip
    assert evaluations.loc[(P3, 2022), ["predikat", "rating_hasil_kerja"]].tolist() == ["butuh_perbaikan", "di_bawah"]  # fmt: skip
    assert len(evaluations) == 16  # 11 SKP rows (two 2021 periods merged) + 6 SKP 2022+ rows
    discipline = _read(imported, "discipline")
    assert discipline[["nip", "decided_on", "severity"]].values.tolist() == [[P3, "2020-07-15", "ringan"]]  # fmt: skip
    report = json.loads((imported / "import_report.json").read_text())
    skp22 = next(f for f in report["files"] if f["file"] == "rw_skp22.json")
    assert skp22["dropped"] == {"no NIP (nor a PNS ID paired with one)": 1}
    assert report["evidence"]["rows keyed by a PNS ID no file pairs with a NIP"] == 1


def test_the_best_named_of_two_columns_is_read(imported: Path) -> None:
    """rw-skp carries `nilaiSkp` (the target part) beside `nilaiPrestasiKerja` (the score):
    the score is read; the 2021 periods are merged by their mean."""
    scores = _read(imported, "evaluations").set_index(["nip", "period"])["score"]
    assert scores[(P1, 2019)] == 85.58 and scores[(P2, 2019)] == 88.8
    assert scores[(P1, 2021)] == 83.2  # (81,60 + 84,80) / 2, decimal commas


def test_spells_titles_and_posts_from_the_api_riwayat(imported: Path) -> None:
    spells = _read(imported, "assignments").sort_values(["nip", "start_date"])
    rows = spells[["nip", "unit_id", "position_title", "position_type", "start_date", "end_date"]]
    assert rows.fillna("").values.tolist() == [
        [P4, ANGGARAN, "Pengelola Data Anggaran", "pelaksana", "2010-06-01", "2020-01-31"],
        [P1, ANGGARAN, "Penyusun Rencana Anggaran", "pelaksana", "2016-01-04", "2021-02-28"],
        # the duplicate row merged; the renaming of 2023 continues the spell under its name
        [P1, AKUNTANSI, "Penata Kelola Keuangan", "pelaksana", "2021-03-01", ""],
        [P3, "8AE4831A6A2B4C3E016A2B0D5F1A0001", "Pengadministrasi Umum", "pelaksana", "2012-02-01", "2019-01-01"],
        # a struktural post of eselon IV.a (eselonId 41): pengawas
        [P3, SUBBAG, "Kepala Subbagian Umum dan Kepegawaian", "pengawas", "2019-01-02", ""],
        # `namaJabatan` is empty on a fungsional row: the fungsional name is the title
        [P2, AKUNTANSI, "Analis Keuangan Pusat dan Daerah Ahli Pertama", "fungsional", "2018-04-01", ""],
    ]  # fmt: skip


def test_retirees_from_the_pension_list_keep_their_history(imported: Path) -> None:
    people = _read(imported, "employees").set_index("nip")
    assert people.loc[P4, ["status", "golongan", "employment_type", "birth_date"]].tolist() == ["pensiun", "III/d", "PNS", "1962-01-01"]  # fmt: skip
    assert people.loc[P1, ["golongan", "education_level", "education_field", "sex"]].tolist() == ["III/b", "S1", "akuntansi", "L"]  # fmt: skip
    assert pd.isna(people.loc[P4, "education_level"])  # no diploma known: empty, not "nan"
    mapping = pd.read_csv(imported / "mapping.csv", keep_default_na=False)
    assert "nan" not in set(mapping["source"])


def test_diklat_and_kursus_both_count_as_training(imported: Path) -> None:
    trainings = _read(imported, "trainings").sort_values("nip")
    assert trainings[["nip", "completed_on", "hours"]].values.tolist() == [
        [P1, "2022-03-17", 32], [P3, "2018-11-15", 340], [P2, "2021-09-10", 40],
    ]  # fmt: skip


def test_eselon_as_siasn_codes_or_simpeg_text() -> None:
    jenis = pd.Series(["1"] * 7)
    eselon = pd.Series(["21", "II.a", "31", "III.b", "41", "IV.a", "iv.b"])
    assert _position_type(jenis, eselon).tolist() == ["jpt", "jpt", "administrator", "administrator", "pengawas", "pengawas", "pengawas"]  # fmt: skip


def test_json_without_records_or_not_json_is_set_aside_not_fatal(tmp_path: Path) -> None:
    """An API call for a person with no such history returns `"data": null`; a truncated
    download is not JSON: neither stops the import, each is named with its reason."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    (src / "rw_skp22_2.json").write_text('{"code": 1, "data": null}')
    (src / "rw_jabatan_2.json").write_text('[{"id": "x", "nipBaru": "1985')
    report = import_siasn(src, tmp_path / "out")
    assert report.contract["valid"]
    assert report.ignored["rw_skp22_2.json"].startswith("its columns match no known kind")
    assert report.ignored["rw_jabatan_2.json"].startswith("unreadable: not JSON")


def test_validate_on_the_raw_folder_points_to_the_importer() -> None:
    """`penataan validate` given these files says they are SIASN/SIMPEG exports, although
    no header is written the way SIASN's download writes it (`pns_id`, `nipBaru`)."""
    hints = directory_hints(SOURCE)
    assert any("look(s) like a SIASN/SIMPEG export" in h and "pegawai.csv" in h for h in hints)


# The headings of a SIMPEG's XLSX export of Data ASN (radenparhanudin/siasn-kaum-rebahan,
# Modules/ProfileASN/Exports/ProfileASNExport.php at 79dc2917; ../shared/real-exports.md R5).
PROFILE_ASN = ("ID", "NIP LAMA", "NIP BARU", "NAMA", "NAMA LENGKAP", "GELAR DEPAN", "GELAR BELAKANG", "AGAMA ID", "AGAMA NAMA", "TEMPAT LAHIR ID", "TEMPAT LAHIR NAMA", "TANGGAL LAHIR", "JENIS KELAMIN", "JENIS KAWIN ID", "JENIS KAWIN NAMA", "NIK", "NOMOR HP", "NOMOR TELPON", "EMAIL", "EMAIL GOV", "ALAMAT", "NPWP NOMOR", "NOMOR BPJS", "JENIS PEGAWAI ID", "JENIS PEGAWAI NAMA", "KEDUDUKAN HUKUM ID", "KEDUDUKAN HUKUM NAMA", "STATUS CPNS PNS", "KARTU PEGAWAI", "NOMOR SK CPNS", "TGL SK CPNS", "TMT CPNS", "NOMOR SK PNS", "TGL SK PNS", "TMT PNS", "GOLONGAN AWAL ID", "GOLONGAN AWAL NAMA", "GOLONGAN ID", "GOLONGAN NAMA", "TMT GOLONGAN", "MK TAHUN", "MK BULAN", "JENIS JABATAN ID", "JENIS JABATAN NAMA", "ESELON ID", "ESELON NAMA", "JFT ID", "JFT NAMA", "JFU ID", "JFU NAMA", "TMT JABATAN", "TK PENDIDIKAN ID", "TK PENDIDIKAN NAMA", "PENDIDIKAN ID", "PENDIDIKAN NAMA", "TANGGAL LULUS", "KPKN ID", "KPKN NAMA", "LOKASI KERJA ID", "LOKASI KERJA NAMA", "UNIT ORGANISASI ID", "UNIT ORGANISASI NAMA")  # fmt: skip


def _date_cells(iso: pd.Series) -> pd.Series:
    """Dates as a spreadsheet's date cells (openpyxl reads them back as datetimes)."""
    return pd.Series([dt.datetime.fromisoformat(d) for d in iso], index=iso.index, dtype=object)


def test_a_simpeg_xlsx_data_asn_without_pns_ids_imports_the_same_people(
    imported: Path, tmp_path: Path
) -> None:
    """The Data ASN as a SIMPEG's XLSX export (its own row `ID`, no `PNS ID`, golongan and
    education under SIMPEG's names, dates as date cells, every number stored as text): the same
    employees, and the PNS IDs of rw-skp22 still reach them through rw-jabatan's `idPns`."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    asn = pd.read_csv(src / "pegawai.csv", dtype=str, keep_default_na=False)
    (src / "pegawai.csv").unlink()
    rows = {
        "ID": pd.Series([str(k) for k in range(1, len(asn) + 1)]), "NIP BARU": asn["nip_baru"].str.lstrip("'"),
        "NAMA": asn["nama"], "TANGGAL LAHIR": _date_cells(asn["tanggal_lahir_"]), "JENIS KELAMIN": asn["jenis_kelamin"],
        "AGAMA NAMA": asn["agama_nama"], "JENIS KAWIN ID": asn["jenis_kawin_id"],
        "JENIS PEGAWAI NAMA": asn["jenis_pegawai_nama"], "KEDUDUKAN HUKUM ID": asn["kedudukan_hukum_id"],
        "TMT CPNS": _date_cells(asn["tmt_cpns_"]), "GOLONGAN ID": asn["gol_akhir_id"], "GOLONGAN NAMA": asn["gol_akhir_nama"],
        "TMT JABATAN": asn["tmt_jabatan_"], "TK PENDIDIKAN NAMA": asn["tingkat_pendidikan_nama"],
        "PENDIDIKAN NAMA": asn["pendidikan_nama"], "UNIT ORGANISASI ID": asn["unor_id"],
        "UNIT ORGANISASI NAMA": asn["unor_nama"],
    }  # fmt: skip
    book = openpyxl.Workbook()
    book.active.append(list(PROFILE_ASN))
    for k in range(len(asn)):
        book.active.append([rows[h].iloc[k] if h in rows else None for h in PROFILE_ASN])
    book.save(src / "Profile ASN.xlsx")
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"]
    for table in ("employees", "evaluations", "discipline"):
        assert _read(out, table).equals(_read(imported, table)), table


def test_an_abk_and_an_skm_recap_headed_by_unit_kerja(tmp_path: Path) -> None:
    """An ABK recap as a sheet under its title rows, a row per jabatan, the unit under
    `UNIT KERJA` and fractions of a post in `KEBUTUHAN PEGAWAI` (each unit's sum rounded);
    an SKM recap whose unit names are upper case: both matched to the unor tree by name."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ANALISIS BEBAN KERJA (ABK) TAHUN 2023"])
    sheet.append(["PERANGKAT DAERAH : BADAN PENGELOLAAN KEUANGAN DAN ASET DAERAH"])
    sheet.append([])
    sheet.append(["NO", "NAMA JABATAN", "UNIT KERJA", "BEZETTING", "KEBUTUHAN PEGAWAI", "+/-"])
    for row in [
        (1, "Kepala Badan", "Badan Pengelolaan Keuangan dan Aset Daerah", 1, 1, 0),
        (2, "Sekretaris", "Sekretariat", 1, 1, 0),
        (3, "Kepala Subbagian Umum dan Kepegawaian", "Subbagian Umum dan Kepegawaian", 1, 1, 0),
        (4, "Pengadministrasi Umum", "Subbagian  Umum dan Kepegawaian", 0, 0.4, 0.4),
        (5, "Kepala Bidang Anggaran", "Bidang Anggaran", 0, 1, 1),
        (6, "Penyusun Rencana Anggaran", "Bidang Anggaran", 0, 2.4, 2.4),
        (7, "Pengelola Data Anggaran", "Bidang Anggaran", 0, 1.3, 1.3),
        (8, "Kepala Bidang Akuntansi", "BIDANG AKUNTANSI", 0, 1, 1),
        (9, "Analis Keuangan Pusat dan Daerah Ahli Pertama", "Bidang Akuntansi", 1, 2.2, 1.2),
        (10, "Penata Kelola Keuangan", "Bidang Akuntansi", 1, 1.6, 0.6),
    ]:
        sheet.append(list(row))
    book.save(src / "ABK 2023.xlsx")
    (src / "skm.csv").write_text(
        "NO;UNIT KERJA;TAHUN;NILAI IKM;JUMLAH ADUAN\n1;SEKRETARIAT;2023;82,45;3\n"
        "2;BIDANG ASET;2023;79,10;1\n3;SEKRETARIAT;2022;80,00;1.234\n4;SEKRETARIAT;2021;78,00;2,5\n"
    )
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"]
    capacity = _read(out, "units").set_index("unit_name")["capacity"].to_dict()
    assert capacity == {
        "Badan Pengelolaan Keuangan dan Aset Daerah": 1, "Sekretariat": 1,
        "Bidang Anggaran": 5, "Bidang Akuntansi": 5, "Subbagian Umum dan Kepegawaian": 1,
    }  # fmt: skip
    kpis = _read(out, "unit_kpis").sort_values("period", ascending=False)
    sekretariat = "8AE4831A6A2B4C3E016A2B0D5F1A0001"
    assert kpis[["unit_id", "period", "ikm"]].values.tolist() == [
        [sekretariat, 2023, 82.45], [sekretariat, 2022, 80.0], [sekretariat, 2021, 78.0]
    ]  # fmt: skip
    # a count grouped by thousands is the count; a fraction of a complaint is none, counted
    assert kpis["complaints"].tolist()[:2] == [3, 1234] and pd.isna(kpis["complaints"].iloc[2])
    assert report.evidence["SKM complaints that are no whole count (left empty)"] == 1
    files = json.loads((out / "import_report.json").read_text())["files"]
    skm = next(f for f in files if f["file"] == "skm.csv")
    assert skm["dropped"] == {"unit name not in the unor tree": 1}  # no Bidang Aset here


def test_a_simpeg_database_dump_imports_the_same_world(imported: Path, tmp_path: Path) -> None:
    """The histories as a SIMPEG synced with SIASN keeps them (snake_case tables of
    nandanugg/triforce.nvim, branch pegawai, services/kepegawaian/docs/db at 7616d834;
    ../shared/real-exports.md R6): riwayat_jabatan keyed by `pns_nip` with ISO dates and
    one `nama_jabatan` per row, riwayat_kinerja's ratings as text, and
    riwayat_hukuman_disiplin with no tingkat at all, only the jenis hukuman's name."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    api = json.loads((src / "rw_jabatan.json").read_text())
    (src / "rw_jabatan.json").unlink()
    names = {"1": "Jabatan Struktural", "2": "Jabatan Fungsional Tertentu", "4": "Jabatan Fungsional Umum"}  # fmt: skip
    pd.DataFrame({
        "bkn_id": [r["id"] for r in api], "pns_id": [r["idPns"] for r in api],
        "pns_nip": [r["nipBaru"] for r in api], "pns_nama": "",
        "unor_id": [r["unorId"] for r in api], "unor": [r["unorNama"] for r in api],
        "jenis_jabatan_id": [r["jenisJabatan"] for r in api],
        "jenis_jabatan": [names[r["jenisJabatan"]] for r in api],
        "nama_jabatan": [r["namaJabatan"] or r["jabatanFungsionalNama"] or r["jabatanFungsionalUmumNama"] for r in api],
        "eselon_id": [r["eselonId"] for r in api], "eselon": [r["eselon"] for r in api],
        "tmt_jabatan": ["-".join(reversed(r["tmtJabatan"].split("-"))) for r in api],
        "no_sk": [r["nomorSk"] for r in api], "is_active": 1, "id": range(1, len(api) + 1),
    }).to_csv(src / "riwayat_jabatan.csv", index=False)  # fmt: skip
    skp22 = json.loads((src / "rw_skp22.json").read_text())["data"]
    (src / "rw_skp22.json").unlink()
    nips = dict(zip([r["idPns"] for r in api], [r["nipBaru"] for r in api], strict=True))
    pd.DataFrame({
        "id": range(1, len(skp22) + 1), "tahun": [r["tahun"] for r in skp22],
        "nip": [nips.get(r["pnsDinilaiId"], "") for r in skp22], "nama": "",
        "nip_penilai": [r["nipNrpPenilai"] for r in skp22],
        "rating_hasil_kerja": [r["hasilKinerja"] for r in skp22],
        "rating_perilaku_kerja": [r["perilakuKerja"] for r in skp22],
        "predikat_kinerja": [r["kuadranKinerja"] for r in skp22],
    }).to_csv(src / "riwayat_kinerja.csv", index=False)  # fmt: skip
    (src / "rw_hukdis.csv").unlink()
    (src / "riwayat_hukuman_disiplin.csv").write_text(
        "id,pns_id,pns_nip,nama,golongan_id,nama_golongan,jenis_hukuman_id,nama_jenis_hukuman,"
        "sk_nomor,sk_tanggal,tanggal_mulai_hukuman,masa_tahun,masa_bulan,tanggal_akhir_hukuman\n"
        f"1,A5EB03E23C7DF6A0E040640A040252AD,{P3},LALU MUHAMMAD RIZKI,32,III/b,1,Teguran Lisan,"
        "862/114/BPKAD/2020,2020-07-10,2020-07-15,0,0,\n"
    )
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"]
    for table in ("assignments", "evaluations", "discipline", "employees"):
        assert _read(out, table).equals(_read(imported, table)), table


def test_the_tingkat_of_a_hukuman_from_its_jenis_where_no_tingkat_is_given() -> None:
    """SIASN's own list by id or by its abbreviated names (`PENURUNAN GAJI MAX 1 TH` is
    sedang, `PENURUNAN PANGKAT 1 TINGKAT 3 THN` berat), else the regulations' wording."""
    hd = pd.DataFrame({
        "TINGKAT HUKUMAN": ["R", "berat"] + [None] * 11,
        "JENIS HUKUMAN NAMA": [None, None, "4", "PENURUNAN GAJI MAX 1 TH",
                               "PENURUNAN PANGKAT 1 TINGKAT 3 THN", "PEMOTONGAN TUNKIN 25% 6 BLN",
                               "SANKSI MORAL TERBUKA", "Teguran Tertulis",
                               "Pemotongan tunjangan kinerja sebesar 25% selama 9 bulan",
                               "Penurunan pangkat setingkat lebih rendah selama 1 (satu) tahun",
                               "Penurunan pangkat setingkat lebih rendah selama 3 (tiga) tahun",
                               "Pembebasan dari jabatannya menjadi jabatan pelaksana selama 12 bulan",
                               "Hukuman lain"],
    })  # fmt: skip
    assert _severity(hd).fillna("?").tolist() == [
        "ringan", "berat", "sedang", "sedang", "berat", "sedang", "ringan", "ringan", "sedang",
        "sedang", "berat", "berat", "?",
    ]  # fmt: skip


def test_date_cells_and_database_timestamps_read_as_dates(tmp_path: Path) -> None:
    """A spreadsheet's date cell comes back from openpyxl as a datetime, whose text has a
    time after the date; a database dump's dates may be timestamps; a SIMPEG prints a month
    by name. Each is the date (a two-digit year too: `02-Jan-19`); an impossible date is none."""
    path = tmp_path / "Data ASN.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["NIP BARU", "NAMA", "TANGGAL LAHIR", "UNOR ID", "TMT CPNS", "TAHUN"])
    book.active.append([P1, "AHMAD FAUZI", dt.datetime(1985, 3, 12), "U1", dt.date(2010, 1, 1), 2022.0])  # fmt: skip
    book.save(path)
    (export,) = read_exports(path)
    frame = export.frame
    assert frame.loc[0, ["TANGGAL LAHIR", "TMT CPNS", "TAHUN"]].tolist() == ["1985-03-12", "2010-01-01", "2022"]  # fmt: skip
    stamps = pd.Series(["2019-01-02 00:00:00", "2019-01-02T08:00:00+08:00", "02-01-2019", "2019-01-02 garbage"])  # fmt: skip
    assert dates(stamps).tolist() == [pd.Timestamp("2019-01-02")] * 3 + [pd.NaT]
    # a SIMPEG's printed dates: a day, the month's name (Indonesian or English), the year
    worded = pd.Series(["02 Januari 2019", "2-Jan-2019", "17 Agt. 1985", "1 Des 2018", "31 Februari 2019", "02 Foo 2019", "02-Jan-19"])  # fmt: skip
    assert dates(worded).tolist() == [pd.Timestamp("2019-01-02")] * 2 + [
        pd.Timestamp("1985-08-17"), pd.Timestamp("2018-12-01"), pd.NaT, pd.NaT, pd.Timestamp("2019-01-02")
    ]  # fmt: skip


def test_a_riwayat_re_saved_by_excel_keeps_its_people(imported: Path, tmp_path: Path) -> None:
    """A riwayat whose NIP Excel stored as a number (`…032000`) was a new, unknown former
    employee, and the real one lost their history: it is restored where its 15 digits are
    one known employee's (as the SKP's are), and said so."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    riwayat = src / "rw_jabatan.json"
    riwayat.write_text(riwayat.read_text().replace(f'"nipBaru": "{P2}"', f'"nipBaru": "{P2[:15]}000"'))  # fmt: skip
    out = tmp_path / "out"
    import_siasn(src, out)
    for table in ("employees", "assignments"):
        assert _read(out, table).equals(_read(imported, table)), table
    files = json.loads((out / "import_report.json").read_text())["files"]
    assert next(f for f in files if f["file"] == "rw_jabatan.json")["repaired"] == {
        "Excel-mangled NIP restored (its 15 digits are one employee's; the file gives no name)": 1
    }


def test_a_csv_excel_saved_in_windows_1252_is_read(imported: Path, tmp_path: Path) -> None:
    """Excel's "CSV (Comma delimited)" on Windows is not UTF-8: one curly apostrophe made the
    whole file unreadable. It is read as Windows-1252, and the report says so."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    text = (src / "rw_skp.csv").read_text(encoding="utf-8-sig").replace("I MADE SUARTA", "I MADE SUARTA’S")  # fmt: skip
    (src / "rw_skp.csv").write_bytes(text.encode("cp1252"))
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert _read(out, "evaluations").equals(_read(imported, "evaluations"))
    assert "rw_skp.csv is not UTF-8: read as Windows-1252 (Excel's CSV on Windows)" in report.notes


def test_excels_unicode_text_is_read(imported: Path, tmp_path: Path) -> None:
    """Excel's "Unicode Text" (Save As, the way to keep names with any character on Windows)
    writes UTF-16 with a byte-order mark, tab-separated: it was read as Windows-1252, every
    header a run of NULs, and set aside as of no known kind. It is read as UTF-16."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    frame = pd.read_csv(src / "rw_skp.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")  # fmt: skip
    (src / "rw_skp.csv").unlink()
    (src / "rw_skp.txt").write_bytes(frame.to_csv(sep="\t", index=False).encode("utf-16"))
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert _read(out, "evaluations").equals(_read(imported, "evaluations"))
    assert "rw_skp.txt is UTF-16: read as Excel's Unicode Text" in report.notes


def _set_aside(src: Path, out: Path, imported: Path, file: str) -> dict[str, Any]:
    """Import `src` with `file` added: the evaluations are those imported without it, and
    the report's entry for it (every row accounted for)."""
    import_siasn(src, out)
    assert _read(out, "evaluations").equals(_read(imported, "evaluations"))
    files = json.loads((out / "import_report.json").read_text())["files"]
    entry: dict[str, Any] = next(f for f in files if f["file"] == file)
    assert entry["accounted"]
    return entry


def test_periodic_ratings_are_recognised_and_never_read_as_the_years_predikat(
    imported: Path, tmp_path: Path
) -> None:
    """rw-kinerjaperiodik (kanekescom's table: `tahun`, `nip`, `hasilKinerja`,
    `perilakuKerja`, `kuadranKinerjaNilai`, `periodikId`, `periodikNama`) carries everything
    an SKP 2022+ file does, a row per quarter. Read as one, its first quarter stood for the
    year (its file sorts before rw_skp22); it is set aside, every row counted."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    quarters = [
        {"id": f"q{k}", "tahun": 2022, "nip": P1, "nama": "AHMAD FAUZI",
         "hasilKinerja": rating, "hasilKinerjaNilai": code, "kuadranKinerjaNilai": code + 1,
         "perilakuKerja": "SESUAI EKSPEKTASI", "perilakuKerjaNilai": 2, "periodikId": str(k),
         "periodikNama": f"TRIWULAN {'I' * k if k < 4 else 'IV'}", "persentase": 25,
         "pnsDinilaiId": "A5EB03E23C7BF6A0E040640A040252AD",
         "unorId": AKUNTANSI, "unorNama": "Bidang Akuntansi", "path": None}
        for k, (rating, code) in enumerate([("DI BAWAH EKSPEKTASI", 3), ("SESUAI EKSPEKTASI", 2),
                                            ("SESUAI EKSPEKTASI", 2), ("DI ATAS EKSPEKTASI", 1)], 1)
    ]  # fmt: skip
    (src / "rw_kinerjaperiodik.json").write_text(json.dumps({"code": 1, "data": quarters}))
    periodic = _set_aside(src, tmp_path / "out", imported, "rw_kinerjaperiodik.json")
    assert periodic["kind"] == "kinerja_periodik"
    assert periodic["dropped"] == {"a periodic rating, not the year's predikat (the SKP 2022+ file gives that)": 4}  # fmt: skip
    assert not any("no kinerja periodik file" in note for note in json.loads((imported / "import_report.json").read_text())["notes"])  # fmt: skip


def test_a_talent_assessment_is_set_aside_not_read_as_skp(imported: Path, tmp_path: Path) -> None:
    """A SIMPEG's nine-box talent table (`riwayat_asesmen_nine_box`: a year, a `nilai_kinerja`
    axis and a `nilai_potensial` one, a box) carries what an SKP up to 2021 does, a person, a
    year and a kinerja number, but the number is the talent review's axis, not the SKP's
    nilai prestasi kerja: read as one, it replaced the year's score. It is set aside, every
    row counted."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    (src / "riwayat_asesmen_nine_box.csv").write_text(
        "id,nip,tahun,nilai_kinerja,nilai_potensial,kotak,kesimpulan\n"
        f"1,{P1},2019,62.5,71.0,5,Optimal\n"
        f"2,{P2},2020,91.0,80.5,9,Sangat Optimal\n"
    )
    talent = _set_aside(src, tmp_path / "out", imported, "riwayat_asesmen_nine_box.csv")
    assert talent["kind"] == "talenta" and sum(talent["dropped"].values()) == 2


def test_a_workbook_of_several_sheets_is_read_sheet_by_sheet(tmp_path: Path) -> None:
    """An ABK workbook with a sheet per part of the organisation, each under its own title
    rows, and a sheet of notes: every sheet's kebutuhan counts (only the first sheet's did),
    and the notes sheet is set aside under its own name."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    book = openpyxl.Workbook()
    header = ["NO", "NAMA JABATAN", "UNIT KERJA", "KEBUTUHAN PEGAWAI"]
    parts = {
        "Sekretariat": [
            ("Sekretaris", "Sekretariat", 2),
            ("Kasubbag Umum", "Subbagian Umum dan Kepegawaian", 3),
        ],  # fmt: skip
        "Bidang": [
            ("Kabid Anggaran", "Bidang Anggaran", 4),
            ("Kabid Akuntansi", "Bidang Akuntansi", 6),
        ],  # fmt: skip
    }
    book.active.title = "Sekretariat"
    for title, rows in parts.items():
        sheet = book.active if title == "Sekretariat" else book.create_sheet(title)
        sheet.append([f"ABK 2023 - {title.upper()}"])
        sheet.append(header)
        for k, row in enumerate(rows, 1):
            sheet.append([k, *row])
    book.create_sheet("Keterangan").append(["Kebutuhan dibulatkan per jabatan."])
    book.save(src / "ABK.xlsx")
    out = tmp_path / "out"
    report = import_siasn(src, out)
    capacity = _read(out, "units").set_index("unit_name")["capacity"].to_dict()
    assert {k: capacity[k] for k in ("Sekretariat", "Subbagian Umum dan Kepegawaian", "Bidang Anggaran", "Bidang Akuntansi")} == {  # fmt: skip
        "Sekretariat": 2, "Subbagian Umum dan Kepegawaian": 3, "Bidang Anggaran": 4, "Bidang Akuntansi": 6,
    }  # fmt: skip
    files = {f["file"]: f for f in json.loads((out / "import_report.json").read_text())["files"]}
    assert files["ABK.xlsx [Sekretariat]"]["kept"] == 2 and files["ABK.xlsx [Bidang]"]["kept"] == 2
    assert report.ignored["ABK.xlsx [Keterangan]"].startswith("its columns match no known kind")


def test_a_folder_of_api_answers_one_per_person_is_one_export(
    imported: Path, tmp_path: Path
) -> None:
    """SIASN's API answers for one person at a time, so a pull is a folder per history
    (`rw-skp22/<id>.json`), with empty answers for people who have none: each folder is
    read as one export, the empty answers counted; a folder within one (an older pull kept
    apart) is read the same way, named from the source."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    for name, folder in (("rw_skp22.json", "rw-skp22"), ("rw_jabatan.json", "rw-jabatan")):
        document = json.loads((src / name).read_text())
        records = document["data"] if isinstance(document, dict) else document
        (src / name).unlink()
        (src / folder).mkdir()
        for record in records:
            owner = record.get("pnsDinilaiId") or record["idPns"]
            path = src / folder / f"{owner}.json"
            answer = json.loads(path.read_text()) if path.exists() else {"code": 1, "data": []}
            answer["data"].append(record)
            path.write_text(json.dumps(answer))
        (src / folder / "A0000000000000000000000000000000.json").write_text('{"code": 1, "data": null}')  # fmt: skip
    older = next(p for p in sorted((src / "rw-skp22").glob("*.json")) if json.loads(p.read_text())["data"])  # fmt: skip
    moved = len(json.loads(older.read_text())["data"])
    (src / "rw-skp22" / "old").mkdir()
    older.rename(src / "rw-skp22" / "old" / older.name)
    (src / "rw-skp22" / "old" / "up").symlink_to(src, target_is_directory=True)  # a loop
    out = tmp_path / "out"
    report = import_siasn(src, out)
    for table in ("assignments", "evaluations"):
        assert _read(out, table).equals(_read(imported, table)), table
    files = {f["file"]: f for f in json.loads((out / "import_report.json").read_text())["files"]}
    assert moved > 0
    assert files["rw-skp22/"]["kind"] == "skp_predikat" and files["rw-skp22/"]["read"] == 7 - moved
    assert files["rw-skp22/old/"]["kind"] == "skp_predikat"
    assert files["rw-skp22/old/"]["read"] == moved
    assert files["rw-jabatan/"]["kind"] == "riwayat_jabatan" and files["rw-jabatan/"]["read"] == 8
    assert report.ignored["rw-skp22/ (empty)"].startswith("1 file(s) with no records")
    assert report.ignored["rw-skp22/old/up/"] == "a link to a folder: not followed"


def test_units_named_without_ids_are_matched_where_one_unit_bears_the_name(
    imported: Path, tmp_path: Path
) -> None:
    """A SIMPEG's riwayat sheet and Data ASN that give each unit by name only (`UNIT
    KERJA`), no id: each name that one unit of the tree bears is that unit; a name several
    units bear is dropped and counted, never guessed."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    api = json.loads((src / "rw_jabatan.json").read_text())
    (src / "rw_jabatan.json").unlink()
    book = openpyxl.Workbook()
    book.active.append(["NIP", "NAMA JABATAN", "JENIS JABATAN", "ESELON", "UNIT KERJA", "TMT JABATAN"])  # fmt: skip
    for r in api:
        title = r["namaJabatan"] or r["jabatanFungsionalNama"] or r["jabatanFungsionalUmumNama"]
        book.active.append([r["nipBaru"], title, r["jenisJabatan"], r["eselon"], r["unorNama"].upper(), r["tmtJabatan"]])  # fmt: skip
    book.active.append([P1, "Pengelola Keuangan", "4", None, "SEKSI PELAYANAN UMUM", "01-01-2015"])  # fmt: skip
    book.save(src / "Riwayat Jabatan.xlsx")
    asn = pd.read_csv(src / "pegawai.csv", dtype=str, keep_default_na=False)
    asn.drop(columns=["unor_id"]).to_csv(src / "pegawai.csv", index=False)
    unor = json.loads((src / "ref_unor.json").read_text())
    for k in (5, 6):  # two units of one name, under different parents
        unor["data"].append({"Id": f"U{k}", "DiatasanId": unor["data"][k - 4]["Id"], "NamaUnor": "Seksi Pelayanan Umum"})  # fmt: skip
    (src / "ref_unor.json").write_text(json.dumps(unor))
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert _read(out, "assignments").equals(_read(imported, "assignments"))
    files = {f["file"]: f for f in json.loads((out / "import_report.json").read_text())["files"]}
    assert files["Riwayat Jabatan.xlsx"]["dropped"] == {"no unit id, and no unit or several bear its unit name": 1}  # fmt: skip
    assert report.evidence["riwayat rows with no unit id, matched to the one unit of their name"] == 8  # fmt: skip


def test_every_kedudukan_hukum_of_siasns_list_is_read(tmp_path: Path) -> None:
    """Data ASN lists everyone still employed: 52 (tidak aktif) or 77 (dismissed without a
    pension) were read as aktif, since only nine codes were known; a code not in SIASN's
    list (a PPPK's own) is aktif and named in the notes; a name alone is read too."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    asn = pd.read_csv(src / "pegawai.csv", dtype=str, keep_default_na=False)
    asn["kedudukan_hukum_id"] = ["52", "71", ""]
    asn["kedudukan_hukum_nama"] = ["Tidak Aktif", "", "Masa Persiapan Pensiun"]
    asn.to_csv(src / "pegawai.csv", index=False)
    out = tmp_path / "out"
    report = import_siasn(src, out)
    status = _read(out, "employees").set_index("nip")["status"]
    assert status[[P1, P2, P3]].tolist() == ["cuti", "aktif", "mpp"]
    assert "1 employee(s) with a kedudukan hukum not in SIASN's list, taken as aktif: 71 (1)" in report.notes  # fmt: skip


def test_sex_religion_and_marriage_as_simpeg_words_them(tmp_path: Path) -> None:
    """A SIMPEG writes Laki-laki / Perempuan, Kristen Protestan, Cerai Hidup and no codes:
    each is read (they are audited for fairness, never features)."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    asn = pd.read_csv(src / "pegawai.csv", dtype=str, keep_default_na=False)
    asn["jenis_kelamin"] = ["Laki-laki", "Perempuan", "PRIA"]
    asn["agama_nama"] = ["Islam", "Kristen Protestan", "Budha"]
    asn["jenis_kawin_id"] = ""
    asn["jenis_kawin_nama"] = ["Menikah", "Cerai Hidup", "Belum Kawin"]
    asn.to_csv(src / "pegawai.csv", index=False)
    out = tmp_path / "out"
    import_siasn(src, out)
    people = _read(out, "employees").set_index("nip").loc[[P1, P2, P3]]
    assert people[["sex", "religion", "marital_status"]].values.tolist() == [
        ["L", "islam", "kawin"], ["P", "kristen", "cerai"], ["L", "buddha", "belum_kawin"],
    ]  # fmt: skip


def test_nips_written_in_their_printed_groups(imported: Path, tmp_path: Path) -> None:
    """`19850312 201001 1 001`, as NIPs are printed on SKs and often typed into sheets, is
    the NIP 198503122010011001 (it was 'not 18 digits', and the person lost)."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    asn = pd.read_csv(src / "pegawai.csv", dtype=str, keep_default_na=False)
    asn["nip_baru"] = [
        f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" for n in asn["nip_baru"].str.lstrip("'")
    ]
    asn.to_csv(src / "pegawai.csv", index=False)
    kursus = src / "rw_kursus.csv"
    kursus.write_text(kursus.read_text(encoding="utf-8-sig").replace(f"'{P2}", "19900115.201503.2.002"))  # fmt: skip
    out = tmp_path / "out"
    import_siasn(src, out)
    for table in ("employees", "trainings", "evaluations"):
        assert _read(out, table).equals(_read(imported, table)), table


def test_no_name_is_made_up(tmp_path: Path) -> None:
    """A current employee whose Data ASN row has no name is refused by the contract, naming
    the row, not given a placeholder that would pass for a name (a former employee known
    only from the histories keeps an empty one, which the contract allows)."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    pegawai = src / "pegawai.csv"
    pegawai.write_text(pegawai.read_text().replace(",SITI RAHMAWATI,", ",,", 1))
    report = import_siasn(src, tmp_path / "out")
    assert not report.contract["valid"]
    lines = "\n".join(report.contract["lines"])
    assert "column name: required for current staff" in lines and "row 2 (empty)" in lines, lines


def test_a_pns_id_that_is_no_id_pairs_no_one(imported: Path, tmp_path: Path) -> None:
    """The pension list writes `-` where it has no PNS ID, and an SKP 2022+ row keyed by a
    PNS ID has `-` too: the two were paired, and the retiree was given that row's SKP (a year
    after they left: the contract refused it). A `-`, a `?` or a date is no id, and an id one
    file gives several people is a placeholder: neither pairs anyone; the row is dropped as
    naming no one."""
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src)
    pensiun = pd.read_csv(src / "list_pensiun.csv", dtype=str, keep_default_na=False)
    assert len(pensiun) == 1  # one retiree: a `-` they alone hold is no id either
    pensiun["pnsId"] = "-"
    pensiun.to_csv(src / "list_pensiun.csv", index=False)
    skp22 = json.loads((src / "rw_skp22.json").read_text())
    skp22["data"][0]["pnsDinilaiId"] = "-"
    (src / "rw_skp22.json").write_text(json.dumps(skp22))
    out = tmp_path / "out"
    report = import_siasn(src, out)
    assert report.contract["valid"], report.contract
    assert P4 not in set(_read(out, "evaluations").query("period >= 2022")["nip"])
    skp = next(ledger for ledger in report.ledgers if ledger.file == "rw_skp22.json")
    assert skp.dropped == {"no NIP (nor a PNS ID paired with one)": 2}


def test_an_id_one_file_gives_several_people_pairs_no_one() -> None:
    """A SIMPEG dump that writes `0` or `TIDAK ADA` as every retiree's PNS ID: a placeholder,
    not an id; a real id (SIASN's hexadecimal, or a vendor's number) pairs as before."""
    from siasn.files import ExportFile
    from siasn.identity import nips_by_pns_id

    frame = pd.DataFrame({"PNS ID": ["TIDAK ADA", "TIDAK ADA", "A5EB03E2", "12345", "-"],
                          "NIP BARU": [P1, P2, P3, P4, P1]})  # fmt: skip
    pairs = nips_by_pns_id([ExportFile(Path("pensiun.csv"), "pemberhentian", frame, ",", 0)])
    assert pairs == {"A5EB03E2": P3, "12345": P4}
