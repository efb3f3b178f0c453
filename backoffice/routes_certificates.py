"""Certificate issue (citizen, idempotent), the citizen's issued certificates (re-print by number)
and the public verification endpoint."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from kiosk.contract.models import Certificate, CertificateList, CertificateRequest, CertificateVerification

from backoffice import certificates, idempotency
from backoffice.dependencies import CitizenContext, current_citizen, get_conn, get_settings, submitting_citizen
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["certificates"])

OPERATION = "certificate"


@router.post("/v1/me/certificates", status_code=201, response_model=Certificate,
             responses=problem_responses(400, 401, 413, 422), summary="Issue an enrolment or contribution certificate",
             description=("Requires an Idempotency-Key. Repeating the same key with the same body answers the "
                          "same certificate with 201 again (header `Idempotent-Replayed: true`); the same key "
                          "with another body is refused with 422 `idempotency_key_reused`."))
def issue_certificate(body: CertificateRequest, idempotency_key: idempotency.IdempotencyKey,
                      citizen: CitizenContext = Depends(submitting_citizen),
                      conn: sqlite3.Connection = Depends(get_conn),
                      settings: BackofficeSettings = Depends(get_settings)) -> JSONResponse:
    certificates.check_range(body)
    number, replayed = idempotency.create_once(
        conn, OPERATION, citizen.citizen_id, idempotency_key, body,
        lambda: certificates.issue(conn, settings, citizen.citizen_id, citizen.terminal_id, body))
    return idempotency.created_response(certificates.load(conn, number), replayed)


@router.get("/v1/me/certificates", response_model=CertificateList, responses=problem_responses(401),
            summary="This citizen's issued certificates, newest first",
            description=f"At most {certificates.MAX_LISTED}. `status` is `expired` after `valid_until`.")
def list_certificates(citizen: CitizenContext = Depends(current_citizen),
                      conn: sqlite3.Connection = Depends(get_conn),
                      settings: BackofficeSettings = Depends(get_settings)) -> CertificateList:
    return CertificateList(items=certificates.list_for(conn, citizen.citizen_id, settings.now().date()))


@router.get("/v1/me/certificates/{number}", response_model=Certificate, responses=problem_responses(401, 404),
            summary="One issued certificate, unchanged, for re-printing",
            description=("The certificate exactly as issued (same number, verification code and content); "
                         "nothing new is issued. 404 `certificate_number_not_found` when the number does not "
                         "exist or belongs to another citizen."))
def get_certificate(number: Annotated[str, Path(max_length=64)],
                    citizen: CitizenContext = Depends(current_citizen),
                    conn: sqlite3.Connection = Depends(get_conn)) -> Certificate:
    return certificates.load_for(conn, citizen.citizen_id, number)


def rate_limited(request: Request) -> None:
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.verify_rate_limiter.take(client)
    if wait:
        raise ProblemError("rate_limited", headers={"Retry-After": str(wait)})


@router.get("/v1/certificates/{verification_code}", response_model=CertificateVerification,
            responses=problem_responses(404, 429), summary="Check a certificate (public, no signature)",
            description=("Public: anyone holding the paper can check it, so it answers only what checks the paper: "
                         "number, kind, period, issue date, valid-until, issuing office, the name masked (张*明) "
                         "and `status` valid, expired or revoked; never the ssn, personal number, employers or "
                         "bases. Rate limited per client address (the peer, or the client a trusted proxy names)."),
            dependencies=[Depends(rate_limited)])
def verify_certificate(verification_code: str = Path(max_length=64),
                       conn: sqlite3.Connection = Depends(get_conn),
                       settings: BackofficeSettings = Depends(get_settings)) -> CertificateVerification:
    return certificates.verify(conn, verification_code, settings.now().date())
