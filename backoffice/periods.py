"""YYYYMM periods as month indexes (year * 12 + month - 1) so ranges are integer maths."""

from __future__ import annotations

import datetime as dt


def to_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[4:6]) - 1


def to_period(index: int) -> str:
    return f"{index // 12:04d}{index % 12 + 1:02d}"


def of_date(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_span(period_from: str, period_to: str) -> int:
    """Number of months in the inclusive range."""
    return to_index(period_to) - to_index(period_from) + 1
