"""Terminal request signature and per-submission grants.

The signed text is the newline-joined METHOD, request target (`path?query` exactly as
sent), unix timestamp, nonce and hex SHA-256 of the body; the signature is the
lowercase hex HMAC-SHA256 of that text under the terminal secret.

A session open answers a submission grant KEY `<grant id>.<key>`. It is never sent as
it is: each submission carries `Authorization: Grant <grant id>.<hex HMAC-SHA256(key,
"METHOD\\npath\\nidempotency key")>` from `submission_grant`, which the back office accepts
for that route and that Idempotency-Key only (the first delivery and its replays).
"""

from __future__ import annotations

import hashlib
import hmac
import re

HEADER_TERMINAL = "X-Terminal-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"

MAX_CLOCK_SKEW_SECONDS = 300
# Used with fullmatch: `$` would also accept a trailing newline.
NONCE_SHAPE = re.compile(r"[0-9a-f]{16,64}")
SIGNATURE_SHAPE = re.compile(r"[0-9a-f]{64}")
# ASCII only: str.isdigit() and `\d` also accept '²' or Arabic-Indic digits, which int() then refuses.
TIMESTAMP_SHAPE = re.compile(r"[0-9]{1,12}")

GRANT_ID_SHAPE = re.compile(r"[0-9a-f]{16}")
GRANT_SHAPE = re.compile(r"([0-9a-f]{16})\.([0-9a-f]{64})")


def body_digest(body: bytes | None) -> str:
    return hashlib.sha256(body or b"").hexdigest()


def canonical_text(method: str, target: str, timestamp: str, nonce: str, body: bytes | None) -> str:
    return "\n".join((method.upper(), target, timestamp, nonce, body_digest(body)))


def sign(secret: str, method: str, target: str, timestamp: str, nonce: str, body: bytes | None) -> str:
    text = canonical_text(method, target, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_matches(secret: str, signature: str, method: str, target: str, timestamp: str,
                      nonce: str, body: bytes | None) -> bool:
    expected = sign(secret, method, target, timestamp, nonce, body)
    return hmac.compare_digest(expected, signature)


def grant_mac(key: str, method: str, path: str, idempotency_key: str) -> str:
    """Hex HMAC-SHA256 under a grant key of `METHOD\\npath\\nidempotency key`."""
    text = "\n".join((method.upper(), path, idempotency_key))
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def submission_grant(grant_key: str, method: str, path: str, idempotency_key: str) -> str:
    """The grant for one submission (`<grant id>.<hex mac>`) from the session's grant key.

    Raises ValueError when `grant_key` is not `<grant id>.<key>`."""
    grant_id, separator, key = grant_key.partition(".")
    if not separator or not key or not GRANT_ID_SHAPE.fullmatch(grant_id):
        raise ValueError("not a submission grant key")
    return f"{grant_id}.{grant_mac(key, method, path, idempotency_key)}"
