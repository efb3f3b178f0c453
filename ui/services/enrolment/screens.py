"""Enrolment screen (参保信息): the citizen's enrolment per insurance type, as large table rows.

One row per insurance type: name, status (words and an icon), first insured month,
months paid, pooling area; owed or deferred months and the flexible-worker grade sit
on an extra line under their row, owed/deferred with a warning icon (colour is never
the only signal). Rows never scroll: when they do not all fit (elder mode on a 1280x1024
panel) the screen pages them itself with large previous/next buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk import documents
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent
from kiosk.messages import in_language
from ui.widgets.icon_text import IconText
from ui.widgets.pictograms import make_icon

from ui.screens.service_frame import (PagerBar, ServiceScreen, button_width, clear_layout, column_gap, heading_width,
                                      icon_px, keep_focus_on_pager, paginate, row_height, show_print_status, spread,
                                      text_width)
from kiosk.services.enrolment import EnrolmentScreens
from kiosk.services.enrolment import enrolment_view

_GOOD_STATUSES = (models.EnrolmentStatus.ACTIVE, models.EnrolmentStatus.RETIRED)


class EnrolmentScreen(ServiceScreen):
    """Enrolment summary per insurance type, with a "print this" receipt button."""

    SCREEN = EnrolmentScreens.ENROLMENT

    COLUMNS = ("type", "status", "first_insured", "months_paid", "area")

    def build_body(self) -> None:
        self._page = 0
        self._gap = 12
        self._shown_enrolment: models.Enrolment | None = None
        self.table = QFrame()
        self.table.setObjectName("enrolment_table")
        self.table.setProperty("role", "panel")
        # Preferred, not Maximum: a maximum is the unwrapped height, which would squeeze a wrapped note.
        self.table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._table_layout = QVBoxLayout(self.table)
        self._table_layout.setSpacing(0)
        self.header_cells: list[QLabel] = []
        header = QWidget()
        header.setObjectName("enrolment_header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        for column in self.COLUMNS:
            # Headings may take two lines ("Months / paid") when the columns are tight.
            cell = self.label("body", wrap=True, name=f"enrolment_header_{column}")
            cell.setProperty("cell", "header")
            self.header_cells.append(cell)
            header_layout.addWidget(cell)
        self._header_layout = header_layout
        self._table_layout.addWidget(header)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(0)
        self._table_layout.addLayout(self._rows_box)
        self.empty_label = self.label("body", name="enrolment_empty")
        self._table_layout.addWidget(self.empty_label)
        self.rows: list[QFrame] = []

        self.pager = PagerBar(self, "enrolment", lambda: self._turn(-1), lambda: self._turn(+1))
        self.print_button = self.button("primary", Intent.PRINT_RECEIPT, None, "enrolment_print")
        bar = QHBoxLayout()
        bar.addWidget(self.pager)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        self._bar = bar

        # The receipt's real outcome (the machine keeps it in the contributions view).
        self.print_status = IconText(wrap=True, name="enrolment_print_status")

        self.body.addWidget(self.table)
        self.body.addStretch(1)
        self.body.addWidget(self.print_status)
        self.body.addLayout(bar)

    def title_key(self, state: FlowState) -> str:
        return "enrolment.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._table_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._header_layout.setSpacing(column_gap(self))
        self._bar.setSpacing(gap)
        self.print_button.setMinimumHeight(round(self.theme.min_target_px(self.elder) * 1.25))

    def first_focus(self) -> QWidget | None:
        return self.print_button

    # --- drawing -------------------------------------------------------------------------
    def draw(self, state: FlowState) -> None:
        enrolment = enrolment_view(state).enrolment
        if enrolment is not self._shown_enrolment:
            self._page = 0
            self._shown_enrolment = enrolment
        items = list(enrolment.items) if enrolment is not None else []
        th = self.theme
        self.print_button.setText(self.t("enrolment.print"))
        self.print_button.setAccessibleName(self.print_button.text())
        px = round(th.font_px("button", self.elder) * 1.1)
        self.print_button.setIcon(make_icon("printer", px, th.text_on_primary, th.primary))
        self.print_button.setIconSize(QSize(px, px))
        self.print_button.setEnabled(bool(items))
        for column, cell in zip(self.COLUMNS, self.header_cells):
            cell.setText(self.t(f"enrolment.col.{column}"))

        show_print_status(self, self.print_status, state.receipt_status)
        self.layout().activate()
        gap = th.spacing_px(self.elder)
        inner_width = self.body_widget.width() - 2 * gap - 4   # panel margins and border
        clear_layout(self._rows_box)
        self.rows = []
        self.empty_label.setText(self.t("enrolment.empty"))
        self.empty_label.setVisible(not items)
        if items:
            self._build_rows(items, inner_width)
            # Roomy rows when they all fit on one page; tighter ones rather than a second page.
            for pad in (column_gap(self), column_gap(self) // 2):
                for row in self.rows:
                    row.layout().setContentsMargins(0, pad, 0, pad)
                    row.ensurePolished()
                if sum(row_height(row) for row in self.rows) <= self._available_rows_height():
                    break
        self._show_page()

    def _build_rows(self, items: list[models.EnrolmentItem], inner_width: int) -> None:
        """Columns as wide as their widest text, measured in the font each cell is drawn in.
        When they do not fit: short type names, then headings on two lines, then closer columns."""
        plain, bold = self.empty_label, self.header_cells[0]
        full_gap = column_gap(self)
        for short, wrap_headings, gap in ((False, False, full_gap), (True, False, full_gap),
                                          (True, True, full_gap), (True, True, max(6, full_gap // 2))):
            cells = [self._cells(item, short) for item in items]
            widths = [heading_width(header, wrap_headings) for header in self.header_cells]
            for row in cells:
                for i, (text, kind) in enumerate(row):
                    # The type is bold; a status is bold when it warns, with its icon before it.
                    font = bold if i == 0 or kind == "warning" else plain
                    extra = icon_px(self) + 8 if kind else 0
                    widths[i] = max(widths[i], text_width(font, text) + extra)
            if sum(widths) + gap * (len(widths) - 1) <= inner_width:
                break
        self._gap = gap
        self._header_layout.setSpacing(gap)
        widths = spread(widths, inner_width - gap * (len(widths) - 1))
        for header, width in zip(self.header_cells, widths):
            header.setFixedWidth(width)
        for index, (item, row_cells) in enumerate(zip(items, cells)):
            self.rows.append(self._row(index, item, row_cells, widths, inner_width))

    def _cells(self, item: models.EnrolmentItem, short: bool) -> list[tuple[str, str]]:
        lang = self.language
        status = documents.enrolment_status_name(item.status, lang, catalog=self.catalog)
        area = in_language(lang, zh=item.pooling_area.name_zh, en=item.pooling_area.name_en)
        return [
            (documents.insurance_type_name(item.insurance_type, lang, short=short, catalog=self.catalog), ""),
            (status, "check" if item.status in _GOOD_STATUSES else "warning"),
            (documents.format_period(item.first_insured), ""),
            (str(item.months_paid), ""),
            (documents.plain_line(area), ""),
        ]

    def _row(self, index: int, item: models.EnrolmentItem, cells: list[tuple[str, str]],
             widths: list[int], inner_width: int) -> QFrame:
        th, gap, px = self.theme, self._gap, icon_px(self)
        row = QFrame()
        row.setObjectName(f"enrolment_row_{item.insurance_type.value}")
        row.setProperty("role", "row")
        self._rows_box.addWidget(row)    # in the screen first: its stylesheet gives the fonts measured below
        box = QVBoxLayout(row)
        box.setContentsMargins(0, gap, 0, gap)
        box.setSpacing(0)
        line = QHBoxLayout()
        line.setSpacing(gap)
        for column, (text, kind), width in zip(self.COLUMNS, cells, widths):
            name = f"enrolment_{item.insurance_type.value}_{column}"
            if column == "status":
                good = kind == "check"
                cell = IconText(name=name)
                cell.set(kind, text, th.primary if good else th.warning, px, tone="" if good else "warning")
            else:
                cell = self.label("body", wrap=False, name=name)
                cell.setText(text)
                if column == "type":
                    cell.setProperty("cell", "strong")
                if column == "months_paid":
                    cell.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            cell.setFixedWidth(width)
            line.addWidget(cell)
        box.addLayout(line)
        notes = []
        if item.months_owed > 0:
            notes.append(("owed", "warning", self.t("enrolment.owed", months=item.months_owed), "warning"))
        if item.months_deferred > 0:
            notes.append(("deferred", "warning", self.t("enrolment.deferred", months=item.months_deferred), "warning"))
        if item.payer_kind == models.PayerKind.PERSONAL:
            grade = documents.plain_line(item.contribution_grade or "")
            text = (self.t("enrolment.flexible", grade=grade) if grade else self.t("enrolment.flexible_no_grade"))
            notes.append(("flexible", "", text, "muted"))
        widgets = []
        for key, kind, text, tone in notes:
            note = IconText(wrap=True, name=f"enrolment_{item.insurance_type.value}_{key}")
            box.addWidget(note)
            note.ensurePolished()      # the screen's stylesheet sets its font: measure with it
            note.set(kind, text, th.warning, px, tone=tone)
            widgets.append(note)
        # Notes sit under the type's column when they fit on one line there; otherwise further left,
        # as far as it takes to keep them on one line (a row's lines, not its wrapping, are what fit a page).
        longest = max((note.natural_width() for note in widgets), default=0)
        indent = max(0, min(widths[0] + gap, inner_width - longest))
        for note in widgets:
            note.setContentsMargins(indent, 0, 0, 0)
            note.setFixedWidth(inner_width)
        return row

    # --- local paging: only when the rows do not fit the panel ----------------------------
    def _available_rows_height(self) -> int:
        gap = self.theme.spacing_px(self.elder)
        bar = max(self.print_button.minimumHeight(), self.pager.sizeHint().height())
        header = max(cell.heightForWidth(cell.maximumWidth()) for cell in self.header_cells)
        margins = self._table_layout.contentsMargins()
        status = (self.print_status.height_for(self.body_widget.width()) + gap
                  if self.print_status.isVisibleTo(self) else 0)
        return self.body_widget.height() - bar - gap - header - margins.top() - margins.bottom() - 4 - status

    def _show_page(self) -> None:
        for row in self.rows:
            row.ensurePolished()   # fonts come from the stylesheet: measure with the real ones
        pages = paginate([row_height(row) for row in self.rows], self._available_rows_height())
        self._page_count = len(pages)
        self._page = min(self._page, self._page_count - 1)
        shown = set(pages[self._page])
        for index, row in enumerate(self.rows):
            row.setVisible(index in shown)
        paged = self._page_count > 1
        self.pager.setVisible(paged)
        # Arrows without words when the words would not leave room for Print (English, elder mode).
        self.pager.show_position(self._page + 1, self._page_count)
        if paged and self._bar_width() > self.body_widget.width():
            self.pager.show_position(self._page + 1, self._page_count, compact=True)

    def _bar_width(self) -> int:
        """Width the bar needs: the pager's buttons and position, Print, and the gaps between."""
        minimum = self.theme.min_target_px(self.elder)
        pager = self.pager
        return (button_width(pager.previous_button, minimum) + button_width(pager.next_button, minimum)
                + text_width(pager.position_label) + 2 * pager.layout().spacing()
                + self._bar.spacing() + button_width(self.print_button, minimum))

    def _turn(self, step: int) -> None:
        focused = self.focusWidget()
        self._page = max(0, min(self._page + step, self._page_count - 1))
        self._show_page()
        self.apply_targets()
        keep_focus_on_pager(self.pager, focused)

    def page_count(self) -> int:
        return self._page_count


