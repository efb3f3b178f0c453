"""Export the diagnostics bundle to a USB stick (or the storage directory)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from ui.technician.panels.base import Panel, set_role


def size_text(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} B"


class ExportPanel(Panel):
    NAV_KEY = "technician.nav.export"
    TITLE_KEY = "technician.export.title"

    def build(self) -> None:
        self._outcome = ("", {})
        self._busy = False
        self.hint_label = self.label("muted", "export_hint")
        self.path_label = self.label("body", "export_path_label", wrap=False)
        self.path_field = QLineEdit()
        self.path_field.setObjectName("export_path")
        self.path_field.setMinimumHeight(self.theme.min_target_px())
        self.export_button = self.button("export_button", "primary")
        self.export_button.activated.connect(self.export)
        row = self.row()
        row.addWidget(self.path_label)
        row.addWidget(self.path_field, 1)
        row.addWidget(self.export_button)
        self.result_label = self.label("body", "export_result")
        self.column.addWidget(self.hint_label)
        self.column.addLayout(row)
        self.column.addWidget(self.result_label)
        self.column.addStretch(1)

    def activate(self) -> None:
        if not self.path_field.text():
            self.run(self.backend.default_export_target,
                     lambda path, error: self.path_field.setText(str(path)) if error is None else None)

    def export(self) -> None:
        target = self.path_field.text().strip()
        if self._busy or not target:
            return
        self._busy = True
        self._outcome = ("technician.export.writing", {})
        backend = self.backend
        self.run(lambda: backend.export_bundle(target), self._written)
        self.translate()

    def _written(self, result, error) -> None:
        self._busy = False
        if error is not None:
            self._outcome = ("technician.export.failed", {"error": self.error_text(error)})
        else:
            self._outcome = ("technician.export.done", {"path": str(result.path), "size": size_text(result.bytes)})
        self.translate()

    def translate(self) -> None:
        self.hint_label.setText(self.t("technician.export.hint"))
        self.path_label.setText(self.t("technician.export.path"))
        self.export_button.setText(self.t("technician.export.export"))
        self.export_button.setEnabled(not self._busy)
        key, params = self._outcome
        self.result_label.setText(self.t(key, **params) if key else "")
        set_role(self.result_label, "bad" if key == "technician.export.failed"
                 else "ok" if key == "technician.export.done" else "body")
