"""Faithful explanations: LightGBM's exact TreeSHAP contributions, grouped into human factors.

The numbers shown add up: `base_value + sum(factors) + other == predicted_score`, because
they are the model's own additive decomposition of that prediction, only summed by factor.
The narrative compares the suggestion with staying put, factor by factor, so the employee
hears why *this move* would help them, not why the model likes the unit in general.
"""

from __future__ import annotations

import numpy as np

from features.definitions import FACTORS, FEATURE_NAMES, FEATURES_BY_NAME, label
from serving.schemas import Explanation, FactorContribution, Lang

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


def _points(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def narrative(
    lang: Lang,
    unit_name: str,
    current_name: str | None,
    score: float,
    low: float,
    high: float,
    gain: float | None,
    delta: np.ndarray | None,
) -> str:
    """A short paragraph for the employee: the prediction, the gain, the factors behind it."""
    if lang == "en":
        head = f"Your predicted performance score in {unit_name} is {score:.1f} (likely {low:.1f}–{high:.1f})"
        close = (
            "This is a data-based suggestion, not a decision: the decision rests with the "
            "authorised officials, after talking it through with you."
        )
    else:
        head = f"Perkiraan nilai kinerja Anda di {unit_name} adalah {score:.1f} (kemungkinan {low:.1f}–{high:.1f})"
        close = (
            "Ini saran berdasarkan data, bukan keputusan: keputusan ada pada pejabat yang "
            "berwenang, setelah dibicarakan dengan Anda."
        )
    if gain is None or delta is None or current_name is None:
        return f"{head}. {close}"
    if current_name == unit_name:
        stay = "this is your current unit." if lang == "en" else "ini adalah unit Anda sekarang."
        return f"{head}; {stay} {close}"
    if lang == "en":
        parts = [f"{head}, {_points(gain)} points compared with staying in {current_name}."]
    else:
        parts = [f"{head}, {_points(gain)} poin dibanding tetap di {current_name}."]
    order = np.argsort(-delta)
    helps = [i for i in order[:2] if delta[i] >= 0.05]
    hurts = [i for i in order[::-1][:1] if delta[i] <= -0.05]
    if helps:
        items = [f"{label(FACTOR_NAMES[i], lang).lower()} ({_points(delta[i])})" for i in helps]
        joined = (" and " if lang == "en" else " dan ").join(items)
        parts.append(
            f"What helps most: {joined}." if lang == "en" else f"Yang paling mendukung: {joined}."
        )
    if hurts:
        i = hurts[0]
        item = f"{label(FACTOR_NAMES[i], lang).lower()} ({_points(delta[i])})"
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
