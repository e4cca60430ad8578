"""The pages in a real browser: Debian's Chromium driven by Playwright against a real server,
every request to another host blocked and counted, any console error a failure.

Skips, saying why, where Chromium or Playwright is not installed (`make browser` installs
Chromium; `.ci/run` runs it first)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from features.spreadsheet import read_edited
from penataan.local_servers import free_port
from serving.app import create_app
from tests.helpers import fill_paper, movable_nip, role_keys, serve_settings

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path("test-artifacts/browser")  # screenshots of each page, kept for review (gitignored)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (uv sync)")  # fmt: skip
Axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed (uv sync)").Axe  # fmt: skip


@pytest.fixture(scope="module")
def server(registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], str]]:  # fmt: skip
    settings = serve_settings(world_dir, tmp_path_factory.mktemp("ui"), registry_uri)
    keys = role_keys(settings)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    assert app.state.holder.loaded.wait(300)
    engine = app.state.holder.engine
    assert engine is not None
    import httpx

    base = f"http://127.0.0.1:{port}"
    plan = httpx.post(f"{base}/v1/plan", json={"config": {"precision": 0.05}}, headers={"X-API-Key": keys["admin"]}, timeout=120)  # fmt: skip
    assert plan.status_code == 200 and plan.json()["moves"], plan.text  # a round to decide on
    yield base, keys, movable_nip(engine)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make browser)")
def test_an_hr_officer_logs_in_and_reads_an_employee_page(server: tuple[str, dict[str, str], str]) -> None:  # fmt: skip
    base, keys, nip = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()

        def only_here(route: object) -> None:
            request = route.request  # type: ignore[attr-defined]
            if request.url.startswith(base):
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(request.url)
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", only_here)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        seen: dict[str, list[str]] = {}

        def check(name: str) -> None:
            """An accessibility scan (axe) and a screenshot of the page now shown."""
            found = Axe().run(page).response["violations"]
            seen[name] = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found if v["impact"] in ("serious", "critical")]  # fmt: skip
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

        page.goto(f"{base}/ui/")
        assert "/ui/login" in page.url
        check("login")
        page.fill("input[name=api_key]", keys["hr"])
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/?lang=*")  # a click only starts a navigation: wait for each page
        check("home")
        page.fill("input[name=nip]", nip)
        page.click("form[action='/ui/employee'] button[type=submit]")
        page.wait_for_url("**/ui/employee*")
        page.wait_for_selector("table tbody tr")
        assert page.locator("h1").inner_text() == f"Pegawai {nip}"
        assert page.locator("table tbody tr").count() >= 2
        assert page.locator("svg rect").count() >= 1  # the explanation chart drew
        check("employee")
        page.click("text=English")
        page.wait_for_selector("text=Probability it helps")
        page.click("text=Home")
        page.click("main li a")  # the latest round
        page.wait_for_selector("form[action^='/ui/decide'] select[name=stage]")
        check("round")
        # a decision taken with the keyboard alone: focus, Tab, type-ahead, Enter
        page.locator("form[action^='/ui/decide'] select[name=stage]").first.focus()
        for key, text in (("Tab", "De"), ("Tab", "Waiting for formasi"), ("Tab", "anggaran 2027"), ("Tab", "")):  # fmt: skip
            page.keyboard.press(key)
            if text:
                page.keyboard.type(text)
        page.keyboard.press("Tab")  # to the button
        page.keyboard.press("Enter")
        page.wait_for_selector("details[open] table tbody tr")  # the move decided on, open
        assert "anggaran 2027" in page.content() and "test-hr" in page.content()
        with page.expect_download() as download:  # the round's paper, for a meeting offline
            page.click("text=The moves as a workbook")
        paper = ARTIFACTS / download.value.suggested_filename
        download.value.save_as(paper)
        assert paper.name.startswith("usulan-rd_") and paper.suffix == ".xlsx"
        rows = read_edited(paper)[1]
        assert sum(r["latest_decision"] is not None and r["latest_decision"].startswith("hr: tunda") for _, r in rows) == 1  # fmt: skip
        line = next(n for n, r in rows if r["latest_decision"] is None)  # the meeting decides one
        fill_paper(paper, line, decision="setuju", reason_code="sesuai_kompetensi")
        page.set_input_files("input[name=paper]", str(paper))  # and gives the paper back
        page.click("text=Record its decisions")
        page.wait_for_selector("p.notice")
        assert "1 decision(s) recorded at the" in page.locator("p.notice").inner_text()
        page.click("text=The minutes")  # the printable berita acara, its style allowed by hash
        page.wait_for_url("**/ui/minutes*")
        page.wait_for_selector("h1:has-text('Berita Acara')")
        assert "anggaran 2027" in page.content()
        check("minutes")
        page.go_back()
        page.click("text=Log out")
        page.wait_for_url("**/ui/login*")
        page.fill("input[name=api_key]", keys["admin"])
        page.keyboard.press("Enter")  # the login form submits from the keyboard too
        page.wait_for_url("**/ui/?lang=*")
        page.click("header >> text=Model")
        page.wait_for_url("**/ui/model*")
        page.wait_for_selector("svg rect", state="attached")  # the importance chart drew
        check("model")
        browser.close()
    assert seen and all(not v for v in seen.values()), seen
    assert outside == [] and errors == []
