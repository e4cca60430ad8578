"""The pages keep the API's guards: a key exchanged for a signed HttpOnly SameSite=Strict
cookie, roles as in the API, CSRF on every form, a strict CSP, every view audited."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from features.spreadsheet import read_edited
from penataan.cli import app
from serving.pages.routes import XLSX
from tests.helpers import (
    Api,
    assert_paper_offers_the_vocabulary,
    engine_of,
    fill_paper,
    movable_nip,
)


def _login(api: Api, role: str) -> None:
    api.client.cookies.clear()
    response = api.client.post(
        "/ui/login", data={"api_key": api.keys[role]}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and api.keys[role] not in cookie


def test_a_page_needs_a_session_and_a_wrong_key_gets_none(api: Api) -> None:
    api.client.cookies.clear()
    assert (
        api.client.get("/ui/", follow_redirects=False).headers["location"].startswith("/ui/login")
    )
    bad = api.client.post("/ui/login", data={"api_key": "pnt_wrong"}, follow_redirects=False)
    assert bad.status_code == 401 and "set-cookie" not in bad.headers
    forged = api.client.get("/ui/", cookies={"penataan_session": "eyJuYW1lIjoieCJ9.x.y"}, follow_redirects=False)  # fmt: skip
    assert forged.status_code == 303


def test_a_session_ends_when_its_key_is_revoked(api: Api) -> None:
    """A page session outlived its key: revoked, the key still showed every employee's page
    for the rest of the session's eight hours. Nor does a new key of the same name, made
    after, keep an old session alive (it is another key, perhaps for another person)."""
    from serving.keys import KeyStore

    store = KeyStore(api.settings.api_keys_file)
    nip = movable_nip(engine_of(api))
    for role in ("reviewer", "hr"):
        key = store.create(role, "leaving")
        api.client.cookies.clear()
        assert api.client.post("/ui/login", data={"api_key": key}, follow_redirects=False).status_code == 303  # fmt: skip
        assert api.client.get(f"/ui/employee?nip={nip}", follow_redirects=False).status_code in (200, 403)  # fmt: skip
        assert store.revoke("leaving")
        gone = api.client.get(f"/ui/employee?nip={nip}", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/ui/login")
    key = store.create("reviewer", "leaving")  # the same name again: a session of the old key
    api.client.cookies.clear()
    api.client.post("/ui/login", data={"api_key": key}, follow_redirects=False)
    cookie = api.client.cookies.get("penataan_session")
    store.revoke("leaving")
    store.create("reviewer", "leaving")
    again = api.client.get("/ui/", cookies={"penataan_session": cookie}, follow_redirects=False)
    assert again.status_code == 303
    store.revoke("leaving")


def test_an_employee_page_shows_the_ranked_units_and_why(api: Api) -> None:
    _login(api, "hr")
    nip = movable_nip(engine_of(api))
    page = api.client.get(f"/ui/employee?nip={nip}")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    html = page.text
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert f"Pegawai {nip}" in html and "Peluang membantu" in html and "<svg" in html
    assert re.search(r"\d,\d", html)  # id-ID decimals
    current = re.search(r"<tr[^>]*>(?:(?!</tr>).)*\(sekarang\)(?:(?!</tr>).)*</tr>", html, re.S)
    assert current, "the current unit's row"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", current.group(0), re.S)
    assert cells[4:6] == ["–", "–"]  # staying: no interval around 0, no chance it "helps"
    for word in ("religion", "agama", "marital", "birth_date", "tanggal lahir"):
        assert word not in html.lower()
    english = api.client.get(f"/ui/employee?nip={nip}&lang=en").text
    assert "Probability it helps" in english
    # English decimals in the tables as in the narrative: `1.234` is a thousand in id-ID
    cells = re.findall(r'<td class="num">([^<]*)</td>', english)
    assert cells and all(not re.search(r"\d,\d", cell) for cell in cells)
    assert any(re.search(r"\d\.\d", cell) for cell in cells)
    assert api.client.get("/ui/employee?nip=123").status_code == 422
    printed = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"  # pasted from an SK
    pasted = api.client.get("/ui/employee", params={"nip": printed})
    assert pasted.status_code == 200 and f"Pegawai {nip}" in pasted.text
    with sqlite3.connect(api.settings.audit_db) as db:
        rows = db.execute("select key_name, subject from audit where endpoint = '/ui/employee'").fetchall()  # fmt: skip
    assert ("test-hr", nip) in rows


def test_roles_are_the_apis_and_forms_need_their_token(api: Api) -> None:
    _login(api, "reviewer")  # a reviewer may not call recommend in the API either
    nip = movable_nip(engine_of(api))
    assert api.client.get(f"/ui/employee?nip={nip}").status_code == 403
    assert api.client.post("/ui/logout", data={"csrf": "forged"}).status_code == 403
    other = api.client.post("/ui/login", data={"api_key": api.keys["hr"]},
                            headers={"origin": "https://evil.example"}, follow_redirects=False)  # fmt: skip
    assert other.status_code == 403
    home = api.client.get("/ui/").text
    token = re.search(r'name="csrf" value="([^"]+)"', home)
    assert token is not None
    out = api.client.post("/ui/logout", data={"csrf": token.group(1)}, follow_redirects=False)
    assert out.status_code == 303


def test_a_round_is_decided_from_its_page_as_through_the_api(api: Api) -> None:
    plan = api.client.post("/v1/plan", json={"config": {"precision": 0.05}}, headers=api.headers("admin")).json()  # fmt: skip
    round_id, move = plan["summary"]["round_id"], plan["moves"][0]
    _login(api, "reviewer")
    page = api.client.get(f"/ui/round?id={round_id}")
    assert page.status_code == 200 and move["nip"] in page.text and "<form method=\"post\" action=\"/ui/decide" not in page.text  # fmt: skip
    _login(api, "hr")
    assert round_id in api.client.get("/ui/").text  # the home page lists the latest rounds
    page = api.client.get(f"/ui/round?id={round_id}").text
    assert "Perubahan per unit" in page and move["to_unit_name"] in page
    english = api.client.get(f"/ui/round?id={round_id}&lang=en").text  # its narratives: id
    assert "As recorded" in english and '<span lang="id">Perkiraan nilai' in english
    assert (
        '<option value="hr">' in page and '<option value="ppk">' not in page
    )  # hr records hr only
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = {"csrf": token.group(1), "suggestion_id": move["suggestion_id"], "round_id": round_id,
            "stage": "hr", "decision": "tolak", "reason_code": "dibutuhkan_unit_asal", "note": ""}  # fmt: skip
    refused = api.client.post("/ui/decide", data=form)
    assert refused.status_code == 422 and "note" in refused.text
    assert f'<details id="{move["suggestion_id"]}" open>' in refused.text  # the form refused, open
    assert api.client.post("/ui/decide", data={**form, "csrf": "forged", "note": "x"}).status_code == 403  # fmt: skip
    done = api.client.post("/ui/decide", data={**form, "note": "masih dibutuhkan"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and f"open={move['suggestion_id']}" in done.headers["location"]
    opened = api.client.get(done.headers["location"]).text  # that move open, the others folded
    assert f'<details id="{move["suggestion_id"]}" open>' in opened
    assert opened.count("<details") == len(plan["moves"]) and opened.count(" open>") == 1
    page = api.client.get(f"/ui/round?id={round_id}&status=decided").text
    assert "masih dibutuhkan" in page and "test-hr" in page
    assert "<td>Bidang mutasi BKPSDM</td><td>Tolak</td><td>Masih dibutuhkan di unit asal</td>" in page  # fmt: skip
    # the English page said "Setuju" and "Bidang mutasi BKPSDM" beside English reasons
    english = api.client.get(f"/ui/round?id={round_id}&status=decided&lang=en").text
    assert "<td>BKPSDM transfers division (bidang mutasi)</td><td>Reject (tolak)</td><td>Still needed in the current unit</td>" in english  # fmt: skip
    assert '<option value="setuju">Approve (setuju)</option>' in english
    record = api.client.get(f"/v1/suggestions/{move['suggestion_id']}", headers=api.headers("hr")).json()  # fmt: skip
    assert record["decisions"][-1]["decided_by"] == "test-hr" and record["decisions"][-1]["decision"] == "tolak"  # fmt: skip
    # an `ubah` names the unit decided instead: the page said "Ubah (unit lain)" and no unit
    other = plan["moves"][1]
    instead = next(m["to_unit_id"] for m in plan["moves"] if m["to_unit_id"] not in (other["from_unit_id"], other["to_unit_id"]))  # fmt: skip
    body = {"suggestion_id": other["suggestion_id"], "stage": "hr", "decision": "ubah",
            "reason_code": "unit_lain_lebih_sesuai", "note": "lebih dekat", "alt_unit_id": instead,
            "tmt": "2026-04-01"}  # fmt: skip
    assert api.client.post("/v1/decisions", json=body, headers=api.headers("hr")).status_code == 201
    name = html.escape(str(engine_of(api).units.loc[instead, "unit_name"]))
    assert f"<td>Ubah (unit lain): {name} ({instead}) · TMT 2026-04-01</td>" in api.client.get(f"/ui/round?id={round_id}").text  # fmt: skip
    approved = plan["moves"][2]  # and the PPK's approval its SK and TMT, as the minutes do
    for stage, key in (("hr", "hr"), ("baperjakat", "admin"), ("ppk", "admin")):
        body = {"suggestion_id": approved["suggestion_id"], "stage": stage, "decision": "setuju",
                "reason_code": "kebutuhan_organisasi"}  # fmt: skip
        if stage == "ppk":
            body |= {"sk_number": "800/12/BKPSDM/2026", "tmt": "2026-03-01"}
        assert api.client.post("/v1/decisions", json=body, headers=api.headers(key)).status_code == 201  # fmt: skip
    assert "<td>Setuju · SK 800/12/BKPSDM/2026 · TMT 2026-03-01</td>" in api.client.get(f"/ui/round?id={round_id}").text  # fmt: skip
    # a refusal keeps the TMT its paper carried down the column, but the move takes no effect:
    # the page said "Tolak · TMT 2026-03-01"
    body = {"suggestion_id": plan["moves"][3]["suggestion_id"], "stage": "hr", "decision": "tolak",
            "reason_code": "data_tidak_akurat", "note": "cek SKP", "tmt": "2026-03-01"}  # fmt: skip
    assert api.client.post("/v1/decisions", json=body, headers=api.headers("hr")).status_code == 201
    assert "<td>Tolak</td><td>Data pendukung tidak akurat</td>" in api.client.get(f"/ui/round?id={round_id}").text  # fmt: skip
    assert api.client.get("/ui/round?id=rd_0000").status_code == 404
    paper = api.client.get(f"/ui/minutes?id={round_id}")
    assert paper.status_code == 200 and "Berita Acara" in paper.text and "masih dibutuhkan" in paper.text  # fmt: skip
    # an approval's TMT before its SK is signed: the paper showed a TMT only beside an SK
    assert f"Unit: {name} ({instead})<br>TMT 2026-04-01" in paper.text
    assert "SK 800/12/BKPSDM/2026, TMT 2026-03-01" in paper.text and "cek SKP" in paper.text
    assert "<strong>Tolak</strong>: Data pendukung tidak akurat<br>Catatan: cek SKP<br><span" in paper.text  # fmt: skip
    assert paper.headers["content-security-policy"].startswith("default-src 'self'")


def test_a_server_rounds_paper_is_downloaded_decided_offline_and_imported(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round made by `POST /v1/plan` had no file: the committee deciding at a meeting had
    nothing to fill in for `penataan decisions import`. The round page offers its paper."""
    plan = api.client.post("/v1/plan", json={"config": {"precision": 0.05}}, headers=api.headers("admin")).json()  # fmt: skip
    round_id, moves = plan["summary"]["round_id"], plan["moves"]
    api.client.cookies.clear()
    assert api.client.get(f"/ui/round.xlsx?id={round_id}", follow_redirects=False).status_code == 303  # fmt: skip
    _login(api, "hr")
    assert f"/ui/round.xlsx?id={round_id}" in api.client.get(f"/ui/round?id={round_id}").text
    for missing in ("rd_0000", 'rd_"x', ""):
        assert api.client.get("/ui/round.xlsx", params={"id": missing}).status_code == 404
    got = api.client.get(f"/ui/round.xlsx?id={round_id}")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert f'filename="usulan-{round_id}.xlsx"' in got.headers["content-disposition"]
    paper = tmp_path / "usulan.xlsx"
    paper.write_bytes(got.content)
    assert_paper_offers_the_vocabulary(paper, len(moves))
    columns, rows = read_edited(paper)
    assert [r["suggestion_id"] for _, r in rows] == [m["suggestion_id"] for m in moves]
    assert rows[0][1]["to_unit_name"] == moves[0]["to_unit_name"] and rows[0][1]["decision"] is None

    line = next(n for n, r in rows if r["latest_decision"] is None)  # a move nobody decided on
    fill_paper(paper, line, decision="Setuju", reason_code="sesuai_kompetensi")  # the meeting
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(api.settings.decisions_db))
    run = CliRunner().invoke(app, ["decisions", "import", str(paper), "--stage", "hr", "--by", "Bidang Mutasi"])  # fmt: skip
    assert run.exit_code == 0 and "1 decision(s) recorded" in run.stdout, run.output
    again = api.client.get(f"/ui/round.xlsx?id={round_id}")
    paper.write_bytes(again.content)
    latest = dict(read_edited(paper)[1])[line]["latest_decision"]
    assert latest is not None and latest.startswith("hr: setuju (")
    out = tmp_path / "form.csv"  # the same paper from the command line
    run = CliRunner().invoke(app, ["decisions", "form", "--round", round_id, "--out", str(out)])
    assert run.exit_code == 0, run.output
    columns_csv, rows_csv = read_edited(out)
    assert columns_csv == columns
    seen = ("suggestion_id", "to_unit_name", "latest_decision")
    assert [[r[c] or None for c in seen] for _, r in rows_csv] == [[r[c] for c in seen] for _, r in read_edited(paper)[1]]  # fmt: skip
    book = tmp_path / "form.xlsx"
    run = CliRunner().invoke(app, ["decisions", "form", "--round", round_id, "--out", str(book)])
    assert run.exit_code == 0, run.output
    assert_paper_offers_the_vocabulary(book, len(moves))
    nothing = CliRunner().invoke(app, ["decisions", "form", "--round", "rd_0000"])
    assert nothing.exit_code == 1 and "no round 'rd_0000'" in nothing.output
    text = CliRunner().invoke(app, ["decisions", "form", "--round", round_id, "--out", "x.txt"])
    assert text.exit_code == 2 and "write .xlsx or .csv" in text.output


