"""A card reader publishes its card coming and going; listeners hear one device's events in order.

Real parts: the card reader and QR scanner simulators behind the same interfaces and
base as the drivers, and the `DeviceManager` the kiosk uses.
"""

from __future__ import annotations

import threading
import time

from devices.manager import DeviceManager
from devices.model import DeviceClass, DeviceState, MediaInserted, MediaRemoved, MediaState, StatusChanged
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.qr_scanner import SimulatedQrScanner
from kiosk_demo.cards import demo_card_record

CARD = demo_card_record("A00000019")


def slow_listener(events: list):
    """A listener that yields its thread while it handles an event (as a queue put may)."""
    def listen(event) -> None:
        events.append(event)
        time.sleep(0)
    return listen


def opened_reader() -> SimulatedCardReader:
    reader = SimulatedCardReader()
    reader.open()
    return reader


def media_events(events: list) -> list[str]:
    return [type(event).__name__ for event in events if isinstance(event, (MediaInserted, MediaRemoved))]


def test_insert_and_remove_publish_one_media_event_each_after_the_status_change() -> None:
    reader = opened_reader()
    events: list = []
    reader.subscribe(events.append)
    events.clear()   # the greeting is tested on its own
    reader.insert_card(CARD)
    reader.insert_card(CARD)   # a second insert with the card in changes nothing
    reader.remove_card()
    reader.remove_card()
    assert [type(event).__name__ for event in events] == [
        "StatusChanged", "MediaInserted", "StatusChanged", "MediaRemoved"]
    assert events[0].new.media is MediaState.PRESENT and events[2].new.media is MediaState.NOT_PRESENT
    assert events[1] == MediaInserted(reader.name, DeviceClass.CARD_READER)
    assert events[3] == MediaRemoved(reader.name, DeviceClass.CARD_READER)


def test_a_late_listener_is_greeted_with_the_status_and_the_card_in() -> None:
    reader = opened_reader()
    reader.insert_card(CARD)
    events: list = []
    reader.subscribe(events.append)
    assert events == [StatusChanged(reader.name, DeviceClass.CARD_READER, reader.status, reader.status),
                      MediaInserted(reader.name, DeviceClass.CARD_READER)]
    reader.remove_card()
    assert media_events(events) == ["MediaInserted", "MediaRemoved"]


def test_a_late_listener_hears_no_media_event_for_an_empty_slot() -> None:
    reader = opened_reader()
    events: list = []
    reader.subscribe(events.append)
    assert [type(event) for event in events] == [StatusChanged]
    assert events[0].new.media is MediaState.NOT_PRESENT


def test_a_reader_lost_with_the_card_in_removes_it_and_brings_it_back_when_it_returns() -> None:
    """The card list of a card monitor: a card the kiosk can no longer see is a removed card."""
    reader = opened_reader()
    reader.insert_card(CARD)
    events: list = []
    reader.subscribe(events.append)
    events.clear()
    reader.inject_fault(SimulatedFault.UNPLUG)
    reader.clear_fault(SimulatedFault.UNPLUG)
    reader.recover()   # what the manager's recovery does
    kinds = [type(event).__name__ for event in events]
    assert kinds == ["StatusChanged", "MediaRemoved", "StatusChanged", "MediaInserted"]
    assert events[0].new.state is DeviceState.NO_DEVICE and events[2].new.state is DeviceState.ONLINE


def test_status_changes_from_many_threads_reach_a_listener_in_order(frequent_thread_switches) -> None:
    """Each event's old status is the previous event's new one, and the last is the device's status."""
    reader = opened_reader()
    events: list = []
    reader.subscribe(slow_listener(events))
    start = threading.Barrier(8)

    def toggle(index: int) -> None:
        start.wait()
        for round_ in range(200):
            if (index + round_) % 2:
                reader.insert_card(CARD)
            else:
                reader.remove_card()

    threads = [threading.Thread(target=toggle, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    status_events = [event for event in events if isinstance(event, StatusChanged)]
    assert len(status_events) > 1
    assert all(before.new == after.old for before, after in zip(status_events, status_events[1:]))
    assert status_events[-1].new == reader.status
    kinds = media_events(events)
    assert all(kind != following for kind, following in zip(kinds, kinds[1:]))


def test_a_greeting_is_never_overtaken_by_a_change_it_already_contains(frequent_thread_switches) -> None:
    """Listeners joining while another thread inserts and removes: media events strictly alternate."""
    reader = opened_reader()
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            reader.insert_card(CARD)
            reader.remove_card()

    churner = threading.Thread(target=churn)
    churner.start()
    heard: list[list] = []
    try:
        for _ in range(50):
            events: list = []
            heard.append(events)
            reader.subscribe(slow_listener(events))
    finally:
        stop.set()
        churner.join()
    for events in heard:
        kinds = media_events(events)
        assert all(kind != following for kind, following in zip(kinds, kinds[1:])), kinds
        status_events = [event for event in events if isinstance(event, StatusChanged)]
        assert status_events[0].old == status_events[0].new   # the greeting comes first
        assert all(before.new == after.old for before, after in zip(status_events, status_events[1:]))


def test_the_manager_subscribes_a_listener_to_every_device_once_and_relays_nothing() -> None:
    reader, scanner = SimulatedCardReader(), SimulatedQrScanner()
    manager = DeviceManager({DeviceClass.CARD_READER: reader, DeviceClass.QR_SCANNER: scanner},
                            recovery_interval_s=60)
    events: list = []
    with manager:
        reader.insert_card(CARD)
        unsubscribe = manager.subscribe(events.append)
        greeting = list(events)
        reader.remove_card()
        scanner.scan("ECARD-CODE-1")
        unsubscribe()
        reader.insert_card(CARD)   # heard by nobody now
    assert {event.device for event in greeting} == {reader.name, scanner.name}
    assert media_events(greeting) == ["MediaInserted"]
    after = events[len(greeting):]
    assert [type(event).__name__ for event in after] == ["StatusChanged", "MediaRemoved", "CodeScanned"]


def test_the_managers_stop_unsubscribes_so_listeners_hear_nothing_of_the_shutdown() -> None:
    reader = SimulatedCardReader()
    manager = DeviceManager({DeviceClass.CARD_READER: reader}, recovery_interval_s=60)
    events: list = []
    manager.subscribe(events.append)   # before start: the opening is heard
    manager.start()
    assert events[-1].new.state is DeviceState.ONLINE
    manager.stop()
    heard = len(events)
    reader.insert_card(CARD)
    assert len(events) == heard
