"""Render widgets to PNG files offscreen (tests, `kiosk demo --headless`, docs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget


def render_widget_png(widget: QWidget, path: str | Path, size: QSize | tuple[int, int]) -> Path:
    """Lay `widget` out at `size` (pixels), paint it offscreen and save it as PNG.

    Works on the offscreen platform and without a QWidget ever appearing on a real
    display. Needs a QApplication. Returns the path written; raises OSError if the
    file could not be written.
    """
    if QApplication.instance() is None:
        raise RuntimeError("render_widget_png needs a QApplication")
    qsize = size if isinstance(size, QSize) else QSize(int(size[0]), int(size[1]))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    was_visible = widget.isVisible()
    if not was_visible and widget.isWindow():
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(qsize)
    if not was_visible:
        widget.show()
    layout = widget.layout()
    if layout is not None:
        layout.activate()
    QApplication.processEvents()
    pixmap = widget.grab()
    if not was_visible:
        widget.hide()
    if not pixmap.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path
