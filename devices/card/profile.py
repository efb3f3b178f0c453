"""Our social security card profile at APDU level (docs/card-profile.md).

Shared by the PC/SC reader protocol (which reads it), the virtual card (which
answers it) and the card simulator (which holds the same `CardRecord`). Everything
the card sends is decoded with bounds here: a record whose tag, length or encoding
is wrong raises `DeviceError(MEDIA_INVALID)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from devices import gb18030
from devices.card.data import CardData
from devices.model import CompletionCode, DeviceError

# SELECT by DF name "sx1.sh.社会保障": ASCII then GBK (docs/card-profile.md).
APPLICATION_NAME = bytes.fromhex("7378312E73682E") + "社会保障".encode("gbk")
ISSUER_FILE_ID = bytes.fromhex("EF05")
HOLDER_FILE_ID = bytes.fromhex("EF06")

# Record number (= TLV tag) -> (field, encoding, value length); lengths are exact
# except for the name, which is at most 30 bytes of GB 18030 (a superset of GBK: rare
# characters such as 䶮 that GBK lacks) padded with 0x00 or spaces.
ISSUER_RECORDS: dict[int, tuple[str, str, int]] = {
    0x01: ("card_id_code", "hex", 16),
    0x02: ("card_type", "ascii", 1),
    0x03: ("spec_version", "ascii", 4),
    0x05: ("issue_date", "bcd", 4),
    0x06: ("expiry_date", "bcd", 4),
    0x07: ("card_number", "ascii", 9),
}
HOLDER_RECORDS: dict[int, tuple[str, str, int]] = {
    0x08: ("ssn", "ascii", 18),
    0x09: ("name", "gb18030", 30),
    0x0A: ("sex", "ascii", 1),
    0x0B: ("ethnicity", "bcd", 1),
    0x0C: ("birth_place", "bcd", 3),
    0x0D: ("birth_date", "bcd", 4),
}
FILES: dict[bytes, dict[int, tuple[str, str, int]]] = {ISSUER_FILE_ID: ISSUER_RECORDS, HOLDER_FILE_ID: HOLDER_RECORDS}

PIN_MAX_TRIES = 3

SW_OK = b"\x90\x00"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_WRONG_LENGTH = b"\x67\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_CONDITIONS_NOT_SATISFIED = b"\x69\x85"  # no application selected
SW_PIN_BLOCKED = b"\x69\x83"


def sw_pin_incorrect(tries_left: int) -> bytes:
    return bytes((0x63, 0xC0 | (tries_left & 0x0F)))


# --- commands the reader sends -------------------------------------------------------

def select_application() -> bytes:
    return bytes((0x00, 0xA4, 0x04, 0x00, len(APPLICATION_NAME))) + APPLICATION_NAME


def select_file(file_id: bytes) -> bytes:
    return bytes((0x00, 0xA4, 0x02, 0x00, 0x02)) + file_id


def read_record(record: int) -> bytes:
    """READ RECORD, record number in P1 (P2 = 04), Le = 0 (whatever the record holds)."""
    return bytes((0x00, 0xB2, record, 0x04, 0x00))


def verify_pin(pin: str) -> bytes:
    """VERIFY with the 6-digit PIN packed as 3 BCD bytes."""
    return bytes((0x00, 0x20, 0x00, 0x00, 0x03)) + bytes.fromhex(pin)


def pin_status() -> bytes:
    """VERIFY without data (ISO 7816-4 case 1): asks for the retry counter and costs no try."""
    return bytes((0x00, 0x20, 0x00, 0x00))


def tries_left_from_status(data: bytes, sw: bytes) -> int | None:
    """The answer to `pin_status()` -> tries left: 63Cx gives x, 6983 gives 0 (blocked).

    Anything else gives None, "the card does not say": 9000 (the PIN is already verified
    in this selection, a real card's answer that holds no count), or a card that does not
    know the empty VERIFY (6700, 6D00, ...). Never an error: the read itself succeeded.
    """
    if data or len(sw) != 2:
        return None
    if sw == SW_PIN_BLOCKED:
        return 0
    if sw[0] == 0x63 and sw[1] & 0xF0 == 0xC0:
        return sw[1] & 0x0F
    return None


# --- the card's content ----------------------------------------------------------------

@dataclasses.dataclass
class CardRecord:
    """Everything on one card: what the virtual card and the simulator hold."""

    ssn: str = dataclasses.field(repr=False)
    name: str = dataclasses.field(repr=False)
    sex: str                   # "1" male, "2" female
    birth_date: dt.date
    card_number: str
    card_id_code: str
    pin: str = dataclasses.field(repr=False)
    pin_tries_left: int = PIN_MAX_TRIES
    ethnicity: str = "01"
    birth_place: str = ""
    card_type: str = "3"
    spec_version: str = "3.00"
    issue_date: dt.date = dt.date(2021, 6, 1)
    expiry_date: dt.date = dt.date(2031, 6, 1)

    def encoded_files(self) -> dict[bytes, dict[int, bytes]]:
        """TLV bytes per file and record, as READ RECORD returns them (without the SW)."""
        values = {
            "card_id_code": bytes.fromhex(self.card_id_code),
            "card_type": self.card_type.encode("ascii"),
            "spec_version": self.spec_version.encode("ascii"),
            "issue_date": bytes.fromhex(self.issue_date.strftime("%Y%m%d")),
            "expiry_date": bytes.fromhex(self.expiry_date.strftime("%Y%m%d")),
            "card_number": self.card_number.encode("ascii"),
            "ssn": self.ssn.encode("ascii"),
            "name": gb18030.encode(self.name).ljust(30, b"\x00"),
            "sex": self.sex.encode("ascii"),
            "ethnicity": bytes.fromhex(self.ethnicity),
            "birth_place": bytes.fromhex(self.birth_place or "000000"),
            "birth_date": bytes.fromhex(self.birth_date.strftime("%Y%m%d")),
        }
        return {file_id: {tag: bytes((tag, len(values[field]))) + values[field]
                          for tag, (field, _, _) in records.items()}
                for file_id, records in FILES.items()}


# --- decoding what the card sends -------------------------------------------------------

def decode_record(tag: int, data: bytes) -> str:
    """One READ RECORD answer (TLV, SW already stripped) -> the field as text."""
    field, encoding, length = ISSUER_RECORDS.get(tag) or HOLDER_RECORDS[tag]
    if len(data) < 2 or data[0] != tag:
        raise DeviceError(CompletionCode.MEDIA_INVALID, f"record {tag:02X}: wrong tag")
    declared = data[1]
    value = data[2:]
    if declared != len(value):
        raise DeviceError(CompletionCode.MEDIA_INVALID, f"record {tag:02X}: length {declared} but {len(value)} bytes")
    exact = encoding != "gb18030"
    if (exact and declared != length) or declared > length or declared == 0:
        raise DeviceError(CompletionCode.MEDIA_INVALID, f"record {tag:02X} ({field}): unexpected length {declared}")
    try:
        if encoding == "hex":
            return value.hex().upper()
        if encoding == "bcd":
            text = value.hex()
            if not text.isdigit():
                raise ValueError("not BCD")
            return "" if field == "birth_place" and set(text) == {"0"} else text
        if encoding == "ascii":
            return value.decode("ascii")
        # No byte of a GB 18030 character is 00 or 20, so stripping the padding never cuts one.
        return gb18030.decode(value.rstrip(b"\x00 "))
    except (UnicodeDecodeError, ValueError):
        raise DeviceError(CompletionCode.MEDIA_INVALID, f"record {tag:02X} ({field}): bad {encoding} encoding") from None


def card_data_from_fields(fields: dict[str, str]) -> CardData:
    """Validate the decoded fields of both files into `CardData`."""
    missing = [field for records in FILES.values() for field, _, _ in records.values() if field not in fields]
    if missing:
        raise DeviceError(CompletionCode.MEDIA_INVALID, f"card records missing: {', '.join(missing)}")
    return CardData.validated(**fields)
