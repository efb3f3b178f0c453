"""The electronic journal, newest first, with its tamper check; older pages on request."""

from __future__ import annotations


from ui.technician.panels.base import Panel, set_role
from ui.technician.widgets import PageButtons, fill_table, table

PAGE_SIZE = 100


class JournalPanel(Panel):
    NAV_KEY = "technician.nav.journal"
    TITLE_KEY = "technician.journal.title"

    def build(self) -> None:
        self._rows = []
        self._check = None
        self._error = ""
        self.verify_label = self.label("body", "journal_verify")
        self.table = table(4, stretch_column=3, name="journal_table")
        self.pages = PageButtons(self.table)
        self.newest_button = self.button("journal_newest")
        self.older_button = self.button("journal_older")
        self.newest_button.activated.connect(lambda: self.load(None))
        self.older_button.activated.connect(self._older)
        row = self.row()
        row.addWidget(self.newest_button)
        row.addWidget(self.older_button)
        row.addStretch(1)
        row.addWidget(self.pages)
        self.column.addWidget(self.verify_label)
        self.column.addLayout(row)
        self.column.addWidget(self.table, 1)

    def activate(self) -> None:
        self.load(None)

    def load(self, before_seq: int | None) -> None:
        backend = self.backend
        self.run(lambda: (backend.journal_verification(), backend.journal_entries(PAGE_SIZE, before_seq)),
                 self._loaded)

    def _older(self) -> None:
        if self._rows:
            self.load(min(row.seq for row in self._rows))

    def _loaded(self, found, error) -> None:
        self._error = self.error_text(error) if error is not None else ""
        if error is None:
            self._check, rows = found
            if rows or not self._rows:
                self._rows = rows
        self.translate()
        self.table.scrollToTop()

    def translate(self) -> None:
        self.newest_button.setText(self.t("technician.journal.newest"))
        self.older_button.setText(self.t("technician.journal.older"))
        self.pages.set_texts(self.t("technician.page_up"), self.t("technician.page_down"))
        if self._error:
            self.verify_label.setText(self.t("technician.error", error=self._error))
            set_role(self.verify_label, "bad")
        elif self._check is not None and self._check.ok and self._check.checked:
            check = self._check
            self.verify_label.setText(self.t("technician.journal.intact", count=check.checked,
                                             first=check.first_seq, last=check.last_seq))
            set_role(self.verify_label, "ok")
        elif self._check is not None:
            key = "technician.journal.verify" if self._check.ok else "technician.journal.verify_bad"
            self.verify_label.setText(self.t(key, summary=self._check.summary))
            set_role(self.verify_label, "ok" if self._check.ok else "bad")
        rows = [(row.seq, row.at, row.kind, row.details) for row in self._rows] or \
            [("", "", "", self.t("technician.journal.empty"))]
        fill_table(self.table, [self.t("technician.journal.seq"), self.t("technician.journal.at"),
                                self.t("technician.journal.kind"), self.t("technician.journal.fields")], rows)
