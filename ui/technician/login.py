"""The technician PIN screen: keypad, masked boxes, tries left, lockout countdown.

The PIN is checked by `TechnicianGate.attempt` on a worker (PBKDF2 takes a while on
purpose); the typed digits are dropped from this page as soon as they are handed over.
A lock shows a live mm:ss countdown; OK stays usable during a lock, and the gate then
refuses without looking at the PIN (and journals the refusal).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.technician_auth import PIN_MAX_DIGITS, PIN_MIN_DIGITS
from ui.screens.pin import PinDots
from ui.technician.panels.base import set_role
from ui.technician.tasks import TaskRunner
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label

DIGIT_KEYS = {getattr(Qt.Key, f"Key_{d}"): str(d) for d in range(10)}


def mm_ss(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class LoginPage(QWidget):
    granted = Signal()
    cancelled = Signal()
    language_requested = Signal()

    def __init__(self, catalog, theme: Theme, runner: TaskRunner, gate_provider,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._theme = theme
        self._runner = runner
        self._gate_provider = gate_provider      # the gate may be built after this page
        self.language = "zh"
        self._digits = ""
        self._status = ("", {}, "body")
        self._checking = False
        self._locked_until: float | None = None
        self._visit = 0
        self.setProperty("role", "technician")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.title_label = plain_label("", "title", wrap=True)
        self.title_label.setObjectName("login_title")
        self.instruction_label = plain_label("", "body", wrap=True)
        self.instruction_label.setObjectName("login_instruction")
        self.dots = PinDots(theme)
        self.dots.setObjectName("login_dots")
        self.dots.set_box_px(theme.px(11))
        self.entered_label = plain_label("", "muted")
        self.entered_label.setObjectName("login_entered")
        self.status_label = plain_label("", "body", wrap=True)
        self.status_label.setObjectName("login_status")

        target = theme.min_target_px()
        # Keys well above the 12 mm minimum: a PIN is typed standing, often in a hurry.
        key = QSize(round(target * 2.8), round(target * 1.7))
        spacing = theme.spacing_px()
        self.digit_buttons: dict[str, KioskButton] = {}
        grid = QGridLayout()
        grid.setSpacing(spacing)
        for digit in "1234567890":
            button = self._button(f"login_key_{digit}", key)
            button.setText(digit)
            button.activated.connect(lambda digit=digit: self.type_digit(digit))
            self.digit_buttons[digit] = button
        for position, digit in enumerate("123456789"):
            grid.addWidget(self.digit_buttons[digit], position // 3, position % 3)
        self.clear_button = self._button("login_clear", key)
        self.delete_button = self._button("login_delete", key)
        self.clear_button.activated.connect(self.clear)
        self.delete_button.activated.connect(self.delete_digit)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self.digit_buttons["0"], 3, 1)
        grid.addWidget(self.delete_button, 3, 2)
        half = QSize((3 * key.width() + spacing) // 2, key.height())
        self.cancel_button = self._button("login_cancel", half)
        self.ok_button = self._button("login_ok", half, "primary")
        self.cancel_button.activated.connect(self.cancelled.emit)
        self.ok_button.activated.connect(self.submit)
        self.language_button = KioskButton(debounce_ms=150)
        self.language_button.setObjectName("login_language")
        self.language_button.setMinimumSize(round(target * 2.4), target)   # grows with its text
        self.language_button.activated.connect(self.language_requested.emit)
        actions = QHBoxLayout()
        actions.setSpacing(spacing)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.ok_button)

        panel = QFrame()
        panel.setProperty("role", "panel")
        panel.setMaximumWidth(theme.px(230))     # a readable column, not a 1.5 m wide line
        left = QVBoxLayout(panel)
        left.setContentsMargins(32, 24, 32, 24)
        left.setSpacing(spacing)
        for widget in (self.title_label, self.instruction_label, self.dots, self.entered_label, self.status_label):
            left.addWidget(widget)
        left.addSpacing(spacing * 2)
        lang_row = QHBoxLayout()
        lang_row.addStretch(1)
        lang_row.addWidget(self.language_button)
        left.addLayout(lang_row)
        right = QVBoxLayout()
        right.setSpacing(spacing * 2)
        right.addStretch(1)
        right.addLayout(grid)
        right.addLayout(actions)
        right.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(48, 48, 48, 48)
        row.setSpacing(64)
        row.addStretch(1)
        row.addWidget(panel, 3, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(right, 0)
        row.addStretch(1)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

    def _button(self, name: str, size: QSize, variant: str = "secondary") -> KioskButton:
        button = KioskButton(variant=variant, debounce_ms=150)
        button.setObjectName(name)
        button.setFixedSize(size)
        return button

    # --- life ---------------------------------------------------------------------------
    def start(self) -> None:
        """Shown afresh: no digits, and what the gate says now (locked? set up at all?)."""
        self._visit += 1
        self._digits = ""
        self._checking = False
        self._status = ("", {}, "body")
        self._ask_status()
        self.translate()
        self.setFocus()

    def stop(self) -> None:
        self._visit += 1     # a PIN check still running must not let anyone in after this
        self._checking = False
        self._digits = ""
        self._countdown.stop()
        self.translate()

    def _gate(self):
        return self._gate_provider()

    def _ask_status(self) -> None:
        gate = self._gate()
        if gate is None:
            self._status = ("technician.login.disabled", {}, "bad")
            return
        self._runner.run(gate.status, self._answer_handler())

    # --- typing ---------------------------------------------------------------------------
    def type_digit(self, digit: str) -> None:
        if self._checking or len(self._digits) >= PIN_MAX_DIGITS:
            return
        self._digits += digit
        self.translate()

    def delete_digit(self) -> None:
        if not self._checking:
            self._digits = self._digits[:-1]
            self.translate()

    def clear(self) -> None:
        if not self._checking:
            self._digits = ""
            self.translate()

    def submit(self) -> None:
        if self._checking:
            return
        gate = self._gate()
        if gate is None:
            return
        if not PIN_MIN_DIGITS <= len(self._digits) <= PIN_MAX_DIGITS and self._locked_until is None:
            self._status = ("technician.login.invalid", {}, "bad")
            self.translate()
            return
        pin, self._digits = self._digits, ""
        self._checking = True
        self._status = ("technician.login.checking", {}, "body")
        self._runner.run(lambda: gate.attempt(pin), self._answer_handler())
        self.translate()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if key in DIGIT_KEYS:
            self.type_digit(DIGIT_KEYS[key])
        elif key == Qt.Key.Key_Backspace:
            self.delete_digit()
        elif key == Qt.Key.Key_Delete:
            self.clear()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(self.focusWidget(), KioskButton):
            self.submit()
        elif key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # --- answers ----------------------------------------------------------------------------
    def _answer_handler(self):
        """A callback that drops the answer if the page was closed or reopened meanwhile."""
        visit = self._visit

        def handle(answer, error) -> None:
            if visit == self._visit:
                self._answered(answer, error)
        return handle

    def _answered(self, answer, error) -> None:
        self._checking = False
        self._locked_until = None
        self._countdown.stop()
        if error is not None:
            self._status = ("technician.login.failed", {"error": str(error)[:200] or type(error).__name__}, "bad")
        elif answer.outcome == "granted":
            self._status = ("", {}, "body")
            self.translate()
            self.granted.emit()
            return
        elif answer.outcome == "ready":
            self._status = ("technician.login.ready", {"count": answer.tries_left}, "body")
        elif answer.outcome == "wrong":
            self._status = ("technician.login.wrong", {"count": answer.tries_left}, "bad")
        elif answer.outcome == "locked":
            self._locked_until = answer.locked_until
            self._countdown.start()
            self._status = ("technician.login.locked", {}, "bad")
        elif answer.outcome == "disabled":
            self._status = ("technician.login.disabled", {}, "bad")
        else:
            self._status = ("technician.login.invalid", {}, "bad")
        self.translate()

    def _tick(self) -> None:
        if self._locked_until is not None and self._seconds_left() <= 0:
            self._countdown.stop()
            self._locked_until = None
            self._ask_status()     # the lock is over: fresh tries
        self.translate()

    def _seconds_left(self) -> int:
        if self._locked_until is None:
            return 0
        # The gate's clock is wall time (time.time), like `locked_until`.
        return max(0, int(self._locked_until - time.time() + 0.999))

    # --- drawing ------------------------------------------------------------------------------
    def t(self, key: str, **params) -> str:
        text = self._catalog.text(key, self.language)
        return text.format(**params) if params else text

    def set_language(self, language: str) -> None:
        self.language = language
        self.translate()

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    @property
    def outcome_key(self) -> str:
        return self._status[0]

    def translate(self) -> None:
        self.title_label.setText(self.t("technician.login.title"))
        self.instruction_label.setText(self.t("technician.login.instruction"))
        count = len(self._digits)
        self.dots.set_count(count, min(PIN_MAX_DIGITS, max(PIN_MIN_DIGITS, count + 1)))
        self.entered_label.setText(self.t("technician.login.entered", count=count))
        key, params, role = self._status
        if key == "technician.login.locked":
            params = {"time": mm_ss(self._seconds_left())}
        self.status_label.setText(self.t(key, **params) if key else "")
        set_role(self.status_label, role)
        self.clear_button.setText(self.t("technician.login.clear"))
        self.delete_button.setText(self.t("technician.login.delete"))
        self.cancel_button.setText(self.t("technician.login.cancel"))
        self.ok_button.setText(self.t("technician.login.ok"))
        self.language_button.setText(self.t("technician.language"))
        for button in [*self.digit_buttons.values(), self.clear_button, self.delete_button, self.ok_button]:
            button.setEnabled(not self._checking)
