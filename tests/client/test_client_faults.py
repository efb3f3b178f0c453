"""Client behaviour on faults a healthy back office never shows: every one becomes a
typed KioskError, retries happen only for idempotent requests and re-sign each attempt."""

from __future__ import annotations

import json
import socket

import pytest

from kiosk.backoffice_client import MAX_RESPONSE_BYTES, BackofficeClient
from kiosk.contract import signing
from kiosk.errors import ErrorKind, KioskError

from .scripted_server import ScriptedReply, ScriptedServer

SECRET = "scripted-secret-0123456789"
TOKEN = "t" * 43
VALID_SSN = "11010519491231002X"

ENROLMENT_OK = {
    "citizen": {"name": "测试", "ssn_masked": "1101**********002X", "personal_number": "P1",
                "insured_area": {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"},
                "retired": False, "payer_kind": "employer"},
    "items": [],
}


def make_client(base_url: str, **options) -> BackofficeClient:
    options.setdefault("sleep", lambda seconds: None)
    return BackofficeClient(base_url, "KIOSK-T-1", SECRET, **options)


def problem(status: int, code: str) -> ScriptedReply:
    body = {"title": code, "status": status, "code": code, "message_zh": "中文说明", "message_en": "English text"}
    return ScriptedReply(status, json.dumps(body).encode(), "application/problem+json")


def test_every_request_is_signed_over_what_was_sent() -> None:
    with ScriptedServer([ScriptedReply(body=json.dumps(ENROLMENT_OK).encode())]) as server:
        make_client(server.base_url).enrolment(TOKEN)
        seen = server.seen[0]
    headers = {name.lower(): value for name, value in seen.headers.items()}
    assert headers["x-terminal-id"] == "KIOSK-T-1"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert signing.NONCE_SHAPE.match(headers["x-nonce"])
    assert signing.signature_matches(SECRET, headers["x-signature"], seen.method, seen.target,
                                     headers["x-timestamp"], headers["x-nonce"], seen.body)


def test_get_is_retried_with_a_fresh_nonce_each_time() -> None:
    replies = [problem(503, "maintenance"), problem(503, "maintenance"),
               ScriptedReply(body=json.dumps(ENROLMENT_OK).encode())]
    with ScriptedServer(replies) as server:
        enrolment = make_client(server.base_url, retries=2).enrolment(TOKEN)
        nonces = [request.headers["X-Nonce"] for request in server.seen]
    assert enrolment.citizen.name == "测试"
    assert len(nonces) == 3 and len(set(nonces)) == 3


def test_session_open_is_not_retried() -> None:
    with ScriptedServer([problem(503, "maintenance")]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url, retries=3).open_card_session(
                VALID_SSN, "A00000019", "320100D156000005" + "0" * 16)
        assert len(server.seen) == 1
    assert caught.value.kind is ErrorKind.BACKOFFICE_UNAVAILABLE


def test_post_with_idempotency_key_is_retried_with_the_same_key() -> None:
    with ScriptedServer([problem(502, "bad_gateway"), problem(400, "stop_here")]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url).apply_pension_transfer(TOKEN, "440100", "13800138000",
                                                                idempotency_key="key-0001")
        keys = [request.headers["Idempotency-Key"] for request in server.seen]
    assert keys == ["key-0001", "key-0001"]
    assert caught.value.kind is ErrorKind.BACKOFFICE_REJECTED
    assert caught.value.code == "stop_here"
    assert caught.value.citizen_message("zh") == "中文说明"
    assert caught.value.citizen_message("en") == "English text"


def test_every_state_changing_post_carries_an_idempotency_key() -> None:
    with ScriptedServer([problem(400, "stop_here")]) as server:
        client = make_client(server.base_url, retries=0)
        for call in (lambda: client.issue_certificate(TOKEN, "enrolment", "202001", "202012"),
                     lambda: client.apply_pension_transfer(TOKEN, "440100", "13800138000")):
            with pytest.raises(KioskError):
                call()
        keys = [request.headers.get("Idempotency-Key") for request in server.seen]
    assert len(keys) == 2 and all(key and len(key) >= 16 for key in keys)
    assert keys[0] != keys[1]


@pytest.mark.parametrize(
    ("reply", "kind", "code"),
    [
        (problem(404, "transfer_not_found"), ErrorKind.NOT_FOUND, "transfer_not_found"),
        (problem(401, "token_expired"), ErrorKind.BACKOFFICE_REJECTED, "token_expired"),
        (problem(422, "invalid_request"), ErrorKind.BACKOFFICE_REJECTED, "invalid_request"),
        (problem(500, "internal_error"), ErrorKind.BACKOFFICE_UNAVAILABLE, "internal_error"),
        (ScriptedReply(502, b"<html>proxy</html>", "text/html"), ErrorKind.BACKOFFICE_UNAVAILABLE, "http_502"),
        # The back office answered, but not as the contract says: a fault, not "cannot be reached".
        (ScriptedReply(200, b"not json", "application/json"), ErrorKind.BACKOFFICE_FAULT, "invalid_response"),
        (ScriptedReply(200, b'{"citizen": {"name": 5}}'), ErrorKind.BACKOFFICE_FAULT, "invalid_response"),
        (ScriptedReply(200, b"<html></html>", "text/html"), ErrorKind.BACKOFFICE_FAULT, "invalid_response"),
        (ScriptedReply(200, b" " * (MAX_RESPONSE_BYTES + 1)), ErrorKind.BACKOFFICE_FAULT, "response_too_large"),
        (ScriptedReply(200, b"[" * 100_000 + b"]" * 100_000), ErrorKind.BACKOFFICE_FAULT, "invalid_response"),
        # A gateway's own page is not the back office saying "no such record" or "refused".
        (ScriptedReply(404, b"<html>404 Not Found</html>", "text/html"), ErrorKind.BACKOFFICE_UNAVAILABLE,
         "gateway_refused"),
        (ScriptedReply(403, b"<html>Forbidden</html>", "text/html"), ErrorKind.BACKOFFICE_UNAVAILABLE,
         "gateway_refused"),
        (ScriptedReply(401, b"", "text/plain"), ErrorKind.BACKOFFICE_UNAVAILABLE, "gateway_refused"),
        # Refusals of the terminal, not of the citizen.
        (problem(401, "terminal_unauthenticated"), ErrorKind.BACKOFFICE_UNAVAILABLE, "terminal_unauthenticated"),
        (problem(401, "clock_skew"), ErrorKind.BACKOFFICE_UNAVAILABLE, "clock_skew"),
        # The contract's own 404 is "no such record"; its 405 says the deployment serves another contract.
        (problem(404, "not_found"), ErrorKind.NOT_FOUND, "not_found"),
        (problem(405, "method_not_allowed"), ErrorKind.BACKOFFICE_FAULT, "method_not_allowed"),
        # Deeply nested error JSON is not parsed (no RecursionError escapes the client).
        (ScriptedReply(409, b'{"errors": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/problem+json"),
         ErrorKind.BACKOFFICE_UNAVAILABLE, "gateway_refused"),
        (ScriptedReply(409, b'{"code": "x", "errors": ' + b"[" * 3000 + b"]" * 3000 + b"}",
                       "application/problem+json"), ErrorKind.BACKOFFICE_UNAVAILABLE, "gateway_refused"),
    ],
)
def test_bad_answers_map_to_the_taxonomy(reply: ScriptedReply, kind: ErrorKind, code: str) -> None:
    with ScriptedServer([reply]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url, retries=0).enrolment(TOKEN)
    assert caught.value.kind is kind
    assert caught.value.code == code
    assert caught.value.citizen_message("zh")


@pytest.mark.parametrize("code", ["terminal_unauthenticated", "clock_skew", "gateway_refused"])
def test_terminal_refusals_are_flagged_and_never_refuse_a_submission(code: str) -> None:
    error = KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, code)
    assert error.terminal_refused and not error.refuses_submission


def test_only_business_refusals_refuse_a_submission() -> None:
    assert KioskError(ErrorKind.BACKOFFICE_REJECTED, "active_application").refuses_submission
    assert KioskError(ErrorKind.NOT_FOUND, "citizen_not_found").refuses_submission
    for kept in (KioskError(ErrorKind.BACKOFFICE_REJECTED, "grant_expired"),
                 KioskError(ErrorKind.BACKOFFICE_REJECTED, "session_required"),
                 KioskError(ErrorKind.BACKOFFICE_FAULT, "invalid_response"),
                 KioskError(ErrorKind.TIMEOUT, "read_timeout"),
                 KioskError(ErrorKind.CANCELLED, "cancelled")):
        assert not kept.refuses_submission, kept.code


@pytest.mark.parametrize("retry_after", ["²", "١٢", "1e9", "-1", "9" * 40, " 3 "])
def test_any_retry_after_header_is_handled(retry_after: str) -> None:
    slept: list[float] = []
    replies = [ScriptedReply(503, b"", "text/plain", headers={"Retry-After": retry_after}),
               ScriptedReply(body=json.dumps(ENROLMENT_OK).encode())]
    with ScriptedServer(replies) as server:
        make_client(server.base_url, retries=1, sleep=slept.append).enrolment(TOKEN)
    assert len(slept) == 1 and 0 <= slept[0] <= 5.0


def test_a_submission_the_citizen_waits_for_is_tried_once() -> None:
    with ScriptedServer([ScriptedReply(delay_s=5)]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url, read_timeout_s=0.2, retries=2).apply_pension_transfer(
                TOKEN, "440100", "13912345678", once=True)
        assert len(server.seen) == 1
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_problem_text_is_bounded() -> None:
    body = {"title": "x", "status": 409, "code": "c" * 500, "message_zh": "长" * 5000, "message_en": "e" * 5000}
    with ScriptedServer([ScriptedReply(409, json.dumps(body).encode(), "application/problem+json")]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url, retries=0).enrolment(TOKEN)
    assert len(caught.value.code) == 64
    assert len(caught.value.message_zh) == 300 and len(caught.value.message_en) == 300


def test_read_timeout_is_a_timeout_and_is_retried() -> None:
    with ScriptedServer([ScriptedReply(delay_s=5)]) as server:
        with pytest.raises(KioskError) as caught:
            make_client(server.base_url, read_timeout_s=0.2, retries=1).enrolment(TOKEN)
        assert len(server.seen) == 2
    assert caught.value.kind is ErrorKind.TIMEOUT


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(KioskError) as caught:
        make_client(f"http://127.0.0.1:{port}", retries=0).enrolment(TOKEN)
    assert caught.value.kind is ErrorKind.BACKOFFICE_UNAVAILABLE
    assert caught.value.code == "connect_failed"


def test_invalid_requests_never_leave_the_kiosk() -> None:
    with ScriptedServer([ScriptedReply()]) as server:
        client = make_client(server.base_url)
        with pytest.raises(ValueError):
            client.open_card_session("110105194912310021", "A00000019", "320100D156000005" + "0" * 16)
        with pytest.raises(ValueError):
            client.apply_pension_transfer(TOKEN, "440100", "12345")
        assert server.seen == []
