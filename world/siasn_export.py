"""A world as a BKPSDM really holds it: SIASN/SIMPEG/e-Kinerja-style exports.

`penataan generate ... --export siasn` writes these beside the contract folder, so that the
importer (`penataan import siasn`), training and the truth can be checked end to end. The
files follow the shared page on real exports: SIASN's upper-case headers with `ID`/`NAMA`
pairs, a leading `'` on NIPs, the literal `null`, `dd-mm-yyyy` and `dd/mm/yyyy` dates, `;`
and `|` separators, a UTF-8 BOM and decimal commas where Excel re-saved a file, an XLSX with
title rows above the header, TMT-only riwayat with duplicated rows, renaming rows without a
move and predecessor unit ids, two 2021 periods, predikat-only SKP from 2022 with no unit,
a wide assessment sheet, SKM keyed by unit name, and some NIPs mangled by Excel. What no
system holds (a unit's field of work and required competencies, coordinates, willingness to
move) is not written.

Agencies' files differ in more than that, so the same world can be written in `DIALECTS`:
`siasn` (the above); `rw-split` (SIASN's rw-jabatan as XLSX: the position name split over a
fungsional and a fungsional-umum column by a textual jenis jabatan, no struktural name);
`simpeg` (a SIMPEG vendor's renamed headers: `NIP`, `NAMA PEGAWAI`, `KODE UNIT KERJA`,
`TMT JAB` ...); `api` (camelCase headers, as the SIASN API's JSON saved as CSV); `names`
(ABK rows per jabatan keyed by perangkat daerah and unit names, no code; the SKM recap with
its own headers); `split` (SKP split into one file per year and an extra file of no known
kind).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from features import vocab
from features.siasn_codes import COMPETENCY_TEXT, KUADRAN_TEXT, RATING_TEXT, SEVERITY_CODE

GOLONGAN_ID = {g: f"{1 + k // 4}{1 + k % 4}" for k, g in enumerate(vocab.PNS_GOLONGAN[:16])}
LEVEL_ID = {"SD": "05", "SMP": "10", "SMA": "15", "D1": "20", "D2": "25", "D3": "30", "D4": "35",
            "S1": "40", "S2": "45", "S3": "50"}  # fmt: skip
LEVEL_TEXT = {"SD": "SD", "SMP": "SLTP", "SMA": "SLTA", "D1": "D-I", "D2": "D-II", "D3": "D-III",
              "D4": "D-IV", "S1": "S-1", "S2": "S-2", "S3": "S-3"}  # fmt: skip
FIELD_TEXT = {"akuntansi": "AKUNTANSI", "manajemen": "MANAJEMEN", "ekonomi_pembangunan": "EKONOMI PEMBANGUNAN",
              "statistika": "STATISTIKA", "administrasi_publik": "ILMU ADMINISTRASI NEGARA",
              "ilmu_pemerintahan": "ILMU PEMERINTAHAN", "hukum": "ILMU HUKUM", "ilmu_komunikasi": "ILMU KOMUNIKASI",
              "psikologi": "PSIKOLOGI", "teknik_informatika": "TEKNIK INFORMATIKA", "teknik_sipil": "TEKNIK SIPIL",
              "teknik_lingkungan": "TEKNIK LINGKUNGAN", "kesehatan_masyarakat": "KESEHATAN MASYARAKAT",
              "keperawatan": "KEPERAWATAN", "kedokteran": "PENDIDIKAN DOKTER", "pendidikan": "PENDIDIKAN GURU SD",
              "kesejahteraan_sosial": "KESEJAHTERAAN SOSIAL", "pariwisata": "PARIWISATA", "umum": "IPS"}  # fmt: skip
RELIGION_ID = {r: str(k + 1) for k, r in enumerate(vocab.RELIGIONS)}
MARITAL_ID = {
    "kawin": ("1", "Menikah"),
    "cerai": ("2", "Cerai"),
    "belum_kawin": ("4", "Belum Kawin"),
}
STATUS_ID = {"aktif": ("01", "Aktif"), "cuti": ("02", "CLTN"), "tugas_belajar": ("03", "Tugas Belajar"),
             "mpp": ("20", "MPP")}  # fmt: skip
ESELON = {
    "jpt": "22",
    "administrator": "31",
    "pengawas": "41",
    "pelaksana": "99",
    "fungsional": "99",
}
JENIS_JABATAN = {"jpt": ("1", "Struktural"), "administrator": ("1", "Struktural"),
                 "pengawas": ("1", "Struktural"), "fungsional": ("2", "Fungsional Tertentu"),
                 "pelaksana": ("4", "Fungsional Umum")}  # fmt: skip
RESTRUCTURED_IN = 2023  # a SOTK: a few units get new ids; older riwayat rows keep the old ones
CURRENT = ("aktif", "cuti", "tugas_belajar", "mpp")


def _dmy(values: pd.Series, sep: str = "-") -> pd.Series:
    out = pd.to_datetime(values).dt.strftime(f"%d{sep}%m{sep}%Y")
    return out.where(pd.notna(values), "null")


def _comma(values: pd.Series, digits: int = 2) -> pd.Series:
    return values.round(digits).map(lambda v: f"{v:.{digits}f}".replace(".", ","))


def _mangled(nip: str) -> str:
    """What Excel makes of an 18-digit NIP stored as a number: 15 significant digits."""
    return nip[:15] + "000"


DIALECTS = ("siasn", "rw-split", "simpeg", "api", "names", "split")
SIMPEG_HEADERS = {
    "NIP BARU": "NIP", "NAMA": "NAMA PEGAWAI", "TANGGAL LAHIR": "TGL LAHIR", "TMT CPNS": "TMT CAPEG",
    "UNOR ID": "KODE UNIT KERJA", "UNOR NAMA": "UNIT KERJA", "TMT JABATAN": "TMT JAB",
    "JABATAN NAMA": "NAMA JABATAN", "GOL AKHIR NAMA": "GOLONGAN", "NILAI PRESTASI KERJA": "NILAI SKP",
    "TINGKAT PENDIDIKAN NAMA": "JENJANG PENDIDIKAN", "PENDIDIKAN NAMA": "PENDIDIKAN TERAKHIR",
    "NAMA DIKLAT": "NAMA PELATIHAN", "TANGGAL SELESAI": "TGL SELESAI", "JUMLAH JAM": "JP",
    "TMT BERHENTI": "TMT PENSIUN", "TMT HUKUMAN": "TMT HUKDIS", "TANGGAL ASESMEN": "TGL ASESMEN",
}  # fmt: skip


def _camel(header: str) -> str:
    """`NIP BARU` -> `nipBaru`, as the SIASN API names its fields."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header).lower().replace("-", " ").split()
    return words[0] + "".join(w.title() for w in words[1:]) if words else header


