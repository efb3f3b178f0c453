"""E-card codes: demo issue (demo_mode only) and verification for terminals."""

from __future__ import annotations

import datetime as dt
import sqlite3

from fastapi import APIRouter, Depends

from kiosk.contract.models import EcardCode, EcardCodeRequest, EcardIdentity, EcardVerifyRequest

from backoffice import citizens, ecard
from backoffice.dependencies import get_conn, get_settings, signing_terminal
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["e-card"])


@router.post("/v1/ecard/codes", status_code=201, response_model=EcardCode,
             responses=problem_responses(400, 401, 404, 413, 422),
             summary="Issue a demo e-card code (demo mode only; 404 otherwise)",
             description="Stands in for the phone app: the code is opaque, valid for a minute, single use, and "
                         "issuing a new one revokes the citizen's older codes. Only a back office started with "
                         "`--demo` serves it: it mints a login code for any ssn.",
             dependencies=[Depends(signing_terminal)])
def issue_code(body: EcardCodeRequest, conn: sqlite3.Connection = Depends(get_conn),
               settings: BackofficeSettings = Depends(get_settings)) -> EcardCode:
    if not settings.demo_mode:
        raise ProblemError("not_found")
    row = conn.execute("SELECT id FROM citizens WHERE ssn = ?", (body.ssn,)).fetchone()
    if row is None:
        raise ProblemError("citizen_not_found")
    qr, expires_at = ecard.issue(conn, settings, row["id"])
    return EcardCode(qr=qr, expires_at=dt.datetime.fromtimestamp(expires_at, dt.timezone.utc))


@router.post("/v1/ecard/verify", response_model=EcardIdentity, responses=problem_responses(400, 401, 413, 422),
             summary="Verify a scanned e-card code",
             description=("A code is single use: a successful verification (here or at POST /v1/sessions) spends "
                          "it. 422 with code `ecard_invalid`, `ecard_expired`, `ecard_revoked` or `ecard_used` when "
                          "it does not verify."),
             dependencies=[Depends(signing_terminal)])
def verify_code(body: EcardVerifyRequest, conn: sqlite3.Connection = Depends(get_conn),
                settings: BackofficeSettings = Depends(get_settings)) -> EcardIdentity:
    citizen_id = ecard.verify(conn, settings, body.qr)
    return EcardIdentity(valid=True, citizen=citizens.summary(conn, citizen_id))
