"""Serving configuration (pydantic-settings, `PENATAAN_` prefix)."""

from __future__ import annotations

from pathlib import Path

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
    max_body_bytes: int = 64 * 1024
    explain_factors: int = 4  # factors shown per suggestion; the rest is summed as `other`