def test_a_committees_workbook_is_recorded_from_the_round_page(api: Api, tmp_path: Path) -> None:
    """HR without the command line had no way to record a meeting's filled-in workbook: the
    round page takes it, checks every row first (nothing recorded while a problem stands,
    each named by row and column), and records it as the session's key and role, refusing
    a stage that role may not record, a forged form and rows of another round."""
    plan = api.client.post("/v1/plan", json={"config": {"precision": 0.05}}, headers=api.headers("admin")).json()  # fmt: skip
    round_id = plan["summary"]["round_id"]
    _login(api, "hr")
    page = api.client.get(f"/ui/round?id={round_id}").text
    assert 'action="/ui/round/import' in page and 'enctype="multipart/form-data"' in page
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    paper = tmp_path / "rapat.xlsx"
    paper.write_bytes(api.client.get(f"/ui/round.xlsx?id={round_id}").content)
    rows = read_edited(paper)[1]
    first, second = [n for n, r in rows if r["latest_decision"] is None][:2]

    def fill(line: int, decision: str, reason: str, note: str | None = None) -> None:
        fill_paper(paper, line, decision=decision, reason_code=reason, note=note)

    def upload(stage: str = "hr", csrf: str = token.group(1)) -> Any:
        return api.client.post(
            "/ui/round/import", data={"csrf": csrf, "round_id": round_id, "stage": stage},
            files={"paper": (paper.name, paper.read_bytes())},
        )  # fmt: skip

    fill(first, "Setuju", "sesuai_kompetensi")
    fill(second, "tolak", "dibutuhkan_unit_asal")  # a rejection needs its note
    refused = upload()
    assert refused.status_code == 422 and "rapat.xlsx: tidak ada yang dicatat; 1 masalah" in refused.text  # fmt: skip
    assert f"rapat.xlsx, row {second}, column note: a note is required to record" in refused.text
    assert upload(csrf="forged").status_code == 403
    assert upload(stage="ppk").status_code == 403  # hr records the hr stage only
    nothing = api.client.post("/ui/round/import", data={"csrf": token.group(1), "round_id": round_id, "stage": "hr"})  # fmt: skip
    assert nothing.status_code == 422 and "Pilih lembar kerja" in nothing.text
    fill(second, "tolak", "dibutuhkan_unit_asal", "masih dibutuhkan di unit asal")
    done = upload()  # then the page, by a redirect: a reload never records it twice
    assert done.status_code == 200 and "Lembar kerja: 2 keputusan dicatat" in done.text, done.text
    assert done.history[0].status_code == 303
    again = upload()  # the same workbook uploaded twice: nothing new, no conflict
    assert again.status_code == 200 and "Lembar kerja: 0 keputusan dicatat" in again.text
    assert "2 baris sudah tercatat persis seperti di lembar kerja ini." in again.text
    odd = api.client.get(f"/ui/round?id={round_id}&recorded=banyak&stage=hr")
    assert odd.status_code == 200 and "dicatat" not in odd.text.split("<h1>")[0]
    for line, verdict in ((first, "setuju"), (second, "tolak")):
        sid = dict(rows)[line]["suggestion_id"]
        record = api.client.get(f"/v1/suggestions/{sid}", headers=api.headers("hr")).json()
        last = record["decisions"][-1]
        assert (last["decision"], last["decided_by"], last["stage"]) == (verdict, "test-hr", "hr")
    third = [n for n, r in rows if r["latest_decision"] is None][2]
    fill(third, "setuju", "sesuai_kompetensi")  # beside the two the hr stage has decided,
    fill(second, "setuju", "sesuai_kompetensi")  # one of them now saying otherwise: refused
    partly = upload()
    assert partly.status_code == 422 and "rapat.xlsx: 1 keputusan dicatat; 1 baris ditolak" in partly.text  # fmt: skip
    assert f"row {second}, column stage: the hr stage already decided (tolak)" in partly.text
    shown = api.client.post("/v1/recommend", json={"nip": rows[0][1]["nip"], "top_k": 1}, headers=api.headers("hr")).json()  # fmt: skip
    elsewhere = shown["suggestions"][0]["suggestion_id"]  # shown, but no move of this round
    fill_paper(paper, first, suggestion_id=elsewhere)
    foreign = upload()
    assert foreign.status_code == 422 and f"is no move of round {round_id}" in foreign.text
    fill_paper(paper, first, suggestion_id="sg_" + "0" * 20)  # never shown: named once, as that
    unknown = upload()
    assert unknown.status_code == 422 and unknown.text.count("column suggestion_id") == 1, unknown.text  # fmt: skip
    assert "was shown" in unknown.text and "is no move of round" not in unknown.text
    big = {"paper": ("besar.csv", b"x" * 100_000)}  # past the 64 KiB any other body may have
    form = {"csrf": token.group(1), "round_id": round_id, "stage": "hr"}
    unreadable = api.client.post("/ui/round/import", data=form, files=big)
    assert unreadable.status_code == 422 and "no column suggestion_id" in unreadable.text
    assert api.client.post("/ui/decide", data=form, files=big).status_code == 413


