"""SIASN's code lists and texts for the contract's values: written by the synthetic world's
export (`world/siasn_export.py`) and read back by the importer (`siasn/convert.py`) from this
one table, so the two cannot drift apart. Sources: ../shared/real-exports.md (R4)."""

from __future__ import annotations

from typing import Final

# hasil kerja / perilaku kerja (rw-skp22); SIASN's own list spells the last "ESPEKTASI"
RATING_TEXT: Final[dict[str, str]] = {
    "di_atas": "DI ATAS EKSPEKTASI", "sesuai": "SESUAI EKSPEKTASI", "di_bawah": "DI BAWAH ESPEKTASI",
}  # fmt: skip
# kuadranKinerja 1-5
KUADRAN_TEXT: Final[dict[str, str]] = {
    "sangat_baik": "SANGAT BAIK", "baik": "BAIK", "butuh_perbaikan": "BUTUH PERBAIKAN",
    "kurang": "KURANG/MISCONDUCT", "sangat_kurang": "SANGAT KURANG",
}  # fmt: skip
# the nine PermenPANRB 38/2017 competencies as an assessment recap heads them
COMPETENCY_TEXT: Final[dict[str, str]] = {
    "integritas": "INTEGRITAS", "kerja_sama": "KERJASAMA", "komunikasi": "KOMUNIKASI",
    "orientasi_hasil": "ORIENTASI PADA HASIL", "pelayanan_publik": "PELAYANAN PUBLIK",
    "pengembangan_diri": "PENGEMBANGAN DIRI DAN ORANG LAIN", "mengelola_perubahan": "MENGELOLA PERUBAHAN",
    "pengambilan_keputusan": "PENGAMBILAN KEPUTUSAN", "perekat_bangsa": "PEREKAT BANGSA",
}  # fmt: skip
# tingkat hukuman disiplin
SEVERITY_CODE: Final[dict[str, str]] = {"ringan": "R", "sedang": "S", "berat": "B"}
