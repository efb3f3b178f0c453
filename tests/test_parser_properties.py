"""Property tests: every parser of outside input either returns a valid value or raises its own
typed error, whatever the bytes (QR codes, card records, API responses, config files, scanner
input). Bounded example counts keep the suite quick; the back office's own parsers are in
tests/backoffice/test_schemathesis.py.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devices.card import profile as card_profile
from devices.card import vendor_library
from devices.model import DeviceError
from devices.scanner.code_filter import validate_scanned_code
from devices.scanner.serial_scanner import CodeFramer, FramedCode, FramingFailure
from kiosk.backoffice_client import BackofficeClient, _Response
from kiosk.config import ConfigError, load_settings
from kiosk.contract import models
from kiosk.errors import KioskError

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON that looks like the contract's answers often enough to reach the model validation.
json_scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=30)
contract_keys = st.sampled_from(["citizen", "items", "name", "ssn_masked", "code", "status", "title",
                                 "message_zh", "message_en", "token", "rows", "page", "number", "kind"])
contract_like = st.dictionaries(contract_keys, json_values, max_size=8)


@BOUNDED
@given(st.binary(max_size=600) | st.text(max_size=300))
@example("0\xa00").via("found by an exploring run: a no-break space inside a code")
@example("A\u3000B").via("an ideographic space inside a code")
def test_a_scanned_code_is_clean_text_or_invalid_input(raw):
    try:
        code = validate_scanned_code(raw)
    except DeviceError as error:
        assert error.code.value == "invalid_input"
    else:
        assert code and code.isprintable() and len(code.encode("utf-8")) <= 512


@BOUNDED
@given(st.lists(st.binary(max_size=80), max_size=12), st.sampled_from(["CR", "LF", "CRLF"]))
def test_scanner_framing_of_any_byte_stream_yields_codes_or_failures(chunks, terminator):
    framer = CodeFramer(terminator, max_code_bytes=256, inter_byte_timeout_s=0.5)
    now = 0.0
    for chunk in chunks:
        now += 0.01
        for result in framer.feed(chunk, now):
            assert isinstance(result, (FramedCode, FramingFailure))
    assert framer.buffered_bytes <= 256 + 64


@BOUNDED
@given(st.sampled_from(sorted({**card_profile.ISSUER_RECORDS, **card_profile.HOLDER_RECORDS})),
       st.binary(max_size=80))
def test_a_card_record_decodes_or_is_media_invalid(tag, data):
    try:
        text = card_profile.decode_record(tag, data)
    except DeviceError as error:
        assert error.code.value == "media_invalid"
    else:
        assert isinstance(text, str)


@BOUNDED
@given(st.binary(max_size=400) | st.lists(st.text(max_size=40), max_size=14).map(
    lambda fields: ("|".join(fields) + "|").encode("gb18030", errors="replace")))
def test_a_vendor_library_record_parses_or_is_a_device_error(raw):
    try:
        card = vendor_library.parse_card_record(raw)
    except DeviceError as error:
        assert error.code.value in ("media_invalid", "hardware_error")
    else:
        assert len(card.ssn) == 18


@BOUNDED
@given(st.sampled_from([200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502]),
       st.sampled_from(["application/json", "application/problem+json", "text/html", ""]),
       contract_like.map(lambda value: json.dumps(value).encode()) | st.binary(max_size=300),
       st.sampled_from([models.Enrolment, models.SessionOpened, models.ContributionPage, models.Certificate]))
def test_any_api_response_becomes_a_model_or_a_kiosk_error(status, content_type, body, model):
    client = BackofficeClient("http://127.0.0.1:9", "KIOSK-T-1", "s" * 26)
    try:
        parsed = client._parse(_Response(status, content_type, body, {}), model)
    except KioskError as error:
        assert error.code and error.citizen_message("zh")
    else:
        assert isinstance(parsed, model)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400) | st.builds(
    lambda section, key, value: f"[{section}]\n{key} = {value}\n",
    st.sampled_from(["terminal", "backoffice", "ui", "speech", "devices", "session", "storage", "x"]),
    st.sampled_from(["id", "time_zone", "url", "language", "idle_timeout_s", "verify_tls", "enabled"]),
    st.sampled_from(['"A"', "1", "-5", "true", "[1, 2]", '"Mars/Olympus"', "{ a = 1 }", "1e999", '"\\u0000"'])))
def test_any_config_file_loads_or_is_a_config_error(text):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "site.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_settings(str(path))
        except ConfigError as error:
            assert str(error).startswith(str(path)) or "default.toml" in str(error)


@pytest.mark.parametrize("depth", [3000, 100_000])
def test_a_deeply_nested_config_is_a_config_error(tmp_path, depth):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(str(path))