def test_a_vacancy_and_the_model_have_their_pages_for_their_roles(api: Api) -> None:
    engine = engine_of(api)
    unit = str(engine.units.index[0])
    _login(api, "hr")
    page = api.client.get(f"/ui/vacancy?unit_id={unit}")
    assert page.status_code == 200 and "Calon terbaik dari unit lain" in page.text
    nips = re.findall(r"/ui/employee\?nip=(\d{18})", page.text)
    assert nips and all(engine.unit_of(n) != unit for n in nips)  # only people from elsewhere
    missing = api.client.get("/ui/vacancy?unit_id=NOPE")  # said in the page's language
    assert missing.status_code == 404 and "Unit NOPE: Tidak ditemukan" in missing.text
    nobody = api.client.get("/ui/employee?nip=190001012000011001&lang=en")
    assert nobody.status_code == 404 and "Employee 190001012000011001: Not found" in nobody.text
    staff = engine.data.employees  # a retiree is no typo: the page says why
    retired = str(staff.loc[staff["status"] == "pensiun", "nip"].iloc[0])
    gone = api.client.get(f"/ui/employee?nip={retired}")
    assert gone.status_code == 404 and f"Pegawai {retired}: berstatus pensiun dalam data, bukan aktif" in gone.text  # fmt: skip
    assert "Putaran: Tidak ditemukan" in api.client.get("/ui/round").text  # no id at all
    assert api.client.get("/ui/model").status_code == 403  # as /v1/model refuses an hr key
    _login(api, "reviewer")
    assert api.client.get(f"/ui/vacancy?unit_id={unit}").status_code == 403
    model = api.client.get("/ui/model?lang=en")
    assert model.status_code == 200 and "Held-out year, beside the baselines" in model.text
    assert (
        "Education rule" in model.text and "<svg" in model.text and "Promotion gate" in model.text
    )
    assert "Outcomes and oversight" in model.text  # the monitor, as /v1/monitor reports it
    trained = re.search(r"Trained</th><td>([^<]*)</td>", model.text)
    assert trained and re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d WITA", trained.group(1))
    indonesian = api.client.get("/ui/model").text  # its tables in the page's words, not keys
    assert "Aturan pendidikan" in indonesian and "Regret mutasi" in indonesian
    assert "education_rule" not in indonesian and "move_regret" not in indonesian


