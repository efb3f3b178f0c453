"""The idle-warning overlay: "are you still there?", the seconds left, and a big "more time".

It lies over the whole window (a translucent dim and a centred white panel), so the
screen below stays visible but cannot be pressed by accident; it follows its parent's
size. Like the screens it only draws state (`Countdown`) and sends intents: More time
(MORE_TIME) and Finish now (FINISH). On a tactile keypad Enter means more time.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import Countdown, Intent
from kiosk.messages import MessageCatalog
from ui.theme import Theme, build_stylesheet
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from ui.widgets.pictograms import make_icon

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_NAV_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
DIM = QColor(0, 0, 0, 150)


class CountdownOverlay(QFrame):
    """Covers `parent`; `show_countdown` / `hide_countdown` are all the window calls."""

    intent = Signal(str, object)   # (Intent value, argument or None), like the screens

    def __init__(self, catalog: MessageCatalog, theme: Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.theme = theme
        self.language = "zh"
        self.elder: bool | None = None
        self.countdown: Countdown | None = None
        self._focus_before: QWidget | None = None
        self.setObjectName("countdown_overlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.panel = QFrame(self)
        self.panel.setObjectName("countdown_panel")
        self.panel.setProperty("role", "panel")
        self.panel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.title_label = plain_label("", "title", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.title_label.setObjectName("countdown_title")
        self.seconds_label = plain_label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.seconds_label.setObjectName("countdown_seconds")
        self.seconds_label.setProperty("textsize", "huge")
        self.body_label = plain_label("", "body", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.body_label.setObjectName("countdown_body")
        self.no_more_label = plain_label("", "body", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.no_more_label.setObjectName("countdown_no_more_time")
        self.no_more_label.setProperty("tone", "warning")
        self.more_time_button = KioskButton(variant="primary")
        self.more_time_button.setObjectName("countdown_more_time")
        self.finish_button = KioskButton(variant="secondary")
        self.finish_button.setObjectName("countdown_finish")
        for button in (self.more_time_button, self.finish_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.more_time_button.activated.connect(lambda: self._emit(Intent.MORE_TIME))
        self.finish_button.activated.connect(lambda: self._emit(Intent.FINISH))
        buttons = QHBoxLayout()
        buttons.addWidget(self.finish_button, 2)
        buttons.addWidget(self.more_time_button, 3)
        self._buttons = buttons
        layout = QVBoxLayout(self.panel)
        for widget in (self.title_label, self.seconds_label, self.body_label, self.no_more_label):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self._panel_layout = layout
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.setTabOrder(self.more_time_button, self.finish_button)

        parent.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.hide()
        self.ensurePolished()
        self._apply_style(False)

    # --- the window's API -------------------------------------------------------------------
    def show_countdown(self, countdown: Countdown, language: str, elder: bool) -> None:
        self.countdown = countdown
        self.language = language
        if elder != self.elder:
            self._apply_style(elder)
        self.setGeometry(self.parentWidget().rect())
        self._apply_texts()
        if not self.isVisible():
            focused = self.window().focusWidget()   # the window's, even while it is not the active one
            self._focus_before = focused if focused is not None and focused is not self \
                and not self.isAncestorOf(focused) else None
            self.show()
            self.raise_()
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.raise_()
        if self.more_time_button.hasFocus() and not self.more_time_button.isVisible():
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        for _ in range(2):   # nested layouts too, so a test or a grab sees the final geometry
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.layout().activate()

    def hide_countdown(self) -> None:
        if not self.isVisible():
            return
        current = self.window().focusWidget()
        had_focus = current is not None and (current is self or self.isAncestorOf(current))
        self.hide()
        before, self._focus_before = self._focus_before, None
        if had_focus and before is not None and shiboken6.isValid(before) and before.isVisible():
            before.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- drawing ------------------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        text = self.catalog.text(key, self.language)
        return text.format(**params) if params else text

    def _apply_style(self, elder: bool) -> None:
        th = self.theme
        self.elder = elder
        huge = round(th.font_px("title", elder) * 2.2)
        self.setStyleSheet(build_stylesheet(th, elder) + f"""
