"""Drawing parts the pension-transfer screens share (transfer_form.py, transfer_progress.py).

Nothing scrolls on a kiosk: what does not fit (English in elder mode on a 1280x1024
panel) is shown page by page with large previous/next buttons (`PagedBlocks`, `Pager`).
That paging is local display state; it never decides navigation. Icons are drawn, the
tones give weight as well as colour, and back-office text goes through
`documents.plain_line` into plain-text labels: markup stays literal and a newline cannot
break a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPaintEvent, QPixmap, QPolygonF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk import documents
from kiosk.contract import areas, models
from kiosk.messages import in_language
from ui.screens.base import FlowScreen
from ui.theme import Theme, build_stylesheet
from ui.widgets.icon_text import IconText, set_tone
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.layouts import take_all
from ui.widgets.pictograms import ICON_KINDS, begin_icon, make_icon, mirrored_icon

# --- look ---------------------------------------------------------------------------------

def transfer_stylesheet(theme: Theme, elder: bool) -> str:
    """The house stylesheet plus tones (text colour AND weight, never colour alone) and big digits."""
    digits_px = round(theme.font_px("heading", elder) * 1.25)
    radius = round(theme.corner_radius_px * theme.scale(elder))
    return build_stylesheet(theme, elder) + f"""
QLabel[tone="strong"] {{ font-weight: 700; }}
QLabel[tone="good"] {{ color: {theme.primary}; font-weight: 700; }}
QLabel[tone="warning"] {{ color: {theme.warning}; font-weight: 700; }}
QLabel[tone="danger"] {{ color: {theme.danger}; font-weight: 700; }}
QLabel[tone="muted"] {{ color: {theme.muted}; }}
QLabel[role="digits"] {{ font-size: {digits_px}px; font-weight: 700; color: {theme.text}; }}
QPushButton[textrole="digit"] {{ font-size: {theme.font_px("heading", elder)}px; }}
QFrame[role="note"] {{ background: {theme.primary_tint}; border: none; border-radius: {radius}px; }}
QFrame[role="alert"] {{ background: {theme.surface}; border: 3px solid {theme.danger}; border-radius: {radius}px; }}
QFrame[role="plain"] {{ background: transparent; border: none; }}
"""


def outside_text(text: object) -> str:
    """Back-office text for a plain label: one line, no controls, no full ssn."""
    return documents.plain_line(text)


def area_label(area: models.Area | None, language: str) -> str:
    if area is None:
        return documents.NO_VALUE
    return outside_text(in_language(language, zh=area.name_zh, en=area.name_en))


def chosen_area_label(province_code: str, city_code: str, catalog_text: Callable[..., str], language: str) -> str:
    """`江苏省 南京市` / `Nanjing, Jiangsu` from the picker's codes; a municipality is named once."""
    province = areas.area_name(province_code) if province_code else None
    city = areas.area_name(city_code) if city_code else None
    if province is None:
        return city.name(language) if city is not None else ""
    if city is None or city.code == province.code:
        return province.name(language)
    return catalog_text("transfer.area_pair", province=province.name(language), city=city.name(language))


def masked_mobile(display: str) -> str:
    """`138 0013 8000` -> `138****8000`; anything shorter is all stars (never shown in full on review)."""
    digits = "".join(ch for ch in display if ch.isdigit())
    if len(digits) <= 7:            # too short to hide anything in the middle
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def format_date(day: dt.date | None, language: str) -> str:
    """2026年3月2日 in Chinese; ISO 2026-03-02 in English (unambiguous everywhere)."""
    if day is None:
        return documents.NO_VALUE
    return in_language(language, zh=f"{day.year}年{day.month}月{day.day}日", en=day.isoformat())


# --- small drawings -------------------------------------------------------------------------

EXTRA_ICON_KINDS = ("place", "province", "pension", "years", "one_place", "clock", "cross", "info")


