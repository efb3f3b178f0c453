"""Lockdown of the kiosk window: real key events through Qt's delivery path, a real window, a real socket."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.systemd_notify import SystemdNotifier
from ui.lockdown import install_lockdown, is_blocked_key, start_watchdog
from ui.main_window import MainWindow

K, M = Qt.Key, Qt.KeyboardModifier
CTRL, ALT, SHIFT, META, NONE = M.ControlModifier, M.AltModifier, M.ShiftModifier, M.MetaModifier, M.NoModifier

BLOCKED = [
    (K.Key_F4, ALT), (K.Key_Tab, ALT), (K.Key_Backtab, ALT | SHIFT), (K.Key_Escape, ALT), (K.Key_Space, ALT),
    (K.Key_Q, CTRL), (K.Key_W, CTRL), (K.Key_Escape, CTRL), (K.Key_Q, CTRL | SHIFT),
    (K.Key_Backspace, CTRL | ALT), (K.Key_Delete, CTRL | ALT), (K.Key_T, CTRL | ALT), (K.Key_5, CTRL | ALT),
    (K.Key_F1, CTRL | ALT), (K.Key_F2, CTRL | ALT), (K.Key_F7, CTRL | ALT), (K.Key_F12, CTRL | ALT),
    (K.Key_Meta, NONE), (K.Key_Meta, META), (K.Key_Super_L, NONE), (K.Key_D, META), (K.Key_L, META),
    (K.Key_Tab, META), (K.Key_7, META),
    (K.Key_F11, NONE), (K.Key_F11, SHIFT),
]
ALLOWED = [
    *[(getattr(K, f"Key_{digit}"), NONE) for digit in range(10)],
    (K.Key_5, M.KeypadModifier), (K.Key_Enter, M.KeypadModifier), (K.Key_Return, NONE), (K.Key_Escape, NONE),
    (K.Key_Left, NONE), (K.Key_Right, NONE), (K.Key_Up, NONE), (K.Key_Down, NONE),
    (K.Key_PageUp, NONE), (K.Key_PageDown, NONE), (K.Key_A, NONE), (K.Key_Z, SHIFT), (K.Key_Backspace, NONE),
    (K.Key_F12, NONE), (K.Key_Space, NONE), (K.Key_C, CTRL), (K.Key_F4, NONE),
]


def combo_id(combo) -> str:
    # Plain strings: a QKeySequence made at collection time, before the QApplication, crashes later paints.
    key, modifiers = combo
    names = [name for flag, name in ((CTRL, "Ctrl"), (ALT, "Alt"), (SHIFT, "Shift"), (META, "Meta"),
                                     (M.KeypadModifier, "Keypad")) if modifiers & flag]
    return "+".join([*names, key.name.removeprefix("Key_")])


MODIFIER_KEYS = {int(key) for key in (K.Key_Control, K.Key_Alt, K.Key_Shift, K.Key_AltGr)}


def expected_blocked_presses(key, modifiers) -> int:
    """QTest presses each modifier key before the key itself; a Meta press is blocked on its own."""
    return 1 + (1 if modifiers & META else 0)


class KeyRecorder(QWidget):
    """A focusable screen that records every key press delivered to it (bar Ctrl/Alt/Shift alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.presses: list[tuple[int, Qt.KeyboardModifier]] = []

    def event(self, event) -> bool:
        # Recorded in event(), not keyPressEvent: Tab would otherwise be eaten by focus handling.
        if event.type() == QEvent.Type.KeyPress and event.key() not in MODIFIER_KEYS:
            self.presses.append((event.key(), event.modifiers()))
        return super().event(event)


@pytest.fixture
def kiosk_window(qtbot, catalog, theme):
    """The real MainWindow, fullscreen offscreen, with a recording screen holding the focus."""
    window = MainWindow(catalog, theme, "人社服务大厅", fullscreen=True, frameless=True)
    recorder = KeyRecorder()
    window.add_screen("recorder", recorder)
    window.show_screen("recorder")
    window.present()
    qtbot.waitExposed(window)
    recorder.setFocus()
    QApplication.processEvents()
    assert window.isFullScreen()
    yield window, recorder
    # Closed here, after any lockdown fixture released it (qtbot would close it while still locked).
    window.close()
    window.deleteLater()
    QApplication.processEvents()


@pytest.fixture
def locked(kiosk_window, qapp):
    window, recorder = kiosk_window
    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=False)
    yield window, recorder, lockdown
    lockdown.allow_close()   # let qtbot close the window at teardown
    lockdown.release()


