"""Identifier rules from the national card specification (docs/card-profile.md)."""

from __future__ import annotations

import re

_SSN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SSN_CHECK_CHARS = "10X98765432"
# Used with fullmatch and [0-9]: `$` accepts a trailing newline and `\d` accepts non-ASCII digits.
_SSN_SHAPE = re.compile(r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]")
_CARD_NUMBER_SHAPE = re.compile(r"[A-Z0-9]{9}")
_CARD_ID_CODE_SHAPE = re.compile(r"[0-9]{6}D156000005[0-9A-F]{16}")
_REGION_CODE_SHAPE = re.compile(r"[1-9][0-9]{5}")


def ssn_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _SSN_WEIGHTS))
    return _SSN_CHECK_CHARS[total % 11]


def is_valid_ssn(value: object) -> bool:
    if not isinstance(value, str) or not _SSN_SHAPE.fullmatch(value):
        return False
    return ssn_check_char(value[:17]) == value[17]


def is_valid_card_number(value: object) -> bool:
    return isinstance(value, str) and bool(_CARD_NUMBER_SHAPE.fullmatch(value))


def is_valid_card_id_code(value: object) -> bool:
    return isinstance(value, str) and bool(_CARD_ID_CODE_SHAPE.fullmatch(value))


def is_valid_region_code(value: object) -> bool:
    return isinstance(value, str) and bool(_REGION_CODE_SHAPE.fullmatch(value))


def mask_ssn(ssn: str) -> str:
    """`320102198001011234` -> `3201**********1234`: region prefix and last four only."""
    if len(ssn) != 18:
        return "*" * len(ssn)
    return ssn[:4] + "*" * 10 + ssn[-4:]


def mask_card_number(card_number: str) -> str:
    """`X00000019` -> `X0****019`."""
    if len(card_number) != 9:
        return "*" * len(card_number)
    return card_number[:2] + "****" + card_number[-3:]


def mask_card_id_code(card_id_code: str) -> str:
    """`320100D156000005A1B2C3D4E5F60001` -> `320100D156000005************0001`.

    The region and the fixed `D156000005` say nothing about the holder; of the card's own
    16 hex digits only the last four stay, enough to tell two cards apart at the counter.
    """
    if not (isinstance(card_id_code, str) and _CARD_ID_CODE_SHAPE.fullmatch(card_id_code)):
        return "*" * len(card_id_code)
    return card_id_code[:16] + "*" * 12 + card_id_code[-4:]


def mask_mobile(mobile: str) -> str:
    if len(mobile) != 11:
        return "*" * len(mobile)
    return mobile[:3] + "****" + mobile[-4:]


def province_of(region_code: str) -> str:
    """The two-digit province prefix padded to a region code (`320100` -> `320000`)."""
    return region_code[:2] + "0000"
