"""The keyboard-wedge scanner with synthesized key events (pytest-qt, offscreen).

Key events are sent where hardware keys enter a Qt application, the window, with
timestamps the test chooses: a scanner types a key every few milliseconds, a person
every 150 ms or so. A QLineEdit with focus shows what reached the widgets.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent, QWindow  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget  # noqa: E402

from devices.model import CodeScanned, CompletionCode, DeviceState, MediaState, PaperState, ScanFailed  # noqa: E402
from devices.scanner.hid_wedge import HidWedgeScanner, focus_accepts_text  # noqa: E402

SCANNER_GAP_MS = 5
HUMAN_GAP_MS = 150
SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')


class KeyRecorder(QObject):
    """Every key press and release that reaches the watched widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.keys: list[tuple[str, str]] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            self.keys.append(("press" if event.type() == QEvent.Type.KeyPress else "release", event.text()))
        return False


@dataclass
class Form:
    window: QWidget
    line: QLineEdit
    button: QPushButton
    recorder: KeyRecorder
    entered: list[str]  # the line's text each time Enter reached it


class Keyboard:
    """Sends key events to a window, as the platform does, with chosen timestamps."""

    def __init__(self, window: QWindow) -> None:
        self.window = window
        self.clock_ms = 1_000_000
        self.use_timestamps = True

    def send(self, kind: QEvent.Type, key, text: str = "", modifiers=Qt.KeyboardModifier.NoModifier,
             autorepeat: bool = False, at_ms: int | None = None) -> None:
        event = QKeyEvent(kind, key, modifiers, text, autorepeat)
        event.setTimestamp((self.clock_ms if at_ms is None else at_ms) if self.use_timestamps else 0)
        QCoreApplication.sendEvent(self.window, event)

    def tap(self, char: str, gap_ms: int) -> None:
        self.clock_ms += gap_ms
        key = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        shifted = char.isupper() or char in SHIFTED
        modifiers = Qt.KeyboardModifier.ShiftModifier if shifted else Qt.KeyboardModifier.NoModifier
        if shifted:
            self.send(QEvent.Type.KeyPress, Qt.Key.Key_Shift, modifiers=modifiers)
        self.send(QEvent.Type.KeyPress, key, char, modifiers)
        self.send(QEvent.Type.KeyRelease, key, char, modifiers, at_ms=self.clock_ms + 1)
        if shifted:
            self.send(QEvent.Type.KeyRelease, Qt.Key.Key_Shift, at_ms=self.clock_ms + 1)

    def type(self, text: str, gap_ms: int) -> None:
        for char in text:
            self.tap(char, gap_ms)

    def enter(self, gap_ms: int) -> None:
        self.clock_ms += gap_ms
        self.send(QEvent.Type.KeyPress, Qt.Key.Key_Return, "\r")
        self.send(QEvent.Type.KeyRelease, Qt.Key.Key_Return, "\r", at_ms=self.clock_ms + 1)

    def scan(self, code: str) -> None:
        self.type(code, SCANNER_GAP_MS)
        self.enter(SCANNER_GAP_MS)

    def pause(self, ms: int) -> None:
        self.clock_ms += ms


class Published:
    def __init__(self, scanner: HidWedgeScanner) -> None:
        self.events: list = []
        scanner.subscribe(self.events.append)

    @property
    def scans(self) -> list[CodeScanned | ScanFailed]:
        return [event for event in self.events if isinstance(event, (CodeScanned, ScanFailed))]

    @property
    def codes(self) -> list[str]:
        return [event.code for event in self.events if isinstance(event, CodeScanned)]

    @property
    def failures(self) -> list[ScanFailed]:
        return [event for event in self.events if isinstance(event, ScanFailed)]


@pytest.fixture
def form(qtbot, qapp) -> Form:
    if not isinstance(qapp, QApplication):  # creating a QWidget would abort the whole run
        pytest.fail("an earlier test created a bare QGuiApplication; widget tests need pytest-qt's QApplication")
    window = QWidget()
    layout = QVBoxLayout(window)
    line, button = QLineEdit(), QPushButton("OK")
    layout.addWidget(line)
    layout.addWidget(button)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    line.setFocus()
    entered: list[str] = []
    line.returnPressed.connect(lambda: entered.append(line.text()))
    return Form(window, line, button, KeyRecorder(line), entered)


@pytest.fixture
def keyboard(form: Form) -> Keyboard:
    return Keyboard(form.window.windowHandle())


