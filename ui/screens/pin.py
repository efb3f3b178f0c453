"""PIN screen: the card's 6-digit password on a large on-screen keypad (or the tactile one).

The screen never sees a digit: the machine keeps the PIN and sends only how many
digits were typed, drawn as filled boxes. The keypad's digit order comes from the
state (a deployment may shuffle it so shoulder-surfers cannot read positions); the
buttons are re-labelled, never rebuilt, so a keypad user's focus stays put.

Left: what to type and why (the card's own password, not a phone or bank one), the
boxes, tries left and the error. Right: the keypad and the OK / Cancel buttons. When
the left column cannot hold every line (English, elder mode, 1280 px) the least needed
lines give way: the shielding hint, then where to reset a forgotten PIN, then the
explanation.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import FlowState, Intent, PinView, Screen
from ui.screens.base import FlowScreen, settle
from ui.screens.message import IconLine, icon_size, identify_stylesheet, show_what_fits
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.pictograms import begin_icon, make_icon

DEFAULT_KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
BUTTON_CHROME = 2 * (24 + 4)    # the stylesheet's horizontal padding and border of a button


def keypad_order(pin: PinView) -> tuple[str, ...]:
    """The state's digit order, or the plain one if it is not exactly the ten digits."""
    digits = tuple(pin.keypad_digits)
    return digits if sorted(digits) == sorted(DEFAULT_KEYPAD) else DEFAULT_KEYPAD


def backspace_icon(px: int, color: str) -> QIcon:
    """⌫ drawn, not typed: the glyph is missing from many CJK fonts."""
    pixmap, p, _ = begin_icon(px, color)
    p.drawPolygon(QPolygonF([QPointF(2, 12), QPointF(8, 5), QPointF(21.5, 5), QPointF(21.5, 19), QPointF(8, 19)]))
    p.drawLine(QPointF(11, 9), QPointF(17, 15))
    p.drawLine(QPointF(17, 9), QPointF(11, 15))
    p.end()
    return QIcon(pixmap)


