"""Kota Mataram's government as it is organised: the units a synthetic world places people in.

Sources: the domain brief (OPD list, kecamatan and kelurahan of Kota Mataram, puskesmas as
BLUD units). Names of bagian/bidang/seksi follow the usual Permendagri nomenclature; where a
unit's exact bidang are unverified they are plausible, not claimed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from features import vocab

CITY_CENTRE = (-8.5833, 116.1167)


@dataclass
class UnitSpec:
    """One unit of a synthetic organisation, with its family of jobs and its size weight."""

    unit_id: str
    unit_name: str
    unit_kind: str
    domain: str
    parent_unit_id: str | None = None
    family: str = "admin"  # admin | teacher | health: who can be placed there
    weight: float = 1.0  # relative headcount
    public_facing: bool = False
    kelurahan: str | None = None
    location: tuple[float, float] = CITY_CENTRE
    required_competencies: dict[str, int] = field(default_factory=dict)


KECAMATAN: dict[str, tuple[tuple[float, float], tuple[str, ...]]] = {
    "Ampenan": (
        (-8.5720, 116.0780),
        (
            "Ampenan Selatan", "Ampenan Tengah", "Ampenan Utara", "Banjar", "Bintaro",
            "Dayan Peken", "Kebun Sari", "Pejarakan Karya", "Pejeruk", "Taman Sari",
        ),
    ),
    "Mataram": (
        (-8.5900, 116.1050),
        (
            "Mataram Timur", "Pagesangan", "Pagesangan Barat", "Pagesangan Timur", "Pagutan",
            "Pagutan Barat", "Pagutan Timur", "Pejanggik", "Punia",
        ),
    ),
    "Selaparang": (
        (-8.5650, 116.1150),
        (
            "Dasan Agung", "Dasan Agung Baru", "Gomong", "Karang Baru", "Mataram Barat",
            "Monjok", "Monjok Barat", "Monjok Timur", "Rembiga",
        ),
    ),
    "Sekarbela": (
        (-8.6050, 116.0900),
        ("Jempong Baru", "Kekalik Jaya", "Karang Pule", "Tanjung Karang", "Tanjung Karang Permai"),
    ),
    "Sandubaya": (
        (-8.6000, 116.1600),
        ("Abian Tubuh Baru", "Babakan", "Bertais", "Dasan Cermen", "Mandalika", "Selagalas", "Turida"),
    ),
    "Cakranegara": (
        (-8.5900, 116.1400),
        (
            "Cakranegara Selatan", "Cakranegara Barat", "Cakranegara Timur", "Cakranegara Utara",
            "Sayang-Sayang", "Cakranegara Selatan Baru", "Sapta Marga", "Cilinaya", "Mayura",
            "Karang Taliwang",
        ),
    ),
}  # fmt: skip

KECAMATAN_SEKSI = (
    ("SEK", "Sekretariat", "umum"),
    ("PEM", "Seksi Pemerintahan", "pemerintahan"),
    ("PEL", "Seksi Pelayanan Umum", "kependudukan"),
    ("TRANTIB", "Seksi Ketenteraman dan Ketertiban Umum", "ketertiban"),
    ("EKBANG", "Seksi Ekonomi dan Pembangunan", "ekonomi"),
    ("KESOS", "Seksi Kesejahteraan Sosial", "sosial"),
)

SETDA_BAGIAN = (
    ("PEM", "Bagian Tata Pemerintahan", "pemerintahan"),
    ("HUKUM", "Bagian Hukum", "hukum"),
    ("ORG", "Bagian Organisasi", "kepegawaian"),
    ("UMUM", "Bagian Umum", "umum"),
    ("PROKOPIM", "Bagian Protokol dan Komunikasi Pimpinan", "humas"),
    ("EKON", "Bagian Perekonomian", "ekonomi"),
    ("KESRA", "Bagian Kesejahteraan Rakyat", "sosial"),
    ("PBJ", "Bagian Pengadaan Barang dan Jasa", "keuangan"),
    ("KEU", "Bagian Keuangan Setda", "keuangan"),
)

# (code, name, kind, main domain, bidang (code, name, domain), weight)
OPD: tuple[tuple[str, str, str, str, tuple[tuple[str, str, str], ...], float], ...] = (
    ("DIKBUD", "Dinas Pendidikan", "dinas", "pendidikan", (
        ("PSD", "Bidang Pembinaan SD", "pendidikan"), ("PSMP", "Bidang Pembinaan SMP", "pendidikan"),
        ("GTK", "Bidang Guru dan Tenaga Kependidikan", "kepegawaian"),
    ), 1.2),
    ("DIKES", "Dinas Kesehatan", "dinas", "kesehatan", (
        ("KESMAS", "Bidang Kesehatan Masyarakat", "kesehatan"),
        ("P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "kesehatan"),
        ("YANKES", "Bidang Pelayanan Kesehatan", "kesehatan"),
    ), 1.2),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas", "pekerjaan_umum", (
        ("BM", "Bidang Bina Marga", "pekerjaan_umum"), ("SDA", "Bidang Sumber Daya Air", "pekerjaan_umum"),
        ("TR", "Bidang Penataan Ruang", "pekerjaan_umum"),
    ), 1.3),
    ("PERKIM", "Dinas Perumahan dan Kawasan Permukiman", "dinas", "pekerjaan_umum", (
        ("PRKP", "Bidang Perumahan", "pekerjaan_umum"), ("PJU", "Bidang Penerangan Jalan Umum", "pekerjaan_umum"),
    ), 1.0),
    ("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "dinas", "sosial", (
        ("PP", "Bidang Perlindungan Perempuan dan Anak", "sosial"),
    ), 0.7),
    ("DLH", "Dinas Lingkungan Hidup", "dinas", "lingkungan", (
        ("KEB", "Bidang Kebersihan", "lingkungan"), ("PPL", "Bidang Pengendalian Pencemaran", "lingkungan"),
        ("RTH", "Bidang Pertamanan", "lingkungan"),
    ), 1.4),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas", "kependudukan", (
        ("DAFDUK", "Bidang Pendaftaran Penduduk", "kependudukan"),
        ("CAPIL", "Bidang Pencatatan Sipil", "kependudukan"),
        ("PIAK", "Bidang Pengelolaan Informasi Administrasi Kependudukan", "teknologi_informasi"),
    ), 1.0),
    ("DISHUB", "Dinas Perhubungan", "dinas", "ketertiban", (
        ("LLAJ", "Bidang Lalu Lintas", "ketertiban"), ("PARKIR", "Bidang Perparkiran", "ekonomi"),
    ), 1.0),
    ("KOMINFO", "Dinas Komunikasi dan Informatika", "dinas", "teknologi_informasi", (
        ("IKP", "Bidang Informasi dan Komunikasi Publik", "humas"),
        ("APTIKA", "Bidang Aplikasi Informatika", "teknologi_informasi"),
        ("STAT", "Bidang Statistik dan Persandian", "perencanaan"),
    ), 0.9),
    ("DISKOPUKM", "Dinas Perindustrian, Koperasi dan UKM", "dinas", "ekonomi", (
        ("KOP", "Bidang Koperasi", "ekonomi"), ("IND", "Bidang Perindustrian", "ekonomi"),
    ), 0.7),
    ("DISDAG", "Dinas Perdagangan", "dinas", "ekonomi", (
        ("PASAR", "Bidang Pengelolaan Pasar", "ekonomi"), ("METRO", "Bidang Metrologi", "ekonomi"),
    ), 1.0),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "dinas", "perizinan", (
        ("PELAYANAN", "Bidang Pelayanan Perizinan", "perizinan"),
        ("PENGADUAN", "Bidang Pengaduan dan Informasi", "humas"),
    ), 0.8),
    ("DKP", "Dinas Ketahanan Pangan", "dinas", "ekonomi", (), 0.5),
    ("DISPORA", "Dinas Pemuda dan Olahraga", "dinas", "sosial", (), 0.5),
    ("DINSOS", "Dinas Sosial", "dinas", "sosial", (
        ("REHSOS", "Bidang Rehabilitasi Sosial", "sosial"), ("LINJAMSOS", "Bidang Perlindungan dan Jaminan Sosial", "sosial"),
    ), 0.8),
    ("DISNAKER", "Dinas Tenaga Kerja", "dinas", "ekonomi", (
        ("PENTA", "Bidang Penempatan Tenaga Kerja", "ekonomi"),
    ), 0.6),
    ("DAMKAR", "Dinas Pemadam Kebakaran", "dinas", "ketertiban", (
        ("OPS", "Bidang Operasional Pemadaman", "ketertiban"),
    ), 1.0),
    ("DISPAR", "Dinas Pariwisata", "dinas", "pariwisata", (
        ("DESTINASI", "Bidang Destinasi Pariwisata", "pariwisata"), ("PROMOSI", "Bidang Pemasaran Pariwisata", "humas"),
    ), 0.7),
    ("DISARPUS", "Dinas Arsip dan Perpustakaan", "dinas", "umum", (), 0.6),
    ("DISTAN", "Dinas Pertanian", "dinas", "ekonomi", (("TPH", "Bidang Tanaman Pangan", "ekonomi"),), 0.7),
    ("DISKAN", "Dinas Perikanan", "dinas", "ekonomi", (), 0.5),
    ("DP2KB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", "dinas", "kesehatan", (
        ("KB", "Bidang Keluarga Berencana", "kesehatan"),
    ), 0.7),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan", "perencanaan", (
        ("PEP", "Bidang Perencanaan Ekonomi", "perencanaan"), ("PPM", "Bidang Pemerintahan dan Pembangunan Manusia", "perencanaan"),
        ("IPW", "Bidang Infrastruktur dan Pengembangan Wilayah", "perencanaan"),
    ), 0.9),
    ("BALITBANG", "Badan Penelitian dan Pengembangan", "badan", "perencanaan", (), 0.4),
    ("BKD", "Badan Keuangan Daerah", "badan", "keuangan", (
        ("ANGGARAN", "Bidang Anggaran", "keuangan"), ("PERBEND", "Bidang Perbendaharaan", "keuangan"),
        ("AKUNTANSI", "Bidang Akuntansi", "keuangan"), ("PENDAPATAN", "Bidang Pendapatan Daerah", "keuangan"),
        ("ASET", "Bidang Aset", "keuangan"),
    ), 1.3),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "badan", "kepegawaian", (
        ("MUTASI", "Bidang Mutasi dan Promosi", "kepegawaian"), ("PSDM", "Bidang Pengembangan SDM", "kepegawaian"),
        ("DATA", "Bidang Data dan Informasi Kepegawaian", "teknologi_informasi"),
    ), 0.9),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "badan", "ketertiban", (
        ("DARLOG", "Bidang Kedaruratan dan Logistik", "ketertiban"),
    ), 0.6),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "badan", "pemerintahan", (), 0.5),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "dinas", "ketertiban", (
        ("TIBUM", "Bidang Ketertiban Umum", "ketertiban"), ("PERDA", "Bidang Penegakan Perda", "hukum"),
    ), 1.5),
    ("INSPEKTORAT", "Inspektorat", "badan", "keuangan", (
        ("IRBAN1", "Inspektur Pembantu I", "keuangan"), ("IRBAN2", "Inspektur Pembantu II", "hukum"),
    ), 0.9),
    ("SETWAN", "Sekretariat DPRD", "sekretariat_daerah", "umum", (
        ("PERSIDANGAN", "Bagian Persidangan dan Perundang-undangan", "hukum"),
        ("HUMASDPRD", "Bagian Umum dan Humas DPRD", "humas"),
    ), 0.8),
)  # fmt: skip

PUSKESMAS = (
    ("AMPENAN", "Ampenan"), ("TANJUNGKARANG", "Sekarbela"), ("KARANGPULE", "Sekarbela"),
    ("MATARAM", "Mataram"), ("PAGESANGAN", "Mataram"), ("SELAPARANG", "Selaparang"),
    ("DASANAGUNG", "Selaparang"), ("CAKRANEGARA", "Cakranegara"),
    ("KARANGTALIWANG", "Cakranegara"), ("BABAKAN", "Sandubaya"), ("PEJERUK", "Ampenan"),
)  # fmt: skip

# Needs by domain, on top of the managerial basics every unit asks for (levels 1-5).
DOMAIN_NEEDS: dict[str, dict[str, int]] = {
    "humas": {"komunikasi": 4, "pelayanan_publik": 3},
    "keuangan": {"integritas": 4, "orientasi_hasil": 3},
    "perencanaan": {"pengambilan_keputusan": 3, "orientasi_hasil": 3},
    "kepegawaian": {"integritas": 4, "komunikasi": 3},
    "hukum": {"integritas": 4, "pengambilan_keputusan": 3},
    "kependudukan": {"pelayanan_publik": 4, "komunikasi": 3},
    "perizinan": {"pelayanan_publik": 4, "integritas": 4},
    "kesehatan": {"pelayanan_publik": 4, "kerja_sama": 3},
    "pendidikan": {"komunikasi": 3, "pengembangan_diri": 3},
    "pemerintahan": {"perekat_bangsa": 3, "komunikasi": 3},
    "ketertiban": {"kerja_sama": 3, "perekat_bangsa": 3},
    "teknologi_informasi": {"mengelola_perubahan": 3, "orientasi_hasil": 3},
    "pariwisata": {"komunikasi": 4},
    "sosial": {"pelayanan_publik": 3, "kerja_sama": 3},
}


def _loc(anchor: tuple[float, float], k: int, spread: float = 0.008) -> tuple[float, float]:
    """A deterministic office position near `anchor` (no RNG: unit ids fix it)."""
    angle = (k * 2.399963) % 6.283185
    r = spread * (0.3 + (k % 7) / 7)
    return (round(anchor[0] + r * math.sin(angle), 5), round(anchor[1] + r * math.cos(angle), 5))


def _needs(domain: str) -> dict[str, int]:
    needs = {"integritas": 3, "kerja_sama": 3}
    needs.update(DOMAIN_NEEDS.get(domain, {}))
    needs[f"teknis_{domain}"] = 3
    return needs


def _unit(uid: str, name: str, kind: str, domain: str, **kw: object) -> UnitSpec:
    spec = UnitSpec(uid, name, kind, domain, **kw)  # type: ignore[arg-type]
    spec.required_competencies = _needs(domain)
    return spec


def kecamatan_units(kec: str, k0: int) -> list[UnitSpec]:
    """A kecamatan office, its seksi, and its kelurahan."""
    anchor, kelurahan = KECAMATAN[kec]
    kid = f"KEC-{kec.upper()}"
    out = [_unit(kid, f"Kecamatan {kec}", "kecamatan", "pemerintahan", weight=0.6,
                 public_facing=True, location=anchor, kelurahan=kelurahan[0])]  # fmt: skip
    for code, name, domain in KECAMATAN_SEKSI:
        out.append(
            _unit(
                f"{kid}-{code}",
                f"{name} Kecamatan {kec}",
                "seksi",
                domain,
                parent_unit_id=kid,
                weight=0.35,
                public_facing=True,
                location=anchor,
            )  # fmt: skip
        )
    for i, kel in enumerate(kelurahan):
        uid = "KEL-" + kel.upper().replace(" ", "").replace("-", "")
        out.append(
            _unit(
                uid,
                f"Kelurahan {kel}",
                "kelurahan",
                "pemerintahan",
                parent_unit_id=kid,
                weight=0.45,
                public_facing=True,
                kelurahan=kel,
                location=_loc(anchor, k0 + i),
            )  # fmt: skip
        )
    return out


def puskesmas_units(only: set[str] | None = None) -> list[UnitSpec]:
    out = []
    for i, (code, kec) in enumerate(PUSKESMAS):
        if only is not None and kec not in only:
            continue
        out.append(
            _unit(
                f"PKM-{code}",
                f"Puskesmas {code.title()}",
                "puskesmas",
                "kesehatan",
                parent_unit_id="DIKES",
                family="health",
                weight=1.4,
                public_facing=True,
                location=_loc(KECAMATAN[kec][0], 40 + i),
            )  # fmt: skip
        )
    return out


def school_units(n_smp: int, n_sd: int, kecamatan: list[str]) -> list[UnitSpec]:
    out = []
    for i in range(n_smp):
        kec = kecamatan[i % len(kecamatan)]
        out.append(
            _unit(
                f"SMPN-{i + 1:02d}",
                f"SMP Negeri {i + 1} Mataram",
                "sekolah",
                "pendidikan",
                parent_unit_id="DIKBUD",
                family="teacher",
                weight=1.9,
                location=_loc(KECAMATAN[kec][0], 60 + i, 0.012),
            )  # fmt: skip
        )
    for i in range(n_sd):
        kec = kecamatan[(i + 3) % len(kecamatan)]
        out.append(
            _unit(
                f"SDN-{i + 1:02d}",
                f"SD Negeri {i + 1} Mataram",
                "sekolah",
                "pendidikan",
                parent_unit_id="DIKBUD",
                family="teacher",
                weight=1.1,
                location=_loc(KECAMATAN[kec][0], 90 + i, 0.012),
            )  # fmt: skip
        )
    return out


def mataram_units() -> list[UnitSpec]:
    """Kota Mataram: Setda and its bagian, dinas and badan with bidang, kecamatan, puskesmas."""
    units = [_unit("SETDA", "Sekretariat Daerah Kota Mataram", "sekretariat_daerah", "umum",
                   weight=0.6)]  # fmt: skip
    for i, (code, name, domain) in enumerate(SETDA_BAGIAN):
        units.append(_unit(f"SETDA-{code}", name, "bagian", domain, parent_unit_id="SETDA",
                           weight=0.8, location=_loc(CITY_CENTRE, i)))  # fmt: skip
    for i, (code, name, kind, domain, bidang, weight) in enumerate(OPD):
        anchor = _loc(CITY_CENTRE, 10 + i, 0.02)
        units.append(_unit(code, name, kind, domain, weight=0.5 * weight, location=anchor,
                           public_facing=domain in {"kependudukan", "perizinan"}))  # fmt: skip
        units.append(_unit(f"{code}-SEKRE", f"Sekretariat {name}", "bagian", "umum",
                           parent_unit_id=code, weight=0.6 * weight, location=anchor))  # fmt: skip
        for bcode, bname, bdomain in bidang:
            units.append(
                _unit(
                    f"{code}-{bcode}",
                    bname,
                    "bidang",
                    bdomain,
                    parent_unit_id=code,
                    weight=weight,
                    location=anchor,
                    public_facing=bdomain in {"kependudukan", "perizinan"},
                )  # fmt: skip
            )
    units.append(_unit("RSUD", "Rumah Sakit Umum Daerah Kota Mataram", "uptd", "kesehatan",
                       parent_unit_id="DIKES", family="health", weight=6.0, public_facing=True,
                       location=_loc(CITY_CENTRE, 33, 0.02)))  # fmt: skip
    k = 0
    for kec in KECAMATAN:
        units += kecamatan_units(kec, k)
        k += 12
    units += puskesmas_units()
    units += school_units(22, 30, list(KECAMATAN))
    return units


def cakranegara_units() -> list[UnitSpec]:
    """A small world: Kecamatan Cakranegara with its kelurahan, plus the city units it works with."""
    units = kecamatan_units("Cakranegara", 0)
    keep = {"BKD-ANGGARAN", "SETDA-PROKOPIM", "DUKCAPIL-DAFDUK"}
    units += [u for u in mataram_units() if u.unit_id in keep]
    units += puskesmas_units({"Cakranegara"})
    units += [u for u in school_units(3, 3, ["Cakranegara"]) if u.unit_id in {"SMPN-01", "SDN-01"}]
    return units


def ampenan_units() -> list[UnitSpec]:
    """A mid-sized world (about 80 units): Kecamatan Ampenan and Selaparang, Setda's bagian,
    every third dinas or badan with its bidang, their puskesmas and a few schools. Small
    enough to train in seconds, large enough for a person's units to differ in every way."""
    city = mataram_units()
    opd = {code for code, *_ in OPD[::3]}
    keep = [u for u in city if u.unit_kind == "bagian" and u.parent_unit_id == "SETDA"]
    keep += [
        u for u in city
        if (u.unit_id in opd or u.parent_unit_id in opd) and u.family == "admin"
    ]  # fmt: skip
    units = kecamatan_units("Ampenan", 0) + kecamatan_units("Selaparang", 12) + keep
    units += puskesmas_units({"Ampenan", "Selaparang"})
    units += school_units(4, 6, ["Ampenan", "Selaparang"])
    return units


