"""Busy screen: what the kiosk is doing, a moving indicator, and Cancel where it is allowed.

The indicator is a QTimer-driven painted ring of dots: it proves the GUI thread is
free (back-office calls run on workers) and tells the citizen the kiosk has not hung.
Its timer runs only while the screen is shown.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import FlowState, Intent, Screen
from ui.screens.base import FlowScreen
from ui.screens.message import IconLine, icon_size, identify_stylesheet
from ui.theme import Theme
from ui.widgets.pictograms import make_icon


class Spinner(QWidget):
    """A ring of dots with one bright dot running round: an indeterminate progress indicator."""

    DOTS = 12
    INTERVAL_MS = 90

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.frame = 0
        self._px = 120
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self._advance)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(self._px, self._px)

    def set_px(self, px: int) -> None:
        self._px = px
        self.setFixedSize(px, px)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self._px, self._px)

    def _advance(self) -> None:
        self.frame = (self.frame + 1) % self.DOTS
        self.update()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        size = min(self.width(), self.height())
        centre = QPointF(self.width() / 2, self.height() / 2)
        dot = size * 0.075
        radius = size / 2 - dot - 2
        base = QColor(self._theme.primary)
        for i in range(self.DOTS):
            # The lead dot is full colour and large; the trail fades behind it.
            age = (self.frame - i) % self.DOTS
            color = QColor(base)
            color.setAlphaF(max(0.15, 1.0 - age / (self.DOTS * 0.75)))
            p.setBrush(color)
            angle = 2 * math.pi * i / self.DOTS - math.pi / 2
            scale = 1.0 if age == 0 else max(0.6, 1.0 - age * 0.05)
            p.drawEllipse(QPointF(centre.x() + radius * math.cos(angle), centre.y() + radius * math.sin(angle)),
                          dot * scale, dot * scale)
        p.end()


class BusyScreen(FlowScreen):
    """Progress text from `state.busy_key`, a spinner, and Cancel when the task may be dropped."""

    SCREEN = Screen.BUSY

    def build_body(self) -> None:
        self.panel = QFrame()
        self.panel.setObjectName("busy_panel")
        self.panel.setProperty("role", "panel")
        self.spinner = Spinner(self.theme)
        self.spinner.setObjectName("busy_spinner")
        self.progress_label = self.label("heading", name="busy_text")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label = self.label("muted", name="busy_hint")
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keep_card = IconLine("heading", name="busy_keep_card")
        self.cancel_button = self.button("secondary", Intent.CANCEL, None, "busy_cancel")
        layout = QVBoxLayout(self.panel)
        layout.addStretch(1)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.keep_card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._panel_layout = layout
        cancel_row = QHBoxLayout()
        cancel_row.addStretch(1)
        cancel_row.addWidget(self.cancel_button)
        cancel_row.addStretch(1)
        self.body.addWidget(self.panel, 1)
        self.body.addLayout(cancel_row)

    def title_key(self, state: FlowState) -> str:
        return "busy.title"

    def first_focus(self) -> QWidget | None:
        return self.cancel_button if self.cancel_button.isVisibleTo(self) else super().first_focus()

    def on_style_changed(self) -> None:
        th, elder = self.theme, self.elder
        self.setStyleSheet(identify_stylesheet(th, elder))
        gap = th.spacing_px(elder)
        self._panel_layout.setContentsMargins(gap * 2, gap, gap * 2, gap)
        self._panel_layout.setSpacing(gap)
        self.spinner.set_px(round(140 * th.scale(elder)))
        self.cancel_button.setMinimumSize(round(th.min_target_px(elder) * 3.2), round(th.min_target_px(elder) * 1.25))

    def draw(self, state: FlowState) -> None:
        th = self.theme
        self.progress_label.setText(self.t(state.busy_key or "busy.loading"))
        self.hint_label.setText(self.t(state.busy_hint_key or "busy.hint"))
        by_card = state.identified_by == "card"
        if by_card:
            self.keep_card.set("warning", self.t("busy.keep_card"), th.warning, icon_size(self, "heading"),
                               tone="warning")
        self.keep_card.setVisible(by_card)
        self.cancel_button.setText(self.t("common.cancel"))
        self.cancel_button.setAccessibleName(self.cancel_button.text())
        px = round(th.font_px("button", self.elder) * 1.1)
        self.cancel_button.setIcon(make_icon("back", px, th.primary))
        self.cancel_button.setIconSize(QSize(px, px))
        self.cancel_button.setVisible(state.busy_cancellable)
        self.spinner.setAccessibleName(self.progress_label.text())
