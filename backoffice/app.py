"""Composition root of the reference back office: `create_app(settings)`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from backoffice import (db, demo_data, error_handlers, routes_certificates, routes_ecard, routes_me,
                        routes_sessions, routes_terminals, routes_transfers)
from backoffice.openapi_docs import decorate_schema
from backoffice.rate_limit import TokenBucketLimiter
from backoffice.settings import BackofficeSettings
from backoffice.terminal_auth import TerminalAuthMiddleware, is_public

TITLE = "Social-insurance back office (reference)"
VERSION = "1"
DESCRIPTION = (
    "Reference implementation of the kiosk back-office contract (`/v1`). Every `/v1` request except "
    "`GET /v1/certificates/{verification_code}` and `GET /v1/health` is signed by the terminal "
    "(X-Terminal-Id, X-Timestamp, X-Nonce, X-Signature; see the security schemes). Citizen resources "
    "under `/v1/me` also need the session bearer token. Errors are `application/problem+json` with a "
    "stable `code` and zh/en messages."
)


class NoTerminals(ValueError):
    """Neither a terminal list nor demo mode: nobody could sign, and the demo secret is public."""


def create_app(settings: BackofficeSettings) -> FastAPI:
    if not settings.accepted_terminals():
        raise NoTerminals("no terminals configured: give the terminal list, or demo mode for a demo")
    db.migrate(settings.db_path)
    demo_data.populate_if_empty(settings.db_path, settings.seed, settings.business_today())

    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION)
    app.state.settings = settings
    app.state.verify_rate_limiter = TokenBucketLimiter(settings.verify_rate_limit_per_minute)
    for module in (routes_sessions, routes_me, routes_certificates, routes_transfers, routes_ecard,
                   routes_terminals):
        app.include_router(module.router)
    error_handlers.install(app)
    app.add_middleware(TerminalAuthMiddleware, settings=settings)

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=app.routes)
            # Path templates are checked with the same rule the middleware applies to real paths.
            app.openapi_schema = decorate_schema(schema, is_public)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
