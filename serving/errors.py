"""How the API answers what it cannot do: every error a JSON body with `detail` and, where a
field is to blame, `errors` naming it. The documented error responses live here too."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from oversight.store import Refused
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


def _json_sent(request: Request) -> str | None:
    """The request's content type where it is not JSON (FastAPI then reads no body at all and
    reports a missing object, which does not tell the caller what to change)."""
    kind = request.headers.get("content-type", "")
    media = kind.split(";")[0].strip().lower()
    return None if media == "application/json" or media.endswith("+json") else (kind or "none")


def _body_fields(request: Request) -> list[str]:
    """The fields of the request's body, for a caller who sent one it does not have (FastAPI's
    route keeps the body's model as `body_field`; where it does not, none are listed)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return list(getattr(model, "model_fields", {}))


async def _invalid(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = []
    sent = _json_sent(request)
    for item in error.errors():
        where = [str(p) for p in item.get("loc", ()) if p != "body"]
        field = "body" if item.get("type") == "json_invalid" or not where else ".".join(where)
        # pydantic words a validator's own refusal "Value error, <reason>": the reason alone
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        kind = item.get("type", "")
        if kind == "extra_forbidden" and len(where) == 1:  # a field the request does not have
            fields = _body_fields(request)
            message = "not a field of this request" + (f" (its fields: {', '.join(fields)})" if fields else "")  # fmt: skip
        elif kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
            message += "; send the date as YYYY-MM-DD"
        if field == "body" and sent is not None:
            message = (
                f"send the body as JSON with Content-Type: application/json (it came as {sent})"
            )
        errors.append({"field": field, "message": message})
    return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)


KEYED = (401, 403)  # the key is to blame: the error names the header it came in


def _to_blame(request: Request, error: StarletteHTTPException) -> list[dict[str, str]]:
    """What an HTTP error names: the key's header (401, 403); the path no endpoint serves
    (404 from the router, which sets no route) or the method one does not take (405), with
    where to look, so that a client's typo is told apart from an unknown NIP."""
    status, route = error.status_code, request.scope.get("route")
    if status in KEYED:
        return [{"field": "X-API-Key", "message": str(error.detail)}]
    if status == 404 and route is None:
        docs = request.scope.get("root_path", "") + "/docs"
        return [{"field": "path", "message": f"no endpoint {request.url.path}: see {docs}"}]
    if status == 405:
        allowed = (error.headers or {}).get("Allow", "")
        message = f"{request.method} is not taken here" + (
            f" (it takes {allowed})" if allowed else ""
        )
        return [{"field": "method", "message": message}]
    return []


async def _http_error(request: Request, error: Exception) -> Response:
    """Every other HTTP error in the API's shape, `errors` always there: 401 and 403 naming
    the key's header; FastAPI's 400 for a body it could not decode (not UTF-8: a compressed
    body, say) naming the body."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code != 400 or error.detail != "There was an error parsing the body":
        if not isinstance(error.detail, str) or error.status_code < 400:
            return await http_exception_handler(request, error)
        body = {"detail": error.detail, "errors": _to_blame(request, error)}
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)
    encoding = request.headers.get("content-encoding")
    message = "the body is not UTF-8 JSON" + (
        f" (Content-Encoding: {encoding} is not read: send it uncompressed)" if encoding else ""
    )
    body = {"detail": "invalid request", "errors": [{"field": "body", "message": message}]}
    return JSONResponse(body, status_code=400)


async def _blamed(_: Request, error: Exception) -> JSONResponse:
    """An unknown NIP, unit or suggestion (404), or a decision the record's rules refuse
    (403, 404, 409), naming the input to blame as every other error does (`{"detail": ...}`
    alone said which rule, not which field)."""
    assert isinstance(error, NotFound | Refused)
    status = error.status if isinstance(error, Refused) else 404
    body = {"detail": str(error), "errors": [{"field": error.field, "message": str(error)}]}
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Answer invalid requests with 422 naming each field (400 for a body that cannot be
    decoded), unknown NIPs/units with 404, decisions the record refuses with their status."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotFound, _blamed)
    app.add_exception_handler(Refused, _blamed)
