"""The bag is one booster predicting the mean of its members; the additive model keeps
its branches within the declared groups."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from features.data import HRData
from features.definitions import FEATURE_NAMES, INTERACTION_GROUPS
from training.ensemble import average
from training.model import LgbParams, PlacementModel
from training.rows import training_rows


def _members() -> tuple[list[lgb.Booster], pd.DataFrame]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        {"a": rng.random(3000), "b": np.where(rng.random(3000) < 0.2, np.nan, rng.random(3000)),
         "c": pd.Categorical(rng.choice(list("xyz"), 3000))}
    )  # fmt: skip
    y = 3 * x["a"] + (x["c"] == "x") + np.nan_to_num(x["b"].to_numpy()) + rng.random(3000)
    params = {"verbosity": -1, "num_leaves": 7, "bagging_fraction": 0.7, "bagging_freq": 1}
    members = [
        lgb.train({**params, "seed": s}, lgb.Dataset(x, y), num_boost_round=15 + s)
        for s in range(3)
    ]
    return members, x


def test_the_bag_predicts_the_mean_of_its_members_and_explains_it_exactly() -> None:
    members, x = _members()
    bag = average(members)
    mean = np.mean([m.predict(x) for m in members], axis=0)
    assert bag.num_trees() == sum(m.num_trees() for m in members)
    assert np.abs(bag.predict(x) - mean).max() <= 1e-12
    contributions = bag.predict(x, pred_contrib=True)
    assert np.abs(contributions.sum(axis=1) - mean).max() <= 1e-9
    again = lgb.Booster(model_str=bag.model_to_string())  # saved and read back
    assert np.abs(again.predict(x) - mean).max() <= 1e-12


def test_a_bag_of_one_is_that_booster() -> None:
    members, _ = _members()
    assert average(members[:1]) is members[0]


def test_text_that_is_not_a_model_is_refused() -> None:
    class Fake:
        def model_to_string(self) -> str:
            return "tree\nTree=0\nnum_leaves=1\n"

    with pytest.raises(ValueError, match="end of trees"):
        average([Fake(), Fake()])  # type: ignore[list-item]


def test_every_feature_belongs_to_an_interaction_group() -> None:
    assert set(FEATURE_NAMES) == {name for g in INTERACTION_GROUPS.values() for name in g}


def _paths(node: dict, used: frozenset[str], names: list[str]) -> list[frozenset[str]]:
    if "leaf_value" in node:
        return [used]
    here = used | {names[node["split_feature"]]}
    return _paths(node["left_child"], here, names) + _paths(node["right_child"], here, names)


def test_an_additive_bag_keeps_each_branch_within_one_group(hr_data: HRData) -> None:
    rows = training_rows(hr_data)
    params = LgbParams(learning_rate=0.2, max_rounds=30, bag=2, additive=True)
    model = PlacementModel.fit(rows, params, rounds=30, offsets={"*": [-1.0, 1.0]})
    dump = model.booster.dump_model()
    names = dump["feature_names"]
    groups = [set(g) for g in INTERACTION_GROUPS.values()]
    paths = [p for tree in dump["tree_info"] for p in _paths(tree["tree_structure"], frozenset(), names)]  # fmt: skip
    assert len(dump["tree_info"]) == 60 and any(len(p) > 1 for p in paths)
    for path in paths:
        assert any(path <= group for group in groups), sorted(path)


def test_bagged_training_is_deterministic_and_averages_its_members(hr_data: HRData) -> None:
    rows = training_rows(hr_data)
    params = LgbParams(learning_rate=0.2, max_rounds=20, bag=3)
    first = PlacementModel.fit(rows, params, rounds=20, offsets={"*": [-1.0, 1.0]})
    second = PlacementModel.fit(rows, params, rounds=20, offsets={"*": [-1.0, 1.0]})
    assert first.booster.model_to_string() == second.booster.model_to_string()
    assert first.booster.num_trees() == 60
    single = PlacementModel.fit(rows, LgbParams(learning_rate=0.2, bag=1), rounds=20, offsets={"*": [-1.0, 1.0]})  # fmt: skip
    x = first.matrix(rows.head(500))
    # the full-data member is the single booster: the bag is not it, but near it
    assert not np.allclose(first.point_matrix(x), single.point_matrix(x))
    assert np.corrcoef(first.point_matrix(x), single.point_matrix(x))[0, 1] > 0.95
