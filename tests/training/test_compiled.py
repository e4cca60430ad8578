"""Compiled trees answer exactly as LightGBM does, or LightGBM answers."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from features.data import HRData
from features.settings import EligibilitySettings
from training.candidates import CandidateTable
from training.compiled import SMALL_CODE_LEAVES, CompiledTrees, code_model_for, compile_trees
from training.model import PlacementModel
from training.registry import load_registered


@pytest.fixture(scope="module")
def model(registry_uri: str) -> PlacementModel:
    import mlflow

    mlflow.set_tracking_uri(registry_uri)
    return load_registered("models:/penataan-placement@champion").model


def test_compiled_trees_agree_with_lightgbm_on_every_candidate_row(
    model: PlacementModel, hr_data: HRData, tmp_path: Path
) -> None:
    table = CandidateTable.build(hr_data, None, EligibilitySettings())
    x = model.matrix(table.rows)
    assert np.isnan(x).any()  # missing values are part of what must agree
    expected = model.booster.predict(x, num_threads=2)
    compiled = CompiledTrees(model.booster, tmp_path / "trees")
    assert compiled.verify(x)
    assert np.abs(compiled.predict(x) - expected).max() <= 1e-9
    objects = list((tmp_path / "trees").glob("*.o"))
    assert len(objects) == 1 and oct(os.stat(tmp_path / "trees").st_mode & 0o777) == "0o700"
    assert compiled.code_model == "small" and "-small-" in objects[0].name
    again = CompiledTrees(model.booster, tmp_path / "trees")  # from the cache this time
    assert np.abs(again.predict(x) - expected).max() <= 1e-9
    assert list((tmp_path / "trees").glob("*.o")) == objects


def test_the_code_model_follows_the_forests_size(model: PlacementModel) -> None:
    """LLVM's small code model (faster) only where the forest is far from its 2 GB limit,
    counted in leaves over every tree."""
    text = model.booster.model_to_string()
    assert code_model_for(text) == "small"
    half = SMALL_CODE_LEAVES // 2 + 1
    assert code_model_for(f"num_leaves={half}\nnum_leaves={half}\n") == "large"
    assert code_model_for(f"num_leaves={SMALL_CODE_LEAVES}\n") == "small"


def test_trees_that_disagree_or_cannot_be_trusted_leave_lightgbm_to_answer(
    model: PlacementModel, hr_data: HRData, tmp_path: Path
) -> None:
    table = CandidateTable.build(hr_data, None, EligibilitySettings())
    x = model.matrix(table.rows.head(500))
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert compile_trees(model.booster, shared) is None  # others could plant object files
    copy = PlacementModel(model.booster, model.offsets, model.gain, scale=model.scale)
    assert copy.use_compiled(tmp_path / "trees")
    other = CompiledTrees(model.booster, tmp_path / "trees")
    other.booster = _shifted(model)  # the check compares with another model's answers
    copy.compiled = other
    answer = copy.point_matrix(x)
    assert copy.compiled is None and np.allclose(answer, model.booster.predict(x))


def _shifted(model: PlacementModel):  # type: ignore[no-untyped-def]
    class Shifted:
        def predict(self, x: np.ndarray, num_threads: int = 2) -> np.ndarray:
            return np.asarray(model.booster.predict(x, num_threads=num_threads)) + 0.5

    return Shifted()
