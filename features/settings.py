"""The feature layer's settings (pydantic-settings, `PENATAAN_` prefix): the eligibility
rules' thresholds and how predikat-era evaluations are placed on the score scale; and
`WrittenFile`, the type of a setting that names a file a deployable writes.

Kept apart from the code that applies them (`features.eligibility`, `features.kinerja`) so
that building a deployable's settings imports pydantic and the contract's vocabulary only:
`penataan keys` and `penataan settings` load no pandas, SciPy or LightGBM."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from features.vocab import EDUCATION_LEVELS


def _a_file(path: Path) -> Path:
    """A setting that names a file the project writes (a record, a log, the keys): an empty
    variable reads as the current folder, which SQLite then fails to open without a name."""
    if str(path) in ("", "."):
        raise ValueError("names no file: give the file's path")
    if path.is_dir():
        raise ValueError(f"{path} is a folder: give a file's path in it")
    return path


# a file a deployable writes, named by a setting (`PENATAAN_DECISIONS_DB`, `..._AUDIT_DB`, ...)
WrittenFile = Annotated[Path, AfterValidator(_a_file)]


class EligibilitySettings(BaseSettings):
    """Configurable thresholds of the eligibility rules (`features.eligibility`)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    # each bounded to what a regulation could say: a threshold out of them (a tenure of -1,
    # a BUP of 5, an education level `PhD`) would switch a rule off or on for everyone unseen
    # PP 11/2017 Pasal 190(2): at least 2 years in a position
    min_tenure_years: float = Field(default=2.0, ge=0, le=40, allow_inf_nan=False)
    heavy_sanction_months: int = Field(default=12, ge=0, le=120)  # PP 94/2021: a berat sanction runs 12 months  # fmt: skip
    min_education_managerial: str = "S1"  # jpt and administrator positions
    min_education_pengawas: str = "D3"
    # PP 11/2017 jo PP 17/2020 Pasal 239: batas usia pensiun by position
    bup_years: int = Field(default=58, ge=45, le=75)  # administrasi, fungsional ahli pertama/muda and keterampilan  # fmt: skip
    bup_jpt_years: int = Field(default=60, ge=45, le=75)  # pimpinan tinggi
    bup_ahli_madya_years: int = Field(default=60, ge=45, le=75)  # fungsional ahli madya
    bup_ahli_utama_years: int = Field(default=65, ge=45, le=75)  # fungsional ahli utama
    # MPP: nobody within this of BUP is moved
    retirement_window_years: float = Field(default=1.0, ge=0, le=10, allow_inf_nan=False)
    # past transfers between two kinds of unit a move needs before it is suggested: with
    # none, no record speaks for it and a model of the records only extrapolates; 0: off
    min_precedent_moves: int = Field(default=1, ge=0)

    @field_validator("min_education_managerial", "min_education_pengawas")
    @classmethod
    def _level(cls, value: str) -> str:
        """One of the contract's education levels (`SD` ... `S3`)."""
        if value not in EDUCATION_LEVELS:
            raise ValueError(f"an education level is one of {', '.join(EDUCATION_LEVELS)}")
        return value


class KinerjaSettings(BaseSettings):
    """How predikat-era evaluations are placed on the score scale (`PENATAAN_PREDIKAT_SCALE`,
    `features.kinerja`)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    predikat_scale: Literal["latent", "midpoints", "drop"] = "latent"