def icon_pixmap(kind: str, px: int, color: str, fill: str = "#FFFFFF") -> QPixmap:
    """The house icons (ui.widgets.pictograms) plus the few the transfer screens need."""
    if kind in ICON_KINDS:
        return make_icon(kind, px, color, fill).pixmap(px, px)
    if kind not in EXTRA_ICON_KINDS:
        raise ValueError(f"unknown icon {kind!r}")
    pixmap, p, c = begin_icon(px, color)
    if kind == "place":            # a map pin: where you are now
        path = QPainterPath(QPointF(12, 22))
        path.cubicTo(7, 16, 4.5, 12.5, 4.5, 9.5)
        path.cubicTo(4.5, 5, 8, 2, 12, 2)
        path.cubicTo(16, 2, 19.5, 5, 19.5, 9.5)
        path.cubicTo(19.5, 12.5, 17, 16, 12, 22)
        p.drawPath(path)
        p.drawEllipse(QPointF(12, 9.5), 3, 3)
    elif kind == "province":       # two towns inside one border
        p.drawRoundedRect(QRectF(2.5, 4, 19, 16), 4, 4)
        p.setBrush(c)
        p.drawEllipse(QPointF(7.5, 14.5), 2, 2)
        p.drawEllipse(QPointF(16.5, 9.5), 2, 2)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawLine(QPointF(9.2, 13.4), QPointF(14.8, 10.6))
    elif kind == "pension":        # a coin with ¥
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        p.drawPolyline(QPolygonF([QPointF(8, 6.5), QPointF(12, 12), QPointF(16, 6.5)]))
        p.drawLine(QPointF(12, 12), QPointF(12, 18))
        p.drawLine(QPointF(8.5, 12.5), QPointF(15.5, 12.5))
        p.drawLine(QPointF(8.5, 15.5), QPointF(15.5, 15.5))
    elif kind == "years":          # a calendar
        p.drawRoundedRect(QRectF(3, 4.5, 18, 17), 2, 2)
        p.drawLine(QPointF(3, 9.5), QPointF(21, 9.5))
        p.drawLine(QPointF(8, 2.5), QPointF(8, 6.5))
        p.drawLine(QPointF(16, 2.5), QPointF(16, 6.5))
        p.setBrush(c)
        for x in (8, 12, 16):
            for y in (13.5, 17.5):
                p.drawEllipse(QPointF(x, y), 1, 1)
    elif kind == "one_place":      # one pin kept, a second one struck out
        p.drawEllipse(QPointF(7.5, 8), 3.5, 3.5)
        p.drawLine(QPointF(7.5, 11.5), QPointF(7.5, 20))
        p.drawEllipse(QPointF(17, 8), 3.5, 3.5)
        p.drawLine(QPointF(17, 11.5), QPointF(17, 20))
        p.drawLine(QPointF(13, 20.5), QPointF(21.5, 3.5))
    elif kind == "clock":
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        p.drawPolyline(QPolygonF([QPointF(12, 6.5), QPointF(12, 12), QPointF(16, 14.5)]))
    elif kind == "cross":
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        p.drawLine(QPointF(8.5, 8.5), QPointF(15.5, 15.5))
        p.drawLine(QPointF(15.5, 8.5), QPointF(8.5, 15.5))
    elif kind == "info":
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        p.drawLine(QPointF(12, 11), QPointF(12, 17))
        p.setBrush(c)
        p.drawEllipse(QPointF(12, 7.5), 1.1, 1.1)
    p.end()
    return pixmap


class Badge(QWidget):
    """A step number in a filled circle (the words beside it carry the meaning)."""

    def __init__(self, number: int, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self._theme = theme
        self._px = 32
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_size(self, px: int) -> None:
        self._px = px
        self.setFixedSize(px, px)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self._theme.primary))
        p.drawEllipse(QRectF(0.5, 0.5, self._px - 1, self._px - 1))
        font = QFont(self._theme.font_family)
        font.setPixelSize(max(8, round(self._px * 0.6)))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(self._theme.text_on_primary))
        p.drawText(QRectF(0, 0, self._px, self._px), Qt.AlignmentFlag.AlignCenter, str(self.number))
        p.end()


class IconLine(IconText):
    """Wrapped text beside its icon, with the transfer screens' extra icons and wider spacing."""

    def __init__(self, name: str = "", role: str = "body", parent: QWidget | None = None) -> None:
        super().__init__(role, name=name, wrap=True, spacing=12,
                         icon_alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter,
                         painter=icon_pixmap, parent=parent)


# --- layout helpers -----------------------------------------------------------------------------

def relayout(screen: QWidget) -> None:
    """Lay the screen out now (not at the next event loop turn), so sizes can be measured.

    Every widget's layout is activated, parents first: activating only the top one does
    not re-lay a child widget whose own size did not change.
    """
    widget_layouts = [w.layout() for w in [screen, *screen.findChildren(QWidget)] if w.layout() is not None]
    for layout in screen.findChildren(QLayout):     # nested layouts included
        layout.invalidate()
    for layout in widget_layouts:
        layout.invalidate()
        layout.activate()


def needed_height(widget: QWidget, width: int) -> int:
    """Height `widget` needs at `width` (wrapped text included), whether shown or not."""
    widget.ensurePolished()
    layout = widget.layout()
    if layout is not None:
        layout.invalidate()
        if layout.hasHeightForWidth():
            return layout.totalHeightForWidth(width)
        return layout.totalSizeHint().height()
    if widget.hasHeightForWidth():
        return widget.heightForWidth(width)
    return widget.sizeHint().height()


