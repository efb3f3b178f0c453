"""ASGI middleware: body size limit, the terminal request signature and the per-terminal rate limit.

It runs before routing so an unsigned or oversized request never reaches a handler.
The body is read here (bounded) because the signature covers its hash, then replayed
to the application unchanged.
"""

from __future__ import annotations

import re
import sqlite3
import time

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.contract import signing

from backoffice import db
from backoffice.problems import problem_response
from backoffice.rate_limit import TokenBucketLimiter
from backoffice.settings import BackofficeSettings

NONCE_RETENTION_SECONDS = 600  # > 2 x the allowed clock skew, so a live nonce is never pruned
MAX_TERMINAL_ID_LENGTH = 64
# ASCII digits only and bounded: int() of a huge digit string raises, and isdigit() accepts '²'.
_CONTENT_LENGTH_SHAPE = re.compile(r"[0-9]{1,18}")


class PayloadTooLarge(Exception):
    pass


def is_public(method: str, path: str) -> bool:
    """Requests that need no terminal signature."""
    if not path.startswith("/v1/"):
        return True  # /openapi.json and /docs describe the API, they hold no data
    if method in ("GET", "HEAD") and (path.startswith("/v1/certificates/") or path == "/v1/health"):
        return True
    if method == "GET" and path == "/v1/terminals":
        return True  # the hall manager's fleet view: its own bearer token, checked by the route
    return False


def request_target(scope: Scope) -> str:
    """`path?query` exactly as the client sent it (no '?' when the query is empty)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    target = raw_path.decode("utf-8", errors="replace")
    query = scope.get("query_string") or b""
    if query:
        target += "?" + query.decode("utf-8", errors="replace")
    return target


def parse_timestamp(value: str | None) -> int | None:
    """Unix seconds from X-Timestamp, or None unless it is 1-12 ASCII digits; never raises."""
    if not isinstance(value, str) or not signing.TIMESTAMP_SHAPE.fullmatch(value):
        return None
    return int(value)


def parse_content_length(value: str) -> int | None:
    """The declared body size, or None when it is not a plain ASCII number; never raises."""
    value = value.strip(" \t")
    return int(value) if _CONTENT_LENGTH_SHAPE.fullmatch(value) else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class TerminalAuthMiddleware:
    def __init__(self, app: ASGIApp, settings: BackofficeSettings):
        self.app = app
        self.settings = settings
        self.terminals = settings.accepted_terminals()
        per_minute = settings.terminal_rate_limit_per_minute
        self.limiter = TokenBucketLimiter(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None:
            size = parse_content_length(declared)
            if size is None:
                await problem_response("invalid_request", status=400)(scope, receive, send)
                return
            if size > limit:
                # Refuse before reading a byte of an announced oversized body.
                await problem_response("payload_too_large")(scope, receive, send)
                return
        try:
            body, more_messages = await _read_body(receive, limit)
        except PayloadTooLarge:
            await problem_response("payload_too_large")(scope, receive, send)
            return
        # A health check that carries a terminal's signature is checked like any signed call:
        # a kiosk probes with it to learn that the back office is up *and* accepts it.
        signed_probe = scope["path"] == "/v1/health" and _header(scope, signing.HEADER_TERMINAL.lower().encode())
        if signed_probe or not is_public(scope["method"], scope["path"]):
            failure = await self._authenticate(scope, body)
            if failure is not None:
                code, headers = failure
                await problem_response(code, headers=headers)(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive, more_messages), send)

    async def _authenticate(self, scope: Scope, body: bytes) -> tuple[str, dict[str, str] | None] | None:
        """None when the signature is good, else the problem code and its headers."""
        terminal_id = _header(scope, signing.HEADER_TERMINAL.lower().encode())
        stamp = _header(scope, signing.HEADER_TIMESTAMP.lower().encode())
        nonce = _header(scope, signing.HEADER_NONCE.lower().encode())
        signature = _header(scope, signing.HEADER_SIGNATURE.lower().encode())
        refused = ("terminal_unauthenticated", None)
        if not terminal_id or not stamp or not nonce or not signature:
            return refused
        timestamp = parse_timestamp(stamp)
        if (len(terminal_id) > MAX_TERMINAL_ID_LENGTH or timestamp is None
                or not signing.NONCE_SHAPE.fullmatch(nonce) or not signing.SIGNATURE_SHAPE.fullmatch(signature)):
            return refused
        secret = self.terminals.get(terminal_id)
        if secret is None:
            return refused
        if not signing.signature_matches(secret, signature, scope["method"], request_target(scope), stamp,
                                         nonce, body):
            return refused
        now = time.time()
        if abs(now - timestamp) > signing.MAX_CLOCK_SKEW_SECONDS:
            return ("clock_skew", None)
        # Keyed on the authenticated id: unsigned requests cannot spend a terminal's budget.
        wait = self.limiter.take(terminal_id) if self.limiter is not None else 0
        if wait:
            return ("rate_limited", {"Retry-After": str(wait)})
        # Only a correctly signed request may spend a nonce.
        if not await run_in_threadpool(self._remember_nonce, terminal_id, nonce, now):
            return ("nonce_replayed", None)
        scope.setdefault("state", {})["terminal_id"] = terminal_id
        return None

    def _remember_nonce(self, terminal_id: str, nonce: str, now: float) -> bool:
        with db.connection(self.settings.db_path) as conn, db.write_transaction(conn):
            conn.execute("DELETE FROM nonces WHERE seen_at < ?", (now - NONCE_RETENTION_SECONDS,))
            try:
                conn.execute("INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?, ?, ?)",
                             (terminal_id, nonce, now))
            except sqlite3.IntegrityError:
                return False
        return True


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body, counting as it arrives; messages other than body chunks are kept."""
    chunks: list[bytes] = []
    size = 0
    others: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            others.append(message)  # e.g. http.disconnect: hand it on after the body
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), others


def _replay(body: bytes, receive: Receive, pending: list[Message]) -> Receive:
    sent = False

    async def replay_receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if pending:
            return pending.pop(0)
        return await receive()

    return replay_receive
