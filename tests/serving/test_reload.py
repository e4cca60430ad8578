"""Reload without dropping requests; a failed load or reload keeps (or admits) what serves."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from serving.app import _load, create_app
from serving.deps import Holder
from serving.engine import Engine
from serving.routes.admin import release_memory
from serving.settings import ServeSettings
from tests.helpers import FAST, Api, engine_of, movable_nip, role_keys, serve_settings, started
from training.run import train
from training.settings import PipelineSettings

Loader = Callable[[ServeSettings], Engine]


def then_on_reload(reload: Loader) -> Loader:
    """A loader that starts the app for real and hands every later call (a reload) to `reload`."""
    calls = 0

    def loader(s: ServeSettings) -> Engine:
        nonlocal calls
        calls += 1
        return _load(s) if calls == 1 else reload(s)

    return loader


@pytest.fixture(scope="module")
def second_version(registry_uri: str, world_dir: Path) -> str:
    """A second registered version (a retrain on the same data: challenger, not champion)."""
    result = train(world_dir, PipelineSettings(mlflow_tracking_uri=registry_uri, experiment="api"), FAST)  # fmt: skip
    assert not result.promoted
    return result.version


@pytest.mark.slow  # a second engine loaded beside the first: `make test` runs it, `make test-fast` skips it
def test_reload_swaps_only_after_the_new_engine_is_ready(
    second_version: str, registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_dir, tmp_path, registry_uri)
    keys = role_keys(settings)

    def slow_switch(s: ServeSettings) -> Engine:
        time.sleep(1.5)  # a slow load: requests keep flowing to the old engine meanwhile
        return _load(s.model_copy(update={"model_uri": f"models:/penataan-placement/{second_version}"}))  # fmt: skip

    with started(create_app(settings, loader=then_on_reload(slow_switch))) as client:
        api = Api(client, settings, keys)
        nip = movable_nip(engine_of(api))
        answer: dict[str, object] = {}
        reloader = threading.Thread(
            target=lambda: answer.update(client.post("/v1/admin/reload", headers=api.headers("admin")).json())
        )  # fmt: skip
        reloader.start()
        versions = []
        while reloader.is_alive():
            response = client.post("/v1/recommend", json={"nip": nip}, headers=api.headers("hr"))
            assert response.status_code == 200
            versions.append(response.json()["model"]["version"])
        reloader.join()
        assert answer["reloaded"] is True and versions and set(versions) <= {"1", second_version}
        assert versions[0] == "1"
        after = client.post("/v1/recommend", json={"nip": nip}, headers=api.headers("hr")).json()
        assert after["model"]["version"] == second_version


def test_failed_reload_keeps_the_old_model(
    registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_dir, tmp_path, registry_uri)
    keys = role_keys(settings)

    def moved(_: ServeSettings) -> Engine:
        raise FileNotFoundError("the data directory was moved")

    with started(create_app(settings, loader=then_on_reload(moved))) as client:
        admin = {"X-API-Key": keys["admin"]}
        response = client.post("/v1/admin/reload", headers=admin)
        assert response.status_code == 503
        assert (
            "still serving v1" in response.json()["detail"] and "moved" in response.json()["detail"]
        )
        assert client.get("/ready").json()["model"]["version"] == "1"
        assert client.get("/v1/model", headers=admin).status_code == 200


def test_a_failed_start_stays_up_and_says_why(
    registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_dir, tmp_path, registry_uri).model_copy(update={"model_uri": "models:/no-such-model@champion"})  # fmt: skip
    keys = role_keys(settings)
    with started(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503 and "no-such-model" in ready.json()["detail"]
        response = client.post("/v1/recommend", json={"nip": "198507142010011002"}, headers={"X-API-Key": keys["hr"]})  # fmt: skip
        assert response.status_code == 503


def test_health_answers_while_the_engine_loads_in_the_background(
    registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_dir, tmp_path, registry_uri)
    gate = threading.Event()

    def slow(s: ServeSettings) -> Engine:
        gate.wait(30)  # the load takes as long as the test says
        return _load(s)

    app = create_app(settings, loader=slow)
    with TestClient(app) as client:
        began = time.perf_counter()
        assert client.get("/health").status_code == 200 and time.perf_counter() - began < 2
        loading = client.get("/ready")
        assert loading.status_code == 503 and "loading" in loading.json()["detail"]
        gate.set()
        assert app.state.holder.loaded.wait(120)
        assert client.get("/ready").status_code == 200


class _Explaining:
    """An engine as the holder sees it while it explains ahead: a block at a time, each
    longer than a reload takes to free the engine it replaced."""

    class loaded:  # noqa: N801 (the holder reads `engine.loaded.name/.version`)
        name, version = "penataan-placement", "1"

    class settings:  # noqa: N801
        explain_ahead = True

    def explain_ahead(self, stop: threading.Event) -> int:
        while not stop.is_set():
            time.sleep(0.3)  # one block of TreeSHAP
        return 0


def test_a_reload_frees_the_engine_it_replaced_after_its_explaining_ahead_stops() -> None:
    holder = Holder(CollectorRegistry())
    old = _Explaining()
    gone = weakref.ref(old)
    holder.serve(old)  # type: ignore[arg-type]
    del old
    job = holder.serve(_Explaining())  # type: ignore[arg-type]
    try:
        assert job is not None and job.is_alive()  # still on its block, holding the old engine
        release_memory(job)
        assert not job.is_alive() and gone() is None  # waited for, then freed, not frozen
    finally:
        holder.stop()
        gc.unfreeze()
