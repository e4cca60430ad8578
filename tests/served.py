"""Test helpers: the fast training parameters every test model uses, and an API client
with a key per role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from serving.keys import KeyStore
from serving.settings import ServeSettings
from training.model import LgbParams

FAST = LgbParams(learning_rate=0.1, max_rounds=200, early_stopping_rounds=20)  # every test model


@dataclass
class Api:
    client: TestClient
    settings: ServeSettings
    keys: dict[str, str]  # role -> key

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


def serve_settings(world_dir: Path, root: Path, registry_uri: str) -> ServeSettings:
    """The API's settings for a test, passed in whole as a deployment's edge would build
    them (no process environment variables)."""
    return ServeSettings(
        data_dir=world_dir,
        api_keys_file=root / "keys.json",
        audit_db=root / "audit.db",
        mlflow_tracking_uri=registry_uri,
    )


def role_keys(settings: ServeSettings) -> dict[str, str]:
    store = KeyStore(settings.api_keys_file)
    return {role: store.create(role, f"test-{role}") for role in ("hr", "reviewer", "admin")}


@contextmanager
def started(app: FastAPI) -> Iterator[TestClient]:
    """A client of `app` once its background load has ended (well or not)."""
    with TestClient(app) as client:
        assert app.state.holder.loaded.wait(300), "the engine did not load in 5 minutes"
        yield client
