"""Technician diagnostics mode on the real kiosk: the real window and flow, the device
simulators, the embedded reference back office on loopback, and the real journal,
counters and technician gate in a temporary storage directory.

What is checked is what a technician would see and what the hall would care about:
the hidden entry only works on the idle screen, the PIN gate locks and journals, the
citizen flow is suspended while the technician works, every panel shows the right
thing, interactive checks talk to the technician, the exported bundle and every widget
text are free of full ssns. Screenshots of every panel go to /tmp/technician-shots/.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import subprocess
import sys
import time
import zipfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPlainTextEdit, QTableWidget, QWidget

from backoffice.demo_data import demo_citizen, demo_citizens
from devices.model import DeviceClass, HealthLevel
from kiosk_app.composition import KioskApp
from kiosk.config import load_settings
from kiosk.flow_state import Intent, Screen
from kiosk.journal import COUNTERS_RESET, TECHNICIAN_ACTION, TECHNICIAN_LOGIN
from kiosk.redaction import RedactingFilter
from kiosk.technician_auth import hash_pin
from tests.ui.screen_checks import clipped_widgets, rich_text_labels, small_targets
from kiosk_demo.scenarios import JourneyDriver, ScriptClock, start_kiosk
from ui.screenshots import render_widget_png
from ui.technician.panels.backoffice import BackofficePanel
from ui.technician.panels.config import ConfigPanel
from ui.technician.panels.counters import CountersPanel
from ui.technician.panels.devices import DevicesPanel
from ui.technician.panels.export import ExportPanel
from ui.technician.panels.health import HealthPanel
from ui.technician.panels.journal import JournalPanel
from ui.technician.panels.logs import LogsPanel
from ui.technician.panels.system import SystemPanel
from kiosk.services.contributions import ContributionsScreens

TEST_PIN = "480613"
WRONG_PIN = "135790"
SHOTS = Path("/tmp/technician-shots")
ALL_SSNS = [citizen.ssn for citizen in demo_citizens()]
ZHANG = demo_citizen("zhang_wei")
WAIT_MS = 20_000
DEBOUNCE_S = 0.45   # KioskButton's default debounce, and a little


@pytest.fixture(scope="module")
def pin_hash() -> str:
    # 10,000 iterations (the lowest the profile accepts) keeps the tests quick; a terminal uses 600,000.
    return hash_pin(TEST_PIN, iterations=10_000)


class Technician:
    """Works the kiosk like a technician (touches, keys) and like the hall (cards, codes)."""

    def __init__(self, qtbot, kiosk: KioskApp, driver: JourneyDriver) -> None:
        self.qtbot = qtbot
        self.kiosk = kiosk
        self.driver = driver
        self._last_clicks: dict[int, float] = {}

    @property
    def mode(self):
        return self.kiosk.technician

    @property
    def window(self):
        return self.mode.window

    def wait(self, predicate, timeout_ms: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(predicate, timeout=timeout_ms)

    def click(self, button: QAbstractButton) -> None:
        assert button.isVisible() and button.isEnabled(), button.objectName()
        # A finger cannot tap the same button twice within its debounce (a double tap is one action).
        last = self._last_clicks.get(id(button))
        if last is not None and time.monotonic() - last < DEBOUNCE_S:
            self.qtbot.wait(round((DEBOUNCE_S - (time.monotonic() - last)) * 1000) + 1)
        self._last_clicks[id(button)] = time.monotonic()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))
        QApplication.processEvents()

    def press_key(self, key: Qt.Key) -> None:
        QTest.keyClick(self.kiosk.window.centralWidget().currentWidget(), key)
        QApplication.processEvents()

    def open_with_key(self) -> None:
        self.press_key(Qt.Key.Key_F12)
        assert self.mode.active
        self.wait(lambda: self.window.login.outcome_key == "technician.login.ready")

    def type_pin(self, pin: str) -> None:
        """On the service keyboard: digits, then Enter."""
        QTest.keyClicks(self.window.login, pin)
        QTest.keyClick(self.window.login, Qt.Key.Key_Return)
        QApplication.processEvents()

    def sign_in(self) -> None:
        self.open_with_key()
        login = self.window.login
        for digit in TEST_PIN:   # on the touch keypad (the digits differ, so no debounce in the way)
            self.click(login.digit_buttons[digit])
        self.click(login.ok_button)
        self.wait(lambda: self.window.pages.currentWidget() is self.window.main_page)

    def show(self, panel_class):
        index = next(i for i, panel in enumerate(self.window.panels) if isinstance(panel, panel_class))
        self.click(self.window.nav_buttons[index])
        return self.window.current_panel()

    def shot(self, name: str, size=(1920, 1080)) -> Path:
        QApplication.processEvents()
        path = render_widget_png(self.window, SHOTS / f"{name}.png", size)
        self.window.resize(*self.kiosk.window.size().toTuple())
        return path

    def journal(self, kind: str | None = None) -> list:
        return self.kiosk.journal.entries(limit=1000, kinds=[kind] if kind else None)


def texts_of(root: QWidget) -> list[str]:
    """Every text a widget tree can show: labels, buttons, table cells, text views, fields, names."""
    texts = [w.text() for w in root.findChildren(QLabel)] + [w.text() for w in root.findChildren(QAbstractButton)]
    texts += [w.toPlainText() for w in root.findChildren(QPlainTextEdit)]
    texts += [w.text() for w in root.findChildren(QLineEdit)]
    for view in root.findChildren(QTableWidget):
        for row in range(view.rowCount()):
            for column in range(view.columnCount()):
                item = view.item(row, column)
                if item is not None:
                    texts.append(item.text())
        header = [view.horizontalHeaderItem(column) for column in range(view.columnCount())]
        texts += [item.text() for item in header if item is not None]
    texts += [w.accessibleName() for w in root.findChildren(QWidget)]
    return [text for text in texts if text]


def assert_no_full_ssn(root: QWidget) -> None:
    shown = "\n".join(texts_of(root))
    assert [ssn for ssn in ALL_SSNS if ssn in shown] == [], "a full social security number is on screen"


def table_rows(view: QTableWidget) -> list[tuple[str, ...]]:
    return [tuple(view.item(row, column).text() if view.item(row, column) else ""
                  for column in range(view.columnCount())) for row in range(view.rowCount())]


@pytest.fixture
def technician(qtbot, tmp_path, pin_hash):
    made = []
    handlers = []

    def make(*, pin: str | None = "use-test-pin", **mode_options) -> Technician:
        base = load_settings("demo")
        log_dir = tmp_path / f"log-{len(made)}"
        settings = dataclasses.replace(
            base,
            technician=dataclasses.replace(base.technician, pin_hash=pin_hash if pin == "use-test-pin" else "",
                                           gesture_hold_s=1.5),
            storage=dataclasses.replace(base.storage, directory=str(tmp_path / f"state-{len(made)}")),
            logging=dataclasses.replace(base.logging, directory=str(log_dir)))
        # The kiosk's log file, written the way `configure_logging` writes it.
        log_dir.mkdir(parents=True)
        handler = RotatingFileHandler(log_dir / "kiosk.log", encoding="utf-8")
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logging.getLogger().addHandler(handler)
        handlers.append(handler)
        clock = ScriptClock()
        kiosk, window = start_kiosk(settings, clock=clock, technician_options=mode_options)
        made.append((kiosk, window))
        driver = JourneyDriver(kiosk, None, (1920, 1080), clock)
        driver.wait_screen(Screen.ATTRACT)
        return Technician(qtbot, kiosk, driver)

    yield make
    for kiosk, window in made:
        kiosk.shutdown()
        window.close()
    for handler in handlers:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_the_technician_backend_is_qt_free():
    code = "import sys, kiosk.technician_backend; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- entry -------------------------------------------------------------------------------

def test_long_press_in_the_corner_opens_the_pin_screen_only_on_the_idle_screen(technician):
    tech = technician()
    kiosk, mode = tech.kiosk, tech.mode
    attract = kiosk.window.attract

    # A short tap in the corner, and a long press elsewhere, do nothing.
    QTest.mousePress(attract, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert mode.entry.hold_pending
    QTest.mouseRelease(attract, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert not mode.entry.hold_pending
    QTest.mousePress(attract, Qt.MouseButton.LeftButton, pos=QPoint(400, 400))
    assert not mode.entry.hold_pending
    QTest.mouseRelease(attract, Qt.MouseButton.LeftButton, pos=QPoint(400, 400))
    assert not mode.active

    # Held for gesture_hold_s in the top-left corner: the PIN screen, and the kiosk out of service.
    QTest.mousePress(attract, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    tech.wait(lambda: mode.active)
    QTest.mouseRelease(attract, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert mode.window.isVisible() and mode.window.pages.currentWidget() is mode.window.login
    assert mode.window.geometry() == kiosk.window.geometry()
    assert kiosk.machine.state.screen is Screen.OUT_OF_SERVICE
    assert kiosk.machine.state.out_of_service_key == "out_of_service.maintenance"
    tech.wait(lambda: mode.window.login.outcome_key == "technician.login.ready")
    tech.shot("01-pin-zh")
    assert clipped_widgets(mode.window) == [] and rich_text_labels(mode.window) == []
    assert small_targets(mode.window, kiosk.theme.min_target_px()) == []
    tech.click(mode.window.login.cancel_button)
    assert not mode.active and not mode.window.isVisible()
    tech.driver.wait_screen(Screen.ATTRACT)

    # During a citizen session neither the corner nor the key opens anything.
    tech.driver.card_to_menu("A00000019", shots=False)
    menu = kiosk.window.centralWidget().currentWidget()
    QTest.mousePress(menu, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert not mode.entry.hold_pending
    tech.qtbot.wait(2000)      # longer than the hold: still nothing
    QTest.mouseRelease(menu, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    tech.press_key(Qt.Key.Key_F12)
    assert not mode.active
    assert kiosk.machine.in_session and kiosk.machine.state.screen is Screen.MENU
    tech.driver.finish_and_leave()


def test_wrong_pins_lock_entry_and_every_attempt_is_journaled_without_the_pin(technician):
    tech = technician()
    tech.open_with_key()
    login = tech.window.login
    catalog = tech.kiosk.catalog
    for tries_left in (4, 3, 2, 1):
        tech.type_pin(WRONG_PIN)
        expected = catalog.text("technician.login.wrong", "zh").format(count=tries_left)
        tech.wait(lambda: login.status_text == expected)
    tech.type_pin(WRONG_PIN)
    tech.wait(lambda: login.outcome_key == "technician.login.locked")
    minutes, seconds = re.search(r"(\d\d):(\d\d)", login.status_text).groups()
    assert 0 < int(minutes) * 60 + int(seconds) <= tech.kiosk.settings.technician.lockout_s
    tech.shot("02-pin-locked-zh")
    # The sixth try, with the right PIN, is refused without being checked.
    tech.type_pin(TEST_PIN)
    tech.wait(lambda: len(tech.journal(TECHNICIAN_LOGIN)) == 6)
    tech.wait(lambda: login.outcome_key == "technician.login.locked")
    assert tech.window.pages.currentWidget() is login
    entries = tech.journal(TECHNICIAN_LOGIN)
    assert [entry.fields["outcome"] for entry in reversed(entries)] == ["wrong"] * 5 + ["locked"]
    journal_text = repr([entry.as_dict() for entry in entries])
    assert TEST_PIN not in journal_text and WRONG_PIN not in journal_text
    assert tech.kiosk.technician_gate.status().outcome == "locked"


def test_technician_mode_not_set_up_says_so(technician):
    tech = technician(pin=None)
    tech.press_key(Qt.Key.Key_F12)
    login = tech.window.login
    tech.wait(lambda: login.outcome_key == "technician.login.disabled")
    assert "no PIN hash" in tech.kiosk.catalog.text("technician.login.disabled", "en")
    assert login.status_text == tech.kiosk.catalog.text("technician.login.disabled", "zh")
    tech.click(login.language_button)
    assert login.status_text == tech.kiosk.catalog.text("technician.login.disabled", "en")
    tech.shot("03-pin-disabled-en")
    tech.click(login.cancel_button)
    assert not tech.mode.active


def test_signed_in_the_citizen_flow_is_suspended_until_the_technician_leaves(technician):
    tech = technician()
    kiosk = tech.kiosk
    tech.sign_in()
    assert kiosk.machine.state.screen is Screen.OUT_OF_SERVICE
    tech.driver.insert_card("A00000019")
    tech.driver.pump(0.3)
    assert kiosk.machine.state.screen is Screen.OUT_OF_SERVICE and not kiosk.machine.in_session
    tech.click(tech.window.leave_button)
    assert not tech.mode.active and not tech.window.isVisible()
    tech.driver.wait_screen(Screen.ATTRACT)
    # The hall is open again: a card starts a session.
    tech.driver.remove_card()
    tech.driver.insert_card("A00000019")
    tech.driver.wait_screen(Screen.PIN)
    tech.driver.remove_card()
    tech.driver.wait_screen(Screen.ATTRACT)
    tech.wait(lambda: bool(tech.journal("technician.logout")))   # journaled by a worker
    assert "leave" in [entry.fields.get("action") for entry in tech.journal(TECHNICIAN_ACTION)]


def test_inactivity_leaves_technician_mode(technician):
    tech = technician(idle_timeout_s=0.5, login_timeout_s=0.5)
    tech.sign_in()
    tech.wait(lambda: not tech.mode.active)
    assert not tech.window.isVisible()
    tech.driver.wait_screen(Screen.ATTRACT)
    tech.wait(lambda: bool(tech.journal("technician.logout")))
    assert [entry.fields.get("reason") for entry in tech.journal(TECHNICIAN_ACTION)
            if entry.fields.get("action") == "leave"] == ["inactivity"]


# --- panels ---------------------------------------------------------------------------------

def test_panels_show_devices_counters_backoffice_configuration_journal_and_logs(technician):
    tech = technician()
    kiosk, driver = tech.kiosk, tech.driver
    # A citizen prints a contribution receipt first: counters and journal have something to show.
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    driver.press(Intent.PRINT_RECEIPT)
    driver.wait(lambda s: s.receipt_status == "printed", "printed")
    driver.finish_and_leave()
    # A log line written by something that forgot to mask, straight into the file.
    with open(kiosk.log_dir / "kiosk.log", "a", encoding="utf-8") as log_file:
        log_file.write(f"2026-01-01 00:00:00 INFO legacy.tool card of {ZHANG.ssn} read\n")
    logging.getLogger("kiosk.test").warning("technician test marker line")

    tech.sign_in()
    window = tech.window
    theme = tech.mode.theme

    devices = window.current_panel()
    assert isinstance(devices, DevicesPanel)
    shown = "\n".join(texts_of(devices))
    for device in kiosk.devices.devices:
        assert device.name in shown
    assert shown.count("在线 (online)") == len(list(kiosk.devices.devices))
    assert "SimulatedCardReader" in shown
    tech.shot("10-devices-zh")
    tech.shot("10-devices-zh-1280x1024", (1280, 1024))
    # Live: a printer running out of paper shows at once.
    from devices.simulators.faults import SimulatedFault
    kiosk.devices.receipt_printer.inject_fault(SimulatedFault.PAPER_OUT)
    tech.wait(lambda: "纸：缺纸" in "\n".join(texts_of(devices)))
    kiosk.devices.receipt_printer.clear_fault()

    counters = tech.show(CountersPanel)
    tech.wait(lambda: ("凭条打印机", "receipts_printed", "1") in table_rows(counters.table))
    tech.shot("11-counters-zh")
    tech.click(counters.paper_buttons["receipt_printer"])
    tech.wait(lambda: ("凭条打印机", "receipts_printed", "0") in table_rows(counters.table))
    assert "receipts_printed 1" in counters.message_label.text()
    reset = tech.journal(COUNTERS_RESET)
    assert reset and reset[0].fields["scope"] == "receipt_printer" and "receipts_printed=1" in reset[0].fields["before"]

    backoffice = tech.show(BackofficePanel)
    tech.wait(lambda: backoffice.result_label.text().startswith("后台地址"))
    result = backoffice.result_label.text()
    assert "http://127.0.0.1" in result and "毫秒" in result and "延迟" in result
    assert "加密：无（http，未使用 TLS）" in result and "证书" not in result
    assert "待发送的业务：0 笔" in backoffice.outbox_label.text()
    assert backoffice.heartbeat_label.text().startswith("心跳")
    tech.shot("12-backoffice-zh")

    config = tech.show(ConfigPanel)
    tech.wait(lambda: config.table.rowCount() > 20)
    rows = dict(table_rows(config.table))
    assert rows["technician.pin_hash"] == "•••• (set)" and rows["terminal.secret"] == "•••• (set)"
    config_text = "\n".join(texts_of(config))
    assert kiosk.settings.terminal.secret not in config_text and kiosk.settings.technician.pin_hash not in config_text
    tech.shot("13-config-zh")

    journal = tech.show(JournalPanel)
    tech.wait(lambda: journal.verify_label.text().startswith("防篡改校验"))
    kinds = {row[2] for row in table_rows(journal.table)}
    assert {"kiosk.started", "session.started", "technician.login", "counters.reset"} <= kinds
    assert journal.verify_label.text().startswith("防篡改校验通过：哈希链完整，已校验")
    tech.shot("14-journal-zh")
    tech.click(journal.older_button)    # one page holds them all: still the same rows, no crash

    logs = tech.show(LogsPanel)
    tech.wait(lambda: "technician test marker line" in logs.view.toPlainText())
    log_text = logs.view.toPlainText()
    assert ZHANG.ssn not in log_text and f"card of {ZHANG.ssn[:4]}" in log_text
    tech.shot("15-logs-zh")

    system = tech.show(SystemPanel)
    assert kiosk.settings.terminal.id in system.about_label.text()
    tech.shot("16-system-zh")

    # English, and the whole window's rules: plain text, 12 mm targets, no full ssn anywhere.
    tech.click(window.language_button)
    tech.show(DevicesPanel)
    assert "State: online" in "\n".join(texts_of(window))
    tech.shot("20-devices-en")
    tech.show(BackofficePanel)
    tech.wait(lambda: "Encryption: none (http, no TLS)" in backoffice.result_label.text())
    tech.shot("21-backoffice-en")
    tech.show(CountersPanel)
    tech.shot("22-counters-en")
    tech.show(JournalPanel)
    tech.shot("23-journal-en")
    assert rich_text_labels(window) == []
    for size in ((1920, 1080), (1280, 1024)):
        window.resize(*size)
        for language in ("zh", "en"):
            window.set_language(language)
            for panel in window.panels:
                tech.show(type(panel))
                QApplication.processEvents()
                assert clipped_widgets(window) == [], (size, language, type(panel).__name__)
                assert small_targets(window, theme.min_target_px()) == []
                assert_no_full_ssn(window)


def test_interactive_health_checks_talk_to_the_technician(technician):
    tech = technician()
    kiosk = tech.kiosk
    tech.sign_in()
    health = tech.show(HealthPanel)
    rows = health._rows
    printer = rows[DeviceClass.RECEIPT_PRINTER]

    # Internal checks of every device pass.
    for device_class, row in rows.items():
        tech.click(row["buttons"][HealthLevel.INTERNAL])
        tech.wait(lambda row=row: row["result"].text().startswith("通过 PASS"))

    # The receipt printer prints a test page and asks whether it is readable.
    question = "测试页是否清晰可读"
    tech.click(printer["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.yes_button.isVisible() and question in health.question_label.text())
    tech.shot("30-health-question-zh")
    tech.click(health.yes_button)
    tech.wait(lambda: printer["result"].text().startswith("通过 PASS · 交互检查"))
    tech.click(printer["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.no_button.isVisible())
    tech.click(health.no_button)
    tech.wait(lambda: printer["result"].text().startswith("失败 FAIL · 交互检查"))

    # The card reader asks for a card and reads it; only masked data is shown.
    reader = rows[DeviceClass.CARD_READER]
    tech.click(reader["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: "请插入一张社会保障卡" in health.instruction_label.text())
    tech.shot("31-health-insert-card-zh")
    tech.driver.insert_card("A00000019")
    tech.wait(lambda: reader["result"].text().startswith("通过 PASS · 交互检查"))
    assert "3201" in reader["result"].text() and "*" in reader["result"].text()
    assert_no_full_ssn(tech.window)
    tech.shot("32-health-results-zh")
    tech.driver.remove_card()

    # The scanner must read the test code shown on screen (decoded from the screen's own pixels).
    scanner = rows[DeviceClass.QR_SCANNER]
    tech.click(scanner["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.qr_label.isVisible() and "请扫描测试二维码" in health.instruction_label.text())
    tech.shot("33-health-scan-zh")
    image = SHOTS / "scanner-test-code.png"
    health.qr_label.pixmap().save(str(image))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
    assert decoded.stdout.strip() == health.scanner_test_code
    kiosk.devices.qr_scanner.scan(decoded.stdout.strip())
    tech.wait(lambda: scanner["result"].text().startswith("通过 PASS · 交互检查"))
    # A different code (someone's phone) fails the check.
    tech.click(scanner["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.qr_label.isVisible())
    kiosk.devices.qr_scanner.scan("SOMETHING-ELSE")
    tech.wait(lambda: scanner["result"].text().startswith("失败 FAIL"))

    # Cancel ends a check that waits for the technician.
    tech.click(reader["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.cancel_button.isVisible())
    tech.click(health.cancel_button)
    tech.wait(lambda: reader["result"].text().startswith("跳过 SKIP") and health._running is None)
    assert "cancelled by the technician" in reader["result"].text()

    checks = [entry.fields for entry in tech.journal(TECHNICIAN_ACTION) if entry.fields.get("action") == "health_check"]
    assert len(checks) == len(rows) + 6     # the internal ones, then 2 printer, 1 card, 2 scanner, 1 cancelled
    assert {fields["result"] for fields in checks} == {"pass", "fail", "skip"}
    assert kiosk.machine.state.screen is Screen.OUT_OF_SERVICE and not kiosk.machine.in_session


def test_export_writes_a_bundle_without_any_full_ssn(technician, tmp_path):
    tech = technician()
    driver = tech.driver
    # Card data everywhere it could leak: a session, a receipt, a card read by a health check.
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    driver.press(Intent.PRINT_RECEIPT)
    driver.wait(lambda s: s.receipt_status == "printed", "printed")
    driver.finish_and_leave()
    tech.sign_in()
    health = tech.show(HealthPanel)
    reader = health._rows[DeviceClass.CARD_READER]
    tech.click(reader["buttons"][HealthLevel.INTERACTIVE])
    tech.wait(lambda: health.instruction_label.isVisible())
    driver.insert_card("A00000019")
    tech.wait(lambda: reader["result"].text().startswith("通过 PASS · 交互检查"))
    driver.remove_card()
    tech.show(BackofficePanel)
    tech.wait(lambda: tech.window.panel(BackofficePanel)._found is not None)

    export = tech.show(ExportPanel)
    tech.wait(lambda: export.path_field.text() != "")
    target = tmp_path / "usb-stick"
    target.mkdir()
    export.path_field.setText(str(target))
    tech.click(export.export_button)
    tech.wait(lambda: export.result_label.text().startswith("已写入"))
    tech.shot("40-export-zh")
    bundles = list(target.glob("*.zip"))
    assert len(bundles) == 1 and str(bundles[0]) in export.result_label.text()
    with zipfile.ZipFile(bundles[0]) as archive:
        members = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert {"config.txt", "devices.json", "health.json", "journal.jsonl", "connectivity.json"} <= set(members)
    assert "card-reader-sim" in members["health.json"] and "3201" in members["health.json"]
    assert "session.started" in members["journal.jsonl"]
    for name, text in members.items():
        assert [ssn for ssn in ALL_SSNS if ssn in text] == [], f"{name} holds a full ssn"
    assert any(entry.fields.get("action") == "export_bundle" for entry in tech.journal(TECHNICIAN_ACTION))

    # A folder that does not exist: a plain error, nothing written.
    export.path_field.setText(str(tmp_path / "missing" / "bundle.zip"))
    tech.click(export.export_button)
    tech.wait(lambda: export.result_label.text().startswith("未导出"))
    assert "does not exist" in export.result_label.text()
    assert_no_full_ssn(tech.window)


def test_restart_asks_first_then_calls_request_restart(technician):
    tech = technician()
    restarts = []
    tech.kiosk.request_restart = lambda: restarts.append(True)   # the real one leaves the event loop
    tech.sign_in()
    system = tech.show(SystemPanel)
    tech.click(system.restart_button)
    assert system.confirm_label.isVisible() and restarts == []
    tech.shot("41-restart-confirm-zh")
    tech.click(system.no_button)
    assert not system.yes_button.isVisible() and restarts == []
    tech.click(system.restart_button)
    tech.click(system.yes_button)
    assert restarts == [True]
    assert not tech.mode.active


def test_submissions_held_by_a_refused_terminal_are_raised_to_the_technician(technician):
    tech = technician()
    outbox = tech.kiosk.outbox
    entry = outbox.add("pension_transfer", "k" * 32, {"from_region": "440100", "contact_mobile": "13812345678"},
                       "0123456789abcdef." + "a" * 64)
    outbox.attempt_failed(entry.key, "clock_skew", time.time() + 3600)
    tech.sign_in()
    backoffice = tech.show(BackofficePanel)
    tech.wait(lambda: "被扣留" in backoffice.outbox_label.text())
    text = backoffice.outbox_label.text()
    assert "clock_skew" in text and entry.reference in text and "13812345678" not in text
    assert backoffice.outbox_label.property("role") == "bad"
