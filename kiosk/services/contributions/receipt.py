"""The contributions receipt (one page of months) for `Journey.print_receipt`."""

from __future__ import annotations

from kiosk import documents


def contributions_receipt(citizen, page, common) -> tuple[object, str]:
    return documents.contributions_receipt(citizen, page, **common.as_kwargs()), "contributions"
