"""Training, registration and loading through a real `mlflow server` (not the embedded store).

The data team may point `MLFLOW_TRACKING_URI` at a shared tracking server; this proves the
same code path works over HTTP, artifacts included (proxied by the server).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from penataan.local_servers import free_port, running
from tests.helpers import FAST
from training import registry
from training.run import train
from training.settings import PipelineSettings

# A real process or a whole notebook: `make test` runs it, `make test-fast` skips it.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tracking_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    mlflow_cli = Path(sys.executable).parent / "mlflow"
    command = [str(mlflow_cli), "server", "--backend-store-uri", f"sqlite:///{root / 'server.db'}",
               "--artifacts-destination", str(root / "artifacts"), "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1"]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    previous = mlflow.get_tracking_uri()
    try:
        with running(command, dict(os.environ), f"{url}/health", root / "server.log", 120):
            yield url
    finally:
        mlflow.set_tracking_uri(previous)


def test_train_register_and_load_through_a_tracking_server(
    tracking_server: str, world_dir: Path
) -> None:
    settings = PipelineSettings(mlflow_tracking_uri=tracking_server, experiment="server")
    result = train(world_dir, settings, FAST)
    assert result.promoted and result.version == "1"

    loaded = registry.load_registered(settings.champion_uri)
    assert loaded.version == "1" and loaded.run_id == result.run_id
    assert loaded.metrics["model_rmse"] == pytest.approx(result.metrics.loc["model", "rmse"])
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id)}
    assert {"feature_importance.png", "fairness.json"} <= artifacts
