"""The terminal's operations parts, opened together after the first frame (Qt-free).

Electronic journal, persisted counters, durable outbox and its sender, the
technician gate, the fleet heartbeat and the optional Prometheus exporter all
live in the storage directory and outlive a citizen's session. The composition root
(`kiosk_app/composition.py`) builds one `Operations` and hands its parts to the flow, the
technician mode and the devices.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import __version__
from kiosk.config import KioskSettings

log = logging.getLogger("kiosk.operations")

JOURNAL_FILE = "journal.sqlite3"
OUTBOX_FILE = "outbox.sqlite3"
COUNTERS_FILE = "counters.sqlite3"
TECHNICIAN_FILE = "technician.json"
PRUNE_INTERVAL_S = 24 * 3600


def storage_directory(settings: KioskSettings) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The configured state directory, or a fresh temporary one for profiles that keep no state."""
    if settings.storage.directory:
        return settings.resolve_path(settings.storage.directory), None
    scratch = tempfile.TemporaryDirectory(prefix="kiosk-state-")
    return Path(scratch.name), scratch


@dataclass
class Operations:
    settings: KioskSettings
    storage_dir: Path
    journal: object                  # kiosk.journal.Journal
    counters: object                 # kiosk.counters.CounterStore
    outbox: object                   # kiosk.outbox.Outbox
    sender: object                   # kiosk.outbox.OutboxSender
    technician_gate: object          # kiosk.technician_auth.TechnicianGate
    heartbeat: object | None = None  # kiosk.heartbeat.HeartbeatSender
    metrics: object | None = None    # kiosk.metrics_exporter.MetricsExporter
    devices: object | None = None    # devices.manager.DeviceManager, once started
    _unsubscribe: Callable[[], None] | None = field(default=None, repr=False)
    _last_fault: dict = field(default_factory=dict, repr=False)
    _pruned_at: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, settings: KioskSettings, storage_dir: Path, client: Callable[[], object], *,
             on_outbox_change: Callable[[], None] = lambda: None) -> "Operations":
        from kiosk.counters import open_counter_store
        from kiosk.journal import Journal
        from kiosk.outbox import CrashTestPoints, Outbox, OutboxSender
        from kiosk.technician_auth import TechnicianGate

        storage_dir.mkdir(parents=True, exist_ok=True)
        journal = Journal(storage_dir / JOURNAL_FILE, retention_days=settings.journal.retention_days)
        outbox = Outbox(storage_dir / OUTBOX_FILE)
        operations = cls(settings=settings, storage_dir=storage_dir, journal=journal,
                         counters=open_counter_store(storage_dir / COUNTERS_FILE), outbox=outbox, sender=None,
                         technician_gate=None)
        operations.technician_gate = TechnicianGate(settings.technician, storage_dir / TECHNICIAN_FILE,
                                                    journal_record=operations.record)
        operations.sender = sender = OutboxSender(
            outbox, client, retry_interval_s=settings.outbox.retry_interval_s,
            max_backoff_s=settings.outbox.max_backoff_s, record=operations.record,
            crash_points=CrashTestPoints(), on_change=on_outbox_change)
        journal.record("kiosk.started", version=__version__, profile=settings.profile,
                       pending_submissions=outbox.depth())
        operations._prune_journal()
        sender.start()
        operations._start_fleet_reporting(client)
        return operations

    # --- fleet -------------------------------------------------------------------------------
    def _start_fleet_reporting(self, client: Callable[[], object]) -> None:
        heartbeat = self.settings.heartbeat
        if heartbeat.interval_s:
            from kiosk.heartbeat import HeartbeatSender

            self.heartbeat = HeartbeatSender(send=lambda report: client().heartbeat(report), build=self.report,
                                             interval_s=heartbeat.interval_s)
            self.heartbeat.start()
        if heartbeat.prometheus_port:
            from kiosk.metrics_exporter import MetricsExporter

            self.metrics = MetricsExporter(heartbeat.prometheus_port, self.report,
                                           terminal_id=self.settings.terminal.id, extra=self._extra_metrics)
            try:
                self.metrics.start()
            except OSError as error:   # a taken port must not stop the kiosk serving citizens
                log.error("Prometheus exporter not started on 127.0.0.1:%d: %s", heartbeat.prometheus_port, error)
                self.metrics = None

    def _extra_metrics(self) -> dict[str, float]:
        sender = self.heartbeat
        if sender is None:
            return {}
        return {"kiosk_clock_skew_seconds": sender.clock_skew_s or 0.0,
                "kiosk_heartbeat_failures": float(sender.consecutive_failures)}

    def report(self):
        """The heartbeat: device states, counters, version, profile, outbox depth."""
        from kiosk.heartbeat import build_heartbeat

        self._prune_journal()   # a kiosk runs for months: retention is applied about daily, here
        devices = list(self.devices.devices) if self.devices is not None else None
        return build_heartbeat(version=__version__, profile=self.settings.profile,
                               interval_s=self.settings.heartbeat.interval_s or None, devices=devices,
                               counters=self.counters.flat(), outbox_depth=self.outbox.depth(),
                               outbox_held=len(self.outbox.held()),
                               journal_head=self.journal.head())

    def _prune_journal(self) -> None:
        now = time.time()
        if now - self._pruned_at < PRUNE_INTERVAL_S:
            return
        self._pruned_at = now
        try:
            pruned = self.journal.prune()
        except Exception:   # a broken stretch is kept as evidence; the technician sees it in verify
            log.exception("journal not pruned")
            return
        if pruned:
            log.info("journal: %d entries older than %d days pruned", pruned, self.settings.journal.retention_days)

    # --- devices -------------------------------------------------------------------------------
    def attach_devices(self, manager) -> None:
        """Counters persist across restarts; faults and recoveries go to the journal."""
        self.devices = manager
        self.counters.attach(list(manager.devices))
        self._unsubscribe = manager.subscribe(self._device_event)

    def _device_event(self, event) -> None:
        from devices.model import DeviceState, PaperState, StatusChanged

        if not isinstance(event, StatusChanged):
            return
        status = event.new
        fault = ""
        if status.state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE, DeviceState.HARDWARE_ERROR):
            fault = status.state.value
        elif status.paper in (PaperState.OUT, PaperState.JAMMED):
            fault = f"paper_{status.paper.value}"
        with self._lock:
            before = self._last_fault.get(event.device, "")
            self._last_fault[event.device] = fault
        if fault and fault != before:
            self.record("device.fault", device=event.device, device_class=event.device_class.value, fault=fault,
                        detail=status.detail)
        elif before and not fault:
            self.record("device.recovered", device=event.device, device_class=event.device_class.value)

    # --- journal -------------------------------------------------------------------------------
    def record(self, kind: str, **fields) -> None:
        """Journal a step and count it; a faulty journal is logged, never a stop for the citizen."""
        try:
            self.journal.record(kind, **fields)
        except Exception:
            log.exception("journal entry %s not written", kind)
        counter = _counter_for(kind, fields)
        if counter:
            try:
                self.counters.increment("kiosk", counter)
            except Exception:
                log.exception("counter %s not written", counter)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.metrics is not None:
            self.metrics.stop()
        self.sender.stop()
        self.record("kiosk.stopped")
        self.outbox.close()
        self.counters.close()
        self.journal.close()


def _counter_for(kind: str, fields: dict) -> str:
    """The kiosk-level statistics counter a journal step bumps (device counters count themselves)."""
    if kind == "session.started":
        return f"sessions_{fields.get('method', 'unknown')}"
    if kind == "service.used":
        return f"service_{fields.get('service', 'unknown')}"
    if kind in ("submission.queued", "submission.confirmed", "submission.deferred", "submission.rejected"):
        return f"{kind.replace('.', '_')}_{fields.get('submission', 'unknown')}"
    if kind == "technician.login":
        return f"technician_login_{fields.get('outcome', 'unknown')}"
    return {"staff.called": "staff_called", "device.fault": "device_faults"}.get(kind, "")
