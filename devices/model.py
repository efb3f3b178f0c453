"""Shared device vocabulary: states, completion codes, results, events, health reports.

Modelled on XFS4IoT and UnifiedPOS (docs/architecture.md): every enum has UNKNOWN and
NOT_SUPPORTED, operations return a typed `OperationResult` with a `CompletionCode`
instead of magic integers, and a status change is an event the device publishes
itself. Nothing here imports Qt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from enum import StrEnum
from typing import Callable, Generic, Mapping, TypeVar

T = TypeVar("T")

log = logging.getLogger("devices")


class DeviceClass(StrEnum):
    CARD_READER = "card_reader"
    QR_SCANNER = "qr_scanner"
    RECEIPT_PRINTER = "receipt_printer"
    DOCUMENT_PRINTER = "document_printer"


class DeviceState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"              # the device or its service (pcscd, printer host) does not answer
    NO_DEVICE = "no_device"          # nothing is connected where the configuration says
    HARDWARE_ERROR = "hardware_error"
    BUSY = "busy"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"

    @property
    def usable(self) -> bool:
        return self in (DeviceState.ONLINE, DeviceState.BUSY)


class MediaState(StrEnum):
    """The card in a card reader."""

    PRESENT = "present"
    NOT_PRESENT = "not_present"
    JAMMED = "jammed"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class PaperState(StrEnum):
    FULL = "full"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class CoverState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class CompletionCode(StrEnum):
    SUCCESS = "success"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    NO_DEVICE = "no_device"            # device offline or absent
    HARDWARE_ERROR = "hardware_error"  # the device answered wrongly or not at all
    BUSY = "busy"
    UNSUPPORTED = "unsupported"        # the capability is missing
    NO_MEDIA = "no_media"              # no card in the reader
    MEDIA_REMOVED = "media_removed"    # the card left during the operation
    MEDIA_INVALID = "media_invalid"    # unreadable card, or data that failed validation
    PIN_INCORRECT = "pin_incorrect"
    PIN_BLOCKED = "pin_blocked"
    INVALID_INPUT = "invalid_input"    # a request (or scanned code) that breaks the rules
    PAPER_OUT = "paper_out"
    PAPER_JAM = "paper_jam"
    COVER_OPEN = "cover_open"


class HealthLevel(StrEnum):
    INTERNAL = "internal"        # no physical action: status, connection, configuration
    EXTERNAL = "external"        # a physical test: a test page, a card read
    INTERACTIVE = "interactive"  # a technician is asked to insert, scan or judge


class DeviceError(Exception):
    """Raised inside drivers; the base turns it into an `OperationResult`."""

    def __init__(self, code: CompletionCode, detail: str = "", value: object = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail
        self.value = value  # what a failure still tells: the PIN tries left after a wrong PIN


@dataclasses.dataclass(frozen=True)
class OperationResult(Generic[T]):
    """What every device operation returns: a completion code and, on success, a value.

    `detail` is for technicians and logs; it never carries personal data.
    """

    code: CompletionCode
    value: T | None = None  # on failure, only what the failure itself reports (PinResult after a wrong PIN)
    detail: str = ""
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.code is CompletionCode.SUCCESS

    def unwrap(self) -> T:
        if not self.ok:
            raise DeviceError(self.code, self.detail)
        return self.value  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState = DeviceState.UNKNOWN
    media: MediaState = MediaState.NOT_SUPPORTED
    paper: PaperState = PaperState.NOT_SUPPORTED
    cover: CoverState = CoverState.NOT_SUPPORTED
    detail: str = ""  # why, for technicians: "pcscd not running", "no reader matches 'ACS'"

    def replace(self, **changes) -> "DeviceStatus":
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state.value, "media": self.media.value, "paper": self.paper.value,
                "cover": self.cover.value, "detail": self.detail}


@dataclasses.dataclass(frozen=True)
class StatusChanged:
    device: str
    device_class: DeviceClass
    old: DeviceStatus
    new: DeviceStatus


@dataclasses.dataclass(frozen=True)
class MediaInserted:
    """A card is now present in the reader (its media became PRESENT).

    A reader publishes it after the `StatusChanged` that caused it, and greets a new
    listener with it while a card is in (pyscard's card monitor, docs/architecture.md).
    """

    device: str
    device_class: DeviceClass


@dataclasses.dataclass(frozen=True)
class MediaRemoved:
    """The card present until now is not any more: taken out, jammed, or the reader lost.

    Each `MediaInserted` is followed by exactly one `MediaRemoved` before the next one.
    """

    device: str
    device_class: DeviceClass


@dataclasses.dataclass(frozen=True)
class CodeScanned:
    """A QR scanner read a code. `code` is bounded and validated text, never trusted content."""

    device: str
    code: str


@dataclasses.dataclass(frozen=True)
class ScanFailed:
    """A scan arrived but could not be used (too long, not text, cut short)."""

    device: str
    code: CompletionCode
    detail: str


DeviceEvent = StatusChanged | MediaInserted | MediaRemoved | CodeScanned | ScanFailed


@dataclasses.dataclass(frozen=True)
class HealthReport:
    device: str
    level: HealthLevel
    passed: bool
    code: CompletionCode
    summary: str
    details: Mapping[str, object] = dataclasses.field(default_factory=dict)
    checked_at: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def as_dict(self) -> dict[str, object]:
        return {"device": self.device, "level": self.level.value, "passed": self.passed,
                "code": self.code.value, "summary": self.summary, "details": dict(self.details),
                "checked_at": self.checked_at.isoformat(timespec="seconds")}


class CancelToken:
    """Cancels a running operation from another thread; drivers poll `cancelled` or wait on it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when cancelled meanwhile."""
        return self._event.wait(seconds)

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise DeviceError(CompletionCode.CANCELLED, "cancelled")


StatisticsListener = Callable[[str, int], None]


class Statistics:
    """Name/value counters (UnifiedPOS statistics), safe to bump from any thread.

    Listeners (`subscribe`) hear `(name, new_value)` after every increment, restore and
    reset, in the order the changes happened, so a store that persists the values never
    writes an older value over a newer one.
    """

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        # Held across a change and its notification: listeners hear changes in order, while
        # snapshot() only waits for the short value lock, never for a listener.
        self._notify_lock = threading.RLock()
        self._values: dict[str, int] = {name: 0 for name in names}
        self._listeners: list[StatisticsListener] = []

    def subscribe(self, listener: StatisticsListener) -> Callable[[], None]:
        """Call `listener(name, value)` after each change; returns the unsubscribe function."""
        with self._notify_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._notify_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def increment(self, name: str, by: int = 1) -> None:
        with self._notify_lock:
            with self._lock:
                value = self._values.get(name, 0) + by
                self._values[name] = value
            self._notify({name: value})

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._values)

    def restore(self, values: Mapping[str, int]) -> None:
        with self._notify_lock:
            with self._lock:
                restored = {name: int(value) for name, value in values.items()}
                self._values.update(restored)
            self._notify(restored)

    def reset(self, names: tuple[str, ...] | None = None) -> dict[str, int]:
        """Zero the counters (all when `names` is None); returns their values before."""
        with self._notify_lock:
            with self._lock:
                chosen = tuple(names) if names is not None else tuple(self._values)
                before = {name: self._values.get(name, 0) for name in chosen}
                for name in chosen:
                    self._values[name] = 0
            self._notify({name: 0 for name in chosen})
        return before

    def _notify(self, changed: Mapping[str, int]) -> None:
        if not self._listeners or not changed:
            return
        for listener in list(self._listeners):
            for name, value in changed.items():
                try:
                    listener(name, value)
                except Exception:  # a failing store must not stop the device thread that counted
                    log.exception("statistics listener failed for %s", name)
