"""The tail of the kiosk's log file (masked when written, and masked again on the way here)."""

from __future__ import annotations

from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QPlainTextEdit

from ui.technician.panels.base import Panel
from ui.technician.widgets import PageButtons, kinetic

TAIL_LINES = 500


class LogsPanel(Panel):
    NAV_KEY = "technician.nav.logs"
    TITLE_KEY = ""

    def build(self) -> None:
        self._lines: list[str] = []
        self._error = ""
        self.view = QPlainTextEdit()
        self.view.setObjectName("log_view")
        self.view.setReadOnly(True)
        self.view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        kinetic(self.view)
        self.pages = PageButtons(self.view)
        self.refresh_button = self.button("logs_refresh")
        self.refresh_button.activated.connect(self.activate)
        row = self.row()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.pages)
        self.column.addLayout(row)
        self.column.addWidget(self.view, 1)

    def activate(self) -> None:
        backend = self.backend
        self.run(lambda: backend.log_lines(TAIL_LINES), self._loaded)

    def _loaded(self, lines, error) -> None:
        self._error = self.error_text(error) if error is not None else ""
        self._lines = list(lines or [])
        self.translate()
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())     # newest at the bottom, in view

    def translate(self) -> None:
        self.title_label.setText(self.t("technician.logs.title", count=len(self._lines)))
        self.refresh_button.setText(self.t("technician.refresh"))
        self.pages.set_texts(self.t("technician.page_up"), self.t("technician.page_down"))
        if self._error:
            text = self.t("technician.error", error=self._error)
        else:
            text = "\n".join(self._lines) if self._lines else self.t("technician.logs.empty")
        if self.view.toPlainText() != text:
            self.view.setPlainText(text)
