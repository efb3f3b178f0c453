"""Safe defaults of the back office: demo only when asked, single-use e-card codes, submission grants
scoped to one submission and short-lived, rate limits that a forwarded header cannot dodge."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
import requests

from backoffice.app import NoTerminals, create_app
from backoffice.demo_data import demo_citizen
from backoffice.server import EmbeddedBackoffice
from backoffice.settings import DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, BackofficeSettings
from kiosk.backoffice_client import BackofficeClient
from kiosk.contract import signing
from kiosk.errors import KioskError
from tests.backoffice.helpers import assert_problem, card_body
from tests.conftest import SECOND_TERMINAL_ID, SECOND_TERMINAL_SECRET, TEST_AS_OF, SignedClient

REAL_TERMINAL = "HALL-320100-0007"
REAL_SECRET = "a-real-terminal-secret-0123456789"
CERTIFICATES = "/v1/me/certificates"
TRANSFERS = "/v1/me/pension-transfers"


# --- demo only when asked ------------------------------------------------------------

def test_defaults_are_not_demo(tmp_path: Path):
    settings = BackofficeSettings(db_path=tmp_path / "bo.sqlite3")
    assert settings.demo_mode is False and settings.terminals == {} and settings.accepted_terminals() == {}
    assert settings.submission_grant_seconds == 48 * 3600
    with pytest.raises(NoTerminals):
        create_app(settings)
    demo = BackofficeSettings(db_path=tmp_path / "demo.sqlite3", demo_mode=True)
    assert demo.accepted_terminals() == {DEMO_TERMINAL_ID: DEMO_TERMINAL_SECRET}


def test_a_real_back_office_refuses_the_demo_secret_and_demo_codes(tmp_path: Path, demo_db_template: Path):
    shutil.copyfile(demo_db_template, tmp_path / "bo.sqlite3")
    settings = BackofficeSettings(db_path=tmp_path / "bo.sqlite3", as_of=TEST_AS_OF,
                                  terminals={REAL_TERMINAL: REAL_SECRET})
    with EmbeddedBackoffice(settings) as server:
        demo = SignedClient(server.base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET)
        assert_problem(demo.get("/v1/me/enrolment"), 401, "terminal_unauthenticated")
        real = SignedClient(server.base_url, REAL_TERMINAL, REAL_SECRET)
        # A signed caller of a real back office cannot mint a login code for an ssn (nor learn it exists).
        assert_problem(real.post("/v1/ecard/codes", json={"ssn": demo_citizen("zhang_wei").ssn}), 404, "not_found")


def test_ecard_key_is_random_unless_given(tmp_path: Path):
    first = BackofficeSettings(db_path=tmp_path / "a.sqlite3")
    second = BackofficeSettings(db_path=tmp_path / "a.sqlite3")
    assert first.ecard_key != second.ecard_key and len(first.ecard_key) >= 32
    assert "demo-ecard-hmac-key-change-me" not in (first.ecard_key, second.ecard_key)
    assert dataclasses.replace(first, seed=1).ecard_key == first.ecard_key
    assert BackofficeSettings(db_path=tmp_path / "a.sqlite3", ecard_key="k" * 32).ecard_key == "k" * 32
    with pytest.raises(ValueError):
        BackofficeSettings(db_path=tmp_path / "a.sqlite3", ecard_key="short")


def test_codes_made_under_one_key_do_not_verify_under_another(backoffice_factory):
    issuer = backoffice_factory(ecard_key="first-ecard-key-" + "x" * 32)
    code = issuer.client().post("/v1/ecard/codes", json={"ssn": issuer.citizen("chen_jing").ssn}).json()["qr"]
    issuer.server.stop()
    # The same database, restarted with another key: the code's MAC no longer checks.
    settings = dataclasses.replace(issuer.settings, ecard_key="other-ecard-key-" + "y" * 32)
    with EmbeddedBackoffice(settings) as restarted:
        client = SignedClient(restarted.base_url, issuer.terminal_id, issuer.secret)
        assert_problem(client.post("/v1/ecard/verify", json={"qr": code}), 422, "ecard_invalid")


# --- e-card codes are single use ------------------------------------------------------

def _code(server, key: str) -> str:
    response = server.client().post("/v1/ecard/codes", json={"ssn": server.citizen(key).ssn})
    assert response.status_code == 201, response.text
    return response.json()["qr"]


def test_an_ecard_code_opens_one_session_only(backoffice):
    code = _code(backoffice, "chen_jing")
    client = backoffice.client()
    assert client.post("/v1/sessions", json={"method": "ecard", "qr": code}).status_code == 201
    assert_problem(client.post("/v1/sessions", json={"method": "ecard", "qr": code}), 422, "ecard_used")
    other_terminal = backoffice.client(terminal_id=SECOND_TERMINAL_ID)
    assert_problem(other_terminal.post("/v1/sessions", json={"method": "ecard", "qr": code}), 422, "ecard_used")


def test_a_verified_code_cannot_open_a_session(backoffice):
    code = _code(backoffice, "sun_li")
    client = backoffice.client()
    assert client.post("/v1/ecard/verify", json={"qr": code}).status_code == 200
    assert_problem(client.post("/v1/ecard/verify", json={"qr": code}), 422, "ecard_used")
    assert_problem(client.post("/v1/sessions", json={"method": "ecard", "qr": code}), 422, "ecard_used")


def test_a_used_code_is_remembered_past_its_expiry(backoffice):
    code = _code(backoffice, "zhou_jie")
    client = backoffice.client()
    assert client.post("/v1/sessions", json={"method": "ecard", "qr": code}).status_code == 201
    conn = sqlite3.connect(backoffice.settings.db_path)
    try:
        row = conn.execute("SELECT used_at, expires_at FROM ecard_codes WHERE code_id = ?",
                           (code.split(".")[1],)).fetchone()
    finally:
        conn.close()
    assert row[0] is not None and row[1] > time.time()


# --- submission grants: one submission, short-lived ------------------------------------

@pytest.fixture
def granted(backoffice):
    """A real client, a session's grant key, and a fresh idempotency key with its derived grant."""
    with BackofficeClient(backoffice.base_url, backoffice.terminal_id, backoffice.secret, retries=0) as client:
        citizen = backoffice.citizen("yang_lei")
        session = client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)
        key = uuid.uuid4().hex
        yield client, session, key, signing.submission_grant(session.submission_grant, "POST", CERTIFICATES, key)