@pytest.fixture
def make_wedge(qapp):
    made: list[HidWedgeScanner] = []

    def make(**options) -> tuple[HidWedgeScanner, Published]:
        scanner = HidWedgeScanner("wedge", **options)
        published = Published(scanner)
        made.append(scanner)
        scanner.open()
        return scanner, published

    yield make
    for scanner in made:
        scanner.close()


def type_sentinel(qtbot, keyboard: Keyboard, form: Form, char: str = "z") -> None:
    """A person's key after the scan: once it is in the field, nothing held before it is still coming."""
    keyboard.tap(char, HUMAN_GAP_MS)
    qtbot.waitUntil(lambda: form.line.text().endswith(char))


# --- scans -------------------------------------------------------------------------------

def test_a_fast_burst_ending_in_enter_is_one_code_and_reaches_no_widget(qtbot, form, keyboard, make_wedge) -> None:
    scanner, published = make_wedge()
    assert scanner.status.state is DeviceState.ONLINE
    keyboard.scan("ECARD0123456789abcdef")
    assert published.codes == ["ECARD0123456789abcdef"]
    assert form.line.text() == "" and form.recorder.keys == [] and form.entered == []
    type_sentinel(qtbot, keyboard, form)
    assert form.line.text() == "z"
    assert form.recorder.keys == [("press", "z"), ("release", "z")]  # not even the scanner's Enter release
    assert published.codes == ["ECARD0123456789abcdef"] and published.failures == []
    assert scanner.statistics.snapshot()["codes_scanned"] == 1


