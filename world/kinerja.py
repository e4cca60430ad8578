"""How a year's performance is recorded, by the rules of that year.

Up to 2021 (PP 46/2011) an evaluation is a number, `NILAI PRESTASI KERJA` 0-100, with a
sebutan. From 2022 (PermenPANRB 6/2022) it is two ratings, hasil kerja and perilaku kerja
(di atas / sesuai / di bawah ekspektasi), combined in a quadrant into a predikat, and the
share of each predikat in a unit is capped by the unit's own predikat: a predikat is partly a
rank within the unit. `law` worlds record it so; `numeric` worlds keep the number throughout
(the yardstick the importer's and the model's handling of predikat is measured against).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LAW_FROM = 2022  # PermenPANRB 6/2022: the first year rated by predikat only
REGIMES = ("law", "numeric")

# (hasil kerja, perilaku kerja) -> predikat: the quadrant of PermenPANRB 6/2022 Lampiran.
QUADRANT = {
    ("di_atas", "di_atas"): "sangat_baik",
    ("di_atas", "sesuai"): "baik",
    ("sesuai", "di_atas"): "baik",
    ("sesuai", "sesuai"): "baik",
    ("di_bawah", "di_atas"): "butuh_perbaikan",
    ("di_bawah", "sesuai"): "butuh_perbaikan",
    ("di_atas", "di_bawah"): "kurang",
    ("sesuai", "di_bawah"): "kurang",
    ("di_bawah", "di_bawah"): "sangat_kurang",
}


@dataclass(frozen=True)
class Caps:
    """The largest shares of a unit's staff rated sangat baik, and sangat baik or baik."""

    sangat_baik: float
    baik_or_better: float


# By the unit's own predikat (the organisation's performance that year): a unit rated
# lower may give fewer high predikat, and even a unit rated highest must rate someone lower.
UNIT_CAPS = {
    "istimewa": Caps(0.30, 0.95),
    "baik": Caps(0.20, 0.85),
    "butuh_perbaikan": Caps(0.10, 0.70),
}


def unit_predikat(unit_mean: np.ndarray) -> np.ndarray:
    """Each unit's predikat for the year from its staff's mean score: the top fifth of
    units istimewa, the bottom fifth butuh perbaikan, the rest baik."""
    low, high = np.nanquantile(unit_mean, [0.2, 0.8]) if len(unit_mean) else (0.0, 0.0)
    return np.where(unit_mean >= high, "istimewa", np.where(unit_mean < low, "butuh_perbaikan", "baik"))  # fmt: skip


def ratings(
    score: np.ndarray, behaviour: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hasil kerja, perilaku kerja and the capped predikat of one year's evaluations.

    Hasil kerja is the score against the year's expectations (top quarter above, bottom
    tenth below); perilaku kerja is `behaviour` (a latent 1-5 level) against 3.8 and 2.2.
    The quadrant gives a predikat; then, unit by unit, the lowest-scoring holders of a
    predikat over its cap are rated one step down."""
    high, low = np.quantile(score, [0.75, 0.10]) if len(score) else (0.0, 0.0)
    hasil = np.where(score >= high, "di_atas", np.where(score < low, "di_bawah", "sesuai"))
    perilaku = np.where(behaviour >= 3.8, "di_atas", np.where(behaviour < 2.2, "di_bawah", "sesuai"))  # fmt: skip
    predikat = np.array([QUADRANT[(h, p)] for h, p in zip(hasil, perilaku, strict=True)], dtype=object)  # fmt: skip
    present = np.unique(units)
    means = np.array([score[units == u].mean() for u in present])
    for unit, level in zip(present, unit_predikat(means), strict=True):
        caps = UNIT_CAPS[str(level)]
        members = np.flatnonzero(units == unit)
        members = members[np.argsort(-score[members], kind="stable")]
        n = len(members)
        _demote(predikat, members, {"sangat_baik"}, math.floor(caps.sangat_baik * n), "baik")
        good = {"sangat_baik", "baik"}
        most = math.floor(caps.baik_or_better * n) if n > 1 else 1
        _demote(predikat, members, good, most, "butuh_perbaikan")
    return hasil, perilaku, predikat


def _demote(predikat: np.ndarray, ranked: np.ndarray, held: set[str], cap: int, to: str) -> None:
    """Past the first `cap` (best-scoring) holders of a predikat in `held`, rate them `to`."""
    holders = [i for i in ranked if predikat[i] in held]
    for i in holders[max(cap, 0) :]:
        predikat[i] = to
