"""The technician window: a top-level widget laid over the kiosk window.

Two pages: the PIN screen, then the panels with a navigation column on the left and a
header with the terminal, the language switch and "Leave". It draws and forwards; the
technician mode (`ui.technician.mode`) decides when it opens and closes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from ui.technician.login import LoginPage
from ui.technician.panels import PANEL_CLASSES
from ui.technician.panels.base import Panel, PanelContext
from ui.technician.widgets import apply_targets, technician_stylesheet
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label


class TechnicianWindow(QWidget):
    leave_requested = Signal()

    def __init__(self, context: PanelContext, gate_provider, *, language: str = "zh",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TechnicianWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Focus on the window itself: a button given focus on show would wear the yellow keypad-focus fill.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.ctx = context
        self.theme = context.theme
        self.language = language
        self.setStyleSheet(technician_stylesheet(self.theme))

        self.login = LoginPage(context.catalog, self.theme, context.runner, gate_provider)
        self.login.language_requested.connect(self.toggle_language)

        # --- the panels page ---------------------------------------------------------------
        self.main_page = QWidget()
        header = QFrame()
        header.setProperty("role", "header")
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.header_title = plain_label("", "brand")
        self.header_title.setObjectName("technician_title")
        self.header_terminal = plain_label("", "brand")
        self.header_terminal.setObjectName("technician_terminal")
        self.language_button = KioskButton()
        self.language_button.setObjectName("technician_language")
        self.language_button.activated.connect(self.toggle_language)
        self.leave_button = KioskButton()
        self.leave_button.setObjectName("technician_leave")
        self.leave_button.activated.connect(self.leave_requested.emit)
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(24, 8, 24, 8)
        header_row.addWidget(self.header_title)
        header_row.addSpacing(24)
        header_row.addWidget(self.header_terminal, 1)
        header_row.addWidget(self.language_button)
        header_row.addWidget(self.leave_button)

        nav = QFrame()
        nav.setProperty("role", "nav")
        nav_column = QVBoxLayout(nav)
        nav_column.setContentsMargins(16, 16, 16, 16)
        nav_column.setSpacing(self.theme.px(2))
        self.panel_stack = QStackedWidget()
        self.panels: list[Panel] = []
        self.nav_buttons: list[KioskButton] = []
        for index, panel_class in enumerate(PANEL_CLASSES):
            panel = panel_class(context)
            panel.setObjectName(f"panel_{panel_class.__name__}")
            self.panels.append(panel)
            self.panel_stack.addWidget(panel)
            button = KioskButton(debounce_ms=150)
            button.setObjectName(f"nav_{panel_class.NAV_KEY.rsplit('.', 1)[-1]}")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.activated.connect(lambda index=index: self.show_panel(index))
            self.nav_buttons.append(button)
            nav_column.addWidget(button)
        nav_column.addStretch(1)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(nav, 0)
        body.addWidget(self.panel_stack, 1)
        page = QVBoxLayout(self.main_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)
        page.addWidget(header)
        page.addLayout(body, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.login)
        self.pages.addWidget(self.main_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        apply_targets(self, self.theme)
        self._current = 0
        self.set_language(language)

    # --- pages ---------------------------------------------------------------------------
    def show_login(self) -> None:
        self.pages.setCurrentWidget(self.login)
        self.login.start()

    def show_panels(self) -> None:
        self.login.stop()
        self.pages.setCurrentWidget(self.main_page)
        self.show_panel(0)
        self.setFocus()

    def show_panel(self, index: int) -> Panel:
        previous = self.panels[self._current]
        if previous is not self.panels[index]:
            previous.deactivate()
        self._current = index
        panel = self.panels[index]
        self.panel_stack.setCurrentWidget(panel)
        for position, button in enumerate(self.nav_buttons):
            button.set_active(position == index)
        panel.activate()
        return panel

    def panel(self, panel_class) -> Panel:
        return next(panel for panel in self.panels if isinstance(panel, panel_class))

    def current_panel(self) -> Panel:
        return self.panels[self._current]

    def close_panels(self) -> None:
        """Technician mode closes: running checks are cancelled, live updates stop."""
        for panel in self.panels:
            panel.shutdown()
        self.login.stop()

    # --- language -------------------------------------------------------------------------
    def toggle_language(self) -> None:
        self.set_language("en" if self.language == "zh" else "zh")

    def set_language(self, language: str) -> None:
        self.language = language
        catalog = self.ctx.catalog
        self.header_title.setText(catalog.text("technician.title", language))
        self.header_terminal.setText(catalog.text("technician.terminal", language).format(
            terminal=self.ctx.backend.settings.terminal.id))
        self.language_button.setText(catalog.text("technician.language", language))
        self.leave_button.setText(catalog.text("technician.leave", language))
        for panel, button in zip(self.panels, self.nav_buttons):
            button.setText(catalog.text(panel.NAV_KEY, language))
            panel.set_language(language)
        self.login.set_language(language)
