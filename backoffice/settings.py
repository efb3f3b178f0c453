"""Settings of the reference back office (one frozen value passed to `create_app`)."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Public (it is in the repository): accepted only in demo mode, never on a real site.
DEMO_TERMINAL_ID = "KIOSK-DEMO-0001"
DEMO_TERMINAL_SECRET = "demo-terminal-secret-change-me"
MIN_ECARD_KEY_LENGTH = 32


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
    # Lifetime of a session's submission grant key: how long a terminal's outbox may still
    # deliver that citizen's submissions after the session ended.
    submission_grant_seconds: int = 48 * 3600
    # Terminal id -> secret. Empty: only a demo back office starts, and it accepts the demo terminal.
    terminals: dict[str, str] = field(default_factory=dict, repr=False)
    # Demo mode: the public demo terminal (when no terminals are given) and POST /v1/ecard/codes,
    # which mints a login code for any ssn. Off unless asked for.
    demo_mode: bool = False
    max_body_bytes: int = 65536
    verify_rate_limit_per_minute: int = 30   # public calls, per client address
    terminal_rate_limit_per_minute: int = 600  # signed calls, per authenticated terminal (0: no limit)
    # Peers whose X-Forwarded-For is believed (a reverse proxy); empty: the peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    certificate_validity_days: int = 90
    local_region: str = "320100"  # 南京市, 江苏省
    ecard_code_seconds: int = 60
    # HMAC key of the e-card codes; "" = a random key for this process (codes do not outlive it).
    ecard_key: str = field(default="", repr=False)
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
        if not self.ecard_key:
            # frozen: set once here; dataclasses.replace() carries it over.
            object.__setattr__(self, "ecard_key", secrets.token_urlsafe(32))
        elif len(self.ecard_key) < MIN_ECARD_KEY_LENGTH:
            raise ValueError(f"the e-card key needs at least {MIN_ECARD_KEY_LENGTH} characters")
        object.__setattr__(self, "trusted_proxies", tuple(self.trusted_proxies))
        _check_zone(self.time_zone)

    def accepted_terminals(self) -> dict[str, str]:
        """The terminals allowed to sign: the configured ones, else (demo mode only) the demo terminal."""
        if self.terminals:
            return dict(self.terminals)
        return _demo_terminals() if self.demo_mode else {}

    def now(self) -> dt.datetime:
        """This instant in the back office's zone (issue times, submission times)."""
        return self.utc_now().astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def business_today(self) -> dt.date:
        """`as_of` when set (demo data, tests), else today in the back office's zone."""
        return self.as_of or self.now().date()
