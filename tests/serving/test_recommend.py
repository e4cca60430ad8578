"""`/v1/recommend` and `/v1/candidates`: ranked, eligible, exactly explained, like `penataan score`."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features.eligibility import RULES
from features.vocab import PREDIKAT
from serving.kept_rows import KeptRows
from serving.schemas import RecommendResponse
from tests.helpers import Api, engine_of, movable_nip, recommend, served
from training.scoring import score_candidates


def test_suggestions_are_ranked_eligible_and_versioned(api: Api) -> None:
    engine = engine_of(api)
    nip = movable_nip(engine)
    body = recommend(api, nip=nip, top_k=50)
    suggestions = body["suggestions"]
    assert [s["rank"] for s in suggestions] == list(range(1, len(suggestions) + 1))
    assert all(s["eligible"] and not s["ineligible_reasons"] for s in suggestions)
    assert body["model"] == {"name": "penataan-placement", "version": "1", "alias": "champion"}
    assert "people decide" in body["advisory"]
    # the policy: suggested moves first, then staying, then the rest; by gain within each
    tiers = [0 if s["suggested"] else 1 if s["is_current"] else 2 for s in suggestions]
    assert tiers == sorted(tiers) and tiers.count(1) == 1
    for tier in (0, 2):
        gains = [s["gain"] for s, k in zip(suggestions, tiers, strict=True) if k == tier]
        assert gains == sorted(gains, reverse=True)
    assert body["decision"] == ("move" if suggestions[0]["suggested"] else "stay")
    assert body["pilot"] == suggestions[0]["pilot"]
    current = body["current"]
    model = engine.loaded.model
    assert body["precision"] == engine.settings.precision and body["min_gain_low"] is None
    threshold = engine.scored.threshold(engine.settings.decision)
    for s in suggestions:
        assert s["interval"]["low"] <= s["predicted_score"] <= s["interval"]["high"]
        assert s["is_current"] == (s["unit_id"] == current["unit_id"])
        raw = engine.raw_gain(nip, s["unit_id"])  # the booster's and the within model's
        assert raw is not None and (raw == 0) == s["is_current"]
        expected = 0.0 if s["is_current"] else float(model.gains(np.array([raw]))[0][0])
        assert s["gain"] == pytest.approx(expected, abs=5e-3)
        assert s["gain_interval"]["low"] <= s["gain"] <= s["gain_interval"]["high"]
        # suggested: the probability of helping clears the threshold the precision sets
        if s["suggested"]:
            assert s["probability_helps"] >= threshold.least - 1e-3 and not s["is_current"]
        elif not s["is_current"]:
            assert s["probability_helps"] <= threshold.least + 1e-3
        # a pilot's move: suggested, short of the evidence's threshold
        assert s["pilot"] == (s["suggested"] and s["probability_helps"] < threshold.evidence)
        chances = s["predikat_probabilities"]
        assert list(chances) == list(PREDIKAT) and sum(chances.values()) == pytest.approx(1, abs=0.01)  # fmt: skip
    best = max(suggestions, key=lambda s: s["predicted_score"])
    worst = min(suggestions, key=lambda s: s["predicted_score"])
    top = "sangat_baik"
    assert best["predikat_probabilities"][top] >= worst["predikat_probabilities"][top]


def test_top_k_and_unit_filter(api: Api) -> None:
    engine = engine_of(api)
    nip = movable_nip(engine)
    assert len(recommend(api, nip=nip, top_k=2)["suggestions"]) == 2
    some = list(engine.units.index[:5])
    body = recommend(api, nip=nip, top_k=50, unit_ids=some, include_ineligible=True)
    assert sorted(s["unit_id"] for s in body["suggestions"]) == sorted(some)


def test_ineligible_units_only_on_request_and_with_reasons(api: Api) -> None:
    nip = movable_nip(engine_of(api))
    everything = recommend(api, nip=nip, top_k=50, include_ineligible=True)["suggestions"]
    eligible = recommend(api, nip=nip, top_k=50)["suggestions"]
    blocked = [s for s in everything if not s["eligible"]]
    assert blocked and len(eligible) == len(everything) - len(blocked)
    for s in blocked:
        for reason in s["ineligible_reasons"]:
            assert reason["code"] in RULES and reason["reference"] and reason["reason"]


def test_explanations_add_up_to_the_prediction(api: Api) -> None:
    nip = movable_nip(engine_of(api))
    for lang in ("id", "en"):
        body = recommend(api, nip=nip, top_k=50, include_ineligible=True, lang=lang)
        for s in body["suggestions"]:
            e = s["explanation"]
            total = e["base_value"] + sum(f["contribution"] for f in e["factors"]) + e["other"]
            assert total == pytest.approx(s["predicted_score"], abs=0.01)
            assert 1 <= len(e["factors"]) <= 4 and e["narrative"]


def test_labels_and_narrative_follow_the_language(api: Api) -> None:
    nip = movable_nip(engine_of(api))
    body_id = recommend(api, nip=nip, top_k=3, lang="id")
    body_en = recommend(api, nip=nip, top_k=3, lang="en")
    move_id = next(s for s in body_id["suggestions"] if not s["is_current"])
    move_en = next(s for s in body_en["suggestions"] if not s["is_current"])
    assert "dibanding tetap di" in move_id["explanation"]["narrative"]
    assert "compared with staying in" in move_en["explanation"]["narrative"]
    assert move_id["unit_name"] in move_id["explanation"]["narrative"]
    # each language's decimals: "75.4" in an Indonesian sentence reads as a thousands dot
    score = move_id["predicted_score"]
    assert f"adalah {score:.1f} (".replace(".", ",") in move_id["explanation"]["narrative"]
    assert f"is {score:.1f} (" in move_en["explanation"]["narrative"]
    labels_id = {f["label"] for f in move_id["explanation"]["factors"]}
    labels_en = {f["label"] for f in move_en["explanation"]["factors"]}
    assert labels_id.isdisjoint(labels_en)


def test_staying_says_whether_the_rules_or_the_model_decided(api: Api) -> None:
    """Someone not yet two years in their position may move nowhere: "stay" said "no move is
    likely enough to help", which read as the model's verdict on their moves. It now names
    the rule that closes every move; where a move is allowed, the model's reason stands."""
    engine = engine_of(api)
    n, tenure = engine.table.n_units, list(RULES).index("min_tenure")
    blocks = [engine.table.broken[i * n : (i + 1) * n][~engine.table.is_stay[i * n : (i + 1) * n]] for i in range(len(engine.nips))]  # fmt: skip
    young = next(str(nip) for nip, b in zip(engine.nips, blocks, strict=True) if b[:, tenure].all())
    for lang, said in (("en", "No move is allowed now (less than 2 years in the current position"),
                       ("id", "Belum ada mutasi yang diperbolehkan (belum 2 tahun di jabatan sekarang")):  # fmt: skip
        body = recommend(api, nip=young, lang=lang)
        assert body["decision"] == "stay" and body["suggestions"][0]["is_current"]
        assert said in body["suggestions"][0]["explanation"]["narrative"]
    api.client.post("/ui/login", data={"api_key": api.keys["hr"]})  # the page says it too
    page = api.client.get("/ui/employee", params={"nip": young, "lang": "en"})
    assert page.status_code == 200 and "No move is allowed now (less than 2 years" in page.text
    api.client.cookies.clear()
    free = next(
        str(nip) for nip, b in zip(engine.nips, blocks, strict=True)
        if (~b.any(axis=1)).any() and recommend(api, nip=str(nip), lang="en")["decision"] == "stay"
    )  # fmt: skip
    narrative = recommend(api, nip=free, lang="en")["suggestions"][0]["explanation"]["narrative"]
    assert "No move is likely enough to help" in narrative and "allowed" not in narrative


