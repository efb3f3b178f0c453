"""Computed layout and accessibility checks shared by the screen tests.

Clipping, target sizes and plain text are measured on the laid-out widgets, not
eyeballed: a label whose text needs more room than it got, or a button narrower
than its text, fails here before it reaches a panel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget


def visible_widgets(root: QWidget, kind=QWidget) -> list:
    return [w for w in root.findChildren(kind) if w.isVisibleTo(root) and w.width() > 0]


def _scrolled_into_view(widget: QWidget) -> None:
    """Content of a scroll area is judged where the reader scrolls it to, not where it starts."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 0, 0)
            return
        parent = parent.parentWidget()


def clipped_widgets(root: QWidget) -> list[str]:
    """Labels and buttons whose text does not fit the space they were given."""
    problems = []
    for label in visible_widgets(root, QLabel):
        if not label.text():
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 1:
                problems.append(f"label {label.objectName() or label.text()[:20]!r}: needs {needed}px height, has {label.height()}")
        else:
            needed = label.fontMetrics().horizontalAdvance(label.text())
            if needed > label.width() + 1:
                problems.append(f"label {label.objectName() or label.text()[:20]!r}: needs {needed}px width, has {label.width()}")
        _scrolled_into_view(label)
        if not root.rect().contains(label.mapTo(root, label.rect().bottomRight())):
            problems.append(f"label {label.objectName() or label.text()[:20]!r} lies outside the screen")
    for button in visible_widgets(root, QAbstractButton):
        if button.text():
            # Text, icon and the stylesheet's padding and border (24 px + 3-4 px a side).
            icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
            needed = button.fontMetrics().horizontalAdvance(button.text()) + icon + 2 * (24 + 3)
            if needed > button.width():
                problems.append(f"button {button.objectName() or button.text()[:20]!r}: needs {needed}px, has {button.width()}")
        _scrolled_into_view(button)
        if not root.rect().contains(button.mapTo(root, button.rect().bottomRight())):
            problems.append(f"button {button.objectName() or button.text()[:20]!r} lies outside the screen")
    return problems


def small_targets(root: QWidget, min_px: int) -> list[str]:
    """Interactive widgets smaller than `min_px` in either direction."""
    return [f"{b.objectName() or b.text()[:20]!r}: {b.width()}x{b.height()} < {min_px}"
            for b in visible_widgets(root, QAbstractButton) if b.width() < min_px or b.height() < min_px]


def rich_text_labels(root: QWidget) -> list[str]:
    """Labels that would interpret markup (every label must be plain text)."""
    return [label.objectName() or label.text()[:20] for label in root.findChildren(QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText]


def all_texts(root: QWidget) -> list[str]:
    texts = [w.text() for w in root.findChildren(QLabel)] + [w.text() for w in root.findChildren(QAbstractButton)]
    texts += [w.accessibleName() for w in root.findChildren(QWidget)]
    return [t for t in texts if t]
