"""Log records never carry a full ssn or mobile number, whoever wrote them."""

from __future__ import annotations

import logging

import pytest

from kiosk.contract.identifiers import is_valid_ssn, mask_card_number, mask_ssn, ssn_check_char
from kiosk.redaction import RedactingFilter, redact

SSN = "11010519491231002X"


def test_check_digit_matches_the_published_example() -> None:
    assert ssn_check_char("11010519491231002") == "X"
    assert is_valid_ssn(SSN)
    assert not is_valid_ssn("110105194912310021")  # wrong check digit
    assert not is_valid_ssn("11010519491331002X")  # month 13
    assert not is_valid_ssn(None)


def test_masks() -> None:
    assert mask_ssn(SSN) == "1101**********002X"
    assert mask_card_number("X00000019") == "X0****019"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"card read ssn={SSN} ok", "card read ssn=1101**********002X ok"),
        (f"lower x {SSN.lower()}", "lower x 1101**********002X"),
        ("mobile 13912340004 given", "mobile 139****0004 given"),
        ("order 1234567890123456789012 stays", "order 1234567890123456789012 stays"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_filter_redacts_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("citizen %s opened", SSN)
        try:
            raise ValueError(f"bad ssn {SSN}")
        except ValueError:
            logger.exception("failure")
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == "citizen 1101**********002X opened"
    assert SSN not in records[1].exc_text and "1101**********002X" in records[1].exc_text
