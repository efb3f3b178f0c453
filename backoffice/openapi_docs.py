"""Helpers that make the generated OpenAPI schema say what integrators must send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.contract.models import Problem

_DESCRIPTIONS = {
    400: "Malformed request (problem code `malformed_json`)",
    401: "Terminal signature or citizen session refused",
    403: "Refused for this terminal or card",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body larger than the limit",
    422: "Invalid request or refused by a rule (see `code`)",
    429: "Rate limited (see Retry-After)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}


TERMINAL_SECURITY_SCHEMES = {
    "TerminalId": {"type": "apiKey", "in": "header", "name": "X-Terminal-Id",
                   "description": "Terminal id registered with the back office."},
    "TerminalTimestamp": {"type": "apiKey", "in": "header", "name": "X-Timestamp",
                          "description": "Unix seconds; refused when more than 300 s from the server clock."},
    "TerminalNonce": {"type": "apiKey", "in": "header", "name": "X-Nonce",
                      "description": "16-64 lowercase hex characters, never reused (kept 10 minutes)."},
    "TerminalSignature": {
        "type": "apiKey", "in": "header", "name": "X-Signature",
        "description": ("Lowercase hex HMAC-SHA256 under the terminal secret of the newline-joined METHOD, "
                        "request target (`path?query` exactly as sent, no `?` when the query is empty), "
                        "X-Timestamp, X-Nonce and the hex SHA-256 of the body (of the empty string when "
                        "there is none). See kiosk/contract/signing.py.")},
    "CitizenSession": {"type": "http", "scheme": "bearer",
                       "description": "Token from POST /v1/sessions; expires after the idle timeout."},
    "SubmissionGrant": {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": ("`Grant <grant id>.<hex HMAC-SHA256 under the session's submission grant key of "
                        "\"POST\\n<path>\\n<Idempotency-Key>\">`: delivers this one submission after the session "
                        "ended (an outbox). 401 `grant_invalid` for another route, key or terminal, "
                        "`grant_expired` after the key's lifetime.")},
}

# Submissions a terminal's outbox may deliver with a grant instead of the session token.
GRANT_OPERATIONS = frozenset({("POST", "/v1/me/certificates"), ("POST", "/v1/me/pension-transfers")})

TERMINAL_SECURITY = {"TerminalId": [], "TerminalTimestamp": [], "TerminalNonce": [], "TerminalSignature": []}


def decorate_schema(schema: dict[str, Any], is_public: Callable[[str, str], bool]) -> dict[str, Any]:
    """Add security schemes and problem+json media types to the generated schema."""
    schema.setdefault("components", {})["securitySchemes"] = TERMINAL_SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if is_public(method.upper(), path):
                operation["security"] = []
            elif (method.upper(), path) in GRANT_OPERATIONS:
                operation["security"] = [{**TERMINAL_SECURITY, "CitizenSession": []},
                                         {**TERMINAL_SECURITY, "SubmissionGrant": []}]
            elif path.startswith("/v1/me/") or path == "/v1/sessions/current":
                operation["security"] = [{**TERMINAL_SECURITY, "CitizenSession": []}]
            else:
                operation["security"] = [TERMINAL_SECURITY]
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return schema