def _headers(frame: pd.DataFrame, dialect: str) -> pd.DataFrame:
    if dialect == "simpeg":
        return frame.rename(columns=SIMPEG_HEADERS)
    if dialect == "api":
        return frame.rename(columns=lambda c: _camel(str(c)))
    return frame


def write_siasn(
    tables: dict[str, pd.DataFrame], out: Path, seed: int, dialect: str = "siasn"
) -> dict[str, int]:
    """Write `tables` (a world's contract tables) as SIASN-style exports under `out`, in
    one of `DIALECTS`."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    rng = np.random.default_rng([seed, 4])
    out.mkdir(parents=True, exist_ok=True)
    units, emp, asg = tables["units"], tables["employees"], tables["assignments"]
    ev = tables["evaluations"]
    restructured = set(rng.choice(units["unit_id"], size=min(3, len(units)), replace=False))
    written: dict[str, int] = {}

    def save(name: str, frame: pd.DataFrame, sep: str = ",", bom: bool = False) -> None:
        frame = _headers(frame, dialect)
        if name.endswith(".xlsx"):
            frame.to_excel(out / name, index=False, engine="openpyxl")
        else:
            frame.to_csv(out / name, index=False, sep=sep, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n")  # fmt: skip
        written[name] = len(frame)

    # Units: the unor tree (`|`-separated) and the ABK formasi (XLSX with title rows).
    unor = pd.DataFrame({
        "Id": units["unit_id"], "DiatasanId": units["parent_unit_id"].fillna(""),
        "NamaUnor": units["unit_name"], "EselonId": np.where(units["parent_unit_id"].isna(), "22", "41"),
        "IndukUnorId": "MATARAM",
    })  # fmt: skip
    save("unor.csv", unor, sep="|")
    abk = pd.DataFrame({"NO": np.arange(1, len(units) + 1), "KODE UNOR": units["unit_id"],
                        "NAMA UNIT": units["unit_name"], "KEBUTUHAN": units["capacity"]})  # fmt: skip
    if dialect == "names":  # one row per jabatan, keyed by names: the OPD and the unit
        abk = _abk_by_names(units, rng)
    abk = _headers(abk, dialect)
    with pd.ExcelWriter(out / "ABK_formasi.xlsx", engine="openpyxl") as xlsx:
        pd.DataFrame([["ANALISIS BEBAN KERJA"], ["PEMERINTAH KOTA MATARAM"], [""]]).to_excel(
            xlsx, index=False, header=False
        )
        abk.to_excel(xlsx, index=False, startrow=4)
    written["ABK_formasi.xlsx"] = len(abk)

    # Data ASN: current staff only, SIASN's columns, `'` NIPs, `null`, dd-mm-yyyy, M/F.
    now = emp[emp["status"].isin(CURRENT)]
    open_spell = asg[asg["end_date"].isna()].set_index("nip")
    spell = open_spell.reindex(now["nip"])
    ptype = spell["position_type"].fillna("pelaksana")
    names = units.set_index("unit_id")["unit_name"]
    data_asn = pd.DataFrame({
        "PNS ID": [f"A{k:07d}" for k in range(len(now))], "NIP BARU": "'" + now["nip"],
        "NIP LAMA": "null", "NAMA": now["name"], "GELAR DEPAN": "null", "GELAR BELAKANG": "null",
        "TANGGAL LAHIR": _dmy(now["birth_date"]), "JENIS KELAMIN": now["sex"].map({"L": "M", "P": "F"}),
        "AGAMA ID": now["religion"].map(RELIGION_ID), "AGAMA NAMA": now["religion"].str.title(),
        "JENIS KAWIN ID": now["marital_status"].map(lambda m: MARITAL_ID[m][0]),
        "JENIS KAWIN NAMA": now["marital_status"].map(lambda m: MARITAL_ID[m][1]),
        "JENIS PEGAWAI NAMA": now["employment_type"],
        "KEDUDUKAN HUKUM ID": now["status"].map(lambda s: STATUS_ID[s][0]),
        "KEDUDUKAN HUKUM NAMA": now["status"].map(lambda s: STATUS_ID[s][1]),
        "TMT CPNS": _dmy(now["service_start"]), "GOL AKHIR NAMA": now["golongan"],
        "TINGKAT PENDIDIKAN ID": now["education_level"].map(LEVEL_ID),
        "TINGKAT PENDIDIKAN NAMA": now["education_level"].map(LEVEL_TEXT),
        "PENDIDIKAN NAMA": now["education_level"].map(LEVEL_TEXT) + " " + now["education_field"].map(FIELD_TEXT),
        "JENIS JABATAN ID": ptype.map(lambda p: JENIS_JABATAN[p][0]).to_numpy(),
        "JENIS JABATAN NAMA": ptype.map(lambda p: JENIS_JABATAN[p][1]).to_numpy(),
        "ESELON ID": ptype.map(ESELON).to_numpy(),
        "JABATAN NAMA": spell["position_title"].fillna("null").to_numpy(),
        "TMT JABATAN": _dmy(spell["start_date"]).to_numpy(),
        "UNOR ID": spell["unit_id"].fillna("null").to_numpy(),
        "UNOR NAMA": spell["unit_id"].map(names).fillna("null").to_numpy(),
        "LOKASI KERJA": "null",
    })  # fmt: skip
    save("Data_ASN.csv", data_asn)

    # Riwayat jabatan: everyone ever, TMT only; `;`, BOM, dd/mm/yyyy (Excel, Indonesian
    # locale); predecessor ids before the SOTK; duplicates; renaming rows without a move.
    rw = asg.copy()
    old = rw["unit_id"].isin(restructured) & (
        pd.to_datetime(rw["start_date"]).dt.year < RESTRUCTURED_IN
    )
    rw.loc[old, "unit_id"] = "OLD-" + rw.loc[old, "unit_id"]
    renames = asg[asg["end_date"].isna() & (asg["position_type"] == "pelaksana")
                  & (pd.to_datetime(asg["start_date"]).dt.year < 2023)]  # fmt: skip
    renames = renames.sample(frac=0.3, random_state=int(rng.integers(1 << 30))).assign(
        start_date="2023-01-02", position_title=lambda f: "Penata Layanan Operasional " + f["unit_id"].str.title()
    )  # fmt: skip
    rw = pd.concat([rw, renames, rw.sample(frac=0.01, random_state=int(rng.integers(1 << 30)))])
    rw = rw.sort_values(["nip", "start_date"], kind="stable")
    riwayat = pd.DataFrame({
        "NIP BARU": rw["nip"], "TMT JABATAN": _dmy(rw["start_date"], "/"), "UNOR ID": rw["unit_id"],
        "UNOR NAMA": rw["unit_id"].str.removeprefix("OLD-").map(names).fillna("null"),
        "JABATAN NAMA": rw["position_title"],
        "JENIS JABATAN ID": rw["position_type"].map(lambda p: JENIS_JABATAN[p][0]),
        "ESELON ID": rw["position_type"].map(ESELON),
        "JENIS MUTASI": np.where(rw["start_date"].astype(str) == "2023-01-02", "PENYESUAIAN NOMENKLATUR", "MJ"),
    })  # fmt: skip
    if dialect == "rw-split":
        save("riwayat_jabatan.xlsx", _rw_split(riwayat, rw))
    else:
        save("riwayat_jabatan.csv", riwayat, sep=";", bom=True)

    # Pemberhentian: when former staff left (their last spell's end) and why.
    gone = emp[~emp["status"].isin(CURRENT)]
    ends = asg.groupby("nip")["end_date"].max()
    save("pemberhentian.csv", pd.DataFrame({
        "NIP": gone["nip"], "NAMA": gone["name"], "TMT BERHENTI": _dmy(gone["nip"].map(ends)),
        "JENIS": gone["status"].map({"pensiun": "BUP", "berhenti": "APS"}),
        "TANGGAL LAHIR": _dmy(gone["birth_date"]), "JENIS KELAMIN": gone["sex"].map({"L": "M", "P": "F"}),
        "TMT CPNS": _dmy(gone["service_start"]), "PENDIDIKAN NAMA":
        gone["education_level"].map(LEVEL_TEXT) + " " + gone["education_field"].map(FIELD_TEXT),
        "JENIS PEGAWAI NAMA": gone["employment_type"], "GOL AKHIR NAMA": gone["golongan"],
    }))  # fmt: skip

    # SKP up to 2021: numbers with decimal commas, 2021 in two halves, some NIPs mangled.
    name_of = emp.set_index("nip")["name"]
    old_skp = ev[ev["score"].notna()].copy()
    halves = old_skp[old_skp["period"] == 2021]
    room = np.minimum(halves["score"], 100 - halves["score"]).to_numpy()  # halves stay in 0-100
    spread = np.minimum(rng.uniform(0, 3, len(halves)), room)
    first = halves.assign(score=halves["score"] - spread, PERIODE="JANUARI-JUNI")
    second = halves.assign(score=halves["score"] + spread, PERIODE="JULI-DESEMBER")
    old_skp = pd.concat(
        [old_skp[old_skp["period"] != 2021].assign(PERIODE="TAHUNAN"), first, second]
    )
    nip = old_skp["nip"].where(rng.random(len(old_skp)) > 0.02, old_skp["nip"].map(_mangled))
    skp = pd.DataFrame({
        "NIP": nip, "NAMA": old_skp["nip"].map(name_of), "TAHUN": old_skp["period"],
        "PERIODE": old_skp["PERIODE"], "NILAI PRESTASI KERJA": _comma(old_skp["score"]),
    })  # fmt: skip
    if dialect == "split":  # one file per year, and a file no importer knows
        for year, part in skp.groupby("TAHUN"):
            save(f"skp_{year}.csv", part, sep=";")
        save("daftar_hadir_apel.csv", pd.DataFrame({"TANGGAL": ["02-01-2024"], "KEGIATAN": ["Apel pagi"], "HADIR": [412]}))  # fmt: skip
    else:
        save("skp_2016_2021.csv", skp, sep=";")

    # SKP from 2022 (rw-skp22): two ratings and a kuadran, no unit of the rated person.
    new_skp = ev[ev["score"].isna()]
    if "rating_hasil_kerja" in new_skp:
        save("skp22.csv", pd.DataFrame({
            "nip": new_skp["nip"], "tahun": new_skp["period"],
            "hasilKinerja": new_skp["rating_hasil_kerja"].map(RATING_TEXT),
            "perilakuKerja": new_skp["rating_perilaku_kerja"].map(RATING_TEXT),
            "kuadranKinerja": new_skp["predikat"].map(KUADRAN_TEXT),
            "namaUnorPenilai": new_skp["unit_id"].map(names),
        }))  # fmt: skip

    # Diklat, hukuman disiplin, assessment recap (wide XLSX), SKM by unit name.
    tr = tables["trainings"]
    save("diklat.csv", pd.DataFrame({
        "NIP BARU": "'" + tr["nip"], "NAMA DIKLAT": tr["title"], "TANGGAL SELESAI": _dmy(tr["completed_on"]),
        "JUMLAH JAM": tr["hours"].astype(int),
    }))  # fmt: skip
    hd = tables["discipline"]
    save("hukdis.csv", pd.DataFrame({
        "NIP": hd["nip"], "TINGKAT HUKUMAN": hd["severity"].map(SEVERITY_CODE), "TMT HUKUMAN": _dmy(hd["decided_on"]),
    }))  # fmt: skip
    comp = tables["competencies"]
    wide = (
        comp[comp["competency"].isin(list(COMPETENCY_TEXT))]
        .pivot_table(
            index=["nip", "assessed_on"], columns="competency", values="level", aggfunc="first"
        )
        .reset_index()
    )
    sheet = pd.DataFrame({"NIP": wide["nip"], "NAMA": wide["nip"].map(name_of),
                          "TANGGAL ASESMEN": _dmy(wide["assessed_on"])})  # fmt: skip
    for key, text in COMPETENCY_TEXT.items():
        sheet[text] = wide[key] if key in wide else None
    save("rekap_asesmen.xlsx", sheet)
    kpi = tables["unit_kpis"]
    skm = pd.DataFrame({
        "NAMA UNIT": kpi["unit_id"].map(names), "TAHUN": kpi["period"], "IKM": _comma(kpi["ikm"]),
        "JUMLAH PENGADUAN": kpi["complaints"], "RATA-RATA WAKTU TUNGGU": _comma(kpi["avg_wait_minutes"], 1),
    })  # fmt: skip
    if dialect == "names":  # the SKM recap as an e-survey tool writes it
        skm = skm.rename(columns={"NAMA UNIT": "UNIT LAYANAN", "IKM": "NILAI IKM",
                                  "JUMLAH PENGADUAN": "JUMLAH ADUAN SP4N-LAPOR",
                                  "RATA-RATA WAKTU TUNGGU": "RATA-RATA WAKTU TUNGGU (MENIT)"})  # fmt: skip
        skm = skm[["TAHUN", "UNIT LAYANAN", "NILAI IKM", "JUMLAH ADUAN SP4N-LAPOR", "RATA-RATA WAKTU TUNGGU (MENIT)"]]  # fmt: skip
    save("skm.csv", skm, sep=";")
    return written


def _abk_by_names(units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """ABK rows per jabatan (the unit's kebutuhan split over one to three jabatan), keyed by
    the perangkat daerah's name (the unit's top ancestor) and the unit's own name."""
    parent = units.set_index("unit_id")["parent_unit_id"]
    name = units.set_index("unit_id")["unit_name"]

    def top(unit: str) -> str:
        while pd.notna(parent.get(unit)) and parent.get(unit) in name.index:
            unit = parent[unit]
        return str(name[unit])

    rows = []
    for unit, need in zip(units["unit_id"], units["capacity"].astype(int), strict=True):
        parts = int(rng.integers(1, 4)) if need >= 3 else 1
        cuts = np.sort(rng.choice(np.arange(1, need), size=parts - 1, replace=False)) if parts > 1 else np.zeros(0, int)  # fmt: skip
        for k, size in enumerate(np.diff([0, *cuts, need])):
            rows.append({"PERANGKAT DAERAH": top(unit), "UNIT ORGANISASI": name[unit],
                         "NAMA JABATAN": f"Jabatan {k + 1}", "KEBUTUHAN": int(size)})  # fmt: skip
    return pd.DataFrame(rows)


