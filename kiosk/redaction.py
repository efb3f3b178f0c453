"""Redaction of personal identifiers before text leaves the process (logs, bundles).

Callers are not trusted to remember: the log handler runs every record through
`redact`, which masks anything shaped like a social security number or a mobile
number whatever its origin.
"""

from __future__ import annotations

import logging
import re

from kiosk.contract.identifiers import mask_mobile, mask_ssn

# 18-character ids (digits with a final digit or X) not embedded in a longer number.
_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = _SSN_LIKE.sub(lambda match: mask_ssn(match.group(0).upper()), text)
    return _MOBILE_LIKE.sub(lambda match: mask_mobile(match.group(0)), text)


class RedactingFilter(logging.Filter):
    """Formats the record's message once and stores the redacted text in its place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(level: str = "INFO") -> None:
    """Structured one-line records on stderr, every one redacted."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
