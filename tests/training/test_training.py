"""Training end to end on the small world: registry, gating, scoring, explanations."""

from __future__ import annotations

import dataclasses
import gc
import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from features import vocab
from features.contract.validate import ContractError, load_data
from features.data import HRData
from features.definitions import FEATURE_SET
from features.pipeline import (
    KEY_COLUMNS,
    build_features,
    candidate_pairs,
    features_at,
    take_snapshot,
)
from penataan.cli import app
from tests.helpers import FAST, SessionRun
from training import registry
from training.candidates import CandidateTable, JoinedStaff, ScoredTable
from training.evaluation import decision_metrics, read_truth, staff_truth_metrics
from training.fairness import fairness_report
from training.gain import Decision
from training.model import PlacementModel
from training.rows import split_by_time, training_rows
from training.run import TrainResult, train
from training.scoring import score_candidates, score_staff, staff_tables
from training.settings import PART_PAIRS, PipelineSettings
from training.unit_levels import UnitLevels


@pytest.fixture(scope="module")
def registry_settings(
    session_run: SessionRun, tmp_path_factory: pytest.TempPathFactory
) -> PipelineSettings:
    """This module's registry: the session run's, copied, since its tests retrain, fail
    and promote in it."""
    settings = session_run.registry_copy(tmp_path_factory.mktemp("mlflow"))
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)  # as the run left MLflow pointed
    return settings


@pytest.fixture(scope="module")
def first_run(session_run: SessionRun, registry_settings: PipelineSettings) -> TrainResult:
    """The first training into an empty registry: the session's (the same world, settings
    and parameters), whose registry this module holds a copy of."""
    return session_run.result


def test_train_registers_first_model_as_champion(
    first_run: TrainResult, registry_settings: PipelineSettings
) -> None:
    assert first_run.promoted and first_run.version == "1"
    champion = registry.load_registered(registry_settings.champion_uri)
    assert champion.version == "1" and champion.tags["feature_set"] == FEATURE_SET
    name, alias = registry_settings.model_name, registry_settings.model_alias
    assert registry.alias_version(name, alias) == "1"  # what the gate names, loadable or not
    assert registry.alias_version(name, "no-such-alias") is None


def test_train_reports_model_beside_baselines_and_truth(first_run: TrainResult) -> None:
    m = first_run.metrics
    assert {"model", "global_mean", "unit_mean", "education_rule", "linear", "stay"} <= set(m.index)
    assert m.loc["model", "rmse"] < m.loc["global_mean", "rmse"]
    assert m.loc["model", "move_regret"] < m.loc["education_rule", "move_regret"]
    assert 0.7 < m.loc["model", "interval_coverage"] < 0.9  # conformal: calibrated on it
    assert np.isnan(m.loc["stay", "move_regret"])


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_a_world_without_truth_trains_and_is_still_audited(
    world_copy: Path, tmp_path: Path
) -> None:
    """An agency's data has no truth: the run reports the held-out period beside the
    baselines, no decision metric, and the merit-system audit still reads every employee's
    first suggestion (the staff scored a part at a time)."""
    (world_copy / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE).unlink()
    settings = PipelineSettings(mlflow_tracking_uri=f"sqlite:///{tmp_path / 'm.db'}", score_chunk=50)  # fmt: skip
    module_registry = mlflow.get_tracking_uri()
    try:
        run = train(world_copy, settings, FAST)
        fairness = mlflow.artifacts.download_artifacts(run_id=run.run_id, artifact_path="fairness.json", dst_path=str(tmp_path))  # fmt: skip
    finally:
        mlflow.set_tracking_uri(module_registry)  # the other tests read the module's registry
    assert "move_regret" not in run.metrics.columns and "stay" not in run.metrics.index
    audit = json.loads(Path(fairness).read_text())
    people = sum(v["n"] for v in audit["sex"]["top_suggestion_gain"].values())
    assert people > 0.9 * len(load_data(world_copy).active_nips())


