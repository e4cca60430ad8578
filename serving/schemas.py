"""Request and response bodies of the API (they are the OpenAPI schema HR tools code against).

Names of people and protected attributes (sex, age, religion, marital status) never appear
in any response: employees are named by NIP only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from features.contract.schema import UNIT_ID_PATTERN
from features.nip import nip_as_typed, nip_format_problem
from oversight.store import SuggestionRecord
from training.explain import ADVISORY, Explanation, Lang


def _typed_nip(value: object) -> object:
    """A NIP as an HR tool sends it: its printed groups or spaces around it read as its
    digits (`features.nip.nip_as_typed`); a JSON number refused with what to send, since a
    number of 18 digits has already lost its last ones in JavaScript or a spreadsheet, and
    may then be another person's NIP."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            'send the NIP as a JSON string ("198507142010011002"): as a number it loses its '
            "last digits in JavaScript and spreadsheets"
        )
    return nip_as_typed(value) if isinstance(value, str) else value


def _check_nip(value: str) -> str:
    problem = nip_format_problem(value)
    if problem:
        raise ValueError(f"NIP {problem}")
    return value


Nip = Annotated[
    str,
    # the length shown in the schema, checked by `_check_nip` with the NIP's own words
    Field(examples=["198507142010011002"], json_schema_extra={"minLength": 18, "maxLength": 18}),
    BeforeValidator(_typed_nip),
    AfterValidator(_check_nip),
]
UnitId = Annotated[str, Field(pattern=f"^{UNIT_ID_PATTERN}$", examples=["DISDUKCAPIL"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Precision = Annotated[
    float | None,
    Field(
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="The operating point: the share of suggested moves that must truly help "
        "(default: the server's PENATAAN_PRECISION, 0.8). Higher suggests fewer, surer moves.",
    ),
]

PrecisionUsed = Annotated[
    float,
    Field(description="The operating point used: the share of suggested moves that must help."),
]


class RecommendRequest(Strict):
    nip: Nip
    top_k: int = Field(5, ge=1, le=50)
    unit_ids: list[UnitId] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="Only these units (default: every unit); omit it rather than send [].",
    )
    include_ineligible: bool = False
    lang: Lang = "id"
    precision: Precision = None


class CandidatesRequest(Strict):
    unit_id: UnitId
    top_k: int = Field(10, ge=1, le=50)
    include_ineligible: bool = False
    lang: Lang = "id"
    precision: Precision = None  # as /v1/recommend's: which candidates' moves are `suggested`


class Interval(BaseModel):
    low: float
    high: float


class IneligibleReason(BaseModel):
    code: str
    reason: str
    reference: str


class Placement(BaseModel):
    """One (employee, unit) pair: the prediction, the rules, and why."""

    rank: int
    nip: str
    unit_id: str
    unit_name: str
    domain: str
    is_current: bool
    predicted_score: float = Field(
        description="Predicted evaluation next year on the score scale of PP 46/2011 (0-100); "
        "predikat-era evaluations are placed on it by rank within unit and year "
        "(features/kinerja.py)."
    )
    interval: Interval
    predikat_probabilities: dict[str, float] = Field(
        description="Probability of each predikat next year (sangat_baik ... sangat_kurang), "
        "from the prediction, its interval and the score bands the data's predikat occupy."
    )
    gain: float | None = Field(
        description="The expected gain over staying put, calibrated on real moves (not the raw "
        "difference of two predictions); 0 for the current unit, null without one."
    )
    gain_interval: Interval | None = Field(description="80% interval of the gain.")
    probability_helps: float | None = Field(
        description="The probability that this move truly raises the employee's performance "
        "over staying (0 for the current unit, null without one)."
    )
    suggested: bool = Field(
        description="A move the decision policy picks: among all employees' best moves, the "
        "surest ones, as many as keep the expected share that truly help at `precision`. "
        "Only such a move is ranked before staying."
    )
    pilot: bool = Field(
        default=False,
        description="A suggested move made as a pilot rather than on the evidence: among the "
        "staff's surest moves, suggested while no outcome of this agency's own suggestions has "
        "tested the model's claims (their outcomes, a year on, refit the gain line and end the "
        "pilot; PENATAAN_PILOT). Its probability of helping is the model's, not yet proven here.",
    )
    eligible: bool
    ineligible_reasons: list[IneligibleReason]
    explanation: Explanation
    suggestion_id: str | None = Field(
        default=None,
        description="The stored record of this item as shown (`GET /v1/suggestions/{id}`); "
        "the id a decision names (`POST /v1/decisions`).",
    )


class ModelRef(BaseModel):
    name: str
    version: str
    alias: str | None


class CurrentPlacement(BaseModel):
    unit_id: str
    unit_name: str
    domain: str
    predicted_score: float
    interval: Interval
    tenure_years: float


class RecommendResponse(BaseModel):
    nip: str
    as_of: str
    current: CurrentPlacement | None
    decision: str = Field(
        description="`move` when the policy suggests a move (it is ranked first), else "
        "`stay`: no move is likely enough to help."
    )
    precision: PrecisionUsed
    pilot: bool = Field(
        default=False,
        description="`true` when the move suggested is a pilot (see `suggestions[].pilot`).",
    )
    min_gain_low: float | None = Field(
        description="If set, a suggested move's gain interval must also lie above this."
    )
    suggestions: list[Placement]
    model: ModelRef
    advisory: str = ADVISORY


class CandidatesResponse(BaseModel):
    unit_id: str
    unit_name: str
    domain: str
    capacity: int
    headcount: int
    as_of: str
    precision: PrecisionUsed
    candidates: list[Placement]
    closed_by: list[IneligibleReason] = Field(
        default_factory=list,
        description="When nobody may move in (no eligible candidate): the rules that close "
        "every candidate, e.g. formasi_full for a full unit (each candidate breaks at least "
        "one of them); empty when someone may.",
    )
    model: ModelRef
    advisory: str = ADVISORY


class ModelInfo(BaseModel):
    name: str
    version: str
    alias: str | None
    run_id: str | None
    trained_at: str
    feature_set: str
    data_fingerprint: str | None
    serving_data_fingerprint: str
    held_out_metrics: dict[str, float]
    features: list[dict[str, str]]
    model: ModelRef
    advisory: str = ADVISORY


class ImportanceRow(BaseModel):
    name: str
    label: str
    gain: float
    mean_abs_shap: float


class FeatureImportance(BaseModel):
    features: list[ImportanceRow]
    factors: list[ImportanceRow]
    model: ModelRef
    advisory: str = ADVISORY


class ReloadResponse(BaseModel):
    reloaded: bool
    previous: ModelRef
    model: ModelRef
    data_fingerprint: str = Field(description="Content hash of the data now served.")
    as_of: str
    detail: str
    advisory: str = ADVISORY


class ErrorField(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorField] = []


class PlanRequest(Strict):
    as_of: dt.date | None = Field(
        None,
        ge=dt.date(1950, 1, 1),
        le=dt.date(2100, 12, 31),
        description="The round's date (default: the data's as-of date).",
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="Plan settings to override (see `penataan plan --config`), e.g. max_moves_share.",
    )


class PlanMove(BaseModel):
    nip: str
    from_unit_id: str
    from_unit_name: str
    to_unit_id: str
    to_unit_name: str
    predicted_before: float
    predicted_after: float
    gain: float
    gain_low: float
    gain_high: float
    p_help: float = Field(description="The probability that this move truly helps.")
    pilot: bool = Field(
        description="A pilot move: suggested before any outcome of this agency's suggestions "
        "tested the model's claims (see `/v1/recommend`)."
    )
    reasons: str
    narrative: str
    suggestion_id: str = Field(description="The move's stored record; the id a decision names.")


class PlanUnit(BaseModel):
    unit_id: str
    unit_name: str
    capacity: int
    headcount_before: int
    headcount_after: int
    mean_predicted_before: float | None
    mean_predicted_after: float | None
    moved_out: int
    moved_in: int


class PlanResponse(BaseModel):
    summary: dict[str, Any]
    moves: list[PlanMove]
    units: list[PlanUnit]
    model: ModelRef
    advisory: str = ADVISORY


class DecisionRequest(Strict):
    """One decision on a suggestion shown (`suggestion_id` from `/v1/recommend`,
    `/v1/candidates` or a round's moves)."""

    suggestion_id: str = Field(min_length=4, max_length=40, pattern=r"^sg_[0-9a-f]+$")
    stage: Literal["hr", "baperjakat", "ppk"]
    decision: Literal["setuju", "tolak", "ubah", "tunda"]
    reason_code: str = Field(
        min_length=1, max_length=40, description="See `GET /v1/decision-reasons`."
    )
    note: str | None = Field(
        default=None, max_length=2000, description="Required to reject (tolak) or change (ubah)."
    )
    alt_unit_id: UnitId | None = Field(default=None, description="ubah: the unit decided instead.")
    sk_number: str | None = Field(
        default=None, max_length=100, description="The SK's number, once signed."
    )
    tmt: dt.date | None = Field(
        default=None,
        ge=dt.date(1950, 1, 1),
        le=dt.date(2100, 12, 31),
        description="When the move takes effect.",
    )


class DecisionRecorded(BaseModel):
    seq: int
    at: str
    suggestion_id: str
    stage: str
    decision: str
    reason_code: str
    note: str | None
    alt_unit_id: str | None
    sk_number: str | None
    tmt: str | None
    decided_by: str
    prev_hash: str
    hash: str
    replayed: bool = Field(
        False,
        description="The same decision was already on the record (a retry): it is returned "
        "as recorded then, with 200 instead of 201, and nothing was appended.",
    )
    advisory: str = ADVISORY


class ReasonItem(BaseModel):
    code: str
    label: str
    label_en: str
    decisions: list[str]


class DecisionReasons(BaseModel):
    version: str
    stages: dict[str, str]
    decisions: dict[str, str]
    stages_en: dict[str, str]  # the same in English, as each reason's `label_en`
    decisions_en: dict[str, str]
    note_required_for: list[str]
    reasons: list[ReasonItem]


class SuggestionShown(SuggestionRecord):
    """A suggestion exactly as it was shown, when, and every decision taken on it."""

    shown_at: str
    decisions: list[DecisionRecorded]
    advisory: str = ADVISORY


class SuggestionExplained(BaseModel):
    suggestion_id: str
    model_version: str
    text: str = Field(
        description="Plain Indonesian: the system's part, the factors, eligibility, the decisions."
    )
    advisory: str = ADVISORY


class SuspendRequest(Strict):
    reason: str = Field(min_length=3, max_length=500, description="Why (kept on the record).")


class SuspendResponse(BaseModel):
    suspended: bool
    detail: str


class MonitorReport(BaseModel):
    """`GET /v1/monitor`: what `penataan monitor` reports, on the data and model serving now
    (`oversight/monitor.py`: outcomes against claims, drift, how people decide)."""

    model_config = ConfigDict(protected_namespaces=())

    generated_at: str
    data_fingerprint: str
    decided_suggestions: int
    outcomes: dict[str, int] = Field(description="decided suggestions by outcome status")
    gain: dict[str, Any] = Field(description="realised against claimed gains of approved moves; staying's error")  # fmt: skip
    gain_by_version: dict[str, dict[str, Any]] = Field(description="the same per model version that made the suggestions")  # fmt: skip
    gain_by_round: dict[str, dict[str, Any]] = Field(description="the same per round (`round_id`)")  # fmt: skip
    stayers_error: dict[str, dict[str, float]] = Field(description="per date suggestions were made for: the model's error on staying among those who stayed, as intercept + slope x their best move's raw gain, and how many stayed")  # fmt: skip
    oversight: dict[str, Any] = Field(description="per stage: verdict shares, override rates, the rubber-stamp flag")  # fmt: skip
    drift: dict[str, Any] = Field(description="PSI per feature and of the prediction of staying since the first suggestion")  # fmt: skip
    model: ModelRef
    advisory: str = ADVISORY
