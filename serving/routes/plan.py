"""The round as a whole (`/v1/plan`): the same optimum `penataan plan` computes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from planning.run import PlanRefused
from serving.deps import EngineDep, allowed, not_suspended
from serving.errors import invalid_field
from serving.schemas import PlanRequest, PlanResponse
from training.candidates import AsOfOutOfRange

router = APIRouter(prefix="/v1")


@router.post("/plan", response_model=PlanResponse, dependencies=[Depends(allowed("plan"))])  # fmt: skip
def plan(body: PlanRequest, request: Request, engine: EngineDep) -> PlanResponse:
    """An organisation-wide transfer round under the rules (the exact optimum), as
    `penataan plan` computes it: moves, units, summary. Advice for Baperjakat."""
    not_suspended(request)
    request.state.subject = f"round {body.as_of or engine.as_of.date()}"
    try:
        plan_settings = request.app.state.plan_settings.overridden(body.config)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", "config", *e["loc"])} for e in error.errors()]
        ) from None
    try:
        return engine.plan(body.as_of, plan_settings, request.app.state.decisions)
    except (PlanRefused, AsOfOutOfRange) as refusal:
        raise invalid_field(("as_of",), str(refusal)) from None
