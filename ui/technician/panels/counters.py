"""Persisted counters per device and kiosk; "paper replaced" per printer."""

from __future__ import annotations


from kiosk.counters import KIOSK_SCOPE, PAPER_COUNTERS
from ui.technician.panels.base import Panel
from ui.technician.widgets import PageButtons, fill_table, table


class CountersPanel(Panel):
    NAV_KEY = "technician.nav.counters"
    TITLE_KEY = "technician.counters.title"

    def build(self) -> None:
        self._snapshot: dict[str, dict[str, int]] = {}
        self._message = ("", {})
        self.table = table(3, stretch_column=2, name="counters_table")
        self.pages = PageButtons(self.table)
        self.refresh_button = self.button("counters_refresh")
        self.refresh_button.activated.connect(self.activate)
        self.paper_buttons = {}
        paper_row = self.row()
        for scope in PAPER_COUNTERS:
            button = self.button(f"paper_replaced_{scope}")
            button.activated.connect(lambda scope=scope: self.paper_replaced(scope))
            self.paper_buttons[scope] = button
            paper_row.addWidget(button)
        paper_row.addStretch(1)
        # Two rows: the English labels of all five buttons do not fit a 1280 px panel in one.
        view_row = self.row()
        view_row.addWidget(self.refresh_button)
        view_row.addStretch(1)
        view_row.addWidget(self.pages)
        self.message_label = self.label("body", "counters_message")
        self.column.addLayout(paper_row)
        self.column.addWidget(self.message_label)
        self.column.addLayout(view_row)
        self.column.addWidget(self.table, 1)

    def translate(self) -> None:
        self.refresh_button.setText(self.t("technician.refresh"))
        self.pages.set_texts(self.t("technician.page_up"), self.t("technician.page_down"))
        for scope, button in self.paper_buttons.items():
            button.setText(self.t("technician.counters.paper_replaced", device=self.class_text(scope)))
        key, params = self._message
        if "scope" in params:
            params = {"device": self.class_text(params["scope"]), "before": params["before"]}
        self.message_label.setText(self.t(key, **params) if key else "")
        self.message_label.setVisible(bool(key))
        self._draw()

    def activate(self) -> None:
        backend = self.backend
        self.run(backend.counters, self._loaded)
        manager = backend.device_manager()
        for scope, button in self.paper_buttons.items():
            # Only printers this terminal has (a bank branch may have no A4 printer).
            button.setVisible(manager is None or manager.get(scope) is not None)

    def _loaded(self, snapshot, error) -> None:
        if error is not None:
            self._message = ("technician.error", {"error": self.error_text(error)})
        else:
            self._snapshot = snapshot or {}
        self.translate()

    def _draw(self) -> None:
        rows = []
        for scope, values in self._snapshot.items():
            shown_scope = self.t("technician.counters.kiosk") if scope == KIOSK_SCOPE else self.class_text(scope)
            rows.extend((shown_scope, name, value) for name, value in values.items())
        if not rows:
            rows = [("", self.t("technician.counters.empty"), "")]
        fill_table(self.table, [self.t("technician.counters.scope"), self.t("technician.counters.name"),
                                self.t("technician.counters.value")], rows)

    def paper_replaced(self, scope: str) -> None:
        backend = self.backend
        self.run(lambda: backend.paper_replaced(scope), lambda before, error: self._replaced(scope, before, error))

    def _replaced(self, scope: str, before, error) -> None:
        if error is not None:
            self._message = ("technician.error", {"error": self.error_text(error)})
        else:
            shown = ", ".join(f"{name} {value}" for name, value in (before or {}).items()) or "-"
            self._message = ("technician.counters.replaced_done", {"scope": scope, "before": shown})
        self.activate()
