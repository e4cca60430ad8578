"""The contract's vocabularies and the project's shared constants.

One module holds every enum of the HR data contract so that the validator, the generator,
the feature pipeline and the API agree on them by construction (recommenders-style single
constants module).
"""

from __future__ import annotations

from typing import Final

DOMAINS: Final[tuple[str, ...]] = (
    "keuangan",
    "perencanaan",
    "kepegawaian",
    "hukum",
    "humas",
    "umum",
    "pemerintahan",
    "kependudukan",
    "perizinan",
    "kesehatan",
    "pendidikan",
    "pekerjaan_umum",
    "sosial",
    "ekonomi",
    "lingkungan",
    "ketertiban",
    "teknologi_informasi",
    "pariwisata",
)

# Education field -> the domains it usually suits (a fact for the rule baseline and
# for explanations; the model learns fit from outcomes, not from this table alone).
FIELD_SUITS: Final[dict[str, tuple[str, ...]]] = {
    "akuntansi": ("keuangan",),
    "manajemen": ("keuangan", "umum", "ekonomi"),
    "ekonomi_pembangunan": ("perencanaan", "ekonomi"),
    "statistika": ("perencanaan", "teknologi_informasi"),
    "administrasi_publik": (
        "umum",
        "pemerintahan",
        "kepegawaian",
        "perizinan",
        "kependudukan",
    ),
    "ilmu_pemerintahan": ("pemerintahan", "ketertiban"),
    "hukum": ("hukum", "kepegawaian", "perizinan", "ketertiban"),
    "ilmu_komunikasi": ("humas", "pariwisata"),
    "psikologi": ("kepegawaian", "sosial"),
    "teknik_informatika": ("teknologi_informasi", "kependudukan"),
    "teknik_sipil": ("pekerjaan_umum",),
    "teknik_lingkungan": ("lingkungan", "pekerjaan_umum"),
    "kesehatan_masyarakat": ("kesehatan",),
    "keperawatan": ("kesehatan",),
    "kedokteran": ("kesehatan",),
    "pendidikan": ("pendidikan",),
    "kesejahteraan_sosial": ("sosial",),
    "pariwisata": ("pariwisata", "ekonomi"),
    "umum": (),
}
FIELDS: Final[tuple[str, ...]] = tuple(FIELD_SUITS)

MANAGERIAL_COMPETENCIES: Final[tuple[str, ...]] = (
    "integritas",
    "kerja_sama",
    "komunikasi",
    "orientasi_hasil",
    "pelayanan_publik",
    "pengembangan_diri",
    "mengelola_perubahan",
    "pengambilan_keputusan",
)
SOCIOCULTURAL_COMPETENCIES: Final[tuple[str, ...]] = ("perekat_bangsa",)
TECHNICAL_COMPETENCIES: Final[tuple[str, ...]] = tuple(f"teknis_{d}" for d in DOMAINS)
COMPETENCIES: Final[tuple[str, ...]] = (
    MANAGERIAL_COMPETENCIES + SOCIOCULTURAL_COMPETENCIES + TECHNICAL_COMPETENCIES
)
SOFT_COMPETENCIES: Final[tuple[str, ...]] = MANAGERIAL_COMPETENCIES + SOCIOCULTURAL_COMPETENCIES

UNIT_KINDS: Final[tuple[str, ...]] = (
    "sekretariat_daerah",
    "dinas",
    "badan",
    "kecamatan",
    "kelurahan",
    "uptd",
    "bagian",
    "bidang",
    "seksi",
    "puskesmas",
    "sekolah",
)

PNS_GOLONGAN: Final[tuple[str, ...]] = (
    "I/a", "I/b", "I/c", "I/d",
    "II/a", "II/b", "II/c", "II/d",
    "III/a", "III/b", "III/c", "III/d",
    "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
)  # fmt: skip
PPPK_GOLONGAN: Final[tuple[str, ...]] = tuple(
    "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()
)
GOLONGAN: Final[tuple[str, ...]] = PNS_GOLONGAN + PPPK_GOLONGAN

EDUCATION_LEVELS: Final[tuple[str, ...]] = (
    "SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3",
)  # fmt: skip
GENERAL_EDUCATION: Final[frozenset[str]] = frozenset({"SD", "SMP", "SMA"})

SEXES: Final[tuple[str, ...]] = ("L", "P")
RELIGIONS: Final[tuple[str, ...]] = (
    "islam", "kristen", "katolik", "hindu", "buddha", "konghucu", "lainnya",
)  # fmt: skip
MARITAL_STATUSES: Final[tuple[str, ...]] = ("kawin", "belum_kawin", "cerai")
EMPLOYMENT_TYPES: Final[tuple[str, ...]] = ("PNS", "PPPK")
STATUSES: Final[tuple[str, ...]] = (
    "aktif", "cuti", "tugas_belajar", "mpp", "pensiun", "berhenti",
)  # fmt: skip
WILLINGNESS: Final[tuple[str, ...]] = ("ya", "netral", "tidak")
POSITION_TYPES: Final[tuple[str, ...]] = (
    "jpt", "administrator", "pengawas", "pelaksana", "fungsional",
)  # fmt: skip
PREDIKAT: Final[tuple[str, ...]] = (
    "sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang",
)  # fmt: skip
RATINGS: Final[tuple[str, ...]] = ("di_atas", "sesuai", "di_bawah")  # hasil/perilaku kerja
SEVERITIES: Final[tuple[str, ...]] = ("ringan", "sedang", "berat")

# Columns that may be used to audit fairness but never as model inputs (merit system,
# UU 20/2023). `nip` encodes birth date and sex, `name` is personal data.
PROTECTED_COLUMNS: Final[frozenset[str]] = frozenset(
    {"sex", "birth_date", "religion", "marital_status", "name", "nip"}
)

TRUTH_DIR: Final[str] = "truth"
EXPECTED_SCORES_FILE: Final[str] = "expected_scores.csv"
RECORD_SCORE: Final[str] = (
    "record_score"  # truth column: the expected score without what no record shows
)
NDCG_K: Final[int] = 5
