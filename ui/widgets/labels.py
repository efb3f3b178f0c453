"""Labels that never interpret their text as HTML."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", role: str = "body", *, wrap: bool = False,
                align: Qt.AlignmentFlag | None = None,
                parent: QWidget | None = None) -> QLabel:
    """A QLabel fixed to plain text, styled by the stylesheet `role`.

    A QLabel auto-detects rich text by default, so text from outside (branding in
    config, back-office answers) could inject markup or remote images; plain text
    shows it literally.
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setProperty("role", role)
    label.setWordWrap(wrap)
    if align is not None:
        label.setAlignment(align)
    label.setText(text)
    return label
