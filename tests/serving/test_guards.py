"""Keys and roles, bad input (always 4xx, naming the field), the audit log, health and metrics."""

from __future__ import annotations

import gzip
import re
import sqlite3

import pytest
from typer.testing import CliRunner

from features.definitions import FEATURE_NAMES, FEATURE_SET
from penataan.cli import app as cli
from tests.helpers import Api, engine_of, movable_nip

ROUTES = {
    ("POST", "/v1/recommend"): {"hr", "admin"},
    ("POST", "/v1/candidates"): {"hr", "admin"},
    ("GET", "/v1/model"): {"reviewer", "admin"},
    ("GET", "/v1/feature-importance"): {"reviewer", "admin"},
    ("POST", "/v1/admin/reload"): {"admin"},
    ("POST", "/v1/plan"): {"admin"},
    ("GET", "/v1/decision-reasons"): {"hr", "reviewer", "admin"},
}


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> int:
    engine = engine_of(api)
    body = {"/v1/recommend": {"nip": movable_nip(engine)}, "/v1/candidates": {"unit_id": str(engine.units.index[0])}, "/v1/plan": {}}  # fmt: skip
    return api.client.request(method, path, json=body.get(path), headers=headers).status_code


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_route_needs_a_key_with_the_right_role(api: Api, method: str, path: str) -> None:
    assert _call(api, method, path, {}) == 401
    assert _call(api, method, path, {"X-API-Key": "pnt_not-a-key"}) == 401
    for role in ("hr", "reviewer", "admin"):
        expected = 200 if role in ROUTES[(method, path)] else 403
        assert _call(api, method, path, api.headers(role)) == expected, role


def test_every_error_names_what_is_to_blame(api: Api) -> None:
    """401 and 403 said only `detail`, where every 4xx is to name its field: the key's header
    is to blame; an unknown path or a method a path does not take names the path or the
    method (they were `errors: []`, which did not tell a client's typo from an unknown NIP)."""
    for headers in ({}, {"X-API-Key": "pnt_not-a-key"}, api.headers("hr")):
        refused = api.client.post("/v1/plan", json={}, headers=headers)
        assert refused.status_code in (401, 403)
        assert refused.json()["errors"] == [{"field": "X-API-Key", "message": refused.json()["detail"]}]  # fmt: skip
    assert api.client.post("/v1/plan", json={}).headers["www-authenticate"] == "X-API-Key, Bearer"
    nowhere = api.client.get("/v1/nowhere", headers=api.headers("hr"))
    assert nowhere.status_code == 404
    assert nowhere.json()["errors"] == [{"field": "path", "message": "no endpoint /v1/nowhere: see /docs"}]  # fmt: skip
    wrong = api.client.delete("/v1/model", headers=api.headers("hr"))
    assert wrong.status_code == 405
    assert wrong.json()["errors"] == [{"field": "method", "message": "DELETE is not taken here (it takes GET)"}]  # fmt: skip


def test_a_key_may_come_as_a_bearer_token(api: Api) -> None:
    """Clients and gateways that send a token only as `Authorization: Bearer` are served
    like X-API-Key's; another scheme, a bare key or an unknown one is 401, and X-API-Key
    wins where both come."""
    key = api.headers("reviewer")["X-API-Key"]
    assert _call(api, "GET", "/v1/model", {"Authorization": f"Bearer {key}"}) == 200
    assert _call(api, "GET", "/v1/model", {"Authorization": f"bearer  {key} "}) == 200
    for wrong in (f"Basic {key}", key, "Bearer pnt_not-a-key", "Bearer "):
        assert _call(api, "GET", "/v1/model", {"Authorization": wrong}) == 401, wrong
    both = {"X-API-Key": "pnt_not-a-key", "Authorization": f"Bearer {key}"}
    assert _call(api, "GET", "/v1/model", both) == 401
    hr = {"Authorization": f"Bearer {api.headers('hr')['X-API-Key']}"}
    assert _call(api, "GET", "/v1/model", hr) == 403  # the key's role still decides


