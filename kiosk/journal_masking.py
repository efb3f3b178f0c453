"""What a journal entry may hold: its kind checked, its fields masked and bounded before storage.

Personal data is masked *before* it reaches the journal file: every string through
`kiosk.redaction.redact`, a `name` field to its first character, a `card_number`
field like on paper; secrets and unmasked identifiers are refused outright. Every text
becomes one printable line of at most MAX_TEXT characters.
"""

from __future__ import annotations

import math
import re
import unicodedata

from kiosk.contract.identifiers import mask_card_number
from kiosk.redaction import redact

MAX_FIELDS = 32
MAX_TEXT = 256

# Secrets and unmasked identifiers never belong in a journal, not even masked: refusing
# them loudly finds the caller that tried. A `*_token`, `*_pin`... is refused as well.
REFUSED_FIELDS = frozenset({"pin", "token", "secret", "grant", "password", "mobile_full", "ssn_full"})
_REFUSED_SUFFIXES = tuple(f"_{name}" for name in ("pin", "token", "secret", "grant", "password"))
NAME_FIELD = "name"
CARD_NUMBER_FIELD = "card_number"   # no text pattern finds a card number, so the field name does

_KIND_SHAPE = re.compile(r"[a-z][a-z_.]{1,47}")
_FIELD_NAME_SHAPE = re.compile(r"[a-z][a-z0-9_]{0,39}")

FieldValue = str | int | float | bool | None


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or not _KIND_SHAPE.fullmatch(kind):
        raise ValueError(f"journal kind {kind!r} must match [a-z][a-z_.]{{1,47}}")
    return kind


def mask_name(name: str) -> str:
    """`张三丰` -> `张**`: the family name only, like the receipts."""
    return name[:1] + "*" * (len(name) - 1)


def sanitize_fields(fields: dict[str, object]) -> dict[str, FieldValue]:
    """The fields as they may be stored: checked, masked and bounded. Raises ValueError."""
    if len(fields) > MAX_FIELDS:
        raise ValueError(f"a journal entry holds at most {MAX_FIELDS} fields, got {len(fields)}")
    clean: dict[str, FieldValue] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME_SHAPE.fullmatch(name):
            raise ValueError(f"journal field name {name!r} must match [a-z][a-z0-9_]{{0,39}}")
        if name in REFUSED_FIELDS or name.endswith(_REFUSED_SUFFIXES):
            raise ValueError(f"journal field {name!r} is never journaled (secret or unmasked identifier)")
        clean[name] = _sanitize_value(name, value)
    return clean


def _sanitize_value(name: str, value: object) -> FieldValue:
    if value is None or isinstance(value, bool):
        return value
    if name == NAME_FIELD:
        if not isinstance(value, (str, int, float)):
            raise ValueError(f"journal field {name!r}: {type(value).__name__} is not a str, int, float, bool or None")
        return mask_name(_one_line(str(value))[:MAX_TEXT])
    if name == CARD_NUMBER_FIELD and isinstance(value, str):
        return value if "*" in value else mask_card_number(_one_line(value)[:MAX_TEXT])
    if isinstance(value, str):
        return _masked_text(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"journal field {name!r}: {value} is not a finite number")
        # A mobile or an ssn passed as a number is still one: store the masked text instead.
        as_text = str(value)
        masked = redact(as_text)
        return value if masked == as_text else masked[:MAX_TEXT]
    raise ValueError(f"journal field {name!r}: {type(value).__name__} is not a str, int, float, bool or None")


def _one_line(text: str) -> str:
    """Controls become spaces and invisible format marks go, so an entry stays one printable line."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category in ("Cc", "Zl", "Zp") else char)
    return "".join(kept)


def _masked_text(text: str) -> str:
    # Redact before cutting: a cut through a mobile number would leave digits redact no longer sees.
    # The first cut only bounds the work; redaction keeps lengths, so the second cut is exact.
    return redact(_one_line(text[:MAX_TEXT * 2]))[:MAX_TEXT]
