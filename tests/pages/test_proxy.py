"""Behind a reverse proxy that serves Penataan under a path (`https://bkpsdm.example.go.id/
penataan/`) and strips it before passing a request on (nginx's `location /penataan/ {
proxy_pass http://127.0.0.1:8000/; }`): a real uvicorn server with `PENATAAN_ROOT_PATH`, sent
what such a proxy sends. Every link, form, redirect and the session cookie must carry the
prefix, or the browser leaves the proxy's path on the first click; what the server counts
and logs (body limits, the audit log, the quiet probes) must read the path below it."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from penataan.local_servers import free_port
from serving.app import create_app
from serving.audit import AuditLog
from serving.pages.session import COOKIE
from serving.server import QuietProbes
from tests.helpers import role_keys, serve_settings

ROOT = "/penataan"


@pytest.fixture(scope="module")
def proxied(registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:  # fmt: skip
    settings = serve_settings(world_dir, tmp_path_factory.mktemp("proxy"), registry_uri).model_copy(update={"root_path": ROOT})  # fmt: skip
    keys = role_keys(settings)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error", root_path=ROOT))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    assert app.state.holder.loaded.wait(300)
    yield f"http://127.0.0.1:{port}", keys, settings.audit_db
    server.should_exit = True
    thread.join(timeout=10)


def _passed_on(link: str) -> str:
    """What the proxy passes on for a link the browser follows: the path without the prefix
    (a link without it would have left the proxy's path: the failure this module tests)."""
    assert link.startswith(f"{ROOT}/"), f"{link!r} leaves {ROOT}/"
    return link.removeprefix(ROOT)


def test_the_pages_keep_the_proxys_path(proxied: tuple[str, dict[str, str], Path]) -> None:
    base, keys, audit_db = proxied
    host = base.removeprefix("http://")
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        start = client.get("/ui/")
        assert start.status_code == 303
        login = client.get(_passed_on(start.headers["location"]))
        assert login.status_code == 200
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', login.text)
        assert links and all(link.startswith(f"{ROOT}/ui/") for link in links), links
        css = next(link for link in links if link.endswith(".css"))
        assert client.get(_passed_on(css)).status_code == 200
        action = re.search(r'<form method="post" action="([^"]*)"', login.text)
        assert action is not None
        signed = client.post(
            _passed_on(action.group(1).replace("&amp;", "&")), data={"api_key": keys["hr"]},
            headers={"Origin": f"https://{host}", "Host": host, "X-Forwarded-Proto": "https"},
        )  # fmt: skip
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"].startswith(f"{ROOT}/ui/")
        cookie = signed.headers["set-cookie"]
        assert f"Path={ROOT}/ui" in cookie
        assert "Secure" in cookie  # the proxy spoke TLS (X-Forwarded-Proto, from 127.0.0.1)
        session = {"Cookie": f"{COOKIE}={cookie.split(';')[0].split('=', 1)[1]}"}
        home = client.get(_passed_on(signed.headers["location"]), headers=session)
        assert home.status_code == 200 and ">Keluar</button>" in home.text  # signed in
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', home.text)
        assert any("/ui/employee" in link for link in links)
        assert all(link.startswith(f"{ROOT}/ui/") for link in links), links
        # the one path allowed a larger body is found below the prefix: a workbook of 100 KB
        csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
        assert csrf is not None
        upload = client.post(
            "/ui/round/import", headers={**session, "Origin": base, "Host": host},
            data={"csrf": csrf.group(1), "id": "rd_000000000000", "stage": "hr"},
            files={"paper": ("usulan.xlsx", b"x" * 100_000)},
        )  # fmt: skip
        assert upload.status_code != 413, upload.text
        docs = client.get("/docs").text  # the API's own documentation, its assets served here
        assets = re.findall(r"(?:href|src|url: )['\"](/[^'\"]+)['\"]", docs)
        assert assets and all(a.startswith(f"{ROOT}/") for a in assets), assets
        assert all(client.get(_passed_on(a)).status_code == 200 for a in assets)
    endpoints = {row[2] for row in AuditLog(audit_db).rows()}
    assert "/ui/login" in endpoints and not any(e.startswith(ROOT) for e in endpoints), endpoints


def test_probes_stay_quiet_under_the_root_path() -> None:
    def line(target: str) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET", target, "1.1", 200), None)  # fmt: skip

    quiet = QuietProbes(ROOT)
    assert not quiet.filter(line(f"{ROOT}/health")) and not quiet.filter(line(f"{ROOT}/ready"))
    assert quiet.filter(line(f"{ROOT}/v1/model"))
