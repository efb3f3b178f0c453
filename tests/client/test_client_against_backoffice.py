"""The kiosk's client against the real reference back office on 127.0.0.1 over HTTP:
every call comes back as a typed contract model, every refusal as a typed KioskError."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from backoffice.demo_data import demo_citizen
from backoffice.server import EmbeddedBackoffice
from backoffice.settings import BackofficeSettings
from kiosk.backoffice_client import BackofficeClient
from kiosk.contract import models
from kiosk.errors import ErrorKind, KioskError

TERMINAL_ID = "KIOSK-CLIENT-TEST"
SECRET = "client-test-secret-0123456789"
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    settings = BackofficeSettings(db_path=tmp_path_factory.mktemp("client-backoffice") / "backoffice.sqlite3",
                                  as_of=AS_OF, terminals={TERMINAL_ID: SECRET}, demo_mode=True)
    with EmbeddedBackoffice(settings) as running:
        yield running


@pytest.fixture
def client(server) -> BackofficeClient:
    with BackofficeClient(server.base_url, TERMINAL_ID, SECRET) as signed:
        yield signed


def open_session(client: BackofficeClient, key: str) -> models.SessionOpened:
    citizen = demo_citizen(key)
    return client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)


def test_card_session_and_enrolment(client: BackofficeClient) -> None:
    session = open_session(client, "zhang_wei")
    assert session.citizen.name == "张伟"
    assert session.citizen.ssn_masked == "3201**********" + demo_citizen("zhang_wei").ssn[-4:]
    assert session.expires_at > dt.datetime.now(dt.timezone.utc)
    enrolment = client.enrolment(session.token)
    by_type = {item.insurance_type: item for item in enrolment.items}
    assert set(by_type) == set(models.InsuranceType)
    pension = by_type[models.InsuranceType.PENSION]
    assert pension.status is models.EnrolmentStatus.ACTIVE
    assert pension.months_paid >= 240
    assert pension.pooling_area.code == "320100"


def test_twenty_years_of_contributions_page_by_page_add_up(client: BackofficeClient) -> None:
    token = open_session(client, "zhang_wei").token
    first = client.contributions(token, "200611", "202610", page_size=100)
    rows: list[models.ContributionRow] = list(first.rows)
    for page in range(2, -(-first.total_rows // 100) + 1):
        rows.extend(client.contributions(token, "200611", "202610", page=page, page_size=100).rows)
    assert len(rows) == first.total_rows >= 240 * 5
    assert sum((row.personal_part for row in rows), Decimal(0)) == first.totals.personal_part
    assert sum((row.employer_part for row in rows), Decimal(0)) == first.totals.employer_part
    assert [row.period for row in rows] == sorted((row.period for row in rows), reverse=True)
    assert all(row.status is models.ContributionStatus.PAID for row in rows)


def test_deferred_and_owed_months_are_typed(client: BackofficeClient) -> None:
    deferred = client.contributions(open_session(client, "liu_yang").token, "202201", "202212",
                                    insurance_type="pension")
    assert deferred.totals.months_deferred == 9
    assert {row.period for row in deferred.rows if row.status is models.ContributionStatus.DEFERRED} == {
        f"2022{month:02d}" for month in range(4, 13)}
    owed = client.contributions(open_session(client, "wang_fang").token, "202601", "202611")
    assert owed.totals.months_owed >= 5
    assert all(row.payer_kind is models.PayerKind.PERSONAL for row in owed.rows)


def test_certificate_is_idempotent_and_publicly_verifiable(client: BackofficeClient) -> None:
    token = open_session(client, "zhang_wei").token
    first = client.issue_certificate(token, "enrolment", "202001", "202610", idempotency_key="cert-key-0001")
    again = client.issue_certificate(token, "enrolment", "202001", "202610", idempotency_key="cert-key-0001")
    other = client.issue_certificate(token, "enrolment", "202001", "202610")
    assert again.number == first.number and again.verification_code == first.verification_code
    assert other.number != first.number
    assert first.content.name == "张伟"
    assert first.valid_until > AS_OF
    checked = client.verify_certificate(first.verification_code)
    assert checked.valid is True and checked.number == first.number
    assert checked.name_masked == "张*" and checked.issuing_office == first.content.issuing_office
    public = checked.model_dump_json()
    assert demo_citizen("zhang_wei").ssn not in public and "张伟" not in public
    assert first.content.personal_number not in public
    with pytest.raises(KioskError) as caught:
        client.verify_certificate("NOSUCHCODE000000")
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_issued_certificates_are_listed_and_reprinted_by_number(tmp_path: Path) -> None:
    """Two issued certificates listed newest first and fetched again unchanged, on a fresh database."""
    settings = BackofficeSettings(db_path=tmp_path / "reprint.sqlite3", as_of=AS_OF, terminals={TERMINAL_ID: SECRET})
    with EmbeddedBackoffice(settings) as fresh, BackofficeClient(fresh.base_url, TERMINAL_ID, SECRET) as signed:
        token = open_session(signed, "zhang_wei").token
        assert signed.certificates(token) == []
        first = signed.issue_certificate(token, "enrolment", "202001", "202610")
        second = signed.issue_certificate(token, "contribution", "202501", "202610")

        listed = signed.certificates(token)
        assert all(isinstance(item, models.CertificateSummary) for item in listed)
        assert [item.number for item in listed] == [second.number, first.number]
        assert listed[0].kind is models.CertificateKind.CONTRIBUTION
        assert (listed[0].period_from, listed[0].period_to) == ("202501", "202610")
        assert [item.status for item in listed] == ["valid", "valid"]

        for issued in (first, second):
            again = signed.certificate(token, issued.number)
            assert isinstance(again, models.Certificate)
            assert (again.number, again.verification_code) == (issued.number, issued.verification_code)
            assert again.content == issued.content and again == issued
        with closing(sqlite3.connect(settings.db_path)) as conn:
            assert conn.execute("SELECT COUNT(*) FROM certificates").fetchone()[0] == 2

        stranger = open_session(signed, "chen_jing").token
        assert signed.certificates(stranger) == []
        # Another citizen's number and an unknown one are the same refusal; the number is quoted.
        for token_, number in ((stranger, first.number), (token, "NJ20990101000001"), (token, "NJ?x=1&y=#2")):
            with pytest.raises(KioskError) as caught:
                signed.certificate(token_, number)
            assert caught.value.kind is ErrorKind.NOT_FOUND
            assert caught.value.code == "certificate_number_not_found"
            assert caught.value.message_zh and caught.value.message_en
        with pytest.raises(KioskError) as caught:
            signed.certificate(token, "../enrolment")  # quoted: stays inside the certificates path
        assert caught.value.kind is ErrorKind.NOT_FOUND

        with closing(sqlite3.connect(settings.db_path)) as conn, conn:
            conn.execute("UPDATE certificates SET valid_until = '2020-01-01' WHERE number = ?", (first.number,))
        assert [item.status for item in signed.certificates(token)] == ["valid", "expired"]
        assert signed.certificate(token, first.number).valid_until == dt.date(2020, 1, 1)


def test_pension_transfer_rules_through_the_client(client: BackofficeClient) -> None:
    retiree = client.transfer_eligibility(open_session(client, "li_xiuying").token, "340100")
    assert (retiree.eligible, retiree.code) == (False, "pensioner")
    same_province = client.transfer_eligibility(open_session(client, "yang_lei").token, "320500")
    assert (same_province.eligible, same_province.code) == (False, "no_transfer_needed")

    token = open_session(client, "chen_jing").token
    assert client.transfer_eligibility(token, "440100").eligible is True
    application = client.apply_pension_transfer(token, "440100", "13912340004", idempotency_key="transfer-0001")
    assert application.status is models.TransferStatus.SUBMITTED
    assert application.from_area.code == "440100" and application.to_area.code == "320100"
    assert application.contact_mobile_masked == "139****0004"
    assert [step.step for step in application.steps][0] is models.TransferStatus.SUBMITTED
    assert all(step.working_day_limit == 15 for step in application.steps)
    assert client.apply_pension_transfer(token, "440100", "13912340004", idempotency_key="transfer-0001").id \
        == application.id
    assert [item.id for item in client.pension_transfers(token)] == [application.id]
    assert client.pension_transfer(token, application.id).id == application.id
    with pytest.raises(KioskError) as caught:
        client.apply_pension_transfer(token, "440100", "13912340004")
    assert caught.value.kind is ErrorKind.BACKOFFICE_REJECTED
    assert caught.value.code == "active_application"
    assert "申请" in caught.value.message_zh

    stranger = open_session(client, "zhang_wei").token
    with pytest.raises(KioskError) as caught:
        client.pension_transfer(stranger, application.id)
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_ecard_session(client: BackofficeClient) -> None:
    code = client.create_demo_ecard_code(demo_citizen("wang_fang").ssn)
    assert demo_citizen("wang_fang").ssn not in code.qr
    assert client.verify_ecard(code.qr).citizen.name == "王芳"
    # Single use: the verified code opens no session; the phone's next code does.
    with pytest.raises(KioskError) as caught:
        client.open_ecard_session(code.qr)
    assert caught.value.code == "ecard_used"
    fresh = client.create_demo_ecard_code(demo_citizen("wang_fang").ssn)
    session = client.open_ecard_session(fresh.qr)
    assert session.citizen.name == "王芳"
    with pytest.raises(KioskError) as caught:
        client.open_ecard_session(code.qr[:-2] + ("AA" if not code.qr.endswith("AA") else "BB"))
    assert caught.value.kind is ErrorKind.BACKOFFICE_REJECTED


def test_closed_session_token_is_refused(client: BackofficeClient) -> None:
    token = open_session(client, "zhang_wei").token
    client.close_session(token)
    with pytest.raises(KioskError) as caught:
        client.enrolment(token)
    assert caught.value.kind is ErrorKind.BACKOFFICE_REJECTED
    assert caught.value.http_status == 401


def test_lost_card_is_refused_with_a_reason(client: BackofficeClient) -> None:
    with pytest.raises(KioskError) as caught:
        open_session(client, "zhao_min")
    assert caught.value.code == "card_revoked"
    assert caught.value.message_zh and caught.value.message_en


def test_wrong_terminal_secret_is_refused(server) -> None:
    with BackofficeClient(server.base_url, TERMINAL_ID, "not-the-secret-0123456789") as wrong:
        with pytest.raises(KioskError) as caught:
            open_session(wrong, "zhang_wei")
    # The terminal is refused, not the citizen's card: the kiosk goes out of service.
    assert caught.value.kind is ErrorKind.BACKOFFICE_UNAVAILABLE and caught.value.terminal_refused
    assert caught.value.http_status == 401


def test_a_signed_health_check_fails_for_a_refused_terminal(server, client: BackofficeClient) -> None:
    assert client.health().status
    with BackofficeClient(server.base_url, TERMINAL_ID, "not-the-secret-0123456789") as wrong:
        with pytest.raises(KioskError) as caught:
            wrong.health()
    assert caught.value.terminal_refused and caught.value.code == "terminal_unauthenticated"


def test_heartbeat(client: BackofficeClient) -> None:
    ack = client.heartbeat(models.Heartbeat(version="0.1.0", profile="demo", outbox_depth=0,
                                            counters={"cards_read": 3}))
    assert ack.terminal_id == TERMINAL_ID


def test_client_talks_https_with_the_dev_ca(tmp_path: Path, dev_ca: Path) -> None:
    settings = BackofficeSettings(db_path=tmp_path / "tls.sqlite3", as_of=AS_OF, terminals={TERMINAL_ID: SECRET})
    with EmbeddedBackoffice(settings, tls_certfile=dev_ca / "server.crt",
                            tls_keyfile=dev_ca / "server.key") as tls_server:
        assert tls_server.base_url.startswith("https://")
        with BackofficeClient(tls_server.base_url, TERMINAL_ID, SECRET,
                              verify=str(dev_ca / "ca.crt")) as verified:
            assert open_session(verified, "zhang_wei").citizen.name == "张伟"
        with BackofficeClient(tls_server.base_url, TERMINAL_ID, SECRET, retries=0) as unverified:
            with pytest.raises(KioskError) as caught:
                open_session(unverified, "zhang_wei")
        assert caught.value.code == "tls_error"


def test_local_https_profile_reaches_a_mutual_tls_back_office(tmp_path: Path, dev_ca: Path) -> None:
    """The shipped local_https profile, relocated to a scratch install directory, over mutual TLS."""
    from kiosk.config import CONFIG_DIR, load_settings

    install = tmp_path / "install"
    shutil.copytree(CONFIG_DIR, install / "config")
    ca = install / "var" / "dev-ca"   # where the profile expects the dev CA, relative to the install
    shutil.copytree(dev_ca, ca)
    settings = load_settings("local_https", install / "config")
    office = BackofficeSettings(db_path=tmp_path / "mtls.sqlite3", as_of=AS_OF,
                                terminals={settings.terminal.id: settings.terminal_secret()})
    with EmbeddedBackoffice(office, tls_certfile=ca / "server.crt", tls_keyfile=ca / "server.key",
                            tls_client_ca=ca / "ca.crt") as tls_server:
        with BackofficeClient.from_settings(settings, base_url=tls_server.base_url) as configured:
            assert open_session(configured, "chen_jing").citizen.name == "陈静"
        without_cert = dataclasses.replace(settings, backoffice=dataclasses.replace(
            settings.backoffice, client_cert_file="", client_key_file=""))
        with BackofficeClient.from_settings(without_cert, base_url=tls_server.base_url) as anonymous:
            with pytest.raises(KioskError) as caught:
                open_session(anonymous, "chen_jing")
        assert caught.value.kind is ErrorKind.BACKOFFICE_UNAVAILABLE
