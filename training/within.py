"""The within-person model: how one person's score differs between units, from the records.

Why. A gain compares one person in two units, so whatever a model knows of the person's
level cancels in it, and what is left is the person x unit fit (an education field for the
unit's field, competencies for what the unit does, experience there) and the cost of the
move. The booster predicts the score, and a score is mostly the person's level, so its
gains miss much of the person x unit fit the records hold, worst where past transfers gave
it few comparisons (the decision curve against the record-only oracle, `bench/worlds.py`).
This model sees only variation
*within* a person: every training row with the person's mean, and the year's, taken out
(two-way fixed effects), so that people who are simply good, and the units they were sent
to, do not pass for fit. It is a ridge on the terms a move changes:

- every feature that is not the person's past results (lagged scores are the outcome's own
  past, which a within-person fit turns into bias), standardised, with a missing indicator
  where the feature can be missing and a hinge at its median (experience, training and
  tenure stop counting the same past a point, in any agency);
- the unit's field and kind;
- each trait of the person (`Feature.trait`: soft competencies, the education field)
  crossed with the unit's field and kind: the match a mutasi is meant to use.

How it is used (`PlacementModel.legs_matrix`, `raw_gains`). A move's raw gain is the booster's and this
model's raw gains, each scaled to the same spread over the moves the rules allow, added, and
the sum brought back to the booster's spread (`stack_weights`, measured at training on this
agency's own candidate table): the two models count equally in the order, and the gain's
priors (the slope cap, the selection shift: `training.gain`), set for the booster's raw gains,
meet numbers of the same size.
Chosen on the choice seeds 101-112 against the booster alone (docs/benchmarks.md,
"Decisions across worlds"). The model is linear, so its part of a gain is exactly attributed
to features (`contributions`): the narrative's factors add up to the gain that ranked the
move, before the caution (`PlacementModel.raw_gains`) takes a share of the two models'
disagreement off and the joined unit loses the part of its level its staff do not show
(`training.unit_levels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sparse

from features.definitions import CATEGORICAL, FEATURE_NAMES, FEATURES_BY_NAME

_INDEX = {name: j for j, name in enumerate(FEATURE_NAMES)}
NUMERIC = tuple(
    j
    for j, name in enumerate(FEATURE_NAMES)
    if name not in CATEGORICAL and FEATURES_BY_NAME[name].factor != "past_performance"
)
TRAITS = tuple(j for j in NUMERIC if FEATURES_BY_NAME[FEATURE_NAMES[j]].trait)
_TRAIT_AT = np.array([NUMERIC.index(j) for j in TRAITS], dtype=int)  # TRAITS' places in NUMERIC
DOMAIN, KIND, FIELD = _INDEX["unit_domain"], _INDEX["unit_kind"], _INDEX["education_field"]
ROWS_AT_ONCE = 20_000  # rows whose terms are built at once, fitting or predicting


def _codes(x: np.ndarray, column: int) -> np.ndarray:
    """A categorical column's level codes as integers, -1 where missing."""
    return np.where(np.isnan(x[:, column]), -1, np.nan_to_num(x[:, column])).astype(int)


class _Inputs(NamedTuple):
    """Rows as the terms read them: standardised numbers, their hinges and missing flags,
    the unit's field and kind terms, each trait's coefficient for the row's unit, the
    education field's fit to the unit's field."""

    z: np.ndarray
    hinge: np.ndarray
    flags: np.ndarray
    domain: np.ndarray
    kind: np.ndarray
    match: np.ndarray
    field_fit: np.ndarray