def test_grant_key_shape_and_lifetime(backoffice, granted):
    _, session, key, grant = granted
    grant_id, _, secret = session.submission_grant.partition(".")
    assert len(grant_id) == 16 and len(secret) >= 32
    assert grant.startswith(grant_id + ".") and len(grant.split(".")[1]) == 64 and secret not in grant
    conn = sqlite3.connect(backoffice.settings.db_path)
    try:
        created, expires = conn.execute("SELECT created_at, expires_at FROM submission_grants WHERE grant_id = ?",
                                        (grant_id,)).fetchone()
    finally:
        conn.close()
    assert expires - created == pytest.approx(48 * 3600)


def test_a_derived_grant_delivers_its_submission_and_its_replays(granted):
    client, _, key, grant = granted
    first = client.issue_certificate("", "enrolment", "202001", "202610", idempotency_key=key, grant=grant)
    again = client.issue_certificate("", "enrolment", "202001", "202610", idempotency_key=key, grant=grant)
    assert again.number == first.number and again.verification_code == first.verification_code


def refused(call) -> KioskError:
    with pytest.raises(KioskError) as caught:
        call()
    assert caught.value.http_status == 401
    return caught.value


def test_a_derived_grant_issues_nothing_with_another_key(granted):
    client, _, key, grant = granted
    other_key = uuid.uuid4().hex
    error = refused(lambda: client.issue_certificate("", "enrolment", "202001", "202610",
                                                     idempotency_key=other_key, grant=grant))
    assert error.code == "grant_invalid"


def test_a_derived_grant_is_for_its_route_only(granted):
    client, _, key, grant = granted
    error = refused(lambda: client.apply_pension_transfer("", "440100", "13800138000", idempotency_key=key,
                                                          grant=grant))
    assert error.code == "grant_invalid"


def test_a_grant_reads_nothing(backoffice, granted):
    _, _, _, grant = granted
    client = backoffice.client()
    for path in (CERTIFICATES, "/v1/me/enrolment", TRANSFERS):
        assert_problem(client.get(path, token="", headers={"Authorization": f"Grant {grant}"}), 401, "grant_invalid")
    assert_problem(client.delete("/v1/sessions/current", headers={"Authorization": f"Grant {grant}"}), 401,
                   "grant_invalid")


def test_the_grant_key_itself_is_not_a_grant(granted):
    client, session, key, _ = granted
    error = refused(lambda: client.issue_certificate("", "enrolment", "202001", "202610", idempotency_key=key,
                                                     grant=session.submission_grant))
    assert error.code == "grant_invalid"


