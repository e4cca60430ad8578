"""Where the record of suggestions and decisions lives (`PENATAAN_DECISIONS_DB`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from features.settings import WrittenFile


class OversightSettings(BaseSettings):
    """Read by `penataan serve`, `penataan plan` and `penataan decisions`."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    decisions_db: WrittenFile = Path("decisions.db")
