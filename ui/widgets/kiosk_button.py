"""The one button class every kiosk screen uses.

- Fires on release (QPushButton's `clicked`), and re-emits as `activated` only when
  the previous activation is older than `debounce_ms`: a double tap is one action
  (a shaky or elderly finger often taps twice). Screens connect to `activated`, never to `clicked`.
- Works from a tactile keypad: Enter activates on release like Space; arrow keys move
  focus to the previous/next control.
- Takes focus from keys only (Qt.TabFocus), so a finger tap does not leave the
  yellow keypad-focus highlight behind.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_PREV_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Up)
_NEXT_KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Down)


class KioskButton(QPushButton):
    activated = Signal()

    def __init__(self, text: str = "", variant: str = "secondary", *,
                 debounce_ms: int = 400, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._debounce_s = max(0, debounce_ms) / 1000.0
        self._last_activation: float | None = None
        self.setProperty("variant", variant)
        self.setProperty("active", "false")
        self.setAutoDefault(False)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self) -> None:
        now = time.monotonic()
        if self._last_activation is not None and now - self._last_activation < self._debounce_s:
            return
        self._last_activation = now
        self.activated.emit()

    def set_active(self, active: bool) -> None:
        """Show an on/off state through the stylesheet (``[active="true"]``)."""
        value = "true" if active else "false"
        if self.property("active") != value:
            self.setProperty("active", value)
            self.style().unpolish(self)
            self.style().polish(self)
            self.update()

    def is_active(self) -> bool:
        return self.property("active") == "true"

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _ENTER_KEYS:
            if not event.isAutoRepeat():
                self.setDown(True)
            event.accept()
        elif key in _PREV_KEYS or key in _NEXT_KEYS:
            self.focusNextPrevChild(key in _NEXT_KEYS)
            event.accept()
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS:
            event.accept()
            if not event.isAutoRepeat() and self.isDown():
                self.setDown(False)
                self.click()
        else:
            super().keyReleaseEvent(event)
