"""Drawing helpers every service screen shares: the service frame, the pager bar, table
geometry, and the receipt print status line (`IconText`, `PagerBar`, `ServiceScreen`)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QWidget

from kiosk.flow_state import FlowState
from ui.screens.base import FlowScreen, settle
from ui.theme import Theme, build_stylesheet
from ui.widgets.icon_text import IconText
from ui.widgets.layouts import take_all
from ui.widgets.pictograms import make_icon, mirrored_icon



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


def heading_width(label: QLabel, wrap: bool) -> int:
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

PRINT_ICONS = {"printing": "printer", "printed": "check"}


def print_status_key(status: str) -> str:
    """The catalogue key of a receipt print status (`FlowState.receipt_status`: "printed"...)."""
    if status in ("printing", "printed", "failed_paper_out"):
        return f"contributions.print.{status}"
    return "contributions.print.failed" if status else ""


def show_print_status(screen: FlowScreen, widget: IconText, status: str) -> None:
    """The receipt printer's real outcome in words with an icon (printer, check, or warning)."""
    catalogue_key = print_status_key(status)
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
