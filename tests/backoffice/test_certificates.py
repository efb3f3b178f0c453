"""Certificate issue, idempotency, public verification, expiry and the rate limit."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import requests

from kiosk.contract.models import Certificate, CertificateVerification
from tests.backoffice.helpers import assert_problem

REQUEST = {"kind": "enrolment", "period_from": "201501", "period_to": "202610"}


@pytest.fixture
def yang(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("yang_lei"))
    return client


def issue(client, key, body=REQUEST):
    return client.post("/v1/me/certificates", json=body, headers={"Idempotency-Key": key})


def test_certificate_content(backoffice, yang):
    response = issue(yang, "cert-yang-0001")
    assert response.status_code == 201, response.text
    certificate = Certificate.model_validate(response.json())
    content = certificate.content
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert certificate.number.startswith(f"NJ{today:%Y%m%d}") and len(certificate.number) == 16
    assert len(certificate.verification_code) == 16 and not set(certificate.verification_code) & set("01IO")
    assert certificate.valid_until == today + dt.timedelta(days=90)
    assert certificate.verify_path == f"/v1/certificates/{certificate.verification_code}"
    assert content.title_zh == "南京市社会保险个人参保证明" and content.issuing_office == "南京市社会保险管理中心"
    assert content.name == "杨磊" and content.ssn_masked.count("*") == 10
    assert backoffice.citizen("yang_lei").ssn not in response.text
    assert [line.insurance_type.value for line in content.insurance][0] == "pension"
    # Suzhou employer until 2015-12, then the Nanjing one; runs split when the yearly base changes.
    employers = [line.employer for line in content.periods]
    assert employers[0] == "苏州工业园区精密机械有限公司" and employers[-1] == "南京长江物流有限公司"
    assert content.periods[0].period_from == "201501" and content.periods[-1].period_to == "202610"
    assert sum(line.months for line in content.periods) == 12 * 11 + 10


def test_same_key_same_certificate_other_body_refused(yang):
    first = issue(yang, "cert-yang-0002")
    again = issue(yang, "cert-yang-0002")
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(issue(yang, "cert-yang-0002", {**REQUEST, "kind": "contribution"}), 422, "idempotency_key_reused")
    other = issue(yang, "cert-yang-0003")
    assert other.json()["number"] != first.json()["number"]


def test_certificate_requests_are_validated(yang):
    assert_problem(yang.post("/v1/me/certificates", json=REQUEST), 422, "invalid_request")  # no key
    assert_problem(issue(yang, "cert-yang-bad1", {**REQUEST, "period_from": "202701"}), 422, "invalid_request")
    assert_problem(issue(yang, "cert-yang-bad2", {**REQUEST, "period_to": "202600"}), 422, "invalid_request")


def test_public_verification(backoffice, yang):
    certificate = issue(yang, "cert-yang-0004").json()
    response = requests.get(backoffice.base_url + certificate["verify_path"], timeout=5)  # no signature
    verification = CertificateVerification.model_validate(response.json())
    assert verification.valid and verification.status == "valid"
    assert verification.number == certificate["number"]
    assert verification.content.ssn_masked == certificate["content"]["ssn_masked"]
    assert_problem(requests.get(backoffice.base_url + "/v1/certificates/ABCDEFGHJKLMNPQR", timeout=5), 404,
                   "certificate_not_found")
    assert_problem(requests.get(backoffice.base_url + "/v1/certificates/not-a-code", timeout=5), 404,
                   "certificate_not_found")


def test_expired_certificate_verifies_as_expired(backoffice, yang):
    certificate = issue(yang, "cert-yang-0005").json()
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE certificates SET valid_until = '2020-01-01' WHERE number = ?", (certificate["number"],))
    conn.close()
    body = requests.get(backoffice.base_url + certificate["verify_path"], timeout=5).json()
    assert body["valid"] is False and body["status"] == "expired"


def test_public_verification_is_rate_limited(backoffice_factory):
    server = backoffice_factory(verify_rate_limit_per_minute=3)
    codes = [requests.get(f"{server.base_url}/v1/certificates/ABCDEFGHJKLMNPQ{n}", timeout=5).status_code
             for n in range(2, 7)]
    assert codes == [404, 404, 404, 429, 429]
    limited = requests.get(f"{server.base_url}/v1/certificates/ABCDEFGHJKLMNPQR", timeout=5)
    assert_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 20
