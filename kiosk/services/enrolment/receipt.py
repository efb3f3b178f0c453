"""The enrolment receipt (ESC/POS layout) for `Journey.print_receipt`."""

from __future__ import annotations

from kiosk import documents


def enrolment_receipt(citizen, enrolment, common) -> tuple[object, str]:
    return documents.enrolment_receipt(citizen, enrolment, **common.as_kwargs()), "enrolment"
