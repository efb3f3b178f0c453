"""Enrolment screen (参保信息): the citizen's enrolment per insurance type, as large table rows.

One row per insurance type: name, status (words and an icon), first insured month,
months paid, pooling area; owed or deferred months and the flexible-worker grade sit
on an extra line under their row, owed/deferred with a warning icon (colour is never
the only signal). Rows never scroll: when they do not all fit (elder mode on a 1280x1024
panel) the screen pages them itself with large previous/next buttons.

Also home of the small drawing helpers the other service screens share (`IconText`,
`TableStyle`, `PagerBar`).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout,
                               QWidget)

from kiosk import documents
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent, Screen
from ui.screens.base import FlowScreen, settle
from ui.theme import Theme, build_stylesheet
from ui.widgets.icon_text import IconText
from ui.widgets.layouts import take_all
from ui.widgets.pictograms import make_icon, mirrored_icon

_GOOD_STATUSES = (models.EnrolmentStatus.ACTIVE, models.EnrolmentStatus.RETIRED)


# --- helpers shared by the service screens --------------------------------------------------

def extra_stylesheet(theme: Theme) -> str:
    """Rules the service screens add to the house stylesheet: table rows, headers, warnings."""
    return f"""
QFrame[role="row"] {{ background: transparent; border: none; border-top: 2px solid {theme.border}; }}
QFrame[role="paper"] {{ background: #FFFFFF; border: 2px solid {theme.border}; border-radius: 4px; }}
QLabel[cell="header"] {{ color: {theme.muted}; font-weight: 700; }}
QLabel[cell="strong"] {{ font-weight: 700; }}
QLabel[tone="warning"] {{ color: {theme.warning}; font-weight: 700; }}
QLabel[tone="danger"] {{ color: {theme.danger}; font-weight: 700; }}
QLabel[tone="muted"] {{ color: {theme.muted}; }}
QLabel[tone="strong"] {{ font-weight: 700; }}
QPushButton[bar="true"] {{ padding-top: 2px; padding-bottom: 2px; }}
"""


def apply_service_style(screen: FlowScreen) -> None:
    screen.setStyleSheet(build_stylesheet(screen.theme, screen.elder) + extra_stylesheet(screen.theme))


def needed_height(layout, width: int) -> int:
    """Height `layout` needs at `width`, wrapped text counted at that width (a layout's minimum
    size leaves it out: a label that wraps to two lines would get the height of one)."""
    needed = layout.totalMinimumSize().height()
    if layout.hasHeightForWidth():
        needed = max(needed, layout.totalHeightForWidth(width))
    return needed




class ServiceScreen(FlowScreen):
    """A flow screen that is fully laid out when `render` returns, with the service styles.

    These screens measure while drawing (column widths, what fits on a page, which words to
    shorten), so they must draw at the size they are shown at, and while shown. In the window
    they are pages of a QStackedWidget, which only sizes the page it shows: a hidden page keeps
    an old size (640x480 before it was ever shown), and its nested layouts do not update while
    it is hidden (Qt applies layout requests to visible widgets only), yet the flow draws it
    (a wipe, a language or text-size switch, a state that arrives before the page is shown).
    So a hidden page first takes the size the stack will give it; a page drawn hidden draws
    again once shown; a page drawn at one size draws again when resized. And it asks for no
    minimum size: it fits itself to the room it is given (paging, shortening), and a minimum
    measured while hidden must not push the window past the panel.
    """

    _drawn_size: QSize | None = None
    _drawn_hidden = False
    _redraw_posted = False

    def render(self, state: FlowState, branding: str) -> None:
        self._take_page_size()
        super().render(state, branding)
        settle(self)
        self._drawn_size = self.size()
        self._drawn_hidden = not self.isVisible()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(0, 0)

    def _take_page_size(self) -> None:
        """While hidden in a stack, take the size the stack gives the page it shows."""
        stack = self.parentWidget()
        if isinstance(stack, QStackedWidget) and stack.currentWidget() is not self:
            page = stack.contentsRect()
            if page.isValid() and page != self.geometry():
                self.setGeometry(page)

    def _redraw(self) -> None:
        """Draw the current state again (same page, picker and part)."""
        if self.state is not None:
            self.render(self.state, self.brand_label.text())

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        super().showEvent(event)
        if self._drawn_hidden and not self._redraw_posted:
            # After this turn of the event loop: the window may draw a new state right after showing.
            self._redraw_posted = True
            QTimer.singleShot(0, self._redraw_if_still_stale)

    def _redraw_if_still_stale(self) -> None:
        if shiboken6.isValid(self) and self._drawn_hidden and self.isVisible():
            self._redraw()
        self._redraw_posted = False

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        super().resizeEvent(event)
        if self.state is not None and self._drawn_size is not None and event.size() != self._drawn_size:
            self._redraw()

    def on_style_changed(self) -> None:
        apply_service_style(self)


def make_bar_button(button: QWidget) -> None:
    """A control-bar button: body-size words and little vertical padding (still >= the 12 mm target),
    because on a 1280x1024 panel in elder mode every line of chrome is a table row less."""
    button.setProperty("bar", "true")
    button.setProperty("textrole", "control")


def icon_px(screen: FlowScreen) -> int:
    """Icons as tall as a capital letter and a half of body text."""
    return round(screen.theme.font_px("body", screen.elder) * 1.1)


def column_gap(screen: FlowScreen) -> int:
    """Space between table columns: text, not touch targets, so tighter than button spacing."""
    return round(12 * screen.theme.scale(screen.elder))


BUTTON_PADDING = 2 * (24 + 4)     # the stylesheet's horizontal padding and border of a button


def button_width(button: QWidget, minimum: int) -> int:
    """Width a button needs for its text and icon (as the clipping check counts it), at least `minimum`."""
    button.ensurePolished()
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    text = button.fontMetrics().horizontalAdvance(button.text()) if button.text() else 0
    return max(minimum, text + icon + BUTTON_PADDING)


def text_width(label: QLabel, text: str | None = None) -> int:
    label.ensurePolished()
    return label.fontMetrics().horizontalAdvance(label.text() if text is None else text) + 2


def _heading_width(label: QLabel, wrap: bool) -> int:
    """Width of a column heading on one line, or (`wrap`) of its longest word."""
    if not wrap:
        return text_width(label)
    return max(text_width(label, word) for word in label.text().split() or [""])


def clear_layout(layout) -> None:
    """Remove and delete every widget (and nested layout) in `layout`, and the layout's items."""
    for widget in take_all(layout):
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()


def spread(widths: list[int], available: int) -> list[int]:
    """Give columns the room left over, evenly, so a table spans its panel."""
    extra = available - sum(widths)
    if extra <= 0:
        return widths
    share, rest = divmod(extra, len(widths))
    return [w + share + (1 if i < rest else 0) for i, w in enumerate(widths)]


def paginate(heights: list[int], available: int, spacing: int = 0) -> list[list[int]]:
    """Split items of `heights` into pages that each fit `available` (at least one item a page)."""
    pages: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, height in enumerate(heights):
        needed = height + (spacing if current else 0)
        if current and used + needed > available:
            pages.append(current)
            current, used = [], 0
            needed = height
        current.append(index)
        used += needed
    if current:
        pages.append(current)
    return pages or [[]]


class PagerBar(QWidget):
    """Previous / "page 1 of 3" / next: big buttons and the position in words."""

    def __init__(self, screen: FlowScreen, prefix: str, on_previous, on_next) -> None:
        super().__init__()
        self._screen, self._prefix = screen, prefix
        self.previous_button = screen.button("secondary", name=f"{prefix}_previous_page")
        self.next_button = screen.button("secondary", name=f"{prefix}_next_page")
        self.previous_button.activated.connect(on_previous)
        self.next_button.activated.connect(on_next)
        self.position_label = screen.label("body", wrap=False, name=f"{prefix}_page_position")
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.position_label)
        layout.addWidget(self.next_button)
        self._layout = layout

    def show_position(self, page: int, count: int, *, compact: bool = False,
                      part: tuple[int, int] | None = None, part_in_label: bool = True) -> None:
        """Show page `page` of `count`; `compact` leaves the arrows without words where room is short.
        `part` = (part, parts) when this page is shown in parts: the buttons step through them too
        (`part_in_label` False leaves it out of the visible position, not of the spoken one)."""
        screen = self._screen
        t, th = screen.t, screen.theme
        self._layout.setSpacing(th.spacing_px(screen.elder))
        for button, key in ((self.previous_button, "previous_page"), (self.next_button, "next_page")):
            words = t(f"{self._prefix}.{key}")
            button.setText("" if compact else words)
            button.setAccessibleName(words)
            button.setToolTip(words)
        number, parts = part if part is not None and part[1] > 1 else (1, 1)
        params = {"page": page, "count": count, "part": number, "parts": parts}
        long_key, short_key = ("page_part_of", "page_part_short") if parts > 1 else ("page_of", "page_short")
        shown_key = (short_key if compact else long_key) if part_in_label else ("page_short" if compact else "page_of")
        self.position_label.setText(t(f"{self._prefix}.{shown_key}", **params))
        self.position_label.setAccessibleName(t(f"{self._prefix}.{long_key}", **params))
        has_previous = page > 1 or number > 1
        has_next = page < count or number < parts
        self.previous_button.setEnabled(has_previous)
        self.next_button.setEnabled(has_next)
        px = round(th.font_px("button", screen.elder) * 1.1)
        self.previous_button.setIcon(make_icon("back", px, th.primary if has_previous else th.muted))
        self.next_button.setIcon(mirrored_icon("back", px, th.primary if has_next else th.muted))
        for button in (self.previous_button, self.next_button):
            button.setIconSize(QSize(px, px))
        self.next_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # arrow after the words


# --- the screen -----------------------------------------------------------------------------

class EnrolmentScreen(ServiceScreen):
    """Enrolment summary per insurance type, with a "print this" receipt button."""

    SCREEN = Screen.ENROLMENT

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
        enrolment = state.enrolment
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

        show_print_status(self, self.print_status, state.contributions.print_status_key)
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
            widths = [_heading_width(header, wrap_headings) for header in self.header_cells]
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
        status = documents.enrolment_status_name(item.status, lang)
        area = item.pooling_area.name_zh if lang == "zh" else item.pooling_area.name_en
        return [
            (documents.insurance_type_name(item.insurance_type, lang, short=short), ""),
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


PRINT_ICONS = {"printing": "printer", "printed": "check"}


def print_status_key(key: str) -> str:
    """The catalogue key of a receipt print status ("printed" or "contributions.print.printed")."""
    short = key.rsplit(".", 1)[-1] if key else ""
    if short == "paper_out":
        short = "failed_paper_out"
    if short in ("printing", "printed", "failed_paper_out"):
        return f"contributions.print.{short}"
    return "contributions.print.failed" if key else ""


def show_print_status(screen: FlowScreen, widget: IconText, key: str) -> None:
    """The receipt printer's real outcome in words with an icon (printer, check, or warning)."""
    catalogue_key = print_status_key(key)
    th = screen.theme
    widget.setVisible(bool(catalogue_key))
    if not catalogue_key:
        widget.set("", "", th.text, icon_px(screen))
        return
    kind = PRINT_ICONS.get(catalogue_key.rsplit(".", 1)[-1], "warning")
    warn = kind == "warning"
    widget.set(kind, screen.t(catalogue_key), th.warning if warn else th.primary, icon_px(screen),
               tone="warning" if warn else "")


def row_height(row: QWidget) -> int:
    """Height a table row needs at its fixed width: its cells' line plus each wrapped note,
    with the layout's margins and the row's own (its stylesheet border-top, a frame width)."""
    layout = row.layout()
    margins, frame = layout.contentsMargins(), row.contentsMargins()
    height = margins.top() + margins.bottom() + frame.top() + frame.bottom()
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item.layout() is not None:   # the line of cells
            line = item.layout()
            height += max((line.itemAt(j).widget().sizeHint().height() for j in range(line.count())
                           if line.itemAt(j).widget() is not None), default=0)
        elif isinstance(item.widget(), IconText):
            height += item.widget().height_for(item.widget().maximumWidth())
        elif item.widget() is not None:
            height += item.widget().sizeHint().height()
    return height


def keep_focus_on_pager(pager: PagerBar, focused: QWidget | None) -> None:
    """After the last page, a keypad user's focus moves from the now disabled button to the other one."""
    if focused in (pager.previous_button, pager.next_button) and not focused.isEnabled():
        other = pager.next_button if focused is pager.previous_button else pager.previous_button
        if other.isEnabled():
            other.setFocus(Qt.FocusReason.OtherFocusReason)
