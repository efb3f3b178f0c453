"""Certificate issue, idempotency, public verification, expiry, the rate limit, and the citizen's
issued certificates (list, re-print by number)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import requests

from kiosk.contract.models import Certificate, CertificateList, CertificateVerification
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


VERIFICATION_FIELDS = {"valid", "status", "number", "kind", "name_masked", "period_from", "period_to", "issued_at",
                       "valid_until", "issuing_office"}


def test_public_verification_answers_only_what_a_verifier_needs(backoffice, yang):
    certificate = issue(yang, "cert-yang-0004").json()
    response = requests.get(backoffice.base_url + certificate["verify_path"], timeout=5)  # no signature
    assert response.status_code == 200, response.text
    assert set(response.json()) == VERIFICATION_FIELDS
    verification = CertificateVerification.model_validate(response.json())
    assert verification.valid and verification.status == "valid"
    assert verification.number == certificate["number"] and verification.kind.value == "enrolment"
    assert verification.name_masked == "杨*"
    assert (verification.period_from, verification.period_to) == ("201501", "202610")
    assert verification.issued_at.isoformat() == certificate["issued_at"]
    assert verification.valid_until.isoformat() == certificate["valid_until"]
    assert verification.issuing_office == "南京市社会保险管理中心"
    content = certificate["content"]
    private = [content["name"], content["personal_number"], content["ssn_masked"], backoffice.citizen("yang_lei").ssn,
               *(line["employer"] for line in content["periods"]), *(line["base"] for line in content["periods"])]
    assert [value for value in private if value in response.text] == []
    assert_problem(requests.get(backoffice.base_url + "/v1/certificates/ABCDEFGHJKLMNPQR", timeout=5), 404,
                   "certificate_not_found")
    assert_problem(requests.get(backoffice.base_url + "/v1/certificates/not-a-code", timeout=5), 404,
                   "certificate_not_found")


@pytest.mark.parametrize("name, masked", [("张小明", "张*明"), ("欧阳小明", "欧**明"), ("张伟", "张*"), ("张", "*"),
                                          ("", "")])
def test_verifier_sees_a_masked_name(name, masked):
    from backoffice.certificates import mask_name

    assert mask_name(name) == masked


def test_revoked_certificate_verifies_as_revoked(backoffice, yang):
    certificate = issue(yang, "cert-yang-0007").json()
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE certificates SET revoked_at = '2026-11-24T09:00:00+08:00' WHERE number = ?",
                     (certificate["number"],))
    conn.close()
    body = requests.get(backoffice.base_url + certificate["verify_path"], timeout=5).json()
    assert body["valid"] is False and body["status"] == "revoked"


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


# --- the citizen's issued certificates: list and re-print by number ------------------

def certificate_rows(server) -> list[tuple]:
    conn = sqlite3.connect(server.settings.db_path)
    try:
        return conn.execute("SELECT number, verification_code, citizen_id FROM certificates ORDER BY number").fetchall()
    finally:
        conn.close()


def test_issued_certificates_are_listed_newest_first_and_reprinted_unchanged(backoffice_factory):
    server = backoffice_factory()
    client = server.client()
    client.open_card_session(server.citizen("yang_lei"))
    first = Certificate.model_validate(issue(client, "cert-list-0001").json())
    second = Certificate.model_validate(
        issue(client, "cert-list-0002", {"kind": "contribution", "period_from": "202001", "period_to": "202512"}).json())

    listed = client.get("/v1/me/certificates")
    assert listed.status_code == 200, listed.text
    items = CertificateList.model_validate(listed.json()).items
    assert [item.number for item in items] == [second.number, first.number]
    newest = items[0]
    assert (newest.kind.value, newest.period_from, newest.period_to) == ("contribution", "202001", "202512")
    assert newest.issued_at == second.issued_at and newest.valid_until == second.valid_until
    assert all(item.status == "valid" for item in items)
    assert "verification_code" not in listed.json()["items"][0]

    for issued in (first, second):
        again = client.get(f"/v1/me/certificates/{issued.number}")
        assert again.status_code == 200, again.text
        reprinted = Certificate.model_validate(again.json())
        assert reprinted == issued
        assert reprinted.verification_code == issued.verification_code and reprinted.content == issued.content
    assert len(certificate_rows(server)) == 2  # re-printing issues nothing new


def test_other_citizens_and_unknown_numbers_are_the_same_404(backoffice_factory):
    server = backoffice_factory()
    yang = server.client()
    yang.open_card_session(server.citizen("yang_lei"))
    number = issue(yang, "cert-list-0003").json()["number"]
    zhang = server.client()
    zhang.open_card_session(server.citizen("zhang_wei"))
    assert zhang.get("/v1/me/certificates").json() == {"items": []}
    foreign = assert_problem(zhang.get(f"/v1/me/certificates/{number}"), 404, "certificate_number_not_found")
    unknown = assert_problem(yang.get("/v1/me/certificates/NJ20990101000001"), 404, "certificate_number_not_found")
    assert foreign == unknown  # nothing tells a foreign number from a missing one
    assert_problem(yang.get("/v1/me/certificates/" + "N" * 65), 422, "invalid_request")
    no_session = server.client()
    assert_problem(no_session.get(f"/v1/me/certificates/{number}"), 401, "session_required")
    assert_problem(no_session.get("/v1/me/certificates"), 401, "session_required")


def test_listed_certificate_shows_expired(backoffice, yang):
    number = issue(yang, "cert-yang-0006").json()["number"]
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE certificates SET valid_until = '2020-01-01' WHERE number = ?", (number,))
    conn.close()
    items = CertificateList.model_validate(yang.get("/v1/me/certificates").json()).items
    listed = next(item for item in items if item.number == number)
    assert listed.status == "expired" and listed.valid_until == dt.date(2020, 1, 1)
    assert yang.get(f"/v1/me/certificates/{number}").json()["valid_until"] == "2020-01-01"


def test_list_is_bounded_to_twenty(backoffice_factory):
    server = backoffice_factory()
    client = server.client()
    client.open_card_session(server.citizen("yang_lei"))
    template = issue(client, "cert-list-0004").json()
    conn = sqlite3.connect(server.settings.db_path)
    with conn:
        for n in range(1, 25):
            conn.execute(
                "INSERT INTO certificates (number, verification_code, citizen_id, kind, period_from, period_to,"
                " issued_at, valid_until, content_json, terminal_id)"
                " SELECT ?, ?, citizen_id, kind, period_from, period_to, ?, valid_until, content_json, terminal_id"
                " FROM certificates WHERE number = ?",
                (f"NJ20200101{n:06d}", f"TESTCODE{n:08d}", f"2020-01-01T{n % 24:02d}:00:00+08:00",
                 template["number"]))
    conn.close()
    numbers = [item["number"] for item in client.get("/v1/me/certificates").json()["items"]]
    assert len(numbers) == 20
    assert numbers[:2] == [template["number"], "NJ20200101000023"]
