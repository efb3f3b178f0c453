"""The transfer application's receipt (or the "accepted by this terminal" one) for `Journey.print_receipt`."""

from __future__ import annotations

from kiosk import documents


def transfer_receipt(citizen, transfer, common) -> tuple[object, str]:
    return documents.transfer_receipt(citizen, transfer, **common.as_kwargs()), f"transfer {transfer.id}"
