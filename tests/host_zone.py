"""The host's time zone, set for a test: what `datetime.now().astimezone()` and `time.localtime` use.

`AFTER_MIDNIGHT_IN_SHANGHAI` is 2026-12-08 00:30 in Shanghai while the host's date (UTC or
New York) is still 7 December: the instant where a time shown in the host's zone is wrong.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time

AFTER_MIDNIGHT_IN_SHANGHAI = dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.timezone.utc)
HOST_ZONES = ("UTC", "America/New_York")


@contextlib.contextmanager
def host_time_zone(name: str):
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield name
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
