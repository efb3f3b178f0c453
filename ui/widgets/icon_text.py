"""An icon beside plain text: a state reads by shape and words, never colour alone.

One widget for every screen; the screen families differ only in spacing, whether the
text wraps, and (transfer screens) a few extra icon kinds, all given as arguments.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ui.widgets.labels import plain_label
from ui.widgets.pictograms import make_icon


def set_property(widget: QWidget, name: str, value: str) -> None:
    """Change a stylesheet property and re-polish, so the rules for the new value apply now."""
    if (widget.property(name) or "") != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        widget.updateGeometry()


def set_tone(label: QLabel, tone: str) -> None:
    """Change a label's colour rule ("" for plain)."""
    set_property(label, "tone", tone)


def house_icon(kind: str, px: int, color: str) -> QPixmap:
    return make_icon(kind, px, color).pixmap(px, px)


class IconText(QWidget):
    def __init__(self, role: str = "body", *, name: str = "", wrap: bool = False, spacing: int = 8,
                 icon_alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
                 painter: Callable[[str, int, str], QPixmap] = house_icon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self._painter = painter
        self.icon_label = plain_label("", role)
        self.icon_label.setAlignment(icon_alignment)
        self.text_label = plain_label("", role, wrap=wrap)
        if name:
            self.icon_label.setObjectName(f"{name}_icon")
            self.text_label.setObjectName(f"{name}_text")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        # Beside one line the icon centres on it; beside wrapped text it stays with the first line.
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop if wrap else Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.text_label, 1)
        self.kind = ""

    def set(self, kind: str, text: str, color: str, px: int, *, tone: str = "", icon: QIcon | None = None) -> None:
        """Show `text` after icon `kind` ("" for none) drawn `px` pixels square in `color` (or `icon`)."""
        self.kind = kind
        self.text_label.setText(text)
        set_tone(self.text_label, tone)
        self.icon_label.setVisible(bool(kind))
        if kind:
            self.icon_label.setPixmap(icon.pixmap(px, px) if icon is not None else self._painter(kind, px, color))
            self.text_label.ensurePolished()
            # As tall as one line of text, so the icon sits beside the first line.
            self.icon_label.setFixedSize(px, max(px, self.text_label.fontMetrics().height()))
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.text_label.text()

    def _icon_width(self) -> int:
        return self.icon_label.width() + self.layout().spacing() if self.kind else 0

    def height_for(self, width: int) -> int:
        """Height at `width` (the text wraps beside the icon), margins included."""
        self.text_label.ensurePolished()
        margins = self.contentsMargins()
        text_height = self.text_label.heightForWidth(max(1, width - margins.left() - margins.right()
                                                         - self._icon_width()))
        if text_height < 0:
            text_height = self.text_label.sizeHint().height()
        icon_height = self.icon_label.height() if self.kind else 0
        return max(text_height, icon_height) + margins.top() + margins.bottom()

    def natural_width(self) -> int:
        """Width needed to show the text on one line beside the icon."""
        self.text_label.ensurePolished()
        return self.text_label.fontMetrics().horizontalAdvance(self.text_label.text()) + 2 + self._icon_width()
