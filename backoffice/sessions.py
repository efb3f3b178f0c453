"""Citizen bearer tokens (random, stored hashed, bound to one terminal, idle expiry) and
submission grants (bound to one terminal, one route and one Idempotency-Key, short-lived)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time

from kiosk.contract import signing

from backoffice import db
from backoffice.problems import ProblemError

MIN_TOKEN_LENGTH = 16
MAX_TOKEN_LENGTH = 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH:
        return None
    return token


def open_session(conn: sqlite3.Connection, citizen_id: int, terminal_id: str, method: str,
                 idle_seconds: int) -> tuple[str, float]:
    """Returns the clear token (given to the terminal once) and its expiry instant."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with db.write_transaction(conn):
        # Forget sessions that ran out long ago so the table does not grow for ever.
        conn.execute("DELETE FROM sessions WHERE last_used_at < ?", (now - max(idle_seconds, 3600),))
        conn.execute("INSERT INTO sessions (token_hash, citizen_id, terminal_id, method, created_at, last_used_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", (hash_token(token), citizen_id, terminal_id, method, now, now))
    return token, now + idle_seconds


def touch(conn: sqlite3.Connection, token: str, terminal_id: str, idle_seconds: int) -> tuple[str, int]:
    """Check a token for this terminal and extend it; returns (token hash, citizen id)."""
    token_hash = hash_token(token)
    now = time.time()
    with db.write_transaction(conn):
        row = conn.execute("SELECT citizen_id, terminal_id, last_used_at FROM sessions WHERE token_hash = ?",
                           (token_hash,)).fetchone()
        # Another terminal's token is treated like an unknown one: it proves nothing here.
        if row is None or row["terminal_id"] != terminal_id:
            raise ProblemError("session_required", headers={"WWW-Authenticate": "Bearer"})
        if now - row["last_used_at"] > idle_seconds:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
            expired = True
        else:
            conn.execute("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?", (now, token_hash))
            expired = False
    if expired:
        raise ProblemError("session_expired", headers={"WWW-Authenticate": "Bearer"})
    return token_hash, row["citizen_id"]


def close_session(conn: sqlite3.Connection, token_hash: str) -> None:
    with db.write_transaction(conn):
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


GRANT_SCHEME = "grant"
# An expired grant's row outlives its key a while, so a late delivery hears "expired", not "invalid".
EXPIRED_GRANT_RETENTION_SECONDS = 7 * 24 * 3600


def issue_grant(conn: sqlite3.Connection, citizen_id: int, terminal_id: str, lifetime_seconds: int) -> str:
    """A submission grant key `<grant id>.<key>` for this citizen at this terminal, given once.

    The terminal derives one grant per submission from it (kiosk.contract.signing.submission_grant);
    the key is kept only until it expires, since checking a derived grant needs it."""
    grant_id = secrets.token_hex(8)
    key = secrets.token_urlsafe(32)
    now = time.time()
    with db.write_transaction(conn):
        conn.execute("UPDATE submission_grants SET grant_key = '' WHERE expires_at < ? AND grant_key != ''", (now,))
        conn.execute("DELETE FROM submission_grants WHERE expires_at < ?", (now - EXPIRED_GRANT_RETENTION_SECONDS,))
        conn.execute("INSERT INTO submission_grants (grant_id, grant_key, citizen_id, terminal_id, created_at,"
                     " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (grant_id, key, citizen_id, terminal_id, now, now + lifetime_seconds))
    return f"{grant_id}.{key}"


def grant_value(authorization: str | None) -> str | None:
    """The credentials of an `Authorization: Grant ...` header (None for any other scheme)."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != GRANT_SCHEME:
        return None
    return value.strip()


def grant_citizen(conn: sqlite3.Connection, grant: str, terminal_id: str, method: str, path: str,
                  idempotency_key: str) -> int:
    """The citizen a derived grant speaks for, for exactly this route and Idempotency-Key.

    Only the terminal it was issued to may use it; a grant for another submission, another
    route or another key is refused like an unknown one."""
    match = signing.GRANT_SHAPE.fullmatch(grant)
    if match is None:
        raise ProblemError("grant_invalid", headers={"WWW-Authenticate": "Grant"})
    grant_id, mac = match.groups()
    row = conn.execute("SELECT grant_key, citizen_id, terminal_id, expires_at FROM submission_grants"
                       " WHERE grant_id = ?", (grant_id,)).fetchone()
    if row is None or row["terminal_id"] != terminal_id:
        raise ProblemError("grant_invalid", headers={"WWW-Authenticate": "Grant"})
    if row["expires_at"] < time.time() or not row["grant_key"]:
        raise ProblemError("grant_expired", headers={"WWW-Authenticate": "Grant"})
    expected = signing.grant_mac(row["grant_key"], method, path, idempotency_key)
    if not hmac.compare_digest(expected, mac):
        raise ProblemError("grant_invalid", headers={"WWW-Authenticate": "Grant"})
    return row["citizen_id"]