class PinDots(QWidget):
    """One box per PIN digit, filled boxes for digits typed; never a digit, only a count."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.filled = 0
        self.total = 6
        self.box_px = 64
        self.gap_px = 12
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_count(self, filled: int, total: int) -> None:
        self.filled, self.total = max(0, min(filled, total)), max(1, total)
        self.updateGeometry()
        self.update()

    def set_box_px(self, px: int) -> None:
        self.box_px = px
        self.gap_px = max(8, px // 5)
        self.setFixedHeight(px)
        self.updateGeometry()

    def _box(self) -> float:
        """Boxes shrink to the width they get before they would be cut off."""
        fit = (self.width() - self.gap_px * (self.total - 1) - 4) / self.total
        return max(16.0, min(float(self.box_px), fit))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.total * self.box_px + (self.total - 1) * self.gap_px + 4, self.box_px)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.total * 32 + (self.total - 1) * self.gap_px + 4, self.box_px)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        t = self._theme
        box = self._box()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = (self.height() - box) / 2
        for i in range(self.total):
            rect = QRectF(2 + i * (box + self.gap_px), top + 1, box - 2, box - 2)
            current = i == self.filled
            p.setPen(QPen(QColor(t.primary if current or i < self.filled else t.muted), 4 if current else 2.5))
            p.setBrush(QColor(t.surface))
            p.drawRoundedRect(rect, box * 0.15, box * 0.15)
            if i < self.filled:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(t.text))
                p.drawEllipse(rect.center(), box * 0.17, box * 0.17)
        p.end()


class PinScreen(FlowScreen):
    """Card PIN entry: masked boxes, tries left, errors, a big keypad with OK and Cancel."""

    SCREEN = Screen.PIN
    accepts_digits = True

    def build_body(self) -> None:
        self._digits: tuple[str, ...] = DEFAULT_KEYPAD
        self._key_height = 0

        # --- left: what to do ---------------------------------------------------------------
        self.panel = QFrame()
        self.panel.setObjectName("pin_panel")
        self.panel.setProperty("role", "panel")
        self.instruction = self.label("heading", name="pin_instruction")
        self.dots = PinDots(self.theme)
        self.dots.setObjectName("pin_dots")
        self.tries_line = IconLine("body", name="pin_tries_left")
        self.error_line = IconLine("body", name="pin_error")
        self.explain_label = self.label("body", name="pin_explain")
        self.forgot_label = self.label("muted", name="pin_forgot")
        self.cover_label = self.label("muted", name="pin_cover_hint")
        left = QVBoxLayout(self.panel)
        left.addStretch(1)
        for widget in (self.instruction, self.dots, self.tries_line, self.error_line, self.explain_label,
                       self.forgot_label, self.cover_label):
            left.addWidget(widget)
        left.addStretch(1)
        self._left = left
        #: lines that give way, least needed first, when the column is too short
        self.optional_lines = [self.cover_label, self.forgot_label, self.explain_label]

        # --- right: the keypad ----------------------------------------------------------------
        self.keypad = QWidget()
        self.keypad.setObjectName("pin_keypad")
        grid = QGridLayout(self.keypad)
        grid.setContentsMargins(0, 0, 0, 0)
        self.digit_buttons: list[KioskButton] = []
        for position in range(10):
            button = self.button("secondary", name=f"pin_key_{DEFAULT_KEYPAD[position]}")
            button.setProperty("keypad", "digit")
            button.activated.connect(lambda position=position: self._digit_pressed(position))
            self.digit_buttons.append(button)
        self.clear_button = self.button("secondary", Intent.CLEAR, None, "pin_clear")
        self.delete_button = self.button("secondary", Intent.DELETE, None, "pin_delete")
        for button in (self.clear_button, self.delete_button):
            button.setProperty("textrole", "control")   # words on a digit-sized key
        for position, button in enumerate(self.digit_buttons[:9]):
            grid.addWidget(button, position // 3, position % 3)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self.digit_buttons[9], 3, 1)
        grid.addWidget(self.delete_button, 3, 2)
        self._grid = grid
        self.cancel_button = self.button("secondary", Intent.CANCEL, None, "pin_cancel")
        self.ok_button = self.button("primary", Intent.CONFIRM, None, "pin_ok")
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.cancel_button, 2)
        actions.addWidget(self.ok_button, 3)
        self._actions = actions
        right = QVBoxLayout()
        right.addWidget(self.keypad)
        right.addLayout(actions)
        right.addStretch(1)
        self._right = right
        for button in self.keypad_buttons():
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        row = QHBoxLayout()
        row.addWidget(self.panel, 1)
        row.addLayout(right, 0)
        self._row = row
        self.body.addLayout(row, 1)

        # Arrow keys walk the keypad row by row, then Cancel and OK.
        chain = self.digit_buttons[:9] + [self.clear_button, self.digit_buttons[9], self.delete_button,
                                          self.cancel_button, self.ok_button]
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)

    def keypad_buttons(self) -> list[KioskButton]:
        return self.digit_buttons + [self.clear_button, self.delete_button, self.cancel_button, self.ok_button]

    def digit_button(self, digit: str) -> KioskButton:
        """The on-screen key showing `digit` now."""
        return self.digit_buttons[self._digits.index(digit)]

    def title_key(self, state: FlowState) -> str:
        return "pin.title"

    def first_focus(self) -> QWidget | None:
        return self.ok_button

    def _digit_pressed(self, position: int) -> None:
        self.emit_intent(Intent.DIGIT, self._digits[position])

    # --- style and size -----------------------------------------------------------------------
    def on_style_changed(self) -> None:
        th, elder = self.theme, self.elder
        digit_px = round(th.font_px("button", elder) * 1.4)
        self.setStyleSheet(identify_stylesheet(th, elder) + f"""