def test_a_scan_with_shifted_and_chinese_characters(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    code = "Ab~中文-XYZ@社保卡#9 Q"
    keyboard.scan(code)
    assert published.codes == [code]
    type_sentinel(qtbot, keyboard, form)
    assert form.line.text() == "z"


def test_two_scans_in_a_row(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.scan("FIRST-CODE-1")
    keyboard.pause(400)
    keyboard.scan("SECOND-CODE-2")
    assert published.codes == ["FIRST-CODE-1", "SECOND-CODE-2"]
    assert form.line.text() == ""


# --- people ------------------------------------------------------------------------------

def test_human_typing_reaches_the_field_in_order_and_scans_nothing(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.type("Hello, 社保 World!", HUMAN_GAP_MS)
    keyboard.enter(HUMAN_GAP_MS)
    qtbot.waitUntil(lambda: form.entered != [])
    assert form.entered == ["Hello, 社保 World!"]  # Enter came after every letter
    assert published.scans == []


def test_human_typing_in_real_time_without_timestamps(qtbot, form, keyboard, make_wedge) -> None:
    """No usable timestamps (0): the monotonic clock measures the gaps, the hold timer replays."""
    _, published = make_wedge()
    keyboard.use_timestamps = False
    for char in "Kiosk":
        keyboard.tap(char, 0)
        qtbot.wait(60)  # slower than a scanner, so each key is replayed on its own
    qtbot.waitUntil(lambda: form.line.text() == "Kiosk")
    assert published.scans == []


def test_fast_keys_without_timestamps_are_still_a_scan(qtbot, form, keyboard, make_wedge) -> None:
    # A generous interval: back-to-back sends are far below it even on a loaded machine.
    _, published = make_wedge(max_interkey_ms=500, burst_timeout_ms=5000)
    keyboard.use_timestamps = False
    keyboard.scan("NO-TIMESTAMP-CODE")
    assert published.codes == ["NO-TIMESTAMP-CODE"]
    assert form.line.text() == ""


def test_typing_then_a_scan_then_typing(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.type("12", HUMAN_GAP_MS)
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("ABCDEFGH12345")
    keyboard.type("3", HUMAN_GAP_MS)
    qtbot.waitUntil(lambda: form.line.text() == "123")
    assert published.codes == ["ABCDEFGH12345"] and published.failures == []
    assert form.entered == []


def test_a_few_rolled_keys_are_a_person_not_a_scan(qtbot, form, keyboard, make_wedge) -> None:
    """A fast typist rolls two or three keys within milliseconds; that is still typing."""
    _, published = make_wedge()
    keyboard.type("abc", 20)
    keyboard.enter(20)
    qtbot.waitUntil(lambda: form.entered != [])
    assert form.entered == ["abc"]
    keyboard.type("de", 20)
    qtbot.waitUntil(lambda: form.line.text() == "abcde")
    assert published.scans == []


def test_auto_repeat_is_a_person_holding_a_key(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.send(QEvent.Type.KeyPress, Qt.Key.Key_A, "a")
    for _ in range(11):
        keyboard.clock_ms += 30
        keyboard.send(QEvent.Type.KeyRelease, Qt.Key.Key_A, "a", autorepeat=True)
        keyboard.send(QEvent.Type.KeyPress, Qt.Key.Key_A, "a", autorepeat=True)
    keyboard.send(QEvent.Type.KeyRelease, Qt.Key.Key_A, "a")
    keyboard.enter(30)
    qtbot.waitUntil(lambda: form.entered != [])
    assert form.entered == ["a" * 12]
    assert published.scans == []


def test_other_keys_of_a_person_keep_their_order(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.type("abx", HUMAN_GAP_MS)
    keyboard.clock_ms += 10  # Backspace right after the held "x": it must not overtake it
    keyboard.send(QEvent.Type.KeyPress, Qt.Key.Key_Backspace, "\b")
    keyboard.send(QEvent.Type.KeyRelease, Qt.Key.Key_Backspace, "\b")
    keyboard.type("c", HUMAN_GAP_MS)
    qtbot.waitUntil(lambda: form.line.text() == "abc")
    assert published.scans == []


# --- failed scans ------------------------------------------------------------------------

def test_fast_keys_without_enter_fail_once_and_type_nothing(qtbot, form, keyboard, make_wedge) -> None:
    scanner, published = make_wedge(burst_timeout_ms=100)
    keyboard.type("ABCDEFGHIJ", SCANNER_GAP_MS)
    qtbot.waitUntil(lambda: published.failures != [])
    (failure,) = published.failures
    assert failure.code is CompletionCode.INVALID_INPUT and "cut short: 10 keys" in failure.detail
    type_sentinel(qtbot, keyboard, form)
    assert form.line.text() == "z" and len(published.failures) == 1 and published.codes == []
    assert scanner.statistics.snapshot()["scan_errors"] == 1


def test_fast_keys_cut_short_by_a_slow_key_fail_and_the_slow_key_is_typed(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.type("ABCDEFGHIJ", SCANNER_GAP_MS)
    keyboard.tap("x", 200)
    (failure,) = published.failures
    assert "cut short" in failure.detail
    qtbot.waitUntil(lambda: form.line.text() == "x")
    assert published.codes == []


def test_too_few_fast_keys_before_enter_fail(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge(min_code_chars=8)
    keyboard.scan("ABCDE")
    (failure,) = published.failures
    assert "only 5 keys" in failure.detail
    type_sentinel(qtbot, keyboard, form)
    assert form.line.text() == "z" and form.entered == [] and published.codes == []


def test_an_oversized_scan_fails_and_reaches_no_widget(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge(max_code_bytes=16)
    keyboard.scan("0123456789" * 4)
    (failure,) = published.failures
    assert "longer than 16 bytes" in failure.detail and "0123" not in failure.detail
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("FITS-16-BYTES")
    assert published.codes == ["FITS-16-BYTES"]
    assert form.line.text() == ""


def test_a_scanned_code_still_goes_through_the_code_filter(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge()
    keyboard.scan("HIDDEN\u202eEVIL-CODE")
    (failure,) = published.failures
    assert "format character" in failure.detail


# --- enabling, focus, lifecycle ----------------------------------------------------------

def test_a_disabled_scanner_swallows_scans_and_reports_nothing(qtbot, form, keyboard, make_wedge) -> None:
    scanner, published = make_wedge()
    scanner.set_enabled(False)
    keyboard.scan("WHILE-DISABLED")
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("ABCDE")  # too short: would be a failure when enabled
    assert published.scans == []
    assert scanner.statistics.snapshot()["scans_ignored"] == 2
    type_sentinel(qtbot, keyboard, form)
    assert form.line.text() == "z"
    scanner.set_enabled(True)
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("WHILE-ENABLED")
    assert published.codes == ["WHILE-ENABLED"]


def test_focus_in_a_text_input_is_told_without_widgets(qtbot, form) -> None:
    qtbot.waitUntil(lambda: QCoreApplication.instance().focusObject() is form.line)
    assert focus_accepts_text()
    form.button.setFocus()
    qtbot.waitUntil(lambda: QCoreApplication.instance().focusObject() is form.button)
    assert not focus_accepts_text()


def test_scans_can_be_left_to_a_focused_text_field(qtbot, form, keyboard, make_wedge) -> None:
    _, published = make_wedge(scan_in_text_fields=False)
    qtbot.waitUntil(lambda: QCoreApplication.instance().focusObject() is form.line)
    keyboard.scan("TYPED-INTO-FIELD")
    assert form.entered == ["TYPED-INTO-FIELD"] and published.scans == []
    form.button.setFocus()
    qtbot.waitUntil(lambda: QCoreApplication.instance().focusObject() is form.button)
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("RECOGNISED-ON-BUTTON")
    assert published.codes == ["RECOGNISED-ON-BUTTON"]


def test_keys_sent_straight_to_a_widget_are_left_alone(qtbot, form, make_wedge) -> None:
    """An on-screen keyboard talks to the widget directly; it is never a scanner."""
    _, published = make_wedge()
    for number, char in enumerate("ONSCREEN12"):
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key(ord(char)), Qt.KeyboardModifier.NoModifier, char)
        event.setTimestamp(5_000 + number)
        QCoreApplication.sendEvent(form.line, event)
    assert form.line.text() == "ONSCREEN12" and published.scans == []


def test_status_and_capabilities_say_what_a_wedge_can_know(make_wedge) -> None:
    scanner, _ = make_wedge()
    status = scanner.status
    assert status.state is DeviceState.ONLINE and "unplug" in status.detail
    assert status.media is MediaState.NOT_SUPPORTED and status.paper is PaperState.NOT_SUPPORTED
    capabilities = scanner.capabilities
    assert (capabilities.connection, capabilities.terminator, capabilities.max_code_bytes) == \
        ("hid_wedge", "Enter", 4096)


def test_closed_the_filter_is_gone_and_reopened_it_is_back(qtbot, form, keyboard, make_wedge) -> None:
    scanner, published = make_wedge()
    scanner.close()
    assert scanner.status.state is DeviceState.UNKNOWN
    scanner.close()  # twice is fine
    keyboard.scan("TYPED-AFTER-CLOSE")
    assert form.entered == ["TYPED-AFTER-CLOSE"] and published.codes == []
    scanner.open()
    assert scanner.status.state is DeviceState.ONLINE
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("SCANNED-AFTER-REOPEN")
    assert published.codes == ["SCANNED-AFTER-REOPEN"]


def test_closing_with_a_persons_key_held_still_types_it(qtbot, form, keyboard, make_wedge) -> None:
    scanner, _ = make_wedge()
    keyboard.tap("q", HUMAN_GAP_MS)  # held for one interval
    scanner.close()
    assert form.line.text() == "q"


def test_opened_from_a_device_worker_it_installs_on_the_gui_thread(qtbot, form, keyboard, make_wedge) -> None:
    scanner = HidWedgeScanner("wedge")
    published = Published(scanner)
    worker = threading.Thread(target=scanner.open)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: scanner.status.state is DeviceState.ONLINE)
    keyboard.scan("FROM-A-WORKER")
    assert published.codes == ["FROM-A-WORKER"]
    worker = threading.Thread(target=scanner.close)
    worker.start()
    worker.join()
    assert scanner.status.state is DeviceState.UNKNOWN
    qtbot.waitUntil(lambda: not _wedge_filters_installed(qtbot, keyboard, form))
    assert published.codes == ["FROM-A-WORKER"]


def _wedge_filters_installed(qtbot, keyboard: Keyboard, form: Form) -> bool:
    """Whether a scan is still taken: after the queued removal, it is typed instead."""
    form.line.clear()
    keyboard.pause(HUMAN_GAP_MS)
    keyboard.scan("PROBE-CODE")
    return form.line.text() != "PROBE-CODE"


def test_a_window_gone_while_a_key_is_held_is_no_crash(qtbot, make_wedge) -> None:
    _, published = make_wedge()
    window = QWidget()
    window.show()
    qtbot.waitExposed(window)
    keyboard = Keyboard(window.windowHandle())
    keyboard.tap("k", HUMAN_GAP_MS)  # held, to be replayed into a window that will be gone
    shiboken6.delete(window)  # gone before the event loop runs the hold timer
    qtbot.wait(80)  # past the hold interval: the replay finds no window
    assert published.scans == []


def test_bad_settings_are_refused_when_built() -> None:
    with pytest.raises(ValueError):
        HidWedgeScanner("wedge", max_interkey_ms=0)
    with pytest.raises(ValueError):
        HidWedgeScanner("wedge", max_interkey_ms=50, burst_timeout_ms=10)
    with pytest.raises(ValueError):
        HidWedgeScanner("wedge", min_code_chars=3)  # as short as a typist's rolled keys
    with pytest.raises(ValueError):
        HidWedgeScanner("wedge", max_code_bytes=0)
