"""A round on the small world keeps every rule, beats greedy, explains itself, and is refused
in a blackout; the CLI and the API produce the same round as `plan_round`."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from features.contract.validate import load_data
from features.data import HRData
from features.settings import EligibilitySettings
from penataan.cli import app as cli
from planning.problem import ScoredPairs, build_problem, person_values
from planning.report import write_plan
from planning.run import PlanRefused, PlanResult, UnknownLocks, plan_round
from planning.settings import PlanSettings
from tests.helpers import Api, assert_paper_offers_the_vocabulary
from training.candidates import CandidateTable, JoinedStaff
from training.evaluation import read_truth
from training.model import PlacementModel
from training.registry import load_registered
from training.scoring import staff_tables
from training.settings import PipelineSettings

# The small world's model is weak, so few of its moves are sure enough for the default
# precision; the tests lower it to get a round with enough moves to check the other rules on.
LOOSE = {"precision": 0.05}
# ... and raise it to leave the pilot room: the evidence then holds fewer moves than its cap
STRICT = {"precision": 0.95}


def timeless(summary: dict[str, Any]) -> dict[str, Any]:
    """A round's summary without the solver's seconds, which differ from run to run."""
    return summary | {"solver": summary["solver"] | {"seconds": None}}


@pytest.fixture(scope="module")
def model(registry_uri: str) -> PlacementModel:
    # the session's registry by name: another test's `train` may have pointed MLflow elsewhere
    mlflow.set_tracking_uri(registry_uri)
    return load_registered("models:/penataan-placement@champion").model


@pytest.fixture(scope="module")
def roomy_dir(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small world with three more places in every unit's formasi: its units are full,
    so without room only swaps could happen; with it, chains and single moves too."""
    out = tmp_path_factory.mktemp("roomy") / "world"
    shutil.copytree(world_dir, out)
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    units["capacity"] = (units["capacity"].astype(int) + 3).astype(str)
    units.to_csv(out / "units.csv", index=False)
    return out


@pytest.fixture(scope="module")
def roomy(roomy_dir: Path) -> HRData:
    return load_data(roomy_dir)


@pytest.fixture(scope="module")
def table(roomy: HRData) -> CandidateTable:
    return CandidateTable.build(roomy, None, EligibilitySettings())


@pytest.fixture(scope="module")
def result(
    roomy: HRData, model: PlacementModel, table: CandidateTable, roomy_dir: Path
) -> PlanResult:
    return plan_round(roomy, model, [table], PlanSettings(**LOOSE), read_truth(roomy_dir))


def test_the_pilot_is_a_budget_the_round_spends_under_the_formasi(
    roomy: HRData, model: PlacementModel, table: CandidateTable
) -> None:
    """The small world's model has seen no outcome, so a round may add a pilot to the
    evidence's moves: no more pilot moves than the API's pilot holds, each likelier to help
    than not, each flagged (the narrative says so); the evidence's moves are as sure as the
    precision asks. With `pilot` 0, only those. (At the default precision the small world's
    evidence already holds more moves than a pilot may take, 5% of its staff; at `STRICT` it
    holds fewer.)"""
    scored = table.score(model, table.allowed())
    decision = PipelineSettings(**STRICT).decision
    threshold = scored.threshold(decision, ignore=("formasi_full",))
    assert threshold.pilot_moves > 0
    # the budget is the one `penataan score` sets on the same staff: its cap a share of
    # everyone with an allowed move, not only of those with a move predicted to help
    problem = build_problem(roomy, [table], model, PlanSettings(**STRICT), decision).problem
    assert problem.max_pilot == threshold.pilot_moves
    round_ = plan_round(roomy, model, [table], PlanSettings(**STRICT))
    moves, s = round_.moves, round_.summary
    trial = moves[moves["pilot"]]
    assert 0 < len(trial) <= threshold.pilot_moves and s["pilot_moves"] == len(trial)
    assert (trial["p_help"] > 0.5).all() and (trial["p_help"] < threshold.evidence).all()
    assert all("uji coba" in text for text in trial["narrative"])
    assert (moves.loc[~moves["pilot"], "p_help"] >= threshold.evidence).all()
    none = plan_round(roomy, model, [table], PlanSettings(**STRICT, pilot=0))
    assert not none.moves["pilot"].any() and none.summary["decision"]["pilot"] == 0
    assert (none.moves["p_help"] >= threshold.evidence).all() and len(none.moves) < len(moves)


