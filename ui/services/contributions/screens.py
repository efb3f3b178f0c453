"""Contributions screen (缴费明细): one year's monthly rows, paged, with totals.

Top to bottom: one bar of controls (year and insurance-type choosers, the pager,
"print this"); a table panel (column headings, rows grouped under their employer, the
totals of the selected year and type); a one-line explanation of 缓缴/欠缴 when either
is on the page; the receipt printer's status.

Why this shape: the body of a 1280x1024 panel in elder mode is about 640 px tall, and
every line of chrome is a row less. So all controls share one bar (the pager drops the
words beside its arrows, and "print this" shortens, when the bar would not fit), and the
six types and many years are not laid out beside the table: the two choosers open a
picker in place of the table. Picking sends SELECT_YEAR / SELECT_TYPE and closes the
picker; the flow machine decides what happens next.

The machine picks the page size; `rows_that_fit()` says how many rows this screen
holds at its current size, language and mode in the worst case (two employers on the
page, owed and deferred explained, a print failure shown). A page with more rows than
fit at once is shown in parts (previous/next step through them before asking the
machine for another page), so no row is ever left out.

When the columns are too wide (English, elder mode, 1280 px) the longest type name is
abbreviated, the months lose their year (it is on the year button and the totals), the
panel's margin narrows, and last the columns move closer, in that order.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QIcon, QKeyEvent, QPolygonF
from PySide6.QtWidgets import (QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget,
                               QVBoxLayout, QWidget)

from kiosk import documents
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent
from kiosk.messages import in_language
from ui.screens.service_frame import (BUTTON_PADDING, IconText, PagerBar, ServiceScreen, button_width, clear_layout,
                                  column_gap, icon_px, keep_focus_on_pager, make_bar_button,
                                  needed_height, show_print_status, spread, text_width)
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.pictograms import begin_icon, make_icon, mirrored_icon
from kiosk.services.contributions import ContributionsIntent, ContributionsScreens, ContributionsView
from kiosk.services.contributions import contributions_view

log = logging.getLogger(__name__)

COLUMNS = ("period", "type", "base", "personal", "employer_part", "status")
MONEY_COLUMNS = ("base", "personal", "employer_part")
STATUS_ICONS = {
    models.ContributionStatus.PAID: "check",
    models.ContributionStatus.OWED: "warning",
    models.ContributionStatus.DEFERRED: "warning",
}


class ContributionsScreen(ServiceScreen):
    """Monthly contribution rows of one year and type, a page at a time."""

    SCREEN = ContributionsScreens.CONTRIBUTIONS

    #: text blocks sit closer than touch targets need to (2 mm between targets still holds)
    BLOCK_GAP = 6

    def build_body(self) -> None:
        self._picker = ""          # "", "year" or "type": the chooser whose picker is open
        # A page of the machine's that does not fit here is shown in parts (row ranges).
        self._parts: list[tuple[int, int]] = [(0, 0)]
        self._part = 0
        self._shown_page: models.ContributionPage | None = None
        self._land_on_last_part_of = 0     # page number whose last part to show (stepping back)
        self._month_only = False
        self._narrow_types = False
        self._year_window = 0      # index of the first year the year picker shows
        self._view: ContributionsView | None = None
        self._column_gap = 12
        self._widths: list[int] = [0] * len(COLUMNS)
        self.rows: list[QFrame] = []
        self.option_buttons: list[KioskButton] = []

        # --- one bar of controls -------------------------------------------------------------
        self.year_button = self.button("secondary", name="contributions_year")
        self.year_button.activated.connect(lambda: self._toggle_picker("year"))
        self.type_button = self.button("secondary", name="contributions_type")
        self.type_button.activated.connect(lambda: self._toggle_picker("type"))
        self.pager = PagerBar(self, "contributions", lambda: self._step(-1), lambda: self._step(+1))
        self.print_button = self.button("primary", Intent.PRINT_RECEIPT, None, "contributions_print")
        for button in (self.year_button, self.type_button, self.print_button, self.pager.previous_button,
                       self.pager.next_button):
            make_bar_button(button)
        bar = QHBoxLayout()
        bar.addWidget(self.year_button)
        bar.addWidget(self.type_button)
        bar.addStretch(1)
        bar.addWidget(self.pager)
        bar.addWidget(self.print_button)
        self._bar = bar

        # --- results: table panel, explanation, print status -----------------------------------
        self.table = QFrame()
        self.table.setObjectName("contributions_table")
        self.table.setProperty("role", "panel")
        # Preferred, not Maximum: a maximum is the one-line height, which would squeeze an employer
        # line that wraps. The stretch below the results keeps the panel from growing.
        self.table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._table_layout = QVBoxLayout(self.table)
        self._table_layout.setSpacing(0)
        self.header_cells, self._header_line = self._cell_line(self._table_layout, "contributions_header", "header")
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(0)
        self._table_layout.addLayout(self._rows_box)
        self.empty_label = self.label("body", name="contributions_empty")
        self._table_layout.addWidget(self.empty_label)
        self.totals = QFrame()
        self.totals.setObjectName("contributions_totals")
        self.totals.setProperty("role", "row")
        totals_layout = QVBoxLayout(self.totals)
        totals_layout.setContentsMargins(0, 0, 0, 0)
        totals_layout.setSpacing(0)
        self.total_cells, self._totals_line = self._cell_line(totals_layout, "contributions_total", "strong")
        months = QHBoxLayout()
        self.months_paid = IconText(name="contributions_months_paid")
        self.months_deferred = IconText(name="contributions_months_deferred")
        self.months_owed = IconText(name="contributions_months_owed")
        for widget in (self.months_paid, self.months_deferred, self.months_owed):
            months.addWidget(widget)
        months.addStretch(1)
        self._months_line = months
        totals_layout.addLayout(months)
        self._table_layout.addWidget(self.totals)

        self.explanation = IconText(wrap=True, name="contributions_explanation")
        self.print_status = IconText(wrap=True, name="contributions_print_status")
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.table)
        results_layout.addWidget(self.explanation)
        results_layout.addWidget(self.print_status)
        results_layout.addStretch(1)
        self._results_layout = results_layout

        # --- the picker, shown in place of the results ---------------------------------------
        self.picker = QWidget()
        self.picker.setObjectName("contributions_picker")
        picker_layout = QVBoxLayout(self.picker)
        picker_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.picker_heading = self.label("heading", name="contributions_picker_heading")
        self.picker_close = self.button("secondary", name="contributions_picker_close")
        self.picker_close.activated.connect(self.close_picker)
        head.addWidget(self.picker_heading, 1)
        head.addWidget(self.picker_close)
        picker_layout.addLayout(head)
        self._options = QGridLayout()
        picker_layout.addLayout(self._options)
        window_bar = QHBoxLayout()
        self.newer_years = self.button("secondary", name="contributions_newer_years")
        self.newer_years.activated.connect(lambda: self._shift_year_window(-1))
        self.older_years = self.button("secondary", name="contributions_older_years")
        self.older_years.activated.connect(lambda: self._shift_year_window(+1))
        for button in (self.picker_close, self.newer_years, self.older_years):
            make_bar_button(button)
        window_bar.addWidget(self.newer_years)
        window_bar.addStretch(1)
        window_bar.addWidget(self.older_years)
        picker_layout.addLayout(window_bar)
        picker_layout.addStretch(1)
        self._window_bar, self._picker_layout = window_bar, picker_layout

        self.stack = QStackedWidget()
        # The stack takes the height the frame leaves and never asks for more: content that
        # would not fit is measured and paged, not allowed to push the footer off the panel.
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.stack.addWidget(results)
        self.stack.addWidget(self.picker)
        self.body.addLayout(bar)
        self.body.addWidget(self.stack, 1)

    def _cell_line(self, parent_layout, prefix: str, cell_role: str) -> tuple[list[QLabel], QHBoxLayout]:
        """One label per column, in a line added to `parent_layout` (headings, totals)."""
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        cells = []
        for column in COLUMNS:
            cell = self.label("body", wrap=False, name=f"{prefix}_{column}")
            cell.setProperty("cell", cell_role)
            if column in MONEY_COLUMNS:
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            line.addWidget(cell)
            cells.append(cell)
        line.addStretch(1)
        parent_layout.addLayout(line)
        return cells, line

    def title_key(self, state: FlowState) -> str:
        return "contributions.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self.body.setSpacing(self.BLOCK_GAP)
        self._results_layout.setSpacing(self.BLOCK_GAP)
        for layout in (self._bar, self._window_bar, self._picker_layout):
            layout.setSpacing(gap)
        self._options.setSpacing(gap)
        for layout in (self._header_line, self._totals_line):
            layout.setSpacing(column_gap(self))
        self._months_line.setSpacing(2 * column_gap(self))
        self._table_layout.setContentsMargins(column_gap(self), 4, column_gap(self), 4)

    def first_focus(self) -> QWidget | None:
        if self._picker:
            return self._active_option() or self.picker_close
        if self.pager.isVisibleTo(self) and self.pager.next_button.isEnabled():
            return self.pager.next_button
        return self.year_button

    # --- keys: PageUp / PageDown turn pages like the buttons; Escape closes a picker ----------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        view = self._view
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) and not self._picker:
            if view is not None:
                self._step(-1 if key == Qt.Key.Key_PageUp else +1)
            event.accept()
            return
        if key == Qt.Key.Key_Escape and self._picker:
            self.close_picker()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- drawing -----------------------------------------------------------------------------
    def draw(self, state: FlowState) -> None:
        view = contributions_view(state)
        if self._view is not None and (view.year, view.insurance_type) != (self._view.year, self._view.insurance_type):
            self._picker = ""    # a new choice arrived: show its rows
        if view.page is not self._shown_page:
            # Another page: its first part, or its last when the citizen stepped back into it.
            self._part = -1 if view.page_number == self._land_on_last_part_of else 0
            self._land_on_last_part_of = 0
            self._shown_page = view.page
        self._view = view
        self._draw_bar(view)
        show_print_status(self, self.print_status, state.receipt_status)
        self.layout().activate()
        self._draw_table(view)
        self._draw_bar(view)      # again: the table decided whether the page is shown in parts
        self._draw_picker(view)

    def part_count(self) -> int:
        """Screens this page of the machine's takes here (more than one when its rows do not fit)."""
        return len(self._parts)

    def _step(self, step: int) -> None:
        """Previous / next: through the parts of this page, then to the machine's next page."""
        view = self._view
        if view is None:
            return
        part = self._part + step
        if 0 <= part < len(self._parts):
            focused = self.focusWidget()
            self._part = part
            self._redraw()
            keep_focus_on_pager(self.pager, focused)
        elif 1 <= view.page_number + step <= view.page_count:
            if step < 0:
                self._land_on_last_part_of = view.page_number - 1
            self.emit_intent(Intent.PAGE, step)

    def _draw_bar(self, view: ContributionsView) -> None:
        t, th = self.t, self.theme
        px = self._icon_size()
        chevron = _chevron_icon(px, th.primary)
        for button, which in ((self.year_button, "year"), (self.type_button, "type")):
            button.set_active(self._picker == which)
            button.setIcon(chevron)
            button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)    # the chevron after the words
        self.print_button.setIcon(make_icon("printer", px, th.text_on_primary, th.primary))
        self.print_button.setEnabled(view.page is not None and bool(view.page.rows))
        self.type_button.setText(self._type_name(view.insurance_type, short=True))
        self.type_button.setAccessibleName(self._type_name(view.insurance_type))
        self.year_button.setAccessibleName(t("contributions.year_button", year=view.year) if view.year
                                           else t("contributions.year_none"))
        self.print_button.setAccessibleName(t("contributions.print"))
        for button in (self.year_button, self.type_button, self.print_button):
            button.setIconSize(QSize(px, px))
        paged = (view.page_count > 1 or len(self._parts) > 1) and not self._picker
        self.pager.setVisible(paged)
        part = (self._part + 1, len(self._parts))
        self.print_button.setVisible(not self._picker)
        # Shorten, step by step, until the bar fits: arrows without words, then "Print", then "2025",
        # then the position without the part ("12/13" for "12(1/2)/13"; the arrows still step
        # through the parts, and the words for screen readers keep it).
        width = self.body_widget.width() or self.width()
        for compact_pager, short_print, short_year, show_part in (
                (False, False, False, True), (True, False, False, True), (True, True, False, True),
                (True, True, True, True), (True, True, True, False)):
            self.pager.show_position(view.page_number, view.page_count, compact=compact_pager, part=part,
                                     part_in_label=show_part)
            self.print_button.setText(t("contributions.print_short" if short_print else "contributions.print"))
            year_key = "contributions.year_short" if short_year else "contributions.year_button"
            self.year_button.setText(t(year_key, year=view.year) if view.year else t("contributions.year_none"))
            if self._bar_width(paged) <= width:
                break

    def _bar_width(self, paged: bool) -> int:
        gap = self.theme.spacing_px(self.elder)
        buttons = [self.year_button, self.type_button] + ([self.print_button] if not self._picker else [])
        if paged:
            buttons += [self.pager.previous_button, self.pager.next_button]
        width = sum(button_width(button, self.theme.min_target_px(self.elder)) for button in buttons)
        width += gap * (len(buttons) - 1)
        if paged:
            width += text_width(self.pager.position_label) + 2 * gap
        return width

    def _type_name(self, insurance_type: models.InsuranceType | None, *, short: bool = False) -> str:
        if insurance_type is None:
            return self.t("contributions.type.all")
        return documents.insurance_type_name(insurance_type, self.language, short=short, catalog=self.catalog)

    def _inner_width(self) -> int:
        margins = self._table_layout.contentsMargins()
        return self.body_widget.width() - margins.left() - margins.right() - 4   # and the border

    def _draw_table(self, view: ContributionsView) -> None:
        t = self.t
        for column, cell in zip(COLUMNS, self.header_cells):
            cell.setText(t(f"contributions.col.{column}"))
        page = view.page
        rows = list(page.rows) if page is not None else []
        totals = page.totals if page is not None else None
        self._fit_columns(view, rows, self._total_cells(view, totals))
        self._draw_totals(view, totals)
        self.empty_label.setText(t("contributions.empty"))
        self.empty_label.setVisible(not rows)
        # The rows of the page, in parts when they do not all fit (never dropped): each part as
        # many rows as fit after the one before it.
        parts: list[tuple[int, int]] = []
        start = 0
        while start < len(rows):
            end = len(rows)
            while end - start > 1 and not self._fill(view, rows[start:end], start):
                end -= 1
            parts.append((start, end))
            start = end
        self._parts = parts or [(0, 0)]
        if len(self._parts) > 1:
            log.debug("contributions page %d: %d rows shown in %d parts", view.page_number, len(rows),
                      len(self._parts))
        last = len(self._parts) - 1
        self._part = last if self._part < 0 else min(self._part, last)
        first, last = self._parts[self._part]
        self._fill(view, rows[first:last], first)
        self._give_rows_air()

    def _fit_columns(self, view: ContributionsView, rows: list[models.ContributionRow],
                     total_texts: list[tuple[str, str]]) -> None:
        """Column widths for every row of the page (its parts line up), as its texts need them.
        When they do not fit (English, elder mode, 1280 px): the long type name abbreviated, then
        months without the year (the year is on the year button and the totals), then a narrower
        panel margin, and only then columns closer: amounts side by side must not run together."""
        plain, bold = self.empty_label, self.header_cells[0]      # body text, and bold (headings, totals, status)
        wide = column_gap(self)
        close = max(6, wide // 2)
        attempts = [(False, False, wide, wide), (True, False, wide, wide)]
        if view.year:
            attempts += [(True, True, wide, wide), (True, True, wide, 6)]
        attempts += [(True, bool(view.year), close, 6)]
        for narrow_types, month_only, gap, margin in attempts:
            self._narrow_types, self._month_only = narrow_types, month_only
            self.header_cells[0].setText(self.t("contributions.col.month" if month_only
                                                else "contributions.col.period"))
            self._table_layout.setContentsMargins(margin, 4, margin, 4)
            cells = [self._row_cells(row) for row in rows]
            widths = [text_width(cell) for cell in self.header_cells]
            for row in cells:
                for i, (text, kind) in enumerate(row):
                    extra = icon_px(self) + 8 if kind else 0
                    widths[i] = max(widths[i], text_width(bold if kind else plain, text) + extra)
            for i, (text, _) in enumerate(total_texts[2:], start=2):
                widths[i] = max(widths[i], text_width(bold, text))
            # The totals label ("Total 2025") spans the month and type columns.
            widths[0] = max(widths[0], text_width(bold, total_texts[0][0]) - widths[1] - gap)
            # Words after right-aligned amounts: twice the gap before the status, or they run together.
            widths[-1] += gap
            if sum(widths) + gap * (len(widths) - 1) <= self._inner_width():
                break
        self._header_line.setSpacing(gap)
        self._totals_line.setSpacing(gap)
        self._column_gap = gap
        self._widths = widths = spread(widths, self._inner_width() - gap * (len(widths) - 1))
        for cell, width in zip(self.header_cells, widths):
            cell.setFixedWidth(width)
        self.header_cells[-1].setContentsMargins(gap, 0, 0, 0)
        for i, (cell, (text, _)) in enumerate(zip(self.total_cells, total_texts)):
            cell.setText(text)
            cell.setVisible(i != 1)
            cell.setFixedWidth(widths[0] + widths[1] + gap if i == 0 else widths[i])

    def _draw_totals(self, view: ContributionsView, totals: models.ContributionTotals | None) -> None:
        t, th, px = self.t, self.theme, icon_px(self)
        self.totals.setVisible(totals is not None)
        if totals is not None:
            self.months_paid.set("check", t("contributions.totals.months_paid", months=totals.months_paid),
                                 th.primary, px)
            for widget, months, key in ((self.months_deferred, totals.months_deferred, "months_deferred"),
                                        (self.months_owed, totals.months_owed, "months_owed")):
                warn = months > 0
                widget.set("warning" if warn else "", t(f"contributions.totals.{key}", months=months),
                           th.warning, px, tone="warning" if warn else "")

    def _fill(self, view: ContributionsView, rows: list[models.ContributionRow], first: int) -> bool:
        """Show `rows` (numbered from `first`) under their employers, and the explanation of
        缓缴/欠缴 on them; True when it all fits (the explanation gives way before a row does)."""
        t, th = self.t, self.theme
        clear_layout(self._rows_box)
        self.rows = []
        current_payer = None
        for index, row in enumerate(rows, start=first):
            payer = self._payer_text(row)
            if payer != current_payer:
                current_payer = payer
                group = IconText(wrap=True, name=f"contributions_payer_{index}")
                self._rows_box.addWidget(group)
                group.ensurePolished()     # fonts come from the stylesheet: measure with them
                group.set("", payer, th.text, icon_px(self), tone="muted")
                group.setFixedWidth(self._inner_width())
                group.show()     # now, not on the next event loop turn: the layout measures it below
            line = self._row(index, row, self._row_cells(row), self._widths)
            self._rows_box.addWidget(line)
            line.show()
            line.ensurePolished()
            self.rows.append(line)
        statuses = {row.status for row in rows}
        parts = [t("contributions.explain.deferred")] if models.ContributionStatus.DEFERRED in statuses else []
        if models.ContributionStatus.OWED in statuses:
            parts.append(t("contributions.explain.owed"))
        self.explanation.set("warning" if parts else "", in_language(self.language, zh="", en=" ").join(parts),
                             th.warning, icon_px(self))
        self.explanation.setVisible(bool(parts))
        if parts and self.overflow() > 0:
            # Two employers on a page in elder mode: the rows say 缓缴/欠缴 in words with an icon;
            # the explanation gives way rather than a row.
            self.explanation.setVisible(False)
        return self.overflow() == 0

    def _give_rows_air(self) -> None:
        """Room to spare (a wide panel, a short page): give the rows air, up to half a line each."""
        spare = self.stack.height() - self.stack.currentWidget().layout().totalMinimumSize().height()
        pad = max(0, min(self._line_height() // 2, spare // max(1, len(self.rows))))
        while True:
            for frame in self.rows:
                frame.layout().setContentsMargins(0, pad // 2, 0, pad - pad // 2)
            if pad <= 0 or self.overflow() == 0:
                break
            pad = max(0, pad - 2)

    def _row_cells(self, row: models.ContributionRow) -> list[tuple[str, str]]:
        lang = self.language
        period = documents.format_period(row.period)
        if self._month_only and len(row.period) == 6 and row.period[4:].isdigit() and 1 <= int(row.period[4:]) <= 12:
            period = self.t(f"contributions.month.{int(row.period[4:])}")
        type_name = documents.insurance_type_name(row.insurance_type, lang, short=True, catalog=self.catalog)
        narrow_key = f"contributions.type_narrow.{row.insurance_type.value}"
        if self._narrow_types and narrow_key in self.catalog:
            type_name = self.t(narrow_key)
        return [
            (period, ""),
            (type_name, ""),
            (documents.format_money(row.base), ""),
            (documents.format_money(row.personal_part), ""),
            (documents.format_money(row.employer_part), ""),
            (documents.contribution_status_name(row.status, lang, catalog=self.catalog), STATUS_ICONS[row.status]),
        ]

    def _total_cells(self, view: ContributionsView, totals: models.ContributionTotals | None) -> list[tuple[str, str]]:
        label = (self.t("contributions.totals.label", year=view.year) if view.year
                 else self.t("contributions.totals.label_all"))
        personal = documents.format_money(totals.personal_part) if totals is not None else ""
        employer = documents.format_money(totals.employer_part) if totals is not None else ""
        return [(label, ""), ("", ""), ("", ""), (personal, ""), (employer, ""), ("", "")]

    def _payer_text(self, row: models.ContributionRow) -> str:
        if row.payer_kind == models.PayerKind.PERSONAL or not row.employer:
            return self.t("contributions.personal_payment")
        return self.t("contributions.employer", name=documents.plain_line(row.employer))

    def _row(self, index: int, row: models.ContributionRow, cells: list[tuple[str, str]],
             widths: list[int]) -> QFrame:
        th, gap, px = self.theme, self._column_gap, icon_px(self)
        frame = QFrame()
        frame.setObjectName(f"contributions_row_{index}")
        frame.setProperty("role", "row")
        line = QHBoxLayout(frame)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(gap)
        for column, (text, kind), width in zip(COLUMNS, cells, widths):
            name = f"contributions_row_{index}_{column}"
            if column == "status":
                paid = row.status == models.ContributionStatus.PAID
                cell = IconText(name=name)
                cell.set(kind, text, th.primary if paid else th.warning, px, tone="" if paid else "warning")
                cell.setContentsMargins(gap, 0, 0, 0)     # apart from the amounts (see _fit_columns)
            else:
                cell = self.label("body", wrap=False, name=name)
                cell.setText(text)
                if column in MONEY_COLUMNS:
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cell.setFixedWidth(width)
            line.addWidget(cell)
        line.addStretch(1)
        frame.setAccessibleName(" ".join(text for text, _ in cells))
        return frame

    # --- how many rows this panel holds --------------------------------------------------------
    def rows_that_fit(self) -> int:
        """Rows that fit at the current size, language and mode, in the worst case.

        Worst case: a print failure shown, and either one employer line with owed and
        deferred explained, or two employer lines (the explanation then gives way).
        """
        line = self._line_height()
        width = self.body_widget.width()
        t = self.t
        explanation = _wrapped_height(self.explanation, width, in_language(self.language, zh="", en=" ").join(
            (t("contributions.explain.deferred"), t("contributions.explain.owed"))))
        status = _wrapped_height(self.print_status, width, t("contributions.print.failed_paper_out"))
        fixed = self._bar_height() + self.BLOCK_GAP + self._panel_fixed_height() + status + self.BLOCK_GAP
        one_employer = self.body_widget.height() - fixed - (line + 2) - explanation - self.BLOCK_GAP
        two_employers = self.body_widget.height() - fixed - 2 * (line + 2)
        return max(1, min(one_employer, two_employers) // self._row_height())

    def _line_height(self) -> int:
        probe = self.header_cells[0]      # one line, not wrapped
        probe.ensurePolished()
        return max(probe.fontMetrics().height(), probe.sizeHint().height())

    def _row_height(self) -> int:
        return self._line_height() + 2       # a line and its rule

    def _bar_height(self) -> int:
        return max(self.year_button.minimumHeight(), self.year_button.sizeHint().height(),
                   self.print_button.sizeHint().height())

    def _panel_fixed_height(self) -> int:
        """The table panel without rows or employer lines: margins, border, headings, totals."""
        margins = self._table_layout.contentsMargins()
        line = self._line_height()
        return margins.top() + margins.bottom() + 4 + line + 2 + 2 * line

    def overflow(self) -> int:
        """Pixels the shown results need beyond the height they have (0 when they fit)."""
        results = self.stack.currentWidget()
        # New and changed widgets post their size changes: apply them before measuring.
        for _ in range(2):     # a change can post another (a row's new height to the panel)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            results.layout().activate()
        return max(0, needed_height(results.layout(), self.stack.width()) - self.stack.height())

    # --- pickers -------------------------------------------------------------------------------
    def _toggle_picker(self, which: str) -> None:
        keypad = self.focusWidget() in (self.year_button, self.type_button)
        self._picker = "" if self._picker == which else which
        self._year_window = -1     # open on the chosen year
        self._redraw()
        if keypad:
            target = (self._active_option() or self.picker_close) if self._picker else \
                (self.year_button if which == "year" else self.type_button)
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def close_picker(self) -> None:
        keypad = self.focusWidget() in self.option_buttons + [self.picker_close, self.newer_years,
                                                              self.older_years]
        was = self._picker
        self._picker = ""
        self._redraw()
        if keypad:
            (self.year_button if was == "year" else self.type_button).setFocus(Qt.FocusReason.TabFocusReason)

    def _shift_year_window(self, step: int) -> None:
        keypad = self.focusWidget() in (self.newer_years, self.older_years)
        self._year_window = max(0, self._year_window + step * self._years_per_window())
        self._redraw()
        if keypad:
            target = self.older_years if step > 0 and self.older_years.isEnabled() else self.newer_years
            if not target.isEnabled():
                target = self.older_years
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def _active_option(self) -> KioskButton | None:
        return next((b for b in self.option_buttons if b.is_active()), None)

    def _option_width(self) -> int:
        """Width of the widest year choice (as the clipping check counts it), with some slack."""
        sample = self.t("contributions.year_short", year=2000)
        return self.year_button.fontMetrics().horizontalAdvance(sample) + self._icon_size() + 4 + BUTTON_PADDING + 8

    def _option_columns(self) -> int:
        gap = self.theme.spacing_px(self.elder)
        return max(1, min(6, (self.body_widget.width() + gap) // (self._option_width() + gap)))

    def _option_rows(self) -> int:
        gap = self.theme.spacing_px(self.elder)
        button = self._bar_height()
        heading = max(self.picker_heading.sizeHint().height(), button)
        free = self.stack.height() - heading - button - 3 * gap      # heading row, window bar, spacing
        return max(1, (free + gap) // (button + gap))

    def _icon_size(self) -> int:
        return round(self.theme.font_px("control", self.elder) * 1.1)

    def _years_per_window(self) -> int:
        return self._option_columns() * self._option_rows()

    def _draw_picker(self, view: ContributionsView) -> None:
        self.stack.setCurrentIndex(1 if self._picker else 0)
        clear_layout(self._options)
        self.option_buttons = []
        self.newer_years.setVisible(False)
        self.older_years.setVisible(False)
        if not self._picker:
            return
        t, th = self.t, self.theme
        px = self._icon_size()
        self.picker_close.setText(t("contributions.picker.close"))
        self.picker_close.setAccessibleName(self.picker_close.text())
        if self._picker == "type":
            self.picker_heading.setText(t("contributions.picker.type"))
            choices = [None, *models.InsuranceType]
            columns = 3 if self.body_widget.width() >= 1500 else 2
            px = round(th.font_px("button", self.elder) * 1.1)
            for i, member in enumerate(choices):
                value = member.value if member is not None else ""
                button = self.button("secondary", ContributionsIntent.SELECT_TYPE, value, f"contributions_type_{value or 'all'}")
                button.setText(self._type_name(member))
                self._add_option(button, member == view.insurance_type, i, columns, px)
        else:
            self.picker_heading.setText(t("contributions.picker.year"))
            years = list(view.years)
            per_window = self._years_per_window()
            if self._year_window < 0:
                index = years.index(view.year) if view.year in years else 0
                self._year_window = (index // per_window) * per_window
            start = min(self._year_window, max(0, len(years) - 1))
            columns = self._option_columns()
            for i, year in enumerate(years[start:start + per_window]):
                button = self.button("secondary", ContributionsIntent.SELECT_YEAR, year, f"contributions_year_{year}")
                button.setText(t("contributions.year_short", year=year))
                button.setAccessibleName(t("contributions.year_button", year=year))
                self._add_option(button, year == view.year, i, columns, px)
            if len(years) > per_window:
                self.newer_years.setText(t("contributions.picker.newer"))
                self.older_years.setText(t("contributions.picker.older"))
                self.newer_years.setEnabled(start > 0)
                self.older_years.setEnabled(start + per_window < len(years))
                self.newer_years.setIcon(make_icon("back", px, th.primary if start > 0 else th.muted))
                self.older_years.setIcon(mirrored_icon("back", px, th.primary if self.older_years.isEnabled()
                                                       else th.muted))
                self.older_years.setLayoutDirection(Qt.LayoutDirection.RightToLeft)   # arrow after the words
                for button in (self.newer_years, self.older_years):
                    button.setVisible(True)
                    button.setIconSize(QSize(px, px))
                    button.setAccessibleName(button.text())

    def _add_option(self, button: KioskButton, active: bool, index: int, columns: int, px: int) -> None:
        """One choice in the picker grid; the chosen one is ticked and tinted (not colour alone)."""
        th = self.theme
        button.set_active(active)
        button.setIcon(make_icon("checkbox_on" if active else "checkbox_off", px, th.primary,
                                 th.primary_tint if active else th.surface))
        button.setIconSize(QSize(px, px))
        if not button.accessibleName():
            button.setAccessibleName(button.text())
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if self._picker == "year":
            make_bar_button(button)      # many years share the panel
        else:
            button.setMinimumHeight(round(self.theme.min_target_px(self.elder) * 1.3))
        button.activated.connect(self._picked)
        self._options.addWidget(button, index // columns, index % columns)
        button.show()          # now, not on the next turn of the event loop
        self.option_buttons.append(button)

    def _picked(self) -> None:
        """A choice was sent (the machine reloads and draws again); close the picker meanwhile."""
        self._picker = ""
        self._redraw()


def _wrapped_height(widget: IconText, width: int, text: str) -> int:
    """Height `widget` would need at `width` to show `text` (restores its own text)."""
    label = widget.text_label
    label.ensurePolished()
    kept = label.text()
    label.setText(text)
    icon = round(label.fontMetrics().height()) + 8
    height = label.heightForWidth(max(1, width - icon))
    label.setText(kept)
    return max(height, label.fontMetrics().height())


def _chevron_icon(px: int, color: str) -> QIcon:
    """A chevron pointing down (this button opens a list), drawn like the house pictograms."""
    pixmap, painter, _ = begin_icon(px, color, stroke=2.6)
    painter.drawPolyline(QPolygonF([QPointF(5, 9), QPointF(12, 16), QPointF(19, 9)]))
    painter.end()
    return QIcon(pixmap)
