"""Bounds and validates a scanned code before anything else sees it.

A QR payload is hostile until the back office says otherwise: it is bounded, decoded
strictly and cleared of characters that could hide or disguise text. Rejections carry
lengths and reasons only, never the code itself (it may be personal data).

Why no GBK fallback: many Chinese scanners send raw GBK bytes for non-ASCII payloads,
but the only codes the kiosk accepts (电子社保卡 payloads) are ASCII, the back-office
contract is UTF-8, and GBK decodes almost any pair of high bytes: a fallback would turn
binary junk or line noise into plausible Chinese text instead of rejecting it. A GBK
scanner is a configuration error; the rejection says so, so a technician sets the
scanner's output to UTF-8 the first time the interactive health check runs.
"""

from __future__ import annotations

import unicodedata

from devices.model import CompletionCode, DeviceError

DEFAULT_MAX_CODE_BYTES = 4096
UTF8_BOM = b"\xef\xbb\xbf"

# General categories a code may never contain, with the reason a technician reads.
_FORBIDDEN_CATEGORIES = {
    "Cf": "format character (bidi control, zero-width or similar)",
    "Cs": "surrogate code point",
    "Co": "private-use character",
    "Cn": "unassigned code point",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


def validate_scanned_code(raw: bytes | str, max_bytes: int = DEFAULT_MAX_CODE_BYTES) -> str:
    """Return the code as clean text, or raise DeviceError(INVALID_INPUT) saying why not.

    Strips a leading UTF-8 BOM and surrounding whitespace (a scanner's suffix, a
    terminator the framing left behind); everything inside must be printable text.
    """
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive integer, not {max_bytes!r}")
    if isinstance(raw, (bytearray, memoryview)):
        raw = bytes(raw)
    if isinstance(raw, bytes):
        # Bound before any work: nothing longer than the limit is even decoded.
        _reject_if_too_long(len(raw), max_bytes)
        text = _decode_utf8(raw)
    elif isinstance(raw, str):
        # A str's UTF-8 form is at least as long as the str itself.
        _reject_if_too_long(len(raw), max_bytes)
        text = raw
    else:
        raise DeviceError(CompletionCode.INVALID_INPUT, f"code is {type(raw).__name__}, not bytes or text")

    text = text.strip()
    if text.startswith("\ufeff"):
        text = text[1:].strip()
    if not text:
        raise DeviceError(CompletionCode.INVALID_INPUT, "empty code")
    try:
        encoded_length = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:  # a lone surrogate in a str
        raise DeviceError(CompletionCode.INVALID_INPUT,
                          f"surrogate code point at character {error.start + 1} of {len(text)}") from None
    _reject_if_too_long(encoded_length, max_bytes)

    for position, character in enumerate(text, start=1):
        reason = _forbidden_reason(character)
        if reason:
            raise DeviceError(CompletionCode.INVALID_INPUT, f"{reason} at character {position} of {len(text)}")
    return text


def _reject_if_too_long(length: int, max_bytes: int) -> None:
    if length > max_bytes:
        raise DeviceError(CompletionCode.INVALID_INPUT, f"code of {length} bytes exceeds the limit of {max_bytes}")


def _decode_utf8(raw: bytes) -> str:
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        hint = ""
        try:
            raw.decode("gbk", errors="strict")
            hint = "; it decodes as GBK: set the scanner's output to UTF-8"
        except UnicodeDecodeError:
            pass
        raise DeviceError(CompletionCode.INVALID_INPUT,
                          f"not valid UTF-8 at byte {error.start + 1} of {len(raw)}{hint}") from None


def _forbidden_reason(character: str) -> str:
    code_point = ord(character)
    if code_point < 0x20:
        return "C0 control character"
    if code_point == 0x7F:
        return "DEL control character"
    if 0x80 <= code_point <= 0x9F:
        return "C1 control character"
    category = unicodedata.category(character)
    if category == "Zs" and character != " ":
        # No-break, ideographic and other wide spaces look like a space but compare unequal.
        return f"non-ASCII space U+{code_point:04X}"
    return _FORBIDDEN_CATEGORIES.get(category, "")