def test_cli_creates_a_key_that_a_running_server_accepts(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENATAAN_API_KEYS_FILE", str(api.settings.api_keys_file))
    result = CliRunner().invoke(cli, ["keys", "create", "--role", "reviewer", "--name", "cli-made"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key not in api.settings.api_keys_file.read_text()  # only the hash is stored
    lock = api.settings.api_keys_file.with_name(api.settings.api_keys_file.name + ".lock")
    assert lock.stat().st_mode & 0o777 == 0o600  # nobody else can hold it and block a revoke
    assert api.client.get("/v1/model", headers={"X-API-Key": key}).status_code == 200
    assert CliRunner().invoke(cli, ["keys", "revoke", "cli-made"]).exit_code == 0
    assert api.client.get("/v1/model", headers={"X-API-Key": key}).status_code == 401
    bad = CliRunner().invoke(cli, ["keys", "create", "--role", "boss", "--name", "x"])
    assert bad.exit_code == 2 and "unknown role" in bad.output


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"nip": "12345"}, "nip"),
        ({"nip": "19850714201001100X"}, "nip"),
        ({"nip": "198513322010011002"}, "nip"),  # month 13: not a birth date
        ({"nip": 198507142010011002}, "nip"),
        ({}, "nip"),
        ({"nip": "198507142010011002", "top_k": 0}, "top_k"),
        ({"nip": "198507142010011002", "top_k": 51}, "top_k"),
        ({"nip": "198507142010011002", "lang": "fr"}, "lang"),
        ({"nip": "198507142010011002", "unit_ids": ["bad id!"]}, "unit_ids.0"),
        ({"nip": "198507142010011002", "surprise": 1}, "surprise"),
    ],
)
def test_malformed_recommend_is_422_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    response = api.client.post("/v1/recommend", json=body, headers=api.headers("hr"))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_nip_as_people_type_it_is_read_and_a_number_is_refused_with_what_to_send(
    api: Api,
) -> None:
    """A NIP pasted from an SK in its printed groups, or with a space after it, is the NIP
    (it was refused as "at most 18 characters"), and so is one carrying a chat's invisible
    direction mark or typed in full-width digits (refused as "not 18 digits"); one sent as a JSON number says to send a
    string (it was "Input should be a valid string"): 18 digits as a number have lost their
    last ones in JavaScript, and may then name someone else."""
    nip = movable_nip(engine_of(api))
    hr = api.headers("hr")
    plain = api.client.post("/v1/recommend", json={"nip": nip}, headers=hr).json()
    wide = "".join(chr(ord(d) + 0xFEE0) for d in nip)  # full-width digits, as some keyboards
    for typed in (
        f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}",
        f"{nip[:8]}.{nip[8:14]}.{nip[14]}.{nip[15:]}",
        f" {nip} ",
        f"\u200e{nip}\u200b",
        wide,
        f"'{nip}",
    ):  # fmt: skip  (Excel's text mark, as SIASN's CSVs carry it)
        answer = api.client.post("/v1/recommend", json={"nip": typed}, headers=hr)
        assert answer.status_code == 200, typed
        assert answer.json()["nip"] == nip
        assert answer.json()["suggestions"] == plain["suggestions"]
    number = api.client.post("/v1/recommend", json={"nip": int(nip)}, headers=hr)
    assert number.status_code == 422
    (error,) = number.json()["errors"]
    assert error["field"] == "nip" and error["message"].startswith("send the NIP as a JSON string")
    for wrong in (f"{nip[:8]} {nip[8:]}x", f"{nip[:9]} {nip[9:]}"):  # not the printed groups
        refused = api.client.post("/v1/recommend", json={"nip": wrong}, headers=hr)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "nip"
    for short_or_long in (
        nip[:17],
        nip + "1",
    ):  # said as the NIP's rule, not "at most 18 characters"
        refused = api.client.post("/v1/recommend", json={"nip": short_or_long}, headers=hr)
        assert refused.json()["errors"] == [
            {"field": "nip", "message": "NIP must be exactly 18 digits"}
        ]


