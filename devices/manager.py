"""The device manager: owns the configured devices, their workers and their recovery.

It is handed devices already built (the kiosk's composition root chooses driver or
simulator from configuration, see `kiosk/device_setup.py`), opens them, subscribes a
listener to all of them at once, and every `recovery_interval_s` reopens a device that
is not usable, so a printer unplugged and plugged back works again without a restart.
Drivers with their own monitor (PC/SC, serial) recover by themselves and are left alone.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Callable, Iterable, Mapping, TypeVar

from devices.base import Device, Interaction, Listener
from devices.interfaces import CardReader, DocumentPrinter, QrScanner, ReceiptPrinter, paper_fault_code
from devices.model import DeviceClass, DeviceState, HealthLevel, HealthReport
from devices.worker import DeviceWorker

T = TypeVar("T")
log = logging.getLogger("devices.manager")

_NEEDS_RECOVERY = (DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.HARDWARE_ERROR, DeviceState.UNKNOWN)


class DeviceManager:
    def __init__(self, devices: Mapping[DeviceClass, Device], *, recovery_interval_s: float = 2.0) -> None:
        for device_class, device in devices.items():
            if device.device_class is not device_class:
                raise ValueError(f"{device.name} is a {device.device_class}, not a {device_class}")
        self._devices = dict(devices)
        self._workers = {device_class: DeviceWorker(device.name) for device_class, device in devices.items()}
        self._recovery_interval_s = recovery_interval_s
        self._stop = threading.Event()
        self._recovery_thread: threading.Thread | None = None
        self._subscriptions: list[Callable[[], None]] = []
        self._subscriptions_lock = threading.Lock()
        self.recoveries = 0

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        for device in self._devices.values():
            device.open()
        self._stop.clear()
        self._recovery_thread = threading.Thread(target=self._recovery_loop, name="device-recovery", daemon=True)
        self._recovery_thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._recovery_thread is not None:
            self._recovery_thread.join(timeout=5)
        # Listeners hear nothing of the shutdown itself (closing publishes OFFLINE, not a fault).
        with self._subscriptions_lock:
            subscriptions, self._subscriptions = self._subscriptions, []
        for unsubscribe in subscriptions:
            unsubscribe()
        for worker in self._workers.values():
            worker.shutdown()
        for device in self._devices.values():
            try:
                device.close()
            except Exception:
                log.exception("%s: close failed", device.name)

    def __enter__(self) -> "DeviceManager":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- access ----------------------------------------------------------------------------

    def get(self, device_class: DeviceClass) -> Device | None:
        return self._devices.get(device_class)

    @property
    def devices(self) -> Iterable[Device]:
        return tuple(self._devices.values())

    @property
    def card_reader(self) -> CardReader | None:
        return self._devices.get(DeviceClass.CARD_READER)  # type: ignore[return-value]

    @property
    def qr_scanner(self) -> QrScanner | None:
        return self._devices.get(DeviceClass.QR_SCANNER)  # type: ignore[return-value]

    @property
    def receipt_printer(self) -> ReceiptPrinter | None:
        return self._devices.get(DeviceClass.RECEIPT_PRINTER)  # type: ignore[return-value]

    @property
    def document_printer(self) -> DocumentPrinter | None:
        return self._devices.get(DeviceClass.DOCUMENT_PRINTER)  # type: ignore[return-value]

    def submit(self, device_class: DeviceClass, operation: Callable[..., T], *args, **kwargs) -> "Future[T]":
        """Run `operation` on the device's own worker thread."""
        return self._workers[device_class].submit(operation, *args, **kwargs)

    # --- events ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Subscribe `listener` to every device; returns one function that unsubscribes it from all.

        The manager relays nothing: each device greets the listener with its current state
        and then calls it from its own thread (docs/architecture.md, "How device data
        flows"). It keeps only the unsubscribe functions, so `stop()` can drop what is left.
        """
        unsubscribes = [device.subscribe(listener) for device in self._devices.values()]

        def unsubscribe() -> None:
            for device_unsubscribe in unsubscribes:
                device_unsubscribe()
            with self._subscriptions_lock:
                if unsubscribe in self._subscriptions:
                    self._subscriptions.remove(unsubscribe)

        with self._subscriptions_lock:
            self._subscriptions.append(unsubscribe)
        return unsubscribe

    # --- health and reports -------------------------------------------------------------------

    def check_health(self, level: HealthLevel, interaction: Interaction | None = None) -> list[HealthReport]:
        """Each device's check, run on its own worker so it never overlaps a citizen's operation."""
        futures = [self.submit(device_class, device.check_health, level, interaction)
                   for device_class, device in self._devices.items()]
        return [future.result() for future in futures]

    def describe(self) -> list[dict[str, object]]:
        return [device.describe() for device in self._devices.values()]

    # --- recovery ----------------------------------------------------------------------------

    def _recovery_loop(self) -> None:
        while not self._stop.wait(self._recovery_interval_s):
            for device_class, device in self._devices.items():
                if isinstance(device, ReceiptPrinter) and device.status.state.usable \
                        and paper_fault_code(device.status) is not None:
                    # Nothing else asks an idle printer again: re-read it so a refill is noticed.
                    self.submit(device_class, device.refresh_status)
                    continue
                if device.self_recovering or device.status.state not in _NEEDS_RECOVERY:
                    continue
                # On the device's worker: a recovery never races an operation on the same device.
                try:
                    recovered = self.submit(device_class, device.recover).result(timeout=30)
                except Exception:
                    log.exception("%s: recovery failed", device.name)
                    continue
                if recovered:
                    self.recoveries += 1
                    log.info("%s: recovered", device.name)
