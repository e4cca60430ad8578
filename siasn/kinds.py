"""What each kind of export carries, and which file is which kind.

An agency's files are whatever its SIASN, SIMPEG vendor or e-Kinerja wrote: the same NIP
column is `NIP BARU` in SIASN's download, `NIP` in a SIMPEG dump, `nipBaru` in the API's
JSON saved as CSV. So a kind is not a set of exact header names. Each kind declares the
information it needs, every piece a group of fields any one of which will do (a unit by its
code or by its name); each field has the header names it is known by. A file is the kind
whose needs its columns meet, the most specific one when several are met; a file that meets
none is reported with the kind it most resembles, the needs it lacks (with the names that
would do) and the columns it has, so that the agency can name the column in `mapping.csv`
(`kind=column, source="<file>:<header>", target=<field>`) and run the import again.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final

from features.contract.headers import header_words

# The fields the importer reads, each with the other names it is known by (after
# `header_name`'s normalisation: upper case, `_` and camelCase humps as spaces).
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "NIP BARU": ("NIP", "NIPBARU", "NIP 18", "NIP ASN", "NIP PEGAWAI", "NOMOR INDUK PEGAWAI", "PNS NIP"),
    # SIASN's own id of a person: its API keys rw-skp (`pns`), rw-skp22 (`pnsDinilaiId`),
    # rw-hukdis and rw-pemberhentian (`pnsOrang`) by it, never by NIP (`siasn/identity.py`)
    "PNS ID": ("ID PNS", "PNS ORANG", "PNS DINILAI ID", "PNS ORANG ID", "PNSID", "PNS"),
    "NAMA": ("NAMA PEGAWAI", "NAMA LENGKAP", "NAMA ASN"),
    "TANGGAL LAHIR": ("TGL LAHIR", "TGLLAHIR"),
    "JENIS KELAMIN": ("JK", "KELAMIN", "GENDER", "L P"),  # `L/P`, as spreadsheets head it
    "TMT CPNS": ("TMT CAPEG", "TMT PNS AWAL", "TGL CPNS"),
    # SIMPEG reports head them without SIASN's "NAMA" (the text, not the code); "STATUS
    # PEGAWAI" is left out: some vendors mean the kedudukan by it, others PNS or PPPK
    "KEDUDUKAN HUKUM NAMA": ("KEDUDUKAN HUKUM", "STATUS KEDUDUKAN HUKUM"),
    "JENIS PEGAWAI NAMA": ("JENIS PEGAWAI", "JENIS ASN"),
    "AGAMA NAMA": ("AGAMA",),
    "JENIS KAWIN NAMA": ("JENIS KAWIN", "STATUS PERKAWINAN", "STATUS KAWIN"),
    "UNOR ID": ("UNIT ORGANISASI ID", "KODE UNOR", "KD UNOR", "ID UNOR", "KODE UNIT KERJA", "ID UNIT KERJA",
                "KODE UNIT"),
    "UNOR NAMA": ("UNIT ORGANISASI NAMA", "NAMA UNOR", "UNIT KERJA", "NAMA UNIT KERJA", "UNOR"),
    "TMT JABATAN": ("TMT JAB", "TGL TMT JABATAN"),
    "JABATAN NAMA": ("NAMA JABATAN", "JABATAN", "NAMA JAB"),
    "JENIS JABATAN ID": ("JENIS JABATAN", "ID JENIS JABATAN", "JNS JABATAN"),
    "JABATAN STRUKTURAL NAMA": ("NAMA JABATAN STRUKTURAL",),
    "JABATAN FUNGSIONAL NAMA": ("NAMA JABATAN FUNGSIONAL", "JFT NAMA"),
    "JABATAN FUNGSIONAL UMUM NAMA": ("NAMA JABATAN FUNGSIONAL UMUM", "JFU NAMA", "JABATAN PELAKSANA NAMA"),
    "ESELON ID": ("ESELON", "ID ESELON"),
    "GOL AKHIR ID": ("GOLONGAN ID", "GOL ID"),
    "GOL AKHIR NAMA": ("GOLONGAN NAMA", "GOLONGAN", "GOL RUANG", "PANGKAT GOLONGAN",
                       "GOLONGAN RUANG", "PANGKAT GOL", "GOL"),
    "TINGKAT PENDIDIKAN ID": ("TK PENDIDIKAN ID",),
    "TINGKAT PENDIDIKAN NAMA": ("TK PENDIDIKAN NAMA", "TINGKAT PENDIDIKAN", "JENJANG PENDIDIKAN"),
    "PENDIDIKAN NAMA": ("PENDIDIKAN", "PENDIDIKAN TERAKHIR", "JURUSAN", "PROGRAM STUDI", "PRODI"),
    "ID": (),  # the unor tree's own id (or `UNOR ID`)
    "DIATASAN ID": ("ATASAN ID", "ID ATASAN", "PARENT ID", "UNOR ATASAN ID", "KODE ATASAN",
                    "KODE UNIT ATASAN", "KODE UNOR ATASAN"),
    "NAMA UNIT": ("UNIT LAYANAN", "NAMA UNIT LAYANAN", "UNIT ORGANISASI", "UNIT"),
    "PERANGKAT DAERAH": ("OPD", "NAMA OPD", "SKPD"),
    "KEBUTUHAN": ("JUMLAH KEBUTUHAN", "KEBUTUHAN PEGAWAI", "FORMASI"),
    "TMT BERHENTI": ("TMT PENSIUN", "TANGGAL BERHENTI", "TMT PEMBERHENTIAN"),
    "JENIS PEMBERHENTIAN": ("JENIS", "JENIS HENTI", "DETAIL LAYANAN NAMA"),
    "TAHUN": ("TAHUN PENILAIAN", "PERIODE TAHUN"),
    "NILAI PRESTASI KERJA": ("NILAI SKP", "NILAI PPK", "NILAI KINERJA"),
    "HASIL KERJA": ("HASIL KINERJA", "RATING HASIL KERJA", "HASIL KINERJA NILAI"),
    "PERILAKU KERJA": ("PERILAKU KINERJA", "RATING PERILAKU KERJA", "PERILAKU KERJA NILAI"),
    "KUADRAN": ("KUADRAN KINERJA", "PREDIKAT KINERJA", "KUADRAN KINERJA NILAI", "PREDIKAT",
                "PREDIKAT SKP", "PREDIKAT KINERJA PEGAWAI"),
    # a talent review's second axis (the nine box: kinerja x potensial), never in an SKP
    "POTENSIAL": ("NILAI POTENSIAL", "NILAI POTENSI", "POTENSI", "NILAI POTENSIAL X", "SKOR POTENSIAL"),
    # a periodic evaluation's period (SIASN's rw-kinerjaperiodik: `periodikId`, `periodikNama`)
    "PERIODIK": ("PERIODIK NAMA", "PERIODIK ID", "PERIODE PENILAIAN", "TRIWULAN", "BULAN"),
    "UNOR PENILAI": ("NAMA UNOR PENILAI",),
    "NAMA DIKLAT": ("NAMA KURSUS", "NAMA PELATIHAN", "JUDUL DIKLAT", "LATIHAN STRUKTURAL NAMA"),
    "TANGGAL SELESAI": ("TGL SELESAI", "TANGGAL SELESAI DIKLAT", "TANGGAL SELESAI KURSUS"),
    "JUMLAH JAM": ("JAM PELAJARAN", "JP", "DURASI JAM"),
    "TINGKAT HUKUMAN": ("JENIS HUKUMAN DISIPLIN", "TINGKAT HUKUMAN DISIPLIN", "JENIS TINGKAT HUKUMAN ID", "TINGKAT HUKUMAN ID"),
    # where an export gives no tingkat, the jenis hukuman's name says it (`siasn.convert`)
    "JENIS HUKUMAN NAMA": ("NAMA JENIS HUKUMAN", "JENIS HUKUMAN"),
    "TMT HUKUMAN": ("TMT HUKDIS", "TANGGAL HUKUMAN", "HUKUMAN TANGGAL", "TANGGAL MULAI HUKUMAN"),
    "TANGGAL ASESMEN": ("TGL ASESMEN", "TANGGAL PENILAIAN KOMPETENSI"),
    "IKM": ("NILAI IKM", "INDEKS KEPUASAN MASYARAKAT"),
    "JUMLAH PENGADUAN": ("JUMLAH ADUAN", "JUMLAH ADUAN SP4N LAPOR", "JUMLAH ADUAN SP4N-LAPOR", "PENGADUAN"),
    "RATA-RATA WAKTU TUNGGU": ("RATA-RATA WAKTU TUNGGU (MENIT)", "WAKTU TUNGGU", "RATA RATA WAKTU TUNGGU"),
}  # fmt: skip

# A position name may come in pieces (SIASN's rw-jabatan): one column per jenis jabatan.
SPLIT_POSITION: Final[tuple[str, ...]] = (
    "JABATAN STRUKTURAL NAMA",
    "JABATAN FUNGSIONAL NAMA",
    "JABATAN FUNGSIONAL UMUM NAMA",
)


@dataclass(frozen=True)
class Kind:
    """A kind of export: its needs, each a group of fields any one of which will do, and
    whether the import can run without it."""

    name: str
    needs: tuple[tuple[str, ...], ...]
    required: bool = False
    label: str = ""
    imported: bool = True  # False: recognised only to be set aside, never read as another kind

    def missing(self, columns: set[str]) -> list[tuple[str, ...]]:
        return [need for need in self.needs if not columns & set(need)]

    def reads(self, columns: set[str]) -> int:
        """How many of `columns` its needs name (a need met by several counts each)."""
        return len(columns & {field for need in self.needs for field in need})


POSITION: Final[tuple[str, ...]] = ("JABATAN NAMA", *SPLIT_POSITION)
PERSON: Final[tuple[str, ...]] = ("NIP BARU", "PNS ID")  # Data ASN gives each ID its NIP
# a unit by its id, or by its name where one unit of the tree bears it (SIMPEG's sheets)
UNIT: Final[tuple[str, ...]] = ("UNOR ID", "UNOR NAMA")
KINDS: Final[tuple[Kind, ...]] = (
    Kind(
        "data_asn",
        (("NIP BARU",), ("NAMA",), ("TANGGAL LAHIR",), UNIT, ("TMT CPNS",)),
        True,
        "Data ASN",
    ),  # fmt: skip
    Kind(
        "riwayat_jabatan",
        (PERSON, ("TMT JABATAN",), UNIT, POSITION),
        True,
        "riwayat jabatan",
    ),  # fmt: skip
    Kind("unor", (("ID", "UNOR ID"), ("DIATASAN ID",), ("UNOR NAMA",)), True, "unor tree"),
    Kind("abk", (("UNOR ID", "NAMA UNIT", "UNOR NAMA"), ("KEBUTUHAN",)), label="ABK (formasi)"),
    Kind("pemberhentian", (PERSON, ("TMT BERHENTI",)), label="pemberhentian"),
    Kind(
        "skp_numeric",
        (PERSON, ("TAHUN",), ("NILAI PRESTASI KERJA",)),
        label="SKP up to 2021",
    ),  # fmt: skip
    # SIASN's rw-skp22 carries the two ratings and the predikat; a SIMPEG's recap may carry
    # the predikat alone (the ratings are optional in the contract)
    Kind(
        "skp_predikat",
        (PERSON, ("TAHUN",), ("KUADRAN", "HASIL KERJA", "PERILAKU KERJA")),
        label="SKP from 2022",
    ),  # fmt: skip
    # monthly or quarterly ratings (PermenPANRB 6/2022), not the year's predikat: recognised
    # so that they are never read as SKP 2022+, and set aside (`siasn.convert`)
    Kind(
        "kinerja_periodik",
        (PERSON, ("TAHUN",), ("PERIODIK",), ("KUADRAN", "HASIL KERJA", "PERILAKU KERJA")),
        label="kinerja periodik",
        imported=False,
    ),
    # a talent review (nine box): its kinerja axis is not the SKP's nilai prestasi kerja;
    # recognised so that it is never read as an SKP, and set aside (`siasn.convert`)
    Kind(
        "talenta",
        (PERSON, ("TAHUN",), ("NILAI PRESTASI KERJA",), ("POTENSIAL",)),
        label="talent review (nine box)",
        imported=False,
    ),
    Kind("diklat", (PERSON, ("NAMA DIKLAT",), ("TANGGAL SELESAI",)), label="diklat"),
    Kind(
        "hukdis",
        (PERSON, ("TINGKAT HUKUMAN", "JENIS HUKUMAN NAMA"), ("TMT HUKUMAN",)),
        label="hukuman disiplin",
    ),  # fmt: skip
    Kind("asesmen", (PERSON, ("TANGGAL ASESMEN",), ("INTEGRITAS",)), label="assessment"),
    Kind("skm", (("NAMA UNIT", "UNOR NAMA"), ("TAHUN",), ("IKM",)), label="SKM"),
)
KIND_BY_NAME: Final[dict[str, Kind]] = {k.name: k for k in KINDS}
_ALIAS: Final[dict[str, str]] = {v: field for field, names in FIELDS.items() for v in names}


def letters_of(text: str) -> str:
    """Text as its letters and digits only, upper case: what is left to compare where words
    ran together or are spaced and punctuated otherwise (`diatasanid`, a database's
    lower-case header; `Kurang / Misconduct`, a predikat)."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _by_letters() -> dict[str, str]:
    """Every field and name of one by `letters_of`, where those letters name one field."""
    found: dict[str, set[str]] = {}
    for name in (*FIELDS, *_ALIAS):
        found.setdefault(letters_of(name), set()).add(_ALIAS.get(name, name))
    return {letters: fields.pop() for letters, fields in found.items() if len(fields) == 1}


