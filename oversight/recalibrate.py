"""The loop closes: `penataan outcomes recalibrate` refits the champion's gain calibration on
the realised outcomes of the suggestions the agency executed (`training.gain.
refit_on_outcomes`), and registers the result as a new version of the same booster.

Only suggestions made by a version with the champion's booster count (a recalibrated
version carries the run its booster came from in the `booster_run` tag), only approved
moves (`setuju`) the model suggested as shown, and only observed outcomes. The new version's
run names where it came from (`recalibrated_from_version`, `calibration_source=outcomes`),
carries the booster's held-out metrics and tags, and logs the old and the new line with
what each would have claimed for these moves against what they realised. It becomes the
champion with at least `PENATAAN_MIN_OUTCOMES` (30) outcomes, or earlier when the outcomes so
far already realise less than claimed beyond chance (`training.gain.Shortfall`: waiting
would only let the pilot go on moving people on claims the record has ruled out); otherwise
nothing is registered.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import mlflow
import numpy as np
import pandas as pd

from features.data import HRData
from features.pipeline import build_features
from oversight.monitor import measured, outcome_frame, stay_baselines
from oversight.outcomes import match_outcomes
from oversight.store import DecisionStore
from training import registry
from training.gain import GainCalibration, Shortfall, refit_on_outcomes, shortfall
from training.settings import PipelineSettings


@dataclass(frozen=True)
class Recalibrated:
    version: str
    from_version: str
    outcomes: int
    before: GainCalibration
    after: GainCalibration
    claimed_before: float  # mean claimed gain of these moves under the old line
    claimed_after: float  # ... under the new line
    realised: float  # mean realised gain
    early: Shortfall | None = None  # refit before PENATAAN_MIN_OUTCOMES: the test that allowed it


def _same_booster_runs(name: str, booster_run: str) -> set[str]:
    """Run ids of every registered version of `name` built on `booster_run`'s booster."""
    client = mlflow.MlflowClient()
    runs = {booster_run}
    for mv in client.search_model_versions(f"name = '{name}'"):
        if mv.run_id and client.get_run(mv.run_id).data.tags.get("booster_run") == booster_run:
            runs.add(mv.run_id)
    return runs


def _example_rows(data: HRData) -> pd.DataFrame:
    ev = data.evaluations[data.evaluations["period"] == data.last_period].head(5)
    pairs = pd.DataFrame({"nip": ev["nip"].to_numpy(), "unit_id": ev["unit_id"].to_numpy(),
                          "as_of": data.default_as_of()})  # fmt: skip
    return build_features(data, pairs)


def recalibrate(store: DecisionStore, data: HRData, settings: PipelineSettings) -> Recalibrated:
    """Refit, register and promote (see the module); `ValueError` saying why when it cannot."""
    settings.connect()
    champion = registry.current_champion(settings.model_name, settings.model_alias)
    if champion is None or champion.model.gain is None:
        raise ValueError(f"no champion at {settings.champion_uri} to recalibrate")
    booster_run = champion.tags.get("booster_run") or champion.run_id or ""
    runs = _same_booster_runs(settings.model_name, booster_run)
    finals = [f for f in store.finals() if f["run_id"] in runs]
    model = champion.model
    dates = sorted({str(f["as_of"]) for f in finals})
    checks = match_outcomes(finals, data)
    frame = outcome_frame(finals, checks, stay_baselines(data, model, dates, settings))
    moved = frame[(frame["decision"] == "setuju") & frame["gain"].notna()]
    raw = moved["raw_gain"].astype(float)
    before = champion.model.gain
    realised_gain = measured(moved).to_numpy()
    after = refit_on_outcomes(before, raw.to_numpy(), realised_gain, settings.min_outcomes)
    claims = before.apply(raw.to_numpy())[0]
    claimed_before = float(np.mean(claims))
    claimed_after = float(np.mean(after.apply(raw.to_numpy())[0]))
    realised = float(realised_gain.mean())
    early = None
    promotion = f"recalibrated on {len(moved)} realised outcomes of executed suggestions"
    if len(moved) < settings.min_outcomes:  # allowed only by the outcomes' shortfall
        early = shortfall(claims, realised_gain)
        promotion += f", before the {settings.min_outcomes} asked: {early.describe()}"
    mlflow.set_experiment(settings.experiment)
    with mlflow.start_run(run_name=f"recalibration of v{champion.version}"):
        inherited = {k: v for k, v in champion.tags.items() if not k.startswith("mlflow.")}
        mlflow.set_tags(inherited | {
            "booster_run": booster_run, "recalibrated_from_version": champion.version,
            "calibration_source": "outcomes", "promotion": promotion,
        })  # fmt: skip
        mlflow.log_metrics({k: v for k, v in champion.metrics.items() if np.isfinite(v)})
        mlflow.log_dict(before.to_dict(), "gain_calibration_before.json")
        mlflow.log_dict(after.to_dict(), "gain_calibration.json")
        mlflow.log_metrics({
            "gain_alpha": after.alpha, "gain_beta": after.beta, "gain_sd": after.sd,
            "gain_moves": after.n_moves, "outcomes_claimed_before": claimed_before,
            "outcomes_claimed_after": claimed_after, "outcomes_realised": realised,
        })  # fmt: skip
        recalibrated = dataclasses.replace(model, gain=after)  # the same booster
        version = registry.log_and_register(recalibrated, _example_rows(data), settings.model_name)
    name, alias = settings.model_name, settings.model_alias
    with registry.gate_lock(settings.mlflow_tracking_uri, name):  # as `penataan train` moves it
        now = registry.alias_version(name, alias)
        if now != champion.version:  # a training promoted another booster meanwhile
            raise ValueError(f"@{alias} moved to v{now} while v{champion.version} was "
                             f"recalibrated (registered as v{version}, not promoted): run it again")  # fmt: skip
        registry.set_alias(name, alias, version)
    return Recalibrated(version, champion.version, len(moved), before, after, claimed_before,
                        claimed_after, realised, early)  # fmt: skip
