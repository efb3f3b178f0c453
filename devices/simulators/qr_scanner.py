"""A QR scanner simulator: `scan()` hands a code to the same validation as the real drivers."""

from __future__ import annotations

import threading

from devices.interfaces import QrScanner, QrScannerCapabilities
from devices.model import DeviceState
from devices.simulators.faults import FaultSwitchboard, SimulatedFault


class SimulatedQrScanner(QrScanner):
    def __init__(self, name: str = "qr-scanner-sim", *, max_code_bytes: int = 4096,
                 faults: FaultSwitchboard | None = None) -> None:
        super().__init__(name)
        self.faults = faults or FaultSwitchboard()
        self._max_code_bytes = max_code_bytes

    @property
    def capabilities(self) -> QrScannerCapabilities:
        return QrScannerCapabilities(max_code_bytes=self._max_code_bytes, connection="simulator", terminator="")

    def open(self) -> None:
        if self.faults.active(SimulatedFault.UNPLUG):
            self._update_status(state=DeviceState.NO_DEVICE, detail="simulated unplug")
        else:
            self._update_status(state=DeviceState.ONLINE, detail="")

    def close(self) -> None:
        pass

    def scan(self, code: str | bytes) -> None:
        """What a citizen holding up a phone does. SLOW delivers the code after the delay."""
        if not self.status.state.usable:
            return  # an unplugged scanner reads nothing
        if self.faults.active(SimulatedFault.SLOW):
            threading.Timer(self.faults.slow_delay_s, self._deliver, (code,)).start()
        else:
            self._deliver(code)

    def inject_fault(self, fault: SimulatedFault) -> None:
        self.faults.inject(fault)
        if fault is SimulatedFault.UNPLUG:
            self._update_status(state=DeviceState.NO_DEVICE, detail="simulated unplug")

    def clear_fault(self, fault: SimulatedFault | None = None) -> None:
        self.faults.clear(fault)
