"""Evaluations of two regimes on one scale.

Up to 2021 an evaluation is a number (NILAI PRESTASI KERJA, 0-100); from 2022 it is a
predikat and two ratings, and the predikat shares of a unit are capped, so a predikat says
mostly where a person stood among the unit's staff that year. Every feature and the model's
target live on the number's scale (the documented scale of `predicted_score`), so a
predikat-era evaluation is placed on it, by one of three methods (`PENATAAN_PREDIKAT_SCALE`):

- `latent` (default): each predikat-era evaluation is an interval-censored observation of a
  latent score. A small LightGBM model of the score, fitted on the numeric years, gives each
  person a prior (features as of the year, from records filled year by year). The year's
  staff are ordered by hasil kerja (rated against expectations, comparable across units),
  then predikat (partly a rank within the unit, by the caps), then perilaku kerja; a tie
  group holding the shares (a, b] from the top lies in a band between the normal quantiles
  1 - b and 1 - a of the year's scores. The placed score is the mean of the person's prior
  truncated to that band.
- `midpoints`: a fixed number per predikat (the middle of the PP 46/2011 sebutan bands).
- `drop`: predikat-era evaluations carry no score; the model learns from the numbers only.

`bench/predikat.py` measures the three against a world that kept the numbers.
"""

from __future__ import annotations

import dataclasses
from typing import Final

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.stats import norm

from features import vocab
from features.data import HRData
from features.pipeline import as_model_frame, build_features
from features.scale import DEFAULT_CUTS, KinerjaScale

METHODS: Final[tuple[str, ...]] = ("latent", "midpoints", "drop")
# The middle of each PP 46/2011 sebutan band, read as the predikat of the same name.
MIDPOINTS: Final[dict[str, float]] = {
    "sangat_baik": 95.5, "baik": 83.0, "butuh_perbaikan": 68.0, "kurang": 55.5, "sangat_kurang": 45.0,
}  # fmt: skip
RECORDED_SCORE: Final[str] = "recorded_score"  # the score as the file held it (NaN: predikat)
PREDIKAT_RANK: Final[dict[str, int]] = {p: k for k, p in enumerate(vocab.PREDIKAT)}
SIGMA_INFLATION: Final[float] = 1.1  # the level model's in-sample error understates its spread
RATING_RANK: Final[dict[str, int]] = {"di_atas": 0, "sesuai": 1, "di_bawah": 2}
MIN_NUMERIC_ROWS: Final[int] = 200  # below this the latent method falls back to midpoints
LEVEL_MODEL: Final[dict[str, object]] = {
    "objective": "regression", "learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 100,
    "seed": 7, "deterministic": True, "force_row_wise": True, "num_threads": 2, "verbosity": -1,
}  # fmt: skip


def on_one_scale(data: HRData, method: str = "latent") -> tuple[HRData, KinerjaScale]:
    """`data` with every predikat-era evaluation placed on the score scale by `method`."""
    if method not in METHODS:
        raise ValueError(f"predikat scale {method!r}: choose one of {', '.join(METHODS)}")
    data = dataclasses.replace(
        data, evaluations=data.evaluations.assign(**{RECORDED_SCORE: data.evaluations["score"]})
    )
    ev = data.evaluations
    words = (ev["score"].isna() & ev["predikat"].notna()).to_numpy()
    if not words.any() or method == "drop":
        return data, KinerjaScale(method)
    if method == "midpoints" or (~words).sum() < MIN_NUMERIC_ROWS:
        score = ev["score"].where(~words, ev["predikat"].map(MIDPOINTS))
        scale = KinerjaScale(
            "midpoints" if method == "midpoints" else "midpoints (too few numbers)"
        )
        return _with_scores(data, score), scale
    return _latent(data, words)


def _with_scores(data: HRData, score: pd.Series) -> HRData:
    return dataclasses.replace(data, evaluations=data.evaluations.assign(score=score.astype(float)))


def _rows(data: HRData, ev: pd.DataFrame) -> pd.DataFrame:
    pairs = pd.DataFrame(
        {
            "nip": ev["nip"].to_numpy(),
            "unit_id": ev["unit_id"].to_numpy(),
            "as_of": pd.to_datetime(ev["period"].astype(int).astype(str) + "-01-01").to_numpy(),
        }
    )
    return build_features(data, pairs)


def _latent(data: HRData, words: np.ndarray) -> tuple[HRData, KinerjaScale]:
    ev = data.evaluations
    numeric = ev[~words]
    y = numeric["score"].to_numpy(dtype=float)
    x = as_model_frame(_rows(data, numeric))
    level = lgb.train(LEVEL_MODEL, lgb.Dataset(x, y), 200)
    sigma = float(np.sqrt(np.mean((y - level.predict(x)) ** 2))) * SIGMA_INFLATION
    spread = float(np.std(y)) or 1.0
    score = ev["score"].astype(float).copy()
    shares: list[np.ndarray] = []
    placed: list[np.ndarray] = []
    for year in sorted(ev.loc[words, "period"].unique()):
        now = np.flatnonzero(words & (ev["period"] == year).to_numpy())
        prior = np.asarray(
            level.predict(as_model_frame(_rows(_with_scores(data, score), ev.iloc[now])))
        )
        low, high = _bands(ev.iloc[now], float(prior.mean()), spread)
        a, b = (low - prior) / sigma, (high - prior) / sigma
        mass = np.maximum(norm.cdf(b) - norm.cdf(a), 1e-12)
        value = prior + sigma * (norm.pdf(a) - norm.pdf(b)) / mass
        score.iloc[now] = np.clip(value, 0.0, 100.0)
        placed.append(score.iloc[now].to_numpy())
        rank = ev["predikat"].iloc[now].map(PREDIKAT_RANK).to_numpy(dtype=float)
        shares.append(np.array([(rank <= k).mean() for k in range(len(DEFAULT_CUTS))]))
    values = np.concatenate(placed)
    above = np.mean(shares, axis=0)
    cuts = tuple(float(np.quantile(values, 1 - q)) if 0 < q < 1 else DEFAULT_CUTS[k] for k, q in enumerate(above))  # fmt: skip
    return _with_scores(data, score), KinerjaScale("latent", tuple(sorted(cuts, reverse=True)))


def _bands(ev: pd.DataFrame, centre: float, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """Each evaluation's band on the year's score scale: the organisation's staff ordered
    by hasil kerja (rated against expectations, comparable across units), then predikat
    (partly a rank within the unit), then perilaku kerja; a tie group holding the shares
    (a, b] from the top lies between the normal quantiles 1 - b and 1 - a of the year."""
    keys = pd.Series(
        list(zip(_ratings(ev, "rating_hasil_kerja"), ev["predikat"].map(PREDIKAT_RANK).to_numpy(dtype=float),
                 _ratings(ev, "rating_perilaku_kerja"), strict=True)), index=ev.index,
    )  # fmt: skip
    n = len(ev)
    low, high = np.empty(n), np.empty(n)
    before = 0
    for key in sorted(set(keys)):
        members = (keys == key).to_numpy()
        count = int(members.sum())
        low[members] = centre + spread * norm.ppf(1 - (before + count) / n)
        high[members] = centre + spread * norm.ppf(1 - before / n)
        before += count
    return low, high


def _ratings(ev: pd.DataFrame, column: str) -> np.ndarray:
    if column not in ev:
        return np.ones(len(ev))
    return ev[column].map(RATING_RANK).fillna(1.0).to_numpy(dtype=float)
