"""The reviewers' notebook runs top to bottom against a freshly trained champion."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import FAST
from training.run import train
from training.settings import PipelineSettings

# A real process or a whole notebook: `make test` runs it, `make test-fast` skips it.
pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "model_review.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


def test_model_review_notebook_runs_on_the_small_world(
    world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    train(world_dir, PipelineSettings(mlflow_tracking_uri=uri, experiment="review"), FAST)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("PENATAAN_REVIEW_DATA", str(world_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        for o in cell.get("outputs", [])
    )
    assert "penataan-placement v1 (@champion)" in outputs
    assert "held-out coverage" in outputs and "flags:" in outputs
    assert (
        "employees with a move the rules allow" in outputs and "expected share helping" in outputs
    )
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors
