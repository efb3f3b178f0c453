"""Wall time as citizens read it: in the terminal's configured zone, whatever the host's zone is.

A kiosk host is often left on UTC (a default Debian) or set to wherever it was imaged;
the receipt, the certificate, the screens, speech and the journal display must still
agree with the clock on the hall's wall. `[terminal] time_zone` (default Asia/Shanghai)
names that zone; `KioskSettings.terminal_clock()` builds a `TerminalClock` from it, and
the composition root passes that one clock to whatever shows a time. There is no module
level "current clock": every user gets it explicitly, so a test can hand in a fixed
instant (`TerminalClock(zone, utc_now=lambda: instant)`).

Stored times stay in UTC (the journal) or carry their own offset (the back office's
answers); they are converted only when shown. A naive datetime is taken as UTC: the
kiosk never makes one, so it can only come from outside.

Qt-free and cheap to import (`zoneinfo` only).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

DEFAULT_TIME_ZONE = "Asia/Shanghai"
# IANA names ("Asia/Shanghai", "UTC", "Etc/GMT-8"): no paths, no spaces, no "localtime".
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")
_HOST_ALIASES = ("localtime", "posixrules", "Factory")


def load_zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone `name`; ValueError with a plain reason when there is no such zone.

    `localtime` and friends are refused: they name the host's zone, which is exactly
    what the setting exists to not depend on.
    """
    if not isinstance(name, str) or len(name) > 64 or not _ZONE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not an IANA time zone name like \"Asia/Shanghai\"")
    if name in _HOST_ALIASES:
        raise ValueError(f"{name!r} follows the host's settings; name the zone, e.g. \"Asia/Shanghai\"")
    try:
        return zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        raise ValueError(f"unknown time zone {name!r} (not in this machine's time zone database; "
                         "is the tzdata package installed?)") from None
    except (ValueError, OSError, UnicodeError) as error:
        raise ValueError(f"{name!r} is not a usable time zone ({error})") from None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class TerminalClock:
    """`now()`, `today()` and formatting in one zone; `utc_now` is the source of instants (tests fix it)."""

    zone: dt.tzinfo
    utc_now: Callable[[], dt.datetime] = dataclasses.field(default=_utc_now, compare=False, repr=False)

    @classmethod
    def named(cls, name: str = DEFAULT_TIME_ZONE,
              utc_now: Callable[[], dt.datetime] | None = None) -> TerminalClock:
        return cls(load_zone(name), utc_now or _utc_now)

    def now(self) -> dt.datetime:
        """This instant on the hall's wall clock (aware, in the terminal's zone)."""
        return self.local(self.utc_now())

    def today(self) -> dt.date:
        """The date in the hall now, which is not the host's date for hours around midnight."""
        return self.now().date()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` in the terminal's zone (a naive one is taken as UTC)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(self.zone)

    def minutes(self, moment: dt.datetime) -> str:
        """`2026-12-08 00:30`: receipts and screens."""
        return self.local(moment).strftime("%Y-%m-%d %H:%M")

    def seconds(self, moment: dt.datetime) -> str:
        """`2026-12-08T00:30:00+08:00`: journal lines, with the offset so nothing is ambiguous."""
        return self.local(moment).isoformat(timespec="seconds")
