"""Fixtures for the Qt screen tests (pytest-qt, offscreen platform)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

import ui  # noqa: E402,F401  (applies the PySide6 refcount guard before any Qt call)
from kiosk.messages import MessageCatalog  # noqa: E402
from ui.theme import Theme  # noqa: E402



@pytest.fixture
def catalog() -> MessageCatalog:
    return MessageCatalog()


@pytest.fixture
def theme() -> Theme:
    return Theme()


def lay_out(widget, size) -> None:
    """Show `widget` offscreen at `size` and let its layouts settle."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*size)
    widget.show()
    widget.layout().activate()
    QApplication.processEvents()


@pytest.fixture
def make_attract(qtbot, catalog, theme):
    from ui.screens.attract import AttractScreen

    def make(branding: str = "南京市人力资源和社会保障局", size=(1920, 1080),
             language: str = "zh", elder: bool = False) -> AttractScreen:
        screen = AttractScreen(catalog, theme, branding)
        qtbot.addWidget(screen)
        screen.set_language(language)
        screen.set_elder_mode(elder)
        lay_out(screen, size)
        return screen

    return make