def regions_units(k: int) -> list[UnitSpec]:
    """`k` regions each organised as Kota Mataram (region 1 is Mataram's own ids, region r
    adds `-W{r}` to each id and "(Wilayah r)" to each name), on the same map: a world the
    size of several cities under one BKPSDM, to measure how every step grows (a province
    of about 50,000 ASN and 2,500 units is nine)."""
    city = mataram_units()
    units = list(city)
    for r in range(2, k + 1):
        units += [
            replace(
                u, unit_id=f"{u.unit_id}-W{r}", unit_name=f"{u.unit_name} (Wilayah {r})",
                parent_unit_id=None if u.parent_unit_id is None else f"{u.parent_unit_id}-W{r}",
            )
            for u in city
        ]  # fmt: skip
    return units


def check_units(units: list[UnitSpec]) -> list[UnitSpec]:
    """The preset with parents outside it cut loose; fails fast on a drift from the contract."""
    ids = {u.unit_id for u in units}
    if len(ids) != len(units):
        raise ValueError("duplicate unit ids in a preset")
    for u in units:
        if u.unit_kind not in vocab.UNIT_KINDS or u.domain not in vocab.DOMAINS:
            raise ValueError(f"unit {u.unit_id} breaks the contract's vocabularies")
        if u.parent_unit_id not in ids:
            u.parent_unit_id = None
    return units
