"""Pension-transfer progress (转移进度): the citizen's applications and each one's timeline.

One application at a time (newest first; the others one button away). Its steps form
a vertical timeline: a drawn marker per step (filled check: done, highlighted ring:
in progress, hollow: not started, cross: stopped) and always the state in words, the
dates and, past the 15-working-day limit, an "overdue" warning with an icon (colour is
never the only signal). Switching application and turning timeline pages is local
display state; the flow machine is not asked.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk import documents
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent
from kiosk.messages import in_language
from ui.services.pension_transfer.frame import (IconLine, PagedBlocks, TransferScreenBase, area_label, format_date, icon_size,
                                 outside_text, set_button, set_tone)
from ui.theme import Theme
from kiosk.services.pension_transfer import TransferScreens
from kiosk.services.pension_transfer import transfer_view

StepState = models.StepState

#: the tone of a step's state words (weight and colour, beside the marker's shape)
STATE_TONES = {
    StepState.DONE: "strong",
    StepState.CURRENT: "good",
    StepState.PENDING: "muted",
    StepState.STOPPED: "danger",
}
#: the tone and icon of an application's status line
STATUS_LOOK = {
    models.TransferStatus.COMPLETED: ("check", "good"),
    models.TransferStatus.REJECTED: ("cross", "danger"),
    models.TransferStatus.WITHDRAWN: ("cross", "warning"),
}


class StepMarker(QWidget):
    """The timeline's marker for one step, with the line joining it to its neighbours."""

    def __init__(self, theme: Theme, beside: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._beside = beside        # the step's title: the marker sits level with its first line
        self.state = StepState.PENDING
        self.overdue = False
        self.first = self.last = False
        self.diameter = 32
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def configure(self, state: StepState, *, overdue: bool, first: bool, last: bool, diameter: int) -> None:
        self.state, self.overdue, self.first, self.last = state, overdue, first, last
        self.diameter = diameter
        self.setFixedWidth(diameter + 8)
        self.setMinimumHeight(diameter + 4)
        self.update()

    def centre_y(self) -> float:
        line = self._beside.fontMetrics().height()
        return max(self.diameter / 2 + 1, self._beside.y() + line / 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        th = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        cx, cy, r = self.width() / 2, self.centre_y(), self.diameter / 2
        rail = QPen(QColor(th.border if self.state in (StepState.PENDING, StepState.STOPPED) else th.primary),
                    max(3.0, r * 0.22))
        p.setPen(rail)
        if not self.first:
            p.drawLine(QPointF(cx, 0), QPointF(cx, cy - r))
        if not self.last:
            below = QPen(QColor(th.primary if self.state is StepState.DONE else th.border), max(3.0, r * 0.22))
            p.setPen(below)
            p.drawLine(QPointF(cx, cy + r), QPointF(cx, self.height()))
        circle = QRectF(cx - r, cy - r, 2 * r, 2 * r)
        white = QColor(th.text_on_primary)
        if self.state is StepState.DONE:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(th.primary))
            p.drawEllipse(circle)
            tick = QPen(white, max(2.5, r * 0.28))
            tick.setCapStyle(Qt.PenCapStyle.RoundCap)
            tick.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(tick)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPolyline(QPolygonF([QPointF(cx - r * 0.45, cy + r * 0.02), QPointF(cx - r * 0.1, cy + r * 0.38),
                                      QPointF(cx + r * 0.5, cy - r * 0.35)]))
        elif self.state is StepState.CURRENT:
            colour = QColor(th.warning if self.overdue else th.primary)
            p.setPen(QPen(colour, max(3.0, r * 0.3)))
            p.setBrush(QColor(th.primary_tint))
            p.drawEllipse(circle.adjusted(r * 0.15, r * 0.15, -r * 0.15, -r * 0.15))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(QPointF(cx, cy), r * 0.32, r * 0.32)
        elif self.state is StepState.STOPPED:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(th.danger))
            p.drawEllipse(circle)
            cross = QPen(white, max(2.5, r * 0.26))
            cross.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(cross)
            d = r * 0.4
            p.drawLine(QPointF(cx - d, cy - d), QPointF(cx + d, cy + d))
            p.drawLine(QPointF(cx + d, cy - d), QPointF(cx - d, cy + d))
        else:
            p.setPen(QPen(QColor(th.muted), max(2.0, r * 0.14)))
            p.setBrush(QColor(th.surface))
            p.drawEllipse(circle.adjusted(r * 0.2, r * 0.2, -r * 0.2, -r * 0.2))
        p.end()


