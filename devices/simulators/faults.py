"""Fault injection shared by the simulators: the demo's control window and tests flip these."""

from __future__ import annotations

import threading
from enum import StrEnum

from devices.model import CancelToken, CompletionCode, DeviceError


class SimulatedFault(StrEnum):
    UNPLUG = "unplug"                    # the device vanishes; it returns when cleared and the manager recovers it
    SLOW = "slow"                        # every operation waits `slow_delay_s` first
    UNREADABLE_CARD = "unreadable_card"  # card reader: the card answers garbage
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    PAPER_OUT_MID_JOB = "paper_out_mid_job"  # the next job runs out of paper half way
    JAM = "jam"
    COVER_OPEN = "cover_open"


class FaultSwitchboard:
    def __init__(self, slow_delay_s: float = 3.0) -> None:
        self._lock = threading.Lock()
        self._active: set[SimulatedFault] = set()
        self.slow_delay_s = slow_delay_s

    def inject(self, fault: SimulatedFault) -> None:
        with self._lock:
            self._active.add(SimulatedFault(fault))

    def clear(self, fault: SimulatedFault | None = None) -> None:
        with self._lock:
            if fault is None:
                self._active.clear()
            else:
                self._active.discard(SimulatedFault(fault))

    def active(self, fault: SimulatedFault) -> bool:
        with self._lock:
            return fault in self._active

    def consume(self, fault: SimulatedFault) -> bool:
        """True once for a one-shot fault (paper out mid job), then it is cleared."""
        with self._lock:
            if fault in self._active:
                self._active.discard(fault)
                return True
            return False

    def snapshot(self) -> list[str]:
        with self._lock:
            return sorted(fault.value for fault in self._active)

    def delay(self, cancel: CancelToken) -> None:
        """The SLOW fault: wait, but stay cancellable."""
        if self.active(SimulatedFault.SLOW) and cancel.wait(self.slow_delay_s):
            raise DeviceError(CompletionCode.CANCELLED, "cancelled while the device was slow")