def test_scores_agree_with_penataan_score(api: Api) -> None:
    engine = engine_of(api)
    nip = movable_nip(engine)
    offline = score_candidates(
        engine.data, engine.loaded.model, engine.settings, engine.as_of, all_units=True
    )
    offline = offline[offline["nip"] == nip].set_index("unit_id")
    body = recommend(api, nip=nip, top_k=50, include_ineligible=True)
    served = pd.Series({s["unit_id"]: s["predicted_score"] for s in body["suggestions"]})
    assert len(served) == len(engine.units)
    np.testing.assert_allclose(
        served.sort_index(), offline["predicted_score"].sort_index(), atol=1e-3
    )


def test_candidates_for_a_unit_come_from_other_units(api: Api) -> None:
    engine = engine_of(api)
    unit = str(
        engine.units.index[int(np.argmax(engine.units["capacity"].to_numpy() - engine.headcount))]
    )
    response = api.client.post(
        "/v1/candidates",
        json={"unit_id": unit, "top_k": 10, "include_ineligible": True, "lang": "en"},
        headers=api.headers("hr"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unit_id"] == unit and body["model"]["version"] == "1"
    people = body["candidates"]
    assert 1 <= len(people) <= 10
    assert all(p["unit_id"] == unit and not p["is_current"] for p in people)
    scores = [p["predicted_score"] for p in people]
    assert scores == sorted(scores, reverse=True)
    for p in people:
        e = p["explanation"]
        total = e["base_value"] + sum(f["contribution"] for f in e["factors"]) + e["other"]
        assert total == pytest.approx(p["predicted_score"], abs=0.01)
    assert body["closed_by"] == []  # someone may move in
    # the operating point as /v1/recommend takes it: which candidates' moves are suggested
    assert body["precision"] == engine.settings.precision
    loose = api.client.post(
        "/v1/candidates",
        json={"unit_id": unit, "top_k": 50, "include_ineligible": True, "precision": 0.01},
        headers=api.headers("hr"),
    ).json()
    assert loose["precision"] == 0.01
    mask, _ = engine.suggested_for(0.01)
    people = np.array([engine._employee(p["nip"]) for p in loose["candidates"]])
    rows = engine.table.position(people, engine._unit(unit, "unit_id"))
    assert [p["suggested"] for p in loose["candidates"]] == mask[rows].tolist()
    assert sum(mask[rows]) > sum(p["suggested"] for p in body["candidates"])
    refused = api.client.post("/v1/candidates", json={"unit_id": unit, "precision": 1}, headers=api.headers("hr"))  # fmt: skip
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "precision"


def test_a_full_units_empty_candidates_say_why(api: Api) -> None:
    """A unit at its formasi answered `candidates: []` and nothing else: the rules that
    close every candidate are named, in the API and on the vacancy page."""
    engine = engine_of(api)
    full = engine.units.index[engine.headcount >= engine.units["capacity"].to_numpy()]
    assert len(full), "the small world has a full unit"
    unit = str(full[0])
    body = api.client.post("/v1/candidates", json={"unit_id": unit, "lang": "en"}, headers=api.headers("hr")).json()  # fmt: skip
    assert body["candidates"] == []
    assert "formasi_full" in [rule["code"] for rule in body["closed_by"]]
    assert "The unit's formasi is full" in [rule["reason"] for rule in body["closed_by"]]
    api.client.post("/ui/login", data={"api_key": api.keys["hr"]})
    page = api.client.get("/ui/vacancy", params={"unit_id": unit, "lang": "en"})
    assert page.status_code == 200 and "Nobody may move in now: " in page.text
    assert "formasi is full" in page.text.split("Nobody may move in now: ")[1].split("</p>")[0]
    api.client.cookies.clear()


def test_responses_never_carry_names_or_protected_attributes(api: Api) -> None:
    engine = engine_of(api)
    nip = movable_nip(engine)
    text = api.client.post(
        "/v1/recommend", json={"nip": nip, "top_k": 50, "include_ineligible": True},
        headers=api.headers("hr"),
    ).text  # fmt: skip
    person = engine.data.employees.set_index("nip").loc[nip]
    assert person["name"] not in text
    for word in ("birth_date", "religion", "marital", '"sex"', "agama"):
        assert word not in text


def test_a_request_chooses_its_operating_point(api: Api) -> None:
    """`precision` is the share of suggested moves that must help: asking for more suggests
    fewer moves, asking for less suggests more; the answer says which it used."""
    engine = engine_of(api)
    nips = [str(n) for n in engine.nips[:40]]

    def moves(precision: float) -> int:
        bodies = [recommend(api, nip=n, top_k=3, precision=precision) for n in nips]
        assert all(b["precision"] == precision for b in bodies)
        return sum(b["decision"] == "move" for b in bodies)

    assert moves(0.99) <= moves(0.8) <= moves(0.05)
    assert moves(0.05) > 0
    refused = api.client.post(
        "/v1/recommend", json={"nip": nips[0], "precision": 1.5}, headers=api.headers("hr")
    )
    assert refused.status_code == 422 and "precision" in refused.text


@pytest.fixture(scope="module")
def strict_api(
    registry_uri: str, world_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A server at precision 0.9: at the default 0.8 the small world's evidence already
    holds more moves than a pilot may take (5% of the staff), so no pilot is left to add."""
    root = tmp_path_factory.mktemp("strict")
    with served(world_dir, root, registry_uri, precision=0.9, explain_ahead=False) as api:
        yield api


def test_a_pilot_move_says_so_in_the_answer_the_narrative_and_the_page(strict_api: Api) -> None:
    """The small world's line has seen no outcome, so the server's decision carries a pilot:
    an employee whose first suggestion is a pilot's gets `decision: move` with `pilot: true`,
    a narrative saying no outcome here has tested it, and the page marks it "uji coba"."""
    api = strict_api
    engine = engine_of(api)
    _, pilot = engine.suggested
    assert pilot.any()
    nip = str(engine.nips[int(engine.table.employee_of(np.flatnonzero(pilot)[0]))])
    body = recommend(api, nip=nip, top_k=3)
    first = body["suggestions"][0]
    assert body["decision"] == "move" and body["pilot"] and first["pilot"] and first["suggested"]
    assert 0.5 < first["probability_helps"]
    assert "uji coba" in first["explanation"]["narrative"]
    english = recommend(api, nip=nip, top_k=1, lang="en")["suggestions"][0]
    assert "pilot" in english["explanation"]["narrative"]
    assert all(not s["pilot"] for s in body["suggestions"][1:] if not s["suggested"])
    api.client.post("/ui/login", data={"api_key": api.keys["hr"]})
    assert "uji coba" in api.client.get(f"/ui/employee?nip={nip}").text
    api.client.cookies.clear()


def test_the_rows_kept_at_load_are_the_rows_a_request_would_build(api: Api) -> None:
    """The model rows kept for every employee's default answer (`serving.kept_rows`, the
    same chosen a block of employees at a time or all at once) are the rows built from the
    snapshot, to the last bit; every default answer finds its rows
    kept, with or without the ineligible units; an engine keeping none answers the same."""
    engine = engine_of(api)
    kept = engine.kept
    assert len(kept.rows) and np.all(np.diff(kept.rows) > 0)
    np.testing.assert_array_equal(kept.x, engine._built_matrix(kept.rows))  # NaN == NaN here
    # chosen a block of employees at a time (under the whole staff's threshold), as at once;
    # at a precision that suggests moves, so that each block's own threshold would differ
    loose = dataclasses.replace(engine.settings.decision, precision=0.6)
    assert engine.scored.suggested(loose).any()
    chosen = [KeptRows.build(engine.scored, decision, 5, lambda r: r[:, None], block).rows
              for decision in (engine.settings.decision, loose) for block in (7, 10**9)]  # fmt: skip
    np.testing.assert_array_equal(chosen[0], kept.rows)
    np.testing.assert_array_equal(chosen[1], kept.rows)
    np.testing.assert_array_equal(chosen[2], chosen[3])
    # staying's TreeSHAP, kept or computed per request, is the row's TreeSHAP now, alone or
    # among others
    placed = np.flatnonzero(engine.table.stay_unit >= 0)
    stay_rows = engine.table.position(placed, engine.table.stay_unit[placed])
    x = engine._built_matrix(stay_rows)
    np.testing.assert_array_equal(engine._contributions(stay_rows, x), engine.loaded.model.contributions_matrix(x))  # fmt: skip
    mixed = np.sort(np.concatenate([stay_rows[:3], stay_rows[:3] + 1]))
    x = engine._built_matrix(mixed)
    np.testing.assert_array_equal(engine._contributions(mixed, x), engine.loaded.model.contributions_matrix(x))  # fmt: skip
    bare = dataclasses.replace(engine, kept=KeptRows.of(np.array([], dtype=int), kept.x[:0]))

    def kept_share(nip: str, answer: RecommendResponse) -> float:
        columns = [engine._unit_info[0][s.unit_id] for s in answer.suggestions]
        rows = engine.table.position(engine._employee(nip), np.array(columns))
        return float(np.isin(rows, kept.rows).mean())

    nips = [str(n) for n in engine.nips[:: max(1, len(engine.nips) // 25)]]
    for nip in nips:
        for include_ineligible in (False, True):
            answer = engine.recommend(nip, 5, None, include_ineligible, "id")
            assert kept_share(nip, answer) == 1
            assert bare.recommend(nip, 5, None, include_ineligible, "id") == answer
    # rows not kept (a longer list) are built, and mixed with kept ones in one answer
    longer = engine.recommend(nips[0], 12, None, True, "id")
    assert 0 < kept_share(nips[0], longer) < 1
    assert longer == bare.recommend(nips[0], 12, None, True, "id")


def test_explanations_computed_ahead_are_the_ones_a_request_computes(api: Api) -> None:
    """The rows of default answers explained in the background (`Engine.explain_ahead`:
    staying's first, every narrative's baseline, then the moves) hold LightGBM's TreeSHAP
    of those rows, to the last bit; answers read them and are the same as an engine's that
    explains every row per request; a stopped job stops, and a half-explained engine
    answers the same too."""
    engine = engine_of(api)
    kept = engine.kept
    stays = engine.table.is_stay[kept.rows]
    assert stays.any() and (~stays).any()
    fresh = dataclasses.replace(engine, kept=KeptRows.of(kept.rows, kept.x))
    stop = threading.Event()
    stop.set()
    assert fresh.explain_ahead(stop) == 0 and fresh.explained_ahead == (0, len(kept.rows))
    nips = [str(n) for n in engine.nips[:: max(1, len(engine.nips) // 25)]]
    before = {nip: fresh.recommend(nip, 5, None, True, "id") for nip in nips}
    half = dataclasses.replace(engine, kept=KeptRows.of(kept.rows, kept.x))
    half.kept.explain_ahead(lambda x: engine.loaded.model.contributions_matrix(x), stays, threading.Event())  # fmt: skip
    assert fresh.explain_ahead(threading.Event()) == len(kept.rows)
    assert fresh.explained_ahead == (len(kept.rows), len(kept.rows))
    np.testing.assert_array_equal(fresh.kept.contrib, engine.loaded.model.contributions_matrix(kept.x))  # fmt: skip
    for nip in nips:
        for include_ineligible in (False, True):
            answer = fresh.recommend(nip, 5, None, include_ineligible, "id")
            rows = engine.table.position(engine._employee(nip), np.array([engine._unit_info[0][s.unit_id] for s in answer.suggestions]))  # fmt: skip
            assert fresh.kept.explanations(rows)[0].all()
            assert half.recommend(nip, 5, None, include_ineligible, "id") == answer
            if include_ineligible:
                assert answer == before[nip]
    # the server started the same job when the engine went into service, and says so
    ready = api.client.get("/ready").json()["explained_ahead"]
    assert ready["of"] == len(kept.rows) and 0 <= ready["done"] <= ready["of"]


def test_the_operating_points_kept_are_bounded_in_bytes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's precision is decided once and kept, but a province's masks are 256 MB a
    value: the engine keeps as many values as fit its byte budget (at least one), the
    oldest going first, and a value decided again is the same."""
    import serving.engine

    engine = engine_of(api)
    engine._suggested_by_precision.clear()
    monkeypatch.setattr(serving.engine, "PRECISION_CACHE_BYTES", 2 * 2 * len(engine.table))
    first = engine.suggested_for(0.6)
    engine.suggested_for(0.7)
    engine.suggested_for(0.9)
    assert list(engine._suggested_by_precision) == [0.7, 0.9]
    again = engine.suggested_for(0.6)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert list(engine._suggested_by_precision) == [0.9, 0.6]
    monkeypatch.setattr(serving.engine, "PRECISION_CACHE_BYTES", 1)
    engine.suggested_for(0.65)
    assert list(engine._suggested_by_precision) == [0.65]
