"""The terminal's heartbeat: version, profile, device status, counters and outbox depth.

`build_heartbeat` turns what the kiosk knows into the contract's `Heartbeat` (device
status and counters only: no citizen data exists at this level). `HeartbeatSender` posts
one every `interval_s` on a daemon thread through a `send` callable (the real one is
`BackofficeClient.heartbeat`), keeps beating through outages, warns once per outage
rather than once per beat, and measures the clock skew against the back office (the
request signature is refused beyond 5 minutes of skew, so a drifting clock is worth
seeing before it happens).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from devices.base import Device
from devices.model import MediaState, PaperState
from kiosk.contract.models import DeviceReport, Heartbeat, HeartbeatAck

log = logging.getLogger("kiosk.heartbeat")

MAX_DEVICES = 32          # Heartbeat.devices
MAX_COUNTERS = 64         # Heartbeat.counters
MAX_COUNTER_KEY = 64
MAX_SHORT_TEXT = 32       # version, profile, device class, state
MAX_DEVICE_NAME = 64
MIN_INTERVAL_S, MAX_INTERVAL_S = 5, 3600   # Heartbeat.interval_s


def build_heartbeat(*, version: str, profile: str, interval_s: int | None, devices: Iterable[Device] | None,
                    counters: Mapping[str, int], outbox_depth: int, outbox_held: int = 0,
                    journal_head: tuple[int, str] | None = None) -> Heartbeat:
    """A valid `Heartbeat` from whatever the kiosk has: over-long values are cut, not refused.

    A heartbeat that fails validation would tell the back office nothing at all, so
    bounds are applied here rather than left to the model to reject.
    """
    reports = [_device_report(device) for device in list(devices or ())[:MAX_DEVICES]]
    bounded_counters = {}
    for key, value in counters.items():
        if len(bounded_counters) >= MAX_COUNTERS:
            break
        if isinstance(key, str) and 0 < len(key) <= MAX_COUNTER_KEY and isinstance(value, int) and value >= 0:
            bounded_counters[key] = value
    beat = None
    if interval_s:
        beat = min(max(int(interval_s), MIN_INTERVAL_S), MAX_INTERVAL_S)
    journal_seq, journal_hash = journal_head if journal_head else (None, None)
    return Heartbeat(version=version[:MAX_SHORT_TEXT], profile=profile[:MAX_SHORT_TEXT], interval_s=beat,
                     devices=reports, counters=bounded_counters, outbox_depth=max(0, int(outbox_depth)),
                     outbox_held=max(0, int(outbox_held)),
                     journal_seq=journal_seq, journal_hash=journal_hash)


def _device_report(device: Device) -> DeviceReport:
    status = device.status
    # Only what the class has: a card reader's card, a printer's paper (NOT_SUPPORTED is omitted).
    media = status.media.value if status.media is not MediaState.NOT_SUPPORTED else None
    paper = status.paper.value if status.paper is not PaperState.NOT_SUPPORTED else None
    return DeviceReport(name=(device.name or "unnamed")[:MAX_DEVICE_NAME],
                        device_class=device.device_class.value[:MAX_SHORT_TEXT],
                        state=status.state.value[:MAX_SHORT_TEXT], media=media, paper=paper)


class HeartbeatSender:
    """Posts a heartbeat now and then every `interval_s` until stopped.

    `build` and `send` run on the sender's own thread (or the caller's, for
    `send_now`); neither may touch the GUI. A failed beat is simply retried at the next
    interval: a heartbeat is a snapshot, so there is nothing to queue.
    """

    def __init__(self, *, send: Callable[[Heartbeat], HeartbeatAck], build: Callable[[], Heartbeat],
                 interval_s: float, clock: Callable[[], float] = time.time) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._send = send
        self._build = build
        self._interval_s = float(interval_s)
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._send_lock = threading.Lock()   # one beat at a time (thread and send_now callers)
        self._state_lock = threading.Lock()
        self._last_ack: HeartbeatAck | None = None
        self._last_error: str | None = None
        self._last_sent_at: float | None = None
        self._clock_skew_s: float | None = None
        self._consecutive_failures = 0

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop beating; returns once the thread ended (or after `timeout_s` if a send hangs)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.send_now()
            if self._stop.wait(self._interval_s):
                break

    # --- one beat --------------------------------------------------------------------------

    def send_now(self) -> HeartbeatAck | None:
        """Build and send one heartbeat; the ack, or None when it failed. Never raises."""
        with self._send_lock:
            try:
                report = self._build()
                started = self._clock()
                ack = self._send(report)
                finished = self._clock()
                # The server read its clock somewhere during the request: the midpoint is the best guess.
                skew = ack.server_time.timestamp() - (started + finished) / 2
            except Exception as error:  # an outage, or a bug in build: either way the kiosk goes on
                self._record_failure(error)
                return None
            self._record_success(ack, started, skew)
            return ack

    def _record_success(self, ack: HeartbeatAck, started: float, skew: float) -> None:
        with self._state_lock:
            failures = self._consecutive_failures
            self._last_ack = ack
            self._last_error = None
            self._last_sent_at = started
            self._clock_skew_s = skew
            self._consecutive_failures = 0
        if failures:
            log.info("heartbeat delivered again after %d failed beat(s)", failures)
        if abs(skew) > 60:
            log.warning("terminal clock differs from the back office by %.0f s", skew)

    def _record_failure(self, error: Exception) -> None:
        description = f"{type(error).__name__}: {str(error)[:200]}"
        with self._state_lock:
            self._consecutive_failures += 1
            failures = self._consecutive_failures
            self._last_error = description
        if failures == 1:  # once per outage; the recovery is logged when it ends
            log.warning("heartbeat failed (%s); retrying every %.0f s", description, self._interval_s)
        else:
            log.debug("heartbeat failed again (%d in a row): %s", failures, description)

    # --- what a technician or the metrics page sees ------------------------------------

    @property
    def interval_s(self) -> float:
        return self._interval_s

    @property
    def last_ack(self) -> HeartbeatAck | None:
        with self._state_lock:
            return self._last_ack

    @property
    def last_error(self) -> str | None:
        """The last failure's description, None after a successful beat."""
        with self._state_lock:
            return self._last_error

    @property
    def last_sent_at(self) -> float | None:
        """Clock time (the `clock` given) at which the last acknowledged heartbeat was sent."""
        with self._state_lock:
            return self._last_sent_at

    @property
    def clock_skew_s(self) -> float | None:
        """Back-office time minus local time (positive: the local clock is behind); None before an ack."""
        with self._state_lock:
            return self._clock_skew_s

    @property
    def consecutive_failures(self) -> int:
        with self._state_lock:
            return self._consecutive_failures
