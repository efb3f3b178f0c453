"""Health checks at each level (interactive ones with a scripted technician), devices from
config for every shipped profile, and the one mapping of completion codes to citizen messages."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from devices.model import CompletionCode, DeviceClass, HealthLevel
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedReceiptPrinter
from devices.simulators.qr_scanner import SimulatedQrScanner
from kiosk.config import ConfigError, load_settings
from kiosk_demo.cards import demo_card_record
from kiosk.device_setup import build_device_manager
from kiosk.errors import ErrorKind, error_from_device


class ScriptedTechnician:
    """Does what the screen asks a little later, from another thread, and answers questions."""

    def __init__(self, action=None, answer: bool = True) -> None:
        self.action = action
        self.answer = answer
        self.instructions: list[str] = []
        self.questions: list[str] = []

    def instruct(self, message_id: str) -> None:
        self.instructions.append(message_id)
        if self.action is not None:
            threading.Timer(0.1, self.action).start()

    def confirm(self, message_id: str) -> bool:
        self.questions.append(message_id)
        return self.answer


def test_interactive_card_check_asks_for_a_card_and_reads_it() -> None:
    reader = SimulatedCardReader()
    reader.open()
    technician = ScriptedTechnician(lambda: reader.insert_card(demo_card_record("A00000035")))
    report = reader.check_health(HealthLevel.INTERACTIVE, technician)
    assert report.passed, report.summary
    assert technician.instructions == ["technician.check.insert_card"]
    assert report.details["card"]["card_number"] == "A0****035"
    assert "A00000035" not in str(report.as_dict())


def test_interactive_scanner_check_waits_for_a_code() -> None:
    scanner = SimulatedQrScanner()
    scanner.open()
    report = scanner.check_health(HealthLevel.INTERACTIVE, ScriptedTechnician(lambda: scanner.scan("TEST-CODE-123")))
    assert report.passed and "13 characters" in report.summary


@pytest.mark.parametrize("readable, passed", [(True, True), (False, False)])
def test_interactive_printer_check_asks_whether_the_page_is_readable(readable, passed) -> None:
    printer = SimulatedReceiptPrinter()
    printer.open()
    technician = ScriptedTechnician(answer=readable)
    report = printer.check_health(HealthLevel.INTERACTIVE, technician)
    assert report.passed is passed and len(printer.spool) == 1
    assert technician.questions == ["technician.check.test_page_readable"]


def test_internal_printer_check_reports_paper_out() -> None:
    printer = SimulatedReceiptPrinter()
    printer.open()
    printer.inject_fault(SimulatedFault.PAPER_OUT)
    report = printer.check_health(HealthLevel.INTERNAL)
    assert not report.passed and report.code is CompletionCode.PAPER_OUT


def test_interactive_check_without_a_technician_is_unsupported() -> None:
    reader = SimulatedCardReader()
    reader.open()
    assert reader.check_health(HealthLevel.INTERACTIVE).code is CompletionCode.UNSUPPORTED


@pytest.mark.parametrize("profile, drivers", [
    ("demo", {"card_reader": "SimulatedCardReader", "qr_scanner": "SimulatedQrScanner",
              "receipt_printer": "SimulatedReceiptPrinter", "document_printer": "SimulatedDocumentPrinter"}),
    ("service_hall", {"card_reader": "PcscCardReader", "qr_scanner": "SerialQrScanner",
                      "receipt_printer": "EscposReceiptPrinter", "document_printer": "CupsDocumentPrinter"}),
    ("bank_branch", {"card_reader": "PcscCardReader", "qr_scanner": "HidWedgeScanner",
                     "receipt_printer": "EscposReceiptPrinter", "document_printer": "CupsDocumentPrinter"}),
])
def test_every_shipped_profile_builds_its_drivers(profile, drivers) -> None:
    manager = build_device_manager(load_settings(profile))
    built = {device.device_class.value: type(device).__name__ for device in manager.devices}
    assert built == drivers


def test_driver_none_leaves_the_class_out(tmp_path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[terminal]\nid = "SITE-1"\n[devices.qr_scanner]\ndriver = "none"\n'
                    '[devices.document_printer]\ndriver = "none"\n', encoding="utf-8")
    manager = build_device_manager(load_settings(str(site)))
    assert manager.qr_scanner is None and manager.document_printer is None
    assert manager.get(DeviceClass.CARD_READER) is not None


def test_every_completion_code_has_a_citizen_message() -> None:
    for code in CompletionCode:
        if code is CompletionCode.SUCCESS:
            continue
        error = error_from_device(code, "detail for the technician")
        assert error.code == f"device_{code.value}"
        assert error.citizen_message("zh") and error.citizen_message("en")
        assert "detail for the technician" not in error.citizen_message("zh")
    assert error_from_device(CompletionCode.PIN_BLOCKED).kind is ErrorKind.USER
    assert error_from_device(CompletionCode.PAPER_OUT).kind is ErrorKind.HARDWARE
    assert "12333" in error_from_device(CompletionCode.NO_DEVICE).citizen_message("zh")


def test_the_receipt_printers_font_charset_comes_from_the_profile(tmp_path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[terminal]\nid = "SITE-1"\n[devices.receipt_printer]\ndriver = "file"\n'
                    f'address = "{tmp_path / "receipt.bin"}"\nfont_charset = "gb18030"\n', encoding="utf-8")
    printer = build_device_manager(load_settings(str(site))).receipt_printer
    assert printer.capabilities.font_charset == "gb18030"
    site.write_text(site.read_text(encoding="utf-8").replace("gb18030", "big5"), encoding="utf-8")
    with pytest.raises(ConfigError, match="font_charset"):
        load_settings(str(site))


def test_every_message_id_a_driver_passes_the_technician_has_a_text_for() -> None:
    """Drivers say only ids (devices import nothing of the kiosk); the technician table has their words."""
    from kiosk.texts.technician import TEXTS

    devices = Path(__file__).resolve().parents[2] / "devices"
    ids = {match for path in devices.rglob("*.py")
           for match in re.findall(r"\.(?:instruct|confirm)\(\s*\"([^\"]+)\"", path.read_text(encoding="utf-8"))}
    assert len(ids) >= 5
    for message_id in ids:
        assert set(TEXTS.get(message_id, {})) == {"zh", "en"}, message_id
