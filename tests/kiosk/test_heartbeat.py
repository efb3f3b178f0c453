"""Heartbeats from real simulator devices through the real signed client to the real back office,
read back by the hall manager's GET /v1/terminals; outages, recovery and clock skew."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
import requests

import kiosk
from devices.receipt.layout import test_page as receipt_test_page
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedReceiptPrinter
from devices.simulators.qr_scanner import SimulatedQrScanner
from kiosk.backoffice_client import BackofficeClient
from kiosk.contract.models import HeartbeatAck
from kiosk.counters import CounterStore
from kiosk.heartbeat import HeartbeatSender, build_heartbeat

MANAGER_TOKEN = "hall-manager-token-for-heartbeat-tests"


@pytest.fixture
def devices():
    opened = [SimulatedCardReader(), SimulatedQrScanner(), SimulatedReceiptPrinter()]
    for device in opened:
        device.open()
    yield opened
    for device in opened:
        device.close()


@pytest.fixture
def office(backoffice_factory):
    return backoffice_factory(manager_token=MANAGER_TOKEN)


@pytest.fixture
def client(office):
    with BackofficeClient(office.base_url, office.terminal_id, office.secret, connect_timeout_s=1.0,
                          read_timeout_s=3.0) as signed:
        yield signed


def fleet(office) -> dict[str, dict]:
    response = requests.get(office.base_url + "/v1/terminals", timeout=10,
                            headers={"Authorization": f"Bearer {MANAGER_TOKEN}"})
    assert response.status_code == 200, response.text
    return {item["terminal_id"]: item for item in response.json()["items"]}


def wait_until(predicate, timeout_s: float = 10.0, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step_s)
    return True


# --- building ---------------------------------------------------------------------------------

def test_build_heartbeat_reports_each_device_and_bounds_everything(devices):
    reader, scanner, printer = devices
    printer.inject_fault(SimulatedFault.PAPER_LOW)
    beat = build_heartbeat(version="9" * 40, profile="service_hall", interval_s=1, devices=devices,
                           counters={"kiosk.sessions_card": 3, "bad": -1, "x" * 65: 1, "card_reader.cards_read": 2},
                           outbox_depth=-2)
    assert len(beat.version) == 32 and beat.interval_s == 5 and beat.outbox_depth == 0
    assert beat.counters == {"kiosk.sessions_card": 3, "card_reader.cards_read": 2}
    by_class = {report.device_class: report for report in beat.devices}
    assert (by_class["card_reader"].state, by_class["card_reader"].media, by_class["card_reader"].paper) == (
        "online", "not_present", None)
    assert (by_class["qr_scanner"].media, by_class["qr_scanner"].paper) == (None, None)
    assert by_class["receipt_printer"].paper == "low"
    assert build_heartbeat(version="1", profile="p", interval_s=None, devices=None, counters={},
                           outbox_depth=0).devices == []


# --- against the real back office ---------------------------------------------------------------

def test_heartbeats_reach_the_managers_view(tmp_path, devices, office, client):
    reader, scanner, printer = devices
    with CounterStore(tmp_path / "counters.sqlite3") as store:
        store.attach(devices)
        assert printer.print_receipt(receipt_test_page(printer.name, printer.capabilities)).ok
        store.increment("kiosk", "sessions_card", 2)

        def build():
            return build_heartbeat(version=kiosk.__version__, profile="service_hall", interval_s=30,
                                   devices=devices, counters=store.flat(), outbox_depth=4, outbox_held=1)

        sender = HeartbeatSender(send=client.heartbeat, build=build, interval_s=30)
        ack = sender.send_now()
    assert isinstance(ack, HeartbeatAck) and ack.terminal_id == office.terminal_id
    assert sender.last_ack == ack and sender.last_error is None and sender.consecutive_failures == 0
    assert abs(sender.clock_skew_s) < 2.0  # same machine, same clock

    listed = fleet(office)[office.terminal_id]
    assert listed["stale"] is False and listed["interval_s"] == 30 and listed["outbox_depth"] == 4
    assert listed["outbox_held"] == 1   # kept by a terminal refusal: the hall manager sees it too
    assert listed["version"] == kiosk.__version__ and listed["profile"] == "service_hall"
    assert listed["counters"]["receipt_printer.receipts_printed"] == 1
    assert listed["counters"]["kiosk.sessions_card"] == 2
    assert {(device["name"], device["device_class"], device["state"]) for device in listed["devices"]} == {
        (reader.name, "card_reader", "online"), (scanner.name, "qr_scanner", "online"),
        (printer.name, "receipt_printer", "online")}


def test_the_sender_keeps_beating_through_an_outage_and_warns_once(devices, office, client, caplog):
    caplog.set_level(logging.DEBUG, logger="kiosk.heartbeat")

    def build():
        return build_heartbeat(version="0.1.0", profile="demo", interval_s=5, devices=devices, counters={},
                               outbox_depth=0)

    sender = HeartbeatSender(send=client.heartbeat, build=build, interval_s=0.1)
    sender.start()
    try:
        assert wait_until(lambda: sender.last_ack is not None)
        office.server.stop()
        assert wait_until(lambda: sender.consecutive_failures >= 4)
        assert sender.last_error and "backoffice_unavailable" in sender.last_error
        warnings = [record for record in caplog.records
                    if record.name == "kiosk.heartbeat" and record.levelno == logging.WARNING]
        assert len(warnings) == 1, [record.getMessage() for record in warnings]

        restarted_at = time.time()
        office.server.start()  # same port: the back office came back
        assert wait_until(lambda: sender.consecutive_failures == 0 and (sender.last_sent_at or 0) >= restarted_at)
        assert sender.last_error is None and abs(sender.clock_skew_s) < 2.0
        assert any("delivered again" in record.getMessage() for record in caplog.records)
        assert fleet(office)[office.terminal_id]["stale"] is False
    finally:
        sender.stop()
    assert not sender.running


def test_clock_skew_is_server_minus_local_time(client):
    # A local clock two minutes behind: the back office is 120 s ahead of it.
    sender = HeartbeatSender(send=client.heartbeat, interval_s=60, clock=lambda: time.time() - 120,
                             build=lambda: build_heartbeat(version="0.1.0", profile="demo", interval_s=60,
                                                           devices=None, counters={}, outbox_depth=0))
    assert sender.clock_skew_s is None
    assert sender.send_now() is not None
    assert 118 < sender.clock_skew_s < 122


# --- never raises, stops quickly ------------------------------------------------------------------

def test_send_now_never_raises():
    def broken_build():
        raise RuntimeError("counter store closed")

    sender = HeartbeatSender(send=lambda beat: None, build=broken_build, interval_s=60)
    assert sender.send_now() is None and sender.send_now() is None
    assert sender.consecutive_failures == 2 and "RuntimeError" in sender.last_error
    assert sender.last_ack is None and sender.last_sent_at is None
    # A sender that answers nonsense is a failed beat too, not an exception.
    odd = HeartbeatSender(send=lambda beat: None, interval_s=60,
                          build=lambda: build_heartbeat(version="1", profile="p", interval_s=None, devices=None,
                                                        counters={}, outbox_depth=0))
    assert odd.send_now() is None and odd.consecutive_failures == 1


def test_stop_returns_at_once_between_beats():
    sent = []

    def send(beat):
        sent.append(beat)
        now = dt.datetime.now(dt.timezone.utc)
        return HeartbeatAck(terminal_id="K", received_at=now, server_time=now)

    sender = HeartbeatSender(send=send, interval_s=3600,
                             build=lambda: build_heartbeat(version="1", profile="p", interval_s=3600, devices=None,
                                                           counters={}, outbox_depth=0))
    sender.start()
    assert wait_until(lambda: len(sent) == 1)  # the first beat goes out at start
    began = time.monotonic()
    sender.stop()
    assert time.monotonic() - began < 0.5 and not sender.running