QPushButton[keypad="digit"] {{ font-size: {digit_px}px; padding: 0px 8px; }}
""")
        gap = th.spacing_px(elder)
        self._row.setSpacing(gap)
        self._grid.setSpacing(gap)
        self._actions.setSpacing(gap)
        self._right.setSpacing(gap)
        self._left.setContentsMargins(gap + 4, gap, gap + 4, gap)
        self._left.setSpacing(round(gap * 0.75))
        self.dots.set_box_px(round(th.font_px("title", elder) * 1.25))
        target = th.min_target_px(elder)
        key_height = round(target * (1.45 if elder else 1.6))
        self._key_height = key_height
        for button in self.keypad_buttons():
            button.setMinimumHeight(key_height)

    def _key_width(self) -> int:
        """One width for every key: enough for the widest label (Delete with its icon)."""
        th = self.theme
        floor = round(th.min_target_px(self.elder) * (2.0 if self.elder else 2.4))
        widths = [floor]
        for button in (self.clear_button, self.delete_button):
            button.ensurePolished()
            icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
            widths.append(button.fontMetrics().horizontalAdvance(button.text()) + icon + BUTTON_CHROME + 4)
        return max(widths)

    # --- drawing ------------------------------------------------------------------------------
    def draw(self, state: FlowState) -> None:
        th, pin = self.theme, state.pin
        self._digits = keypad_order(pin)
        for button, digit in zip(self.digit_buttons, self._digits):
            button.setText(digit)
            button.setObjectName(f"pin_key_{digit}")
            button.setAccessibleName(digit)
        px = round(th.font_px("button", self.elder) * 1.1)
        control_px = th.font_px("control", self.elder)
        self.clear_button.setText(self.t("pin.clear"))
        self.delete_button.setText(self.t("pin.delete"))
        self.delete_button.setIcon(backspace_icon(control_px, th.primary))
        self.delete_button.setIconSize(QSize(control_px, control_px))
        self.cancel_button.setText(self.t("common.cancel"))
        self.cancel_button.setIcon(make_icon("back", px, th.primary))
        self.cancel_button.setIconSize(QSize(px, px))
        self.ok_button.setText(self.t("common.ok"))
        self.ok_button.setIcon(make_icon("check", px, th.text_on_primary))
        self.ok_button.setIconSize(QSize(px, px))
        for button in (self.clear_button, self.delete_button, self.cancel_button, self.ok_button):
            button.setAccessibleName(button.text())

        # A reader with its own PIN pad: no keypad here, the citizen types on the reader.
        self.keypad.setVisible(not pin.on_reader)
        self.ok_button.setVisible(not pin.on_reader)
        self.dots.setVisible(not pin.on_reader)
        self.instruction.setText(self.t("pin.on_reader" if pin.on_reader else "pin.instruction"))
        self.dots.set_count(pin.length, pin.max_length)
        self.dots.setAccessibleName(self.t("pin.entered", count=min(pin.length, pin.max_length), total=pin.max_length))
        small = icon_size(self)
        if pin.tries_left is not None:
            key = "pin.tries_left_last" if pin.tries_left == 1 else "pin.tries_left"
            self.tries_line.set("warning", self.t(key, count=pin.tries_left), th.warning, small, tone="warning")
        self.tries_line.setVisible(pin.tries_left is not None)
        if pin.error_key:
            self.error_line.set("warning", self.t(pin.error_key), th.danger, small, tone="danger")
        self.error_line.setVisible(bool(pin.error_key))
        self.explain_label.setText(self.t("pin.explain"))
        self.forgot_label.setText(self.t("pin.forgot"))
        self.cover_label.setText(self.t("pin.cover_hint"))
        self._fit()
        # Once more after the event loop has re-polished every child for a new language or text
        # size: fonts from the stylesheet reach some widgets only then.
        QTimer.singleShot(0, self._fit_again)

    def _fit_again(self) -> None:
        if shiboken6.isValid(self) and self.isVisible() and self.state is not None:
            self._fit()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        super().resizeEvent(event)
        if self.state is not None:
            self._fit()

    def _fit(self) -> None:
        self._size_keys()
        self._fit_left()

    def _size_keys(self) -> None:
        """Keys as big as the body's height allows (five rows: four of keys, OK/Cancel), within limits."""
        keys = self.digit_buttons + [self.clear_button, self.delete_button]
        smallest = max(self._key_height, max(b.sizeHint().height() for b in self.digit_buttons))
        for button in self.keypad_buttons():
            button.setFixedHeight(smallest)    # let go of a larger size before measuring the room
        settle(self)
        gap = self._grid.spacing()
        room = (self.body_widget.height() - 4 * gap) // 5
        cap = round(self.theme.min_target_px(self.elder) * (2.5 if self.elder else 2.2))
        height = max(smallest, min(room, cap))
        # Wider keys only while the words on the left keep at least half the body.
        widest = (self.body_widget.width() // 2 - 2 * gap) // 3
        width = max(self._key_width(), min(round(height * 1.5), widest))
        for button in keys:
            button.setMinimumWidth(width)
        for button in self.keypad_buttons():
            button.setFixedHeight(height)

    def _fit_left(self) -> None:
        """Show the optional lines that fit under the essential ones (never a clipped line)."""
        settle(self)
        if self.panel.width() <= 0:
            return
        margins = self._left.contentsMargins()
        available = self.panel.contentsRect().height() - margins.top() - margins.bottom()
        essential = [self.instruction, self.dots, self.tries_line, self.error_line]
        # Two stretches share the space above and below the words: count their spacing too.
        show_what_fits(essential, list(reversed(self.optional_lines)), self.instruction.width(),
                       available - 2 * self._left.spacing(), self._left.spacing())
        settle(self)
