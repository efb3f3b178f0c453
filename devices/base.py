"""The device base: lifecycle, status publishing, operation wrapping, health and counters.

Drivers and simulators subclass one of the class interfaces in `devices.interfaces`
and implement the `_do_*` hooks; the base does what every device must do the same
way: publish a status change by itself (and, for a card reader, `MediaInserted` /
`MediaRemoved` when the card comes or goes), turn exceptions into completion codes in
one place, time operations and count them.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from abc import ABC, abstractmethod
from typing import Callable, Protocol, TypeVar

from devices.model import (CancelToken, CompletionCode, DeviceClass, DeviceError, DeviceEvent, DeviceState,
                           DeviceStatus, HealthLevel, HealthReport, MediaInserted, MediaRemoved, MediaState,
                           OperationResult, StatusChanged, Statistics)

T = TypeVar("T")
Listener = Callable[[DeviceEvent], None]

log = logging.getLogger("devices")


class Interaction(Protocol):
    """How an interactive health check talks to the technician (screen or terminal).

    Drivers pass message ids only (`technician.check.*`); their wording lives in the technician
    catalogue table, kiosk/texts/technician.py, which the screen looks them up in.
    """

    def instruct(self, message_id: str) -> None: ...

    def confirm(self, message_id: str) -> bool: ...


class Device(ABC):
    device_class: DeviceClass
    counter_names: tuple[str, ...] = ()
    # True for drivers whose own monitor thread notices a device coming back (PC/SC, serial):
    # the manager then leaves them alone instead of closing and reopening them.
    self_recovering: bool = False

    def __init__(self, name: str) -> None:
        self.name = name
        self.statistics = Statistics(self.counter_names)
        self._status = DeviceStatus(state=DeviceState.UNKNOWN, **self._initial_media())
        self._status_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        # Held across a change and its events, and across a greeting: every listener hears one
        # device's events in the order they happened, and a greeting is never overtaken by a
        # change it already contains. Reentrant: a listener may read or subscribe again.
        self._events_lock = threading.RLock()

    # --- lifecycle -------------------------------------------------------------------

    @abstractmethod
    def open(self) -> None:
        """Connect and start monitoring. Never raises for an absent device: it sets the state."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call twice."""

    def recover(self) -> bool:
        """Try to bring an offline device back (the manager calls this periodically).

        The default reopens it. Returns True when the device is usable afterwards.
        """
        self.close()
        self.open()
        return self.status.state.usable

    @property
    @abstractmethod
    def capabilities(self):
        """A frozen dataclass describing what this device can do."""

    # --- status and events -----------------------------------------------------------

    @property
    def status(self) -> DeviceStatus:
        with self._status_lock:
            return self._status

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener and greet it with the current state (pyscard's observer greeting).

        The greeting is a `StatusChanged` whose old and new status are the same, followed by
        `MediaInserted` while a card is in; then the listener hears every change, from the
        thread that made it, so a listener must be quick (queue the event, do not wait).
        """
        with self._events_lock:
            with self._listeners_lock:
                self._listeners.append(listener)
            status = self.status
            listener(StatusChanged(self.name, self.device_class, status, status))
            if status.media is MediaState.PRESENT:
                listener(MediaInserted(self.name, self.device_class))

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def _update_status(self, **changes) -> DeviceStatus:
        with self._events_lock:
            with self._status_lock:
                old = self._status
                new = old.replace(**changes)
                self._status = new
            if new != old:
                log.info("%s: %s", self.name, _describe_change(old, new))
                self._publish(StatusChanged(self.name, self.device_class, old, new))
                media_event = self._media_event(old.media, new.media)
                if media_event is not None:
                    self._publish(media_event)
        return new

    def _media_event(self, old: MediaState, new: MediaState) -> MediaInserted | MediaRemoved | None:
        """A card counts as present only while the media is PRESENT (a card monitor's list)."""
        was_present, present = old is MediaState.PRESENT, new is MediaState.PRESENT
        if present and not was_present:
            return MediaInserted(self.name, self.device_class)
        if was_present and not present:
            return MediaRemoved(self.name, self.device_class)
        return None

    def _publish(self, event: DeviceEvent) -> None:
        with self._events_lock:
            with self._listeners_lock:
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # a broken listener must not stop the device thread
                    log.exception("%s: listener failed", self.name)

    def _initial_media(self) -> dict:
        return {}

    # --- operations ------------------------------------------------------------------

    def _run(self, operation: str, body: Callable[[], T], cancel: CancelToken | None = None) -> OperationResult[T]:
        """Run one operation: exceptions become completion codes here, and only here."""
        started = time.perf_counter()
        if cancel is not None and cancel.cancelled:
            return OperationResult(CompletionCode.CANCELLED, detail=f"{operation}: cancelled before start")
        try:
            value = body()
        except DeviceError as error:
            elapsed = time.perf_counter() - started
            log.warning("%s: %s failed: %s (%.3f s)", self.name, operation, error.code, elapsed)
            return OperationResult(error.code, error.value, f"{operation}: {error.detail}", elapsed)
        except Exception as error:  # a driver bug must not take the kiosk down
            elapsed = time.perf_counter() - started
            log.exception("%s: %s raised", self.name, operation)
            return OperationResult(CompletionCode.HARDWARE_ERROR, detail=f"{operation}: {type(error).__name__}",
                                   elapsed_s=elapsed)
        return OperationResult(CompletionCode.SUCCESS, value, elapsed_s=time.perf_counter() - started)

    def _require_usable(self) -> None:
        state = self.status.state
        if state is DeviceState.BUSY:
            raise DeviceError(CompletionCode.BUSY, "device busy")
        if not state.usable:
            raise DeviceError(CompletionCode.NO_DEVICE, f"device {state.value}: {self.status.detail}")

    # --- health ----------------------------------------------------------------------

    def check_health(self, level: HealthLevel, interaction: Interaction | None = None,
                     cancel: CancelToken | None = None) -> HealthReport:
        if level is HealthLevel.INTERACTIVE and interaction is None:
            return self._report(level, CompletionCode.UNSUPPORTED, "interactive check needs a technician")
        try:
            return self._check_health(level, interaction, cancel or CancelToken())
        except DeviceError as error:
            return self._report(level, error.code, error.detail or str(error.code))
        except Exception as error:
            log.exception("%s: health check raised", self.name)
            return self._report(level, CompletionCode.HARDWARE_ERROR, type(error).__name__)

    def _check_health(self, level: HealthLevel, interaction: Interaction | None,
                      cancel: CancelToken) -> HealthReport:
        """Internal level by default: the device is usable. Classes add external/interactive."""
        status = self.status
        code = CompletionCode.SUCCESS if status.state.usable else CompletionCode.NO_DEVICE
        if level is not HealthLevel.INTERNAL:
            return self._report(level, CompletionCode.UNSUPPORTED, f"no {level.value} check for this device")
        return self._report(level, code, f"{status.state.value} {status.detail}".strip())

    def _report(self, level: HealthLevel, code: CompletionCode, summary: str, **details) -> HealthReport:
        return HealthReport(self.name, level, code is CompletionCode.SUCCESS, code, summary, details)

    def describe(self) -> dict[str, object]:
        """Everything a technician sees about this device: no personal data."""
        caps = self.capabilities
        return {"name": self.name, "class": self.device_class.value, "driver": type(self).__name__,
                "status": self.status.as_dict(),
                "capabilities": _as_plain_dict(caps), "statistics": self.statistics.snapshot()}


def _describe_change(old: DeviceStatus, new: DeviceStatus) -> str:
    changed = [f"{key} {before} -> {after}" for key, before, after in
               (("state", old.state, new.state), ("media", old.media, new.media),
                ("paper", old.paper, new.paper), ("cover", old.cover, new.cover))
               if before != after]
    if new.detail and new.detail != old.detail:
        changed.append(f"({new.detail})")
    return ", ".join(changed) or "detail changed"


def _as_plain_dict(value) -> dict[str, object]:
    if dataclasses.is_dataclass(value):
        return {key: (item.value if hasattr(item, "value") else item)
                for key, item in dataclasses.asdict(value).items()}
    return dict(value or {})
