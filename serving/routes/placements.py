"""Placements: where would this employee do best (`/v1/recommend`), and who would do best in
this unit (`/v1/candidates`). Both read the engine's precomputed scores and explain only the
rows they return."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from serving.deps import EngineDep, allowed, not_suspended
from serving.records import record_shown
from serving.schemas import (
    CandidatesRequest,
    CandidatesResponse,
    ErrorBody,
    RecommendRequest,
    RecommendResponse,
)

router = APIRouter(prefix="/v1", responses={404: {"model": ErrorBody}})


@router.post("/recommend", response_model=RecommendResponse, dependencies=[Depends(allowed("recommend")), Depends(not_suspended)])  # fmt: skip
def recommend(body: RecommendRequest, request: Request, engine: EngineDep) -> RecommendResponse:
    """Where would this employee do best, and why? A move is ranked first only when the
    decision policy suggests it (likely enough to help); otherwise staying is."""
    request.state.subject = body.nip
    answer = engine.recommend(
        body.nip, body.top_k, body.unit_ids, body.include_ineligible, body.lang, body.precision
    )
    current = answer.current.unit_id if answer.current else None
    record_shown(request, engine, "recommend", answer.suggestions, lambda _: current)
    return answer


@router.post("/candidates", response_model=CandidatesResponse, dependencies=[Depends(allowed("candidates")), Depends(not_suspended)])  # fmt: skip
def candidates(body: CandidatesRequest, request: Request, engine: EngineDep) -> CandidatesResponse:
    """Who would do best in this unit (a vacancy)? Employees from other units, ranked."""
    request.state.subject = body.unit_id
    answer = engine.candidates(body.unit_id, body.top_k, body.include_ineligible, body.lang)
    record_shown(request, engine, "candidates", answer.candidates, lambda p: engine.unit_of(p.nip))
    return answer
