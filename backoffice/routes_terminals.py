"""Terminal heartbeat, the hall manager's fleet view and the server health probe."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from kiosk.contract.models import Heartbeat, HeartbeatAck, HealthStatus, Problem, TerminalList

from backoffice import db, terminals
from backoffice.dependencies import get_conn, get_settings, signing_terminal
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["terminals"])

API_VERSION = "1"


@router.post("/v1/terminals/{terminal_id}/heartbeat", response_model=HeartbeatAck,
             responses=problem_responses(400, 401, 403, 413, 422),
             summary="Report terminal version, device status and counters",
             description="The path id must be the signing terminal (403 `terminal_mismatch` otherwise); the latest "
                         "heartbeat per terminal is kept.")
def heartbeat(terminal_id: Annotated[str, Path(max_length=64)], body: Heartbeat,
              signer: str = Depends(signing_terminal),
              conn: sqlite3.Connection = Depends(get_conn)) -> HeartbeatAck:
    if terminal_id != signer:
        raise ProblemError("terminal_mismatch")
    received = dt.datetime.now(dt.timezone.utc)
    with db.write_transaction(conn):
        # Stored to the microsecond: staleness is judged on it, down to a second in tests.
        conn.execute("INSERT INTO terminal_heartbeats (terminal_id, received_at, payload_json) VALUES (?, ?, ?)"
                     " ON CONFLICT(terminal_id) DO UPDATE SET received_at = excluded.received_at,"
                     " payload_json = excluded.payload_json",
                     (signer, received.isoformat(), json.dumps(body.model_dump(mode="json"), ensure_ascii=False)))
    return HeartbeatAck(terminal_id=signer, received_at=received.replace(microsecond=0),
                        server_time=dt.datetime.now(dt.timezone.utc))


@router.get("/v1/terminals", response_model=TerminalList,
            responses={401: {"model": Problem, "description": "Manager token missing or wrong "
                                                               "(`manager_unauthenticated`)"},
                       403: {"model": Problem, "description": "No manager token configured "
                                                               "(`manager_access_disabled`)"}},
            summary="Every terminal's latest heartbeat, for the hall manager",
            description="Not signed by a terminal: send `Authorization: Bearer <manager token>` (401 "
                        "`manager_unauthenticated` otherwise; 403 `manager_access_disabled` when the back office "
                        "has no manager token). Sorted by terminal id; configured terminals that never reported "
                        "are listed with `last_seen` null. `stale` is true when no heartbeat arrived for the "
                        "configured factor (default 3) times the terminal's `interval_s` (60 s when it sent none).")
def list_terminals(request: Request, settings: BackofficeSettings = Depends(get_settings),
                   conn: sqlite3.Connection = Depends(get_conn)) -> TerminalList | Response:
    refusal = terminals.manager_refusal(settings, request.headers.get("authorization"))
    if refusal is not None:
        return refusal
    return terminals.terminal_list(conn, settings)


@router.get("/v1/health", response_model=HealthStatus, summary="Liveness probe (public, no signature)",
            description="Unsigned so load balancers and monitors can call it; reveals nothing but the time.")
def health() -> HealthStatus:
    return HealthStatus(status="ok", version=API_VERSION, server_time=dt.datetime.now(dt.timezone.utc))
