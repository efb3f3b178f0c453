"""Property-based run over the committed OpenAPI schema: nothing a client sends gives a 5xx, and
every answer conforms to the schema (status code, content type, body).

Every generated request is signed like a terminal (and carries a citizen token), so the
generated bodies and parameters reach the handlers instead of stopping at the signature
check. Bounded: a fixed number of examples per operation, derandomized.
"""

from __future__ import annotations

import json
import secrets
import time

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from backoffice.openapi import SCHEMA_PATH
from kiosk.contract import signing
from tests.backoffice.helpers import card_body

schema = schemathesis.openapi.from_dict(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def fuzz_server(backoffice_launcher):
    # Its own database and a generous verify rate limit: the run creates certificates and applications.
    return backoffice_launcher(verify_rate_limit_per_minute=100000)


def fresh_token(server) -> str:
    # A new session per case: a generated DELETE /v1/sessions/current must not blind the cases after it.
    return server.client().open_card_session(server.citizen("chen_jing"))


def send_signed(case, server, token: str) -> requests.Response:
    kwargs = case.as_transport_kwargs(base_url=server.base_url)
    headers = dict(kwargs.pop("headers", None) or {})
    for name in (signing.HEADER_TERMINAL, signing.HEADER_TIMESTAMP, signing.HEADER_NONCE, signing.HEADER_SIGNATURE,
                 "Authorization"):
        headers.pop(name, None)
    headers["Authorization"] = f"Bearer {token}"
    request = requests.Request(method=kwargs.pop("method"), url=kwargs.pop("url"), headers=headers,
                               params=kwargs.pop("params", None), json=kwargs.pop("json", None),
                               data=kwargs.pop("data", None), cookies=kwargs.pop("cookies", None))
    prepared = request.prepare()
    body = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
    prepared.headers.update({
        signing.HEADER_TERMINAL: server.terminal_id, signing.HEADER_TIMESTAMP: stamp, signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(server.secret, prepared.method, prepared.path_url, stamp, nonce, body),
    })
    with requests.Session() as session:
        return session.send(prepared, timeout=10, verify=False)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_errors_and_answers_conform(case, fuzz_server):
    server = fuzz_server
    response = send_signed(case, server, fresh_token(server))
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        assert response.json()["code"]
    case.validate_response(response, checks=CHECKS)


def test_the_run_covers_every_signed_operation():
    operations = {(op.method.upper(), op.path) for op in (result.ok() for result in schema.get_all_operations())}
    signed = {(method, path) for method, path in operations
              if path.startswith("/v1/") and not (method == "GET" and (path.startswith("/v1/certificates/")
                                                                       or path in ("/v1/health", "/v1/terminals")))}
    assert {("POST", "/v1/sessions"), ("POST", "/v1/me/certificates"), ("POST", "/v1/me/pension-transfers"),
            ("POST", "/v1/terminals/{terminal_id}/heartbeat"), ("POST", "/v1/ecard/verify"),
            ("GET", "/v1/me/contributions")} <= signed
    assert len(signed) >= 13


def test_signed_fuzz_requests_get_past_the_signature(fuzz_server):
    # Guards the test above: if signing were wrong every case would be a harmless 401.
    server = fuzz_server
    token = fresh_token(server)
    case = schema["/v1/me/enrolment"]["GET"].Case()
    assert send_signed(case, server, token).status_code == 200
    session_case = schema["/v1/sessions"]["POST"].Case(body=card_body(server.citizen("zhang_wei")),
                                                       media_type="application/json")
    assert send_signed(session_case, server, token).status_code == 201
