"""Pension-transfer rules, idempotent applications and timelines (own server: they change state)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from backoffice import working_days
from kiosk.contract.models import PensionTransfer, PensionTransferList, TransferEligibility
from tests.backoffice.helpers import assert_problem

MOBILE = "13812345678"


@pytest.fixture(scope="module")
def server(backoffice_launcher):
    return backoffice_launcher()


def signed_in(server, key):
    client = server.client()
    client.open_card_session(server.citizen(key))
    return client


def eligibility(client, region):
    response = client.get("/v1/me/pension-transfers/eligibility", params={"from_region": region})
    assert response.status_code == 200, response.text
    return TransferEligibility.model_validate(response.json())


def test_eligible_from_another_province(server):
    result = eligibility(signed_in(server, "chen_jing"), "440100")
    assert result.eligible and result.code == "eligible"
    assert result.from_area.name_zh == "广州市" and result.to_area.code == "320100"
    assert "视同缴费年限" in result.message_zh and "deemed years" in result.message_en


def test_district_code_resolves_to_its_city(server):
    result = eligibility(signed_in(server, "chen_jing"), "440106")
    assert result.eligible and result.from_area.code == "440100"


@pytest.mark.parametrize("key, region, code", [
    ("li_xiuying", "340100", "pensioner"),
    ("chen_jing", "320102", "no_transfer_needed"),    # a Nanjing district: same city
    ("yang_lei", "320500", "no_transfer_needed"),     # Suzhou: same province, provincial pooling
    ("chen_jing", "990000", "unknown_region"),
    ("chen_jing", "510100", "no_records_in_area"),    # never contributed in Sichuan
    ("zhou_jie", "330100", "active_application"),
])
def test_refusals_explain_themselves(server, key, region, code):
    result = eligibility(signed_in(server, key), region)
    assert not result.eligible and result.code == code
    assert result.message_zh and result.message_en


def test_same_province_message_mentions_retirement(server):
    result = eligibility(signed_in(server, "yang_lei"), "320500")
    assert "省级统筹" in result.message_zh and "retire" in result.message_en


def test_not_insured_here(server):
    # A generated citizen whose contributions stopped (pension suspended) and who came from elsewhere.
    conn = sqlite3.connect(server.settings.db_path)
    conn.execute("UPDATE enrolments SET status = 'suspended' WHERE insurance_type = 'pension' AND citizen_id ="
                 " (SELECT id FROM citizens WHERE ssn = ?)", (server.citizen("sun_li").ssn,))
    conn.execute("UPDATE contributions SET area_code = '440300' WHERE citizen_id ="
                 " (SELECT id FROM citizens WHERE ssn = ?) AND period < '201501'", (server.citizen("sun_li").ssn,))
    conn.commit()
    conn.close()
    client = signed_in(server, "sun_li")
    assert eligibility(client, "440300").code == "not_insured_here"
    response = client.post("/v1/me/pension-transfers", json={"from_region": "440300", "contact_mobile": MOBILE},
                           headers={"Idempotency-Key": "not-insured-0001"})
    assert_problem(response, 422, "not_insured_here")


def test_refused_applications_use_the_eligibility_codes(server):
    pensioner = signed_in(server, "li_xiuying")
    body = {"from_region": "340100", "contact_mobile": MOBILE}
    assert_problem(pensioner.post("/v1/me/pension-transfers", json=body, headers={"Idempotency-Key": "pensioner-01"}),
                   422, "pensioner")
    mover = signed_in(server, "yang_lei")
    assert_problem(mover.post("/v1/me/pension-transfers", json={"from_region": "320500", "contact_mobile": MOBILE},
                              headers={"Idempotency-Key": "same-prov-01"}), 422, "no_transfer_needed")
    busy = signed_in(server, "zhou_jie")
    assert_problem(busy.post("/v1/me/pension-transfers", json={"from_region": "330100", "contact_mobile": MOBILE},
                             headers={"Idempotency-Key": "conflict-01"}), 409, "active_application")


def test_apply_replay_and_conflict(server):
    client = signed_in(server, "chen_jing")
    body = {"from_region": "440100", "contact_mobile": MOBILE}
    first = client.post("/v1/me/pension-transfers", json=body, headers={"Idempotency-Key": "chen-apply-0001"})
    assert first.status_code == 201, first.text
    transfer = PensionTransfer.model_validate(first.json())
    assert transfer.status == "submitted" and transfer.contact_mobile_masked == "138****5678"
    assert [step.state for step in transfer.steps] == ["done", "current", "pending", "pending", "pending"]
    today = server.settings.as_of
    assert transfer.steps[1].started_on == today
    assert transfer.steps[1].due_by == working_days.add_working_days(today, 15)

    again = client.post("/v1/me/pension-transfers", json=body, headers={"Idempotency-Key": "chen-apply-0001"})
    assert again.status_code == 201 and again.json()["id"] == transfer.id
    assert again.headers["Idempotent-Replayed"] == "true"

    other_body = client.post("/v1/me/pension-transfers", json={**body, "contact_mobile": "13900001111"},
                             headers={"Idempotency-Key": "chen-apply-0001"})
    assert_problem(other_body, 422, "idempotency_key_reused")
    new_key = client.post("/v1/me/pension-transfers", json=body, headers={"Idempotency-Key": "chen-apply-0002"})
    assert_problem(new_key, 409, "active_application")

    listed = PensionTransferList.model_validate(client.get("/v1/me/pension-transfers").json())
    assert [item.id for item in listed.items] == [transfer.id]
    assert client.get(f"/v1/me/pension-transfers/{transfer.id}").json()["id"] == transfer.id


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "has space in it"}])
def test_idempotency_key_is_required_and_shaped(server, headers):
    client = signed_in(server, "chen_jing")
    response = client.post("/v1/me/pension-transfers", json={"from_region": "440100", "contact_mobile": MOBILE},
                           headers=headers)
    assert_problem(response, 422, "invalid_request")


def test_another_citizens_application_is_not_found(server):
    owner = signed_in(server, "zhou_jie")
    transfer_id = owner.get("/v1/me/pension-transfers").json()["items"][0]["id"]
    assert owner.get(f"/v1/me/pension-transfers/{transfer_id}").status_code == 200
    stranger = signed_in(server, "zhang_wei")
    missing = stranger.get("/v1/me/pension-transfers/PT000000000000")
    foreign = stranger.get(f"/v1/me/pension-transfers/{transfer_id}")
    assert_problem(foreign, 404, "transfer_not_found")
    assert foreign.json() == missing.json()
    assert stranger.get("/v1/me/pension-transfers").json() == {"items": []}


def test_timeline_of_the_demo_application_in_progress(server):
    client = signed_in(server, "zhou_jie")
    transfer = PensionTransferList.model_validate(client.get("/v1/me/pension-transfers").json()).items[0]
    assert transfer.status == "acceptance_sent" and transfer.from_area.name_zh == "杭州市"
    states = [(step.step.value, step.office, step.state.value) for step in transfer.steps]
    assert states == [("submitted", "receiving", "done"), ("certificate_issued", "sending", "done"),
                      ("acceptance_sent", "receiving", "done"), ("funds_transferred", "sending", "current"),
                      ("completed", "receiving", "pending")]
    current = transfer.steps[3]
    assert current.overdue and current.due_by < server.settings.as_of
    assert current.due_by == working_days.add_working_days(current.started_on, 15)


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 20)
    assert working_days.add_working_days(friday, 1) == dt.date(2026, 11, 23)
    assert working_days.add_working_days(friday, 15) == dt.date(2026, 12, 11)
    assert working_days.subtract_working_days(dt.date(2026, 11, 23), 1) == friday


def test_concurrent_identical_posts_create_exactly_one_application(backoffice_factory):
    server = backoffice_factory()
    client = signed_in(server, "chen_jing")
    body = {"from_region": "440100", "contact_mobile": MOBILE}
    results: list = [None] * 8
    barrier = threading.Barrier(8)

    def post(index):
        worker = server.client()  # own HTTP session per thread; the same citizen token
        barrier.wait()
        results[index] = worker.post("/v1/me/pension-transfers", json=body, token=client.token,
                                     headers={"Idempotency-Key": "concurrent-key-0001"})

    threads = [threading.Thread(target=post, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [response.status_code for response in results] == [201] * 8
    assert len({response.json()["id"] for response in results}) == 1
    conn = sqlite3.connect(server.settings.db_path)
    count = conn.execute("SELECT COUNT(*) FROM pension_transfers WHERE citizen_id ="
                         " (SELECT id FROM citizens WHERE ssn = ?)", (server.citizen("chen_jing").ssn,)).fetchone()[0]
    conn.close()
    assert count == 1
