"""The kiosk's error taxonomy (docs/architecture.md).

Every failure the core reports is a `KioskError` of one `ErrorKind`. The kind decides
what the citizen is told (catalogue key `error.kind.<kind>`, kiosk/texts/errors.py) unless
the back office sent its own wording; `code` and `detail` are for technicians and logs and
never hold personal data.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.messages import MessageCatalog, default_catalog, in_language


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    HARDWARE = "hardware"
    USER = "user"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    BACKOFFICE_REJECTED = "backoffice_rejected"
    BACKOFFICE_UNAVAILABLE = "backoffice_unavailable"
    # The back office answered, but not as the contract says (malformed, oversized, unexpected):
    # it is reachable, so the kiosk stays in service and says the answer could not be used.
    BACKOFFICE_FAULT = "backoffice_fault"


# The back office (or a gateway in front of it) refused this *terminal*, not the citizen's
# request: credentials, clock, a gateway's 401/403/404. Never a refusal of a card or a
# submission; the kiosk goes out of service and the technician is told (docs/operator-guide.md).
TERMINAL_REFUSAL_CODES = frozenset({"terminal_unauthenticated", "clock_skew", "nonce_replayed",
                                    "terminal_mismatch", "gateway_refused"})
# A submission grant or session token the back office no longer accepts: the submission itself
# was not refused, staff can still complete it from the citizen's reference.
CREDENTIAL_REFUSAL_CODES = frozenset({"session_required", "session_expired", "grant_invalid", "grant_expired"})


class KioskError(Exception):
    """A classified failure.

    `message_zh`/`message_en` are the back office's own wording (problem+json), "" when it
    sent none; `message_key` is the catalogue text shown otherwise (the kind's by default).
    """

    def __init__(self, kind: ErrorKind, code: str, detail: str = "", *,
                 message_zh: str | None = None, message_en: str | None = None,
                 message_key: str | None = None, http_status: int | None = None) -> None:
        super().__init__(f"{kind}:{code}: {detail}" if detail else f"{kind}:{code}")
        self.kind = ErrorKind(kind)
        self.code = code
        self.detail = detail
        self.message_zh = message_zh or ""
        self.message_en = message_en or ""
        self.message_key = message_key or f"error.kind.{self.kind.value}"
        self.http_status = http_status

    def citizen_message(self, language: str, catalog: MessageCatalog | None = None) -> str:
        """The back office's wording in `language` when it sent one, else the catalogue's (`catalog`, default built-in)."""
        own = in_language(language, zh=self.message_zh, en=self.message_en)
        return own or (default_catalog() if catalog is None else catalog).text(self.message_key, language)

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.TIMEOUT, ErrorKind.BACKOFFICE_UNAVAILABLE)

    @property
    def terminal_refused(self) -> bool:
        """The terminal was refused (credentials, clock, gateway): nothing the citizen did."""
        return self.code in TERMINAL_REFUSAL_CODES

    @property
    def credential_refused(self) -> bool:
        """A session token or submission grant was refused (expired, unknown)."""
        return self.code in CREDENTIAL_REFUSAL_CODES

    @property
    def refuses_submission(self) -> bool:
        """A business refusal of the request itself: the only failure that ends a queued submission."""
        if self.terminal_refused or self.credential_refused or self.retryable:
            return False
        return self.kind in (ErrorKind.BACKOFFICE_REJECTED, ErrorKind.NOT_FOUND, ErrorKind.USER)


# Device completion codes, mapped once: the kind, and whether the code has a text of its own
# (`error.device.<code>`, kiosk/texts/errors.py) rather than the kind's.
_DEVICE_ERRORS: dict[str, tuple[ErrorKind, bool]] = {
    "cancelled": (ErrorKind.CANCELLED, False),
    "timeout": (ErrorKind.TIMEOUT, True),
    "no_device": (ErrorKind.HARDWARE, False),
    "hardware_error": (ErrorKind.HARDWARE, True),
    "busy": (ErrorKind.HARDWARE, True),
    "unsupported": (ErrorKind.HARDWARE, True),
    "no_media": (ErrorKind.USER, True),
    "media_removed": (ErrorKind.USER, True),
    "media_invalid": (ErrorKind.USER, True),
    "pin_incorrect": (ErrorKind.USER, True),
    "pin_blocked": (ErrorKind.USER, True),
    "invalid_input": (ErrorKind.USER, True),
    "paper_out": (ErrorKind.HARDWARE, True),
    "paper_jam": (ErrorKind.HARDWARE, True),
    "cover_open": (ErrorKind.HARDWARE, True),
}


def error_from_device(code: str, detail: str = "") -> KioskError:
    """A failed device `OperationResult` (its `code` and `detail`) as a classified kiosk error."""
    kind, own_text = _DEVICE_ERRORS.get(str(code), (ErrorKind.HARDWARE, False))
    return KioskError(kind, f"device_{code}", detail, message_key=f"error.device.{code}" if own_text else None)
