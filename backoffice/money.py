"""Money is stored as integer fen; the API sends decimals with two places."""

from __future__ import annotations

from decimal import Decimal


def fen_to_decimal(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))