def test_run_logs_importance_calibration_and_fairness(first_run: TrainResult) -> None:
    client = mlflow.MlflowClient()
    names = {a.path for a in client.list_artifacts(first_run.run_id)}
    assert {
        "feature_importance.csv",
        "feature_importance.png",
        "interval_calibration.png",
        "fairness.json",
    } <= names
    assert "data_fingerprint" in client.get_run(first_run.run_id).data.tags


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_same_retrain_does_not_take_the_alias(
    first_run: TrainResult, world_dir: Path, registry_settings: PipelineSettings
) -> None:
    again = train(world_dir, registry_settings, FAST)
    assert not again.promoted and "does not beat" in again.reason
    client = mlflow.MlflowClient()
    assert (
        str(client.get_model_version_by_alias(registry_settings.model_name, "champion").version)
        == "1"
    )
    assert (
        str(client.get_model_version_by_alias(registry_settings.model_name, "challenger").version)
        == again.version
    )


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_a_champion_promoted_while_a_run_compared_is_compared_again(
    first_run: TrainResult, world_dir: Path, registry_settings: PipelineSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Two runs finishing together each compared with the same champion, and the later one
    moved the alias without seeing what the other had promoted meanwhile. Here another run
    promotes a version (v1's model registered again) while this retrain compares with v1 and
    says it wins: the retrain reads the alias again, compares with that version instead, and
    leaves it in place."""
    import training.run as run_module
    from training.gate import decide

    client = mlflow.MlflowClient()
    name, alias = registry_settings.model_name, registry_settings.model_alias
    v1 = client.get_model_version(name, "1")
    calls: list[str | None] = []

    def racing(metrics: dict[str, dict[str, float]], holder: str | None, *rest: object) -> tuple[bool, str]:  # fmt: skip
        calls.append(holder)
        if len(calls) == 1:  # another run promotes while this one compares with v1
            other = client.create_model_version(name, str(v1.source), v1.run_id, tags=v1.tags)
            registry.set_alias(name, alias, other.version)
            return True, "held-out RMSE beats champion v1"
        return decide(metrics, holder, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "decide", racing)
    try:
        again = train(world_dir, registry_settings, FAST)
        other = calls[-1]
        assert calls[0] == "1" and other not in ("1", again.version) and len(calls) == 2
        assert not again.promoted and f"does not beat champion v{other}" in again.reason
        assert registry.alias_version(name, alias) == other
        assert registry.alias_version(name, "challenger") == again.version
    finally:  # the module's later tests hold v1 as the champion
        registry.set_alias(name, alias, "1")


def test_runs_on_one_machine_take_turns_at_the_gate(tmp_path: Path) -> None:
    """The gate's lock is one per registry and model name: while a run holds it another
    waits (here a try that does not wait fails), and it is free once the run is done."""
    import fcntl
    import os
    import threading
    import time

    uri, name = f"sqlite:///{tmp_path / 'mlflow.db'}", "penataan-placement"

    def taken() -> bool:
        handle = os.open(registry.gate_lock_path(uri, name), os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(handle)

    with registry.gate_lock(uri, name):
        assert taken()
        told: list[Path] = []

        def another_run() -> None:
            with registry.gate_lock(uri, name, told.append):
                pass

        waits = threading.Thread(target=another_run)
        waits.start()  # another run: it says what it waits for, and waits
        deadline = time.monotonic() + 30  # a loaded machine may start the thread late
        while not told and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waits.is_alive() and told == [registry.gate_lock_path(uri, name)]
    waits.join(timeout=5)  # its turn comes once this run's lock is released
    assert not waits.is_alive() and not taken()
    assert registry.gate_lock_path(uri, "another-model") != registry.gate_lock_path(uri, name)


def test_a_new_way_of_ranking_moves_takes_the_alias_only_with_a_score_no_worse() -> None:
    """Two models with one score (the same booster) differ only in how they rank moves:
    the new ranking is promoted when its score is no worse, never when it is worse, and a
    tie with the same ranking changes nothing."""
    from training.gate import decide

    table = {"model": {"rmse": 4.0}, "global_mean": {"rmse": 8.0}, "unit_mean": {"rmse": 7.0}}
    change = "the booster alone -> the booster and the within-person model, caution 0.5"
    promoted, reason = decide(table, "2", 4.0, [], change)
    assert promoted and "ranks moves otherwise" in reason and change in reason
    assert not decide(table, "2", 3.9, [], change)[0]  # a worse score: never
    assert not decide(table, "2", 4.0, [])[0]  # the same ranking, the same score
    shuffled = {**table, "model": {"rmse": 7.9}}
    assert not decide(shuffled, "2", 8.5, [], change)[0]  # broken data is still refused
    promoted, reason = decide(table, "2", None, [])  # a champion this code cannot load
    assert promoted and reason.startswith("champion v2 cannot be compared")
    assert not decide(shuffled, "2", None, [])[0]


def test_how_the_penalty_is_set_is_part_of_the_ranking(registry_settings: PipelineSettings) -> None:
    """The within-person penalty chosen on the rows ranks moves otherwise than a fixed one
    (a champion saved before the choice records none), so the gate may promote it on a
    score no worse; the same method choosing another value is the same ranking."""
    model = registry.load_registered(registry_settings.champion_uri).model
    assert model.within is not None and model.ranking.endswith("penalty chosen on the rows")
    shrunk = dataclasses.replace(model, unit_levels=UnitLevels({}))  # `unit_shrink`
    assert shrunk.ranking.endswith("units' levels shrunk for their staff")

    def with_info(info: dict[str, object]) -> PlacementModel:
        assert model.within is not None
        return dataclasses.replace(model, within=dataclasses.replace(model.within, info=info))

    rows = {"rows": model.within.info["rows"]}
    assert with_info(rows).ranking.endswith("a fixed penalty")  # saved before the choice
    assert with_info(rows | {"alpha": 100.0}).ranking.endswith("penalty 100")  # --config
    other = rows | {"alpha": 10_000.0, "alpha_chosen_by": "the last period held out"}
    assert with_info(other).ranking == model.ranking
    assert (
        len({model.ranking, with_info(rows).ranking, with_info(rows | {"alpha": 100.0}).ranking})
        == 3
    )


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_failed_run_never_touches_aliases(
    first_run: TrainResult,
    world_dir: Path,
    registry_settings: PipelineSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry, "log_and_register", boom)
    with pytest.raises(RuntimeError):
        train(world_dir, registry_settings, FAST)
    version = (
        mlflow.MlflowClient()
        .get_model_version_by_alias(registry_settings.model_name, "champion")
        .version
    )
    assert str(version) == "1"


def test_invalid_data_is_refused_before_any_run(
    world_copy: Path, registry_settings: PipelineSettings
) -> None:
    mlflow.set_tracking_uri(registry_settings.mlflow_tracking_uri)
    before = len(mlflow.search_runs(experiment_names=[registry_settings.experiment]))
    ev = pd.read_csv(world_copy / "evaluations.csv", dtype=str)
    ev.loc[0, "score"] = "250"
    ev.to_csv(world_copy / "evaluations.csv", index=False)
    with pytest.raises(ContractError):
        train(world_copy, registry_settings, FAST)
    assert len(mlflow.search_runs(experiment_names=[registry_settings.experiment])) == before


def test_registered_model_predicts_like_in_memory_and_explains_exactly(
    first_run: TrainResult, hr_data: HRData, registry_settings: PipelineSettings
) -> None:
    loaded = registry.load_registered(registry_settings.champion_uri)
    rows = build_features(hr_data, candidate_pairs(hr_data)).head(200)
    pred = loaded.model.predict(rows)
    contrib = loaded.model.contributions(rows)
    np.testing.assert_allclose(contrib.sum(axis=1), pred["predicted_score"], atol=1e-6)
    assert (pred["low"] <= pred["predicted_score"]).all() and (
        pred["predicted_score"] <= pred["high"]
    ).all()
    pyfunc = mlflow.pyfunc.load_model(f"models:/{registry_settings.model_name}/1")
    via_pyfunc = pyfunc.predict(registry.example_rows(rows))
    np.testing.assert_allclose(via_pyfunc["predicted_score"], pred["predicted_score"].head(5))


def test_training_is_deterministic(hr_data: HRData) -> None:
    rows = training_rows(hr_data)
    fit_rows, valid = split_by_time(rows)
    a = PlacementModel.fit(fit_rows, FAST, valid).predict(valid)
    b = PlacementModel.fit(fit_rows, FAST, valid).predict(valid)
    pd.testing.assert_frame_equal(a, b)


def _tiny_table() -> CandidateTable:
    """Two employees x three units; a stays in u, b in v."""
    rows = pd.DataFrame(
        {
            "nip": ["a"] * 3 + ["b"] * 3,
            "unit_id": ["u", "v", "w"] * 2,
            "is_stay": [1, 0, 0, 0, 1, 0],
        }
    )
    return CandidateTable(
        pd.Timestamp("2026-01-01"), pd.Index(["a", "b"]), pd.Index(["u", "v", "w"]), rows,
        np.zeros((6, 0), dtype=bool), (), np.array([0, 1]),
    )  # fmt: skip


def test_decision_metrics_of_the_truth_itself_are_perfect() -> None:
    table = _tiny_table()
    true = np.array([70.0, 80.0, 75.0, 60.0, 65.0, 90.0])
    perfect = decision_metrics(table, true, true)
    assert perfect["top1_regret"] == 0 and perfect["move_regret"] == 0
    assert perfect["spearman"] == pytest.approx(1.0) and perfect["ndcg_at_5"] == pytest.approx(1.0)
    assert perfect["true_gain_top1"] == pytest.approx((10 + 25) / 2)
    worst = decision_metrics(table, -true, true)
    assert worst["top1_regret"] == pytest.approx((10 + 30) / 2)
    staying = decision_metrics(table, true, true, top=np.array([0, 4]))  # a policy that stays
    assert staying["top1_regret"] == pytest.approx((10 + 25) / 2) and staying["true_gain_top1"] == 0


def test_policy_ranks_suggested_moves_first_then_staying() -> None:
    """A move ranks before staying only when the decision suggests it (its probability of
    helping clears the threshold the precision sets over everyone's best move, and its
    interval the optional floor); ranks follow the gain within each tier."""
    table = _tiny_table()
    predicted = np.array([70.0, 74.0, 71.0, 60.0, 61.0, 65.0])
    gain = np.array([0.0, 4.0, 1.0, -1.0, 0.0, 4.0])
    low = np.array([0.0, 0.5, -2.0, -4.0, 0.0, -0.5])
    p_help = np.array([0.0, 0.9, 0.6, 0.3, 0.0, 0.7])
    scored = ScoredTable(
        table, predicted, predicted - 3, predicted + 3, gain, gain, low, gain + 3, p_help, 0
    )
    # best moves: a -> v (0.9), b -> w (0.7); their mean 0.8 reaches precision 0.8
    np.testing.assert_array_equal(scored.ranks(Decision(0.8)), [2, 1, 3, 3, 2, 1])
    np.testing.assert_array_equal(scored.top(Decision(0.8)), [1, 5])
    np.testing.assert_array_equal(scored.top(Decision(0.85)), [1, 4])  # b stays
    np.testing.assert_array_equal(scored.top(Decision(0.95)), [0, 4])  # both stay
    np.testing.assert_array_equal(scored.top(Decision(0.8, min_gain_low=0.0)), [1, 4])
    # a move a rule forbids is never suggested, however sure
    forbidding = dataclasses.replace(
        table, broken=np.array([[False], [True], [False], [False], [False], [False]]),
        rule_codes=("formasi_full",),
    )  # fmt: skip
    rescored = dataclasses.replace(scored, table=forbidding)
    assert not rescored.suggested(Decision(0.5))[1]
    assert rescored.suggested(Decision(0.5), ignore=("formasi_full",))[1]


def test_cli_score_writes_ranked_rows(
    first_run: TrainResult, world_dir: Path, registry_settings: PipelineSettings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry_settings.mlflow_tracking_uri)
    # at the default 0.8 the small world's evidence already holds more moves than a pilot
    # may take (5% of the staff): a stricter precision leaves the pilot room
    monkeypatch.setenv("PENATAAN_PRECISION", "0.9")
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(
        app, ["score", "--data", str(world_dir), "--out", str(out), "--all-units"]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype={"nip": str})
    assert list(frame.columns) == [
        "nip", "unit_id", "predicted_score", "low", "high", "gain", "gain_low", "gain_high",
        "p_help", "is_current", "suggested", "rank", "pilot",
    ]  # fmt: skip
    assert (frame.groupby("nip")["rank"].min() == 1).all()
    assert (frame.groupby("nip")["is_current"].sum() == 1).all()
    first = frame[frame["rank"] == 1]
    # the policy: the first suggestion is a suggested move or staying; suggested moves are the
    # surest ones, as many as keep their expected share that helps at the precision (0.9)
    assert (first["is_current"] | first["suggested"]).all()
    assert (frame.loc[frame["is_current"], ["gain", "p_help"]] == 0).all().all()
    moving = first[first["suggested"]]
    proven = moving[~moving["pilot"]]
    if len(proven):
        assert proven["p_help"].mean() >= 0.9 - 1e-3
    # the line has seen no outcome, so a pilot: the surest of the rest, each likelier to help
    # than not, no more than 5% of the staff, always among the suggested moves
    trial = moving[moving["pilot"]]
    assert 0 < len(trial) <= 0.05 * frame["nip"].nunique() and (trial["p_help"] > 0.5).all()
    assert not (frame["pilot"] & ~frame["suggested"]).any()
    assert frame.loc[frame["suggested"], "p_help"].min() >= moving["p_help"].min() - 1e-3
    eligible = tmp_path / "eligible.parquet"
    result = CliRunner().invoke(app, ["score", "--data", str(world_dir), "--out", str(eligible)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(eligible)) < len(frame)


@pytest.mark.parametrize("all_units", [True, False])
def test_scoring_a_part_at_a_time_gives_the_rows_of_scoring_all_at_once(
    first_run: TrainResult, hr_data: HRData, registry_settings: PipelineSettings,
    all_units: bool,
) -> None:  # fmt: skip
    model = registry.load_registered(registry_settings.champion_uri).model
    # a looser precision so that some moves are suggested and the shared threshold matters
    whole = registry_settings.model_copy(update={"score_chunk": 10**6, "precision": 0.5})
    parts = whole.model_copy(update={"score_chunk": 37})  # parts of unequal size
    once = score_candidates(hr_data, model, whole, all_units=all_units)
    chunked = score_candidates(hr_data, model, parts, all_units=all_units)
    assert len(hr_data.active_nips()) > 3 * 37 and once["suggested"].any()
    pd.testing.assert_frame_equal(once, chunked)


def test_a_staff_scored_in_parts_joins_into_the_table_scored_at_once(
    first_run: TrainResult, hr_data: HRData, registry_settings: PipelineSettings
) -> None:
    """The API holds the staff's parts written into one table as each is scored, without
    their feature rows: every row's scores and rules where scoring everyone at once puts
    them; and a row it rebuilds from its kept snapshot to explain it is the row
    `build_features` made."""
    model = registry.load_registered(registry_settings.champion_uri).model
    whole = registry_settings.model_copy(update={"score_chunk": 10**6})
    parts = whole.model_copy(update={"score_chunk": 37})

    def joined_by(settings: PipelineSettings) -> ScoredTable:
        staff = JoinedStaff(len(hr_data.active_nips()))
        kept = score_staff(hr_data, model, settings, all_units=True, visit=staff.add, keep=False)
        assert len(kept.parts) == 0  # nothing of the parts is held twice
        return staff.result()

    once, joined = joined_by(whole), joined_by(parts)
    assert joined.table.nips.equals(once.table.nips) and len(joined.table) == len(once.table)
    np.testing.assert_array_equal(joined.table.broken, once.table.broken)
    np.testing.assert_array_equal(joined.table.stay_unit, once.table.stay_unit)
    for name in ("predicted", "low", "high", "raw_gain", "gain", "gain_low", "gain_high", "p_help"):
        np.testing.assert_allclose(getattr(joined, name), getattr(once, name), rtol=1e-12)
    with pytest.raises(ValueError, match="0 of 3 employees"):
        JoinedStaff(3).result()

    table = CandidateTable.build(hr_data, None, whole)
    picked = np.sort(np.random.default_rng(1).choice(len(table), 60, replace=False))
    expected = table.rows.iloc[picked].reset_index(drop=True)
    rebuilt = features_at(take_snapshot(hr_data, table.as_of), expected[KEY_COLUMNS])
    pd.testing.assert_frame_equal(rebuilt, expected)


def test_the_parts_share_one_snapshot_and_wait_on_disk(
    first_run: TrainResult, hr_data: HRData, registry_settings: PipelineSettings
) -> None:
    """The parts' rows come from one snapshot of the records taken for the whole staff, and
    are the rows `build_features` makes part by part; a snapshot of another date is refused.
    Between the two passes the parts' scores are files, gone with the scored staff."""
    settings = registry_settings.model_copy(update={"score_chunk": 37})
    t = hr_data.default_as_of()
    parts = list(staff_tables(hr_data, settings, t))
    assert [len(p.nips) for p in parts[:-1]] == [37] * (len(parts) - 1) and len(parts) > 3
    for part in (parts[0], parts[-1]):
        alone = CandidateTable.build(hr_data, t, settings, part.nips)  # its own snapshot
        pd.testing.assert_frame_equal(part.rows, alone.rows)
        np.testing.assert_array_equal(part.broken, alone.broken)
    earlier = take_snapshot(hr_data, t - pd.DateOffset(years=1))
    with pytest.raises(ValueError, match="a snapshot of"):
        CandidateTable.build(hr_data, t, settings, parts[0].nips, earlier)

    model = registry.load_registered(registry_settings.champion_uri).model
    staff = score_staff(hr_data, model, settings)
    folder = staff.parts.folder
    assert folder is not None and len(list(folder.glob("*"))) == len(staff.parts) == len(parts)
    first, where = next(iter(staff.parts))
    assert list(first.table.rows.columns) == ["nip", "unit_id"] and where is not None
    assert first.table.nips.equals(parts[0].nips) and staff.as_of == t
    del staff, first
    gc.collect()
    assert not folder.exists()


def test_a_part_is_a_number_of_employees_or_of_pairs() -> None:
    """Unset, a part is about `PART_PAIRS` pairs' worth of employees, so its memory does not
    grow with the units (a province's 2,547); `PENATAAN_SCORE_CHUNK` sets it exactly."""
    assert PipelineSettings().part_size(283) == PART_PAIRS // 283 == 1060
    assert PipelineSettings().part_size(2547) == 117
    assert PipelineSettings().part_size(10**7) == 1  # one employee at least
    assert PipelineSettings(score_chunk=37).part_size(2547) == 37


def test_truth_metrics_and_the_audit_read_the_staff_in_parts_as_at_once(
    first_run: TrainResult, world_dir: Path, hr_data: HRData,
    registry_settings: PipelineSettings,
) -> None:  # fmt: skip
    """Training judges every employee in every unit a part at a time (bounded memory, a
    province's 125M pairs): every figure against the truth and the audit's are those of the
    whole staff at once, the decision's threshold included."""
    model = registry.load_registered(registry_settings.champion_uri).model
    truth = read_truth(world_dir)
    assert truth is not None
    rows = training_rows(hr_data)
    whole = registry_settings.model_copy(update={"score_chunk": 10**6, "precision": 0.5})
    parts = whole.model_copy(update={"score_chunk": 37})
    once, staff_once = staff_truth_metrics(hr_data, model, truth, rows, whole)
    chunked, staff_parts = staff_truth_metrics(hr_data, model, truth, rows, parts)
    assert len(staff_once.parts) == 1 and len(staff_parts.parts) > 3
    assert once["model"]["suggested_share"] > 0  # the shared threshold is exercised
    assert set(once) == set(chunked) == {"model", "global_mean", "unit_mean", "education_rule", "linear", "stay"}  # fmt: skip
    for name, values in once.items():
        assert set(values) == set(chunked[name])
        assert values == pytest.approx(chunked[name], rel=1e-9, nan_ok=True), name
    valid = split_by_time(rows)[1]
    held = model.point(valid)
    audit = [
        pd.json_normalize(fairness_report(hr_data, valid, held, staff, whole.decision, 1.0)[0])
        for staff in (staff_once, staff_parts)
    ]
    assert audit[0].columns.str.contains("top_suggestion_gain").sum() >= 4
    pd.testing.assert_frame_equal(audit[0], audit[1], rtol=1e-9)


def test_a_truncated_booster_is_refused_before_lightgbm_parses_it(
    first_run: TrainResult, registry_settings: PipelineSettings, tmp_path: Path
) -> None:
    """LightGBM aborts the whole process on a truncated model file; the checksum written at
    training time stops it first, with an error a reload can report (the old model serves)."""
    model = registry.load_registered(registry_settings.champion_uri).model
    model.save(tmp_path / "m")
    assert PlacementModel.load(tmp_path / "m").offsets == model.offsets
    point = tmp_path / "m" / "point.txt"
    point.write_bytes(point.read_bytes()[: point.stat().st_size // 2])
    with pytest.raises(ValueError, match="checksum mismatch"):
        PlacementModel.load(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        PlacementModel.load(tmp_path / "m")


def test_a_model_of_another_feature_set_is_refused_with_the_remedy(
    first_run: TrainResult, registry_settings: PipelineSettings, tmp_path: Path
) -> None:
    """A champion trained before the feature set changed (an upgrade that adds features)
    is not served rows it never learnt on: loading names both sets and says to retrain."""
    registry.load_registered(registry_settings.champion_uri).model.save(tmp_path / "m")
    meta = tmp_path / "m" / "model.json"
    meta.write_text(meta.read_text().replace(FEATURE_SET, "ranker_features_v1"))
    with pytest.raises(ValueError, match="'ranker_features_v1'.*retrain it"):
        PlacementModel.load(tmp_path / "m")


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_a_retrain_on_shuffled_scores_never_takes_champion(
    first_run: TrainResult, world_copy: Path, registry_settings: PipelineSettings
) -> None:
    """A broken join shuffles scores across people: the candidate is as good as the global
    mean on its own held-out period, so it is refused whatever the champion scores, and the
    history that changed since the champion's training is reported."""
    ev = pd.read_csv(world_copy / "evaluations.csv", dtype=str, keep_default_na=False)
    order = np.random.default_rng(0).permutation(len(ev))
    # every recorded result
    marks = ["score", "predikat", "rating_hasil_kerja", "rating_perilaku_kerja"]
    ev[marks] = ev[marks].to_numpy()[order]
    ev.to_csv(world_copy / "evaluations.csv", index=False)
    result = train(world_copy, registry_settings, FAST)
    assert not result.promoted and "simple baselines" in result.reason
    assert "history changed" in result.reason and "evaluations:" in result.reason
    champion = registry.load_registered(registry_settings.champion_uri)
    assert champion.version == first_run.version


@pytest.mark.slow  # a whole training of its own: `make test` runs it, `make test-fast` skips it
def test_an_interrupted_run_is_marked_failed_by_the_next(
    first_run: TrainResult, world_dir: Path, registry_settings: PipelineSettings
) -> None:
    import socket
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mlflow.set_tracking_uri(registry_settings.mlflow_tracking_uri)
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name(registry_settings.experiment)
    assert experiment is not None
    orphan = client.create_run(
        experiment.experiment_id, tags={"host": socket.gethostname(), "pid": str(dead.pid)}
    )
    assert client.get_run(orphan.info.run_id).info.status == "RUNNING"
    train(world_dir, registry_settings, FAST)
    run = client.get_run(orphan.info.run_id)
    assert run.info.status == "FAILED" and "interrupted" in run.data.tags
