"""Terminal request signature (DESIGN section 6, contract in issue 2).

The signed text is the newline-joined METHOD, request target (`path?query` exactly as
sent), unix timestamp, nonce and hex SHA-256 of the body; the signature is the
lowercase hex HMAC-SHA256 of that text under the terminal secret.
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
NONCE_SHAPE = re.compile(r"^[0-9a-f]{16,64}$")
SIGNATURE_SHAPE = re.compile(r"^[0-9a-f]{64}$")


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