def test_a_field_the_request_lacks_lists_its_fields_and_a_date_says_its_form(api: Api) -> None:
    """A client that sends the round's settings at the top of the body, or a day-first date,
    is told what the request takes instead of pydantic's bare 'Extra inputs are not
    permitted' and 'invalid character in year'."""
    admin = api.headers("admin")
    extra = api.client.post("/v1/plan", json={"max_moves": 10}, headers=admin)
    assert extra.status_code == 422
    assert extra.json()["errors"] == [
        {"field": "max_moves", "message": "not a field of this request (its fields: as_of, config)"}
    ]
    day_first = api.client.post("/v1/plan", json={"as_of": "01-03-2026"}, headers=admin)
    (error,) = day_first.json()["errors"]
    assert error["field"] == "as_of" and error["message"].endswith("; send the date as YYYY-MM-DD")
    setting = api.client.post("/v1/plan", json={"config": {"max_movez": 3}}, headers=admin)
    (error,) = setting.json()["errors"]
    assert error["field"] == "config.max_movez"
    assert error["message"].startswith("not a plan setting (they are: ") and "max_moves" in error["message"]  # fmt: skip
    recommend = api.client.post("/v1/recommend", json={"nip": "198507142010011002", "topk": 3}, headers=api.headers("hr"))  # fmt: skip
    (error,) = recommend.json()["errors"]
    assert error["field"] == "topk" and "top_k" in error["message"]


def test_malformed_json_and_wrong_shapes_are_422(api: Api) -> None:
    headers = {**api.headers("hr"), "content-type": "application/json"}
    for raw in (b"{nip:", b"[]", b'"198507142010011002"', b"null", b""):
        response = api.client.post("/v1/recommend", content=raw, headers=headers)
        assert response.status_code == 422, raw
        assert response.json()["errors"]


def test_a_body_sent_as_text_or_compressed_says_what_to_send(api: Api) -> None:
    """JSON sent as text/plain (curl's -d without a header sends a form type) is not read as
    JSON, and a gzip body is not read at all: each answer names the body and the fix, in the
    API's error shape."""
    hr = api.headers("hr")
    body = b'{"nip": "198507142010011002"}'
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        text = api.client.post("/v1/recommend", content=body, headers={**hr, "content-type": kind})
        assert text.status_code == 422
        (error,) = text.json()["errors"]
        assert error["field"] == "body" and "Content-Type: application/json" in error["message"]
        assert kind in error["message"]
    zipped = api.client.post(
        "/v1/recommend", content=gzip.compress(body),
        headers={**hr, "content-type": "application/json", "content-encoding": "gzip"},
    )  # fmt: skip
    assert zipped.status_code == 400
    (error,) = zipped.json()["errors"]
    assert error["field"] == "body" and "Content-Encoding" in error["message"]


def test_unknown_nip_or_unit_is_404_naming_the_field(api: Api) -> None:
    engine = engine_of(api)
    hr = api.headers("hr")
    unknown = api.client.post("/v1/recommend", json={"nip": "190001012000011001"}, headers=hr)
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "nip"
    assert unknown.json()["detail"] == "active employee '190001012000011001' not found"
    staff = engine.data.employees  # a retiree's NIP is no typo: said so, not "not found"
    retired = str(staff.loc[staff["status"] == "pensiun", "nip"].iloc[0])
    gone = api.client.post("/v1/recommend", json={"nip": retired}, headers=hr).json()
    assert gone["errors"][0] == {"field": "nip", "message": f"employee '{retired}' is pensiun in the data, not aktif: suggestions are for active staff"}  # fmt: skip
    body = {"nip": movable_nip(engine), "unit_ids": ["NO-SUCH-UNIT"]}
    unit = api.client.post("/v1/recommend", json=body, headers=hr)
    assert unit.status_code == 404 and unit.json()["errors"][0]["field"] == "unit_ids"
    vacancy = api.client.post("/v1/candidates", json={"unit_id": "NO-SUCH-UNIT"}, headers=hr)
    assert vacancy.status_code == 404 and vacancy.json()["errors"][0]["field"] == "unit_id"


