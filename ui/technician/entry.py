"""The hidden ways into technician mode: a long press in the idle screen's corner, or a key.

An application-wide event filter watches the kiosk window only. A press that starts
in the top-left corner square (about 30 mm) and stays there for `hold_s` asks for
technician mode; lifting the finger or sliding out of the corner earlier cancels it.
The service keyboard's maintenance key (F12 by default) asks at once. Whether the
request is allowed (no citizen session, idle screen) is asked through `allowed`, both
when the press starts and when the hold completes.

Touch screens deliver synthesized mouse events to widgets that do not take touch
events, so mouse presses cover fingers; touch events are watched too for panels whose
widgets accept touch.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

CORNER_MM = 30.0

_PRESS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
_MOVE = (QEvent.Type.MouseMove, QEvent.Type.TouchUpdate)
_RELEASE = (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel)


def maintenance_key(name: str) -> Qt.Key | None:
    """"F12" -> Qt.Key.Key_F12; "" (no key configured) -> None."""
    if not name:
        return None
    return getattr(Qt.Key, f"Key_{name}", None)


class EntryWatcher(QObject):
    """Emits `requested(how)` with how = "gesture" or "key"."""

    requested = Signal(str)

    def __init__(self, window: QWidget, *, corner_px: int, hold_s: float, key_name: str,
                 allowed: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._corner = QRect(0, 0, corner_px, corner_px)
        self._key = maintenance_key(key_name)
        self._allowed = allowed
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(round(hold_s * 1000))
        self._hold.timeout.connect(self._held)

    @property
    def hold_pending(self) -> bool:
        """A press in the corner is being held now (the test's view of an armed gesture)."""
        return self._hold.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind not in _PRESS and kind not in _MOVE and kind not in _RELEASE and kind != QEvent.Type.KeyPress:
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        if kind == QEvent.Type.KeyPress:
            if self._key is not None and event.key() == self._key and not event.isAutoRepeat():
                if self._allowed():
                    self.requested.emit("key")
                return True   # the maintenance key never reaches a citizen screen
            return False
        if kind in _RELEASE:
            self._hold.stop()
            return False
        point = self._window_point(watched, event)
        if point is None:
            return False
        in_corner = self._corner.contains(point)
        if kind in _PRESS:
            # A press propagates to the parents of the widget under it: arm once.
            if in_corner and not self._hold.isActive() and self._allowed():
                self._hold.start()
        elif not in_corner:
            self._hold.stop()
        return False

    def _window_point(self, watched: QWidget, event: QEvent) -> QPoint | None:
        if hasattr(event, "points"):
            points = event.points()
            if not points:
                return None
            local = points[0].position().toPoint()
        else:
            local = event.position().toPoint()
        return watched.mapTo(self._window, local)

    def _held(self) -> None:
        if self._allowed():
            self.requested.emit("gesture")

    def cancel(self) -> None:
        self._hold.stop()
