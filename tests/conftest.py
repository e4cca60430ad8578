"""Shared fixtures: one small synthetic world (the `cakranegara` preset), built once; a
registry with a champion trained on it; an API serving that champion."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from features.data import HRData
from features.validate import load_data
from serving.app import create_app
from tests.served import FAST, Api, role_keys, serve_settings, started
from training.run import train
from training.settings import RegistrySettings
from world.generate import generate

SEED = 11


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world") / "cakranegara"
    generate("cakranegara", SEED, out, progress=False)
    return out


@pytest.fixture(scope="session")
def hr_data(world_dir: Path) -> HRData:
    return load_data(world_dir)


@pytest.fixture()
def world_copy(world_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the small world, for tests that break it."""
    out = tmp_path / "copy"
    shutil.copytree(world_dir, out)
    return out


@pytest.fixture(scope="session")
def registry_uri(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A registry with a champion (v1) trained on the small world; `MLFLOW_TRACKING_URI`
    points at it for the whole session, as it would for a deployed server."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('api-mlflow') / 'mlflow.db'}"
    train(world_dir, RegistrySettings(mlflow_tracking_uri=uri, experiment="api"), FAST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        yield uri


@pytest.fixture(scope="session")
def api(
    registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    settings = serve_settings(world_dir, tmp_path_factory.mktemp("api"))
    keys = role_keys(settings)
    with started(create_app(settings)) as client:
        yield Api(client, settings, keys)
