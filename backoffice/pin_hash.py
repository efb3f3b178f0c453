"""Salted slow hash for card PINs (the back office never stores a clear PIN)."""

from __future__ import annotations

import base64
import hashlib
import hmac

# Demo data hash ~60 PINs at every fresh start; production would use more rounds
# (the count is stored in the hash so it can be raised without a migration).
DEFAULT_ITERATIONS = 20000


def hash_pin(pin: str, salt: bytes, iterations: int = DEFAULT_ITERATIONS) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return "pbkdf2_sha256${}${}${}".format(
        iterations, base64.b64encode(salt).decode("ascii"), base64.b64encode(digest).decode("ascii"))


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_b64, digest_b64 = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        actual = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, int(iterations))
    except (ValueError, UnicodeError):
        return False
    return hmac.compare_digest(actual, expected)
