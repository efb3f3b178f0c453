"""The enrolment receipt (ESC/POS layout): status per insurance type, owed and deferred months."""

from __future__ import annotations

import datetime as dt

from devices.receipt.layout import KeyValue, ReceiptLayout, Rule, Text
from kiosk.contract.models import CitizenSummary
from kiosk.contract.models import Enrolment
from kiosk.documents import (PaperLabels, area_name, enrolment_status_name, finish_receipt, format_period,
                             insurance_type_name, plain_line, receipt_foot, receipt_head)
from kiosk.messages import MessageCatalog


def enrolment_receipt(citizen: CitizenSummary, enrolment: Enrolment, *, header: str, terminal_id: str,
                      now: dt.datetime, language: str = "zh", catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """Per insurance type: status, first insured, months paid, and owed/deferred months when there are any."""
    labels = PaperLabels(catalog, language)
    blocks = receipt_head(labels, labels["title.enrolment"], citizen, header, terminal_id, now)
    home_area = area_name(citizen.insured_area, language)
    blocks.append(KeyValue(labels["insured_area"], home_area))
    owed = deferred = False
    for item in enrolment.items:
        blocks += [
            Rule(),
            # English full names do not fit beside the status on 58 mm paper; the short ones are clear.
            KeyValue(insurance_type_name(item.insurance_type, language, short=language == "en", catalog=catalog),
                     enrolment_status_name(item.status, language, catalog=catalog)),
            KeyValue(labels["first_insured"], format_period(item.first_insured)),
            KeyValue(labels["item_months_paid"], str(item.months_paid)),
        ]
        if item.months_owed:
            blocks.append(KeyValue(labels["item_months_owed"], str(item.months_owed)))
            owed = True
        if item.months_deferred:
            blocks.append(KeyValue(labels["item_months_deferred"], str(item.months_deferred)))
            deferred = True
        if item.contribution_grade:
            blocks.append(KeyValue(labels["item_grade"], plain_line(item.contribution_grade)))
        pooling_area = area_name(item.pooling_area, language)
        if pooling_area != home_area:
            blocks.append(KeyValue(labels["item_area"], pooling_area))
    if not enrolment.items:
        blocks.append(Text(labels["no_items"]))
    if owed or deferred:
        blocks.append(Rule())
    if owed:
        blocks.append(Text(labels["explain_owed"]))
    if deferred:
        blocks.append(Text(labels["explain_deferred"]))
    return finish_receipt(blocks + receipt_foot(labels))


def receipt_layout(citizen, enrolment, common) -> tuple[object, str]:
    return enrolment_receipt(citizen, enrolment, **common.as_kwargs()), "enrolment"
