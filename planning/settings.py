"""The rules and weights of a transfer round (pydantic-settings, `PENATAAN_PLAN_` prefix,
or a JSON file passed with `penataan plan --config`)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlanSettings(BaseSettings):
    # NaN and infinity are refused: `min_gain_low: NaN` would silently switch a safety rule off.
    model_config = SettingsConfigDict(
        env_prefix="PENATAAN_PLAN_", extra="forbid", allow_inf_nan=False
    )

    # who may move (the eligibility rules of features/eligibility.py also apply)
    max_tenure_years: float = Field(5.0, gt=0, le=40, description="PP 11/2017 Pasal 190: at most 5 years; past it an employee is due for rotation")  # fmt: skip
    rotation_bonus: float = Field(0.5, ge=0, le=100, description="objective points added for moving someone due for rotation")  # fmt: skip
    locked_nips: list[str] = Field(default_factory=list, description="employees who stay whatever the model says")  # fmt: skip
    locked_units: list[str] = Field(default_factory=list, description="units nobody leaves or joins this round")  # fmt: skip
    # when a round may happen at all
    head_of_region_inaugurated: dt.date | None = Field(None, description="a new kepala daerah's inauguration date")  # fmt: skip
    blackout_months: int = Field(6, ge=0, le=60, description="UU 10/2016 Pasal 71(2): no mutasi for 6 months after it")  # fmt: skip
    # how much the round may change
    max_unit_outflow_share: float = Field(0.25, ge=0, le=1, description="at most this share of a unit's staff leaves")  # fmt: skip
    max_moves_share: float = Field(0.10, ge=0, le=1, description="at most this share of active staff moves")  # fmt: skip
    max_moves: int | None = Field(None, ge=0, le=10_000_000, description="an absolute cap on moves (the smaller cap wins)")  # fmt: skip
    # how sure a move must be
    min_gain_low: float = Field(0.0, ge=-100, le=100, description="a move's gain interval must lie above this many points (its lower end: credibly better than staying)")  # fmt: skip
    unwilling_min_gain: float = Field(3.0, ge=0, le=100, description="predicted gain needed to move someone who said `tidak`")  # fmt: skip
    # whom the round should help first
    service_weight: float = Field(1.0, ge=0, le=10, description="up to this much extra weight on gains in units with poor service")  # fmt: skip
    ikm_weight: float = Field(1.0, ge=0, le=10, description="share of service need from a low IKM")  # fmt: skip
    complaints_weight: float = Field(1.0, ge=0, le=10, description="share of service need from many complaints")  # fmt: skip
    wait_weight: float = Field(1.0, ge=0, le=10, description="share of service need from long waits")  # fmt: skip
    # the solver
    time_limit_seconds: float = Field(120.0, gt=0, le=3600)
