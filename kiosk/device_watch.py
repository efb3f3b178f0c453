"""What the flow hears of the devices: device events turned into flow events (Qt-free).

The devices publish from their own threads (docs/architecture.md, "How device data
flows"); `DeviceWatch` is the flow's one listener on them. It posts exactly the flow
events the machine understands (`kiosk/flow.py`): `CardPresence` for a card reader's
`MediaInserted` / `MediaRemoved`, `CodeScanned` for a scanned code, and `DevicesChanged`
when the set of usable devices changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from devices.model import CodeScanned as DeviceCodeScanned, DeviceClass, MediaInserted, MediaRemoved, PaperState, \
    StatusChanged
from kiosk import flow

_PAPER_FAULTS = (PaperState.OUT, PaperState.JAMMED)


class DeviceWatch:
    """Subscribes once to every device (through the manager) and posts flow events.

    `post` must only queue the event (the UI bridge's `post`, or a queue in tests): it is
    called from device threads with the watch's lock held, which is what keeps the flow's
    events in the order the devices changed, so the last `DevicesChanged` it gets always
    describes the devices' last state.
    """

    def __init__(self, devices, post: Callable[[flow.Event], None]) -> None:
        self._devices = devices   # a devices.manager.DeviceManager, or anything with subscribe/get
        self._post = post
        # Reentrant: a `post` that dispatches at once (a test's) may lead to another device event.
        self._lock = threading.RLock()
        self._usable: dict[DeviceClass, bool] = {}
        self._posted: flow.DevicesChanged | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Subscribe; every device greets at once, so the flow learns the current state now."""
        if self._unsubscribe is None:
            self._unsubscribe = self._devices.subscribe(self.on_device_event)

    def close(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def on_device_event(self, event) -> None:
        """Called from device threads, possibly several at once."""
        with self._lock:
            if isinstance(event, DeviceCodeScanned):
                self._post(flow.CodeScanned(event.code))
            elif isinstance(event, (MediaInserted, MediaRemoved)):
                if event.device_class is DeviceClass.CARD_READER:
                    self._post(flow.CardPresence(isinstance(event, MediaInserted)))
            elif isinstance(event, StatusChanged):
                self._status_changed(event)

    def _status_changed(self, event: StatusChanged) -> None:
        status = event.new
        self._usable[event.device_class] = status.state.usable and status.paper not in _PAPER_FAULTS
        devices = flow.DevicesChanged(
            card_reader=self._usable.get(DeviceClass.CARD_READER, False),
            qr_scanner=self._usable.get(DeviceClass.QR_SCANNER, False),
            receipt_printer=self._usable.get(DeviceClass.RECEIPT_PRINTER, False),
            document_printer=self._usable.get(DeviceClass.DOCUMENT_PRINTER, False),
            pin_on_reader=self._pin_on_reader())
        if devices != self._posted:
            self._posted = devices
            self._post(devices)

    def _pin_on_reader(self) -> bool:
        reader = self._devices.get(DeviceClass.CARD_READER)
        return getattr(getattr(reader, "capabilities", None), "pin_entry", "kiosk") == "reader_pinpad"
