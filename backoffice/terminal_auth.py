"""ASGI middleware: body size limit and the terminal request signature (DESIGN section 6).

It runs before routing so an unsigned or oversized request never reaches a handler.
The body is read here (bounded) because the signature covers its hash, then replayed
to the application unchanged.
"""

from __future__ import annotations

import sqlite3
import time

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.contract import signing

from backoffice import db
from backoffice.problems import problem_response
from backoffice.settings import BackofficeSettings

NONCE_RETENTION_SECONDS = 600  # > 2 x the allowed clock skew, so a live nonce is never pruned
MAX_TERMINAL_ID_LENGTH = 64
MAX_TIMESTAMP_LENGTH = 12


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


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class TerminalAuthMiddleware:
    def __init__(self, app: ASGIApp, settings: BackofficeSettings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            # Refuse before reading a byte of an announced oversized body.
            code = "payload_too_large" if declared.strip().isdigit() else "invalid_request"
            await problem_response(code, status=413 if code == "payload_too_large" else 400)(scope, receive, send)
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
                await problem_response(failure)(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive, more_messages), send)

    async def _authenticate(self, scope: Scope, body: bytes) -> str | None:
        """None when the signature is good, else the problem code."""
        terminal_id = _header(scope, signing.HEADER_TERMINAL.lower().encode())
        timestamp = _header(scope, signing.HEADER_TIMESTAMP.lower().encode())
        nonce = _header(scope, signing.HEADER_NONCE.lower().encode())
        signature = _header(scope, signing.HEADER_SIGNATURE.lower().encode())
        if not terminal_id or not timestamp or not nonce or not signature:
            return "terminal_unauthenticated"
        if (len(terminal_id) > MAX_TERMINAL_ID_LENGTH or not timestamp.isdigit()
                or len(timestamp) > MAX_TIMESTAMP_LENGTH or not signing.NONCE_SHAPE.match(nonce)
                or not signing.SIGNATURE_SHAPE.match(signature)):
            return "terminal_unauthenticated"
        secret = self.settings.terminals.get(terminal_id)
        if secret is None:
            return "terminal_unauthenticated"
        if not signing.signature_matches(secret, signature, scope["method"], request_target(scope), timestamp,
                                         nonce, body):
            return "terminal_unauthenticated"
        now = time.time()
        if abs(now - int(timestamp)) > signing.MAX_CLOCK_SKEW_SECONDS:
            return "clock_skew"
        # Only a correctly signed request may spend a nonce.
        if not await run_in_threadpool(self._remember_nonce, terminal_id, nonce, now):
            return "nonce_replayed"
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
