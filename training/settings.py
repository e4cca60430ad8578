"""Training and registry configuration (pydantic-settings, `PENATAAN_` prefix)."""

from __future__ import annotations

from pathlib import Path

import mlflow
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RegistrySettings(BaseSettings):
    """Where runs and models live. MLflow's own `MLFLOW_TRACKING_URI` wins when set."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    mlflow_tracking_uri: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'mlflow.db'}",
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "PENATAAN_MLFLOW_TRACKING_URI"),
    )
    model_name: str = "penataan-placement"
    model_alias: str = "champion"
    experiment: str = "penataan"

    @property
    def champion_uri(self) -> str:
        return f"models:/{self.model_name}@{self.model_alias}"

    def connect(self) -> None:
        """Point MLflow at this registry: the one place that does."""
        mlflow.set_tracking_uri(self.mlflow_tracking_uri)


class AuditSettings(BaseSettings):
    """The merit-system audit: how large a gap between groups is flagged."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    fairness_max_gap: float = 2.0  # score points, for MAE and for mean suggested gain
