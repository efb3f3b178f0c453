"""What a social security card tells us, validated once where it enters (docs/card-profile.md).

`CardData` is built only through `CardData.validated(...)`, which checks every field
(ssn check digit, lengths, dates, the card id code shape) and raises a
`DeviceError(MEDIA_INVALID)` naming the field, never its value. Its repr and
`masked()` never show the full ssn, card number or card identification code.

`pin_tries_left` is what the card said about its PIN when it was read, before anyone
typed a digit: 3, 2 or 1 tries left, 0 when the PIN is blocked (`pin_blocked`), None
when the reader cannot ask (the vendor-library interface has no such call) or the card
did not say. A blocked card is unblocked at the service counter, never at the kiosk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from devices.model import CompletionCode, DeviceError
from kiosk.contract.identifiers import (is_valid_card_id_code, is_valid_card_number, is_valid_region_code,
                                        is_valid_ssn, mask_card_id_code, mask_card_number, mask_ssn)

NAME_MAX_CHARS = 30
_SEX = {"1": "M", "2": "F", "9": "U"}  # GB/T 2261.1


@dataclasses.dataclass(frozen=True)
class CardData:
    ssn: str = dataclasses.field(repr=False)
    name: str = dataclasses.field(repr=False)
    sex: str                  # M | F | U
    ethnicity: str            # GB/T 3304 two-digit code, "01" Han
    birth_place: str          # 6-digit region code, "" when the card leaves it empty
    birth_date: dt.date
    card_number: str = dataclasses.field(repr=False)
    card_id_code: str
    card_type: str
    spec_version: str
    issue_date: dt.date
    expiry_date: dt.date
    pin_tries_left: int | None = None   # read before PIN entry; 0 = blocked, None = the reader cannot tell

    @property
    def pin_blocked(self) -> bool:
        """The card says its PIN is blocked: tell the citizen before asking for a PIN."""
        return self.pin_tries_left == 0

    def with_pin_tries_left(self, tries_left: int | None) -> "CardData":
        return dataclasses.replace(self, pin_tries_left=tries_left)

    @property
    def region_code(self) -> str:
        return self.card_id_code[:6]

    def is_expired(self, today: dt.date) -> bool:
        return today > self.expiry_date

    def masked(self) -> dict[str, str]:
        """What technicians and logs may see."""
        return {"ssn": mask_ssn(self.ssn), "name": _mask_name(self.name), "sex": self.sex,
                "card_number": mask_card_number(self.card_number),
                "card_id_code": mask_card_id_code(self.card_id_code),
                "region_code": self.region_code, "card_type": self.card_type, "spec_version": self.spec_version,
                "issue_date": self.issue_date.isoformat(), "expiry_date": self.expiry_date.isoformat(),
                "pin_tries_left": "unknown" if self.pin_tries_left is None else str(self.pin_tries_left)}

    def __repr__(self) -> str:
        return f"CardData(ssn={mask_ssn(self.ssn)}, card_number={mask_card_number(self.card_number)})"

    @classmethod
    def validated(cls, *, ssn: str, name: str, sex: str, ethnicity: str, birth_place: str, birth_date: str,
                  card_number: str, card_id_code: str, card_type: str, spec_version: str, issue_date: str,
                  expiry_date: str) -> "CardData":
        """Build from decoded card text; every field is checked, dates are YYYYMMDD."""
        ssn = ssn.strip().upper()
        if not is_valid_ssn(ssn):
            raise _invalid("ssn", "not an 18-character number with a valid check digit")
        name = clean_name(name)
        card_number = card_number.strip().upper()
        if not is_valid_card_number(card_number):
            raise _invalid("card_number", "not 9 letters or digits")
        card_id_code = card_id_code.strip().upper()
        if not is_valid_card_id_code(card_id_code):
            raise _invalid("card_id_code", "not region code + D156000005 + 16 hex digits")
        sex_code = sex.strip().upper()
        sex_value = _SEX.get(sex_code) or (sex_code if sex_code in ("M", "F", "U") else None)
        if sex_value is None:
            raise _invalid("sex", "not 1, 2 or 9")
        ethnicity = ethnicity.strip()
        if not re.fullmatch(r"\d{2}", ethnicity):
            raise _invalid("ethnicity", "not a two-digit code")
        birth_place = birth_place.strip()
        if birth_place and not is_valid_region_code(birth_place):
            raise _invalid("birth_place", "not a 6-digit region code")
        born = parse_card_date(birth_date, "birth_date")
        issued = parse_card_date(issue_date, "issue_date")
        expires = parse_card_date(expiry_date, "expiry_date")
        if born.strftime("%Y%m%d") != ssn[6:14]:
            raise _invalid("birth_date", "does not match the ssn")
        if expires < issued:
            raise _invalid("expiry_date", "before the issue date")
        if not re.fullmatch(r"[0-9A-Za-z.]{1,8}", spec_version.strip()):
            raise _invalid("spec_version", "not a short version string")
        if not re.fullmatch(r"[0-9A-Za-z]{1,2}", card_type.strip()):
            raise _invalid("card_type", "not a one- or two-character code")
        return cls(ssn=ssn, name=name, sex=sex_value, ethnicity=ethnicity, birth_place=birth_place,
                   birth_date=born, card_number=card_number, card_id_code=card_id_code,
                   card_type=card_type.strip(), spec_version=spec_version.strip(), issue_date=issued,
                   expiry_date=expires)


@dataclasses.dataclass(frozen=True)
class PinResult:
    verified: bool
    tries_left: int | None  # None when the card does not say

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0 and not self.verified


def parse_card_date(text: str, field: str) -> dt.date:
    text = text.strip()
    if not re.fullmatch(r"\d{8}", text):
        raise _invalid(field, "not YYYYMMDD")
    try:
        value = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _invalid(field, "not a calendar date") from None
    if not dt.date(1900, 1, 1) <= value <= dt.date(2199, 12, 31):
        raise _invalid(field, "out of range")
    return value


def clean_name(raw: str) -> str:
    """A holder name: padding stripped, no control characters, bounded length."""
    name = raw.replace("\x00", "").strip()
    if not name:
        raise _invalid("name", "empty")
    if len(name) > NAME_MAX_CHARS:
        raise _invalid("name", f"longer than {NAME_MAX_CHARS} characters")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in name):
        raise _invalid("name", "contains control or unassigned characters")
    return name


def _mask_name(name: str) -> str:
    """张伟 -> 张*, 欧阳娜娜 -> 欧***: the family name only."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _invalid(field: str, reason: str) -> DeviceError:
    return DeviceError(CompletionCode.MEDIA_INVALID, f"card field {field}: {reason}")
