"""The kiosk's one top-level window: a stack of screens, nothing else.

No business logic: which screen shows, and when, is decided by the flow controller,
which calls `show_screen`. Language and elder mode are display state the controller
sets here; they are forwarded to every screen that supports them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from kiosk.messages import MessageCatalog
from ui.screens.attract import AttractScreen
from ui.theme import Theme


class MainWindow(QMainWindow):
    def __init__(self, catalog: MessageCatalog, theme: Theme, branding_name: str, *,
                 fullscreen: bool = True, frameless: bool = True, stay_on_top: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._theme = theme
        self._fullscreen = fullscreen
        self.setWindowTitle(branding_name)
        # Flags before the first show: changing them later re-creates the native window (a flicker).
        if frameless:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        if stay_on_top:
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self._stack = QStackedWidget(self)
        self.setCentralWidget(self._stack)
        self._screens: dict[str, QWidget] = {}
        self._flow_screens: dict = {}
        self._countdown = None
        self.attract = AttractScreen(catalog, theme, branding_name)
        self.add_screen(AttractScreen.SCREEN_NAME, self.attract)
        self.show_screen(AttractScreen.SCREEN_NAME)

    def add_screen(self, name: str, screen: QWidget) -> None:
        if name in self._screens:
            raise ValueError(f"screen {name!r} already added")
        self._screens[name] = screen
        self._stack.addWidget(screen)

    def screen_names(self) -> list[str]:
        return list(self._screens)

    def screen_widget(self, name: str) -> QWidget:
        return self._screens[name]

    def show_screen(self, name: str) -> QWidget:
        try:
            screen = self._screens[name]
        except KeyError:
            raise KeyError(f"no screen named {name!r}; have {sorted(self._screens)}") from None
        self._stack.setCurrentWidget(screen)
        return screen

    def current_screen_name(self) -> str:
        current = self._stack.currentWidget()
        return next(name for name, widget in self._screens.items() if widget is current)

    def set_language(self, language: str) -> None:
        for screen in self._screens.values():
            if hasattr(screen, "set_language"):
                screen.set_language(language)

    def set_elder_mode(self, on: bool) -> None:
        for screen in self._screens.values():
            if hasattr(screen, "set_elder_mode"):
                screen.set_elder_mode(on)

    # --- the citizen flow -------------------------------------------------------------
    def add_flow_screens(self, screens, overlay=None) -> None:
        """Screens keyed by `kiosk.flow_state.Screen`; the overlay shows the idle countdown."""
        self._flow_screens = dict(screens)
        for screen_id, widget in self._flow_screens.items():
            self.add_screen(screen_id.value, widget)
        self._countdown = overlay

    def flow_screens(self) -> dict:
        return dict(getattr(self, "_flow_screens", {}))

    def show_state(self, state, branding: str) -> QWidget:
        """Draw `state`: the attract screen through its own API, flow screens through `render`."""
        if state.screen == AttractScreen.SCREEN_NAME:
            self.attract.set_language(state.language)
            self.attract.set_elder_mode(state.elder_mode)
            self.attract.set_branding_name(branding)
            widget = self.attract
            if self._stack.currentWidget() is not widget:
                self._stack.setCurrentWidget(widget)
                widget.setFocus()
        else:
            widget = self._flow_screens[state.screen]
            # Shown first, then drawn: a visible page measures with its real size and fonts
            # (nothing is painted in between, so the old content never flashes).
            if self._stack.currentWidget() is not widget:
                self._stack.setCurrentWidget(widget)
                widget.setFocus()
            widget.render(state, branding)
        if self._countdown is not None:
            if state.countdown is not None:
                self._countdown.show_countdown(state.countdown, state.language, state.elder_mode)
            else:
                self._countdown.hide_countdown()
        return widget

    def wipe(self, blank_state, branding: str) -> None:
        """Redraw every screen from an empty state, so no hidden widget keeps a citizen's data."""
        for screen_id, widget in getattr(self, "_flow_screens", {}).items():
            widget.render(replace(blank_state, screen=screen_id), branding)
        if self._countdown is not None:
            self._countdown.hide_countdown()

    def present(self) -> None:
        """Show as configured: fullscreen on the kiosk, a plain window for development."""
        if self._fullscreen:
            self.showFullScreen()
            # With no window manager (the Xorg fallback) nobody else gives the kiosk the
            # keyboard focus or raises it above a leftover window.
            self.raise_()
            self.activateWindow()
        else:
            # A development window at a terminal-like 4:3 size, not the layout's minimum.
            self.resize(1280, 960)
            self.show()
