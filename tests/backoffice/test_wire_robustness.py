"""Hostile wire input gets a 4xx, never a 500; the contract refuses what the server refuses (booleans
as counts, non-ASCII digits, trailing newlines); a 405 names every allowed method."""

from __future__ import annotations

import json
import secrets
import time

import pytest
import requests

from backoffice import ecard
from kiosk.contract import identifiers, signing
from tests.backoffice.helpers import assert_problem, card_body

HEARTBEAT = {"version": "0.1.0", "profile": "service_hall", "outbox_depth": 0}


def signed_headers(server, method: str, target: str, body: bytes, stamp: str) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    return {signing.HEADER_TERMINAL: server.terminal_id, signing.HEADER_TIMESTAMP: stamp,
            signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: signing.sign(server.secret, method, target, stamp, nonce, body)}


@pytest.mark.parametrize("digit", ["¹", "²", "³"])
def test_a_signed_superscript_timestamp_is_401(backoffice, digit):
    # Correctly signed over the odd text, so only the timestamp's parsing can refuse it.
    stamp = digit + str(int(time.time()))[1:]
    body = json.dumps(card_body(backoffice.citizen("zhang_wei"))).encode()
    headers = {"Content-Type": "application/json",
               **signed_headers(backoffice, "POST", "/v1/sessions", body, stamp)}
    response = requests.post(backoffice.base_url + "/v1/sessions", data=body, headers=headers, timeout=10)
    assert_problem(response, 401, "terminal_unauthenticated")


@pytest.mark.parametrize("stamp", ["١٧٦٤٠٠٠٠٠٠", "１７６４０００００００", "1764000000\u00a0"])
def test_non_ascii_digit_timestamps_are_401(backoffice, stamp):
    headers = signed_headers(backoffice, "GET", "/v1/me/enrolment", b"", stamp)
    raw = {name: value.encode("utf-8") for name, value in headers.items()}
    response = requests.get(backoffice.base_url + "/v1/me/enrolment", headers=raw, timeout=10)
    assert_problem(response, 401, "terminal_unauthenticated")


def test_an_ecard_code_with_a_trailing_newline_is_refused_and_not_spent(backoffice):
    client = backoffice.client()
    code = client.post("/v1/ecard/codes", json={"ssn": backoffice.citizen("chen_jing").ssn}).json()["qr"]
    for path, body in (("/v1/ecard/verify", {"qr": code + "\n"}), ("/v1/sessions", {"method": "ecard",
                                                                                     "qr": code + "\n"})):
        assert client.post(path, json=body).status_code == 422
    assert ecard.parse(code + "\n") is None and ecard.parse(code) is not None
    assert client.post("/v1/sessions", json={"method": "ecard", "qr": code}).status_code == 201


@pytest.mark.parametrize("change", [{"outbox_depth": False}, {"outbox_depth": True}, {"outbox_depth": 1.0},
                                    {"outbox_depth": "3"}, {"counters": {"kiosk.sessions": True}},
                                    {"journal_seq": False}, {"interval_s": True}, {"interval_s": "60"}])
def test_heartbeat_counts_are_integers_not_booleans(backoffice, change):
    response = backoffice.client().post(f"/v1/terminals/{backoffice.terminal_id}/heartbeat",
                                        json={**HEARTBEAT, **change})
    assert_problem(response, 422, "invalid_request")


def test_pin_verified_is_a_json_boolean(backoffice):
    client = backoffice.client()
    for value in ("true", 1, "yes"):
        assert_problem(client.post("/v1/sessions", json=card_body(backoffice.citizen("zhang_wei"),
                                                                  pin_verified=value)), 422, "invalid_request")


def test_405_lists_every_method_of_the_path(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("zhang_wei"))
    for path in ("/v1/me/certificates", "/v1/me/pension-transfers"):
        response = client.request("PUT", path, json={})
        assert_problem(response, 405, "method_not_allowed")
        assert {"GET", "POST"} <= {method.strip() for method in response.headers["Allow"].split(",")}
    only_post = client.get("/v1/sessions")
    assert_problem(only_post, 405, "method_not_allowed")
    assert only_post.headers["Allow"] == "POST"


@pytest.mark.parametrize("params", [{"from": "20٢٦01"}, {"to": "２０２６０１"}, {"from": "202601\n"}])
def test_non_ascii_digits_in_periods_are_422(backoffice, params):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("zhang_wei"))
    assert_problem(client.get("/v1/me/contributions", params=params), 422, "invalid_request")


@pytest.mark.parametrize("body", [{"from_region": "44٠100", "contact_mobile": "13800138000"},
                                  {"from_region": "440100", "contact_mobile": "1380013800٠"}])
def test_non_ascii_digits_in_a_transfer_are_422(backoffice_factory, body):
    server = backoffice_factory()
    client = server.client()
    client.open_card_session(server.citizen("zhang_wei"))
    assert_problem(client.post("/v1/me/pension-transfers", json=body, headers={"Idempotency-Key": "k" * 16}), 422,
                   "invalid_request")


def test_identifiers_refuse_trailing_newlines_and_non_ascii_digits(backoffice):
    ssn = backoffice.citizen("zhang_wei").ssn
    assert identifiers.is_valid_ssn(ssn)
    arabic = ssn.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for bad in (ssn + "\n", ssn[0] + arabic[1:]):
        assert not identifiers.is_valid_ssn(bad)
    assert not identifiers.is_valid_card_number("A00000019\n")
    assert not identifiers.is_valid_region_code("320100\n") and not identifiers.is_valid_region_code("3٢0100")
    card_id = backoffice.citizen("zhang_wei").card_id_code
    assert identifiers.is_valid_card_id_code(card_id) and not identifiers.is_valid_card_id_code(card_id + "\n")
    with pytest.raises(ValueError):
        identifiers.ssn_check_char("١" * 17)