def keep_focus(screen: FlowScreen, preferred: Sequence[QWidget], was_focused: QWidget | None = None) -> None:
    """After local paging a keypad user keeps a focus: where it was, else on the first usable candidate.

    `was_focused` is the focus before the page turned: Qt moves the focus off a button that
    becomes disabled (the last page's "next") to whatever comes next, not to "previous".
    """
    focused = was_focused if was_focused is not None else screen.focusWidget()
    if not isinstance(focused, KioskButton):
        return      # a touch user: no keypad focus to keep
    if focused.isVisibleTo(screen) and focused.isEnabled():
        if screen.focusWidget() is not focused:
            focused.setFocus(Qt.FocusReason.OtherFocusReason)
        return
    for widget in preferred:
        if widget is not None and widget.isVisibleTo(screen) and widget.isEnabled():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return


def icon_size(screen: FlowScreen, role: str = "body", factor: float = 1.1) -> int:
    return round(screen.theme.font_px(role, screen.elder) * factor)


def set_button(screen: FlowScreen, button: KioskButton, text: str, icon: str = "", *, on_primary: bool = False,
               mirrored: bool = False) -> None:
    """Text, accessible name and an optional icon in the colour the button's variant needs."""
    button.setText(text)
    button.setAccessibleName(text)
    if icon:
        th = screen.theme
        px = icon_size(screen, "button", 1.0)
        if not button.isEnabled():
            color = th.muted
        else:
            color = th.text_on_primary if on_primary else th.primary
        button.setIcon(mirrored_icon(icon, px, color) if mirrored else QIcon(icon_pixmap(icon, px, color)))
        button.setIconSize(QSize(px, px))
        button.setLayoutDirection(Qt.LayoutDirection.RightToLeft if mirrored else Qt.LayoutDirection.LeftToRight)
    else:
        button.setIcon(QIcon())


class Pager(QWidget):
    """Previous / "page 1 of 3" / next: large buttons and the position in words."""

    def __init__(self, screen: FlowScreen, name: str, on_turn: Callable[[int], None], *,
                 previous_key: str = "transfer.page.previous", next_key: str = "transfer.page.next",
                 position_key: str = "transfer.page.position") -> None:
        super().__init__()
        self.setObjectName(name)
        self._screen = screen
        self._keys = (previous_key, next_key, position_key)
        self.previous_button = screen.button("secondary", name=f"{name}_previous")
        self.next_button = screen.button("secondary", name=f"{name}_next")
        self.previous_button.activated.connect(lambda: on_turn(-1))
        self.next_button.activated.connect(lambda: on_turn(+1))
        self.position_label = screen.label("body", wrap=False, name=f"{name}_position")
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.previous_button)
        self._layout.addWidget(self.position_label)
        self._layout.addWidget(self.next_button)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def show_position(self, page: int, count: int) -> None:
        """`page` counts from 1."""
        screen = self._screen
        previous_key, next_key, position_key = self._keys
        self._layout.setSpacing(screen.theme.spacing_px(screen.elder))
        self.previous_button.setEnabled(page > 1)
        self.next_button.setEnabled(page < count)
        set_button(screen, self.previous_button, screen.t(previous_key), "back")
        set_button(screen, self.next_button, screen.t(next_key), "back", mirrored=True)
        text = screen.t(position_key, page=page, count=count)
        self.position_label.setText(text)
        self.position_label.setAccessibleName(text)


