"""Faithful explanations (below both the API and the round, which show them): LightGBM's exact TreeSHAP contributions, grouped into human factors.

The numbers shown add up: `base_value + sum(factors) + other == predicted_score`, because
they are the model's own additive decomposition of that prediction, only summed by factor.
The narrative compares the suggestion with staying put, factor by factor, so the employee
hears why *this move* would help them, not why the model likes the unit in general.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from features.definitions import FACTORS, FEATURE_NAMES, FEATURES_BY_NAME, label
from features.formats import number

Lang = Literal["id", "en"]

# What every answer and every round's report says: Penataan advises, people decide.
ADVISORY = (
    "Penataan advises; people decide. Suggestions support, and never replace, the judgement of "
    "Baperjakat and the PPK, and must be discussed with the employee."
)

ADVISORY_ID = (
    "Rencana ini adalah saran berbasis data untuk dibahas Baperjakat; keputusan mutasi ada pada "
    "PPK (Wali Kota), dan setiap perpindahan perlu disosialisasikan kepada pegawai yang bersangkutan."
)


class FactorContribution(BaseModel):
    factor: str
    label: str
    contribution: float


class Explanation(BaseModel):
    """`base_value + sum(factors.contribution) + other == predicted_score` (to 0.01)."""

    base_value: float
    factors: list[FactorContribution]
    other: float
    narrative: str


FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in FACTORS)
_FACTOR_OF_FEATURE = np.array(
    [FACTOR_NAMES.index(FEATURES_BY_NAME[n].factor) for n in FEATURE_NAMES]
)


def by_factor(contributions: np.ndarray) -> np.ndarray:
    """Rows x factors: each factor's summed feature contributions. `contributions` is
    `pred_contrib` output: one column per feature, then the base (excluded here)."""
    values = contributions[:, : len(FEATURE_NAMES)]
    out = np.zeros((len(values), len(FACTOR_NAMES)))
    np.add.at(out.T, _FACTOR_OF_FEATURE, values.T)
    return out


def _points(value: float, lang: Lang) -> str:
    """A signed change in points, with a true minus sign, in the reader's decimals."""
    return number(value, lang, sign=True).replace("-", "−")


