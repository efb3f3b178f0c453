"""The contributions receipt: one page of months, with employers and totals."""

from __future__ import annotations

import datetime as dt

from devices.receipt.layout import KeyValue, ReceiptLayout, Rule, Text
from kiosk.contract.models import CitizenSummary, ContributionStatus
from kiosk.contract.models import ContributionPage, ContributionRow
from kiosk.documents import (PaperLabels, columns, contribution_status_name, finish_receipt, format_money, format_period,
                             insurance_type_name, pad_left, pad_right, plain_line, receipt_foot, receipt_head)
from kiosk.messages import MessageCatalog


def _employers(rows: list[ContributionRow], labels: PaperLabels) -> list[str]:
    """Distinct payers of the rows, newest first; flexible workers pay personally."""
    seen: list[str] = []
    for row in rows:
        name = plain_line(row.employer) or labels["personal_payer"]
        if name not in seen:
            seen.append(name)
    return seen


def contributions_receipt(citizen: CitizenSummary, page: ContributionPage, *, header: str, terminal_id: str,
                          now: dt.datetime, language: str = "zh",
                          catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """Month-by-month contributions of one page, the range's totals, and owed/deferred explained."""
    labels = PaperLabels(catalog, language)
    blocks = receipt_head(labels, labels["title.contributions"], citizen, header, terminal_id, now)
    blocks.append(KeyValue(labels["period"], labels["range"].format(start=format_period(page.period_from),
                                                                    end=format_period(page.period_to))))
    blocks.append(KeyValue(labels["insurance_type"],
                           insurance_type_name(page.insurance_type, language, catalog=catalog) if page.insurance_type
                           else labels["all_types"]))
    blocks += [KeyValue(labels["employer"], employer) for employer in _employers(page.rows, labels)]
    blocks.append(Rule())
    if page.rows:
        # Grouped by month (a bold line per month) so a row fits 32 columns in either language;
        # status and amount are padded into columns so the eye can run down them.
        status_width = max(columns(contribution_status_name(status, language, catalog=catalog))
                           for status in ContributionStatus)
        status_width = max(status_width, columns(labels["rows_header_status"]))
        amounts = [format_money(row.personal_part) for row in page.rows]
        amount_width = max([columns(labels["rows_header_amount"])] + [len(amount) for amount in amounts])
        blocks.append(KeyValue(labels["rows_header_type"],
                               pad_right(labels["rows_header_status"], status_width) + " "
                               + pad_left(labels["rows_header_amount"], amount_width)))
        current_period = None
        for row, amount in zip(page.rows, amounts):
            if row.period != current_period:
                current_period = row.period
                blocks.append(Text(format_period(row.period), bold=True))
            blocks.append(KeyValue("  " + insurance_type_name(row.insurance_type, language, short=True, catalog=catalog),
                                   pad_right(contribution_status_name(row.status, language, catalog=catalog), status_width)
                                   + " " + pad_left(amount, amount_width)))
        if page.total_rows > len(page.rows):
            blocks.append(Text(labels["rows_partial"].format(shown=len(page.rows), total=page.total_rows)))
    else:
        blocks.append(Text(labels["no_rows"]))
    totals = page.totals
    blocks += [
        Rule(),
        KeyValue(labels["months_paid"], str(totals.months_paid)),
        KeyValue(labels["months_owed"], str(totals.months_owed)),
        KeyValue(labels["months_deferred"], str(totals.months_deferred)),
        KeyValue(labels["employer_total"], format_money(totals.employer_part)),
        KeyValue(labels["personal_total"], format_money(totals.personal_part)),
        Text(labels["totals_note"]),
    ]
    statuses = {row.status for row in page.rows}
    if totals.months_owed or ContributionStatus.OWED in statuses:
        blocks.append(Text(labels["explain_owed"]))
    if totals.months_deferred or ContributionStatus.DEFERRED in statuses:
        blocks.append(Text(labels["explain_deferred"]))
    return finish_receipt(blocks + receipt_foot(labels))


def receipt_layout(citizen, page, common) -> tuple[object, str]:
    return contributions_receipt(citizen, page, **common.as_kwargs()), "contributions"
