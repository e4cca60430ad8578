"""The small world written as a BKPSDM's SIASN exports, shared by the importer's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEED
from world.writer import generate


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exported") / "world"
    generate("cakranegara", SEED, out, progress=False, export="siasn")
    return out
