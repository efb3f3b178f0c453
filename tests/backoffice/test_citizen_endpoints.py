"""Sessions, enrolment, contributions, e-card codes and heartbeats over real HTTP."""

from __future__ import annotations

import sqlite3
import time
from decimal import Decimal

import pytest

from kiosk.contract.models import (ContributionPage, EcardCode, EcardIdentity, Enrolment, HeartbeatAck,
                                   SessionOpened)
from tests.backoffice.helpers import assert_problem, card_body


@pytest.fixture
def zhang(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("zhang_wei"))
    return client


# --- sessions ----------------------------------------------------------------------

def test_card_session_returns_a_masked_citizen(backoffice):
    citizen = backoffice.citizen("zhang_wei")
    response = backoffice.client().post("/v1/sessions", json=card_body(citizen))
    opened = SessionOpened.model_validate(response.json())
    assert opened.citizen.name == "张伟"
    assert opened.citizen.ssn_masked == citizen.ssn[:4] + "*" * 10 + citizen.ssn[-4:]
    assert opened.citizen.card_number_masked == "A0****019"
    assert citizen.ssn not in response.text
    assert opened.idle_timeout_seconds == 300 and len(opened.token) >= 32


def test_card_that_does_not_match_is_not_recognised(backoffice):
    zhang, wang = backoffice.citizen("zhang_wei"), backoffice.citizen("wang_fang")
    client = backoffice.client()
    assert_problem(client.post("/v1/sessions", json=card_body(zhang, ssn=wang.ssn)), 401, "card_not_recognised")
    assert_problem(client.post("/v1/sessions", json=card_body(zhang, card_number="Z99999999")), 401,
                   "card_not_recognised")
    assert_problem(client.post("/v1/sessions", json=card_body(zhang, card_id_code=wang.card_id_code)), 401,
                   "card_not_recognised")


def test_pin_must_be_verified_and_lost_cards_are_refused(backoffice):
    client = backoffice.client()
    assert_problem(client.post("/v1/sessions", json=card_body(backoffice.citizen("zhang_wei"), pin_verified=False)),
                   403, "pin_not_verified")
    assert_problem(client.post("/v1/sessions", json=card_body(backoffice.citizen("zhao_min"))), 403, "card_revoked")


def test_lost_card_holder_can_still_use_the_ecard(backoffice):
    client = backoffice.client()
    client.open_ecard_session(backoffice.citizen("zhao_min"))
    enrolment = Enrolment.model_validate(client.get("/v1/me/enrolment").json())
    assert enrolment.citizen.name == "赵敏"


# --- enrolment and contributions ---------------------------------------------------

def test_enrolment_of_an_ordinary_employee(zhang):
    enrolment = Enrolment.model_validate(zhang.get("/v1/me/enrolment").json())
    assert [item.insurance_type.value for item in enrolment.items] == [
        "pension", "medical", "unemployment", "work_injury", "maternity"]
    assert all(item.status == "active" and item.months_paid == 240 and item.months_owed == 0 for item in enrolment.items)
    assert {item.first_insured for item in enrolment.items} == {"200611"}
    assert all(item.pooling_area.code == "320100" for item in enrolment.items)


def test_enrolment_of_a_flexible_worker_with_owed_months(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("wang_fang"))
    items = {item.insurance_type.value: item for item in
             Enrolment.model_validate(client.get("/v1/me/enrolment").json()).items}
    assert items["pension"].status == "active" and items["pension"].payer_kind == "personal"
    assert items["pension"].contribution_grade == "60%" and items["pension"].months_owed == 5
    assert items["unemployment"].status == "suspended"


def test_retiree_enrolment(backoffice):
    client = backoffice.client()
    opened = client.post("/v1/sessions", json=card_body(backoffice.citizen("li_xiuying"))).json()
    assert opened["citizen"]["retired"] is True
    client.token = opened["token"]
    items = {item["insurance_type"]: item for item in client.get("/v1/me/enrolment").json()["items"]}
    assert items["pension"]["status"] == "retired" and items["unemployment"]["status"] == "terminated"


def test_contributions_are_newest_first_with_totals_over_the_range(zhang):
    response = zhang.get("/v1/me/contributions", params={"from": "202401", "to": "202412", "type": "pension",
                                                         "page": 1, "page_size": 5})
    page = ContributionPage.model_validate(response.json())
    assert [row.period for row in page.rows] == ["202412", "202411", "202410", "202409", "202408"]
    assert page.total_rows == 12 and page.totals.months_paid == 12
    assert page.totals.employer_part == sum(row.employer_part for row in page.rows) / 5 * 12
    assert all(row.employer == "南京金陵软件科技有限公司" and row.status == "paid" for row in page.rows)
    row = page.rows[0]
    assert row.employer_part == (row.base * Decimal("0.16")).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert '"base":"' in response.text  # money is a JSON string, never a float
    last = zhang.get("/v1/me/contributions", params={"from": "202401", "to": "202412", "type": "pension",
                                                     "page": 3, "page_size": 5}).json()
    assert [row["period"] for row in last["rows"]] == ["202402", "202401"]


def test_deferred_months_are_visible(backoffice):
    client = backoffice.client()
    client.open_card_session(backoffice.citizen("liu_yang"))
    page = client.get("/v1/me/contributions", params={"from": "202201", "to": "202212", "page_size": 100}).json()
    deferred = {(row["period"], row["insurance_type"]) for row in page["rows"] if row["status"] == "deferred"}
    assert len(deferred) == 27 and ("202204", "pension") in deferred and ("202204", "medical") not in deferred
    assert page["totals"]["months_deferred"] == 9 and page["totals"]["months_paid"] == 12