@pytest.mark.parametrize("combo", BLOCKED, ids=combo_id)
def test_blocked_combinations_never_reach_the_screen(locked, combo):
    window, recorder, lockdown = locked
    key, modifiers = combo
    QTest.keyClick(recorder, key, modifiers)
    assert recorder.presses == []
    assert lockdown.blocked_count == expected_blocked_presses(key, modifiers)
    assert window.isVisible() and window.isFullScreen()


@pytest.mark.parametrize("combo", ALLOWED, ids=combo_id)
def test_allowed_keys_reach_the_screen(locked, combo):
    window, recorder, lockdown = locked
    key, modifiers = combo
    QTest.keyClick(recorder, key, modifiers)
    assert recorder.presses == [(int(key), modifiers)]
    assert lockdown.blocked_count == 0


def test_classification_matches_the_lists():
    assert all(is_blocked_key(key, modifiers) for key, modifiers in BLOCKED)
    assert not any(is_blocked_key(key, modifiers) for key, modifiers in ALLOWED)


@pytest.mark.parametrize("combo", [(K.Key_Q, CTRL), (K.Key_W, CTRL), (K.Key_F4, ALT), (K.Key_F11, NONE)],
                         ids=combo_id)
def test_shortcuts_for_blocked_combinations_do_not_fire(qtbot, kiosk_window, qapp, combo):
    """Through the window, like a keyboard: Qt's shortcut map sees the key before any widget."""
    window, recorder = kiosk_window
    key, modifiers = combo
    fired = []
    shortcut = QShortcut(QKeySequence(key | modifiers), window)
    shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
    shortcut.activated.connect(lambda: fired.append(combo))

    # The harness delivers shortcuts at all: without the lockdown the combination fires.
    QTest.keyClick(window.windowHandle(), key, modifiers)
    assert fired == [combo]

    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=False)
    try:
        QTest.keyClick(window.windowHandle(), key, modifiers)
        assert fired == [combo]
        assert recorder.presses == []
        assert lockdown.blocked_count == 1
        assert window.isVisible()
    finally:
        lockdown.allow_close()
        lockdown.release()


def test_allowed_keys_reach_the_screen_through_the_window(locked):
    window, recorder, _ = locked
    for key in (K.Key_1, K.Key_Return, K.Key_Escape, K.Key_F12):
        QTest.keyClick(window.windowHandle(), key)
    assert [key for key, _ in recorder.presses] == [int(K.Key_1), int(K.Key_Return), int(K.Key_Escape),
                                                     int(K.Key_F12)]


def test_blocked_count_and_log_never_name_a_digit(locked, caplog):
    _, recorder, lockdown = locked
    with caplog.at_level(logging.DEBUG, logger="ui.lockdown"):
        QTest.keyClick(recorder, K.Key_5, CTRL | ALT)
        QTest.keyClick(recorder, K.Key_7, META)
        QTest.keyClick(recorder, K.Key_F4, ALT)
        QTest.keyClick(recorder, K.Key_8)   # allowed: neither counted nor logged
    assert lockdown.blocked_count == 4      # QTest presses Meta itself before the 7: blocked too
    messages = [record.getMessage() for record in caplog.records if record.name == "ui.lockdown"]
    assert messages == ["lockdown blocked Ctrl+Alt+<digit>", "lockdown blocked Meta", "lockdown blocked Meta+<digit>",
                        "lockdown blocked Alt+F4"]
    assert not any(digit in message for message in messages[:3] for digit in "0123456789")


def test_close_is_refused_until_allowed(locked):
    window, _, lockdown = locked
    assert window.close() is False
    assert window.isVisible()
    lockdown.allow_close()
    assert window.close() is True
    assert not window.isVisible()


def test_release_lets_the_window_close(kiosk_window, qapp):
    window, _ = kiosk_window
    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=False)
    assert window.close() is False
    lockdown.release()
    assert window.close() is True


@pytest.mark.parametrize("leave", ["minimise", "normal"])
def test_leaving_fullscreen_is_reverted(qtbot, locked, leave):
    window, _, _ = locked
    if leave == "minimise":
        window.showMinimized()
        assert window.windowState() & Qt.WindowState.WindowMinimized
    else:
        window.setWindowState(Qt.WindowState.WindowNoState)
        assert not window.isFullScreen()
    qtbot.waitUntil(lambda: window.isFullScreen() and not window.isMinimized())
    assert window.isVisible()


def test_after_release_state_changes_stay(qtbot, kiosk_window, qapp):
    window, _ = kiosk_window
    install_lockdown(qapp, window, hide_cursor=False, stay_on_top=False).release()
    window.setWindowState(Qt.WindowState.WindowNoState)
    QApplication.processEvents()
    assert not window.isFullScreen()


