"""养老保险关系转移接续: apply for a pension-insurance transfer (through the outbox) and follow its progress."""

from kiosk.services.pension_transfer.steps import (
    CheckEligibility, LoadTransfers, MOBILE_LENGTH, MOBILE_PATTERN, NOT_ELIGIBLE, SERVICE, SubmitTransfer,
    TransferIntent, TransferPrivate, TransferScreens, TransferView, transfer_view,
)

__all__ = ["CheckEligibility", "LoadTransfers", "MOBILE_LENGTH", "MOBILE_PATTERN", "NOT_ELIGIBLE", "SERVICE",
           "SubmitTransfer", "TransferIntent", "TransferPrivate", "TransferScreens", "TransferView",
           "transfer_view"]
