"""Serving configuration (pydantic-settings, `PENATAAN_` prefix)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from features.settings import WrittenFile
from oversight.settings import OversightSettings
from training.settings import PipelineSettings, as_of_date


class ServeSettings(PipelineSettings, OversightSettings):
    """Every setting the API reads, in one object built once in `create_app`: what it loads,
    where it keeps its keys and audit log, its time limits, and everything the pipeline
    reads (registry, eligibility thresholds, decision policy: the same `PENATAAN_*`
    variables `penataan score` and `penataan plan` read) and the record of suggestions and
    decisions (`DECISIONS_DB`, as `penataan plan` and `penataan decisions` read it). Nothing below reads the
    environment; `penataan settings --serve` prints the values in force.

    `model_uri` empty means the registry's champion (`champion_uri`).
    """

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    data_dir: Path = Path("data/mataram")
    # the path a reverse proxy serves the API and pages under (`/penataan` for
    # `https://bkpsdm.example.go.id/penataan/`), the proxy stripping it: the pages' links,
    # redirects and session cookie carry it; empty: served at the host's root
    root_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9._~-]+)*$")
    model_uri: str = ""
    as_of: str = ""  # YYYY-MM-DD; empty: after the data's last period
    api_keys_file: WrittenFile = Path("api-keys.json")
    audit_db: WrittenFile = Path("audit.db")
    audit_timeout_seconds: float = Field(default=2.0, gt=0, le=60, allow_inf_nan=False)
    reload_timeout_seconds: float = Field(default=900.0, gt=0, allow_inf_nan=False)
    registry_timeout_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    body_timeout_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600, allow_inf_nan=False)
    # signs the pages' session cookies; unset: a random secret per process (sessions end
    # with it, and several workers would not share them)
    session_secret: SecretStr | None = None
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # a committee's filled-in workbook, uploaded to the round page (`/ui/round/import`)
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    # factors shown per suggestion; the rest is summed as `other`
    explain_factors: int = Field(default=4, ge=0, le=20)
    # explain the moves of every default answer in the background once a model serves
    # (`serving.kept_rows`): one core busy for a few minutes, then answers skip TreeSHAP
    explain_ahead: bool = True
    # origins of browser-based HR tools allowed to call the API from their pages (CORS:
    # `https://simpeg.example.go.id`, comma-separated); empty, the default: no browser page of
    # another origin may call it (the API's own pages and non-browser clients need none)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("session_secret")
    @classmethod
    def _strong(cls, value: SecretStr | None) -> SecretStr | None:
        """At least 32 characters: it signs every session cookie, and a short one can be
        found offline from a single cookie."""
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(
                "at least 32 characters (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("as_of")
    @classmethod
    def _date(cls, value: str) -> str:
        """Refused now, not after the model has loaded (`training.settings.as_of_date`)."""
        return as_of_date(value).isoformat() if value else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """A comma-separated list; each an exact origin (scheme, host, port), never `*`:
        a key's holder names the tools that may use it from a browser."""
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for origin in value if isinstance(value, list) else []:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", str(origin)):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme and host, e.g. https://simpeg.example.go.id"
                )
        return value
