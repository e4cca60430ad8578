"""The service under an operator's bad day: the audit log locked, read-only, full, deleted or
replaced; concurrent key writers and a corrupt key file; hostile bodies; a client that
leaves. Every call is refused or served correctly, and every call that returned data has
its audit row."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from serving.app import _load, create_app
from serving.audit import AuditLog
from serving.engine import Engine
from serving.keys import KeyStore
from serving.middleware import RequestLog, _bounded
from serving.settings import ServeSettings
from tests.helpers import Api, engine_of, held_exclusively, role_keys, serve_settings, started


@pytest.fixture(scope="module")
def engine(registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return _load(serve_settings(world_dir, tmp_path_factory.mktemp("engine"), registry_uri))


def _client(
    engine: Engine, settings: ServeSettings
) -> tuple[AbstractContextManager[TestClient], dict[str, str]]:
    keys = role_keys(settings)
    return started(create_app(settings, loader=lambda _: engine)), keys


@pytest.fixture()
def served(engine: Engine, registry_uri: str, world_dir: Path, tmp_path: Path) -> Iterator[Api]:
    settings = serve_settings(world_dir, tmp_path, registry_uri).model_copy(
        update={"audit_timeout_seconds": 0.5}
    )
    serving, keys = _client(engine, settings)
    with serving as client:
        yield Api(client, settings, keys)


def _recommend(api: Api, engine: Engine) -> tuple[int, dict[str, object]]:
    response = api.client.post(
        "/v1/recommend", json={"nip": str(engine.nips[0])}, headers=api.headers("hr")
    )
    return response.status_code, response.json()


def _recorded(api: Api) -> list[tuple[str, int]]:
    with sqlite3.connect(api.settings.audit_db) as db:
        return db.execute(
            "select endpoint, status from audit where endpoint != 'startup'"
        ).fetchall()


def test_a_locked_audit_log_refuses_calls_without_stalling_the_server(
    served: Api, engine: Engine
) -> None:
    with held_exclusively(served.settings.audit_db):  # another writer holds the database
        began = time.perf_counter()
        outcomes: list[tuple[int, float]] = []

        def call() -> None:
            start = time.perf_counter()
            status = _recommend(served, engine)[0]
            outcomes.append((status, time.perf_counter() - start))

        threads = [threading.Thread(target=call) for _ in range(24)]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        health = served.client.get("/health")  # the event loop is free meanwhile
        assert health.status_code == 200 and time.perf_counter() - began < 0.5 + 0.3
        for thread in threads:
            thread.join()
        assert [status for status, _ in outcomes] == [503] * 24
        # each waits for its turn at most one timeout and for the file at most another one,
        # not for the 23 callers queued ahead of it (24 x 0.5 s)
        assert max(seconds for _, seconds in outcomes) < 2 * 0.5 + 1.0
        status, body = _recommend(served, engine)
        assert status == 503 and "audit" in str(body["detail"]) and "suggestions" not in body
    status, body = _recommend(served, engine)
    assert status == 200 and ("/v1/recommend", 200) in _recorded(served)


def test_a_deleted_audit_log_starts_anew_and_a_replaced_one_is_refused(
    served: Api, engine: Engine, tmp_path: Path
) -> None:
    """Deleted: the next call starts a new file whose first row says so (no restart needed);
    replaced by another file: calls are refused, since rows could land where nobody looks."""
    assert _recommend(served, engine)[0] == 200
    db = served.settings.audit_db
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    status, _ = _recommend(served, engine)
    assert status == 200
    with sqlite3.connect(db) as fresh:
        rows = fresh.execute("select endpoint, subject, status from audit order by id").fetchall()
    assert rows[0][0] == "audit-restarted" and "deleted" in rows[0][1]
    assert rows[1][0] == "/v1/recommend" and rows[1][2] == 200
    assert db.stat().st_mode & 0o777 == 0o600
    assert served.client.get("/ready").status_code == 200
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    os.replace(other, db)  # another file appears where the log was
    status, body = _recommend(served, engine)
    assert status == 503 and "replaced" in str(body["detail"])
    ready = served.client.get("/ready")
    assert ready.status_code == 503 and "replaced" in ready.json()["detail"]
    assert str(db.parent) not in ready.text and str(db.parent) not in str(body)


def test_a_read_only_audit_log_is_refused_at_startup(
    engine: Engine, registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_dir, tmp_path, registry_uri)
    AuditLog(settings.audit_db).close()
    files = [Path(f"{settings.audit_db}{s}") for s in ("", "-wal", "-shm") if Path(f"{settings.audit_db}{s}").exists()]  # fmt: skip
    if subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True).returncode:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        serving, keys = _client(engine, settings)
        with serving as client:
            ready = client.get("/ready")
            assert ready.status_code == 503 and "cannot be written" in ready.json()["detail"]
            response = client.post("/v1/recommend", json={"nip": str(engine.nips[0])}, headers={"X-API-Key": keys["hr"]})  # fmt: skip
            assert response.status_code == 503
    finally:
        subprocess.run(["chattr", "-i", *map(str, files)], check=True)


def test_a_full_disk_refuses_calls(
    engine: Engine, registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True).returncode:  # fmt: skip
        pytest.skip("cannot mount a small tmpfs here")
    try:
        settings = serve_settings(world_dir, tmp_path, registry_uri).model_copy(update={"audit_db": disk / "audit.db"})  # fmt: skip
        serving, keys = _client(engine, settings)
        with serving as client:
            api = Api(client, settings, keys)
            assert _recommend(api, engine)[0] == 200
            filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
            try:
                while os.write(filler, b"\0" * 4096):
                    pass
            except OSError:  # ENOSPC: the disk is full
                pass
            finally:
                os.close(filler)
            statuses = [_recommend(api, engine)[0] for _ in range(200)]
            assert 503 in statuses
            served_after_full = statuses[statuses.index(503) :]
            assert set(served_after_full) == {503}, "a call answered after the disk filled"
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_hostile_bodies_are_answered_and_audited(served: Api) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    response = served.client.post(
        "/v1/recommend", content=deep, headers={**served.headers("hr"), "content-type": "application/json"}
    )  # fmt: skip
    assert 400 <= response.status_code < 500
    empty = served.client.post("/v1/recommend", json={"nip": "198507142010011002", "unit_ids": []}, headers=served.headers("hr"))  # fmt: skip
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "unit_ids"
    recorded = _recorded(served)
    assert ("/v1/recommend", response.status_code) in recorded and (
        "/v1/recommend",
        422,
    ) in recorded


def test_every_v1_route_is_audited_with_its_outcome(served: Api) -> None:
    served.client.get("/v1/model", headers=served.headers("reviewer"))
    served.client.get("/v1/feature-importance", headers=served.headers("reviewer"))
    served.client.get("/v1/model", headers=served.headers("hr"))  # 403
    recorded = _recorded(served)
    assert ("/v1/model", 200) in recorded and ("/v1/feature-importance", 200) in recorded
    assert ("/v1/model", 403) in recorded


def test_probes_without_a_key_cannot_grow_the_audit_log(served: Api) -> None:
    """A 60 KB path without a key writes no 60 KB row: calls to paths no route has are
    counted in /metrics; a long path to a real route is kept to a bounded prefix."""
    before = len(_recorded(served))
    for _ in range(20):
        assert served.client.get("/v1/" + "a" * 60_000).status_code == 404
    assert len(_recorded(served)) == before
    assert "penataan_unaudited_probes_total 20.0" in served.client.get("/metrics").text
    assert len(_bounded("/v1/" + "b" * 60_000)) < 240  # what a stored row keeps of a path
    assert _bounded("/v1/recommend") == "/v1/recommend"


def test_a_client_that_leaves_is_recorded_as_499_not_as_a_server_error(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    registry = CollectorRegistry()

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        await receive()  # type: ignore[operator]  # the client is gone before an answer

    middleware = RequestLog(app, registry, audit)  # type: ignore[arg-type]

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        raise AssertionError("nothing is sent to a client that left")

    scope = {"type": "http", "path": "/v1/recommend", "method": "POST", "headers": []}
    anyio.run(middleware, scope, receive, send)
    assert audit.rows()[-1][2:] == ("/v1/recommend", None, None, 499)
    assert registry.get_sample_value("penataan_requests_total", {"endpoint": "unmatched", "method": "POST", "status": "499"}) == 1  # fmt: skip


def _create(path: str, name: str) -> str:
    return KeyStore(Path(path)).create("hr", name)


def test_concurrent_key_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    with ProcessPoolExecutor(8) as pool:
        keys = list(pool.map(_create, [str(path)] * 16, [f"tool-{i}" for i in range(16)]))
    store = KeyStore(path)
    assert sorted(h.name for h in store.holders()) == sorted(f"tool-{i}" for i in range(16))
    assert all(store.verify(k) is not None for k in keys)
    with ProcessPoolExecutor(8) as pool:
        racing = [pool.submit(_create, str(path), f"late-{i}") for i in range(8)]
        assert store.revoke("tool-3")
        for future in racing:
            future.result()
    again = KeyStore(path)
    assert again.verify(keys[3]) is None and len(again.holders()) == 16 + 8 - 1
    assert not list(tmp_path.glob("*.tmp"))
    json.loads(path.read_text())  # whole, never truncated


def test_a_key_name_is_one_printable_line(tmp_path: Path) -> None:
    """A key's name is printed by `keys list` (a line per key, tab-separated) and written
    into the audit log and the decisions' `decided_by`: a newline or a tab in it forged a
    second line; spaces around it made a name `keys revoke` could not find."""
    store = KeyStore(tmp_path / "keys.json")
    for name in ("x\ny", "tab\there", "bell\a", "zero\u200bwidth", "n" * 101, "  "):
        with pytest.raises(ValueError, match="name"):
            store.create("hr", name)
    store.create("hr", "  Bidang Mutasi  ")
    assert [h.name for h in store.holders()] == ["Bidang Mutasi"]
    with pytest.raises(ValueError, match="exists"):
        store.create("hr", "Bidang Mutasi ")
    assert store.revoke(" Bidang Mutasi") and not store.holders()


def test_an_unusable_key_file_refuses_keyed_routes_with_503(served: Api, engine: Engine) -> None:
    path = served.settings.api_keys_file
    good = path.read_text()
    entry = json.loads(good)["keys"][0]
    unknown_role = json.dumps({"keys": [{**entry, "role": "superuser"}]})
    for broken in (b"{truncated", b"", b'{"keys": [{"name": "x"}]}', b'{"keys": [\xff]}',
                   unknown_role.encode()):  # fmt: skip
        path.write_bytes(broken)
        status, body = _recommend(served, engine)
        assert status == 503 and "API keys unavailable" in str(body["detail"])
        assert str(path.parent) not in str(body)  # the reason, not the server's layout
        assert served.client.get("/ready").status_code == 503
        assert served.client.get("/health").status_code == 200
    path.write_text(good)
    os.utime(path)  # a new stamp, as an editor's save would give
    assert _recommend(served, engine)[0] == 200
    assert served.client.get("/ready").status_code == 200


def test_a_truncated_model_on_reload_is_a_503_and_the_old_model_serves(
    registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    """LightGBM would abort the process on this file; the checksum refuses it first."""
    from urllib.parse import urlparse

    import mlflow

    settings = serve_settings(world_dir, tmp_path, registry_uri)
    keys = role_keys(settings)
    uri = mlflow.MlflowClient(registry_uri).get_model_version_download_uri(
        "penataan-placement", "1"
    )
    (point,) = Path(urlparse(uri).path).rglob("point.txt")
    original = point.read_bytes()
    with started(create_app(settings)) as client:
        api = Api(client, settings, keys)
        try:
            point.write_bytes(original[: len(original) // 2])
            reload = client.post("/v1/admin/reload", headers=api.headers("admin"))
            assert reload.status_code == 503 and "checksum" in reload.json()["detail"]
            assert "still serving v1" in reload.json()["detail"]
        finally:
            point.write_bytes(original)
        status, body = _recommend(api, engine_of(api))
        assert status == 200 and body["model"]["version"] == "1"


@pytest.mark.slow  # two more engines loaded: `make test` runs it, `make test-fast` skips it
def test_a_reload_that_goes_back_in_time_or_loses_rows_is_refused_unless_forced(
    engine: Engine, registry_uri: str, world_copy: Path, tmp_path: Path
) -> None:
    settings = serve_settings(world_copy, tmp_path, registry_uri)
    keys = role_keys(settings)
    with started(create_app(settings)) as client:
        api = Api(client, settings, keys)
        path = world_copy / "evaluations.csv"
        ev = path.read_text().splitlines(keepends=True)
        last = max(line.split(",")[1] for line in ev[1:])
        in_last = [i for i, line in enumerate(ev) if line.split(",")[1] == last]
        dropped = set(in_last[: int(0.56 * len(in_last))])  # most of a year, a small share of all
        assert len(dropped) < 0.2 * len(ev)
        path.write_text("".join(line for i, line in enumerate(ev) if i not in dropped))
        refused = client.post("/v1/admin/reload", headers=api.headers("admin"))
        assert refused.status_code == 409 and f"evaluations {last}" in refused.json()["detail"]
        path.write_text("".join(ev[: len(ev) // 2]))  # half a copy
        refused = client.post("/v1/admin/reload", headers=api.headers("admin"))
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert "rows would be lost" in body["detail"] or "move back" in body["detail"]
        assert body["errors"][0]["field"] == "force" and body["data_fingerprint"]
        assert client.get("/ready").json()["as_of"] == engine.as_of.date().isoformat()
        forced = client.post("/v1/admin/reload?force=true", headers=api.headers("admin"))
        assert forced.status_code == 200 and forced.json()["data_fingerprint"]


def test_a_dead_registry_fails_a_reload_in_seconds(
    engine: Engine,
    registry_uri: str,
    world_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from penataan.local_servers import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nobody there
    settings = serve_settings(world_dir, tmp_path, registry_uri).model_copy(
        update={"registry_timeout_seconds": 2.0, "mlflow_tracking_uri": dead}
    )
    keys = role_keys(settings)
    calls = 0

    def loader(s: ServeSettings) -> Engine:
        nonlocal calls
        calls += 1
        return engine if calls == 1 else _load(s)

    for name in (
        "MLFLOW_HTTP_REQUEST_TIMEOUT",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
    ):
        monkeypatch.setenv(name, "")  # recorded, so the app's defaults are undone afterwards
        monkeypatch.delenv(name)
    with started(create_app(settings, loader=loader)) as client:
        began = time.perf_counter()
        reload = client.post("/v1/admin/reload", headers={"X-API-Key": keys["admin"]})
        assert reload.status_code == 503 and time.perf_counter() - began < 30
        assert client.get("/ready").status_code == 200  # the old engine still serves


def test_a_slow_body_is_cut_off_with_408() -> None:
    from serving.middleware import BodyLimit

    sent: list[dict[str, object]] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        raise AssertionError("a slow body never reaches the app")

    async def trickle() -> dict[str, object]:
        await anyio.sleep(1.0)
        return {"type": "http.request", "body": b"{", "more_body": True}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    limit = BodyLimit(app, limit=65536, timeout=0.3)  # type: ignore[arg-type]
    anyio.run(limit, {"type": "http", "headers": []}, trickle, send)
    assert sent[0]["status"] == 408 and (b"connection", b"close") in sent[0]["headers"]  # type: ignore[operator]


def test_absurd_plan_requests_are_422s_naming_the_field(served: Api) -> None:
    admin = {**served.headers("admin"), "content-type": "application/json"}
    cases = {
        '{"config": {"min_gain_low": NaN}}': "config.min_gain_low",
        '{"config": {"service_weight": Infinity}}': "config.service_weight",
        '{"config": {"blackout_months": 1000000000}}': "config.blackout_months",
        '{"as_of": "2099-01-01"}': "as_of",
        # pydantic-settings' own options never reach the settings machinery: no host file is
        # read, no argument parsed, and the 422 names the key
        '{"config": {"_env_file": "/etc/os-release"}}': "config._env_file",
        '{"config": {"_cli_parse_args": true}}': "config._cli_parse_args",
        '{"config": {"precision": 1.5}}': "config.precision",
        '{"config": {"head_of_region_inaugurated": "9999-12-31"}}': "config.head_of_region_inaugurated",
        '{"config": {"head_of_region_inaugurated": "0001-01-01"}}': "config.head_of_region_inaugurated",
    }
    for body, field in cases.items():
        response = served.client.post("/v1/plan", content=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field
        assert "PRETTY_NAME" not in response.text and "VERSION_ID" not in response.text


def test_a_browser_tool_of_a_named_origin_may_call_the_api_and_no_other(
    engine: Engine, registry_uri: str, world_dir: Path, tmp_path: Path
) -> None:
    """PENATAAN_CORS_ORIGINS: an HR tool's page on a named origin passes the browser's
    preflight and reads the answer; any other origin gets no permission; the key is still
    needed. Unset (every other test), no page of another origin gets one."""
    tool, other = "https://simpeg.mataramkota.go.id", "https://elsewhere.example"
    settings = serve_settings(world_dir, tmp_path, registry_uri).model_copy(
        update={"cors_origins": [tool]}
    )
    serving, keys = _client(engine, settings)
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-api-key,content-type"}  # fmt: skip
    with serving as client:
        ok = client.options("/v1/recommend", headers={"Origin": tool, **preflight})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == tool
        assert "x-api-key" in ok.headers["access-control-allow-headers"].lower()
        refused = client.options("/v1/recommend", headers={"Origin": other, **preflight})
        assert "access-control-allow-origin" not in refused.headers
        body = {"nip": str(engine.nips[0])}
        answer = client.post("/v1/recommend", json=body, headers={"Origin": tool, "X-API-Key": keys["hr"]})  # fmt: skip
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == tool
        keyless = client.post("/v1/recommend", json=body, headers={"Origin": tool})
        assert keyless.status_code == 401
    with pytest.raises(ValueError, match="not an origin"):
        ServeSettings(cors_origins="*")
    assert ServeSettings(cors_origins=f"{tool}, {other}").cors_origins == [tool, other]