QLabel[textsize="huge"] {{ font-size: {huge}px; font-weight: 700; color: {th.primary}; }}
QLabel[tone="warning"] {{ color: {th.warning}; font-weight: 700; }}
""")
        gap = th.spacing_px(elder)
        self._panel_layout.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        self._panel_layout.setSpacing(gap)
        self._buttons.setSpacing(gap)
        target = th.min_target_px(elder)
        self.more_time_button.setMinimumSize(target * 3, round(target * 1.5))
        self.finish_button.setMinimumSize(target * 2, round(target * 1.5))

    def _apply_texts(self) -> None:
        th, countdown = self.theme, self.countdown
        seconds = max(0, countdown.seconds_left) if countdown is not None else 0
        extensions = countdown.extensions_left if countdown is not None else 0
        self.title_label.setText(self.t("countdown.title"))
        self.seconds_label.setText(self.t("countdown.seconds", seconds=seconds))
        self.body_label.setText(self.t("countdown.body", seconds=seconds))
        self.no_more_label.setText(self.t("countdown.no_more_time"))
        self.no_more_label.setVisible(extensions <= 0)
        self.more_time_button.setVisible(extensions > 0)
        self.more_time_button.setText(self.t("common.more_time"))
        self.finish_button.setText(self.t("countdown.finish_now"))
        px = round(th.font_px("button", self.elder) * 1.1)
        self.more_time_button.setIcon(make_icon("check", px, th.text_on_primary, th.primary))
        self.finish_button.setIcon(make_icon("exit", px, th.primary))
        for button in (self.more_time_button, self.finish_button):
            button.setIconSize(QSize(px, px))
            button.setAccessibleName(button.text())
        self.setAccessibleName(self.title_label.text())
        self.setAccessibleDescription(self.body_label.text())
        self._size_panel()

    def _size_panel(self) -> None:
        """A panel about half the window wide (wider in elder mode), never wider than the window."""
        parent = self.parentWidget()
        width = parent.width() if parent is not None else self.width()
        wanted = round(760 * self.theme.scale(bool(self.elder)))
        panel_width = max(200, min(wanted, width - 64))
        self.panel.setFixedWidth(panel_width)
        # Its height from its words at that width: a centred box is not given its
        # height-for-width by the layout around it, and would squeeze its labels.
        for label in (self.title_label, self.seconds_label, self.body_label, self.no_more_label):
            label.ensurePolished()
        self._panel_layout.invalidate()
        height = max(self._panel_layout.minimumSize().height(), self._panel_layout.heightForWidth(panel_width))
        self.panel.setFixedHeight(min(height, max(100, self.height() - 32)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), DIM)
        painter.end()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(watched.rect())
            self._size_panel()
        return super().eventFilter(watched, event)

    # --- keypad and presses --------------------------------------------------------------------
    def _emit(self, intent: Intent) -> None:
        self.intent.emit(intent.value, None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if key in _ENTER_KEYS and not isinstance(self.focusWidget(), KioskButton):
            if self.more_time_button.isVisible():
                self._emit(Intent.MORE_TIME)
            event.accept()
        elif key in _NAV_KEYS and not isinstance(self.focusWidget(), KioskButton):
            first = self.more_time_button if self.more_time_button.isVisible() else self.finish_button
            first.setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
        else:
            # Nothing reaches the screen underneath while the question is open.
            event.accept()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 (Qt API)
        """Arrows cycle between the overlay's own buttons; focus never slips to the screen below."""
        buttons = [b for b in (self.more_time_button, self.finish_button) if b.isVisible()]
        if not buttons:
            return False
        current = self.focusWidget()
        index = buttons.index(current) if current in buttons else -1
        step = 1 if next else -1
        buttons[(index + step) % len(buttons)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def mousePressEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        event.accept()   # a tap on the dim area is activity (the bridge sees it), not a press below
