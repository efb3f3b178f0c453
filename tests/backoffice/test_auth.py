"""Terminal signature, body limits, error shapes and citizen tokens."""

from __future__ import annotations

import json
import secrets
import time

import requests

from kiosk.contract import signing
from tests.backoffice.helpers import assert_problem, card_body

SECOND_TERMINAL_ID = "KIOSK-TEST-0002"


def test_signed_request_is_accepted(backoffice):
    client = backoffice.client()
    response = client.post("/v1/sessions", json=card_body(backoffice.citizen("zhang_wei")))
    assert response.status_code == 201


def test_missing_signature_is_refused(backoffice):
    response = backoffice.client().post("/v1/sessions", json=card_body(backoffice.citizen("zhang_wei")), sign=False)
    assert_problem(response, 401, "terminal_unauthenticated")


def test_wrong_secret_is_refused(backoffice):
    response = backoffice.client().post("/v1/sessions", json=card_body(backoffice.citizen("zhang_wei")),
                                        secret="not-the-secret")
    assert_problem(response, 401, "terminal_unauthenticated")


def test_unknown_terminal_is_refused(backoffice):
    client = backoffice.client(terminal_id="KIOSK-NOBODY", secret="whatever")
    assert_problem(client.get("/v1/me/enrolment"), 401, "terminal_unauthenticated")


def test_signature_covers_the_query_string(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("zhang_wei"))
    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
    # Signed for one query, sent with another.
    signature = signing.sign(backoffice.secret, "GET", "/v1/me/contributions?page=1", stamp, nonce, b"")
    response = requests.get(backoffice.base_url + "/v1/me/contributions?page=2", timeout=10, headers={
        "X-Terminal-Id": backoffice.terminal_id, "X-Timestamp": stamp, "X-Nonce": nonce,
        "X-Signature": signature, "Authorization": f"Bearer {client.token}"})
    assert_problem(response, 401, "terminal_unauthenticated")


def test_tampered_body_is_refused(backoffice):
    citizen = backoffice.citizen("zhang_wei")
    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
    signed = json.dumps(card_body(citizen)).encode()
    sent = json.dumps(card_body(citizen, pin_verified=False)).encode()
    response = requests.post(backoffice.base_url + "/v1/sessions", data=sent, timeout=10, headers={
        "Content-Type": "application/json", "X-Terminal-Id": backoffice.terminal_id, "X-Timestamp": stamp,
        "X-Nonce": nonce, "X-Signature": signing.sign(backoffice.secret, "POST", "/v1/sessions", stamp, nonce,
                                                      signed)})
    assert_problem(response, 401, "terminal_unauthenticated")


def test_stale_and_future_timestamps_are_refused(backoffice):
    client = backoffice.client()
    body = card_body(backoffice.citizen("zhang_wei"))
    assert_problem(client.post("/v1/sessions", json=body, timestamp=int(time.time()) - 301), 401, "clock_skew")
    assert_problem(client.post("/v1/sessions", json=body, timestamp=int(time.time()) + 400), 401, "clock_skew")
    assert client.post("/v1/sessions", json=body, timestamp=int(time.time()) - 200).status_code == 201


def test_replayed_nonce_is_refused(backoffice):
    client = backoffice.client()
    body = card_body(backoffice.citizen("zhang_wei"))
    nonce = secrets.token_hex(16)
    assert client.post("/v1/sessions", json=body, nonce=nonce).status_code == 201
    assert_problem(client.post("/v1/sessions", json=body, nonce=nonce), 401, "nonce_replayed")


def test_badly_shaped_nonce_is_refused(backoffice):
    client = backoffice.client()
    body = card_body(backoffice.citizen("zhang_wei"))
    assert_problem(client.post("/v1/sessions", json=body, nonce="ABCDEF0123456789"), 401, "terminal_unauthenticated")
    assert_problem(client.post("/v1/sessions", json=body, nonce="abc"), 401, "terminal_unauthenticated")


