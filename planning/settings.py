"""The rules and weights of a transfer round: `PlanRules`, a plain model, and
`PlanSettings`, the same fields read from the environment (`PENATAAN_PLAN_` prefix).

A JSON file (`penataan plan --config`) or an API request's `config` overrides them through
`PlanSettings.overridden`, which validates a plain model: a caller's keys never reach
pydantic-settings' own options (`_env_file`, `_cli_parse_args`, ...), which would read host
files or the process's arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from features.nip import nip_as_typed, nip_format_problem

if TYPE_CHECKING:
    from training.gain import Decision


class PlanRules(BaseModel):
    """Who may move, when, how much the round may change and whom it helps first."""

    # NaN and infinity are refused: `min_gain_low: NaN` would silently switch a safety rule off.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # who may move (the eligibility rules of features/eligibility.py also apply)
    max_tenure_years: float = Field(5.0, gt=0, le=40, description="PP 11/2017 Pasal 190: at most 5 years; past it an employee is due for rotation")  # fmt: skip
    rotation_bonus: float = Field(0.5, ge=0, le=100, description="objective points added for moving someone due for rotation")  # fmt: skip
    locked_nips: list[str] = Field(default_factory=list, description="employees who stay whatever the model says")  # fmt: skip
    locked_units: list[str] = Field(default_factory=list, description="units nobody leaves or joins this round")  # fmt: skip
    # when a round may happen at all
    head_of_region_inaugurated: dt.date | None = Field(None, ge=dt.date(1945, 8, 17), le=dt.date(2200, 12, 31), description="a new kepala daerah's inauguration date")  # fmt: skip
    blackout_months: int = Field(6, ge=0, le=60, description="UU 10/2016 Pasal 71(2): no mutasi for 6 months after it")  # fmt: skip
    # how much the round may change
    max_unit_outflow_share: float = Field(0.25, ge=0, le=1, description="at most this share of a unit's staff leaves")  # fmt: skip
    max_moves_share: float = Field(0.10, ge=0, le=1, description="at most this share of active staff moves")  # fmt: skip
    max_moves: int | None = Field(None, ge=0, le=10_000_000, description="an absolute cap on moves (the smaller cap wins)")  # fmt: skip
    # how sure a move must be
    precision: float | None = Field(None, gt=0, lt=1, description="the share of the round's moves that must truly help (default: the pipeline's PENATAAN_PRECISION)")  # fmt: skip
    min_gain_low: float | None = Field(None, ge=-100, le=100, description="if set, a move's gain interval must also lie above this many points (default: the pipeline's PENATAAN_MIN_GAIN_LOW)")  # fmt: skip
    pilot: int | None = Field(None, ge=0, le=1_000_000, description="moves tried as a pilot while the gain line has seen no outcome of the agency's suggestions (default: the pipeline's PENATAAN_PILOT; 0: none)")  # fmt: skip
    unwilling_min_gain: float = Field(3.0, ge=0, le=100, description="predicted gain needed to move someone who said `tidak`")  # fmt: skip
    # whom the round should help first
    service_weight: float = Field(1.0, ge=0, le=10, description="up to this much extra weight on gains in units with poor service")  # fmt: skip
    ikm_weight: float = Field(1.0, ge=0, le=10, description="share of service need from a low IKM")  # fmt: skip
    complaints_weight: float = Field(1.0, ge=0, le=10, description="share of service need from many complaints")  # fmt: skip
    wait_weight: float = Field(1.0, ge=0, le=10, description="share of service need from long waits")  # fmt: skip
    # the solver
    time_limit_seconds: float = Field(120.0, gt=0, le=3600)

    @field_validator("locked_nips", mode="after")
    @classmethod
    def _nips(cls, nips: list[str]) -> list[str]:
        """Each NIP as people type it (`19850312 201001 1 001` from an SK: its 18 digits), and
        refused if it cannot be one: a mistyped lock would lock no one."""
        read = [nip_as_typed(nip) for nip in nips]
        for nip in read:
            if problem := nip_format_problem(nip):
                raise ValueError(f"{nip!r} {problem}")
        return read

    @field_validator("locked_units", mode="after")
    @classmethod
    def _units(cls, unit_ids: list[str]) -> list[str]:
        return [unit_id.strip() for unit_id in unit_ids]

    def decision(self, pipeline: Decision) -> Decision:
        """The pipeline's decision policy, with this round's own values where it sets them."""
        from training.gain import Decision  # here: the settings are read by every command

        return Decision(
            pipeline.precision if self.precision is None else self.precision,
            pipeline.min_gain_low if self.min_gain_low is None else self.min_gain_low,
            pipeline.pilot if self.pilot is None else self.pilot,
        )


class PlanSettings(BaseSettings, PlanRules):
    """`PlanRules` with each default taken from `PENATAAN_PLAN_<FIELD>` when set."""

    model_config = SettingsConfigDict(
        env_prefix="PENATAAN_PLAN_", extra="forbid", allow_inf_nan=False
    )

    def overridden(self, config: Mapping[str, object]) -> PlanRules:
        """These rules with `config`'s values instead (a plain validation: an unknown key,
        `_env_file` included, is refused with its name)."""
        return PlanRules.model_validate({**self.model_dump(), **config})
