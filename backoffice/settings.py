"""Settings of the reference back office (one frozen value passed to `create_app`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEMO_TERMINAL_ID = "KIOSK-DEMO-0001"
DEMO_TERMINAL_SECRET = "demo-terminal-secret-change-me"


def _demo_terminals() -> dict[str, str]:
    return {DEMO_TERMINAL_ID: DEMO_TERMINAL_SECRET}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _check_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"time_zone: unknown time zone {name!r} ({error})") from None


@dataclass(frozen=True)
class BackofficeSettings:
    db_path: Path
    seed: int = 2026
    # Demo data are generated relative to this date (None = today), so the same
    # seed and as_of always give identical data; it is also the "business today"
    # used for transfer deadlines and the last contribution month.
    as_of: dt.date | None = None
    token_idle_seconds: int = 300
    # How long a terminal's outbox may deliver a citizen's submission after the session.
    submission_grant_seconds: int = 7 * 24 * 3600
    terminals: dict[str, str] = field(default_factory=_demo_terminals)
    demo_mode: bool = True  # enables POST /v1/ecard/codes
    max_body_bytes: int = 65536
    verify_rate_limit_per_minute: int = 30
    certificate_validity_days: int = 90
    local_region: str = "320100"  # 南京市, 江苏省
    ecard_code_seconds: int = 60
    ecard_key: str = "demo-ecard-hmac-key-change-me"
    certificate_number_prefix: str = "NJ"
    # GET /v1/terminals: the hall manager's bearer token ("" = the route answers 403), and
    # how many missed beats (x the terminal's interval, 60 s when it sent none) make a terminal stale.
    manager_token: str = field(default="", repr=False)
    terminal_stale_factor: float = 3.0
    # Business dates (certificate issue date and valid-until, transfer steps and their working-day
    # deadlines, the last contribution month) are dates in this IANA zone, whatever the host's zone.
    time_zone: str = "Asia/Shanghai"
    # Where instants come from (aware, UTC); tests fix it. Never the host's local time.
    utc_now: Callable[[], dt.datetime] = field(default=_utc_now, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_zone(self.time_zone)

    def now(self) -> dt.datetime:
        """This instant in the back office's zone (issue times, submission times)."""
        return self.utc_now().astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def business_today(self) -> dt.date:
        """`as_of` when set (demo data, tests), else today in the back office's zone."""
        return self.as_of or self.now().date()