class StepRow(QFrame):
    """One step of the timeline: marker, title, state in words with its dates, overdue warning."""

    def __init__(self, screen: TransferScreenBase, index: int) -> None:
        super().__init__()
        name = f"transfer_step_{index}"
        self.setObjectName(name)
        self.setProperty("role", "plain")
        self.title_label = screen.label("body", name=f"{name}_title")
        set_tone(self.title_label, "strong")
        self.marker = StepMarker(screen.theme, self.title_label)
        self.marker.setObjectName(f"{name}_marker")
        # The state in words on the title's line (a column down the right), the dates below.
        self.state_label = screen.label("body", wrap=False, name=f"{name}_state")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        title_row = QHBoxLayout()
        title_row.setSpacing(16)
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.state_label, 0, Qt.AlignmentFlag.AlignTop)
        self.dates_label = screen.label("body", name=f"{name}_dates")
        self.overdue_line = IconLine(f"{name}_overdue")
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addLayout(title_row)
        text.addWidget(self.dates_label)
        text.addWidget(self.overdue_line)
        self._text = text
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.marker)
        layout.addLayout(text, 1)
        self._layout = layout

    def show_step(self, screen: TransferScreenBase, step: models.TransferStep, *, first: bool, last: bool) -> None:
        th, language, t = screen.theme, screen.language, screen.t
        gap = th.spacing_px(screen.elder)
        self._layout.setSpacing(gap)
        # The rows' gap is inside each row, so the timeline's line runs unbroken.
        self._text.setContentsMargins(0, 0, 0, 0 if last else round(gap * 0.7))
        self.state = StepState(step.state)
        self.overdue = step.overdue
        self.title_label.setText(outside_text(in_language(language, zh=step.title_zh, en=step.title_en)))
        state_words = t(f"transfer_progress.state.{self.state.value}")
        self.state_label.setText(state_words)
        set_tone(self.state_label, STATE_TONES[self.state])
        dates = []
        if step.started_on is not None:
            dates.append(t("transfer_progress.started", date=format_date(step.started_on, language)))
        if step.completed_on is not None:
            dates.append(t("transfer_progress.completed", date=format_date(step.completed_on, language)))
        elif step.due_by is not None and self.state is StepState.CURRENT:
            dates.append(t("transfer_progress.due_by", date=format_date(step.due_by, language)))
        self.dates_label.setText(" · ".join(dates))
        self.dates_label.setVisible(bool(dates))
        if step.overdue:
            text = t("transfer_progress.overdue", days=step.working_day_limit)
            if self.state is StepState.CURRENT:
                text += in_language(language, zh="", en=" ") + t("transfer_progress.overdue_help")
            self.overdue_line.set("warning", text, th.danger, icon_size(screen), tone="danger")
        self.overdue_line.setVisible(step.overdue)
        office = t(f"transfer_progress.office.{step.office}")
        self.setAccessibleName(f"{self.title_label.text()} ({office}): {state_words}")
        diameter = round(th.font_px("body", screen.elder) * 1.15)
        self.marker.configure(self.state, overdue=step.overdue, first=first, last=last, diameter=diameter)


