"""Device self-tests: internal, external and interactive checks per device.

A check runs on a worker (the backend submits it to the device's own worker and waits).
An interactive check talks to the technician through `ScreenInteraction`: its
instructions appear here ("insert a card now"; for the scanner with a test QR code to
scan), and its yes/no questions get big Yes / No buttons whose answer releases the
waiting device thread. Cancel stops the check. One check runs at a time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from devices.model import CancelToken, DeviceClass, HealthLevel
from kiosk.redaction import redact
from kiosk.technician_backend import describe_details, health_verdict
from ui.technician.interaction import ScreenInteraction
from ui.technician.panels.base import Panel, set_role
from ui.technician.qr_image import qr_image
from ui.technician.widgets import scroll_area

LEVELS = (HealthLevel.INTERNAL, HealthLevel.EXTERNAL, HealthLevel.INTERACTIVE)
_VERDICT_ROLES = {"pass": "ok", "fail": "bad", "skip": "warn"}


class HealthPanel(Panel):
    NAV_KEY = "technician.nav.health"
    TITLE_KEY = "technician.health.title"

    def build(self) -> None:
        self._rows: dict[DeviceClass, dict] = {}
        self._running: tuple[DeviceClass, HealthLevel] | None = None
        self._interaction: ScreenInteraction | None = None
        self._instruction = ""
        self._question = ""
        self._results: dict[DeviceClass, tuple] = {}
        self.scanner_test_code = ""

        self.intro_label = self.label("muted", "health_intro")
        self.column.addWidget(self.intro_label)
        self._rows_host = QWidget()
        self._cards = QVBoxLayout(self._rows_host)
        self._cards.setContentsMargins(0, 0, 0, 0)
        self._cards.setSpacing(self.theme.spacing_px())
        self._cards.addStretch(1)      # cards stay together at the top
        self.column.addWidget(scroll_area(self._rows_host), 1)

        # The conversation with a running check.
        self.interaction_frame = QFrame()
        self.interaction_frame.setObjectName("health_interaction")
        self.interaction_frame.setProperty("role", "panel")
        self.status_label = self.label("heading", "health_status")
        self.instruction_label = self.label("heading", "health_instruction")
        self.qr_label = QLabel()
        self.qr_label.setObjectName("health_qr")
        self.qr_label.setTextFormat(Qt.TextFormat.PlainText)   # holds a picture; never markup
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scan_hint_label = self.label("body", "health_scan_hint")
        self.question_label = self.label("heading", "health_question")
        self.yes_button = self.button("health_yes", "primary")
        self.no_button = self.button("health_no")
        self.cancel_button = self.button("health_cancel")
        big = round(self.theme.min_target_px() * 1.5)
        for button in (self.yes_button, self.no_button):
            button.setMinimumSize(big * 3, big)
        self.yes_button.activated.connect(lambda: self._answer(True))
        self.no_button.activated.connect(lambda: self._answer(False))
        self.cancel_button.activated.connect(self.cancel_check)
        answers = self.row()
        answers.addWidget(self.yes_button)
        answers.addWidget(self.no_button)
        answers.addStretch(1)
        answers.addWidget(self.cancel_button)
        text_column = QVBoxLayout()
        for widget in (self.status_label, self.instruction_label, self.scan_hint_label, self.question_label):
            text_column.addWidget(widget)
        text_column.addLayout(answers)
        text_column.addStretch(1)
        inner = QHBoxLayout(self.interaction_frame)
        inner.setContentsMargins(16, 12, 16, 12)
        inner.addLayout(text_column, 1)
        inner.addWidget(self.qr_label, 0, Qt.AlignmentFlag.AlignTop)
        self.column.addWidget(self.interaction_frame, 0)
        self._show_conversation()

    # --- texts and rows ------------------------------------------------------------------------
    def translate(self) -> None:
        self.intro_label.setText(self.t("technician.health.idle"))
        self.scan_hint_label.setText(self.t("technician.health.scan_hint"))
        self.yes_button.setText(self.t("technician.health.yes"))
        self.no_button.setText(self.t("technician.health.no"))
        self.cancel_button.setText(self.t("technician.health.cancel"))
        for device_class, row in self._rows.items():
            self._row_texts(device_class, row)
        self._show_conversation()

    def activate(self) -> None:
        manager = self.backend.device_manager()
        devices = list(manager.devices) if manager is not None else []
        if [device.device_class for device in devices] != list(self._rows):
            self._build_rows(devices)
        self.translate()

    def _build_rows(self, devices) -> None:
        """One card per device: its name and the three check buttons, the last result below."""
        for row in self._rows.values():
            row["card"].setParent(None)
            row["card"].deleteLater()
        self._rows = {}
        for index, device in enumerate(devices):
            device_class = device.device_class
            card = QFrame()
            card.setProperty("role", "panel")
            card.setObjectName(f"health_card_{device_class.value}")
            name = self.label("heading", f"health_device_{device_class.value}")
            buttons = {}
            top = self.row()
            top.addWidget(name, 1)
            for level in LEVELS:
                button = self.button(f"health_{device_class.value}_{level.value}")
                button.activated.connect(lambda device_class=device_class, level=level: self.start_check(
                    device_class, level))
                buttons[level] = button
                top.addWidget(button)
            result = self.label("body", f"health_result_{device_class.value}")
            inner = QVBoxLayout(card)
            inner.setContentsMargins(16, 8, 16, 8)
            inner.addLayout(top)
            inner.addWidget(result)
            self._cards.insertWidget(index, card)
            self._rows[device_class] = {"device": device.name, "name": name, "buttons": buttons, "result": result,
                                        "card": card}

    def _row_texts(self, device_class: DeviceClass, row: dict) -> None:
        row["name"].setText(f"{self.class_text(device_class.value)} · {row['device']}")
        for level, button in row["buttons"].items():
            button.setText(self.t(f"technician.health.{level.value}"))
            button.setEnabled(self._running is None)
        outcome = self._results.get(device_class)
        label = row["result"]
        if outcome is None:
            label.setText(self.t("technician.health.not_run"))
            set_role(label, "muted")
            return
        verdict, level, summary, details = outcome
        if verdict == "running":
            label.setText(self.t("technician.working"))
            set_role(label, "body")
            return
        if verdict == "error":
            label.setText(self.t("technician.health.failed", error=summary))
            set_role(label, "bad")
            return
        lines = [f"{self.t(f'technician.health.{verdict}')} · {self.t(f'technician.health.{level}')} · {summary}"]
        if details:
            lines.append(details)
        label.setText("\n".join(lines))
        set_role(label, _VERDICT_ROLES[verdict])

    # --- running a check ------------------------------------------------------------------------
    def start_check(self, device_class: DeviceClass, level: HealthLevel) -> None:
        if self._running is not None:
            return
        cancel = CancelToken()
        interaction = ScreenInteraction(cancel, self)
        interaction.instruction.connect(self._instructed, Qt.ConnectionType.QueuedConnection)
        interaction.question.connect(self._asked, Qt.ConnectionType.QueuedConnection)
        self._interaction = interaction
        self._running = (device_class, level)
        self._results[device_class] = ("running", level.value, "", "")   # no stale verdict beside a running check
        self._instruction = ""
        self._question = ""
        self.qr_label.clear()
        if device_class is DeviceClass.QR_SCANNER and level is HealthLevel.INTERACTIVE:
            code = self.scanner_test_code = self.backend.new_scanner_test_code()
            side = self.theme.px(45)     # about 45 mm on the panel: easy for a hand-held scanner
            self.qr_label.setPixmap(QPixmap.fromImage(qr_image(code)).scaled(
                side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))
        backend = self.backend
        self.run(lambda: backend.run_health(device_class, level, interaction, cancel),
                 lambda report, error: self._finished(device_class, level, report, error))
        self.translate()

    def _instructed(self, message_id: str) -> None:
        self._instruction = message_id
        self._show_conversation()

    def _asked(self, message_id: str) -> None:
        self._question = message_id
        self._show_conversation()

    def _message(self, message_id: str) -> str:
        """A driver's message id in the current language; an id we have no text for is shown as it came."""
        if not message_id:
            return ""
        return self.t(message_id) if message_id in self.ctx.catalog else message_id

    def _answer(self, yes: bool) -> None:
        if self._interaction is not None and self._question:
            self._question = ""
            self._interaction.answer(yes)
            self._show_conversation()

    def cancel_check(self) -> None:
        if self._interaction is not None:
            self._interaction.cancel()

    def _finished(self, device_class: DeviceClass, level: HealthLevel, report, error) -> None:
        if error is not None:
            self._results[device_class] = ("error", level.value, self.error_text(error), "")
        else:
            self._results[device_class] = (health_verdict(report), level.value, redact(report.summary),
                                           describe_details(report.details))
        self._running = None
        if self._interaction is not None:
            self._interaction.deleteLater()
        self._interaction = None
        self._instruction = ""
        self._question = ""
        self.qr_label.clear()
        self.translate()

    def _show_conversation(self) -> None:
        running = self._running is not None
        if running:
            device_class, level = self._running
            device = self._rows.get(device_class, {}).get("device", device_class.value)
            self.status_label.setText(self.t("technician.health.running", device=device,
                                             level=self.t(f"technician.health.{level.value}")))
        else:
            self.status_label.setText("")
        instruction = self._message(self._instruction)
        question = self._message(self._question)
        self.status_label.setVisible(running)
        self.instruction_label.setText(instruction)
        self.instruction_label.setVisible(bool(instruction))
        showing_qr = running and not self.qr_label.pixmap().isNull()
        self.qr_label.setVisible(showing_qr)
        self.scan_hint_label.setVisible(showing_qr)
        self.question_label.setText(question)
        self.question_label.setVisible(bool(question))
        self.yes_button.setVisible(bool(question))
        self.no_button.setVisible(bool(question))
        self.cancel_button.setVisible(running)
        self.interaction_frame.setVisible(running)

    def shutdown(self) -> None:
        self.cancel_check()