def test_the_model_page_says_when_outcomes_rule_the_claims_out(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The monitor's early-refit test (computed and tested in `tests/oversight/test_loop.py`)
    reaches the reviewer's page: its t against the bound, and what to do when it fires."""
    from serving.pages import routes

    real = routes.monitor_report

    def ruled_out(*args: Any) -> Any:
        report = real(*args)
        figures = {"executed_observed": 12, "claimed_gain": 2.1, "realised_gain": -1.5,
                   "share_helped": 0.25, "interval_coverage": 0.6, "shortfall_t": -2.6,
                   "shortfall_bound": 2.2, "claims_ruled_out": True}  # fmt: skip
        return report.model_copy(update={"gain": report.gain | figures})

    monkeypatch.setattr(routes, "monitor_report", ruled_out)
    _login(api, "reviewer")
    page = api.client.get("/ui/model?lang=en").text
    assert "Outcomes below the claims" in page and "-2.60 / -2.20" in page  # English decimals
    assert "run penataan outcomes recalibrate now" in page
    assert "terbantah: jalankan" in api.client.get("/ui/model").text


def test_every_word_has_both_languages() -> None:
    from serving.pages.routes import TEXT

    assert set(TEXT["id"]) == set(TEXT["en"]) and all(TEXT["id"].values()) and all(TEXT["en"].values())  # fmt: skip