class ApplicationCard(QWidget):
    """An application's number, from -> to, status (icon and words) and the office's reason.

    A white panel with the gap to the timeline below it inside the block, so the
    timeline's blocks can sit with no gap and its line runs unbroken.
    """

    def __init__(self, screen: TransferScreenBase, index: int) -> None:
        super().__init__()
        name = f"transfer_application_{index}"
        self.setObjectName(name)
        self.panel = QFrame()
        self.panel.setObjectName(f"{name}_panel")
        self.panel.setProperty("role", "panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.panel)
        self._outer = outer
        self.id_label = screen.label("body", name=f"{name}_id")
        set_tone(self.id_label, "strong")
        self.route_label = screen.label("body", name=f"{name}_route")
        self.status_line = IconLine(f"{name}_status")
        self.reason_label = screen.label("body", name=f"{name}_reason")
        layout = QVBoxLayout(self.panel)
        for widget in (self.id_label, self.route_label, self.status_line, self.reason_label):
            layout.addWidget(widget)
        self._layout = layout

    def show_application(self, screen: TransferScreenBase, application: models.PensionTransfer, index: int,
                         count: int) -> None:
        th, language, t = screen.theme, screen.language, screen.t
        gap = th.spacing_px(screen.elder)
        self._layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._layout.setSpacing(round(gap * 0.3))
        self._outer.setContentsMargins(0, 0, 0, round(gap * 0.7))
        number = outside_text(application.id)
        self.id_label.setText(t("transfer_progress.number_of", id=number, index=index, count=count) if count > 1
                              else t("transfer_progress.number", id=number))
        self.route_label.setText(t("transfer.route", from_area=area_label(application.from_area, language),
                                   to_area=area_label(application.to_area, language)))
        status = models.TransferStatus(application.status)
        kind, tone = STATUS_LOOK.get(status, ("clock", "strong"))
        color = {"good": th.primary, "danger": th.danger, "warning": th.warning}.get(tone, th.text)
        self.status_line.set(kind, t("transfer_progress.status", status=documents.transfer_status_name(
                                 status, language, catalog=screen.catalog)),
                             color, icon_size(screen), tone=tone)
        reason = in_language(language, zh=application.status_reason_zh, en=application.status_reason_en)
        self.reason_label.setText(t("transfer_progress.reason", reason=outside_text(reason)) if reason else "")
        self.reason_label.setVisible(bool(reason))
        self.setAccessibleName(self.id_label.text())


class TransferProgressScreen(TransferScreenBase):
    """The citizen's transfer applications (newest first), each with its step timeline.

    Everything is one sequence of pages: an application's card and its steps, the next
    application on a new page. One "next page" button walks through all of it.
    """

    SCREEN = TransferScreens.TRANSFER_PROGRESS

    def build_body(self) -> None:
        self._shown: tuple[str, ...] = ()
        self.cards: list[ApplicationCard] = []
        self.step_rows: list[StepRow] = []
        self.rows_by_application: list[list[StepRow]] = []
        self.paged = PagedBlocks(self, "transfer_progress")

        self.empty_panel = QFrame()
        self.empty_panel.setObjectName("transfer_progress_empty")
        self.empty_panel.setProperty("role", "panel")
        self.empty_line = IconLine("transfer_progress_none", role="heading")
        self.start_button = self.button("primary", Intent.START_APPLICATION, None, "transfer_progress_start")
        empty_layout = QVBoxLayout(self.empty_panel)
        empty_layout.addWidget(self.empty_line)
        empty_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._empty_layout = empty_layout

        self.body.addWidget(self.empty_panel)
        self.body.addWidget(self.paged.area, 1)
        self.body.addWidget(self.paged.pager)

    def title_key(self, state: FlowState) -> str:
        return "transfer_progress.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self.paged.set_spacing(0)       # the gaps are inside the blocks: the timeline's line runs on
        self._empty_layout.setContentsMargins(gap, gap, gap, gap)
        self._empty_layout.setSpacing(gap)
        self.size_main_buttons(self.start_button)

    def first_focus(self) -> QWidget | None:
        for widget in (self.start_button, self.paged.pager.next_button, self.paged.pager.previous_button,
                       self.back_button):
            if widget.isVisibleTo(self) and widget.isEnabled():
                return widget
        return None

    def show_application(self, index: int) -> None:
        """Turn to the first page of application `index` (0 = newest)."""
        if 0 <= index < len(self.cards) and self.cards[index] in self.paged.blocks:
            self.paged.show_page_of(self.cards[index])

    def draw(self, state: FlowState) -> None:
        applications = transfer_view(state).applications
        ids = tuple(application.id for application in applications)
        if ids != self._shown:          # a new list: start again at the newest
            self._shown, self.paged.page = ids, 0
        self.empty_panel.setVisible(not applications)
        if not applications:
            self.empty_line.set("info", self.t("transfer_progress.none"), self.theme.primary,
                                icon_size(self, "heading", 1.0))
            set_button(self, self.start_button, self.t("transfer_progress.start"), "check", on_primary=True)
            self.paged.set_blocks([])
            self.rows_by_application = []
            self.fit()
            return
        blocks: list[QWidget] = []
        starts: list[int] = []
        self.rows_by_application = []
        used_rows = 0
        for index, application in enumerate(applications):
            while len(self.cards) <= index:
                self.cards.append(ApplicationCard(self, len(self.cards) + 1))
            card = self.cards[index]
            card.show_application(self, application, index + 1, len(applications))
            starts.append(len(blocks))
            blocks.append(card)
            rows = []
            steps = list(application.steps)
            for position, step in enumerate(steps):
                while len(self.step_rows) <= used_rows:
                    self.step_rows.append(StepRow(self, len(self.step_rows) + 1))
                row = self.step_rows[used_rows]
                used_rows += 1
                row.show_step(self, step, first=position == 0, last=position == len(steps) - 1)
                rows.append(row)
            self.rows_by_application.append(rows)
            blocks.extend(rows)
        # A card is read with its first step: it never ends a page on its own.
        self.paged.set_blocks(blocks, keep_with_next=starts, break_before=starts[1:])
        self.fit()

    def fit(self) -> None:
        self.paged.fit()