@dataclass
class WithinModel:
    """The ridge's coefficients by block, and how its inputs are centred and scaled."""

    center: np.ndarray  # per NUMERIC column: its training median
    scale: np.ndarray  # per NUMERIC column: its training standard deviation
    hinged: np.ndarray  # positions in NUMERIC with a hinge at the median
    missing: np.ndarray  # positions in NUMERIC with a missing indicator
    b_numeric: np.ndarray
    b_hinge: np.ndarray
    b_missing: np.ndarray
    b_domain: np.ndarray  # per level of the unit's field
    b_kind: np.ndarray  # per level of the unit's kind
    b_trait_domain: np.ndarray  # traits x fields
    b_trait_kind: np.ndarray  # traits x kinds
    b_field_domain: np.ndarray  # education fields x unit fields
    # leg = booster_weight * the booster's score + weight * this model's (`stack_weights`);
    # until measured, the booster alone
    booster_weight: float = 1.0
    weight: float = 0.0
    caution: float = 0.0  # share of the two models' disagreement taken off a gain
    info: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _blocks(
        x: np.ndarray, center: np.ndarray, scale: np.ndarray, hinged: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(standardised numbers with missing at the centre, their hinges, missing flags).
        The missing flags set the missing numbers to the centre; `np.nan_to_num`'s three
        passes run only where an input is infinite (`predict` on a part of a staff: 0.13 s
        against 0.17 s)."""
        raw = x[:, NUMERIC]
        flags = np.isnan(raw)
        z = (raw - center) / scale  # fresh: written in place
        z[flags] = 0.0
        if not np.isfinite(z).all():
            np.nan_to_num(z, copy=False)
        return z, np.maximum(z[:, hinged], 0.0), flags

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        person: np.ndarray,
        period: np.ndarray,
        levels: dict[str, int],
        alpha: float | None = None,
        caution: float = 0.0,
    ) -> WithinModel:
        """Fit on model matrices `x` (`PlacementModel.matrix`) of training rows with their
        scores, people and periods; `levels` counts each categorical's levels. `alpha` is
        the ridge penalty; `None` chooses it from these rows (`choose_alpha`)."""
        chosen: dict[str, Any] = {}
        if alpha is None:
            alpha, chosen = choose_alpha(x, y, person, period, levels)
        model = _Normal.build(x, y, person, period, levels).solve(alpha, caution)
        model.info |= {"alpha": alpha, **chosen}
        return model

    def _inputs(self, x: np.ndarray) -> _Inputs:
        """What every term reads of rows `x`, computed once for `contributions` and `predict`."""
        z, hinge, flags = self._blocks(x, self.center, self.scale, self.hinged)
        dom, kind, fld = _codes(x, DOMAIN), _codes(x, KIND), _codes(x, FIELD)
        has_dom, has_kind = dom >= 0, kind >= 0
        return _Inputs(
            z, hinge, flags[:, self.missing].astype(float),
            np.where(has_dom, self.b_domain[np.maximum(dom, 0)], 0.0),
            np.where(has_kind, self.b_kind[np.maximum(kind, 0)], 0.0),
            self.b_trait_domain[:, np.maximum(dom, 0)].T * has_dom[:, None]
            + self.b_trait_kind[:, np.maximum(kind, 0)].T * has_kind[:, None],
            np.where(has_dom & (fld >= 0), self.b_field_domain[np.maximum(fld, 0), np.maximum(dom, 0)], 0.0),
        )  # fmt: skip

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Rows x features: what each feature adds to this model's prediction (a trait
        crossed with the unit's field or kind counts for the trait, the person's side of
        the match; its sum over features is the prediction, up to the person's level)."""
        t = self._inputs(x)
        out = np.zeros((len(x), len(FEATURE_NAMES)))
        numeric = np.asarray(NUMERIC)
        out[:, numeric] = t.z * self.b_numeric
        out[:, numeric[self.hinged]] += t.hinge * self.b_hinge
        out[:, numeric[self.missing]] += t.flags * self.b_missing
        out[:, DOMAIN] = t.domain
        out[:, KIND] = t.kind
        out[:, TRAITS] += t.z[:, _TRAIT_AT] * t.match
        out[:, FIELD] = t.field_fit
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The within-person part of each row's score (its level is arbitrary per person:
        only differences between one person's rows mean anything): the sum of
        `contributions`, computed term by term without the rows x features matrix, and
        `ROWS_AT_ONCE` rows at a time (a part of a staff has a few hundred thousand rows)."""
        out = np.empty(len(x))
        for start in range(0, len(x), ROWS_AT_ONCE):
            t = self._inputs(x[start : start + ROWS_AT_ONCE])
            out[start : start + ROWS_AT_ONCE] = (
                t.z @ self.b_numeric + t.hinge @ self.b_hinge + t.flags @ self.b_missing
                + t.domain + t.kind + np.einsum("ij,ij->i", t.z[:, _TRAIT_AT], t.match)
                + t.field_fit
            )  # fmt: skip
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            name: value.tolist() if isinstance(value, np.ndarray) else value
            for name, value in vars(self).items()
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> WithinModel:
        arrays = {
            name: np.asarray(value, dtype=int if name in ("hinged", "missing") else float)
            for name, value in values.items()
            if name not in ("booster_weight", "weight", "caution", "info")
        }
        return cls(
            **arrays, booster_weight=float(values["booster_weight"]),
            weight=float(values["weight"]), caution=float(values["caution"]),
            info=dict(values.get("info", {})),
        )  # fmt: skip


@dataclass
class _Normal:
    """The normal equations of the two-way fixed-effects ridge on some rows, with how its
    inputs are centred and scaled: built once, solved for any penalty."""

    center: np.ndarray
    scale: np.ndarray
    hinged: np.ndarray
    missing: np.ndarray
    gram: np.ndarray
    cross: np.ndarray
    sizes: tuple[int, int, int]  # the unit's fields, its kinds, education fields
    info: dict[str, Any]

    @classmethod
    def build(
        cls, x: np.ndarray, y: np.ndarray, person: np.ndarray, period: np.ndarray,
        levels: dict[str, int],
    ) -> _Normal:  # fmt: skip
        raw = x[:, NUMERIC]
        finite = np.isfinite(raw)
        center = np.array(
            [np.median(raw[finite[:, k], k]) if finite[:, k].any() else 0.0 for k in range(raw.shape[1])]
        )  # fmt: skip
        scale = np.nanstd(np.where(finite, raw, np.nan), axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        distinct = [len(np.unique(raw[finite[:, k], k])) for k in range(raw.shape[1])]
        hinged = np.flatnonzero(np.array(distinct) > 2)
        missing = np.flatnonzero((~finite).any(axis=0) & finite.any(axis=0))
        n_dom, n_kind, n_field = (
            levels["unit_domain"],
            levels["unit_kind"],
            levels["education_field"],
        )
        periods, period_code = np.unique(period, return_inverse=True)

        def design(rows: slice) -> np.ndarray:
            part = x[rows]
            z, hinge, flags = WithinModel._blocks(part, center, scale, hinged)
            traits = z[:, _TRAIT_AT]
            dom, kind, fld = _codes(part, DOMAIN), _codes(part, KIND), _codes(part, FIELD)
            one_dom = (dom[:, None] == np.arange(n_dom)).astype(float)
            one_kind = (kind[:, None] == np.arange(n_kind)).astype(float)
            one_field = (fld[:, None] == np.arange(n_field)).astype(float)
            one_period = (period_code[rows][:, None] == np.arange(len(periods))).astype(float)
            return np.hstack(
                [z, hinge, flags[:, missing].astype(float), one_dom, one_kind,
                 (traits[:, :, None] * one_dom[:, None, :]).reshape(len(part), -1),
                 (traits[:, :, None] * one_kind[:, None, :]).reshape(len(part), -1),
                 (one_field[:, :, None] * one_dom[:, None, :]).reshape(len(part), -1),
                 one_period]
            )  # fmt: skip

        people, person_code = np.unique(person, return_inverse=True)
        chunks = [slice(s, s + ROWS_AT_ONCE) for s in range(0, len(x), ROWS_AT_ONCE)]
        sums: np.ndarray | float = 0.0
        for rows in chunks:  # pass 1: each person's mean of every term and of the score
            member = sparse.csr_matrix(
                (np.ones(len(x[rows])), (person_code[rows], np.arange(len(x[rows])))),
                shape=(len(people), len(x[rows])),
            )
            sums = sums + member @ np.column_stack([design(rows), y[rows]])
        means = np.asarray(sums) / np.bincount(person_code, minlength=len(people))[:, None]
        gram: np.ndarray | float = 0.0
        cross: np.ndarray | float = 0.0
        for rows in chunks:  # pass 2: the normal equations of the demeaned terms
            both = np.column_stack([design(rows), y[rows]]) - means[person_code[rows]]
            gram = gram + both[:, :-1].T @ both[:, :-1]
            cross = cross + both[:, :-1].T @ both[:, -1]
        return cls(
            center, scale, hinged, missing, np.asarray(gram), np.asarray(cross),
            (n_dom, n_kind, n_field), {"rows": len(x), "people": len(people)},
        )  # fmt: skip

    def solve(self, alpha: float, caution: float = 0.0) -> WithinModel:
        """The model at ridge penalty `alpha`."""
        coef = np.linalg.solve(self.gram + alpha * np.eye(len(self.gram)), self.cross)
        n_dom, n_kind, n_field = self.sizes
        n_traits = len(TRAITS)
        sizes = [len(NUMERIC), len(self.hinged), len(self.missing), n_dom, n_kind,
                 n_traits * n_dom, n_traits * n_kind, n_field * n_dom]  # fmt: skip
        b = np.split(coef, np.cumsum(sizes))
        return WithinModel(
            self.center, self.scale, self.hinged, self.missing, b[0], b[1], b[2], b[3], b[4],
            b[5].reshape(n_traits, n_dom), b[6].reshape(n_traits, n_kind),
            b[7].reshape(n_field, n_dom), caution=caution, info=dict(self.info),
        )  # fmt: skip


ALPHAS = (1.0, 10.0, 100.0, 1_000.0, 10_000.0)  # the penalties `choose_alpha` compares


def choose_alpha(
    x: np.ndarray, y: np.ndarray, person: np.ndarray, period: np.ndarray,
    levels: dict[str, int],
) -> tuple[float, dict[str, Any]]:  # fmt: skip
    """The ridge penalty these rows support, and what chose it.

    Why not a constant: how much of the person x unit terms a within-person fit can read
    depends on how many comparisons within people the agency's past moves give, which
    differs between agencies. Nearly unpenalised (the penalty was 1 until this was
    measured), the many trait x field terms fit noise: on the family's choice seeds the
    penalty this function picks cut the move regret of the stacked ranking by about a
    sixth (docs/benchmarks.md, "Decisions across worlds"). So each fit chooses it on its own
    rows, the way the model is used: fitted on every period but the last, it predicts how each
    person's score in the last period differs from their own earlier mean (the year's
    common shift taken out), and the penalty of `ALPHAS` with the least squared error
    wins. Without an earlier period, or nobody in the last who was seen before, the least
    penalty is kept."""
    last = period == period.max()
    seen = np.isin(person[last], person[~last])
    if not (~last).any() or not seen.any():
        return ALPHAS[0], {"alpha_chosen_by": "too few periods to compare"}
    earlier = _Normal.build(x[~last], y[~last], person[~last], period[~last], levels)
    people, code = np.unique(person[~last], return_inverse=True)
    count = np.bincount(code)
    at = np.searchsorted(people, person[last][seen])
    y_mean = np.bincount(code, weights=y[~last]) / count
    errors: dict[str, float] = {}
    for alpha in ALPHAS:
        model = earlier.solve(alpha)
        f_mean = np.bincount(code, weights=model.predict(x[~last])) / count
        error = (y[last][seen] - y_mean[at]) - (model.predict(x[last][seen]) - f_mean[at])
        errors[f"{alpha:g}"] = float(np.mean((error - error.mean()) ** 2))
    best = min(errors, key=errors.__getitem__)
    return float(best), {"alpha_chosen_by": "the last period held out", "alpha_errors": errors}


def stack_weights(booster_raw: np.ndarray, within_raw: np.ndarray) -> tuple[float, float]:
    """(booster_weight, weight) from both models' raw gains over the same moves: each
    divided by its spread, added, and the sum scaled back to the booster's spread; (1, 0),
    the booster alone, when either model's gains do not vary or there are no moves to
    measure on (a round where every unit's formasi is full)."""
    if len(booster_raw) < 2:
        return 1.0, 0.0
    spread_b, spread_w = float(np.std(booster_raw)), float(np.std(within_raw))
    if spread_b <= 0 or spread_w <= 0:
        return 1.0, 0.0
    spread = float(np.std(booster_raw / spread_b + within_raw / spread_w))
    if spread <= 0:  # the two exactly opposed: no order left, keep the booster's
        return 1.0, 0.0
    return 1.0 / spread, spread_b / (spread_w * spread)
