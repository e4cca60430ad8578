"""The feature layer's settings (pydantic-settings, `PENATAAN_` prefix): the eligibility
rules' thresholds and how predikat-era evaluations are placed on the score scale.

Kept apart from the code that applies them (`features.eligibility`, `features.kinerja`) so
that building a deployable's settings imports pydantic only: `penataan keys` and
`penataan settings` load no pandas, SciPy or LightGBM."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EligibilitySettings(BaseSettings):
    """Configurable thresholds of the eligibility rules (`features.eligibility`)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    min_tenure_years: float = 2.0  # PP 11/2017 Pasal 190(2): at least 2 years in a position
    heavy_sanction_months: int = 12  # PP 94/2021: a berat sanction runs 12 months
    min_education_managerial: str = "S1"  # jpt and administrator positions
    min_education_pengawas: str = "D3"
    # PP 11/2017 jo PP 17/2020 Pasal 239: batas usia pensiun by position
    bup_years: int = 58  # administrasi, fungsional ahli pertama/muda and keterampilan
    bup_jpt_years: int = 60  # pimpinan tinggi
    bup_ahli_madya_years: int = 60  # fungsional ahli madya
    bup_ahli_utama_years: int = 65  # fungsional ahli utama
    retirement_window_years: float = 1.0  # MPP: nobody within this of BUP is moved
    # past transfers between two kinds of unit a move needs before it is suggested: with
    # none, no record speaks for it and a model of the records only extrapolates; 0: off
    min_precedent_moves: int = Field(default=1, ge=0)


class KinerjaSettings(BaseSettings):
    """How predikat-era evaluations are placed on the score scale (`PENATAAN_PREDIKAT_SCALE`,
    `features.kinerja`)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    predikat_scale: Literal["latent", "midpoints", "drop"] = "latent"
