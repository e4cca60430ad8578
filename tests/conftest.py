"""Shared fixtures: one small synthetic world (the `cakranegara` preset), built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from features.data import HRData
from features.validate import load_data
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
