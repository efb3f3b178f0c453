"""FastAPI dependencies: the per-request connection, the signing terminal, the citizen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request

from backoffice import db, sessions
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings


def get_settings(request: Request) -> BackofficeSettings:
    return request.app.state.settings


def get_conn(request: Request) -> Iterator[sqlite3.Connection]:
    conn = db.connect(request.app.state.settings.db_path)
    try:
        yield conn
    finally:
        conn.close()


def signing_terminal(request: Request) -> str:
    # Set by TerminalAuthMiddleware; absent only if a route was wrongly left public.
    terminal_id = getattr(request.state, "terminal_id", None)
    if terminal_id is None:
        raise ProblemError("terminal_unauthenticated")
    return terminal_id


@dataclass(frozen=True)
class CitizenContext:
    citizen_id: int
    token_hash: str
    terminal_id: str


def current_citizen(request: Request, conn: sqlite3.Connection = Depends(get_conn),
                    terminal_id: str = Depends(signing_terminal),
                    settings: BackofficeSettings = Depends(get_settings)) -> CitizenContext:
    authorization = request.headers.get("authorization")
    if sessions.grant_value(authorization) is not None:
        # A grant delivers one submission; it never reads or ends a session.
        raise ProblemError("grant_invalid", headers={"WWW-Authenticate": "Bearer"})
    token = sessions.bearer_token(authorization)
    if token is None:
        raise ProblemError("session_required", headers={"WWW-Authenticate": "Bearer"})
    token_hash, citizen_id = sessions.touch(conn, token, terminal_id, settings.token_idle_seconds)
    return CitizenContext(citizen_id, token_hash, terminal_id)


def submitting_citizen(request: Request, conn: sqlite3.Connection = Depends(get_conn),
                       terminal_id: str = Depends(signing_terminal),
                       settings: BackofficeSettings = Depends(get_settings)) -> CitizenContext:
    """For state-changing submissions: a live session token, or a grant derived for this submission.

    The grant lets a terminal's outbox deliver an application after the citizen's session
    ended (crash, outage); it is bound to the terminal, this route and this Idempotency-Key,
    and expires by itself.
    """
    grant = sessions.grant_value(request.headers.get("authorization"))
    if grant is not None:
        citizen_id = sessions.grant_citizen(conn, grant, terminal_id, request.method, request.url.path,
                                            request.headers.get("idempotency-key", ""))
        return CitizenContext(citizen_id, "", terminal_id)
    return current_citizen(request, conn, terminal_id, settings)