def test_cursor_is_hidden_and_restored(kiosk_window, qapp):
    window, _ = kiosk_window
    assert QGuiApplication.overrideCursor() is None
    lockdown = install_lockdown(qapp, window, hide_cursor=True, stay_on_top=False)
    assert QGuiApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    lockdown.release()
    assert QGuiApplication.overrideCursor() is None
    install_lockdown(qapp, window, hide_cursor=False, stay_on_top=False).release()
    assert QGuiApplication.overrideCursor() is None


def test_stay_on_top_is_added_and_removed_keeping_fullscreen(qtbot, kiosk_window, qapp):
    window, _ = kiosk_window
    on_top = Qt.WindowType.WindowStaysOnTopHint
    assert not window.windowFlags() & on_top
    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=True)
    assert window.windowFlags() & on_top
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    qtbot.waitExposed(window)
    assert window.isVisible() and window.isFullScreen()
    lockdown.release()
    assert not window.windowFlags() & on_top
    assert window.isVisible() and window.isFullScreen()


def test_main_window_sets_stay_on_top_before_showing(qtbot, catalog, theme, qapp):
    window = MainWindow(catalog, theme, "人社服务大厅", fullscreen=True, stay_on_top=True)
    qtbot.addWidget(window)
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    window.present()
    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=True)
    lockdown.allow_close()
    lockdown.release()
    # The window's own hint is not the lockdown's to take away.
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint


def test_installed_before_present_sets_flags_without_a_re_show_and_keeps_fullscreen(qtbot, catalog, theme, qapp):
    """The order `kiosk run` uses: lock first, then present, so the flags are set before the first show."""
    window = MainWindow(catalog, theme, "人社服务大厅", fullscreen=True)
    lockdown = install_lockdown(qapp, window, hide_cursor=False, stay_on_top=True)
    try:
        assert not window.isVisible()      # setting the hint did not show the window early
        assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
        window.present()
        qtbot.waitExposed(window)
        assert window.isFullScreen()
        window.showMinimized()
        qtbot.waitUntil(lambda: window.isFullScreen() and not window.isMinimized())
        assert window.close() is False
    finally:
        lockdown.allow_close()
        lockdown.release()
        window.close()
        window.deleteLater()


def test_quit_on_purpose_closes_the_locked_window(tmp_path):
    """QApplication.quit() asks windows to close first; the lockdown must not turn a shutdown into a hang."""
    script = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        import ui
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from kiosk.messages import MessageCatalog
        from ui.lockdown import install_lockdown
        from ui.main_window import MainWindow
        from ui.theme import Theme

        app = QApplication([])
        window = MainWindow(MessageCatalog(), Theme(), "hall", fullscreen=True)
        window.present()
        lockdown = install_lockdown(app, window, hide_cursor=True, stay_on_top=True)
        print("close refused:", window.close() is False, flush=True)
        QTimer.singleShot(0, app.quit)
        QTimer.singleShot(20000, lambda: (print("quit was refused", flush=True), app.exit(3)))
        code = app.exec()
        print("exit", code, "visible", window.isVisible(), "close allowed", lockdown.close_allowed, flush=True)
        sys.exit(code)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "close refused: True" in result.stdout
    assert "exit 0 visible False close allowed True" in result.stdout


# --- systemd watchdog ------------------------------------------------------------------

@pytest.fixture
def notify_socket(tmp_path):
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify.sock")
    receiver.bind(address)
    receiver.setblocking(False)
    yield address, receiver
    receiver.close()


def drain(receiver: socket.socket) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(receiver.recv(4096).decode())
        except BlockingIOError:
            return messages


def test_watchdog_pings_from_the_gui_thread(qtbot, qapp, notify_socket):
    address, receiver = notify_socket
    parent = QWidget()
    qtbot.addWidget(parent)
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "100000"})
    timer = start_watchdog(notifier, parent)
    assert timer.isActive() and timer.interval() == 50
    assert timer.thread() is qapp.thread()   # a frozen event loop stops the pings
    pings: list[str] = drain(receiver)
    assert pings == ["WATCHDOG=1"]           # the first one at once

    def three_more() -> bool:
        pings.extend(drain(receiver))
        return len(pings) >= 4

    qtbot.waitUntil(three_more)
    assert set(pings) == {"WATCHDOG=1"}
    timer.stop()
    notifier.close()


def test_no_watchdog_configured_means_an_idle_timer(qtbot, notify_socket):
    address, receiver = notify_socket
    parent = QWidget()
    qtbot.addWidget(parent)
    timer = start_watchdog(SystemdNotifier.from_environment({"NOTIFY_SOCKET": address}), parent)
    assert not timer.isActive()
    QApplication.processEvents()
    assert drain(receiver) == []
    assert not start_watchdog(SystemdNotifier.from_environment({}), parent).isActive()