def narrative(
    lang: Lang,
    unit_name: str,
    current_name: str | None,
    score: float,
    low: float,
    high: float,
    gain: float | None,
    delta: np.ndarray | None,
    gain_interval: tuple[float, float] | None = None,
    suggested: bool = False,
    p_help: float | None = None,
    precision: float = 0.8,
    stay_first: bool = False,
    pilot: bool = False,
    blocked: Sequence[str] | None = None,
) -> str:
    """A short paragraph for the employee: the prediction, the gain, the factors behind it,
    and where the decision policy put it (`gain_interval` is the gain's 80% interval,
    `p_help` the probability that the move truly helps; a move is `suggested` when the
    policy, which asks that `precision` of suggested moves help, picks it, and `pilot` when
    it does so as a pilot, before any outcome has tested the claims; `stay_first` says that
    the current unit comes first because no move is, and `blocked`, when no move is allowed
    at all, the rules that close every one: that, not the model, is then why)."""
    if lang == "en":
        head = f"Your predicted performance score in {unit_name} is {number(score, lang)} (likely {number(low, lang)}–{number(high, lang)})"
        close = (
            "This is a data-based suggestion, not a decision: the decision rests with the "
            "authorised officials, after talking it through with you."
        )
    else:
        head = f"Perkiraan nilai kinerja Anda di {unit_name} adalah {number(score, lang)} (kemungkinan {number(low, lang)}–{number(high, lang)})"
        close = (
            "Ini saran berdasarkan data, bukan keputusan: keputusan ada pada pejabat yang "
            "berwenang, setelah dibicarakan dengan Anda."
        )
    if gain is None or delta is None or current_name is None:
        return f"{head}. {close}"
    if current_name == unit_name:
        stay = "this is your current unit." if lang == "en" else "ini adalah unit Anda sekarang."
        if stay_first and blocked is not None:
            rules = "; ".join(blocked)
            stay += (
                f" No move is allowed now ({rules}), so staying comes first."
                if lang == "en"
                else f" Belum ada mutasi yang diperbolehkan ({rules}), sehingga tetap di unit ini diutamakan."  # fmt: skip
            )
        elif stay_first:
            stay += (
                f" No move is likely enough to help (suggestions must help in at least "
                f"{precision:.0%} of cases), so staying comes first."
                if lang == "en"
                else f" Tidak ada mutasi yang cukup mungkin membantu (saran harus tepat pada "
                f"sedikitnya {precision:.0%} kasus), sehingga tetap di unit ini diutamakan."
            )
        return f"{head}; {stay} {close}"
    if lang == "en":
        parts = [f"{head}, {_points(gain, lang)} points compared with staying in {current_name}"]
    else:
        parts = [f"{head}, {_points(gain, lang)} poin dibanding tetap di {current_name}"]
    if gain_interval is not None:
        low_text, high_text = (_points(v, lang) for v in gain_interval)
        chance = "" if p_help is None else f"{p_help:.0%}"
        if lang == "en":
            verdict = "suggested" if suggested else "not suggested"
            if suggested and pilot:
                verdict = (
                    "suggested as a pilot: among the model's surest moves, but no outcome of "
                    "this agency's suggestions has yet shown how far its claims hold here; the "
                    "outcome a year on will"
                )
            odds = f"; it helps with probability {chance}" if chance else ""
            parts[0] += f" (80%: {low_text} to {high_text}{odds}; {verdict})"
        else:
            verdict = "disarankan" if suggested else "tidak disarankan"
            if suggested and pilot:
                verdict = (
                    "disarankan sebagai uji coba: termasuk mutasi paling meyakinkan menurut "
                    "model, tetapi belum ada hasil usulan di instansi ini yang menguji "
                    "perkiraannya; hasilnya setahun lagi yang akan menunjukkan"
                )
            odds = f"; peluang membantu {chance}" if chance else ""
            parts[0] += f" (80%: {low_text} s.d. {high_text}{odds}; {verdict})"
    parts[0] += "."
    order = np.argsort(-delta)
    helps = [i for i in order[:2] if delta[i] >= 0.05]
    hurts = [i for i in order[::-1][:1] if delta[i] <= -0.05]
    if helps:
        items = [
            f"{label(FACTOR_NAMES[i], lang).lower()} ({_points(delta[i], lang)})" for i in helps
        ]
        joined = (" and " if lang == "en" else " dan ").join(items)
        parts.append(
            f"What helps most: {joined}." if lang == "en" else f"Yang paling mendukung: {joined}."
        )
    if hurts:
        i = hurts[0]
        item = f"{label(FACTOR_NAMES[i], lang).lower()} ({_points(delta[i], lang)})"
        parts.append(
            f"What weighs against it: {item}."
            if lang == "en"
            else f"Yang perlu diperhatikan: {item}."
        )
    parts.append(close)
    return " ".join(parts)


def explanation(base: float, factors: np.ndarray, shown: int, lang: Lang, text: str) -> Explanation:
    """The `shown` largest factors by |contribution|; the rest summed as `other`."""
    order = np.argsort(-np.abs(factors))
    top = order[:shown]
    other = float(factors[order[shown:]].sum())
    return Explanation(
        base_value=round(base, 4),
        factors=[
            FactorContribution(
                factor=FACTOR_NAMES[i],
                label=label(FACTOR_NAMES[i], lang),
                contribution=round(float(factors[i]), 4),
            )
            for i in top
        ],
        other=round(other, 4),
        narrative=text,
    )


def importance_by_factor(importance: pd.DataFrame) -> pd.DataFrame:
    """Gain and mean |SHAP| summed over the features of each human factor (every factor,
    zero where the model never uses it), largest first: the API's and the notebook's view."""
    factors = importance.groupby("factor")[["gain", "mean_abs_shap"]].sum()
    factors = factors.reindex([f.name for f in FACTORS]).fillna(0.0)
    return factors.sort_values("mean_abs_shap", ascending=False)