def test_every_move_keeps_the_rules(result: PlanResult, table: CandidateTable) -> None:
    moves, units, s = result.moves, result.units.set_index("unit_id"), result.summary
    assert s["solver"]["status"] == "optimal" and 0 < len(moves) <= s["max_moves"]
    assert moves["nip"].is_unique
    key = table.rows.set_index(["nip", "unit_id"])
    moved = key.loc[list(zip(moves["nip"], moves["to_unit_id"], strict=True))]
    assert (moved["tenure_current"].to_numpy() >= 2.0).all()  # PP 11/2017 Pasal 190
    assert (moves["gain"] > 0).all()  # nobody ends the round predicted worse off
    unwilling = moved["willing_to_move"].to_numpy() < 0
    assert (moves["gain"].to_numpy()[unwilling] >= 3.0).all()
    over = units["headcount_before"] > units["capacity"]
    assert (units.loc[~over, "headcount_after"] <= units.loc[~over, "capacity"]).all()
    assert (units.loc[over, "headcount_after"] <= units.loc[over, "headcount_before"]).all()
    assert (units["moved_out"] <= np.floor(0.25 * units["headcount_before"])).all()
    assert units["headcount_after"].sum() == units["headcount_before"].sum()


def test_exact_round_beats_greedy_and_reports_the_truth(result: PlanResult) -> None:
    s = result.summary
    assert s["objective"] >= s["greedy"]["objective"] - 1e-9
    # The small world is too noisy to promise a true gain; bench/plan.py measures it on
    # mataram and another seed. Here: it is reported, for evaluation only.
    assert np.isfinite(s["truth"]["true_gain"]) and "evaluation only" in s["truth"]["note"]


def test_moves_are_explained_in_indonesian_without_names(result: PlanResult, roomy: HRData) -> None:
    for move in result.moves.itertuples():
        assert move.to_unit_name in move.narrative and "dibanding tetap di" in move.narrative
        assert move.reasons.startswith("gain +")
    text = result.moves.to_csv() + json.dumps(result.summary)
    assert not any(name in text for name in roomy.employees["name"])


def test_locks_and_caps_are_respected(
    roomy: HRData, model: PlacementModel, table: CandidateTable, result: PlanResult
) -> None:
    assert len(result.moves) >= 1, "the roomy world's round moves someone"
    first = result.moves.iloc[0]
    by_nip = plan_round(roomy, model, [table], PlanSettings(**LOOSE, locked_nips=[first["nip"]]))
    assert first["nip"] not in set(by_nip.moves["nip"])
    unit = first["to_unit_id"]
    by_unit = plan_round(roomy, model, [table], PlanSettings(**LOOSE, locked_units=[unit]))
    assert unit not in set(by_unit.moves["to_unit_id"]) | set(by_unit.moves["from_unit_id"])
    assert plan_round(roomy, model, [table], PlanSettings(**LOOSE, max_moves=0)).moves.empty


def test_a_round_read_a_part_of_the_staff_at_a_time_is_the_round_read_whole(
    roomy: HRData, model: PlacementModel, roomy_dir: Path, result: PlanResult
) -> None:
    """`penataan plan` builds, scores and lets go the candidate rows of 37 employees at a
    time (a province's pairs are never held at once); the round, its threshold set on every
    part together, its explanations and its figures are those of the whole table."""
    parts = PipelineSettings(score_chunk=37)
    assert len(roomy.active_nips()) > 3 * 37
    tables = staff_tables(roomy, parts)
    chunked = plan_round(roomy, model, tables, PlanSettings(**LOOSE), read_truth(roomy_dir))
    assert len(result.moves) >= 1
    pd.testing.assert_frame_equal(chunked.moves, result.moves)
    pd.testing.assert_frame_equal(chunked.units, result.units)
    assert timeless(chunked.summary) == timeless(result.summary)


