"""The hall manager's fleet view: each terminal's latest heartbeat and whether it is overdue.

A terminal is stale when no heartbeat arrived for `terminal_stale_factor` x its beat
interval (the `interval_s` of its last heartbeat, `DEFAULT_INTERVAL_S` when it sent
none). Configured terminals that never reported are listed too, stale, with no
`last_seen`. The manager authenticates with a bearer token of its own: a manager has no
terminal secret, and a terminal's signature must not open the fleet view.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
import logging
import sqlite3
from collections.abc import Mapping

from pydantic import ValidationError
from starlette.responses import Response

from kiosk.contract.models import TerminalDevice, TerminalList, TerminalStatus

from backoffice.problems import PROBLEM_MEDIA_TYPE, ProblemType
from backoffice.settings import BackofficeSettings

log = logging.getLogger("backoffice")

DEFAULT_INTERVAL_S = 60
MAX_LISTED_DEVICES = 32
MAX_LISTED_COUNTERS = 64

# Problems of the manager route, declared like backoffice/problems.py declares its own.
MANAGER_ACCESS_DISABLED = ProblemType(
    "manager_access_disabled", 403, "Manager access disabled", "未配置管理员令牌，终端状态查询已关闭。",
    "No manager token is configured, so the terminal overview is switched off.")
MANAGER_UNAUTHENTICATED = ProblemType(
    "manager_unauthenticated", 401, "Manager not authenticated", "管理员令牌无效。",
    "The manager token is missing or wrong.")


def manager_refusal(settings: BackofficeSettings, authorization: str | None) -> Response | None:
    """None when the request carries the manager token, else the problem+json answer."""
    if not settings.manager_token:
        return _problem_response(MANAGER_ACCESS_DISABLED)
    scheme, _, presented = (authorization or "").partition(" ")
    expected = settings.manager_token.encode("utf-8")
    # Constant time, and compared even when the scheme is wrong, so timing tells nothing.
    matches = hmac.compare_digest(presented.strip().encode("utf-8"), expected)
    if scheme.lower() != "bearer" or not matches:
        return _problem_response(MANAGER_UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    return None


def _problem_response(problem: ProblemType, headers: Mapping[str, str] | None = None) -> Response:
    body = {"type": "about:blank", "title": problem.title, "status": problem.status, "code": problem.code,
            "message_zh": problem.message_zh, "message_en": problem.message_en}
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=problem.status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))


def terminal_list(conn: sqlite3.Connection, settings: BackofficeSettings,
                  now: dt.datetime | None = None) -> TerminalList:
    """Every terminal that reported or is configured, sorted by id."""
    now = now or dt.datetime.now(dt.timezone.utc)
    reported = {row["terminal_id"]: row for row in
                conn.execute("SELECT terminal_id, received_at, payload_json FROM terminal_heartbeats")}
    items = []
    for terminal_id in sorted(set(reported) | set(settings.accepted_terminals())):
        row = reported.get(terminal_id)
        if row is None:
            items.append(TerminalStatus(terminal_id=terminal_id, stale=True))
        else:
            items.append(_status_from_row(terminal_id, row["received_at"], row["payload_json"], now,
                                          settings.terminal_stale_factor))
    return TerminalList(items=items, server_time=now)


def _status_from_row(terminal_id: str, received_at: str, payload_json: str, now: dt.datetime,
                     stale_factor: float) -> TerminalStatus:
    # The payload was valid when stored, but under the contract of its day: read it field by
    # field so one old or odd heartbeat cannot break the whole list.
    try:
        payload = json.loads(payload_json)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    last_seen = _parse_instant(received_at)
    interval_s = _positive_int(payload.get("interval_s"))
    age_s = max(0.0, (now - last_seen).total_seconds()) if last_seen else None
    allowed_s = stale_factor * (interval_s or DEFAULT_INTERVAL_S)
    return TerminalStatus(
        terminal_id=terminal_id, last_seen=last_seen, age_s=round(age_s, 3) if age_s is not None else None,
        stale=age_s is None or age_s > allowed_s, interval_s=interval_s,
        version=_text(payload.get("version")), profile=_text(payload.get("profile")),
        outbox_depth=_positive_int(payload.get("outbox_depth"), allow_zero=True),
        outbox_held=_positive_int(payload.get("outbox_held"), allow_zero=True),
        journal_seq=_positive_int(payload.get("journal_seq"), allow_zero=True),
        journal_hash=_journal_hash(payload.get("journal_hash")),
        devices=_devices(payload.get("devices")), counters=_counters(payload.get("counters")))


def _journal_hash(value: object) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) else None


def _parse_instant(value: str) -> dt.datetime | None:
    try:
        instant = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        log.warning("terminal heartbeat with an unreadable received_at")
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc)


def _text(value: object) -> str | None:
    return value[:64] if isinstance(value, str) else None


def _positive_int(value: object, *, allow_zero: bool = False) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value > 0 or (allow_zero and value == 0) else None


def _devices(value: object) -> list[TerminalDevice]:
    devices = []
    for item in value[:MAX_LISTED_DEVICES] if isinstance(value, list) else []:
        try:
            devices.append(TerminalDevice.model_validate(item))
        except ValidationError:
            continue
    return devices


def _counters(value: object) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(name)[:64]: count for name, count in list(value.items())[:MAX_LISTED_COUNTERS]
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0}
