"""Plausible Indonesian (Sasak, Balinese, general) names for synthetic staff: personal data
that must never reach a log, a feature or an API response."""

from __future__ import annotations

import numpy as np

MALE = (
    "Ahmad", "Muhammad", "Lalu", "I Made", "I Wayan", "I Ketut", "Agus", "Budi", "Hendra",
    "Rizki", "Fajar", "Dedi", "Hasan", "Irfan", "Zulkifli", "Yusuf", "Rudi", "Andi",
)  # fmt: skip
FEMALE = (
    "Siti", "Nur", "Baiq", "Ni Made", "Ni Luh", "Ni Ketut", "Dewi", "Rina", "Sri", "Wulan",
    "Fitri", "Yuliana", "Rahma", "Aisyah", "Lestari", "Indah", "Maya", "Ayu",
)  # fmt: skip
FAMILY = (
    "Hidayat", "Saputra", "Wahyudi", "Pratama", "Sukmawati", "Rahmawati", "Suryani",
    "Hamdani", "Fauzan", "Kusuma", "Astawa", "Suarta", "Widiastuti", "Jayadi", "Mulyadi",
    "Rosyidi", "Hakim", "Amrullah", "Apriani", "Septiani",
)  # fmt: skip


def person_name(rng: np.random.Generator, sex: str) -> str:
    first = rng.choice(MALE if sex == "L" else FEMALE)
    return f"{first} {rng.choice(FAMILY)}"
