"""Technician mode's life: entry, PIN, the panels, leaving (by hand, by inactivity, to restart).

While the technician window is up (from the PIN screen on) the citizen flow is
suspended: `MaintenanceChanged(True)` puts the kiosk out of service "under maintenance"
and it ignores cards and codes; leaving dispatches `MaintenanceChanged(False)`.
Entry is allowed only when no citizen session runs and the idle (attract or
out-of-service) screen shows. A forgotten technician screen must not stay open in a
public hall: after `idle_timeout_s` without input (`login_timeout_s` on the PIN screen)
the mode leaves by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.flow import MaintenanceChanged
from kiosk.flow_state import Screen
from ui.technician.entry import CORNER_MM, EntryWatcher
from ui.technician.panels.base import PanelContext
from ui.technician.panels.system import SystemPanel
from ui.technician.tasks import TaskRunner
from ui.technician.widgets import technician_theme

log = logging.getLogger("ui.technician")

IDLE_TIMEOUT_S = 300.0
LOGIN_TIMEOUT_S = 60.0
_ENTRY_SCREENS = (Screen.ATTRACT, Screen.OUT_OF_SERVICE)
_ACTIVITY = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel)


class TechnicianMode(QObject):
    def __init__(self, kiosk, backend_factory: Callable[[], object], *, ready: Callable[[], bool] = lambda: True,
                 idle_timeout_s: float = IDLE_TIMEOUT_S, login_timeout_s: float = LOGIN_TIMEOUT_S,
                 parent: QObject | None = None) -> None:
        """`backend_factory` runs on the first entry; `ready` says whether its parts exist yet."""
        super().__init__(parent)
        self.kiosk = kiosk
        self._backend_factory = backend_factory
        self._ready = ready
        self.backend = None
        self.window = None
        self.active = False
        self.signed_in = False
        self.idle_timeout_s = idle_timeout_s
        self.login_timeout_s = login_timeout_s
        self.runner = TaskRunner(self)
        self.theme = technician_theme(kiosk.theme)
        settings = kiosk.settings.technician
        self.entry = EntryWatcher(kiosk.window, corner_px=kiosk.theme.px(CORNER_MM), hold_s=settings.gesture_hold_s,
                                  key_name=settings.maintenance_key, allowed=self.can_open, parent=self)
        self.entry.requested.connect(self.open)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(lambda: self.leave("inactivity"))
        app = QApplication.instance()
        app.installEventFilter(self.entry)
        app.installEventFilter(self)

    # --- entry ---------------------------------------------------------------------------
    def can_open(self) -> bool:
        machine = self.kiosk.machine
        if self.active or machine is None or self.kiosk.controller is None or not self._ready():
            return False
        return not machine.in_session and machine.state.screen in _ENTRY_SCREENS

    def open(self, how: str = "direct") -> bool:
        """The PIN screen over the kiosk; the citizen flow is suspended from here on."""
        if not self.can_open():
            return False
        log.info("technician mode requested (%s)", how)
        window = self._ensure_window()     # first: if building fails, the kiosk stays as it was
        self.active = True
        self.entry.cancel()
        self.kiosk.controller.dispatch(MaintenanceChanged(True))
        window.show_login()
        self._cover_kiosk(window)
        self._restart_idle()
        return True

    def _ensure_window(self):
        if self.backend is None:
            self.backend = self._backend_factory()
        if self.window is None:
            from ui.technician.window import TechnicianWindow

            context = PanelContext(self.kiosk.catalog, self.theme, self.backend, self.runner)
            window = TechnicianWindow(context, lambda: self.backend.gate,
                                      language=self.kiosk.settings.terminal.language)
            window.login.granted.connect(self._granted)
            window.login.cancelled.connect(lambda: self.leave("cancel"))
            window.leave_requested.connect(lambda: self.leave("leave"))
            system = window.panel(SystemPanel)
            system.idle_minutes = max(1, round(self.idle_timeout_s / 60))
            system.restart_requested.connect(self._restart_kiosk)
            self.window = window
        return self.window

    def _cover_kiosk(self, window: QWidget) -> None:
        """Exactly over the kiosk window, decorated like it (frameless and fullscreen on a terminal)."""
        kiosk_window = self.kiosk.window
        window.setWindowFlags(kiosk_window.windowFlags())
        window.setWindowTitle(kiosk_window.windowTitle())
        window.setGeometry(kiosk_window.geometry())
        if kiosk_window.isFullScreen():
            window.showFullScreen()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    def _granted(self) -> None:
        if not self.active:
            return
        self.signed_in = True
        self.window.show_panels()
        self._restart_idle()

    # --- leaving -------------------------------------------------------------------------
    def leave(self, reason: str = "leave", *, resume_flow: bool = True, journal_now: bool = False) -> None:
        """Close the window and give the kiosk back to citizens.

        `resume_flow` False only when the kiosk itself shuts down (its controller may be
        closed already); `journal_now` when the workers are about to stop (restart, shutdown).
        """
        if not self.active:
            return
        log.info("technician mode closed (%s)", reason)
        self._idle.stop()
        window = self.window
        window.close_panels()
        window.hide()
        if self.signed_in:
            backend = self.backend
            if journal_now:
                backend.record_exit(reason)
            else:
                self.runner.run(lambda: backend.record_exit(reason))
        self.signed_in = False
        self.active = False
        if resume_flow:
            self.kiosk.controller.dispatch(MaintenanceChanged(False))
            self.kiosk.window.activateWindow()

    def _restart_kiosk(self) -> None:
        # The composition root journals the restart and leaves the event loop (GUI thread).
        self.leave("restart", journal_now=True)
        self.backend.restart()

    # --- inactivity ----------------------------------------------------------------------------
    def _restart_idle(self) -> None:
        seconds = self.idle_timeout_s if self.signed_in else self.login_timeout_s
        self._idle.start(round(seconds * 1000))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (self.active and event.type() in _ACTIVITY and isinstance(watched, QWidget)
                and watched.window() is self.window):
            self._restart_idle()
        return False

    def close(self) -> None:
        """The kiosk shuts down: leave, stop watching for the entry, stop the workers."""
        self.leave("shutdown", resume_flow=False, journal_now=True)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.entry)
            app.removeEventFilter(self)
        self.runner.close()
        if self.window is not None:
            self.window.deleteLater()
            self.window = None
