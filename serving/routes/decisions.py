"""People decide, on the record: `POST /v1/decisions` appends one decision on a suggestion
shown; `GET /v1/suggestions/{id}` gives the suggestion as it was shown with its decisions;
`GET /v1/decision-reasons` the vocabulary (`oversight/`)."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from oversight.explain import explain
from oversight.reasons import (
    NEEDS_NOTE,
    REASONS,
    STAGE_LABELS,
    STAGE_LABELS_EN,
    VERDICT_LABELS,
    VERDICT_LABELS_EN,
    VERSION,
)
from oversight.store import DecisionStore, Refused
from serving.deps import allowed
from serving.engine import NotFound
from serving.errors import invalid_field, public
from serving.keys import ApiKey
from serving.schemas import (
    DecisionReasons,
    DecisionRecorded,
    DecisionRequest,
    ErrorBody,
    ReasonItem,
    SuggestionExplained,
    SuggestionShown,
)

router = APIRouter(prefix="/v1", responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody}})


@router.post("/decisions", status_code=201, response_model=DecisionRecorded)
async def decide(
    body: DecisionRequest, request: Request, response: Response,
    holder: Annotated[ApiKey, Depends(allowed("decide"))],
) -> DecisionRecorded:  # fmt: skip
    """Record one decision (append-only, hash-chained). Stages in order (hr, baperjakat,
    ppk); only an admin key records Baperjakat's and the PPK's; a note is required to reject
    or change; a second final decision is a 409. The same decision sent again (a retry after
    a lost answer) is answered 200 with the row recorded the first time (`replayed`)."""
    request.state.subject = body.suggestion_id
    engine = request.app.state.holder.engine
    if body.alt_unit_id and engine is not None and body.alt_unit_id not in engine.units.index:
        raise invalid_field(("alt_unit_id",), f"unit {body.alt_unit_id!r} is not in the data")
    store: DecisionStore = request.app.state.decisions
    try:
        row = await run_in_threadpool(
            store.decide, body.suggestion_id, body.stage, body.decision, body.reason_code,
            holder.name, holder.role, body.note, body.alt_unit_id, body.sk_number,
            body.tmt.isoformat() if body.tmt else None,
        )  # fmt: skip
    except Refused as refused:
        if refused.status == 422:
            raise invalid_field((refused.field,), str(refused)) from None
        raise  # 403, 404, 409: `serving.errors` answers naming the field
    except sqlite3.Error as error:
        raise HTTPException(503, public(f"the decision could not be recorded: {error}")) from None
    if row["replayed"]:
        response.status_code = 200
    return DecisionRecorded(**row)


@router.get("/suggestions/{suggestion_id}", response_model=SuggestionShown, dependencies=[Depends(allowed("suggestions"))])  # fmt: skip
async def suggestion(
    request: Request, suggestion_id: Annotated[str, Path(pattern=r"^sg_[0-9a-f]{4,36}$")]
) -> SuggestionShown:
    """A suggestion exactly as it was shown (model, data, scores, explanation), whatever
    model serves now, with every decision taken on it."""
    request.state.subject = suggestion_id
    store: DecisionStore = request.app.state.decisions
    found = await run_in_threadpool(store.suggestion, suggestion_id)
    if found is None:
        raise NotFound("suggestion_id", suggestion_id, "suggestion", why=f"no suggestion {suggestion_id!r} was shown")  # fmt: skip
    return SuggestionShown(**found)


@router.get("/suggestions/{suggestion_id}/explanation", response_model=SuggestionExplained, dependencies=[Depends(allowed("suggestions"))])  # fmt: skip
async def explanation(
    request: Request, suggestion_id: Annotated[str, Path(pattern=r"^sg_[0-9a-f]{4,36}$")]
) -> SuggestionExplained:
    """In plain Indonesian: the system's part, the model version, the main factors, the
    eligibility and the human decisions with their reasons (for a keberatan)."""
    request.state.subject = suggestion_id
    store: DecisionStore = request.app.state.decisions
    found = await run_in_threadpool(store.suggestion, suggestion_id)
    if found is None:
        raise NotFound("suggestion_id", suggestion_id, "suggestion", why=f"no suggestion {suggestion_id!r} was shown")  # fmt: skip
    return SuggestionExplained(suggestion_id=suggestion_id, model_version=found["model_version"], text=explain(found))  # fmt: skip


@router.get("/decision-reasons", response_model=DecisionReasons, dependencies=[Depends(allowed("decision-reasons"))])  # fmt: skip
async def reasons() -> DecisionReasons:
    """The stages, decisions and reason codes a decision may use, with Indonesian labels
    (as the minutes print them) and English ones."""
    return DecisionReasons(
        version=VERSION, stages=STAGE_LABELS, decisions=VERDICT_LABELS,
        stages_en=STAGE_LABELS_EN, decisions_en=VERDICT_LABELS_EN,
        note_required_for=sorted(NEEDS_NOTE),
        reasons=[ReasonItem(code=r.code, label=r.label, label_en=r.label_en, decisions=sorted(r.verdicts)) for r in REASONS],
    )  # fmt: skip
