"""Shared fixtures: one small synthetic world (the `cakranegara` preset), built once; a
registry with a champion trained on it; an API serving that champion.

The project's modules are imported inside the fixtures, not here: pytest-xdist's controller
loads this file too, runs no test, and every worker waits for it to start them; importing
the stack here (mlflow, LightGBM, FastAPI, SciPy) cost it 10 s on this project's machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from features.data import HRData
    from tests.helpers import Api, SessionRun


@pytest.fixture(scope="session", autouse=True)
def trees_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled trees go to a folder of the test session, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("trees")
    before = os.environ.get("PENATAAN_TREES_CACHE")
    os.environ["PENATAAN_TREES_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("PENATAAN_TREES_CACHE", None)
    else:
        os.environ["PENATAAN_TREES_CACHE"] = before


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers import SEED
    from world.writer import generate

    out = tmp_path_factory.mktemp("world") / "cakranegara"
    generate("cakranegara", SEED, out, progress=False)
    return out


@pytest.fixture(scope="session")
def hr_data(world_dir: Path) -> HRData:
    from features.contract.validate import load_data

    return load_data(world_dir)


@pytest.fixture()
def world_copy(world_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the small world, for tests that break it."""
    out = tmp_path / "copy"
    shutil.copytree(world_dir, out)
    return out


@pytest.fixture(scope="session")
def session_run(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SessionRun:
    from tests.helpers import EVIDENCE_ONLY, FAST, SessionRun
    from training.run import train
    from training.settings import PipelineSettings

    root = tmp_path_factory.mktemp("api-mlflow")
    settings = PipelineSettings(
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}", experiment="api", **EVIDENCE_ONLY
    )
    result = train(world_dir, settings, FAST)
    pristine = shutil.copy(root / "mlflow.db", tmp_path_factory.mktemp("pristine") / "mlflow.db")
    return SessionRun(result, settings, Path(pristine))


@pytest.fixture(scope="session")
def registry_uri(session_run: SessionRun) -> str:
    """A registry with a champion (v1) trained on the small world; settings objects point
    at it (the process environment is left alone, see `cli_registry` for the CLI)."""
    return session_run.settings.mlflow_tracking_uri


@pytest.fixture()
def cli_registry(registry_uri: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry, as a `penataan` command finds it: `MLFLOW_TRACKING_URI` for one test."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry_uri)
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(Path(registry_uri.removeprefix("sqlite:///")).with_name("decisions.db")))  # fmt: skip
    return registry_uri


@pytest.fixture(scope="session")
def api(
    registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    from tests.helpers import served

    with served(world_dir, tmp_path_factory.mktemp("api"), registry_uri) as api:
        yield api
