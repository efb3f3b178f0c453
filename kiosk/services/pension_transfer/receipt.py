"""The transfer application's receipt: route, status, the next step."""

from __future__ import annotations

import datetime as dt

from devices.receipt.layout import KeyValue, ReceiptLayout, Rule, Text
from kiosk.contract.models import CitizenSummary
from kiosk.contract.models import PensionTransfer, StepState, TransferStep
from kiosk.documents import (PaperLabels, area_name, finish_receipt, format_time, masked_mobile, paper_zone,
                             plain_line, receipt_foot, receipt_head, transfer_status_name)
from kiosk.messages import MessageCatalog, in_language


def _next_step(transfer: PensionTransfer) -> TransferStep | None:
    """The step being worked on, else the first not yet started; none once the application has ended."""
    for state in (StepState.CURRENT, StepState.PENDING):
        for step in transfer.steps:
            if step.state == state:
                return step
    return None


def transfer_receipt(citizen: CitizenSummary, transfer: PensionTransfer, *, header: str, terminal_id: str,
                     now: dt.datetime, language: str = "zh", catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """The application number to follow it by, where it stands, the next step and the 15-working-day rule."""
    labels = PaperLabels(catalog, language)
    blocks = receipt_head(labels, labels["title.transfer"], citizen, header, terminal_id, now)
    blocks += [
        KeyValue(labels["application_number"], plain_line(transfer.id)),
        KeyValue(labels["from_area"], area_name(transfer.from_area, language)),
        KeyValue(labels["to_area"], area_name(transfer.to_area, language)),
        KeyValue(labels["mobile"], masked_mobile(transfer.contact_mobile_masked)),
        KeyValue(labels["submitted_at"], format_time(transfer.created_at, paper_zone(now))),
        KeyValue(labels["status"], transfer_status_name(transfer.status, language, catalog=catalog)),
    ]
    reason = in_language(language, zh=transfer.status_reason_zh, en=transfer.status_reason_en)
    if reason:
        blocks.append(Text(plain_line(reason)))
    step = _next_step(transfer)
    if step is not None:
        blocks += [
            Rule(),
            KeyValue(labels["next_step"], plain_line(in_language(language, zh=step.title_zh, en=step.title_en))),
            KeyValue(labels["office"], labels[f"office.{step.office}"]),
        ]
        if step.due_by:
            blocks.append(KeyValue(labels["due_by"], step.due_by.isoformat()))
        if step.overdue:
            blocks.append(Text(labels["overdue"], bold=True))
        blocks.append(Text(labels["step_limit"].format(days=step.working_day_limit)))
        blocks.append(Text(labels["no_return"]))
    return finish_receipt(blocks + receipt_foot(labels))


def receipt_layout(citizen, transfer, common) -> tuple[object, str]:
    return transfer_receipt(citizen, transfer, **common.as_kwargs()), f"transfer {transfer.id}"
