"""The device manager: events fan out, operations run on per-device workers, vanished devices come back."""

from __future__ import annotations

import threading
import time

from devices.manager import DeviceManager
from devices.model import DeviceClass, DeviceState, HealthLevel, StatusChanged
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.qr_scanner import SimulatedQrScanner
from kiosk_demo.cards import demo_card_record


def wait_for(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def build(recovery_interval_s: float = 0.1) -> tuple[DeviceManager, SimulatedCardReader, SimulatedQrScanner]:
    reader, scanner = SimulatedCardReader(), SimulatedQrScanner()
    manager = DeviceManager({DeviceClass.CARD_READER: reader, DeviceClass.QR_SCANNER: scanner},
                            recovery_interval_s=recovery_interval_s)
    return manager, reader, scanner


def test_a_device_unplugged_and_plugged_back_recovers_without_restart() -> None:
    manager, reader, _ = build()
    with manager:
        assert reader.status.state is DeviceState.ONLINE
        reader.inject_fault(SimulatedFault.UNPLUG)
        assert reader.status.state is DeviceState.NO_DEVICE
        assert not wait_for(lambda: reader.status.state is DeviceState.ONLINE, 0.5)  # still unplugged
        reader.clear_fault(SimulatedFault.UNPLUG)
        assert wait_for(lambda: reader.status.state is DeviceState.ONLINE)
        # The recovery thread counts after the re-open returns; the state is visible a moment before.
        assert wait_for(lambda: manager.recoveries >= 1)


def test_listeners_are_greeted_and_see_every_device_event() -> None:
    manager, reader, scanner = build()
    seen = []
    with manager:
        manager.subscribe(seen.append)
        greeted = {event.device for event in seen}
        assert greeted == {reader.name, scanner.name}
        reader.insert_card(demo_card_record("A00000019"))
        scanner.scan("ECARD-CODE-1")
    assert any(isinstance(event, StatusChanged) and event.device == reader.name
               and event.new.media.value == "present" for event in seen)
    assert any(getattr(event, "code", None) == "ECARD-CODE-1" for event in seen)


def test_operations_run_on_the_device_worker_thread() -> None:
    manager, reader, _ = build()
    with manager:
        reader.insert_card(demo_card_record("A00000019"))
        thread_name = manager.submit(DeviceClass.CARD_READER, lambda: threading.current_thread().name).result(5)
        result = manager.submit(DeviceClass.CARD_READER, reader.read_card).result(5)
    assert thread_name.startswith("device-" + reader.name)
    assert result.ok


def test_health_internal_reports_each_device() -> None:
    manager, reader, scanner = build()
    with manager:
        reports = manager.check_health(HealthLevel.INTERNAL)
        assert [report.passed for report in reports] == [True, True]
        reader.inject_fault(SimulatedFault.UNPLUG)
        reports = {report.device: report for report in manager.check_health(HealthLevel.INTERNAL)}
    assert not reports[reader.name].passed and reports[scanner.name].passed


def test_a_device_of_the_wrong_class_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        DeviceManager({DeviceClass.QR_SCANNER: SimulatedCardReader()})


def test_a_refilled_receipt_printer_is_noticed_without_a_print() -> None:
    from devices.model import PaperState
    from devices.simulators.printers import SimulatedReceiptPrinter

    printer = SimulatedReceiptPrinter()
    manager = DeviceManager({DeviceClass.RECEIPT_PRINTER: printer}, recovery_interval_s=0.1)
    with manager:
        printer.inject_fault(SimulatedFault.PAPER_OUT)
        assert printer.status.paper is PaperState.OUT
        # The paper is replaced behind the device's back (the simulator's state only, no status refresh).
        printer.faults.clear(SimulatedFault.PAPER_OUT)
        assert wait_for(lambda: printer.status.paper is PaperState.FULL)
