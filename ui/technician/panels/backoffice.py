"""Back-office connectivity: reachable, latency, TLS certificate, clock skew, heartbeat, outbox."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QVBoxLayout

from kiosk.redaction import redact
from ui.technician.panels.base import Panel, set_role


class BackofficePanel(Panel):
    NAV_KEY = "technician.nav.backoffice"
    TITLE_KEY = "technician.backoffice.title"

    def build(self) -> None:
        self._found = None        # (ConnectivityReport, HeartbeatStatus, outbox depth)
        self._error = ""
        self._checking = False
        self.check_button = self.button("backoffice_check", "primary")
        self.check_button.activated.connect(self.check)
        row = self.row()
        row.addWidget(self.check_button)
        row.addStretch(1)
        self.column.addLayout(row)
        self.result_label = self.label("body", "backoffice_result")
        self.heartbeat_label = self.label("body", "backoffice_heartbeat")
        self.outbox_label = self.label("body", "backoffice_outbox")
        frame = QFrame()
        frame.setProperty("role", "panel")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(16, 12, 16, 12)
        for label in (self.result_label, self.heartbeat_label, self.outbox_label):
            inner.addWidget(label)
        self.column.addWidget(frame)
        self.column.addStretch(1)

    def activate(self) -> None:
        if self._found is None and not self._checking:
            self.check()

    def check(self) -> None:
        if self._checking:
            return
        self._checking = True
        backend = self.backend
        self.run(lambda: (backend.connectivity(), backend.heartbeat_status(), backend.outbox_depth(),
                          backend.outbox_held()),
                 self._checked)
        self.translate()

    def _checked(self, found, error) -> None:
        self._checking = False
        self._error = self.error_text(error) if error is not None else ""
        if error is None:
            self._found = found
        self.translate()

    def translate(self) -> None:
        self.check_button.setText(self.t("technician.backoffice.check"))
        self.check_button.setEnabled(not self._checking)
        if self._checking:
            self.result_label.setText(self.t("technician.backoffice.checking"))
            set_role(self.result_label, "body")
        elif self._error:
            self.result_label.setText(self.t("technician.error", error=self._error))
            set_role(self.result_label, "bad")
        if self._found is None:
            self.heartbeat_label.setText("")
            self.outbox_label.setText("")
            return
        report, heartbeat, depth, held = self._found
        if not self._checking and not self._error:
            lines = list(report.summary_lines(self.language))
            lines.append(self.t("technician.backoffice.tls_yes" if report.tls else "technician.backoffice.tls_none"))
            if report.latencies_ms:
                lines.append(self.t("technician.backoffice.latency",
                                    samples=" / ".join(f"{value:.1f}" for value in report.latencies_ms)))
            self.result_label.setText(redact("\n".join(lines)))
            set_role(self.result_label, "body" if report.reachable and not report.error else "bad")
        self.heartbeat_label.setText(self._heartbeat_text(heartbeat))
        outbox_lines = [self.t("technician.backoffice.outbox", count=depth) if depth is not None
                        else self.t("technician.backoffice.outbox_unknown")]
        if held:
            codes = ", ".join(sorted({str(entry["last_error"]) for entry in held}))
            references = ", ".join(str(entry["reference"]) for entry in held[:5])
            outbox_lines.append(self.t("technician.backoffice.outbox_held", count=len(held), codes=codes,
                                       references=references))
        self.outbox_label.setText("\n".join(outbox_lines))
        set_role(self.outbox_label, "bad" if held else "body")

    def _heartbeat_text(self, heartbeat) -> str:
        if not heartbeat.configured:
            return self.t("technician.backoffice.heartbeat_off")
        if heartbeat.last_error:
            return self.t("technician.backoffice.heartbeat_error", count=heartbeat.consecutive_failures,
                          error=heartbeat.last_error)
        if heartbeat.acknowledged_at is None:
            return self.t("technician.backoffice.heartbeat_none")
        skew = f"{heartbeat.clock_skew_s:.1f}" if heartbeat.clock_skew_s is not None else "?"
        return self.t("technician.backoffice.heartbeat_ok",
                      time=self.backend.time_text(heartbeat.acknowledged_at), skew=skew)
