"""SIASN's code lists and texts for the contract's values: written by the synthetic world's
export (`world/siasn_export.py`) and read back by the importer (`siasn/convert.py`) from this
one table, so the two cannot drift apart; SIASN's whole lists of kedudukan hukum and jenis
hukuman are read by the importer only (the world's export writes the few codes it uses).
Sources: ../shared/real-exports.md (R4)."""

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
# SIASN's tingkat pendidikan id -> the contract's level (R4): 17/18 SLTA kejuruan and keguruan;
# 42 profesi (after an S-1: dokter, apoteker, ners) is read as S1, 47/49 spesialis I/II as
# S2/S3, the contract having no level of their own
TINGKAT_PENDIDIKAN: Final[dict[str, str]] = {
    "05": "SD", "10": "SMP", "15": "SMA", "17": "SMA", "18": "SMA", "20": "D1", "25": "D2",
    "30": "D3", "35": "D4", "40": "S1", "42": "S1", "45": "S2", "47": "S2", "49": "S3", "50": "S3",
}  # fmt: skip
# tingkat hukuman disiplin
SEVERITY_CODE: Final[dict[str, str]] = {"ringan": "R", "sedang": "S", "berat": "B"}
# SIASN's jenis hukuman disiplin: id -> (name, tingkat R/S/B), PP 53/2010 and PP 94/2021
# (black-coffee04/ws-siasn-php, src/Data/Referensi/jenisHukuman.json.gz at 9cb35485; R4)
JENIS_HUKUMAN: Final[dict[str, tuple[str, str]]] = {
    "1": ("TEGURAN LISAN", "R"), "2": ("TEGURAN TERTULIS", "R"),
    "3": ("PERNYATAAN TIDAK PUAS SECARA TERTULIS", "R"), "4": ("PENUNDAAN KGB SELAMA 1 THN", "S"),
    "5": ("PENURUNAN GAJI MAX 1 TH", "S"), "6": ("PENUNDAAN GAJI MAX 1 THN", "S"),
    "7": ("PENUNDAAN KP SELAMA 1 THN", "S"), "8": ("PENURUNAN PANGKAT 1 TINGKAT 1 THN", "S"),
    "9": ("PEMBEBASAN DARI JABATAN", "B"),
    "10": ("PEMBERHENTIAN DENGAN HORMAT TIDAK ATAS PERMINTAAN SENDIRI", "B"),
    "11": ("PEMBERHENTIAN TIDAK DENGAN HORMAT SEBAGAI PNS", "B"),
    "12": ("PENGAKTIFAN HUKUMAN DISIPLIN", "B"),
    "13": ("PEMINDAHAN DLM RANGKA PENURUNAN JABATAN 1 TINGKAT", "B"),
    "14": ("PENURUNAN PANGKAT 1 TINGKAT 3 THN", "B"), "21": ("SANKSI MORAL TERBUKA", "R"),
    "22": ("SANKSI MORAL TERTUTUP", "R"), "23": ("PEMOTONGAN TUNKIN 25% 6 BLN", "S"),
    "24": ("PEMOTONGAN TUNKIN 25% 9 BLN", "S"), "25": ("PEMOTONGAN TUNKIN 25% 12 BLN", "S"),
    "27": ("PENURUNAN DARI JABATAN SETINGKAT LEBIH RENDAH SELAMA 12 BLN", "B"),
    "28": ("PEMBEBASAN DARI JABATAN MENJADI PELAKSANA SELAMA 12 BLN", "B"),
}  # fmt: skip
# SIASN's kedudukan hukum: id -> (name, the contract's status). Working (aktif); employed
# but not at work (cuti: leave, suspension, secondment outside the agency, a blocked or
# inactive record); preparing to retire (mpp); gone (pensiun, berhenti). Names and ids from
# ws-siasn-php, src/Data/Referensi/kedudukanHukum.json.gz at 9cb35485 (R4).
KEDUDUKAN_HUKUM: Final[dict[str, tuple[str, str]]] = {
    "01": ("AKTIF", "aktif"), "02": ("CLTN", "cuti"), "03": ("TUGAS BELAJAR", "tugas_belajar"),
    "04": ("PEMBERHENTIAN SEMENTARA", "cuti"), "05": ("PENERIMA UANG TUNGGU", "cuti"),
    "06": ("PRAJURIT WAJIB", "cuti"), "07": ("PEJABAT NEGARA", "cuti"), "08": ("KEPALA DESA", "cuti"),
    "09": ("SEDANG DLM PROSES BANDING BAPEK", "aktif"), "11": ("PEGAWAI TITIPAN", "aktif"),
    "12": ("PENGUNGSI", "cuti"), "13": ("PERPANJANGAN CLTN", "cuti"),
    "14": ("PNS YANG DINYATAKAN HILANG", "cuti"), "15": ("PNS KENA HUKUMAN DISIPLIN", "aktif"),
    "16": ("PEMINDAHAN DALAM RANGKA PENURUNAN JABATAN", "aktif"),
    "20": ("MASA PERSIAPAN PENSIUN", "mpp"), "51": ("CPNS YANG BELUM MENERIMA SK CPNS", "aktif"),
    "52": ("TIDAK AKTIF", "cuti"), "66": ("DIBERHENTIKAN", "berhenti"), "67": ("PUNAH", "berhenti"),
    "68": ("EKS PNS TIMOR TIMUR", "berhenti"), "69": ("TMS DARI PENGADAAN", "berhenti"),
    "70": ("PEMBATALAN NIP", "berhenti"), "77": ("PEMBERHENTIAN TANPA HAK PENSIUN", "berhenti"),
    "88": ("PEMBERHENTIAN DENGAN HAK PENSIUN", "pensiun"),
    "89": ("TIDAK AKTIF TETAPI DIUSULKAN PENSIUN", "mpp"), "90": ("TIDAK IKUT PUPNS 2015", "cuti"),
    "91": ("TINDAK PIDANA/ TINDAK PIDANA JABATAN", "cuti"), "92": ("PEMBLOKIRAN DATA PNS", "cuti"),
    "98": ("MENCAPAI BUP", "pensiun"), "99": ("PENSIUN", "pensiun"),
}  # fmt: skip
