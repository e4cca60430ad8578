"""A champion for benchmarks: trained once per world and kept in data/bench-mlflow."""

from __future__ import annotations

from pathlib import Path

import mlflow

from features.data import HRData
from training.model import LgbParams
from training.registry import LoadedModel, current_champion
from training.run import train
from training.settings import RegistrySettings

STORE = Path("data/bench-mlflow")


def bench_registry(world: Path) -> RegistrySettings:
    """One registered model name per world, so worlds do not compete for one alias."""
    STORE.mkdir(parents=True, exist_ok=True)
    return RegistrySettings(
        mlflow_tracking_uri=f"sqlite:///{STORE.resolve() / 'mlflow.db'}",
        experiment="bench",
        model_name="penataan-placement" if world.name == "bench-mataram" else world.name,
    )


def ensure_champion(world: Path, data: HRData) -> tuple[LoadedModel, RegistrySettings]:
    """The world's champion, trained (about a minute on mataram) if missing or stale."""
    settings = bench_registry(world)
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    champion = current_champion(settings.model_name, settings.model_alias)
    if champion is None or champion.tags.get("data_fingerprint") != data.fingerprint():
        print(f"training a champion on {world} (about a minute)")
        train(world, settings, LgbParams())
        champion = current_champion(settings.model_name, settings.model_alias)
    assert champion is not None
    return champion, settings
