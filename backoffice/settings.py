"""Settings of the reference back office (one frozen value passed to `create_app`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

DEMO_TERMINAL_ID = "KIOSK-DEMO-0001"
DEMO_TERMINAL_SECRET = "demo-terminal-secret-change-me"


def _demo_terminals() -> dict[str, str]:
    return {DEMO_TERMINAL_ID: DEMO_TERMINAL_SECRET}


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

    def business_today(self) -> dt.date:
        return self.as_of or dt.date.today()