def _rw_split(riwayat: pd.DataFrame, rw: pd.DataFrame) -> pd.DataFrame:
    """SIASN's rw-jabatan: no single position name; the fungsional and the fungsional umum
    name in their own columns, chosen by a textual jenis jabatan; struktural rows carry no
    name (the importer names them after the unit they head)."""
    jenis = riwayat["JENIS JABATAN ID"]
    text = jenis.map({"1": "Jabatan Struktural", "2": "Jabatan Fungsional Tertentu", "4": "Jabatan Fungsional Umum"})  # fmt: skip
    k = np.arange(len(riwayat))
    return pd.DataFrame({
        "ID": [f"rw{i:08d}" for i in k], "PNS ID": "null", "NIP BARU": riwayat["NIP BARU"].to_numpy(),
        "NAMA": "null", "JENIS JABATAN": text.to_numpy(), "UNOR ID": riwayat["UNOR ID"].to_numpy(),
        "UNOR NAMA": riwayat["UNOR NAMA"].to_numpy(), "ESELON ID": riwayat["ESELON ID"].to_numpy(),
        "JABATAN FUNGSIONAL ID": np.where(jenis == "2", "JF" + pd.Series(k).astype(str), "null"),
        "JABATAN FUNGSIONAL NAMA": np.where(jenis == "2", riwayat["JABATAN NAMA"], "null"),
        "JABATAN FUNGSIONAL UMUM ID": np.where(jenis == "4", "JFU" + pd.Series(k).astype(str), "null"),
        "JABATAN FUNGSIONAL UMUM NAMA": np.where(jenis == "4", riwayat["JABATAN NAMA"], "null"),
        "TMT JABATAN": riwayat["TMT JABATAN"].to_numpy(), "NOMOR SK": "null", "TANGGAL SK": "null",
        "TMT PELANTIKAN": "null", "JENIS PENUGASAN ID": "1", "JENIS MUTASI ID": riwayat["JENIS MUTASI"].to_numpy(),
    })  # fmt: skip
