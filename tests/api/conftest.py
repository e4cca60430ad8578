"""One trained champion on the small world, and an API serving it with a key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.keys import KeyStore
from serving.settings import ServeSettings
from training.model import LgbParams
from training.run import train
from training.settings import RegistrySettings

FAST = LgbParams(learning_rate=0.1, max_rounds=200, early_stopping_rounds=20)


@dataclass
class Api:
    client: TestClient
    settings: ServeSettings
    keys: dict[str, str]  # role -> key

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


@pytest.fixture(scope="session")
def registry_uri(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A registry with a champion (v1) trained on the small world; `MLFLOW_TRACKING_URI`
    points at it for the whole session, as it would for a deployed server."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('api-mlflow') / 'mlflow.db'}"
    train(world_dir, RegistrySettings(mlflow_tracking_uri=uri, experiment="api"), FAST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        yield uri


def serve_settings(world_dir: Path, root: Path) -> ServeSettings:
    return ServeSettings(
        data_dir=world_dir, api_keys_file=root / "keys.json", audit_db=root / "audit.db"
    )


def role_keys(settings: ServeSettings) -> dict[str, str]:
    store = KeyStore(settings.api_keys_file)
    return {role: store.create(role, f"test-{role}") for role in ("hr", "reviewer", "admin")}


@pytest.fixture(scope="session")
def api(
    registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    settings = serve_settings(world_dir, tmp_path_factory.mktemp("api"))
    keys = role_keys(settings)
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings, keys)
