"""Serving configuration (pydantic-settings, `PENATAAN_` prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from training.candidates import DecisionSettings


class ServeSettings(DecisionSettings):
    """What the API loads and where it keeps its keys and audit log, and the decision
    policy (`min_gain_low`, the same `PENATAAN_MIN_GAIN_LOW` that `penataan score` reads).

    `model_uri` empty means the registry's champion (`RegistrySettings.champion_uri`).
    """

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    data_dir: Path = Path("data/mataram")
    model_uri: str = ""
    as_of: str = ""  # YYYY-MM-DD; empty: after the data's last period
    api_keys_file: Path = Path("api-keys.json")
    audit_db: Path = Path("audit.db")
    audit_timeout_seconds: float = Field(default=2.0, gt=0, le=60, allow_inf_nan=False)
    reload_timeout_seconds: float = Field(default=900.0, gt=0, allow_inf_nan=False)
    registry_timeout_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    body_timeout_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    max_body_bytes: int = 64 * 1024
    explain_factors: int = 4  # factors shown per suggestion; the rest is summed as `other`
