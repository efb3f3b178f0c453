"""Citizen sessions: open from a card (PIN verified on the card) or an e-card code; close."""

from __future__ import annotations

import datetime as dt
import sqlite3

from fastapi import APIRouter, Body, Depends, Response

from kiosk.contract.models import CardSessionRequest, SessionOpened, SessionRequest

from backoffice import citizens, ecard, sessions
from backoffice.dependencies import (CitizenContext, current_citizen, get_conn, get_settings,
                                     signing_terminal)
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["sessions"])


@router.post("/v1/sessions", status_code=201, response_model=SessionOpened,
             responses=problem_responses(400, 401, 403, 413, 422),
             summary="Open a citizen session from a card or an e-card code",
             description=("An e-card code opens one session only (422 `ecard_used` after). The answer's "
                          "`submission_grant` is a grant key: see kiosk/contract/signing.py and the "
                          "SubmissionGrant security scheme."))
def open_session(request_body: SessionRequest = Body(...), conn: sqlite3.Connection = Depends(get_conn),
                 terminal_id: str = Depends(signing_terminal),
                 settings: BackofficeSettings = Depends(get_settings)) -> SessionOpened:
    card_number = None
    if isinstance(request_body, CardSessionRequest):
        card = conn.execute(
            "SELECT cards.*, citizens.ssn FROM cards JOIN citizens ON citizens.id = cards.citizen_id"
            " WHERE cards.card_number = ?", (request_body.card_number,)).fetchone()
        if card is None or card["ssn"] != request_body.ssn or card["card_id_code"] != request_body.card_id_code:
            raise ProblemError("card_not_recognised")
        if card["status"] != "normal":
            raise ProblemError("card_revoked")
        if not request_body.pin_verified:
            raise ProblemError("pin_not_verified")
        citizen_id = card["citizen_id"]
        card_number = card["card_number"]
    else:
        citizen_id = ecard.verify(conn, settings, request_body.qr)
    token, expires_at = sessions.open_session(conn, citizen_id, terminal_id, request_body.method,
                                              settings.token_idle_seconds)
    return SessionOpened(
        token=token,
        expires_at=dt.datetime.fromtimestamp(expires_at, dt.timezone.utc),
        idle_timeout_seconds=settings.token_idle_seconds,
        citizen=citizens.summary(conn, citizen_id, card_number),
        submission_grant=sessions.issue_grant(conn, citizen_id, terminal_id, settings.submission_grant_seconds),
    )


@router.delete("/v1/sessions/current", status_code=204, response_class=Response,
               responses=problem_responses(401), summary="End the citizen session")
def close_session(citizen: CitizenContext = Depends(current_citizen),
                  conn: sqlite3.Connection = Depends(get_conn)) -> Response:
    sessions.close_session(conn, citizen.token_hash)
    return Response(status_code=204)