@pytest.mark.parametrize("employees_a_block", [None, 7])
def test_a_round_from_pairs_scored_already_is_the_round_that_scores_them(
    roomy: HRData, model: PlacementModel, table: CandidateTable, employees_a_block: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The server's round reads the pairs it scored at load (`ScoredPairs`: every pair,
    no feature rows), block by block; the round, its threshold, explanations and figures
    are those of the round that scores only what the rules allow, locks included."""
    if employees_a_block is not None:  # many blocks, not the small world's one
        assert len(table.nips) > 3 * employees_a_block
        monkeypatch.setattr("planning.problem.PAIRS_PER_BLOCK", employees_a_block * table.n_units)
    joined = JoinedStaff(len(table.nips))  # what the server keeps: scores, no feature rows
    joined.add(table.score(model))
    scored = joined.result()
    people = person_values(table)
    for name in people:  # a copy: the server keeps it, and must not keep the rows with it
        assert not np.shares_memory(people[name].to_numpy(), table.rows[name].to_numpy())
    locked = table.nips[3], table.unit_ids[5]
    for rules in (LOOSE, LOOSE | {"locked_nips": [locked[0]], "locked_units": [locked[1]]}, {}):
        tables = plan_round(roomy, model, [table], PlanSettings(**rules))
        pairs = plan_round(roomy, model, ScoredPairs(scored, people), PlanSettings(**rules))
        assert len(tables.moves) >= (1 if rules else 0)
        pd.testing.assert_frame_equal(pairs.moves, tables.moves)
        pd.testing.assert_frame_equal(pairs.units, tables.units)
        assert timeless(pairs.summary) == timeless(tables.summary)


def test_a_round_in_the_blackout_window_is_refused(
    roomy: HRData, model: PlacementModel, table: CandidateTable
) -> None:
    as_of = table.as_of.date()
    inside = PlanSettings(**LOOSE, head_of_region_inaugurated=as_of - dt.timedelta(days=30))
    with pytest.raises(PlanRefused, match="Pasal 71"):
        plan_round(roomy, model, [table], inside)
    after = PlanSettings(**LOOSE, head_of_region_inaugurated=as_of - dt.timedelta(days=200))
    assert plan_round(roomy, model, [table], after).summary["moves"] > 0


def test_a_lock_must_name_someone_the_data_knows(
    roomy: HRData, model: PlacementModel, table: CandidateTable, result: PlanResult
) -> None:
    """A lock that names no one locks no one: a NIP mistyped in the list would leave that
    person free to be moved, unseen. The round refuses it, naming the values; a NIP as
    printed on an SK (`19850312 201001 1 001`) is read as its 18 digits, as the pages read it."""
    first = result.moves.iloc[0]
    n = str(first["nip"])
    printed = f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"
    locked = plan_round(roomy, model, [table], PlanSettings(**LOOSE, locked_nips=[printed]))
    assert n not in set(locked.moves["nip"])
    stranger = "19700101" + n[8:]
    assert stranger not in set(roomy.employees["nip"])
    with pytest.raises(UnknownLocks, match=stranger) as refused:
        plan_round(roomy, model, [table], PlanSettings(**LOOSE, locked_nips=[n, stranger]))
    assert refused.value.field == "locked_nips" and n not in str(refused.value)
    with pytest.raises(UnknownLocks, match="NO-SUCH-UNIT") as refused:
        plan_round(roomy, model, [table], PlanSettings(**LOOSE, locked_units=["NO-SUCH-UNIT"]))
    assert refused.value.field == "locked_units"
    with pytest.raises(ValidationError, match="18 digits"):
        PlanSettings(locked_nips=["12345"])


def test_cli_writes_the_four_files(
    roomy_dir: Path, tmp_path: Path, result: PlanResult, cli_registry: str
) -> None:
    out, config = tmp_path / "round", tmp_path / "plan.json"
    config.write_text(json.dumps(LOOSE))
    args = ["plan", "--data", str(roomy_dir), "--out", str(out), "--config", str(config)]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    moves = pd.read_csv(out / "moves.csv", dtype={"nip": str})
    assert list(moves.columns) == ["suggestion_id", "nip", "from_unit_id", "to_unit_id", "predicted_before",
                                   "predicted_after", "gain", "gain_low", "gain_high",
                                   "p_help", "raw_gain", "reasons", "pilot"]  # fmt: skip
    assert ((moves["p_help"] > 0) & (moves["p_help"] <= 1)).all()
    assert list(moves["nip"]) == list(result.moves["nip"])
    units = pd.read_csv(out / "units.csv")
    assert {"capacity", "headcount_before", "headcount_after", "moved_out", "moved_in"} <= set(
        units.columns
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solver"]["status"] == "optimal" and "truth" in summary
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "Usulan mutasi" in html
    # each move's explanation under it, across the table (readable, not a column of words)
    why = re.findall(r'<tr class="why"><td colspan="8">(.*?)</td></tr>', html, re.S)
    assert len(why) == len(moves) and all("Perkiraan nilai kinerja" in w for w in why)
    # its numbers in id-ID, as its narratives write them (`72,3`: `72.3` is a thousands dot)
    cells = re.findall(r'<td class="n">([^<]*)</td>', html)
    assert any(re.search(r"\d,\d", cell) for cell in cells)
    assert not any(re.search(r"\d\.\d{1,2}\b", cell) for cell in cells)
    for word in ("religion", "agama", "marital", "birth_date", "jenis kelamin"):
        assert word not in html.lower()


def test_cli_refuses_a_bad_config(roomy_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "plan.json"
    config.write_text(json.dumps({"max_moves_share": 2}))
    args = ["plan", "--data", str(roomy_dir), "--out", str(tmp_path / "x"), "--config", str(config)]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 2 and "max_moves_share" in run.output
    config.write_text(json.dumps({"locked_units": ["NO-SUCH-UNIT"]}))
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 2 and "locked_units" in run.output and "NO-SUCH-UNIT" in run.output
    assert not (tmp_path / "x").exists()


def test_api_plan_is_admin_only_and_matches_plan_round(
    api: Api, hr_data: HRData, model: PlacementModel
) -> None:
    assert api.client.post("/v1/plan", json={}, headers=api.headers("hr")).status_code == 403
    response = api.client.post("/v1/plan", json={"config": LOOSE}, headers=api.headers("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    table = CandidateTable.build(hr_data, None, EligibilitySettings())
    direct = plan_round(hr_data, model, [table], PlanSettings(**LOOSE))
    assert [m["nip"] for m in body["moves"]] == list(direct.moves["nip"])
    assert body["summary"]["objective"] == pytest.approx(direct.summary["objective"])
    assert body["model"]["version"] == "1" and len(body["units"]) == len(hr_data.units)
    # on the served date the round reads the pairs scored at load; on another it scores
    earlier = table.as_of - pd.DateOffset(months=2)
    then = {"as_of": str(earlier.date()), "config": LOOSE}
    response = api.client.post("/v1/plan", json=then, headers=api.headers("admin"))
    assert response.status_code == 200, response.text
    direct = plan_round(hr_data, model, [CandidateTable.build(hr_data, earlier, EligibilitySettings())], PlanSettings(**LOOSE))  # fmt: skip
    assert len(direct.moves) >= 1
    assert [m["nip"] for m in response.json()["moves"]] == list(direct.moves["nip"])
    assert response.json()["summary"]["as_of"] == str(earlier.date())
    bad_config = {"config": {"max_unit_outflow_share": -1}}
    bad = api.client.post("/v1/plan", json=bad_config, headers=api.headers("admin"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "config.max_unit_outflow_share"
    as_of = table.as_of.date()
    blackout = {"config": {"head_of_region_inaugurated": str(as_of - dt.timedelta(days=10))}}
    refused = api.client.post("/v1/plan", json=blackout, headers=api.headers("admin"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "as_of"
    stranger = {"config": {"locked_units": ["NO-SUCH-UNIT"]}}
    refused = api.client.post("/v1/plan", json=stranger, headers=api.headers("admin"))
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["field"] == "config.locked_units" and "NO-SUCH-UNIT" in error["message"]


def test_unit_names_with_tex_markup_do_not_break_the_report(
    result: PlanResult, tmp_path: Path
) -> None:
    """Matplotlib reads `$...$` as TeX math; a unit name is data and must print as written."""
    units = result.units.copy()
    units["unit_name"] = [("Bagian $x^{$", "$$", "\\frac{a}{")[i % 3] for i in range(len(units))]
    hostile = PlanResult(result.moves, units, result.summary)
    paths = write_plan(hostile, tmp_path)
    assert all(path.stat().st_size > 0 for path in paths)


def test_a_failed_write_keeps_the_previous_round_whole(
    result: PlanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills while the fourth file is written leaves the old files, not a new
    moves.csv beside an old report.html, and no temporary file behind."""
    write_plan(result, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    shorter = PlanResult(result.moves.head(1), result.units, result.summary)

    def full_disk(_: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("planning.report.strict_json", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_plan(shorter, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_committee_fills_in_the_rounds_workbook(
    roomy_dir: Path, tmp_path: Path, cli_registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moves.xlsx is moves.csv as numbers and text whatever Excel's locale, with the
    committee's columns empty; filled in (a date typed as a date, a note that begins with
    `=`) and saved, it is read back as decisions. A unit name or reason is stored as text,
    never run as a formula."""
    import openpyxl

    # its own record: the rounds of this module suggest the same moves (the same ids)
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(tmp_path / "decisions.db"))
    out, config = tmp_path / "round", tmp_path / "plan.json"
    config.write_text(json.dumps(LOOSE))
    args = ["plan", "--data", str(roomy_dir), "--out", str(out), "--config", str(config)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    moves = pd.read_csv(out / "moves.csv", dtype={"nip": str})
    book = openpyxl.load_workbook(out / "moves.xlsx")
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header == [*moves.columns, "decision", "reason_code", "note", "alt_unit_id", "sk_number", "tmt"]  # fmt: skip
    first = [c.value for c in sheet[2]]
    assert first[header.index("nip")] == moves.loc[0, "nip"]  # text: all 18 digits
    assert first[header.index("gain")] == pytest.approx(moves.loc[0, "gain"])  # a number
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert_paper_offers_the_vocabulary(out / "moves.xlsx", len(moves))
    col = {name: k + 1 for k, name in enumerate(header)}
    sheet.cell(2, col["decision"], "Setuju")
    sheet.cell(2, col["reason_code"], "sesuai_kompetensi")
    sheet.cell(2, col["sk_number"], "800/123/BKPSDM/2026")
    sheet.cell(2, col["tmt"], dt.datetime(2026, 3, 1))  # Excel keeps a typed date as a date
    sheet.cell(3, col["decision"], "tolak")
    sheet.cell(3, col["reason_code"], "dibutuhkan_unit_asal")
    sheet.cell(3, col["note"], "=masih dibutuhkan").data_type = "s"
    book.save(out / "moves.xlsx")
    record = ["decisions", "import", str(out / "moves.xlsx"), "--stage", "hr", "--by", "Bidang Mutasi"]  # fmt: skip
    done = CliRunner().invoke(cli, record)
    assert done.exit_code == 0 and "2 decision(s) recorded" in done.stdout, done.output
    twice = CliRunner().invoke(cli, record)  # the same paper again: nothing new, no conflict
    assert twice.exit_code == 0, twice.output
    assert "0 decision(s) recorded at the hr stage, 2 already on the record as the file has them" in twice.stdout  # fmt: skip
    round_id = json.loads((out / "summary.json").read_text())["round_id"]
    paper = tmp_path / "berita-acara.html"
    made = CliRunner().invoke(cli, ["decisions", "minutes", "--round", round_id, "--out", str(paper)])  # fmt: skip
    assert made.exit_code == 0
    html = paper.read_text()
    assert "800/123/BKPSDM/2026" in html and "=masih dibutuhkan" in html


def test_the_committee_decides_on_the_rounds_moves_file(
    roomy_dir: Path, tmp_path: Path, cli_registry: str
) -> None:
    """moves.csv with decision columns comes back as decisions (every bad row named first),
    also as a spreadsheet saves it, and `decisions verify` finds a row edited by hand."""
    import os
    import sqlite3

    out, config = tmp_path / "round", tmp_path / "plan.json"
    config.write_text(json.dumps(LOOSE))
    args = ["plan", "--data", str(roomy_dir), "--out", str(out), "--config", str(config)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    moves = pd.read_csv(out / "moves.csv", dtype=str)
    assert len(moves) and moves["suggestion_id"].str.startswith("sg_").all()
    moves["decision"], moves["reason_code"], moves["note"] = "", "", ""
    reviewed = tmp_path / "reviewed.csv"
    record = ["decisions", "import", str(reviewed), "--stage", "hr", "--by", "Bidang Mutasi"]
    for decision, reason, problem in (
        ("pindah", "lainnya", "reviewed.csv, row 2, column decision: 'pindah'"),
        ("tolak", "dibutuhkan_unit_asal", "reviewed.csv, row 2, column note: a note is required to record 'tolak'"),
        ("tolak", "menunggu_formasi", "reviewed.csv, row 2, column reason_code: 'menunggu_formasi' does not fit 'tolak'"),
    ):  # fmt: skip
        moves.loc[0, ["decision", "reason_code"]] = [decision, reason]
        moves.to_csv(reviewed, index=False)
        bad = CliRunner().invoke(cli, record)
        assert bad.exit_code == 1 and problem in bad.stderr and "0 decision(s)" in bad.stdout
    moves.loc[0, ["reason_code", "note"]] = ["dibutuhkan_unit_asal", "bendahara Andé"]
    moves.to_csv(reviewed, index=False, encoding="cp1252")  # Excel's "CSV" on Windows
    bad = CliRunner().invoke(cli, record)
    assert bad.exit_code == 1 and "not UTF-8 text (line 2, byte 0xe9: " in bad.stderr
    # as Excel in an Indonesian locale saves it: `;`, a BOM, the decision as a person typed it
    moves.loc[0, ["decision", "note"]] = ["Tolak", "satu-satunya bendahara"]
    moves.to_csv(reviewed, index=False, sep=";", encoding="utf-8-sig")
    good = CliRunner().invoke(cli, record)
    assert good.exit_code == 0 and "1 decision(s) recorded" in good.stdout, good.output
    assert CliRunner().invoke(cli, ["decisions", "verify"]).exit_code == 0
    round_id = json.loads((out / "summary.json").read_text())["round_id"]
    paper = tmp_path / "berita-acara.html"
    made = CliRunner().invoke(
        cli, ["decisions", "minutes", "--round", round_id, "--out", str(paper)]
    )
    assert made.exit_code == 0, made.output
    html = paper.read_text()
    assert "Berita Acara" in html and moves.loc[0, "nip"] in html and "Tolak" in html
    assert "Masih dibutuhkan di unit asal" in html and "satu-satunya bendahara" in html
    assert "Bidang Mutasi" in html and "WITA" in html and "belum diputuskan" in html
    unknown = CliRunner().invoke(
        cli, ["decisions", "minutes", "--round", "rd_nope", "--out", str(paper)]
    )
    assert unknown.exit_code == 1 and "no round 'rd_nope'" in unknown.stderr
    with sqlite3.connect(os.environ["PENATAAN_DECISIONS_DB"]) as db:
        db.execute("drop trigger decisions_no_update")
        db.execute("update decisions set note = 'diubah' where seq = (select max(seq) from decisions)")  # fmt: skip
    broken = CliRunner().invoke(cli, ["decisions", "verify"])
    assert broken.exit_code == 1 and "does not match its hash" in broken.stderr
