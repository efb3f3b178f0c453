"""Emptying a layout without leaking its items.

`QLayout.takeAt()` hands the caller the item it removed (the QWidgetItem that `addWidget`
made, a QSpacerItem from `addStretch`, a nested layout), and the caller must delete it:
PySide6 does not, so an item dropped in Python stays allocated for good (about 100 bytes
each). A screen that lays its rows out again on every draw lost a few KiB per session
that way, for as long as the kiosk ran.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLayout, QWidget


def take_all(layout: QLayout) -> list[QWidget]:
    """Remove every item from `layout` (and from the layouts nested in it), delete the
    items, and return the widgets they held, in order; the widgets themselves live on."""
    widgets: list[QWidget] = []
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget, inner = item.widget(), item.layout()
        if inner is not None:
            widgets += take_all(inner)
            inner.deleteLater()          # the item is the nested layout itself: a QObject
        else:
            if widget is not None:
                widgets.append(widget)
            shiboken6.delete(item)       # the QWidgetItem or QSpacerItem, not the widget
    return widgets
