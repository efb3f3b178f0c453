"""Every error leaves as problem+json; nothing a client sends may become a 500."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from backoffice.problems import STATUS_FALLBACK_CODES, ProblemError, from_error, problem_response

log = logging.getLogger("backoffice")

_LONG_DIGITS = re.compile(r"\d{6,}")
MAX_LOC_PART = 64


def _safe_text(text: str) -> str:
    # An identifier (ssn, card number) must never be echoed back, even inside a field name.
    return _LONG_DIGITS.sub(lambda match: "*" * len(match.group()), text)[:MAX_LOC_PART]


def safe_errors(errors: list[dict]) -> list[dict]:
    """loc + msg only: the input values are never returned (they may hold a full ssn)."""
    safe = []
    for error in errors:
        loc = [part if isinstance(part, int) else _safe_text(str(part)) for part in error.get("loc", ())]
        message = str(error.get("msg", "invalid"))
        value = error.get("input")
        if isinstance(value, (str, int, float)) and str(value) and str(value) in message:
            message = f"invalid value ({error.get('type', 'invalid')})"
        safe.append({"loc": loc, "msg": _LONG_DIGITS.sub(lambda m: "*" * len(m.group()), message)[:300]})
    return safe


async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem_response("malformed_json")
    return problem_response("invalid_request", errors=safe_errors(list(errors)))


async def on_problem(request: Request, exc: ProblemError) -> Response:
    return from_error(exc)


def _endpoints(routes):
    # Included routers (FastAPI wraps them; no prefixes here) are flattened into their routes.
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _endpoints(inner.routes)
        else:
            yield route


def allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in _endpoints(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    code = STATUS_FALLBACK_CODES.get(exc.status_code, "invalid_request" if exc.status_code < 500 else "internal_error")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return problem_response(code, status=exc.status_code, headers=headers or None)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response("internal_error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)