class PagedBlocks:
    """A column of blocks shown page by page when they do not all fit (nobody scrolls).

    The screen puts `area` (stretching) and `pager` into its body. `fit()` measures the
    room the area gets with nothing in it, then fills pages with whole blocks; a block
    marked keep-with-next (a heading) never ends a page.
    """

    def __init__(self, screen: FlowScreen, name: str) -> None:
        self.screen = screen
        self.area = QWidget()
        self.area.setObjectName(f"{name}_area")
        self.area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.column = QVBoxLayout(self.area)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.pager = Pager(screen, f"{name}_pager", self.turn)
        self.blocks: list[QWidget] = []
        self.spacing, self.spread = 0, 1.0
        self.heights: list[int] = []
        self.keep_with_next: set[int] = set()
        self.break_before: set[int] = set()
        self.pages: list[list[int]] = [[]]
        self.page = 0

    def set_blocks(self, blocks: Sequence[QWidget], keep_with_next: Sequence[int] = (),
                   break_before: Sequence[int] = ()) -> None:
        """Replace the blocks; old ones not given again are hidden (the caller owns them).

        When paging, a block in `break_before` starts a new page (a new application)."""
        for old in self.blocks:
            if old not in blocks:
                old.hide()
        take_all(self.column)
        for block in blocks:
            self.column.addWidget(block)
        self.column.addStretch(1)
        self.blocks = list(blocks)
        self.keep_with_next = set(keep_with_next)
        self.break_before = set(break_before)

    def set_spacing(self, px: int, *, spread: float = 1.0) -> None:
        """Gap between blocks; up to `spread` times more when a page has room to spare."""
        self.spacing = px
        self.spread = spread
        self.column.setSpacing(px)

    def fit(self) -> None:
        """Re-page for the current size, texts and fonts (keeps the page number when it still exists)."""
        screen = self.screen
        for block in self.blocks:
            block.hide()
        self.pager.hide()
        self.column.setSpacing(self.spacing)
        relayout(screen)
        width = self.area.width()
        heights = [needed_height(block, width) for block in self.blocks]
        self.heights = heights
        spacing = self.spacing
        groups = self._groups()
        total = sum(heights) + spacing * max(0, len(heights) - 1)
        if total <= self.area.height() or len(groups) <= 1:
            self.pages = [list(range(len(self.blocks)))]
        else:
            self.pager.show()
            relayout(screen)
            self.pages = self._paginate(groups, heights, self.area.height(), spacing, self.break_before)
        self.page = max(0, min(self.page, len(self.pages) - 1))
        self._show_page()

    def turn(self, step: int) -> None:
        focused = self.screen.focusWidget()
        self.page = max(0, min(self.page + step, len(self.pages) - 1))
        self._show_page()
        keep_focus(self.screen, (self.pager.next_button, self.pager.previous_button), focused)

    def show_page_of(self, block: QWidget) -> None:
        for number, page in enumerate(self.pages):
            if block in [self.blocks[i] for i in page]:
                self.page = number
                self._show_page()
                return

    def page_count(self) -> int:
        return len(self.pages)

    def visible_blocks(self) -> list[QWidget]:
        return [self.blocks[i] for i in self.pages[self.page]]

    def _groups(self) -> list[list[int]]:
        groups: list[list[int]] = []
        current: list[int] = []
        for index in range(len(self.blocks)):
            current.append(index)
            if index not in self.keep_with_next:
                groups.append(current)
                current = []
        if current:
            groups.append(current)
        return groups

    @staticmethod
    def _paginate(groups: list[list[int]], heights: list[int], room: int, spacing: int,
                  break_before: set[int] = frozenset()) -> list[list[int]]:
        pages: list[list[int]] = []
        page: list[int] = []
        used = 0
        for group in groups:
            height = sum(heights[i] for i in group) + spacing * (len(group) - 1)
            needed = height + (spacing if page else 0)
            if page and (used + needed > room or group[0] in break_before):
                pages.append(page)
                page, used, needed = [], 0, height
            page.extend(group)
            used += needed
        if page:
            pages.append(page)
        return pages or [[]]

    def _show_page(self) -> None:
        shown = set(self.pages[self.page])
        for index, block in enumerate(self.blocks):
            block.setVisible(index in shown)
        count = len(self.pages)
        self.pager.setVisible(count > 1)
        if count > 1:
            self.pager.show_position(self.page + 1, count)
        self.screen.apply_targets()
        self.column.setSpacing(self.spacing)
        relayout(self.screen)
        if self.spread > 1.0 and len(shown) > 1 and len(self.heights) == len(self.blocks):
            # Room to spare (a wide panel, normal text): let the page breathe rather than
            # leave one empty band at the bottom.
            used = sum(self.heights[i] for i in shown) + self.spacing * (len(shown) - 1)
            extra = (self.area.height() - used) // (len(shown) - 1)
            if extra > 0:
                self.column.setSpacing(min(round(self.spacing * self.spread), self.spacing + extra))
                relayout(self.screen)


def label_block(screen: FlowScreen, role: str, name: str, text: str = "", tone: str = "") -> QFrame:
    """A block holding one wrapped label (headings and paragraphs in a `PagedBlocks`)."""
    block = QFrame()
    block.setObjectName(f"{name}_block")
    block.setProperty("role", "plain")
    label = screen.label(role, name=name)
    label.setText(text)
    if tone:
        set_tone(label, tone)
    layout = QVBoxLayout(block)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    block.label = label
    return block


class TransferScreenBase(FlowScreen):
    """What the transfer screens share: their stylesheet, re-fitting on resize, no minimum size.

    The screens page whatever does not fit, so they ask for no minimum size: a minimum
    computed from wrapped text at a narrow width would otherwise make the window taller
    than the panel and push the footer off it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def on_style_changed(self) -> None:
        self.setStyleSheet(transfer_stylesheet(self.theme, self.elder))

    def fit(self) -> None:
        """Re-measure and re-page for the current size (override)."""

    def resizeEvent(self, event) -> None:  # noqa: ANN001 (QResizeEvent)
        super().resizeEvent(event)
        if self.state is not None:
            self.fit()

    def size_main_buttons(self, *buttons: KioskButton) -> None:
        height = round(self.theme.min_target_px(self.elder) * 1.2)
        for button in buttons:
            button.setMinimumHeight(height)
