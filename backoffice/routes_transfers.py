"""Pension-transfer eligibility, applications (idempotent) and their timelines."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from kiosk.contract.models import (REGION_PATTERN, PensionTransfer, PensionTransferList, TransferEligibility,
                                  TransferRequest)

from backoffice import idempotency, transfer_rules, transfers
from backoffice.citizens import area_model
from backoffice.dependencies import CitizenContext, current_citizen, get_conn, get_settings, submitting_citizen
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["pension transfer"])

OPERATION = "pension_transfer"


def _area(conn: sqlite3.Connection, row: sqlite3.Row | None):
    return area_model(conn, row["code"]) if row is not None else None


@router.get("/v1/me/pension-transfers/eligibility", response_model=TransferEligibility,
            responses=problem_responses(401, 422), summary="May this citizen apply to transfer from a region?",
            description=("Always 200 with `eligible` and a `code`: eligible, pensioner, unknown_region, "
                         "no_transfer_needed (same city, or same province under provincial pooling), "
                         "active_application, not_insured_here, no_records_in_area."))
def eligibility(from_region: Annotated[str, Query(pattern=REGION_PATTERN)],
                citizen: CitizenContext = Depends(current_citizen),
                conn: sqlite3.Connection = Depends(get_conn),
                settings: BackofficeSettings = Depends(get_settings)) -> TransferEligibility:
    decision = transfer_rules.decide(conn, settings.local_region, citizen.citizen_id, from_region)
    return TransferEligibility(eligible=decision.eligible, code=decision.code, message_zh=decision.message_zh,
                               message_en=decision.message_en, from_area=_area(conn, decision.from_area),
                               to_area=_area(conn, decision.to_area))


@router.post("/v1/me/pension-transfers", status_code=201, response_model=PensionTransfer,
             responses=problem_responses(400, 401, 409, 413, 422), summary="Apply for a pension transfer",
             description=("Requires an Idempotency-Key. The same key with the same body answers the same "
                          "application with 201 again (header `Idempotent-Replayed: true`), never a second one; "
                          "the same key with another body is refused with 422 `idempotency_key_reused`. Refusals "
                          "carry the eligibility code: 409 `active_application`, else 422."))
def apply(body: TransferRequest, idempotency_key: idempotency.IdempotencyKey,
          citizen: CitizenContext = Depends(submitting_citizen),
          conn: sqlite3.Connection = Depends(get_conn),
          settings: BackofficeSettings = Depends(get_settings)) -> JSONResponse:
    today = settings.business_today()

    def decide_and_create() -> str:
        decision = transfer_rules.decide(conn, settings.local_region, citizen.citizen_id, body.from_region)
        if not decision.eligible:
            raise ProblemError(decision.code, message_zh=decision.message_zh, message_en=decision.message_en)
        return transfers.create(conn, citizen.citizen_id, decision.from_area["code"], decision.to_area["code"],
                                body.contact_mobile, today, settings.now())

    # The key is checked first: a retry after success must get the application, not a conflict.
    transfer_id, replayed = idempotency.create_once(conn, OPERATION, citizen.citizen_id, idempotency_key, body,
                                                    decide_and_create)
    return idempotency.created_response(transfers.load(conn, citizen.citizen_id, transfer_id, today), replayed)


@router.get("/v1/me/pension-transfers", response_model=PensionTransferList, responses=problem_responses(401),
            summary="This citizen's transfer applications, newest first")
def list_transfers(citizen: CitizenContext = Depends(current_citizen),
                   conn: sqlite3.Connection = Depends(get_conn),
                   settings: BackofficeSettings = Depends(get_settings)) -> PensionTransferList:
    return PensionTransferList(items=transfers.list_for(conn, citizen.citizen_id, settings.business_today()))


@router.get("/v1/me/pension-transfers/{transfer_id}", response_model=PensionTransfer,
            responses=problem_responses(401, 404), summary="One application with its step timeline")
def get_transfer(transfer_id: Annotated[str, Path(max_length=64)],
                 citizen: CitizenContext = Depends(current_citizen),
                 conn: sqlite3.Connection = Depends(get_conn),
                 settings: BackofficeSettings = Depends(get_settings)) -> PensionTransfer:
    return transfers.load(conn, citizen.citizen_id, transfer_id, settings.business_today())
