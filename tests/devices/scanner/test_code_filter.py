"""The scanned-code filter: bounds, strict UTF-8, no characters that hide or disguise text."""

from __future__ import annotations

import pytest

from devices.model import CompletionCode, DeviceError
from devices.scanner.code_filter import validate_scanned_code

# Looks like personal data on purpose: no rejection may repeat any of it.
SECRET = "320102199001011234"


def rejection(raw, max_bytes: int = 4096) -> DeviceError:
    with pytest.raises(DeviceError) as caught:
        validate_scanned_code(raw, max_bytes)
    assert caught.value.code is CompletionCode.INVALID_INPUT
    return caught.value


@pytest.mark.parametrize("raw, expected", [
    (b"ECARD:0123456789abcdef", "ECARD:0123456789abcdef"),
    ("ECARD:0123456789abcdef", "ECARD:0123456789abcdef"),
    ("电子社保卡 二维码".encode("utf-8"), "电子社保卡 二维码"),
    (bytearray(b"abc"), "abc"),
    (memoryview(b"abc"), "abc"),
    (b"\xef\xbb\xbfWITH-BOM", "WITH-BOM"),
    ("\ufeffWITH-BOM", "WITH-BOM"),
    (b"  \t padded \r\n", "padded"),
    ("\u3000全角空格\u3000", "全角空格"),
    (b"\r\n\xef\xbb\xbfBOM-AFTER-LINE-END", "BOM-AFTER-LINE-END"),
    ("inner spaces stay", "inner spaces stay"),
])
def test_clean_codes_pass_and_lose_only_the_bom_and_surrounding_whitespace(raw, expected) -> None:
    assert validate_scanned_code(raw, 4096) == expected


@pytest.mark.parametrize("raw", [b"", "", b"   \r\n", "\t", b"\xef\xbb\xbf", "\ufeff  "])
def test_empty_codes_are_rejected(raw) -> None:
    assert "empty" in rejection(raw).detail


def test_the_limit_counts_utf8_bytes_exactly() -> None:
    assert validate_scanned_code(b"A" * 16, 16) == "A" * 16
    assert "17 bytes" in rejection(b"A" * 17, 16).detail
    chinese = "社保卡码"  # 4 characters, 12 bytes in UTF-8
    assert validate_scanned_code(chinese, 12) == chinese
    assert validate_scanned_code(chinese.encode("utf-8"), 12) == chinese
    assert "12 bytes exceeds the limit of 11" in rejection(chinese, 11).detail


def test_oversized_input_is_refused_before_it_is_decoded() -> None:
    # Invalid UTF-8 too, but the bound comes first: nothing that long is decoded at all.
    detail = rejection(b"\xff" * 5000, 4096).detail
    assert "exceeds the limit of 4096" in detail and "UTF-8" not in detail


@pytest.mark.parametrize("raw", [
    b"\xff\xfe" + SECRET.encode(),         # not UTF-8 at all
    SECRET.encode() + b"\xe4\xb8",         # a character cut in half
    b"\xc0\xaf" + SECRET.encode(),         # overlong encoding of '/'
    b"\xed\xa0\x80" + SECRET.encode(),     # an encoded surrogate
    SECRET.encode() + b"\xf8\x88\x80\x80\x80",  # a 5-byte sequence
])
def test_bytes_that_are_not_strict_utf8_are_rejected(raw) -> None:
    detail = rejection(raw).detail
    assert "not valid UTF-8" in detail
    assert SECRET not in detail and "3201" not in detail


def test_gbk_is_not_accepted_but_the_technician_is_told_what_to_change() -> None:
    detail = rejection("社保卡".encode("gbk")).detail
    assert "not valid UTF-8" in detail and "GBK" in detail
    assert "社" not in detail


@pytest.mark.parametrize("character, reason", [
    ("\x00", "C0 control"),
    ("\x07", "C0 control"),
    ("\x1b", "C0 control"),          # ESC: a terminal escape sequence
    ("\t", "C0 control"),
    ("\r", "C0 control"),            # a line ending inside a code
    ("\n", "C0 control"),
    ("\x1d", "C0 control"),          # GS, the GS1 separator
    ("\x7f", "DEL"),
    ("\x85", "C1 control"),
    ("\x9b", "C1 control"),          # CSI
    ("\u202e", "format character"),  # RIGHT-TO-LEFT OVERRIDE
    ("\u202a", "format character"),  # LEFT-TO-RIGHT EMBEDDING
    ("\u2066", "format character"),  # LEFT-TO-RIGHT ISOLATE
    ("\u200b", "format character"),  # ZERO WIDTH SPACE
    ("\u200e", "format character"),  # LEFT-TO-RIGHT MARK
    ("\u00ad", "format character"),  # SOFT HYPHEN
    ("\ufeff", "format character"),  # a BOM in the middle is a zero-width no-break space
    ("\u2028", "line separator"),
    ("\u2029", "paragraph separator"),
    ("\u00a0", "non-ASCII space U+00A0"),  # NO-BREAK SPACE: looks like a space, compares unequal
    ("\u3000", "non-ASCII space U+3000"),  # IDEOGRAPHIC SPACE
    ("\ue000", "private-use"),
    ("\u0378", "unassigned"),
    ("\ud800", "surrogate"),         # only a str can carry one
])
def test_characters_that_could_hide_or_disguise_text_are_rejected(character, reason) -> None:
    code = SECRET + character + "XYZ"
    detail = rejection(code).detail
    assert reason in detail
    assert f"character {len(SECRET) + 1} of {len(code)}" in detail
    assert SECRET not in detail and "XYZ" not in detail
    if character != "\ud800":  # a lone surrogate cannot be encoded: only the str form exists
        assert reason in rejection(code.encode("utf-8")).detail


def test_rejections_never_repeat_the_code() -> None:
    codes = [SECRET.encode() * 300, SECRET.encode() + b"\xff", SECRET + "\x07", "\u202e" + SECRET]
    for code in codes:
        error = rejection(code)
        assert SECRET not in error.detail and SECRET not in str(error)
        assert "1234" not in error.detail


def test_only_bytes_or_text_are_codes() -> None:
    assert "int" in rejection(12345678).detail
    assert "NoneType" in rejection(None).detail


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_must_be_positive(limit) -> None:
    with pytest.raises(ValueError):
        validate_scanned_code(b"abc", limit)