_BY_LETTERS: Final[dict[str, str]] = _by_letters()


def header_name(raw: object) -> str:
    """`hasilKinerja`, `hasil_kinerja`, ` HASIL  KINERJA ` -> `HASIL KERJA` (the field it
    names when it is a known variant; else the normalised text: upper case, `_`, `.` and
    camelCase humps as spaces, so that the API's `tmtJabatan_` twin is `TMT JABATAN` too);
    a header whose words ran together (`diatasanid`) is the field whose letters it has."""
    text = header_words(raw)
    if text in _ALIAS or text in FIELDS:
        return _ALIAS.get(text, text)
    return _BY_LETTERS.get(letters_of(text)) or text


def header_rank(raw: object) -> int:
    """How exactly a header names its field, lowest first: the field's own name 0, its
    other names in the order `FIELDS` lists them from 1. A file may carry several names of
    one field (SIASN's rw-jabatan has `eselon` and `eselonId`, `unorNama` and `namaUnor`;
    rw-skp has `nilaiSkp` beside `nilaiPrestasiKerja`): the best named is the one read."""
    text = header_words(raw)
    field = _ALIAS.get(text)
    return 0 if field is None else 1 + FIELDS[field].index(text)


def known_fields() -> set[str]:
    """Every field a kind needs or the importer reads."""
    return set(FIELDS) | {f for k in KINDS for need in k.needs for f in need}


