"""`penataan train`: validate, build rows, split by time, fit, compare, log, register, gate.

The run is ordered so that a failure never touches the serving model: aliases move only at
the very end, after the new version is registered and compared with the champion.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException

from features.contract.validate import load_data
from features.data import HRData
from features.definitions import FEATURE_NAMES, FEATURE_SET, FEATURES_BY_NAME
from features.pipeline import Snapshot, take_snapshot
from features.scale import KinerjaScale
from training import registry
from training.candidates import CandidateTable, table_date
from training.evaluation import (
    comparison_table,
    read_truth,
    regression_metrics,
    staff_truth_metrics,
)
from training.fairness import fairness_report
from training.gain import HeldOutMoves, fit_calibration, held_out_moves
from training.gate import changed_history, decide, history_digest
from training.model import LgbParams, PlacementModel
from training.processes import process_alive
from training.rows import held_out_period, split_by_time, training_rows
from training.scoring import ScoredStaff, best_raw_moves, score_staff
from training.settings import CHALLENGER, PipelineSettings
from training.unit_levels import reliability_ratio

Progress = Callable[[str], None]
STACK_SAMPLE = 500  # employees whose moves set the within-person model's scale


@dataclass
class TrainResult:
    version: str
    promoted: bool
    reason: str
    metrics: pd.DataFrame  # one row per model or baseline
    fairness_flags: list[str] = field(default_factory=list)
    run_id: str = ""


def _plot_importance(table: pd.DataFrame, path: Path) -> None:
    top = table.head(20).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.barh(top["label_en"], top["mean_abs_shap"], color="#2a6f97")
    ax.set_xlabel("mean |SHAP| (score points)")
    ax.set_title("What drives predicted performance (top 20 features)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def interval_calibration(
    y: np.ndarray, low: np.ndarray, high: np.ndarray, point: np.ndarray
) -> pd.DataFrame:
    """Coverage of the interval by decile of the predicted score."""
    frame = pd.DataFrame(
        {"y": y, "inside": (y >= low) & (y <= high), "point": point, "width": high - low}
    )
    frame["decile"] = pd.qcut(frame["point"], 10, labels=False, duplicates="drop")
    return frame.groupby("decile").agg(
        predicted=("point", "mean"),
        observed=("y", "mean"),
        coverage=("inside", "mean"),
        width=("width", "mean"),
    )


def _plot_calibration(table: pd.DataFrame, target: float, path: Path) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(table["predicted"], table["observed"], "o-")
    lims = [
        table[["predicted", "observed"]].min().min(),
        table[["predicted", "observed"]].max().max(),
    ]
    a.plot(lims, lims, "--", color="grey")
    a.set_xlabel("predicted score (decile mean)")
    a.set_ylabel("observed score")
    a.set_title("Calibration on the held-out period")
    b.bar(table.index.astype(str), table["coverage"], color="#2a6f97")
    b.axhline(target, color="red", linestyle="--", label=f"target {target:.0%}")
    b.set_ylim(0, 1)
    b.set_xlabel("predicted-score decile")
    b.set_title("Interval coverage")
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_gain_calibration(moves: HeldOutMoves, model: PlacementModel, path: Path) -> None:
    """Realised against raw gains of the held-out period's moves, in bins, with the line."""
    frame = pd.DataFrame({"raw": moves.raw, "z": moves.z_moves})
    frame["bin"] = pd.qcut(frame["raw"], min(10, max(len(frame) // 20, 1)), duplicates="drop")
    binned = frame.groupby("bin", observed=True).agg(raw=("raw", "mean"), z=("z", "mean"))
    grid = np.linspace(frame["raw"].min(), frame["raw"].max(), 50)
    gain, low, high, _ = model.gains(grid)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(frame["raw"], frame["z"], s=4, alpha=0.25, color="grey", label="one move")
    ax.plot(binned["raw"], binned["z"], "o", color="#2a6f97", label="mean per bin")
    ax.plot(grid, gain, color="#c44536", label="calibrated gain")
    ax.fill_between(grid, low, high, color="#c44536", alpha=0.15, label="gain interval")
    ax.plot(grid, grid, "--", color="black", lw=0.8, label="raw = realised")
    ax.set_xlabel("raw predicted gain (score here minus staying)")
    ax.set_ylabel("realised gain proxy")
    ax.set_title(f"Gain calibration on {len(frame)} held-out moves")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def mark_interrupted_runs(experiment_id: str) -> list[str]:
    """Runs left RUNNING by a training process of this host that no longer exists (killed,
    out of memory, machine restarted) are marked FAILED, so nobody mistakes them for live."""
    client = mlflow.MlflowClient()
    stale = []
    for run in client.search_runs([experiment_id], "attributes.status = 'RUNNING'"):
        tags = run.data.tags
        if tags.get("host") != socket.gethostname() or not tags.get("pid", "").isdigit():
            continue
        if not process_alive(int(tags["pid"])):
            client.set_tag(run.info.run_id, "interrupted", "the training process died")
            client.set_terminated(run.info.run_id, "FAILED")
            stale.append(run.info.run_id)
    return stale


def _champion_history(champion: registry.LoadedModel | None) -> dict[str, str]:
    """The per-period digest the champion's run logged ({} for runs from before it)."""
    if champion is None or champion.run_id is None:
        return {}
    try:
        local = mlflow.artifacts.download_artifacts(
            run_id=champion.run_id, artifact_path="history.json"
        )
    except MlflowException:
        return {}
    return dict(json.loads(Path(local).read_text()))


def _champion_rmse(champion: registry.LoadedModel, valid: pd.DataFrame, fingerprint: str) -> float:
    """The champion's held-out RMSE on this data, comparable with the new model's.

    On the same data the champion's own logged held-out figure is used (its refit saw the
    held-out period); on new data it is scored on the new held-out period. (A champion of
    another feature set never gets here: it does not load, `registry.current_champion`.)
    """
    if champion.tags.get("data_fingerprint") == fingerprint and "model_rmse" in champion.metrics:
        return champion.metrics["model_rmse"]
    pred = champion.model.predict(valid)["predicted_score"].to_numpy()
    return regression_metrics(valid["score"].to_numpy(), pred)["rmse"]


def _log_inputs(
    data: HRData, data_dir: Path, params: LgbParams, last: int, fingerprint: str
) -> dict[str, str]:
    """Tags, parameters, the data fingerprint, the history digest and the feature list of
    the run; returns the history digest (the gate compares it with the champion's)."""
    mlflow.set_tags(
        {"data_fingerprint": fingerprint, "feature_set": FEATURE_SET, "data_dir": str(data_dir),
         "host": socket.gethostname(), "pid": str(os.getpid())}
    )  # fmt: skip
    mlflow.log_params(
        {
            **params.__dict__,
            "held_out_period": last,
            "fit_periods": f"{data.periods[0]}-{last - 1}",
        }
    )
    mlflow.log_dict(
        {"rows": data.row_counts(), "periods": data.periods, "fingerprint": fingerprint},
        "data_fingerprint.json",
    )
    history = history_digest(data)
    mlflow.log_dict(history, "history.json")
    mlflow.log_dict(
        {
            f: {
                "label_id": FEATURES_BY_NAME[f].label_id,
                "label_en": FEATURES_BY_NAME[f].label_en,
            }
            for f in FEATURE_NAMES
        },
        "features.json",
    )
    return history


def _log_review(
    tmp: Path,
    data: HRData,
    final: PlacementModel,
    valid: pd.DataFrame,
    held: pd.DataFrame,
    moves: HeldOutMoves,
    staff: ScoredStaff,
    settings: PipelineSettings,
    interval: float,
) -> list[str]:
    """What a reviewer reads beside the metrics: feature importance, held-out predictions,
    interval and gain calibration, the merit-system audit; returns the fairness flags."""
    y = valid["score"].to_numpy()
    held_pred = held["predicted_score"].to_numpy()
    importance = final.importance_table(valid)
    importance.to_csv(tmp / "feature_importance.csv")
    _plot_importance(importance, tmp / "feature_importance.png")
    held.assign(
        nip=valid["nip"].to_numpy(),
        unit_id=valid["unit_id"].to_numpy(),
        period=held_out_period(valid),
        score=y,
    )[["nip", "unit_id", "period", "score", "predicted_score", "low", "high"]].to_csv(
        tmp / "held_out_predictions.csv", index=False
    )
    calib = interval_calibration(y, held["low"].to_numpy(), held["high"].to_numpy(), held_pred)
    calib.to_csv(tmp / "interval_calibration.csv")
    _plot_calibration(calib, interval, tmp / "interval_calibration.png")
    if len(moves.raw):
        _plot_gain_calibration(moves, final, tmp / "gain_calibration.png")
        mlflow.log_artifact(str(tmp / "gain_calibration.png"))
    fairness, flags = fairness_report(
        data, valid, held_pred, staff, settings.decision, settings.fairness_max_gap
    )
    (tmp / "fairness.json").write_text(json.dumps(fairness, indent=2))
    for name in ("feature_importance.csv", "feature_importance.png", "interval_calibration.csv",
                 "interval_calibration.png", "fairness.json", "held_out_predictions.csv"):  # fmt: skip
        mlflow.log_artifact(str(tmp / name))
    return flags


def _staff(data: HRData, snapshot: Snapshot) -> pd.Series:
    """Unit id -> how many active employees hold it at the `snapshot`'s date (its
    `headcount` also counts staff on leave, who are never scored)."""
    return snapshot.employees["current_unit"].reindex(data.active_nips()).value_counts()


def _shrink_unit_levels(
    model: PlacementModel, sample: CandidateTable, staff: pd.Series, rows: pd.DataFrame, fit: str
) -> None:
    """Set `model.unit_levels` from the `sample`'s moves, the units' `staff` and the
    reliability ratio of the marks in `rows` (those `model` was fitted on), and log them;
    no discount where the marks cannot measure the ratio (`training.unit_levels`)."""
    ratio = reliability_ratio(rows)
    if ratio is None:
        mlflow.set_tag(f"unit_levels_{fit}", "not measured: no period with two units of marks")
        return
    model.unit_levels = sample.unit_levels(model, staff, ratio)
    info = model.unit_levels.info
    mlflow.log_metrics(
        {f"unit_reliability_ratio_{fit}": min(ratio, 1e6),
         f"unit_mean_abs_discount_{fit}": info["mean_abs_discount"]}
    )  # fmt: skip


def _sample(nips: pd.Series, size: int = STACK_SAMPLE) -> pd.Index:
    """A fixed sample of employees (seeded, in their order): enough moves to measure the
    spread of two models' raw gains, at a fraction of the whole staff's rows."""
    if len(nips) <= size:
        return pd.Index(nips)
    picked = np.random.default_rng(0).choice(len(nips), size, replace=False)
    return pd.Index(nips.to_numpy()[np.sort(picked)])


GATE_TRIES = 5  # comparisons, each after another run moved the alias meanwhile


def _gate(
    final: PlacementModel, valid: pd.DataFrame, fingerprint: str, history: dict[str, str],
    table: dict[str, dict[str, float]], version: str, settings: PipelineSettings,
    progress: Progress,
) -> tuple[bool, str]:  # fmt: skip
    """Compare `version` with the champion and move the alias: to it when it wins, else
    `@challenger` to it. Two runs finishing together (a nightly job and an operator's run)
    each compared with the same champion, and the later, worse one took the alias from the
    better: the comparison and the move hold the registry's gate lock (`registry.gate_lock`,
    one machine), and the alias is read again before it moves, the comparison redone against
    whatever another run promoted meanwhile (any machine)."""
    name, alias = settings.model_name, settings.model_alias

    def waiting(path: Path) -> None:
        progress(f"waiting for another run comparing with @{alias} (it holds {path})")

    with registry.gate_lock(settings.mlflow_tracking_uri, name, waiting):
        for _ in range(GATE_TRIES):
            champion = registry.current_champion(name, alias)
            old_rmse = _champion_rmse(champion, valid, fingerprint) if champion else None
            changed = changed_history(_champion_history(champion), history) if champion else []
            if changed:
                progress(f"history changed since champion v{champion.version if champion else ''}: {', '.join(changed)}")  # fmt: skip
                mlflow.set_tag("history_changed", ", ".join(changed))
            ranking = None
            if champion is not None and champion.model.ranking != final.ranking:
                ranking = f"{champion.model.ranking} -> {final.ranking}"
            holder = (  # the champion's version, loadable here or not
                champion.version if champion else registry.alias_version(name, alias)
            )
            promoted, reason = decide(table, holder, old_rmse, changed, ranking)
            if registry.alias_version(name, alias) == holder:
                registry.set_alias(name, alias if promoted else CHALLENGER, version)
                return promoted, reason
            progress(f"@{alias} moved while comparing: comparing with its new version")
        registry.set_alias(name, CHALLENGER, version)
    return False, f"@{alias} moved {GATE_TRIES} times while comparing: not promoted (train again)"


def train(
    data_dir: Path,
    settings: PipelineSettings,
    params: LgbParams,
    progress: Progress = lambda _: None,
) -> TrainResult:
    """Train, evaluate against baselines (and the truth when present), register, gate."""
    data = load_data(data_dir, settings.predikat_scale)  # refuses invalid data first
    progress("building training rows")
    rows = training_rows(data)
    last = held_out_period(rows)
    fit_rows, valid = split_by_time(rows)
    if fit_rows.empty or valid.empty:
        raise ValueError("training needs at least two evaluated periods")
    settings.connect()
    experiment = mlflow.set_experiment(settings.experiment)
    for stale in mark_interrupted_runs(experiment.experiment_id):
        progress(f"run {stale} was interrupted (its process is gone): marked FAILED")
    fingerprint = data.fingerprint()
    with mlflow.start_run() as run, tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        history = _log_inputs(data, data_dir, params, last, fingerprint)
        progress(f"fitting on {len(fit_rows)} rows, early-stopping on {len(valid)} rows of {last}")
        split_model = PlacementModel.fit(fit_rows, params, valid)
        held = split_model.predict(valid)
        y = valid["score"].to_numpy()
        held_pred = held["predicted_score"].to_numpy()

        shrink = None  # the sample and the units' staff the units' levels read (`unit_shrink`)
        if split_model.within is not None or params.unit_shrink:
            snapshot = take_snapshot(data, table_date(data, None))
            sample = CandidateTable.build(
                data, None, settings, _sample(data.active_nips()), snapshot=snapshot
            )
            if split_model.within is not None:  # both models' gains on one scale
                weights = sample.stack_weights(split_model)
                split_model.within.booster_weight, split_model.within.weight = weights
                mlflow.log_metrics(
                    {"stack_booster_weight": weights[0], "stack_within_weight": weights[1],
                     "within_alpha_split": float(split_model.within.info["alpha"])}
                )  # fmt: skip
            if params.unit_shrink:  # after the stack's scale: the levels are of its gains
                shrink = (sample, _staff(data, snapshot))
                _shrink_unit_levels(split_model, *shrink, fit_rows, "split")
        progress(f"calibrating the gain of a move on the moves made in {last}")
        best_raw = None
        if settings.gain_measured_curse:  # every employee's best move as of the held-out year
            held_as_of = pd.Timestamp(valid["as_of"].iloc[0])
            best_raw = best_raw_moves(data, split_model, settings, held_as_of)["best_raw"]
        moves = held_out_moves(
            data, split_model.point, fit_rows, valid, best_raw, split_model.raw_gain
        )
        split_model.gain = fit_calibration(
            moves, params.interval, settings.gain_prior, settings.gain_measured_curse,
            settings.gain_p_of_truth,
        )  # fmt: skip

        progress("refitting on every period for the registered model")
        rounds = max(10, int(split_model.info["best_iteration"] * 1.1))  # ~10% more data
        final = PlacementModel.fit(rows, params, rounds=rounds, offsets=split_model.offsets)
        final.gain = split_model.gain
        if final.within is not None and split_model.within is not None:  # the line's scale
            final.within.booster_weight = split_model.within.booster_weight
            final.within.weight = split_model.within.weight
        if final.within is not None:
            mlflow.log_metric("within_alpha", float(final.within.info["alpha"]))
        if shrink is not None:
            _shrink_unit_levels(final, *shrink, rows, "final")
        final.scale = data.scale or KinerjaScale("none")
        mlflow.log_dict(final.scale.to_dict(), "kinerja_scale.json")
        mlflow.log_param("refit_rounds", rounds)
        mlflow.log_params({"precision": settings.precision, "min_gain_low": settings.min_gain_low,
                           "gain_prior": settings.gain_prior,
                           "gain_measured_curse": settings.gain_measured_curse,
                           "gain_p_of_truth": settings.gain_p_of_truth})  # fmt: skip
        mlflow.log_dict(split_model.offsets, "interval_offsets.json")
        mlflow.log_dict(final.gain.to_dict(), "gain_calibration.json")
        mlflow.log_metrics(
            {"gain_alpha": final.gain.alpha, "gain_beta": final.gain.beta,
             "gain_sd": final.gain.sd, "gain_moves": final.gain.n_moves}
        )  # fmt: skip

        progress("scoring every employee in every unit (truth metrics and the audit)")
        settings.prepare(final)
        truth = read_truth(data_dir)
        if truth is not None:
            decisions, staff = staff_truth_metrics(data, final, truth, rows, settings)
        else:
            decisions, staff = None, score_staff(data, final, settings)
        table = comparison_table(fit_rows, valid, held_pred, decisions)
        table["model"]["interval_coverage"] = float(
            ((y >= held["low"]) & (y <= held["high"])).mean()
        )
        metrics = pd.DataFrame(table).T
        for model_name, values in table.items():
            mlflow.log_metrics(
                {f"{model_name}_{k}": v for k, v in values.items() if np.isfinite(v)}
            )
        metrics.to_csv(tmp / "metrics.csv")
        mlflow.log_artifact(str(tmp / "metrics.csv"))

        progress("feature importance, calibration and the merit-system audit")
        flags = _log_review(tmp, data, final, valid, held, moves, staff, settings, params.interval)
        mlflow.set_tag("fairness_flags", "; ".join(flags) or "none")

        progress("registering the model")
        version = registry.log_and_register(final, valid, settings.model_name)
        promoted, reason = _gate(final, valid, fingerprint, history, table, version, settings, progress)  # fmt: skip
        mlflow.set_tag("promotion", reason)
    return TrainResult(version, promoted, reason, metrics, flags, run.info.run_id)
