"""The running configuration, one row per setting; secrets show only whether they are set."""

from __future__ import annotations


from ui.technician.panels.base import Panel
from ui.technician.widgets import PageButtons, fill_table, table


class ConfigPanel(Panel):
    NAV_KEY = "technician.nav.config"
    TITLE_KEY = "technician.config.title"

    def build(self) -> None:
        self._rows: list[tuple[str, str]] = []
        self.table = table(2, stretch_column=1, name="config_table")
        self.pages = PageButtons(self.table)
        row = self.row()
        row.addStretch(1)
        row.addWidget(self.pages)
        self.column.addLayout(row)
        self.column.addWidget(self.table, 1)

    def activate(self) -> None:
        if not self._rows:
            self.run(self.backend.config_rows, self._loaded)

    def _loaded(self, rows, error) -> None:
        self._rows = [("", self.t("technician.error", error=self.error_text(error)))] if error else list(rows)
        self.translate()

    def translate(self) -> None:
        self.pages.set_texts(self.t("technician.page_up"), self.t("technician.page_down"))
        fill_table(self.table, [self.t("technician.config.key"), self.t("technician.config.value")], self._rows)
