"""How the API answers what it cannot do: every error a JSON body with `detail` and, where a
field is to blame, `errors` naming it. The documented error responses live here too."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from serving.engine import NotFound
from serving.schemas import ErrorBody

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown API key (X-API-Key or Bearer)"},
    403: {"model": ErrorBody, "description": "The key's role may not call this endpoint"},
    413: {"model": ErrorBody, "description": "Request body over the limit (64 KiB)"},
    422: {"model": ErrorBody, "description": "Invalid request; `errors` names each field"},
    503: {"model": ErrorBody, "description": "No model loaded yet (see /ready)"},
}


_PATH = re.compile(r"(?:[A-Za-z][\w+.-]*://)?(?:/[^\s/:'\"(),;]+)+/([^\s/:'\"(),;]+)")


def public(message: str) -> str:
    """`message` with every absolute path (or file URI) cut to its file name: reasons such
    as "the audit log cannot be written" reach callers without a key, the server's layout
    does not (the server's own log keeps the full path)."""
    return _PATH.sub(r"\1", message)


def invalid_field(field: tuple[str, ...], message: str) -> RequestValidationError:
    """A 422 naming `field` (a body path), for refusals found after parsing."""
    return RequestValidationError(
        [{"loc": ("body", *field), "msg": message, "type": "value_error"}]
    )


async def _invalid(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = []
    for item in error.errors():
        where = [str(p) for p in item.get("loc", ()) if p != "body"]
        field = "body" if item.get("type") == "json_invalid" or not where else ".".join(where)
        errors.append({"field": field, "message": str(item.get("msg", "invalid"))})
    return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)


async def _not_found(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotFound)
    body = {"detail": str(error), "errors": [{"field": error.field, "message": str(error)}]}
    return JSONResponse(body, status_code=404)


def install(app: FastAPI) -> None:
    """Answer invalid requests with 422 naming each field, unknown NIPs/units with 404."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(NotFound, _not_found)
