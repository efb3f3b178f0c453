"""Look and small building blocks of the technician screens.

Denser than the citizen screens (a smaller base font, tables), but every control is
still at least the theme's 12 mm target, and everything that shows text from outside
shows it as plain text: labels through `plain_label`, table cells and the log view are
plain by nature (QTableWidgetItem, QPlainTextEdit).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QFrame, QHBoxLayout, QHeaderView, QScrollArea,
                               QScroller, QSizePolicy, QTableWidget, QTableWidgetItem, QWidget)

from ui.theme import Theme, build_stylesheet
from ui.widgets.kiosk_button import KioskButton

TECHNICIAN_BASE_FONT_PX = 22     # cap height about 4 mm at 0.248 mm/px: dense, still legible


def technician_theme(theme: Theme) -> Theme:
    return theme.with_changes(base_font_px=min(theme.base_font_px, TECHNICIAN_BASE_FONT_PX))


def technician_stylesheet(theme: Theme) -> str:
    t = theme
    body = t.font_px("body")
    return build_stylesheet(t) + f"""
QWidget#TechnicianWindow, QWidget[role="technician"] {{ background: {t.background}; }}
QFrame[role="nav"] {{ background: {t.surface}; border: none; border-right: 2px solid {t.border}; }}
QLabel[role="ok"] {{ color: #1E6B34; font-weight: 700; }}
QLabel[role="bad"] {{ color: {t.danger}; font-weight: 700; }}
QLabel[role="warn"] {{ color: {t.warning}; font-weight: 700; }}
QTableWidget, QPlainTextEdit, QLineEdit {{
    font-family: "{t.font_family}"; font-size: {body}px; color: {t.text}; background: {t.surface};
    border: 2px solid {t.border}; border-radius: 8px; gridline-color: {t.border};
}}
QPlainTextEdit {{ font-family: "Noto Sans Mono CJK SC", "{t.font_family}"; font-size: {round(body * 0.85)}px; }}
QLineEdit {{ padding: 8px; }}
QHeaderView::section {{
    font-family: "{t.font_family}"; font-size: {body}px; font-weight: 700; color: {t.text};
    background: {t.primary_tint}; border: none; border-right: 1px solid {t.border}; padding: 6px;
}}
QScrollBar:vertical {{ width: 24px; }}
QScrollArea#scroll_area, QWidget#scroll_content {{ background: transparent; }}
"""


def table(columns: int, *, stretch_column: int | None = None, name: str = "") -> QTableWidget:
    """A read-only, unselectable table that scrolls by dragging (touch) and by the page buttons."""
    view = QTableWidget(0, columns)
    if name:
        view.setObjectName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setWordWrap(True)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    kinetic(view)
    return view


def fill_table(view: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    view.setHorizontalHeaderLabels(list(headers))
    view.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            view.setItem(row, column, QTableWidgetItem(str(value)))
    view.resizeRowsToContents()


def scroll_area(content: QWidget) -> QScrollArea:
    """`content` scrolling vertically on the panel's own background (no grey viewport)."""
    content.setObjectName("scroll_content")
    area = QScrollArea()
    area.setObjectName("scroll_area")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    area.viewport().setAutoFillBackground(False)
    kinetic(area)
    return area


def kinetic(area: QAbstractScrollArea) -> None:
    """Drag with a finger to scroll (no tiny scroll bar to hit)."""
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)


class PageButtons(QWidget):
    """Big "page up" / "page down" buttons for a scrollable view."""

    def __init__(self, area: QAbstractScrollArea, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._area = area
        self.up_button = KioskButton(debounce_ms=150)
        self.up_button.setObjectName("page_up")
        self.down_button = KioskButton(debounce_ms=150)
        self.down_button.setObjectName("page_down")
        self.up_button.activated.connect(lambda: self._page(-1))
        self.down_button.activated.connect(lambda: self._page(1))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)    # 2 mm and more between the two targets
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_texts(self, up: str, down: str) -> None:
        self.up_button.setText(up)
        self.down_button.setText(down)

    def _page(self, direction: int) -> None:
        bar = self._area.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(1, bar.pageStep() - 40))


def apply_targets(root: QWidget, theme: Theme) -> None:
    """Every button at least the 12 mm target."""
    target = theme.min_target_px()
    for button in root.findChildren(KioskButton):
        button.setMinimumSize(max(target, button.minimumWidth()), max(target, button.minimumHeight()))
