"""The placement model: a LightGBM regressor of the score and an 80% interval around it.

`PlacementModel` is what every consumer uses (scoring, the API, the planner): it takes rows
from `features.pipeline.build_features`, so it cannot be fed anything else.

The interval is split-conformal (Mondrian): the held-out period's residuals, by group of
row (staying or moving x how much evaluation history the person has), give each group its
own 10th and 90th residual percentiles. One booster is predicted instead of three quantile
models, which matters when every employee is scored against every unit, and the interval's
coverage is calibrated on data the model did not fit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.definitions import (
    CATEGORICAL,
    FEATURE_NAMES,
    FEATURE_SET,
    FEATURES_BY_NAME,
    INTERACTION_GROUPS,
    MONOTONE,
)
from features.pipeline import CATEGORY_DTYPES, as_model_frame
from features.scale import KinerjaScale
from training.compiled import CompiledTrees, compile_trees
from training.ensemble import average
from training.gain import GainCalibration, pilot_size
from training.unit_levels import UnitLevels
from training.within import WithinModel

MODEL_FORMAT = "point+conformal+gain+predikat-v4"  # v4: the gain carries P(helps)
MIN_GROUP_RESIDUALS = 30  # below this a group uses the pooled residuals
ROW_BLOCK = 4096  # rows laid out at once by `PlacementModel.matrix` (47 columns: 1.5 MB)


@dataclass(frozen=True)
class LgbParams:
    """Hyperparameters; deterministic by default (fixed seed, threads and histogram order)."""

    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 200  # 40 fitted the generator's quirks: chosen on the family
    monotone: bool = True  # hold the model to `Feature.monotone` (features/definitions.py)
    # keep the person's level out of the gain: features interact only within their groups
    # (features/definitions.py, INTERACTION_GROUPS); measured, not adopted (docs/benchmarks.md)
    additive: bool = False
    # boosters averaged into the model: the first on every row, the others each on a
    # bootstrap of people (training/ensemble.py); 1 is a single booster
    bag: int = 6
    # rank moves on the booster's and a within-person model's gains together
    # (training/within.py); `within_alpha` is that model's ridge penalty, None: chosen on
    # the training rows themselves (`training.within.choose_alpha`)
    within: bool = True
    within_alpha: float | None = None
    # how much of the two models' disagreement about a gain comes off it (`raw_gains`):
    # half, chosen on the choice seeds against none (docs/benchmarks.md, "Decisions across worlds")
    within_caution: float = 0.5
    # shrink the level of the unit a move leads into by how reliably its staff's marks show
    # it (training/unit_levels.py); better on the choice seeds, not on the report seeds:
    # measured, not adopted (docs/benchmarks.md, "Decisions across worlds")
    unit_shrink: bool = False
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    bagging_freq: int = 1
    lambda_l2: float = 1.0
    max_rounds: int = 2000
    early_stopping_rounds: int = 100
    seed: int = 42
    num_threads: int = 2
    interval: float = 0.8

    def __post_init__(self) -> None:
        """Refuse values LightGBM would reject only after an MLflow run was opened."""
        checks = {
            "learning_rate": 0 < self.learning_rate <= 1,
            "num_leaves": 2 <= self.num_leaves <= 4096,
            "min_data_in_leaf": self.min_data_in_leaf >= 1,
            "feature_fraction": 0 < self.feature_fraction <= 1,
            "bagging_fraction": 0 < self.bagging_fraction <= 1,
            "bagging_freq": self.bagging_freq >= 0,
            "lambda_l2": self.lambda_l2 >= 0,
            "max_rounds": self.max_rounds >= 1,
            "early_stopping_rounds": self.early_stopping_rounds >= 1,
            "num_threads": self.num_threads >= 1,
            "interval": 0 < self.interval < 1,
            "bag": self.bag >= 1,
            "within_alpha": self.within_alpha is None or self.within_alpha > 0,
            "within_caution": 0 <= self.within_caution <= 1,
        }
        bad = [f"{name}={getattr(self, name)!r}" for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid hyperparameters: {', '.join(bad)}")

    def booster_params(self, objective: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": self.bagging_freq,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }
        if self.monotone:
            params["monotone_constraints"] = list(MONOTONE)
            params["monotone_constraints_method"] = "advanced"
        if self.additive:
            index = {name: k for k, name in enumerate(FEATURE_NAMES)}
            params["interaction_constraints"] = [
                [index[name] for name in group] for group in INTERACTION_GROUPS.values()
            ]
        return params


def _dataset(
    rows: pd.DataFrame, target: pd.Series, reference: lgb.Dataset | None = None
) -> lgb.Dataset:
    return lgb.Dataset(
        as_model_frame(rows),
        label=target.to_numpy(dtype=float),
        categorical_feature=list(CATEGORICAL),
        reference=reference,
        free_raw_data=False,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _bootstraps(train: pd.DataFrame, params: LgbParams, rounds: int) -> list[lgb.Booster]:
    """`params.bag - 1` boosters of `rounds` trees, each on a bootstrap of the people in
    `train` (a person drawn twice weighs twice; every row of a person goes together), each
    with its own seed; deterministic for a given `params.seed`."""
    people = train["nip"].to_numpy()
    unique = np.unique(people)
    rng = np.random.default_rng(params.seed)
    boosters = []
    for k in range(1, params.bag):
        drawn = pd.Series(rng.choice(unique, len(unique), replace=True)).value_counts()
        weight = pd.Series(people).map(drawn).fillna(0).to_numpy()
        keep = weight > 0
        rows = train[keep]
        data = _dataset(rows, rows["score"])
        data.set_weight(weight[keep])
        member = dataclasses.replace(params, seed=params.seed + k)
        boosters.append(lgb.train(member.booster_params("regression"), data, rounds))
    return boosters


GROUPS = ("move:0", "move:1-2", "move:3+", "stay:0", "stay:1-2", "stay:3+")


def interval_group(rows: pd.DataFrame) -> np.ndarray:
    """The conformal group of each row (an index into GROUPS): staying or moving, x
    evaluation history (0, 1-2, 3+ evaluations).

    A move into a new unit, or a person with little history, is less certain than a stay
    with years of evaluations; the groups let the interval widen where it should.
    """
    history = np.digitize(rows["n_evaluations"].fillna(0).to_numpy(dtype=float), [1, 3])
    stay = (rows["is_stay"].fillna(0).to_numpy(dtype=float) == 1).astype(int)
    return stay * 3 + history


def conformal_offsets(
    rows: pd.DataFrame, residuals: np.ndarray, level: float
) -> dict[str, list[float]]:
    """Per group (and `*` pooled): the residual percentiles bounding `level` of the mass."""
    tail = (1.0 - level) / 2
    groups = interval_group(rows)

    def bounds(r: np.ndarray) -> list[float]:
        low, high = np.quantile(r, [tail, 1.0 - tail])
        return [min(float(low), 0.0), max(float(high), 0.0)]

    table = {"*": bounds(residuals)}
    for code, name in enumerate(GROUPS):
        picked = residuals[groups == code]
        if len(picked) >= MIN_GROUP_RESIDUALS:
            table[name] = bounds(picked)
    return table


@dataclass
class PlacementModel:
    """One booster for the score, and conformal offsets for its interval."""

    booster: lgb.Booster
    offsets: dict[str, list[float]]  # group -> [low, high] residual percentiles
    gain: GainCalibration | None = None  # set by training once the held-out moves are known
    feature_set: str = FEATURE_SET
    scale: KinerjaScale = field(default_factory=lambda: KinerjaScale("none"))  # predikat cuts
    info: dict[str, Any] = field(default_factory=dict)
    # how a person's score differs between units (training/within.py): part of every gain
    within: WithinModel | None = None
    # the points a move into each unit loses for how little its staff show its level
    # (training/unit_levels.py): part of every raw gain
    unit_levels: UnitLevels | None = None
    # the same trees as native code (`use_compiled`); never saved, never compared
    compiled: CompiledTrees | None = field(default=None, repr=False, compare=False)

    def use_compiled(self, cache: Path) -> bool:
        """Predict with the trees compiled (`training.compiled`), cached in `cache`; False
        (LightGBM answers) when they cannot be compiled."""
        self.compiled = compile_trees(self.booster, cache)
        return self.compiled is not None

    @classmethod
    def fit(
        cls,
        train: pd.DataFrame,
        params: LgbParams,
        valid: pd.DataFrame | None = None,
        rounds: int | None = None,
        offsets: dict[str, list[float]] | None = None,
    ) -> PlacementModel:
        """Fit on `train` (rows with a `score`). With `valid`: early-stop on it and calibrate
        the interval on its residuals. Without: fit `rounds` trees and take `offsets` from a
        model that was validated (a refit has no held-out data of its own)."""
        data = _dataset(train, train["score"])
        booster_params = params.booster_params("regression")
        if valid is not None:
            booster = lgb.train(
                booster_params,
                data,
                num_boost_round=params.max_rounds,
                valid_sets=[_dataset(valid, valid["score"], reference=data)],
                callbacks=[lgb.early_stopping(params.early_stopping_rounds, verbose=False)],
            )
        else:
            if offsets is None:
                raise ValueError("a refit without validation rows needs the validated offsets")
            booster = lgb.train(booster_params, data, num_boost_round=rounds or params.max_rounds)
        best = booster.best_iteration or booster.current_iteration()
        model = cls(average([booster, *_bootstraps(train, params, best)]), offsets or {})
        if valid is not None:  # the interval is calibrated on the bag, as it will be served
            residuals = valid["score"].to_numpy(dtype=float) - model.point(valid)
            model.offsets = conformal_offsets(valid, residuals, params.interval)
        model.info["best_iteration"] = best
        if params.within:
            model.within = WithinModel.fit(
                model.matrix(train), train["score"].to_numpy(dtype=float), train["nip"].to_numpy(),
                train["period"].to_numpy(), model.levels(), params.within_alpha,
                caution=params.within_caution,
            )  # fmt: skip
        return model

    @property
    def ranking(self) -> str:
        """How this model ranks a person's moves, in words (what the promotion gate compares:
        two models with one score may rank moves differently)."""
        shrunk = ", units' levels shrunk for their staff" if self.unit_levels is not None else ""
        w = self.within
        if w is None or w.weight == 0:
            return f"the booster alone{shrunk}"
        # the penalty's method, not its value: the same method choosing another value on
        # new rows is the data's change, judged by the score like any other
        if "alpha_chosen_by" in w.info:
            penalty = "penalty chosen on the rows"
        elif "alpha" in w.info:
            penalty = f"penalty {w.info['alpha']:g}"
        else:  # saved before the penalty was chosen or recorded: always a fixed one
            penalty = "a fixed penalty"
        return f"the booster and the within-person model, caution {w.caution:g}, {penalty}{shrunk}"

    def _categories(self) -> dict[str, list[str]]:
        """Each categorical feature's training-time levels (its codes are their positions)."""
        categorical = [name for name in FEATURE_NAMES if name in CATEGORICAL]
        return dict(zip(categorical, self.booster.pandas_categorical or [], strict=True))

    def levels(self) -> dict[str, int]:
        """How many training-time levels each categorical feature has (its codes' range)."""
        return {name: len(values) for name, values in self._categories().items()}

    def matrix(self, rows: pd.DataFrame) -> np.ndarray:
        """Rows exactly as LightGBM reads a DataFrame (float64; categoricals as the codes of
        the training-time categories, NaN where missing), with no frame in between: the API
        converts the few rows of every request it explains. Each column is read once, then
        laid out row by row a block of rows at a time (`ROW_BLOCK`), through a buffer small
        enough to stay in cache: writing a row-major matrix column by column strides through
        memory (a part of a staff: 0.15 s against 0.05 s)."""
        levels = self._categories()
        columns = []
        for name in FEATURE_NAMES:
            if name in levels:  # the canonical levels first, as `as_model_frame` reads them
                known = pd.Categorical(rows[name], dtype=CATEGORY_DTYPES[name])
                codes = known.set_categories(levels[name]).codes
                columns.append(np.where(codes >= 0, codes, np.nan))
            else:
                columns.append(rows[name].to_numpy(dtype=np.float64))
        x = np.empty((len(rows), len(columns)))
        block = np.empty((len(columns), ROW_BLOCK))
        for start in range(0, len(rows), ROW_BLOCK):
            size = min(ROW_BLOCK, len(rows) - start)
            for j, column in enumerate(columns):
                block[j, :size] = column[start : start + size]
            x[start : start + size] = block[:, :size].T
        return x

    def point(self, rows: pd.DataFrame) -> np.ndarray:
        """The predicted score alone (what ranking needs)."""
        return self.point_matrix(self.matrix(rows))

    def point_matrix(self, x: np.ndarray) -> np.ndarray:
        compiled = self.compiled
        if compiled is not None and (compiled.verified or compiled.verify(x)):
            return compiled.predict(x)
        self.compiled = None  # failed its check: LightGBM from now on
        return np.asarray(self.booster.predict(x, num_threads=2))

    def legs_matrix(self, x: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Rows x 2, what a gain is the difference of (here minus staying): the booster's
        predicted score `point` of rows `x` and the within-person model's prediction, each
        weighed as measured at training (`training.within.stack_weights`); the second
        column is 0 when the model has no within-person part."""
        w = self.within
        if w is None or w.weight == 0:
            return np.column_stack([point, np.zeros(len(point))])
        return np.column_stack([w.booster_weight * point, w.weight * w.predict(x)])

    def raw_gains(
        self, here: np.ndarray, stay: np.ndarray, discount: np.ndarray | float = 0.0
    ) -> np.ndarray:
        """The raw gain of moving from the rows whose legs are `stay` to those whose legs
        are `here` (`legs_matrix`): both models' differences added, less `caution` times
        how far apart they are (a move only one model believes in is the likeliest to be
        one's error: the winner's curse between two models), less `discount`, the part of
        the joined unit's level its staff do not show (`unit_discount`; 0 for staying)."""
        delta = here - stay
        w = self.within
        caution = w.caution if w is not None and w.weight != 0 else 0.0  # two models, or none
        return delta.sum(axis=1) - caution * np.abs(delta[:, 0] - delta[:, 1]) - discount

    def unit_discount(self, unit_ids: np.ndarray | pd.Series) -> np.ndarray:
        """Per unit id, the points a move into it loses (`training.unit_levels`; 0 without)."""
        if self.unit_levels is None:
            return np.zeros(len(unit_ids))
        return self.unit_levels.of(np.asarray(unit_ids))

    def raw_gain(self, rows: pd.DataFrame, stay_rows: pd.DataFrame) -> np.ndarray:
        """`raw_gains` of feature rows `rows` (moves) over `stay_rows` (the same people,
        staying)."""

        def legs(frame: pd.DataFrame) -> np.ndarray:
            x = self.matrix(frame)
            return self.legs_matrix(x, self.point_matrix(x))

        return self.raw_gains(legs(rows), legs(stay_rows), self.unit_discount(rows["unit_id"]))

    def leg_contributions(self, x: np.ndarray, contrib: np.ndarray) -> np.ndarray:
        """Rows x features: each feature's part of `legs_matrix`'s sum, from the booster's
        TreeSHAP `contrib` of the same rows (and the within model's exact linear terms): a
        gain's factors are the difference of two rows' (the base and the person's level
        cancel); they add up to the raw gain before the models' disagreement and the joined
        unit's discount come off (`raw_gains`)."""
        shap = contrib[:, : len(FEATURE_NAMES)]
        w = self.within
        if w is None or w.weight == 0:
            return shap
        return w.booster_weight * shap + w.weight * w.contributions(x)

    def bounds(self, point: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The interval around `point` for rows of the given `interval_group`s."""
        pooled = self.offsets["*"]
        table = np.array([self.offsets.get(name, pooled) for name in GROUPS])[groups]
        return point + table[:, 0], point + table[:, 1]

    def gains(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Calibrated gain of moves with raw gains `raw` (predicted here minus staying), its
        interval and the probability that the move truly helps (`training.gain`)."""
        if self.gain is None:
            raise ValueError("this model has no gain calibration (train it to completion)")
        return self.gain.apply(raw)

    def pilot_size(self) -> int:
        """How many moves a pilot makes with this model's gain line (`training.gain`)."""
        if self.gain is None:
            raise ValueError("this model has no gain calibration (train it to completion)")
        return pilot_size(self.gain)

    def predict(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Predicted score and interval per row; the interval always contains the point."""
        point = self.point(rows)
        low, high = self.bounds(point, interval_group(rows))
        return pd.DataFrame({"predicted_score": point, "low": low, "high": high}, index=rows.index)

    def predikat_probabilities(
        self, point: np.ndarray, low: np.ndarray, high: np.ndarray
    ) -> np.ndarray:
        """Per row, the probability of each predikat next year (`vocab.PREDIKAT` order): the
        latent score is taken as normal around `point` with the spread of the row's own
        interval, and the predikat as the band of `scale.cuts` it falls in."""
        level = self.gain.level if self.gain is not None else 0.8  # the interval's coverage
        z = 2 * NormalDist().inv_cdf(0.5 + level / 2)
        return self.scale.probabilities(point, np.maximum(high - low, 1e-6) / z)

    def contributions(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Exact TreeSHAP contributions of each feature to the point prediction, plus `base`.

        Costs far more than `predict` (about a millisecond a row): call it only for rows
        that will be shown.
        """
        raw = self.contributions_matrix(self.matrix(rows))
        return pd.DataFrame(raw, columns=[*FEATURE_NAMES, "base"], index=rows.index)

    def contributions_matrix(self, x: np.ndarray, threads: int = 2) -> np.ndarray:
        return np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=threads))

    def importance(self) -> pd.DataFrame:
        """Gain importance per feature."""
        gain = self.booster.feature_importance(importance_type="gain")
        return pd.DataFrame({"feature": FEATURE_NAMES, "gain": gain}).set_index("feature")

    def importance_table(self, rows: pd.DataFrame, sample: int = 3000) -> pd.DataFrame:
        """Gain and mean |SHAP| per feature (SHAP on a fixed sample of `rows`), largest first."""
        picked = rows.sample(min(len(rows), sample), random_state=0)
        shap = self.contributions(picked)[list(FEATURE_NAMES)].abs().mean()
        table = self.importance().assign(mean_abs_shap=shap)
        table["factor"] = [FEATURES_BY_NAME[f].factor for f in table.index]
        table["label_en"] = [FEATURES_BY_NAME[f].label_en for f in table.index]
        return table.sort_values("mean_abs_shap", ascending=False)

    def save(self, directory: Path) -> None:
        """The booster and `model.json` (format, feature set, offsets, gain calibration, the
        within-person model's coefficients and the booster file's SHA-256, which `load` checks before LightGBM parses a byte)."""
        if self.gain is None:
            raise ValueError("a model is saved only with its gain calibration")
        directory.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(directory / "point.txt"))
        meta = {
            "format": MODEL_FORMAT,
            "feature_set": self.feature_set,
            "offsets": self.offsets,
            "gain": self.gain.to_dict(),
            "kinerja_scale": self.scale.to_dict(),
            "point_sha256": _sha256(directory / "point.txt"),
            "within": None if self.within is None else self.within.to_dict(),
            "unit_levels": None if self.unit_levels is None else self.unit_levels.to_dict(),
        }
        (directory / "model.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: Path) -> PlacementModel:
        """A saved model, verified first: LightGBM's parser aborts the whole process on a
        truncated file (SIGABRT, no exception), so a booster whose checksum does not match
        the one written at training time is never handed to it."""
        meta_file = directory / "model.json"
        try:
            meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        except (ValueError, OSError) as error:
            raise ValueError(f"{meta_file}: unreadable ({error}); retrain or restore it") from None
        if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
            raise ValueError(f"{directory}: not a {MODEL_FORMAT} model (retrain it)")
        if meta["feature_set"] != FEATURE_SET:
            raise ValueError(
                f"model was trained on feature set {meta['feature_set']!r}; this code builds "
                f"{FEATURE_SET!r}: retrain it (`penataan train`)"
            )
        point = directory / "point.txt"
        if not point.is_file() or _sha256(point) != meta.get("point_sha256"):
            raise ValueError(
                f"{point}: missing or not the file written at training time (checksum "
                "mismatch: truncated or altered); the model was not loaded"
            )
        booster = lgb.Booster(model_file=str(point))
        gain = GainCalibration.from_dict(meta["gain"])
        scale = KinerjaScale.from_dict(meta["kinerja_scale"])
        within = WithinModel.from_dict(meta["within"]) if meta.get("within") else None
        levels = meta.get("unit_levels")  # absent from models saved before it existed
        return cls(
            booster, meta["offsets"], gain, meta["feature_set"], scale=scale, within=within,
            unit_levels=UnitLevels.from_dict(levels) if levels else None,
        )  # fmt: skip