def test_oversized_body_is_refused_by_content_length(backoffice):
    client = backoffice.client()
    big = {"method": "ecard", "qr": "x" * (backoffice.settings.max_body_bytes + 10)}
    assert_problem(client.post("/v1/sessions", json=big), 413, "payload_too_large")


def test_oversized_chunked_body_is_refused_while_reading(backoffice):
    limit = backoffice.settings.max_body_bytes

    def chunks():
        for _ in range(limit // 1024 + 2):
            yield b"x" * 1024

    response = requests.post(backoffice.base_url + "/v1/sessions", data=chunks(), timeout=10,
                             headers={"Content-Type": "application/json"})
    assert "content-length" not in {key.lower() for key in response.request.headers}
    assert_problem(response, 413, "payload_too_large")


def test_malformed_json_is_400(backoffice):
    response = backoffice.client().post("/v1/sessions", body=b'{"method": "card", ')
    assert_problem(response, 400, "malformed_json")


def test_wrong_ssn_check_digit_is_422_and_not_echoed(backoffice):
    citizen = backoffice.citizen("zhang_wei")
    wrong = citizen.ssn[:17] + ("0" if citizen.ssn[17] != "0" else "1")
    response = backoffice.client().post("/v1/sessions", json=card_body(citizen, ssn=wrong))
    body = assert_problem(response, 422, "invalid_request")
    assert wrong not in response.text and wrong[:17] not in response.text
    assert any(error["loc"][-1] == "ssn" for error in body["errors"])
    assert all(set(error) == {"loc", "msg"} for error in body["errors"])


def test_unknown_fields_are_refused(backoffice):
    citizen = backoffice.citizen("zhang_wei")
    response = backoffice.client().post("/v1/sessions", json=card_body(citizen, nickname="伟哥"))
    body = assert_problem(response, 422, "invalid_request")
    assert any("nickname" in error["loc"] for error in body["errors"])


def test_unknown_discriminator_does_not_echo_input(backoffice):
    secret_looking = "320102198003151234"
    response = backoffice.client().post("/v1/sessions", json={"method": secret_looking})
    assert_problem(response, 422, "invalid_request")
    assert secret_looking not in response.text


def test_unknown_route_and_wrong_method(backoffice):
    client = backoffice.client()
    assert_problem(client.get("/v1/nothing-here"), 404, "not_found")
    assert_problem(client.get("/v1/sessions"), 405, "method_not_allowed")


def test_citizen_endpoints_need_a_token(backoffice):
    client = backoffice.client()
    assert_problem(client.get("/v1/me/enrolment"), 401, "session_required")
    assert_problem(client.get("/v1/me/enrolment", token="x" * 43), 401, "session_required")


def test_token_of_another_terminal_is_refused(backoffice):
    first = backoffice.client()
    token = first.open_card_session(backoffice.citizen("zhang_wei"))
    second = backoffice.client(terminal_id=SECOND_TERMINAL_ID)
    assert_problem(second.get("/v1/me/enrolment", token=token), 401, "session_required")
    assert first.get("/v1/me/enrolment").status_code == 200


def test_closed_session_token_no_longer_works(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("zhang_wei"))
    assert client.delete("/v1/sessions/current").status_code == 204
    assert_problem(client.get("/v1/me/enrolment"), 401, "session_required")


def test_idle_token_expires_and_use_extends_it(backoffice_factory):
    server = backoffice_factory(token_idle_seconds=1)
    client = server.client()
    opened = client.post("/v1/sessions", json=card_body(server.citizen("zhang_wei")))
    assert opened.json()["idle_timeout_seconds"] == 1
    client.token = opened.json()["token"]
    for _ in range(3):  # each use within the idle limit extends the session
        time.sleep(0.6)
        assert client.get("/v1/me/enrolment").status_code == 200
    time.sleep(1.3)
    assert_problem(client.get("/v1/me/enrolment"), 401, "session_expired")
    assert_problem(client.get("/v1/me/enrolment"), 401, "session_required")  # and it is gone
