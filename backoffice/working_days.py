"""Working-day arithmetic for the 15-working-day limits of the transfer steps.

Only weekends are skipped: public holidays and the swapped working weekends around
them are not modelled (a real back office would read the State Council calendar).
"""

from __future__ import annotations

import datetime as dt

STEP_LIMIT_WORKING_DAYS = 15


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> dt.date:
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(end: dt.date, count: int) -> dt.date:
    day = end
    remaining = count
    while remaining > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