def test_bodies_over_64_kib_are_413(api: Api) -> None:
    big = {"nip": "198507142010011002", "unit_ids": ["U" * 30] * 2500}
    response = api.client.post("/v1/recommend", json=big, headers=api.headers("hr"))
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"


def test_audit_log_records_calls_without_names(api: Api) -> None:
    engine = engine_of(api)
    nip = movable_nip(engine)
    api.client.post("/v1/recommend", json={"nip": nip}, headers=api.headers("hr"))
    api.client.post("/v1/recommend", json={"nip": "12"}, headers=api.headers("hr"))
    api.client.post("/v1/candidates", json={"unit_id": str(engine.units.index[0])}, headers=api.headers("admin"))  # fmt: skip
    with sqlite3.connect(api.settings.audit_db) as db:
        rows = db.execute(
            "select key_name, endpoint, subject, model_version, status from audit"
        ).fetchall()
    assert ("test-hr", "/v1/recommend", nip, "1", 200) in rows
    assert ("test-hr", "/v1/recommend", "12", 422) in [(k, e, s, st) for k, e, s, _, st in rows]
    assert ("test-admin", "/v1/candidates", str(engine.units.index[0]), "1", 200) in rows
    dump = "\n".join(map(str, rows))
    names = engine.data.employees["name"]
    assert not any(name in dump for name in names)


def test_health_ready_and_metrics(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "alive"}
    ready = api.client.get("/ready")
    assert ready.status_code == 200 and ready.json()["model"]["version"] == "1"
    for probe in ("/health", "/ready"):  # an uptime checker's HEAD
        head = api.client.head(probe)
        assert head.status_code == 200 and head.content == b""
    api.client.post("/v1/recommend", json={"nip": "1"}, headers=api.headers("hr"))
    text = api.client.get("/metrics").text
    assert 'penataan_requests_total{endpoint="/v1/recommend",method="POST",status="422"}' in text
    assert "penataan_request_seconds_bucket" in text
    assert 'penataan_model_info{name="penataan-placement",version="1"} 1.0' in text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_work_offline(api: Api, page: str) -> None:
    """Every script, style and icon the page names is served by the app: no CDN, no font
    service (a BKPSDM intranet reaches neither)."""
    html = api.client.get(page)
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href)\s*[=:]\s*['"]([^'"]+)['"]""", html.text)
    assert assets and not re.search(r"https?://", html.text.replace("http://www.w3.org", ""))
    for asset in assets:
        assert asset.startswith("/"), asset
        assert api.client.get(asset).status_code == 200, asset


def test_model_and_feature_importance(api: Api) -> None:
    info = api.client.get("/v1/model", headers=api.headers("reviewer")).json()
    assert info["version"] == "1" and info["feature_set"] == FEATURE_SET
    assert info["data_fingerprint"] == info["serving_data_fingerprint"]
    assert {"rmse", "mae", "r2"} <= set(info["held_out_metrics"])
    assert len(info["features"]) == len(FEATURE_NAMES)
    assert not {"sex", "birth_date", "religion", "marital_status"} & {
        f["name"] for f in info["features"]
    }
    importance = api.client.get("/v1/feature-importance", headers=api.headers("reviewer"))
    body = importance.json()
    assert len(body["features"]) == len(FEATURE_NAMES) and len(body["factors"]) == 8
    shap = [f["mean_abs_shap"] for f in body["features"]]
    assert shap == sorted(shap, reverse=True)
    assert sum(f["mean_abs_shap"] for f in body["factors"]) == pytest.approx(sum(shap))
    assert (
        api.client.get(
            "/v1/feature-importance?lang=xx", headers=api.headers("reviewer")
        ).status_code
        == 422
    )
