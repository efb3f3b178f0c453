"""Terminal heartbeat and the server health probe."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from kiosk.contract.models import Heartbeat, HeartbeatAck, HealthStatus

from backoffice import db
from backoffice.dependencies import get_conn, signing_terminal
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError

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
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    with db.write_transaction(conn):
        conn.execute("INSERT INTO terminal_heartbeats (terminal_id, received_at, payload_json) VALUES (?, ?, ?)"
                     " ON CONFLICT(terminal_id) DO UPDATE SET received_at = excluded.received_at,"
                     " payload_json = excluded.payload_json",
                     (signer, now.isoformat(), json.dumps(body.model_dump(mode="json"), ensure_ascii=False)))
    return HeartbeatAck(terminal_id=signer, received_at=now, server_time=dt.datetime.now(dt.timezone.utc))


@router.get("/v1/health", response_model=HealthStatus, summary="Liveness probe (public, no signature)",
            description="Unsigned so load balancers and monitors can call it; reveals nothing but the time.")
def health() -> HealthStatus:
    return HealthStatus(status="ok", version=API_VERSION, server_time=dt.datetime.now(dt.timezone.utc))
