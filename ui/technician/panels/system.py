"""Version and terminal, and restarting the kiosk application (asked twice)."""

from __future__ import annotations

from PySide6.QtCore import Signal

from ui.technician.panels.base import Panel


class SystemPanel(Panel):
    NAV_KEY = "technician.nav.system"
    TITLE_KEY = "technician.system.title"
    restart_requested = Signal()

    def build(self) -> None:
        self._confirming = False
        self._restarting = False
        self.idle_minutes = 5
        self.about_label = self.label("body", "system_about")
        self.idle_label = self.label("muted", "system_idle")
        self.restart_button = self.button("restart")
        self.restart_button.activated.connect(self._ask)
        self.confirm_label = self.label("heading", "restart_question")
        self.yes_button = self.button("restart_yes", "primary")
        self.no_button = self.button("restart_no")
        self.yes_button.activated.connect(self._confirmed)
        self.no_button.activated.connect(self._declined)
        row = self.row()
        row.addWidget(self.restart_button)
        row.addStretch(1)
        answers = self.row()
        answers.addWidget(self.yes_button)
        answers.addWidget(self.no_button)
        answers.addStretch(1)
        for widget in (self.about_label, self.idle_label):
            self.column.addWidget(widget)
        self.column.addLayout(row)
        self.column.addWidget(self.confirm_label)
        self.column.addLayout(answers)
        self.column.addStretch(1)

    def activate(self) -> None:
        self._confirming = False
        self._restarting = False
        self.translate()

    def translate(self) -> None:
        settings = self.backend.settings
        self.about_label.setText(self.t("technician.system.about", version=self.backend.version,
                                        profile=settings.profile, terminal=settings.terminal.id))
        self.idle_label.setText(self.t("technician.system.idle_note", minutes=self.idle_minutes))
        self.restart_button.setText(self.t("technician.system.restart"))
        self.restart_button.setEnabled(not self._restarting)
        self.confirm_label.setText(self.t("technician.system.restarting") if self._restarting
                                   else self.t("technician.system.restart_confirm"))
        self.confirm_label.setVisible(self._confirming or self._restarting)
        self.yes_button.setText(self.t("technician.system.restart_yes"))
        self.no_button.setText(self.t("technician.system.restart_no"))
        for button in (self.yes_button, self.no_button):
            button.setVisible(self._confirming)

    def _ask(self) -> None:
        self._confirming = True
        self.translate()

    def _declined(self) -> None:
        self._confirming = False
        self.translate()

    def _confirmed(self) -> None:
        self._confirming = False
        self._restarting = True
        self.translate()
        self.restart_requested.emit()
