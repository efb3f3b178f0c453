"""What every technician panel shares: title, texts, worker calls, big buttons."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.messages import MessageCatalog
from kiosk.redaction import redact
from ui.technician.tasks import TaskRunner
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label


@dataclasses.dataclass
class PanelContext:
    catalog: MessageCatalog
    theme: Theme
    backend: object                      # kiosk.technician_backend.TechnicianBackend
    runner: TaskRunner


class Panel(QWidget):
    """Subclasses set NAV_KEY and TITLE_KEY, build in `build`, fill texts in `translate`."""

    NAV_KEY = ""
    TITLE_KEY = ""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = context
        self.theme = context.theme
        self.backend = context.backend
        self.language = "zh"
        self.setProperty("role", "technician")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(24, 16, 24, 16)
        self.column.setSpacing(self.theme.spacing_px())
        self.title_label = plain_label("", "heading", wrap=True)
        self.title_label.setObjectName("panel_title")
        self.column.addWidget(self.title_label)
        self.build()

    # --- for subclasses ----------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def translate(self) -> None:
        """Set every text in `self.language`."""

    def activate(self) -> None:
        """The panel came into view: refresh what it shows."""

    def deactivate(self) -> None:
        """Another panel came into view (or technician mode closed)."""

    def shutdown(self) -> None:
        """Technician mode closes: cancel whatever is running."""
        self.deactivate()

    # --- helpers -------------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        text = self.ctx.catalog.text(key, self.language)
        return text.format(**params) if params else text

    def value_text(self, value: str) -> str:
        """An enum value (online, paper out...) in words, or as it came when we have none."""
        key = f"technician.value.{value}"
        return self.t(key) if key in self.ctx.catalog else value

    def class_text(self, device_class: str) -> str:
        key = f"technician.class.{device_class}"
        return self.t(key) if key in self.ctx.catalog else device_class

    def set_language(self, language: str) -> None:
        self.language = language
        if self.TITLE_KEY:
            self.title_label.setText(self.t(self.TITLE_KEY))
        self.translate()

    def run(self, job: Callable[[], object], done: Callable[[object, BaseException | None], None]) -> None:
        self.ctx.runner.run(job, done)

    def error_text(self, error: BaseException) -> str:
        return redact(str(error) or type(error).__name__)[:300]

    def button(self, name: str, variant: str = "secondary") -> KioskButton:
        button = KioskButton(variant=variant)
        button.setObjectName(name)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        target = self.theme.min_target_px()
        button.setMinimumSize(target, target)
        return button

    def row(self) -> QHBoxLayout:
        """A row of controls at least the theme's 2 mm apart."""
        row = QHBoxLayout()
        row.setSpacing(self.theme.spacing_px())
        return row

    def label(self, role: str = "body", name: str = "", *, wrap: bool = True) -> QLabel:
        label = plain_label("", role, wrap=wrap)
        if name:
            label.setObjectName(name)
        return label


def set_role(label: QLabel, role: str) -> None:
    """Restyle a label (ok / bad / warn / body) after its role changed."""
    if label.property("role") != role:
        label.setProperty("role", role)
        label.style().unpolish(label)
        label.style().polish(label)
