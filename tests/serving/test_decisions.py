"""People decide, on the record, through the API: every item shown has a stored record; a
decision names it, in the stages' order and by the roles allowed; the record outlives the
model that made it."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, engine_of, held_exclusively, movable_nip


def _decide(api: Api, role: str, **body: Any) -> Any:
    return api.client.post("/v1/decisions", json=body, headers=api.headers(role))


def test_a_suggestion_shown_is_decided_through_the_stages(api: Api) -> None:
    shown = api.client.post("/v1/recommend", json={"nip": movable_nip(engine_of(api)), "top_k": 3},
                            headers=api.headers("hr")).json()  # fmt: skip
    item = shown["suggestions"][0]
    sid = item["suggestion_id"]
    assert sid.startswith("sg_") and all(s["suggestion_id"] for s in shown["suggestions"])
    record = api.client.get(f"/v1/suggestions/{sid}", headers=api.headers("reviewer")).json()
    assert record["snapshot"]["predicted_score"] == item["predicted_score"]
    assert record["model_version"] == "1" and record["data_fingerprint"] and record["decisions"] == []  # fmt: skip
    base = {"suggestion_id": sid, "reason_code": "sesuai_kompetensi"}
    refused = _decide(api, "hr", **{**base, "reason_code": "dibutuhkan_unit_asal"}, stage="hr", decision="tolak")  # fmt: skip
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "note"
    assert _decide(api, "reviewer", **base, stage="hr", decision="setuju").status_code == 403
    first = _decide(api, "hr", **base, stage="hr", decision="setuju", tmt="2027-01-02")
    assert first.status_code == 201 and first.json()["decided_by"] == "test-hr", first.text
    assert _decide(api, "hr", **base, stage="baperjakat", decision="setuju").status_code == 403
    assert _decide(api, "admin", **base, stage="ppk", decision="setuju").status_code == 409
    assert _decide(api, "admin", **base, stage="baperjakat", decision="setuju").status_code == 201
    final = _decide(api, "admin", **base, stage="ppk", decision="setuju", sk_number="800/1/2027", tmt="2027-01-02")  # fmt: skip
    assert final.status_code == 201 and final.json()["prev_hash"] != final.json()["hash"]
    again = _decide(api, "admin", **base, stage="ppk", decision="setuju")
    assert again.status_code == 409 and "second final decision" in again.json()["detail"]
    assert again.json()["errors"] == [{"field": "suggestion_id", "message": again.json()["detail"]}]
    # the same decision sent again (an answer lost on the way): the row recorded, not a 409
    retry = _decide(api, "admin", **base, stage="ppk", decision="setuju", sk_number="800/1/2027", tmt="2027-01-02")  # fmt: skip
    assert retry.status_code == 200 and retry.json()["replayed"] is True
    assert {k: v for k, v in retry.json().items() if k != "replayed"} == {k: v for k, v in final.json().items() if k != "replayed"}  # fmt: skip
    assert final.json()["replayed"] is False
    record = api.client.get(f"/v1/suggestions/{sid}", headers=api.headers("hr")).json()
    assert [d["stage"] for d in record["decisions"]] == ["hr", "baperjakat", "ppk"]
    for path in ("/v1/suggestions/sg_00000000", "/v1/suggestions/sg_00000000/explanation"):
        missing = api.client.get(path, headers=api.headers("hr"))
        assert missing.status_code == 404
        assert missing.json()["errors"] == [{"field": "suggestion_id", "message": "no suggestion 'sg_00000000' was shown"}]  # fmt: skip
    text = api.client.get(f"/v1/suggestions/{sid}/explanation", headers=api.headers("hr")).json()["text"]  # fmt: skip
    assert "Usulan ini adalah saran" in text and "versi 1" in text and item["explanation"]["narrative"] in text  # fmt: skip
    assert "Pejabat Pembina Kepegawaian: Setuju" in text and "SK 800/1/2027, TMT 2027-01-02" in text
    # a TMT before the SK is signed: the explanation showed it only beside an SK
    assert "Bidang mutasi BKPSDM: Setuju, alasan: Sesuai kualifikasi, kompetensi dan kinerja pegawai; TMT 2027-01-02 (" in text  # fmt: skip
    assert "PP 79/2021" in text
    unknown = _decide(api, "hr", suggestion_id="sg_0000", stage="hr", decision="setuju", reason_code="lainnya")  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "suggestion_id"


def test_the_reason_vocabulary_is_published_in_indonesian_and_english(api: Api) -> None:
    body = api.client.get("/v1/decision-reasons", headers=api.headers("reviewer")).json()
    assert body["version"] and body["stages"]["ppk"] == "Pejabat Pembina Kepegawaian"
    assert (
        body["decisions"]["tolak"] == "Tolak" and body["decisions_en"]["tolak"] == "Reject (tolak)"
    )
    assert set(body["stages_en"]) == set(body["stages"]) and set(body["decisions_en"]) == set(body["decisions"])  # fmt: skip
    assert {"tolak", "ubah"} == set(body["note_required_for"])
    assert any(r["code"] == "dibutuhkan_unit_asal" and "tolak" in r["decisions"] for r in body["reasons"])  # fmt: skip


def test_one_round_is_computed_at_a_time(api: Api) -> None:
    """A round on another date scores the whole staff; any number of them ran at once, each
    with its memory. While one is computed another is refused (429, with when to retry)."""
    one_round = api.client.app.state.one_round  # type: ignore[attr-defined]
    with one_round:  # a round being computed
        busy = api.client.post("/v1/plan", json={}, headers=api.headers("admin"))
    assert busy.status_code == 429 and busy.headers["retry-after"] == "30"
    assert busy.json()["detail"].startswith("another round is being computed")
    refused = api.client.post("/v1/plan", json={"as_of": "2099-01-01"}, headers=api.headers("admin"))  # fmt: skip
    assert refused.status_code == 422 and not one_round.locked()  # a round refused frees it
    assert api.client.post("/v1/plan", json={}, headers=api.headers("admin")).status_code == 200
    assert not one_round.locked()


def test_a_rounds_moves_are_records_too(api: Api) -> None:
    plan = api.client.post("/v1/plan", json={"config": {"precision": 0.05}}, headers=api.headers("admin")).json()  # fmt: skip
    assert plan["moves"] and plan["summary"]["round_id"].startswith("rd_")
    move = plan["moves"][0]
    record = api.client.get(f"/v1/suggestions/{move['suggestion_id']}", headers=api.headers("hr")).json()  # fmt: skip
    assert record["round_id"] == plan["summary"]["round_id"] and record["to_unit_id"] == move["to_unit_id"]  # fmt: skip
    again = api.client.post("/v1/plan", json={"config": {"precision": 0.05}}, headers=api.headers("admin")).json()  # fmt: skip
    assert [m["suggestion_id"] for m in again["moves"]] == [
        m["suggestion_id"] for m in plan["moves"]
    ]  # stable


def test_an_admin_can_suspend_every_suggestion_with_a_reason(api: Api) -> None:
    nip = movable_nip(engine_of(api))
    hr = api.client.post("/v1/admin/suspend", json={"reason": "audit"}, headers=api.headers("hr"))
    assert hr.status_code == 403
    assert api.client.post("/v1/admin/suspend", json={}, headers=api.headers("admin")).status_code == 422  # fmt: skip
    stop = api.client.post("/v1/admin/suspend", json={"reason": "pemeriksaan data SKP 2025"}, headers=api.headers("admin"))  # fmt: skip
    try:
        assert stop.status_code == 200 and stop.json()["suspended"]
        for path, body in (("/v1/recommend", {"nip": nip}), ("/v1/plan", {})):
            refused = api.client.post(path, json=body, headers=api.headers("admin"))
            assert refused.status_code == 503 and "pemeriksaan data SKP 2025" in refused.json()["detail"]  # fmt: skip
            assert "test-admin" in refused.json()["detail"]
        # the pages showed suggestions while the API refused them
        api.client.post("/ui/login", data={"api_key": api.keys["admin"]})
        unit = engine_of(api).units.index[0]
        for page in (f"/ui/employee?nip={nip}&lang=en", f"/ui/vacancy?unit_id={unit}&lang=en"):
            stopped = api.client.get(page)
            assert stopped.status_code == 503 and "Suggestions are suspended" in stopped.text
            assert "pemeriksaan data SKP 2025" in stopped.text
        assert api.client.get("/ui/round?id=rd_0000").status_code == 404  # decisions go on
    finally:
        back = api.client.post("/v1/admin/resume", json={"reason": "data diperbaiki"}, headers=api.headers("admin"))  # fmt: skip
    assert back.status_code == 200 and not back.json()["suspended"]
    assert api.client.post("/v1/recommend", json={"nip": nip}, headers=api.headers("hr")).status_code == 200  # fmt: skip
    assert api.client.get(f"/ui/employee?nip={nip}").status_code == 200
    api.client.cookies.clear()


def test_a_decision_while_another_process_holds_the_record_is_a_503_naming_it(api: Api) -> None:
    """Refused after the store's wait, naming the record's file (not the server's path),
    and recorded when sent again once the file is free."""
    shown = api.client.post("/v1/recommend", json={"nip": movable_nip(engine_of(api)), "top_k": 2},
                            headers=api.headers("hr")).json()  # fmt: skip
    body = {"suggestion_id": shown["suggestions"][-1]["suggestion_id"], "stage": "hr",
            "decision": "tunda", "reason_code": "menunggu_formasi"}  # fmt: skip
    with held_exclusively(api.settings.decisions_db):
        held = api.client.post("/v1/decisions", json=body, headers=api.headers("hr"))
    assert held.status_code == 503
    assert held.json()["detail"] == "the decision could not be recorded: the decisions record decisions.db: database is locked"  # fmt: skip
    assert api.client.post("/v1/decisions", json=body, headers=api.headers("hr")).status_code == 201
