"""DeviceWatch: the flow's one listener on the devices (kiosk/device_watch.py).

Real parts: the simulators of all four device classes in the kiosk's `DeviceManager`;
the flow events land in a list, as the UI bridge would queue them.
"""

from __future__ import annotations

import threading
import time

import pytest

from devices.manager import DeviceManager
from devices.model import DeviceClass, MediaState, PaperState
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedDocumentPrinter, SimulatedReceiptPrinter
from devices.simulators.qr_scanner import SimulatedQrScanner
from kiosk import flow
from kiosk_demo.cards import demo_card_record
from kiosk.device_watch import DeviceWatch

CARD = demo_card_record("A00000019")
ALL_USABLE = flow.DevicesChanged(card_reader=True, qr_scanner=True, receipt_printer=True, document_printer=True)


class Kiosk:
    """The four simulated devices, opened, and a watch posting into `posted`."""

    def __init__(self, tmp_path) -> None:
        self.reader = SimulatedCardReader()
        self.scanner = SimulatedQrScanner()
        self.receipt = SimulatedReceiptPrinter()
        self.document = SimulatedDocumentPrinter(output_dir=tmp_path)
        self.manager = DeviceManager({DeviceClass.CARD_READER: self.reader, DeviceClass.QR_SCANNER: self.scanner,
                                      DeviceClass.RECEIPT_PRINTER: self.receipt,
                                      DeviceClass.DOCUMENT_PRINTER: self.document}, recovery_interval_s=60)
        self.posted: list[flow.Event] = []
        self.watch = DeviceWatch(self.manager, self.posted.append)

    def of(self, kind: type) -> list:
        return [event for event in self.posted if isinstance(event, kind)]

    def expected_devices(self) -> flow.DevicesChanged:
        """What the devices' own statuses say now."""
        def usable(device) -> bool:
            status = device.status
            return status.state.usable and status.paper not in (PaperState.OUT, PaperState.JAMMED)
        return flow.DevicesChanged(card_reader=usable(self.reader), qr_scanner=usable(self.scanner),
                                   receipt_printer=usable(self.receipt), document_printer=usable(self.document))


@pytest.fixture
def kiosk(tmp_path):
    kiosk = Kiosk(tmp_path)
    kiosk.manager.start()
    yield kiosk
    kiosk.watch.close()
    kiosk.manager.stop()


def test_the_greeting_tells_the_flow_which_devices_work_and_no_card(kiosk) -> None:
    kiosk.watch.start()
    assert kiosk.of(flow.DevicesChanged)[-1] == ALL_USABLE
    assert kiosk.of(flow.CardPresence) == []


def test_a_late_watch_is_greeted_with_the_card_in(kiosk) -> None:
    kiosk.reader.insert_card(CARD)
    kiosk.watch.start()
    assert kiosk.of(flow.CardPresence) == [flow.CardPresence(True)]
    assert kiosk.of(flow.DevicesChanged)[-1] == ALL_USABLE


def test_a_card_in_and_out_is_exactly_one_card_presence_each(kiosk) -> None:
    kiosk.watch.start()
    kiosk.posted.clear()
    kiosk.reader.insert_card(CARD)
    kiosk.reader.insert_card(CARD)
    kiosk.reader.remove_card()
    kiosk.reader.remove_card()
    assert kiosk.posted == [flow.CardPresence(True), flow.CardPresence(False)]


def test_a_scanned_code_reaches_the_flow(kiosk) -> None:
    kiosk.watch.start()
    kiosk.posted.clear()
    kiosk.scanner.scan("ECARD-CODE-1")
    assert kiosk.posted == [flow.CodeScanned("ECARD-CODE-1")]


def test_devices_changed_only_when_what_works_changes(kiosk) -> None:
    kiosk.watch.start()
    kiosk.posted.clear()
    kiosk.receipt.inject_fault(SimulatedFault.PAPER_LOW)     # still prints: nothing to tell
    kiosk.receipt.inject_fault(SimulatedFault.PAPER_OUT)
    kiosk.receipt.inject_fault(SimulatedFault.COVER_OPEN)    # already unusable
    kiosk.receipt.clear_fault()
    assert kiosk.posted == [flow.DevicesChanged(True, True, False, True), ALL_USABLE]


def test_a_reader_lost_with_the_card_in_is_told_as_device_lost_first(kiosk) -> None:
    """The flow hears the reader is gone before the card is: it ends the session as "device lost"."""
    kiosk.reader.insert_card(CARD)
    kiosk.watch.start()
    kiosk.posted.clear()
    kiosk.reader.inject_fault(SimulatedFault.UNPLUG)
    assert kiosk.posted == [flow.DevicesChanged(False, True, True, True), flow.CardPresence(False)]


def test_a_closed_watch_posts_nothing(kiosk) -> None:
    kiosk.watch.start()
    kiosk.watch.close()
    kiosk.posted.clear()
    kiosk.reader.insert_card(CARD)
    kiosk.scanner.scan("ECARD-CODE-1")
    assert kiosk.posted == []


def test_many_device_threads_at_once_leave_the_flow_with_the_last_state(kiosk, frequent_thread_switches) -> None:
    """Two threads per device change it at the same moment, a hundred times; after each time the
    flow's last DevicesChanged is what the devices say, and every insert or removal was one event."""
    def queue_slowly(event: flow.Event) -> None:   # a post that lets other threads run first, as a queue may
        time.sleep(0)
        kiosk.posted.append(event)

    kiosk.watch = DeviceWatch(kiosk.manager, queue_slowly)
    kiosk.watch.start()
    rounds, threads_count = 100, 8
    go, done = threading.Barrier(threads_count + 1), threading.Barrier(threads_count + 1)

    def change(index: int, round_: int) -> None:
        on = (index + round_) % 2 == 1
        device = (kiosk.receipt, kiosk.document, kiosk.reader, kiosk.scanner)[index % 4]
        if device is kiosk.reader:
            kiosk.reader.insert_card(CARD) if on else kiosk.reader.remove_card()
        elif device is kiosk.scanner:
            if on:
                kiosk.scanner.inject_fault(SimulatedFault.UNPLUG)
            else:
                kiosk.scanner.clear_fault()
                kiosk.scanner.open()
        elif on:
            device.inject_fault(SimulatedFault.PAPER_OUT)
        else:
            device.clear_fault(SimulatedFault.PAPER_OUT)

    def churn(index: int) -> None:
        for round_ in range(rounds):
            go.wait(10)
            change(index, round_)
            done.wait(10)

    threads = [threading.Thread(target=churn, args=(index,), name=f"churn-{index}") for index in range(threads_count)]
    for thread in threads:
        thread.start()
    stale = []
    for round_ in range(rounds):
        go.wait(10)
        done.wait(10)
        if kiosk.of(flow.DevicesChanged)[-1] != kiosk.expected_devices():
            stale.append(round_)
    for thread in threads:
        thread.join()
    assert stale == []
    presence = [event.present for event in kiosk.of(flow.CardPresence)]
    assert presence, "the reader threads inserted cards"
    assert all(before != after for before, after in zip(presence, presence[1:])), "one event per insert or removal"
    assert presence[0] is True and presence[-1] is (kiosk.reader.status.media is MediaState.PRESENT)
