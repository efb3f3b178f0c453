"""A USB-HID keyboard-wedge QR scanner: it types each code as keystrokes ending in Enter.

A filter on the Qt application watches key events where hardware keys enter the
application (at a QWindow) and tells a scan from a person by timing: a scanner types
every key within a few milliseconds of the last, far faster than anyone can, and ends
with Enter. Such a burst becomes one code and none of its keys reach a widget.

Never stealing a person's typing: the first key of what could be a burst is held back
for at most one inter-key interval. If the next key comes slowly (or not at all), the
held keys are replayed, in order, to the window they were meant for, so typing reaches
its target unchanged, only that much later. Once `SCANNER_RUN_CHARS` keys arrived at
scanner speed the run is a scan: its keys are never typed anywhere, and a run that
does not end in Enter (or is too short for a code) is reported once as ScanFailed.

Decisions worth knowing:
- Scans are recognised whatever has focus, a text field included: a focused field is
  exactly where a 4 KB payload and its Enter would otherwise land (and a disabled
  scanner still swallows bursts; it only drops the codes). `scan_in_text_fields=False`
  lets a field receive scans as typing; "focus is in a text input" is asked without
  QtWidgets: an ImEnabled input-method query sent to QGuiApplication.focusObject().
- Key events sent straight to a widget (an on-screen keyboard, QTest on a widget) are
  not looked at: hardware keys always enter through a window first.
- Timing uses the events' own timestamps (input-device time, unaffected by a busy GUI
  thread) and falls back to a monotonic clock where they are missing (0) or go back.
- Auto-repeat (a key held down) is a person, never a scanner: it ends any held run.
- A wedge cannot tell that it was unplugged: its state stays ONLINE while the filter is
  installed; media and paper are NOT_SUPPORTED.
- Input methods and shortcuts: a Chinese IME active on the kiosk would eat the
  scanner's keys before Qt sees them, and Qt matches QShortcuts before any filter runs;
  kiosks run without an IME and without single-key shortcuts.
- The hold timer runs on wall time: if the GUI thread stalls for more than one
  inter-key interval right after a scan's first key, that key may be replayed as
  typing before the rest arrives; the rest is then a code missing its first character,
  which the back office rejects. (Keys queued during a stall are all processed before
  the timer armed by the first of them can fire, so a stall before a scan is harmless.)
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QMetaObject, QObject, Qt, QThread, QTimer, Slot
from PySide6.QtGui import QGuiApplication, QInputMethodQueryEvent, QKeyEvent, QWindow

from devices.interfaces import QrScanner, QrScannerCapabilities
from devices.model import CompletionCode, DeviceState

log = logging.getLogger("devices.scanner")

# This many keys in a row, each within max_interkey_ms of the last: no person types like
# that (a fast typist's rolled keys give two, rarely three), so the run is a scanner's.
SCANNER_RUN_CHARS = 4
TERMINATOR_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})
MODIFIER_KEYS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr,
                           Qt.Key.Key_Meta})
KEY_PRESS = QEvent.Type.KeyPress
KEY_RELEASE = QEvent.Type.KeyRelease


def focus_accepts_text() -> bool:
    """Whether the focused object takes text input (a line edit, a text area, a QML TextInput)."""
    if not isinstance(QCoreApplication.instance(), QGuiApplication):
        return False
    target = QGuiApplication.focusObject()
    if target is None:
        return False
    query = QInputMethodQueryEvent(Qt.InputMethodQuery.ImEnabled)
    QCoreApplication.sendEvent(target, query)
    return bool(query.value(Qt.InputMethodQuery.ImEnabled))


class WedgeKeyFilter(QObject):
    """The application event filter that splits key events into scans and typing.

    `on_code(text)` gets every burst that ended in Enter; `on_failure(detail)` every
    scanner-speed run that could not be a code. Both are called on the GUI thread.
    """

    def __init__(self, on_code: Callable[[str], None], on_failure: Callable[[str], None], *,
                 max_interkey_ms: float, min_code_chars: int, burst_timeout_ms: float,
                 max_code_bytes: int, scan_in_text_fields: bool,
                 on_installed: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self._on_code = on_code
        self._on_failure = on_failure
        self._on_installed = on_installed
        self.max_interkey_ms = max_interkey_ms
        self.min_code_chars = min_code_chars
        self.burst_timeout_ms = burst_timeout_ms
        self.max_code_bytes = max_code_bytes
        self.scan_in_text_fields = scan_in_text_fields
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self._replaying: set[int] = set()   # copies being replayed pass untouched
        self._releases_to_eat: set[int] = set()
        self._installed = False
        self._reset()

    # --- installation (on the GUI thread) ----------------------------------------------

    @Slot()
    def install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
            self._on_installed()

    @Slot()
    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        if self._is_scanner_run():
            self._discard_run()
        else:
            self._end_run("scanner closed")  # a person's held keys still arrive

    # --- the filter ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind != KEY_PRESS and kind != KEY_RELEASE:
            return False
        if not isinstance(watched, QWindow):
            return False  # forwarded to a widget after we let it pass, or synthesized for one
        if self._replaying and _address(event) in self._replaying:
            return False
        try:
            return self._on_key(watched, event)
        except Exception:  # a filter bug must never eat the keyboard
            log.exception("keyboard wedge filter failed; typing passes through")
            self._reset()
            return False

    def _on_key(self, window: QWindow, event: QKeyEvent) -> bool:
        key = event.key()
        if event.type() == KEY_RELEASE:
            if key in self._releases_to_eat:  # its press was part of a scan
                self._releases_to_eat.discard(key)
                return True
            if self._active:
                self._note_release(window, event)
                return True
            return False

        if event.isAutoRepeat():  # a key held down: a person
            self._end_run("auto-repeat")
            return False
        kind = _classify(event)
        if not self._active:
            self._releases_to_eat.discard(key)  # pressed again, so its old release has passed
            # A scanner presses Shift before an upper-case first character: hold that too.
            if kind in ("char", "modifier") and (self.scan_in_text_fields or not focus_accepts_text()):
                self._start_run(window, event, kind)
                return True
            return False

        fast = self._gap_ms(event) <= self.max_interkey_ms
        if kind == "modifier":
            self._note_press(window, event)
            return True
        if kind == "char":
            if fast:
                self._extend_run(window, event)
                return True
            self._end_run("a slow key")
            return self._on_key(window, event)  # it may start the next run
        if kind == "terminator" and fast and self._is_scanner_run():
            self._finish_run()
            self._releases_to_eat.add(key)
            return True
        # A person's Enter or Backspace: it follows the replayed keys.
        self._end_run("a slow Enter" if kind == "terminator" else "another key")
        return False

    # --- a run of held keys ----------------------------------------------------------

    def _reset(self) -> None:
        self._active = False
        self._held: list[tuple[QWindow, QKeyEvent]] = []  # copies, while the run may be a person's
        self._text: list[str] = []
        self._text_bytes = 0
        self._chars = 0
        self._oversized = False
        self._down: set[int] = set()  # keys pressed in this run whose release has not come
        self._last_timestamp = 0
        self._last_monotonic = 0.0

    def _is_scanner_run(self) -> bool:
        return self._chars >= SCANNER_RUN_CHARS

    def _start_run(self, window: QWindow, event: QKeyEvent, kind: str) -> None:
        self._reset()
        self._active = True
        if kind == "char":
            self._extend_run(window, event)
        else:
            self._note_press(window, event)
            self._mark_time(event)
            self._timer.start(round(self.max_interkey_ms))

    def _extend_run(self, window: QWindow, event: QKeyEvent) -> None:
        self._note_press(window, event)
        self._chars += 1
        self._mark_time(event)
        if not self._oversized:
            text = event.text()
            self._text.append(text)
            self._text_bytes += len(text.encode("utf-8", errors="replace"))
            if self._text_bytes > self.max_code_bytes:
                self._oversized = True
                self._text = []  # keep counting keys, not their text
        if self._is_scanner_run():
            self._held = []  # a scanner's keys are never replayed
        self._timer.start(round(self.burst_timeout_ms if self._is_scanner_run() else self.max_interkey_ms))

    def _mark_time(self, event: QKeyEvent) -> None:
        self._last_timestamp = event.timestamp()
        self._last_monotonic = time.monotonic()

    def _note_press(self, window: QWindow, event: QKeyEvent) -> None:
        self._down.add(event.key())
        if not self._is_scanner_run():
            self._held.append((window, _copy(event)))

    def _note_release(self, window: QWindow, event: QKeyEvent) -> None:
        self._down.discard(event.key())
        if not self._is_scanner_run():
            self._held.append((window, _copy(event)))

    def _gap_ms(self, event: QKeyEvent) -> float:
        timestamp = event.timestamp()
        if self._last_timestamp > 0 and timestamp >= self._last_timestamp:
            return float(timestamp - self._last_timestamp)
        return (time.monotonic() - self._last_monotonic) * 1000.0

    def _finish_run(self) -> None:
        """Enter at scanner speed: a code, or a failure if it cannot be one."""
        chars, oversized, text = self._chars, self._oversized, "".join(self._text)
        self._discard_run()
        if oversized:
            self._on_failure(f"code longer than {self.max_code_bytes} bytes ({chars} keys); discarded")
        elif chars < self.min_code_chars:
            self._on_failure(f"only {chars} keys before Enter (a code has at least {self.min_code_chars})")
        else:
            self._on_code(text)

    def _end_run(self, why: str) -> None:
        """The run ended without a fast Enter: a person's keys are replayed, a scanner's reported."""
        if not self._active:
            return
        if self._is_scanner_run():
            chars = self._chars
            self._discard_run()
            self._on_failure(f"scan cut short: {chars} keys at scanner speed, then {why} instead of Enter")
            return
        held = self._held
        self._timer.stop()
        self._reset()
        self._replay(held)

    def _discard_run(self) -> None:
        self._releases_to_eat |= self._down  # their releases would reach a widget alone
        self._timer.stop()
        self._reset()

    def _timed_out(self) -> None:
        waited = self.burst_timeout_ms if self._is_scanner_run() else self.max_interkey_ms
        self._end_run(f"no key for {waited:g} ms")

    def _replay(self, held: list[tuple[QWindow, QKeyEvent]]) -> None:
        for window, copy in held:
            if not shiboken6.isValid(window):
                continue  # the window closed meanwhile: nowhere to type
            address = _address(copy)
            self._replaying.add(address)
            try:
                QCoreApplication.sendEvent(window, copy)
            finally:
                self._replaying.discard(address)


class HidWedgeScanner(QrScanner):
    """A keyboard-wedge QR scanner; see the module docstring for how scans are told apart."""


    def __init__(self, name: str, max_interkey_ms: float = 35.0, min_code_chars: int = 8,
                 burst_timeout_ms: float = 300.0, max_code_bytes: int = 4096,
                 scan_in_text_fields: bool = True) -> None:
        super().__init__(name)
        if max_interkey_ms <= 0 or burst_timeout_ms < max_interkey_ms:
            raise ValueError("need 0 < max_interkey_ms <= burst_timeout_ms")
        if min_code_chars < SCANNER_RUN_CHARS:
            # Fewer fast keys cannot be told from a typist's rolled keys: they are typed, not scanned.
            raise ValueError(f"min_code_chars must be at least {SCANNER_RUN_CHARS}")
        if max_code_bytes <= 0:
            raise ValueError("max_code_bytes must be positive")
        self.max_interkey_ms = max_interkey_ms
        self.min_code_chars = min_code_chars
        self.burst_timeout_ms = burst_timeout_ms
        self.scan_in_text_fields = scan_in_text_fields
        self._capabilities = QrScannerCapabilities(max_code_bytes=max_code_bytes, connection="hid_wedge",
                                                   terminator="Enter")
        self._filter: WedgeKeyFilter | None = None

    @property
    def capabilities(self) -> QrScannerCapabilities:
        return self._capabilities

    def open(self) -> None:
        """Install the key filter on the application; from another thread it is installed queued."""
        if self._filter is not None:
            return
        app = QCoreApplication.instance()
        if not isinstance(app, QGuiApplication):
            self._update_status(state=DeviceState.NO_DEVICE, detail="no Qt GUI application to receive keys")
            return
        key_filter = WedgeKeyFilter(self._scanned, self._failed, max_interkey_ms=self.max_interkey_ms,
                                    min_code_chars=self.min_code_chars, burst_timeout_ms=self.burst_timeout_ms,
                                    max_code_bytes=self.capabilities.max_code_bytes,
                                    scan_in_text_fields=self.scan_in_text_fields, on_installed=self._installed)
        self._filter = key_filter
        if QThread.currentThread() == app.thread():
            key_filter.install()
        else:  # a device worker: the filter and its timer must live on the GUI thread
            key_filter.moveToThread(app.thread())
            self._update_status(state=DeviceState.UNKNOWN, detail="waiting for the GUI thread to install")
            QMetaObject.invokeMethod(key_filter, "install", Qt.ConnectionType.QueuedConnection)

    def close(self) -> None:
        key_filter, self._filter = self._filter, None
        if key_filter is not None:
            app = QCoreApplication.instance()
            if app is None or QThread.currentThread() == app.thread():
                key_filter.uninstall()
                key_filter.deleteLater()
            else:
                QMetaObject.invokeMethod(key_filter, "uninstall", Qt.ConnectionType.QueuedConnection)
                QMetaObject.invokeMethod(key_filter, "deleteLater", Qt.ConnectionType.QueuedConnection)
        self._update_status(state=DeviceState.UNKNOWN, detail="closed")

    def recover(self) -> bool:
        if self._filter is None:
            self.open()
        return self.status.state.usable

    def _installed(self) -> None:
        if self._filter is None:
            return  # closed before the GUI thread got to install it
        self._update_status(state=DeviceState.ONLINE, detail="keyboard wedge (cannot detect unplugging)")

    def _scanned(self, code: str) -> None:
        self._deliver(code)  # a disabled scanner counts it as ignored there

    def _failed(self, detail: str) -> None:
        self._report_failed_scan(CompletionCode.INVALID_INPUT, detail)


def _classify(event: QKeyEvent) -> str:
    key = event.key()
    if key in TERMINATOR_KEYS:
        return "terminator"
    if key in MODIFIER_KEYS:
        return "modifier"
    text = event.text()
    if text and not any(ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F for character in text):
        return "char"  # anything else odd in it is for the code filter to reject, with its reason
    return "other"  # Backspace, Tab, Escape, arrows, Ctrl+letter: a person's keys, never a code's


def _copy(event: QKeyEvent) -> QKeyEvent:
    """The filtered event dies when the filter returns; a held key needs its own copy."""
    copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.nativeScanCode(),
                     event.nativeVirtualKey(), event.nativeModifiers(), event.text(), event.isAutoRepeat(),
                     event.count(), event.device())
    copy.setTimestamp(event.timestamp())
    return copy


def _address(event: QEvent) -> int:
    return shiboken6.getCppPointer(event)[0]
