"""Demo electronic social security card codes: opaque, short-lived, MAC-protected.

A code is `ESSC1.<random id>.<base64url HMAC-SHA256(key, "ESSC1.<id>")>`. It carries no
personal data; the id points at a row that says whose it is and until when. Issuing a
new code for a citizen revokes the older live ones, as the phone app's refresh does. A code
is single use: the first successful verification spends it (the row, kept a day past its
expiry, remembers that).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
import time

from backoffice import db
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

CODE_PREFIX = "ESSC1"
# fullmatch: `match` with `$` would also accept a trailing newline.
_CODE_SHAPE = re.compile(r"ESSC1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})")
RETENTION_SECONDS = 86400


def _mac(key: str, code_id: str) -> str:
    digest = hmac.new(key.encode("utf-8"), f"{CODE_PREFIX}.{code_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(conn: sqlite3.Connection, settings: BackofficeSettings, citizen_id: int) -> tuple[str, float]:
    code_id = secrets.token_urlsafe(16)
    now = time.time()
    expires_at = now + settings.ecard_code_seconds
    with db.write_transaction(conn):
        conn.execute("DELETE FROM ecard_codes WHERE expires_at < ?", (now - RETENTION_SECONDS,))
        conn.execute("UPDATE ecard_codes SET revoked = 1 WHERE citizen_id = ? AND revoked = 0", (citizen_id,))
        conn.execute("INSERT INTO ecard_codes (code_id, citizen_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                     (code_id, citizen_id, now, expires_at))
    return f"{CODE_PREFIX}.{code_id}.{_mac(settings.ecard_key, code_id)}", expires_at


def parse(qr: str) -> tuple[str, str] | None:
    """(code id, mac) of a well-shaped code, else None; never raises."""
    match = _CODE_SHAPE.fullmatch(qr) if isinstance(qr, str) else None
    return match.groups() if match else None


def verify(conn: sqlite3.Connection, settings: BackofficeSettings, qr: str) -> int:
    """The citizen id a scanned code belongs to, spending the code; else a problem
    (invalid / expired / revoked / used)."""
    parsed = parse(qr)
    if parsed is None:
        raise ProblemError("ecard_invalid")
    code_id, mac = parsed
    if not hmac.compare_digest(_mac(settings.ecard_key, code_id), mac):
        raise ProblemError("ecard_invalid")
    now = time.time()
    with db.write_transaction(conn):
        row = conn.execute("SELECT citizen_id, expires_at, revoked, used_at FROM ecard_codes WHERE code_id = ?",
                           (code_id,)).fetchone()
        if row is None:
            raise ProblemError("ecard_invalid")
        if row["revoked"]:
            raise ProblemError("ecard_revoked")
        if now > row["expires_at"]:
            raise ProblemError("ecard_expired")
        if row["used_at"] is not None:
            raise ProblemError("ecard_used")
        conn.execute("UPDATE ecard_codes SET used_at = ? WHERE code_id = ?", (now, code_id))
    return row["citizen_id"]
