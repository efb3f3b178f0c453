"""The signed-in citizen's enrolment and contributions."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from kiosk.contract.models import PERIOD_PATTERN, ContributionPage, Enrolment, InsuranceType

from backoffice import citizens, contributions, periods
from backoffice.dependencies import CitizenContext, current_citizen, get_conn, get_settings
from backoffice.openapi_docs import problem_responses
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

router = APIRouter(tags=["citizen"])

MAX_SPAN_MONTHS = 50 * 12
DEFAULT_MONTHS = 12


@router.get("/v1/me/enrolment", response_model=Enrolment, responses=problem_responses(401),
            summary="Enrolment per insurance type")
def get_enrolment(citizen: CitizenContext = Depends(current_citizen),
                  conn: sqlite3.Connection = Depends(get_conn)) -> Enrolment:
    return citizens.enrolment(conn, citizen.citizen_id)


@router.get("/v1/me/contributions", response_model=ContributionPage, responses=problem_responses(401, 422),
            summary="Monthly contribution rows, newest first",
            description=("Rows for the inclusive range `from`..`to` (default: the 12 months up to the current "
                         "month), optionally one insurance type, paged. `totals` cover the whole range, not just "
                         "the page; months count calendar months and amounts count paid rows only. The range "
                         "may span at most 50 years."))
def get_contributions(
    citizen: CitizenContext = Depends(current_citizen),
    conn: sqlite3.Connection = Depends(get_conn),
    settings: BackofficeSettings = Depends(get_settings),
    period_from: Annotated[str | None, Query(alias="from", pattern=PERIOD_PATTERN)] = None,
    period_to: Annotated[str | None, Query(alias="to", pattern=PERIOD_PATTERN)] = None,
    insurance_type: Annotated[InsuranceType | None, Query(alias="type")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 24,
) -> ContributionPage:
    if period_to is None:
        period_to = periods.to_period(periods.of_date(settings.business_today()))
    if period_from is None:
        period_from = periods.to_period(periods.to_index(period_to) - DEFAULT_MONTHS + 1)
    if period_from > period_to:
        raise ProblemError("invalid_request", errors=[{"loc": ["query", "from"], "msg": "from must not be after to"}])
    if periods.month_span(period_from, period_to) > MAX_SPAN_MONTHS:
        raise ProblemError("invalid_request", errors=[{"loc": ["query", "from"], "msg": "range exceeds 50 years"}])
    return contributions.page(conn, citizen.citizen_id, period_from, period_to, insurance_type, page, page_size)
