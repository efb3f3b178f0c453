"""Property tests of the back office's parsers of wire input: any text gives an answer or a refusal,
never an exception, and only ASCII shapes are accepted; what the schema's patterns allow, the
models accept (but for the documented ssn check character)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from backoffice import certificates, ecard, sessions
from backoffice.terminal_auth import parse_content_length, parse_timestamp
from kiosk.contract import identifiers, models, signing

PROPERTY = settings(max_examples=400, deadline=None, derandomize=True)
DIGITS = st.sampled_from("0123456789")
# Unicode digits that str.isdigit() and `\d` take for digits but int() or a contract must not.
ODD_DIGITS = st.sampled_from("¹²³٠١٢٣٤٥٦٧٨٩０１２３４５６７８９߀०")
TEXT = st.text(max_size=80) | st.text(alphabet=st.sampled_from("0123456789 \n\t¹²٣+-_."), max_size=20)


@PROPERTY
@given(TEXT)
def test_timestamp_header_is_ascii_digits_or_nothing(value):
    parsed = parse_timestamp(value)
    if re.fullmatch(r"[0-9]{1,12}", value, flags=re.ASCII):
        assert parsed == int(value)
    else:
        assert parsed is None


@PROPERTY
@given(st.lists(DIGITS | ODD_DIGITS, min_size=1, max_size=12).map("".join))
def test_timestamp_with_any_non_ascii_digit_is_refused(value):
    assert (parse_timestamp(value) is None) == (not value.isascii())


@PROPERTY
@given(TEXT | st.text(alphabet=DIGITS, min_size=19, max_size=5000))
def test_content_length_never_raises(value):
    parsed = parse_content_length(value)
    assert parsed is None or (parsed >= 0 and value.strip(" \t").isascii())


CODE_ID = st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
                  min_size=22, max_size=22)
MAC = st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
              min_size=43, max_size=43)


@PROPERTY
@given(TEXT)
def test_ecard_parse_never_raises(value):
    parsed = ecard.parse(value)
    assert parsed is None or value == f"ESSC1.{parsed[0]}.{parsed[1]}"


@PROPERTY
@given(CODE_ID, MAC, st.sampled_from(["\n", "\r\n", " ", "\x00", ".", "A", "\u202e"]))
def test_ecard_parse_takes_the_exact_shape_only(code_id, mac, suffix):
    code = f"ESSC1.{code_id}.{mac}"
    assert ecard.parse(code) == (code_id, mac)
    assert ecard.parse(code + suffix) is None and ecard.parse(suffix + code) is None


@PROPERTY
@given(TEXT | st.from_regex(r"\A[0-9a-f]{16}\.[0-9a-f]{64}\Z"))
def test_grant_parsing_never_raises(value):
    header = sessions.grant_value(f"Grant {value}")
    assert header is not None
    match = signing.GRANT_SHAPE.fullmatch(header)
    assert match is None or header.isascii()
    assert sessions.bearer_token(f"Bearer {value}") is None or 16 <= len(value.strip()) <= 128


@PROPERTY
@given(st.from_regex(r"\A[0-9a-f]{16}\Z"), st.text(min_size=1, max_size=60), st.sampled_from(["POST", "post"]),
       st.sampled_from(["/v1/me/certificates", "/v1/me/pension-transfers"]),
       st.from_regex(r"\A[A-Za-z0-9_-]{8,128}\Z"))
def test_derived_grants_have_the_wire_shape(grant_id, key, method, path, idempotency_key):
    grant = signing.submission_grant(f"{grant_id}.{key}", method, path, idempotency_key)
    assert signing.GRANT_SHAPE.fullmatch(grant) and grant.startswith(grant_id + ".")
    assert grant != signing.submission_grant(f"{grant_id}.{key}", method, path, idempotency_key + "x")


@PROPERTY
@given(TEXT | st.lists(DIGITS | ODD_DIGITS | st.just("X"), min_size=18, max_size=18).map("".join))
def test_identifier_checks_never_raise_and_take_ascii_only(value):
    for check in (identifiers.is_valid_ssn, identifiers.is_valid_card_number, identifiers.is_valid_card_id_code,
                  identifiers.is_valid_region_code, certificates.is_verification_code_shape):
        if check(value):
            assert value.isascii() and "\n" not in value


@PROPERTY
@given(st.text(max_size=12))
def test_masked_names_keep_at_most_the_first_and_last_character(name):
    masked = certificates.mask_name(name)
    assert len(masked) == len(name)
    assert sum(1 for a, b in zip(masked, name) if a == b and a != "*") <= 2


# --- the schema's patterns and the models agree ----------------------------------------------

@PROPERTY
@given(st.from_regex(models.PERIOD_PATTERN, fullmatch=True), st.from_regex(models.PERIOD_PATTERN, fullmatch=True))
def test_schema_valid_periods_are_accepted(first, second):
    low, high = sorted((first, second))
    models.CertificateRequest(kind="enrolment", period_from=low, period_to=high)


@PROPERTY
@given(st.from_regex(models.REGION_PATTERN, fullmatch=True), st.from_regex(models.MOBILE_PATTERN, fullmatch=True))
def test_schema_valid_transfer_requests_are_accepted(region, mobile):
    models.TransferRequest(from_region=region, contact_mobile=mobile)


@PROPERTY
@given(st.from_regex(models.SSN_PATTERN, fullmatch=True))
def test_schema_valid_ssns_need_only_the_documented_check_character(ssn):
    fixed = ssn[:17] + identifiers.ssn_check_char(ssn[:17])
    models.EcardCodeRequest(ssn=fixed)
    if fixed != ssn:
        with pytest.raises(ValidationError):
            models.EcardCodeRequest(ssn=ssn)


@PROPERTY
@given(st.from_regex(models.QR_PATTERN, fullmatch=True).filter(lambda text: len(text) <= models.MAX_QR_LENGTH))
def test_schema_valid_qr_payloads_are_accepted(qr):
    models.EcardVerifyRequest(qr=qr)


@PROPERTY
@given(st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(alphabet=DIGITS, min_size=1,
                                                                                  max_size=3))
def test_heartbeat_counts_refuse_anything_but_integers(value):
    for field in ("outbox_depth", "journal_seq"):
        with pytest.raises(ValidationError):
            models.Heartbeat.model_validate_json(json.dumps({"version": "1", "profile": "p", field: value}))
        with pytest.raises(ValidationError):
            models.Heartbeat.model_validate_json(json.dumps({"version": "1", "profile": "p",
                                                             "counters": {"kiosk.sessions": value}}))
