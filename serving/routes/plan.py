"""The round as a whole (`/v1/plan`): the same optimum `penataan plan` computes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from planning.run import PlanRefused, UnknownLocks
from planning.settings import PlanRules
from serving.deps import EngineDep, allowed, not_suspended
from serving.errors import invalid_field
from serving.schemas import ErrorBody, PlanRequest, PlanResponse
from training.candidates import AsOfOutOfRange

router = APIRouter(prefix="/v1")
RETRY_SECONDS = 30  # what a client refused while a round is computed is told to wait


BUSY: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Another round is being computed (Retry-After)"}
}


@router.post("/plan", response_model=PlanResponse, responses=BUSY, dependencies=[Depends(allowed("plan"))])  # fmt: skip
def plan(body: PlanRequest, request: Request, engine: EngineDep) -> PlanResponse:
    """An organisation-wide transfer round under the rules (the exact optimum), as
    `penataan plan` computes it: moves, units, summary. Advice for Baperjakat."""
    not_suspended(request)
    request.state.subject = f"round {body.as_of or engine.as_of.date()}"
    try:
        plan_settings = request.app.state.plan_settings.overridden(body.config)
    except ValidationError as error:
        raise RequestValidationError([_in_config(e) for e in error.errors()]) from None
    one_round = request.app.state.one_round  # a round on another date scores the whole staff
    if not one_round.acquire(blocking=False):
        raise HTTPException(
            429, "another round is being computed: one at a time; try again when it has ended",
            headers={"Retry-After": str(RETRY_SECONDS)},
        )  # fmt: skip
    try:
        return engine.plan(body.as_of, plan_settings, request.app.state.decisions)
    except (PlanRefused, AsOfOutOfRange) as refusal:
        raise invalid_field(("as_of",), str(refusal)) from None
    except UnknownLocks as refusal:
        raise invalid_field(("config", refusal.field), str(refusal)) from None
    finally:
        one_round.release()


def _in_config(error: Any) -> dict[str, Any]:
    """A refused plan setting as the request's `config.<key>`; a key that is no setting
    names the settings there are (pydantic says only "Extra inputs are not permitted")."""
    out = {**error, "loc": ("body", "config", *error["loc"])}
    if error["type"] == "extra_forbidden":
        out["msg"] = f"not a plan setting (they are: {', '.join(PlanRules.model_fields)})"
    return out
