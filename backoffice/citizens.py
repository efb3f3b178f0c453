"""Reading a citizen: summary, enrolment per insurance type."""

from __future__ import annotations

import sqlite3

from kiosk.contract import identifiers
from kiosk.contract.models import (Area, CitizenSummary, Enrolment, EnrolmentItem, EnrolmentStatus,
                                   InsuranceType, PayerKind)

from backoffice import areas
from backoffice.problems import ProblemError


def area_model(conn: sqlite3.Connection, code: str) -> Area:
    row = areas.load(conn, code)
    return Area(code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"])


def load_citizen(conn: sqlite3.Connection, citizen_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM citizens WHERE id = ?", (citizen_id,)).fetchone()
    if row is None:
        raise ProblemError("citizen_not_found")
    return row


def summary(conn: sqlite3.Connection, citizen_id: int, card_number: str | None = None) -> CitizenSummary:
    citizen = load_citizen(conn, citizen_id)
    if card_number is None:
        card = conn.execute("SELECT card_number FROM cards WHERE citizen_id = ? AND status = 'normal'"
                            " ORDER BY issued_on DESC LIMIT 1", (citizen_id,)).fetchone()
        card_number = card["card_number"] if card else None
    return CitizenSummary(
        name=citizen["name"],
        ssn_masked=identifiers.mask_ssn(citizen["ssn"]),
        card_number_masked=identifiers.mask_card_number(card_number) if card_number else None,
        personal_number=citizen["personal_number"],
        sex=citizen["sex"],
        insured_area=area_model(conn, citizen["insured_area"]),
        retired=bool(citizen["retired"]),
        payer_kind=PayerKind(citizen["payer_kind"]),
    )


def enrolment_items(conn: sqlite3.Connection, citizen_id: int) -> list[EnrolmentItem]:
    counts = {
        (row["insurance_type"], row["status"]): row["months"]
        for row in conn.execute("SELECT insurance_type, status, COUNT(*) AS months FROM contributions"
                                " WHERE citizen_id = ? GROUP BY insurance_type, status", (citizen_id,))
    }
    first = {
        row["insurance_type"]: row["first_period"]
        for row in conn.execute("SELECT insurance_type, MIN(period) AS first_period FROM contributions"
                                " WHERE citizen_id = ? GROUP BY insurance_type", (citizen_id,))
    }
    enrolments = {row["insurance_type"]: row for row in conn.execute(
        "SELECT * FROM enrolments WHERE citizen_id = ?", (citizen_id,))}
    citizen = load_citizen(conn, citizen_id)
    items = []
    for insurance_type in InsuranceType:
        enrolment = enrolments.get(insurance_type.value)
        items.append(EnrolmentItem(
            insurance_type=insurance_type,
            status=EnrolmentStatus(enrolment["status"]) if enrolment else EnrolmentStatus.NOT_ENROLLED,
            first_insured=first.get(insurance_type.value),
            months_paid=counts.get((insurance_type.value, "paid"), 0),
            months_owed=counts.get((insurance_type.value, "owed"), 0),
            months_deferred=counts.get((insurance_type.value, "deferred"), 0),
            pooling_area=area_model(conn, enrolment["pooling_area"] if enrolment else citizen["insured_area"]),
            payer_kind=PayerKind(enrolment["payer_kind"]) if enrolment else PayerKind(citizen["payer_kind"]),
            contribution_grade=enrolment["contribution_grade"] if enrolment else None,
        ))
    return items


def enrolment(conn: sqlite3.Connection, citizen_id: int) -> Enrolment:
    return Enrolment(citizen=summary(conn, citizen_id), items=enrolment_items(conn, citizen_id))
