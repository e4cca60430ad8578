"""The world and the champion every benchmark runs on.

Worlds are generated once into data/ and reused; champions are trained once per world
into data/bench-mlflow, and again whenever the data or the default hyperparameters change.
"""

from __future__ import annotations

from pathlib import Path

import mlflow

from features.contract.validate import load_data
from features.data import HRData
from training.model import LgbParams
from training.registry import LoadedModel, current_champion
from training.review import run_artifact
from training.run import train
from training.settings import PipelineSettings
from world.writer import ensure_world

STORE = Path("data/bench-mlflow")


def bench_world(path: Path, seed: int = 7) -> HRData:
    """The `mataram` world of `seed` in `path`, generated if missing, validated and loaded."""
    ensure_world("mataram", seed, path)
    return load_data(path)


def bench_registry(world: Path) -> PipelineSettings:
    """One registered model name per world, so worlds do not compete for one alias."""
    STORE.mkdir(parents=True, exist_ok=True)
    return PipelineSettings(
        mlflow_tracking_uri=f"sqlite:///{STORE.resolve() / 'mlflow.db'}",
        experiment="bench",
        model_name="penataan-placement" if world.name == "bench-mataram" else world.name,
    )


def _current(champion: LoadedModel | None, data: HRData, params: LgbParams) -> bool:
    """The champion was trained on this data with these hyperparameters."""
    if champion is None or champion.run_id is None:
        return False
    if champion.tags.get("data_fingerprint") != data.fingerprint():
        return False
    logged = mlflow.MlflowClient().get_run(champion.run_id).data.params
    return all(logged.get(k) == str(v) for k, v in params.__dict__.items())


def ensure_champion(world: Path, data: HRData) -> tuple[LoadedModel, PipelineSettings]:
    """The world's champion with the default hyperparameters, trained (about a minute on
    mataram) if missing or stale, its trees compiled as the commands compile them; prints
    the comparison table its run logged."""
    settings = bench_registry(world)
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    params = LgbParams()
    champion = current_champion(settings.model_name, settings.model_alias)
    if not _current(champion, data, params):
        print(f"training a champion on {world} (about a minute)")
        train(world, settings, params)
        champion = current_champion(settings.model_name, settings.model_alias)
    assert champion is not None and champion.run_id is not None
    settings.prepare(champion.model)  # compiled trees, as every command prepares its model
    table = run_artifact(champion.run_id, "metrics.csv").set_index("Unnamed: 0")
    print(f"\n{world}: {champion.name} v{champion.version}, {champion.model.booster.num_trees()} trees; "
          f"held-out and truth metrics logged by its run:\n{table.round(3).rename_axis(None).to_string()}\n")  # fmt: skip
    return champion, settings