def test_a_grant_is_bound_to_its_terminal(backoffice, granted):
    _, _, key, grant = granted
    with BackofficeClient(backoffice.base_url, SECOND_TERMINAL_ID, SECOND_TERMINAL_SECRET, retries=0) as other:
        error = refused(lambda: other.issue_certificate("", "enrolment", "202001", "202610", idempotency_key=key,
                                                        grant=grant))
    assert error.code == "grant_invalid"


def test_an_expired_grant_is_refused_as_expired(backoffice, granted):
    client, session, key, grant = granted
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE submission_grants SET expires_at = ? WHERE grant_id = ?",
                     (time.time() - 1, session.submission_grant.split(".")[0]))
    conn.close()
    error = refused(lambda: client.issue_certificate("", "enrolment", "202001", "202610", idempotency_key=key,
                                                     grant=grant))
    assert error.code == "grant_expired"


def test_expired_grant_keys_are_wiped(backoffice, granted):
    _, session, _, _ = granted
    grant_id = session.submission_grant.split(".")[0]
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE submission_grants SET expires_at = ? WHERE grant_id = ?", (time.time() - 1, grant_id))
    backoffice.client().open_card_session(backoffice.citizen("zhang_wei"))  # any new grant prunes
    try:
        row = conn.execute("SELECT grant_key FROM submission_grants WHERE grant_id = ?", (grant_id,)).fetchone()
        assert row == ("",)
    finally:
        conn.close()


@pytest.mark.parametrize("value", ["", "nonsense", "0123456789abcdef." + "0" * 64, "0123456789abcdef",
                                   "Z" * 81, "0123456789abcdef." + "g" * 64])
def test_malformed_grants_are_invalid(backoffice, value):
    response = backoffice.client().post(CERTIFICATES, json={"kind": "enrolment", "period_from": "202001",
                                                            "period_to": "202610"},
                                        headers={"Authorization": f"Grant {value}", "Idempotency-Key": "k" * 16})
    assert_problem(response, 401, "grant_invalid")


def test_submission_grant_derivation():
    grant = signing.submission_grant("0123456789abcdef.secret-key", "post", "/v1/me/certificates", "key-0001")
    assert grant == "0123456789abcdef." + signing.grant_mac("secret-key", "POST", "/v1/me/certificates", "key-0001")
    assert grant != signing.submission_grant("0123456789abcdef.secret-key", "POST", "/v1/me/certificates", "key-0002")
    for bad in ("", "no-dot", "0123456789abcdef.", "short.secret", "0123456789ABCDEF.secret"):
        with pytest.raises(ValueError):
            signing.submission_grant(bad, "POST", "/v1/me/certificates", "key-0001")


# --- rate limits -------------------------------------------------------------------------

def test_public_rate_limit_ignores_x_forwarded_for(backoffice_factory):
    server = backoffice_factory(verify_rate_limit_per_minute=3)
    codes = [requests.get(f"{server.base_url}/v1/certificates/ABCDEFGHJKLMNPQ{n}", timeout=5,
                          headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(2, 7)]
    assert codes == [404, 404, 404, 429, 429]


def test_a_trusted_proxy_names_the_client(backoffice_factory):
    server = backoffice_factory(verify_rate_limit_per_minute=2, trusted_proxies=("127.0.0.1",))
    codes = [requests.get(f"{server.base_url}/v1/certificates/ABCDEFGHJKLMNPQ{n}", timeout=5,
                          headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(2, 7)]
    assert codes == [404] * 5
    same = [requests.get(f"{server.base_url}/v1/certificates/ABCDEFGHJKLMNPQR", timeout=5,
                         headers={"X-Forwarded-For": "198.51.100.1"}).status_code for _ in range(3)]
    assert same == [404, 404, 429]


def test_signed_calls_are_limited_per_authenticated_terminal(backoffice_factory):
    server = backoffice_factory(terminal_rate_limit_per_minute=3)
    first = server.client()
    # Requests that fail the signature spend nothing of the terminal's budget.
    for _ in range(5):
        assert_problem(first.get("/v1/me/enrolment", secret="not-the-secret-at-all"), 401, "terminal_unauthenticated")
    statuses = [first.post("/v1/sessions", json=card_body(server.citizen("zhang_wei"))).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    limited = first.post("/v1/sessions", json=card_body(server.citizen("zhang_wei")))
    assert_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # Another terminal (even from the same address) has its own budget.
    second = server.client(terminal_id=SECOND_TERMINAL_ID)
    assert second.post("/v1/sessions", json=card_body(server.citizen("zhang_wei"))).status_code == 201
