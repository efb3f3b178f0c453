"""Live device status: state, card/paper/cover, detail, driver, capabilities, counters.

Device status events arrive on device threads; a queued signal brings them to the
GUI thread, which redraws from `Device.describe()` (in memory, no I/O). A one-second
timer also redraws, for counters (they publish no events) and for devices that
started after the panel opened.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

from kiosk.redaction import redact
from ui.technician.panels.base import Panel, set_role
from ui.technician.widgets import scroll_area

_BAD_STATES = ("offline", "no_device", "hardware_error", "unknown")


def compact(values: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items()) or "-"


class DeviceCard(QFrame):
    def __init__(self, panel: Panel, name: str) -> None:
        super().__init__()
        self.setProperty("role", "panel")
        self.setObjectName(f"device_{name}")
        self.heading = panel.label("heading", "device_heading")
        self.state = panel.label("body", "device_state")
        self.media = panel.label("body", "device_media")
        self.detail = panel.label("body", "device_detail")
        self.driver = panel.label("muted", "device_driver")
        self.capabilities = panel.label("muted", "device_capabilities")
        self.statistics = panel.label("muted", "device_statistics")
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 12, 16, 12)
        for label in (self.heading, self.state, self.media, self.detail, self.driver, self.capabilities,
                      self.statistics):
            column.addWidget(label)
        column.addStretch(1)

    def show_description(self, panel: Panel, described: dict) -> None:
        status = described.get("status", {})
        state = str(status.get("state", "unknown"))
        self.heading.setText(f"{panel.class_text(str(described.get('class', '')))} · {described.get('name', '')}")
        words = panel.value_text(state)
        # The raw value beside the words when they differ: it is what logs and support desks use.
        self.state.setText(panel.t("technician.devices.state", value=words if words == state else f"{words} ({state})"))
        set_role(self.state, "bad" if state in _BAD_STATES else "ok")
        media = []
        for field, key in (("media", "technician.devices.media"), ("paper", "technician.devices.paper"),
                           ("cover", "technician.devices.cover")):
            value = str(status.get(field, "not_supported"))
            if value != "not_supported":
                media.append(panel.t(key, value=panel.value_text(value)))
        self.media.setText("   ".join(media))
        self.media.setVisible(bool(media))
        detail = redact(str(status.get("detail", "")))
        self.detail.setText(panel.t("technician.devices.detail", value=detail) if detail else "")
        self.detail.setVisible(bool(detail))
        self.driver.setText(panel.t("technician.devices.driver", value=str(described.get("driver", ""))))
        self.capabilities.setText(panel.t("technician.devices.capabilities",
                                          value=redact(compact(described.get("capabilities", {})))))
        self.statistics.setText(panel.t("technician.devices.statistics",
                                        value=compact(described.get("statistics", {}))))


class DevicesPanel(Panel):
    NAV_KEY = "technician.nav.devices"
    TITLE_KEY = "technician.devices.title"
    _device_event = Signal(object)

    def build(self) -> None:
        self._cards: dict[str, DeviceCard] = {}
        self._unsubscribe = None
        self._subscribed_to = None
        self.none_label = self.label("body", "devices_none")
        self.column.addWidget(self.none_label)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(self.theme.spacing_px())
        self.column.addWidget(scroll_area(self._grid_host), 1)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        # Device threads emit; the queued connection runs refresh on the GUI thread.
        self._device_event.connect(lambda event: self.refresh(), Qt.ConnectionType.QueuedConnection)

    def translate(self) -> None:
        self.none_label.setText(self.t("technician.devices.none"))
        self.refresh()

    def activate(self) -> None:
        self._subscribe()
        self._timer.start()
        self.refresh()

    def deactivate(self) -> None:
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            self._subscribed_to = None

    def _subscribe(self) -> None:
        manager = self.backend.device_manager()
        if manager is None or manager is self._subscribed_to:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._subscribed_to = manager
        self._unsubscribe = manager.subscribe(self._device_event.emit)

    def refresh(self) -> None:
        if self._timer.isActive():
            self._subscribe()
        described = self.backend.device_descriptions()
        self.none_label.setVisible(not described)
        names = [str(item.get("name", "")) for item in described]
        if names != list(self._cards):
            self._rebuild(names)
        for item in described:
            self._cards[str(item.get("name", ""))].show_description(self, item)

    def _rebuild(self, names: list[str]) -> None:
        for card in self._cards.values():
            card.setParent(None)
            card.deleteLater()
        self._cards = {}
        for index, name in enumerate(names):
            card = DeviceCard(self, name)
            self._cards[name] = card
            self._grid.addWidget(card, index // 2, index % 2)