@pytest.mark.parametrize("params", [
    {"from": "202412", "to": "202401"},           # from after to
    {"from": "197001", "to": "202412"},           # more than 50 years
    {"from": "202413"},                           # month 13
    {"page_size": 0}, {"page_size": 101}, {"page": 0},
    {"type": "dental"},
])
def test_bad_contribution_queries_are_422(zhang, params):
    assert_problem(zhang.get("/v1/me/contributions", params=params), 422, "invalid_request")


# --- e-card ------------------------------------------------------------------------

def _issue(client, citizen):
    response = client.post("/v1/ecard/codes", json={"ssn": citizen.ssn})
    assert response.status_code == 201, response.text
    return EcardCode.model_validate(response.json())


def test_ecard_code_verifies_and_is_opaque(backoffice):
    client = backoffice.client()
    citizen = backoffice.citizen("chen_jing")
    code = _issue(client, citizen)
    assert citizen.ssn not in code.qr and citizen.ssn[:6] not in code.qr
    assert code.qr.startswith("ESSC1.")
    identity = EcardIdentity.model_validate(client.post("/v1/ecard/verify", json={"qr": code.qr}).json())
    assert identity.valid and identity.citizen.name == "陈静"


@pytest.mark.parametrize("qr", ["hello", "ESSC1.", "ESSC1." + "A" * 22 + "." + "B" * 43,
                                "ESSC1.\u202e" + "x" * 4000, "' OR 1=1 --"])
def test_garbage_ecard_codes_are_invalid(backoffice, qr):
    assert_problem(backoffice.client().post("/v1/ecard/verify", json={"qr": qr}), 422, "ecard_invalid")


def test_ecard_codes_with_control_characters_are_refused_by_their_schema_shape(backoffice):
    # The schema's pattern says so, so this is a shape error, not a code that failed to verify.
    body = assert_problem(backoffice.client().post("/v1/ecard/verify", json={"qr": "ESSC1.\u0000x"}), 422,
                          "invalid_request")
    assert body["errors"][0]["loc"][-1] == "qr"


def test_tampered_ecard_code_is_invalid(backoffice):
    client = backoffice.client()
    code = _issue(client, backoffice.citizen("yang_lei")).qr
    prefix, code_id, mac = code.split(".")
    flipped_mac = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert_problem(client.post("/v1/ecard/verify", json={"qr": f"{prefix}.{code_id}.{flipped_mac}"}), 422,
                   "ecard_invalid")
    other_id = ("b" if code_id[0] != "b" else "c") + code_id[1:]
    assert_problem(client.post("/v1/ecard/verify", json={"qr": f"{prefix}.{other_id}.{mac}"}), 422, "ecard_invalid")


def test_expired_ecard_code(backoffice):
    client = backoffice.client()
    code = _issue(client, backoffice.citizen("sun_li")).qr
    conn = sqlite3.connect(backoffice.settings.db_path)
    with conn:
        conn.execute("UPDATE ecard_codes SET expires_at = ? WHERE code_id = ?", (time.time() - 1, code.split(".")[1]))
    conn.close()
    assert_problem(client.post("/v1/ecard/verify", json={"qr": code}), 422, "ecard_expired")
    assert_problem(client.post("/v1/sessions", json={"method": "ecard", "qr": code}), 422, "ecard_expired")


def test_newer_code_revokes_the_older_one(backoffice):
    client = backoffice.client()
    citizen = backoffice.citizen("zhou_jie")
    first = _issue(client, citizen).qr
    second = _issue(client, citizen).qr
    assert_problem(client.post("/v1/ecard/verify", json={"qr": first}), 422, "ecard_revoked")
    assert client.post("/v1/ecard/verify", json={"qr": second}).status_code == 200


def test_ecard_code_for_unknown_citizen_is_404(backoffice):
    assert_problem(backoffice.client().post("/v1/ecard/codes", json={"ssn": "11010519491231002X"}), 404,
                   "citizen_not_found")


def test_ecard_code_issuing_is_off_outside_demo_mode(backoffice_factory):
    server = backoffice_factory(demo_mode=False)
    assert_problem(server.client().post("/v1/ecard/codes", json={"ssn": server.citizen("zhang_wei").ssn}), 404,
                   "not_found")


# --- terminals ---------------------------------------------------------------------

HEARTBEAT = {"version": "0.1.0", "profile": "service_hall", "outbox_depth": 2, "counters": {"sessions": 5},
             "devices": [{"name": "card_reader", "device_class": "card_reader", "state": "ready"}]}


def test_heartbeat_is_stored_for_the_signing_terminal(backoffice):
    client = backoffice.client()
    response = client.post(f"/v1/terminals/{backoffice.terminal_id}/heartbeat", json=HEARTBEAT)
    assert response.status_code == 200, response.text
    assert HeartbeatAck.model_validate(response.json()).terminal_id == backoffice.terminal_id
    conn = sqlite3.connect(backoffice.settings.db_path)
    stored = conn.execute("SELECT payload_json FROM terminal_heartbeats WHERE terminal_id = ?",
                          (backoffice.terminal_id,)).fetchone()[0]
    conn.close()
    assert '"outbox_depth": 2' in stored


def test_heartbeat_for_another_terminal_is_forbidden(backoffice):
    response = backoffice.client().post("/v1/terminals/KIOSK-TEST-0002/heartbeat", json=HEARTBEAT)
    assert_problem(response, 403, "terminal_mismatch")


def test_health_is_public(backoffice):
    import requests
    assert requests.get(backoffice.base_url + "/v1/health", timeout=5).json()["status"] == "ok"
