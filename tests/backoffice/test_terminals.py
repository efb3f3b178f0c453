"""GET /v1/terminals over real HTTP: the hall manager's token, staleness, never-reported terminals."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import requests

from backoffice.settings import DEMO_TERMINAL_ID
from kiosk.contract.models import TerminalList
from tests.backoffice.helpers import assert_problem
from tests.conftest import SECOND_TERMINAL_ID

MANAGER_TOKEN = "hall-manager-token-for-tests-0123"

HEARTBEAT = {"version": "0.2.0", "profile": "service_hall", "interval_s": 30, "outbox_depth": 3,
             "counters": {"card_reader.cards_read": 12, "kiosk.sessions_card": 9},
             "devices": [{"name": "reader-1", "device_class": "card_reader", "state": "online",
                          "media": "not_present"},
                         {"name": "receipt-1", "device_class": "receipt_printer", "state": "online",
                          "paper": "low"}]}


@pytest.fixture(scope="module")
def office(backoffice_launcher):
    return backoffice_launcher(manager_token=MANAGER_TOKEN)


def manager_get(office, token: str | None = MANAGER_TOKEN, scheme: str = "Bearer") -> requests.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return requests.get(office.base_url + "/v1/terminals", headers=headers, timeout=10)


def fleet(office) -> dict[str, dict]:
    response = manager_get(office)
    assert response.status_code == 200, response.text
    TerminalList.model_validate(response.json())
    return {item["terminal_id"]: item for item in response.json()["items"]}


def wait_until(predicate, timeout_s: float = 10.0, step_s: float = 0.05):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step_s)


# --- the manager's token ---------------------------------------------------------------------

def test_without_a_configured_manager_token_the_route_is_switched_off(backoffice):
    assert_problem(manager_get(backoffice, token="anything-at-all"), 403, "manager_access_disabled")
    assert_problem(manager_get(backoffice, token=None), 403, "manager_access_disabled")


@pytest.mark.parametrize("token, scheme", [(None, "Bearer"), ("wrong-token", "Bearer"), (MANAGER_TOKEN, "Basic"),
                                           (MANAGER_TOKEN[:-1], "Bearer"), (MANAGER_TOKEN + "x", "Bearer"),
                                           ("", "Bearer")])
def test_a_missing_or_wrong_token_is_refused(office, token, scheme):
    response = manager_get(office, token=token, scheme=scheme)
    assert_problem(response, 401, "manager_unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_terminal_signature_does_not_open_the_fleet_view(office):
    # The route is exempt from terminal signatures: a signed request without the token is refused.
    assert_problem(office.client().get("/v1/terminals"), 401, "manager_unauthenticated")


def test_only_get_is_exempt_from_terminal_signatures(office):
    response = requests.post(office.base_url + "/v1/terminals", json={},
                             headers={"Authorization": f"Bearer {MANAGER_TOKEN}"}, timeout=10)
    assert_problem(response, 401, "terminal_unauthenticated")


# --- what the manager sees ---------------------------------------------------------------------

def test_a_reporting_terminal_is_listed_fresh_with_its_heartbeat(office):
    response = office.client().post(f"/v1/terminals/{DEMO_TERMINAL_ID}/heartbeat", json=HEARTBEAT)
    assert response.status_code == 200, response.text
    listed = fleet(office)[DEMO_TERMINAL_ID]
    assert listed["stale"] is False and listed["last_seen"] is not None
    assert 0 <= listed["age_s"] < 30
    assert (listed["version"], listed["profile"], listed["interval_s"], listed["outbox_depth"]) == (
        "0.2.0", "service_hall", 30, 3)
    assert listed["counters"] == HEARTBEAT["counters"]
    assert [(d["name"], d["state"], d["media"], d["paper"]) for d in listed["devices"]] == [
        ("reader-1", "online", "not_present", None), ("receipt-1", "online", None, "low")]


def test_configured_terminals_that_never_reported_are_listed_stale(office):
    listed = fleet(office)
    assert list(listed) == sorted(listed)
    silent = listed[SECOND_TERMINAL_ID]
    assert silent["stale"] is True
    assert silent["last_seen"] is None and silent["age_s"] is None and silent["devices"] == []


def test_the_heartbeat_interval_is_bounded(office):
    client = office.client()
    for interval in (0, 4, 3601):
        response = client.post(f"/v1/terminals/{DEMO_TERMINAL_ID}/heartbeat", json={**HEARTBEAT, "interval_s": interval})
        assert_problem(response, 422, "invalid_request")


def test_a_terminal_goes_stale_after_missed_beats(backoffice_factory):
    # factor 0.2 x interval 5 s: stale one second after the last heartbeat.
    office = backoffice_factory(manager_token=MANAGER_TOKEN, terminal_stale_factor=0.2)
    beat = {**HEARTBEAT, "interval_s": 5}
    assert office.client().post(f"/v1/terminals/{DEMO_TERMINAL_ID}/heartbeat", json=beat).status_code == 200
    assert fleet(office)[DEMO_TERMINAL_ID]["stale"] is False
    became_stale = wait_until(lambda: fleet(office)[DEMO_TERMINAL_ID]["stale"], timeout_s=10)
    assert became_stale
    assert fleet(office)[DEMO_TERMINAL_ID]["age_s"] > 1.0
    # A new heartbeat makes it fresh again.
    assert office.client().post(f"/v1/terminals/{DEMO_TERMINAL_ID}/heartbeat", json=beat).status_code == 200
    assert fleet(office)[DEMO_TERMINAL_ID]["stale"] is False


def test_without_an_interval_the_default_beat_decides(backoffice_factory):
    # No interval_s: 60 s is assumed, so factor 0.02 makes it stale after 1.2 s.
    office = backoffice_factory(manager_token=MANAGER_TOKEN, terminal_stale_factor=0.02)
    beat = {key: value for key, value in HEARTBEAT.items() if key != "interval_s"}
    assert office.client().post(f"/v1/terminals/{DEMO_TERMINAL_ID}/heartbeat", json=beat).status_code == 200
    fresh = fleet(office)[DEMO_TERMINAL_ID]
    assert fresh["interval_s"] is None and fresh["stale"] is False
    assert wait_until(lambda: fleet(office)[DEMO_TERMINAL_ID]["stale"], timeout_s=10)


def test_an_odd_stored_heartbeat_does_not_break_the_list(backoffice_factory):
    office = backoffice_factory(manager_token=MANAGER_TOKEN)
    odd_payload = {"version": 7, "interval_s": "soon", "outbox_depth": -1, "counters": {"a.b": -3, "c.d": 4},
                   "devices": [{"name": "x"}, {"name": "ok", "device_class": "qr_scanner", "state": "online"}]}
    conn = sqlite3.connect(office.settings.db_path)
    with conn:
        conn.execute("INSERT INTO terminal_heartbeats (terminal_id, received_at, payload_json) VALUES (?, ?, ?)",
                     ("KIOSK-OLD-0009", "not a time", json.dumps(odd_payload)))
        conn.execute("INSERT INTO terminal_heartbeats (terminal_id, received_at, payload_json) VALUES (?, ?, ?)",
                     ("KIOSK-OLD-0010", "2026-01-01T00:00:00+00:00", "{not json"))
    conn.close()
    listed = fleet(office)
    odd = listed["KIOSK-OLD-0009"]
    assert odd["stale"] is True and odd["version"] is None and odd["interval_s"] is None
    assert odd["outbox_depth"] is None and odd["counters"] == {"c.d": 4}
    assert [device["name"] for device in odd["devices"]] == ["ok"]
    assert listed["KIOSK-OLD-0010"]["stale"] is True and listed["KIOSK-OLD-0010"]["devices"] == []


def test_the_schema_documents_the_route(office):
    schema = requests.get(office.base_url + "/openapi.json", timeout=10).json()
    operation = schema["paths"]["/v1/terminals"]["get"]
    assert operation["security"] == []  # no terminal signature; the bearer token is in the description
    assert "Bearer" in operation["description"]
    assert {"401", "403"} <= set(operation["responses"])
