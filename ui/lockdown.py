"""Kiosk lockdown: the citizen cannot close, leave or switch away from the kiosk window.

The real fence is the session around the process: `cage` (or Xorg with no window manager,
DontZap and DontVTSwitch) gives the kiosk the only window, and systemd restarts it when
it dies or freezes (see `deploy/`). This module is the inner fence, for keyboards that
are reachable (a service keyboard in the cabinet, a keyboard-wedge scanner, a developer
desktop):

- an application-wide event filter swallows the key combinations that close or switch
  windows or reach the desktop, and lets everything else through (digits, Enter, Esc,
  arrows, letters and the technician's maintenance key F12);
- the main window refuses to close unless the application quits on purpose
  (`Lockdown.allow_close()`, or `QApplication.quit()` from our own shutdown path);
- a window-state change that leaves fullscreen or minimises is reverted;
- optionally the pointer is hidden (touch terminals) and the window kept on top.

`start_watchdog` pings systemd's watchdog from the GUI thread, so a frozen event loop
stops the pings and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import weakref

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.systemd_notify import SystemdNotifier

log = logging.getLogger("ui.lockdown")

Key = Qt.Key
Mod = Qt.KeyboardModifier

# Alt+these switch or close windows in most window managers (Alt+Shift+Tab arrives as Backtab).
_ALT_WINDOW_KEYS = frozenset(int(key.value) for key in (Key.Key_F4, Key.Key_Tab, Key.Key_Backtab,
                                                       Key.Key_Escape, Key.Key_Space))
# Ctrl+these quit or close in Qt's standard shortcuts, or open the start menu (Ctrl+Esc).
_CTRL_CLOSE_KEYS = frozenset(int(key.value) for key in (Key.Key_Q, Key.Key_W, Key.Key_Escape))
# The "Windows" key alone opens launchers and overviews.
_META_KEYS = frozenset(int(key.value) for key in (Key.Key_Meta, Key.Key_Super_L, Key.Key_Super_R,
                                                 Key.Key_Hyper_L, Key.Key_Hyper_R))
_FULLSCREEN_TOGGLE_KEYS = frozenset({int(Key.Key_F11.value)})
# Ctrl, Alt, Shift pressed on their own do nothing; the key that follows them is judged.
_PLAIN_MODIFIER_KEYS = frozenset(int(key.value) for key in (Key.Key_Control, Key.Key_Alt, Key.Key_Shift,
                                                           Key.Key_AltGr))
_DIGIT_KEYS = frozenset(range(int(Key.Key_0.value), int(Key.Key_9.value) + 1))

# How long window-state changes settle before the lockdown checks and restores fullscreen.
STATE_CHECK_DELAY_MS = 50

_KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride})


def _has(modifiers, flag) -> bool:
    return bool(modifiers & flag)


def is_blocked_key(key: int, modifiers) -> bool:
    """True for a key combination that could close, switch or leave the kiosk window."""
    key = int(key)
    if key in _META_KEYS or _has(modifiers, Mod.MetaModifier):
        return True
    if key in _PLAIN_MODIFIER_KEYS:
        return False
    if key in _FULLSCREEN_TOGGLE_KEYS:
        return True
    ctrl, alt = _has(modifiers, Mod.ControlModifier), _has(modifiers, Mod.AltModifier)
    if ctrl and alt:  # Ctrl+Alt+Backspace/Delete/F1..F12: kill the server, reboot, switch VT
        return True
    if alt and key in _ALT_WINDOW_KEYS:
        return True
    return ctrl and key in _CTRL_CLOSE_KEYS


def describe_key(key: int, modifiers) -> str:
    """'Ctrl+Alt+F2' for the log; a digit is never named (it could be part of a PIN)."""
    parts = [name for flag, name in ((Mod.ControlModifier, "Ctrl"), (Mod.AltModifier, "Alt"),
                                     (Mod.ShiftModifier, "Shift"), (Mod.MetaModifier, "Meta"))
             if _has(modifiers, flag)]
    key = int(key)
    if key in _DIGIT_KEYS:
        parts.append("<digit>")
    elif key in _META_KEYS:
        parts.append("Meta")
    else:
        parts.append(QKeySequence(key).toString() or f"key 0x{key:x}")
    # A bare Meta press also carries the Meta modifier: say it once.
    return "+".join(dict.fromkeys(parts))


class Lockdown(QObject):
    """The installed lockdown of one window; `release()` undoes it."""

    def __init__(self, app: QApplication, window: QWidget, *, hide_cursor: bool, stay_on_top: bool) -> None:
        super().__init__(window)
        self._app = app
        # Weak: the lockdown is the window's child, and a strong reference back would make a
        # cycle that only the cyclic GC frees, deleting the window at an arbitrary moment
        # (even in the middle of painting it).
        self._window_ref = weakref.ref(window)
        self._close_allowed = False
        self._active = False
        self._cursor_hidden = False
        self._added_stay_on_top = False
        self._keep_fullscreen = False   # set once the window has been seen fullscreen
        # Not from inside the state-change event: changing state there re-enters the platform window.
        self._state_check = QTimer(self)
        self._state_check.setSingleShot(True)
        self._state_check.setInterval(STATE_CHECK_DELAY_MS)
        self._state_check.timeout.connect(self._enforce_state)
        self.blocked_count = 0
        self._hide_cursor = hide_cursor
        self._stay_on_top = stay_on_top

    @property
    def _window(self) -> QWidget | None:
        return self._window_ref()

    # --- lifecycle ----------------------------------------------------------------------
    def install(self) -> Lockdown:
        if self._active:
            return self
        if self._stay_on_top:
            self._keep_on_top()
        window = self._window
        self._keep_fullscreen = window is not None and _has(window.windowState(), Qt.WindowState.WindowFullScreen)
        if self._hide_cursor:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
            self._cursor_hidden = True
        self._app.installEventFilter(self)
        self._active = True
        log.info("lockdown on (hide_cursor=%s, stay_on_top=%s)", self._hide_cursor, self._stay_on_top)
        return self

    def release(self) -> None:
        """Undo everything `install` did: filter, cursor, the stay-on-top hint it added."""
        if not self._active:
            return
        self._active = False
        self._state_check.stop()
        self._app.removeEventFilter(self)
        if self._cursor_hidden:
            QGuiApplication.restoreOverrideCursor()
            self._cursor_hidden = False
        if self._added_stay_on_top:
            self._set_window_flag(Qt.WindowType.WindowStaysOnTopHint, False)
            self._added_stay_on_top = False
        log.info("lockdown released")

    @property
    def active(self) -> bool:
        return self._active

    def allow_close(self) -> None:
        """The application is ending on purpose (shutdown, technician "restart app"): let the window close."""
        if not self._close_allowed:
            log.info("window close allowed")
        self._close_allowed = True

    @property
    def close_allowed(self) -> bool:
        return self._close_allowed

    # --- the filter ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in _KEY_EVENTS:
            return self._filter_key(event)
        if kind == QEvent.Type.Quit and watched is self._app:
            # QApplication.quit() asks every window to close first; a refused close would
            # cancel the quit. Only our own code calls quit() on a kiosk, so it is on purpose.
            self.allow_close()
            return False
        if watched is not None and watched is self._window:
            if kind == QEvent.Type.Close and not self._close_allowed:
                event.ignore()
                log.warning("refused to close the kiosk window")
                return True
            if kind == QEvent.Type.WindowStateChange and not self._close_allowed:
                self._note_state_change()
        return False

    def _filter_key(self, event) -> bool:
        if not is_blocked_key(event.key(), event.modifiers()):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            # Accepting the override keeps Qt from firing a shortcut (QAction/QShortcut) for
            # the combination; the key press that follows is then swallowed below.
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress:
            self.blocked_count += 1
            log.debug("lockdown blocked %s", describe_key(event.key(), event.modifiers()))
        return True

    # --- window state -------------------------------------------------------------------
    def _note_state_change(self) -> None:
        """Check the state once events settle: the platform echoes each request back, sometimes a step late."""
        window = self._window
        if window is not None and _has(window.windowState(), Qt.WindowState.WindowFullScreen):
            self._keep_fullscreen = True
        if not self._state_check.isActive():
            self._state_check.start()

    def _enforce_state(self) -> None:
        window = self._window
        if window is None or not self._active or self._close_allowed:
            return
        state = window.windowState()
        minimised = _has(state, Qt.WindowState.WindowMinimized)
        left_fullscreen = self._keep_fullscreen and not _has(state, Qt.WindowState.WindowFullScreen)
        if not (minimised or left_fullscreen):
            return
        log.warning("kiosk window was %s; restoring it", "minimised" if minimised else "taken out of fullscreen")
        if self._keep_fullscreen:
            window.showFullScreen()
        else:
            window.showNormal()
        window.raise_()
        window.activateWindow()

    # --- window flags -------------------------------------------------------------------
    def _keep_on_top(self) -> None:
        window = self._window
        if window is None or window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint:
            return  # MainWindow(stay_on_top=True) set it before the first show, without a flicker
        self._set_window_flag(Qt.WindowType.WindowStaysOnTopHint, True)
        self._added_stay_on_top = True

    def _set_window_flag(self, flag, on: bool) -> None:
        """Changing flags re-creates the native window and hides it; show it again as it was."""
        window = self._window
        if window is None:
            return
        visible, state = window.isVisible(), window.windowState()
        window.setWindowFlag(flag, on)
        if visible:
            if _has(state, Qt.WindowState.WindowFullScreen):
                window.showFullScreen()
            else:
                window.setWindowState(state)
                window.show()


def install_lockdown(app: QApplication, window: QWidget, *, hide_cursor: bool, stay_on_top: bool) -> Lockdown:
    """Lock `window` down for a public terminal; keep the returned object and call `allow_close()` before quitting."""
    return Lockdown(app, window, hide_cursor=hide_cursor, stay_on_top=stay_on_top).install()


def start_watchdog(notifier: SystemdNotifier, parent: QObject) -> QTimer:
    """Ping systemd's watchdog from the GUI thread; the timer is inactive when the unit has no WatchdogSec.

    A timer on the GUI thread, not a helper thread: if the event loop freezes the pings
    stop, systemd kills the kiosk after WatchdogSec and `Restart=always` brings it back.
    """
    timer = QTimer(parent)
    timer.setObjectName("systemd-watchdog")
    interval_s = notifier.watchdog_interval_s
    if interval_s is None:
        return timer
    timer.setInterval(max(1, round(interval_s * 1000)))
    timer.timeout.connect(notifier.watchdog)
    notifier.watchdog()  # fresh from the start, not half an interval late
    timer.start()
    log.info("systemd watchdog ping every %.1f s", interval_s)
    return timer
