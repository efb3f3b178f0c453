"""The operations parts together, as the composition root opens them: heartbeats reach the real
back office and go stale when they stop, counters persist, device faults are journaled,
the Prometheus text shows the same figures, and a restart keeps counters and journal.
"""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest
import requests

from backoffice.settings import DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET
from devices.simulators.faults import SimulatedFault
from kiosk.backoffice_client import BackofficeClient
from kiosk.config import HeartbeatSettings, load_settings
from kiosk.device_setup import build_device_manager
from kiosk.operations import Operations

MANAGER_TOKEN = "hall-manager-token-for-tests-0123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, what: str, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def office(backoffice_factory):
    # Stale after 3 x 5 s x 0.1 = 1.5 s without a heartbeat.
    return backoffice_factory(manager_token=MANAGER_TOKEN, terminal_stale_factor=0.1)


def fleet(office) -> dict[str, dict]:
    response = requests.get(office.base_url + "/v1/terminals", headers={"Authorization": f"Bearer {MANAGER_TOKEN}"},
                            timeout=10)
    assert response.status_code == 200, response.text
    return {item["terminal_id"]: item for item in response.json()["items"]}


def test_heartbeats_counters_faults_and_metrics_then_stale_after_stop(office, tmp_path):
    port = free_port()
    demo = load_settings("demo")
    settings = dataclasses.replace(demo, heartbeat=HeartbeatSettings(interval_s=5, prometheus_port=port))
    client = BackofficeClient(office.base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, retries=0)
    manager = build_device_manager(settings)
    manager.start()
    operations = Operations.open(settings, tmp_path, lambda: client)
    try:
        operations.attach_devices(manager)
        operations.record("session.started", method="card")
        printer = manager.receipt_printer
        printer.inject_fault(SimulatedFault.PAPER_OUT)
        wait_until(lambda: any(entry.kind == "device.fault" for entry in operations.journal.entries()),
                   "the paper-out to be journaled")
        operations.heartbeat.send_now()
        terminal = wait_until(lambda: fleet(office).get(DEMO_TERMINAL_ID, {}).get("last_seen") and
                              fleet(office)[DEMO_TERMINAL_ID], "a heartbeat")
        assert terminal["stale"] is False and terminal["profile"] == "demo" and terminal["outbox_depth"] == 0
        assert terminal["counters"]["kiosk.sessions_card"] == 1
        # The journal's head went off the terminal: a later rewrite of the journal would not match it.
        assert terminal["journal_seq"] >= 3
        assert operations.journal.hash_at(terminal["journal_seq"]) == terminal["journal_hash"]
        reported = {device["device_class"]: device for device in terminal["devices"]}
        assert reported["receipt_printer"]["paper"] == "out"
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'kiosk_counter_total{scope="kiosk",name="sessions_card"} 1' in metrics
        assert "kiosk_outbox_depth 0" in metrics
    finally:
        operations.close()
        manager.stop()
        client.close()
    assert wait_until(lambda: fleet(office)[DEMO_TERMINAL_ID]["stale"], "the terminal to go stale", 10)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2)

    # A restart on the same storage keeps the counters and continues the journal's chain.
    quiet = dataclasses.replace(settings, heartbeat=HeartbeatSettings(interval_s=0, prometheus_port=0))
    again = Operations.open(quiet, tmp_path, lambda: client)
    try:
        assert again.counters.snapshot()["kiosk"]["sessions_card"] == 1
        assert [entry.fields["fault"] for entry in again.journal.entries(kinds=["device.fault"])] == ["paper_out"]
        assert again.journal.verify().ok
        assert [entry.kind for entry in again.journal.entries(kinds=["kiosk.started"])] == ["kiosk.started"] * 2
        assert again.heartbeat is None and again.metrics is None
    finally:
        again.close()