def known_headers() -> set[str]:
    """Every field and every name of one (to find the header row under title rows)."""
    return known_fields() | set(_ALIAS)


def classify(columns: set[str]) -> str | None:
    """The kind whose needs `columns` meet; the most specific if several: the most needs,
    then the most of the file's columns its needs name (an SKP 2022+ file with a `NILAI`
    beside its predikat and two ratings is no SKP up to 2021, though both kinds have three
    needs), then the first in `KINDS`."""
    met = [k for k in KINDS if not k.missing(columns)]
    return max(met, key=lambda k: (len(k.needs), k.reads(columns))).name if met else None


@dataclass(frozen=True)
class NearMiss:
    """A file that is no kind: the kind it most resembles and what it lacks for it."""

    file: str
    kind: str
    lacks: tuple[tuple[str, ...], ...]
    has: tuple[str, ...]

    def line(self) -> str:
        def names(need: tuple[str, ...]) -> str:
            known = [n for f in need for n in (f, *FIELDS.get(f, ())[:2])]
            return " or ".join(dict.fromkeys(known))

        has = ", ".join(self.has[:12]) + (f" (+{len(self.has) - 12})" if len(self.has) > 12 else "")
        if self.resemblance == 0:
            return f"{self.file}: resembles no kind of export; it has: {has}"
        lacks = "; ".join(names(n) for n in self.lacks)
        return f"{self.file}: looks like {KIND_BY_NAME[self.kind].label} but lacks {lacks}; it has: {has}"

    @property
    def resemblance(self) -> float:
        """The share of the kind's needs the file meets."""
        return 1 - len(self.lacks) / len(KIND_BY_NAME[self.kind].needs)

    def suggestions(self) -> list[tuple[str, str]]:
        """(header, field) for each missing need whose name resembles a header of the file
        that is no known field (difflib), e.g. `NAMA JAB` for `JABATAN NAMA`."""
        spare = [h for h in self.has if h not in known_fields()]
        out: list[tuple[str, str]] = []
        for need in self.lacks:
            scored = [
                (difflib.SequenceMatcher(None, name, header).ratio(), header, need[0])
                for f in need for name in (f, *FIELDS.get(f, ())) for header in spare
            ]  # fmt: skip
            if scored and (best := max(scored))[0] >= 0.6:
                out.append((best[1], best[2]))
                spare.remove(best[1])
        return out


def nearest(file: str, columns: list[str]) -> NearMiss:
    """The kind `columns` come closest to (the largest share of its needs met)."""
    present = set(columns)

    def share(kind: Kind) -> tuple[float, int]:
        return (1 - len(kind.missing(present)) / len(kind.needs), len(kind.needs))

    best = max(KINDS, key=share)
    return NearMiss(file, best.name, tuple(best.missing(present)), tuple(columns))
