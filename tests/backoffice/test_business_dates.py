"""Business dates in the back office's configured zone (`BackofficeSettings.time_zone`), not the host's.

The certificate's issue date and valid-until, its number's date, a transfer's submission
time, its steps' start dates and their 15-working-day deadlines are dates in the back
office's zone (default Asia/Shanghai). Each test runs under the host zones UTC and
America/New_York, at an instant just after midnight in Shanghai when the host's date is
still the day before (2026-12-07T16:30:00Z is 2026-12-08 00:30 in Shanghai); the kiosk's
papers at that instant then agree with the back office's dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

import pytest
import requests

from backoffice import working_days
from backoffice.settings import BackofficeSettings
from kiosk import documents
from kiosk.clock import TerminalClock
from kiosk.contract.models import Certificate, PensionTransfer
from kiosk.services.certificate.documents import certificate_document, certificate_receipt
from kiosk.services.pension_transfer.receipt import transfer_receipt
from tests.host_zone import AFTER_MIDNIGHT_IN_SHANGHAI

INSTANT = AFTER_MIDNIGHT_IN_SHANGHAI
SHANGHAI_DAY = dt.date(2026, 12, 8)


@pytest.fixture
def server(backoffice_factory, host_zone):
    """A back office whose clock stands at INSTANT, with no fixed business date (as_of=None)."""
    return backoffice_factory(as_of=None, utc_now=lambda: INSTANT)


def signed_in(server, key):
    client = server.client()
    client.open_card_session(server.citizen(key))
    return client


def test_settings_give_the_business_date_in_their_zone(tmp_path, host_zone) -> None:
    settings = BackofficeSettings(db_path=tmp_path / "db", utc_now=lambda: INSTANT)
    assert settings.time_zone == "Asia/Shanghai"
    assert settings.now().isoformat() == "2026-12-08T00:30:00+08:00"
    assert settings.business_today() == SHANGHAI_DAY
    assert dataclasses.replace(settings, as_of=dt.date(2026, 11, 23)).business_today() == dt.date(2026, 11, 23)
    west = dataclasses.replace(settings, time_zone="America/Los_Angeles")
    assert west.business_today() == dt.date(2026, 12, 7)


def test_an_unknown_zone_is_refused_at_start(tmp_path) -> None:
    with pytest.raises(ValueError, match="time_zone.*Mars/Olympus"):
        BackofficeSettings(db_path=tmp_path / "db", time_zone="Mars/Olympus")


def test_certificate_dates_and_the_kiosk_papers_agree_with_shanghai(server) -> None:
    client = signed_in(server, "yang_lei")
    response = client.post("/v1/me/certificates", headers={"Idempotency-Key": "tz-certificate-0001"},
                           json={"kind": "enrolment", "period_from": "201501", "period_to": "202610"})
    assert response.status_code == 201, response.text
    certificate = Certificate.model_validate(response.json())
    assert certificate.issued_at.isoformat() == "2026-12-08T00:30:00+08:00"
    assert certificate.content.print_date == SHANGHAI_DAY
    assert certificate.valid_until == SHANGHAI_DAY + dt.timedelta(days=server.settings.certificate_validity_days)
    assert certificate.number.startswith("NJ20261208")
    listed = client.get("/v1/me/certificates").json()["items"]
    assert listed[0]["status"] == "valid"

    # The kiosk at the same instant: the A4's print date and the receipt's time are the same day.
    clock = TerminalClock.named("Asia/Shanghai", utc_now=lambda: INSTANT)
    document = certificate_document(certificate, "https://si.example.gov.cn" + certificate.verify_path)
    assert document.issue_date == "2026年12月08日"
    receipt = certificate_receipt(
        client_summary(client), certificate, header="社会保险自助服务",
        terminal_id="HALL-0001", now=clock.now(), verify_url="https://si.example.gov.cn/x", printed_ok=True)
    assert "时间: 2026-12-08 00:30" in " ".join(receipt.plain_text().split())


def client_summary(client):
    from kiosk.contract.models import Enrolment

    return Enrolment.model_validate(client.get("/v1/me/enrolment").json()).citizen


@pytest.mark.parametrize(("zone", "status"), [("Asia/Shanghai", "expired"), ("America/Los_Angeles", "valid")])
def test_a_certificate_expires_by_the_date_in_the_zone(backoffice_factory, host_zone, zone, status) -> None:
    # Valid through 7 December: at INSTANT that day is over in Shanghai, not yet in Los Angeles.
    server = backoffice_factory(as_of=None, utc_now=lambda: INSTANT, time_zone=zone)
    client = signed_in(server, "yang_lei")
    issued = client.post("/v1/me/certificates", headers={"Idempotency-Key": f"tz-expiry-{zone[:4]}"},
                         json={"kind": "enrolment", "period_from": "201501", "period_to": "202610"})
    assert issued.status_code == 201, issued.text
    with sqlite3.connect(server.settings.db_path) as conn:
        conn.execute("UPDATE certificates SET valid_until = '2026-12-07' WHERE number = ?", (issued.json()["number"],))
    assert client.get("/v1/me/certificates").json()["items"][0]["status"] == status
    verified = requests.get(server.base_url + issued.json()["verify_path"], timeout=10)
    assert verified.status_code == 200 and verified.json()["status"] == status


def test_transfer_submission_and_timeline_in_shanghai(server) -> None:
    client = signed_in(server, "chen_jing")
    response = client.post("/v1/me/pension-transfers", headers={"Idempotency-Key": "tz-transfer-0001"},
                           json={"from_region": "440100", "contact_mobile": server.citizen("chen_jing").mobile})
    assert response.status_code == 201, response.text
    transfer = PensionTransfer.model_validate(response.json())
    assert transfer.id.startswith("PT20261208")
    assert transfer.created_at.isoformat() == "2026-12-08T00:30:00+08:00"
    first, second = transfer.steps[0], transfer.steps[1]
    assert first.completed_on == SHANGHAI_DAY and second.started_on == SHANGHAI_DAY
    assert second.due_by == working_days.add_working_days(SHANGHAI_DAY, working_days.STEP_LIMIT_WORKING_DAYS)
    assert not second.overdue

    # The kiosk's receipt at that instant says the same day and time twice.
    clock = TerminalClock.named("Asia/Shanghai", utc_now=lambda: INSTANT)
    receipt = transfer_receipt(client_summary(client), transfer, header="社会保险自助服务",
                                         terminal_id="HALL-0001", now=clock.now())
    text = " ".join(receipt.plain_text().split())
    assert "时间: 2026-12-08 00:30" in text and "提交时间: 2026-12-08 00:30" in text
    assert f"应办结日期: {second.due_by.isoformat()}" in text
