"""What the technician panels ask of the kiosk, in one Qt-free facade.

The composition root hands `TechnicianBackend` the parts it owns (settings, journal,
counters, technician gate, outbox, heartbeat, the device manager and the back-office
link, the latter three as callables because they appear after the first frame). Every
method may block on I/O (SQLite, files, the network, a device check waiting for a
card), so the UI calls them on a worker thread and never on the GUI thread.

Everything handed back for display is technician-safe: device reports carry masked
card data only, and journal rows and log lines pass `kiosk.redaction.redact` here even
though their writers already masked them (belt and braces). Every technician action
that changes or probes something is journaled as `technician.action`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from devices.base import Interaction
from devices.model import CancelToken, CodeScanned, CompletionCode, DeviceClass, HealthLevel, HealthReport
from kiosk.config import KioskSettings
from kiosk.journal import COUNTERS_RESET, TECHNICIAN_ACTION
from kiosk.redaction import redact

log = logging.getLogger("kiosk.technician")

EXPORT_MOUNT_ROOTS = (Path("/media"), Path("/run/media"))
SCANNER_TEST_PREFIX = "SI-KIOSK-TEST"
MAX_FIELD_TEXT = 600      # one journal row's details on screen


@dataclasses.dataclass(frozen=True)
class JournalRow:
    """One journal entry as the technician sees it (already redacted)."""

    seq: int
    at: str
    kind: str
    details: str


@dataclasses.dataclass(frozen=True)
class JournalCheck:
    ok: bool
    summary: str                  # the journal's own one-line English summary (also for a broken chain's reason)
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None


@dataclasses.dataclass(frozen=True)
class HeartbeatStatus:
    configured: bool
    acknowledged_at: dt.datetime | None = None
    clock_skew_s: float | None = None
    last_error: str = ""
    consecutive_failures: int = 0


def health_verdict(report: HealthReport) -> str:
    """pass, fail or skip: a device with no check at this level (as `kiosk diag` does) or a check
    the technician cancelled is skipped, not failed."""
    if report.passed:
        return "pass"
    return "skip" if report.code in (CompletionCode.UNSUPPORTED, CompletionCode.CANCELLED) else "fail"


def describe_details(details: Mapping[str, object]) -> str:
    """A health report's details on one line, redacted (card data is masked by the device already)."""
    parts = []
    for key, value in details.items():
        if isinstance(value, Mapping):
            value = ", ".join(f"{inner}={item}" for inner, item in value.items())
        parts.append(f"{key}: {value}")
    return redact("; ".join(parts))


class TechnicianBackend:
    def __init__(self, *, settings: KioskSettings, version: str, gate, journal, counters,
                 devices: Callable[[], object | None], backoffice_url: Callable[[], str],
                 outbox=None, heartbeat: Callable[[], object | None] = lambda: None,
                 storage_dir: Path | None = None, log_dir: Path | None = None,
                 restart: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self.version = version
        self._gate = gate
        self._journal = journal
        self._counters = counters
        self._devices = devices
        self._backoffice_url = backoffice_url
        self._outbox = outbox
        self._heartbeat = heartbeat
        self.storage_dir = Path(storage_dir) if storage_dir is not None else None
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self._restart = restart
        self.clock = settings.terminal_clock()
        self._lock = threading.Lock()
        self._health: dict[tuple[str, str], dict] = {}    # (device, level) -> last report, for the bundle
        self._connectivity: dict | None = None
        self._scanner_test_code = ""

    # --- entry ---------------------------------------------------------------------------
    @property
    def gate(self):
        return self._gate

    def record(self, kind: str, **fields) -> None:
        """Journal a step; a journal fault is logged and never stops the technician."""
        if self._journal is None:
            return
        try:
            self._journal.record(kind, **fields)
        except Exception:
            log.exception("journal entry %s not written", kind)

    def record_exit(self, reason: str) -> None:
        self.record(TECHNICIAN_ACTION, action="leave", reason=reason)
        try:
            self._gate.record_exit()
        except Exception:
            log.exception("technician exit not journaled")

    # --- devices -----------------------------------------------------------------------
    def device_manager(self):
        return self._devices()

    def device_descriptions(self) -> list[dict]:
        manager = self._devices()
        return manager.describe() if manager is not None else []

    def new_scanner_test_code(self) -> str:
        """The payload of the test QR shown on screen; the next scanner check expects exactly it."""
        code = f"{SCANNER_TEST_PREFIX}-{self.settings.terminal.id}-{secrets.token_hex(4).upper()}"
        with self._lock:
            self._scanner_test_code = code
        return code

    def run_health(self, device_class: DeviceClass, level: HealthLevel, interaction: Interaction | None = None,
                   cancel: CancelToken | None = None) -> HealthReport:
        """One device's check on that device's own worker (never overlapping a device operation)."""
        device_class, level = DeviceClass(device_class), HealthLevel(level)
        cancel = cancel or CancelToken()
        manager = self._devices()
        device = manager.get(device_class) if manager is not None else None
        if device is None:
            report = HealthReport(device_class.value, level, False, CompletionCode.NO_DEVICE,
                                  "no such device configured or devices not started")
        elif device_class is DeviceClass.QR_SCANNER and level is HealthLevel.INTERACTIVE:
            report = self._scanner_check(manager, device, interaction, cancel)
        else:
            report = manager.submit(device_class, device.check_health, level, interaction, cancel).result()
        if cancel.cancelled and not report.passed:
            # A cancelled question reads as "no" to the device; say what really happened.
            report = dataclasses.replace(report, code=CompletionCode.CANCELLED, summary="cancelled by the technician")
        self._remember(report, device_class)
        return report

    def _scanner_check(self, manager, scanner, interaction, cancel: CancelToken) -> HealthReport:
        """The scanner must read the code on screen: another code (a phone in the queue) fails the check."""
        with self._lock:
            expected = self._scanner_test_code
        seen: list[str] = []

        def listen(event) -> None:
            if isinstance(event, CodeScanned):
                seen.append(event.code)

        # The flow switches the scanner off outside identify screens; the check needs it on.
        was_enabled = scanner.enabled
        scanner.set_enabled(True)
        unsubscribe = scanner.subscribe(listen)
        try:
            report = manager.submit(DeviceClass.QR_SCANNER, scanner.check_health, HealthLevel.INTERACTIVE,
                                    interaction, cancel).result()
        finally:
            unsubscribe()
            scanner.set_enabled(was_enabled)
        if report.passed and expected and seen and seen[0] != expected:
            report = dataclasses.replace(report, passed=False, code=CompletionCode.MEDIA_INVALID,
                                         summary="a different code was scanned, not the test code on screen")
        return report

    def _remember(self, report: HealthReport, device_class: DeviceClass) -> None:
        with self._lock:
            self._health[(report.device, report.level.value)] = report.as_dict()
        self.record(TECHNICIAN_ACTION, action="health_check", device=report.device,
                    device_class=device_class.value, level=report.level.value, result=health_verdict(report),
                    code=report.code.value, summary=redact(report.summary)[:200])

    def health_reports(self) -> list[dict]:
        with self._lock:
            return list(self._health.values())

    # --- counters ------------------------------------------------------------------------
    def counters(self) -> dict[str, dict[str, int]]:
        return self._counters.snapshot() if self._counters is not None else {}

    def paper_replaced(self, scope: str) -> dict[str, int]:
        """Zero a printer's paper counters; the journal keeps the values before."""
        before = self._counters.paper_replaced(scope)
        # Journal fields are scalars: the values before as one "name=value, ..." text.
        self.record(COUNTERS_RESET, scope=scope, reason="paper_replaced",
                    before=", ".join(f"{name}={value}" for name, value in before.items()))
        return before

    # --- back office -----------------------------------------------------------------------
    def connectivity(self):
        from kiosk.connectivity import check_backoffice

        office = self.settings.backoffice
        verify: bool | str = office.verify_tls
        if office.verify_tls and office.ca_file:
            verify = str(self.settings.resolve_path(office.ca_file))
        client_cert = None
        if office.client_cert_file:
            client_cert = (str(self.settings.resolve_path(office.client_cert_file)),
                           str(self.settings.resolve_path(office.client_key_file)))
        try:
            url = self._backoffice_url()
        except Exception as error:  # the link may still be starting, or failed to start
            url = office.url
            log.info("technician connectivity check uses the configured URL (%s)", type(error).__name__)
        report = check_backoffice(url, verify=verify, client_cert=client_cert,
                                  timeout_s=office.connect_timeout_s, samples=3)
        with self._lock:
            self._connectivity = report.as_dict()
        self.record(TECHNICIAN_ACTION, action="connectivity_check", reachable=report.reachable,
                    latency_ms=report.latency_ms, error=report.error_kind)
        return report

    def outbox_depth(self) -> int | None:
        if self._outbox is None:
            return None
        return self._outbox.depth()

    def time_text(self, value: object) -> str:
        """An instant (datetime or epoch seconds) as the technician reads it, in the terminal's zone."""
        return _time_text(value, self.clock)

    def outbox_held(self) -> list[dict[str, object]]:
        """Submissions kept because the back office refused the terminal or the grant: staff must act.

        Each is its summary (reference, kind, attempts, last refusal code); never the payload."""
        if self._outbox is None:
            return []
        return [entry.summary() for entry in self._outbox.held()]

    def heartbeat_status(self) -> HeartbeatStatus:
        sender = self._heartbeat()
        if sender is None:
            return HeartbeatStatus(configured=False)
        ack = getattr(sender, "last_ack", None)
        return HeartbeatStatus(configured=True,
                               acknowledged_at=getattr(ack, "received_at", None) if ack is not None else None,
                               clock_skew_s=getattr(sender, "clock_skew_s", None),
                               last_error=redact(getattr(sender, "last_error", None) or ""),
                               consecutive_failures=getattr(sender, "consecutive_failures", 0))

    # --- configuration, journal, logs ----------------------------------------------------
    def config_rows(self) -> list[tuple[str, str]]:
        from kiosk.config_view import settings_rows

        return [(key, redact(value)) for key, value in settings_rows(self.settings)]

    def journal_entries(self, limit: int = 200, before_seq: int | None = None) -> list[JournalRow]:
        """Newest first."""
        if self._journal is None:
            return []
        entries = self._journal.entries(limit=limit, before_seq=before_seq)
        rows = [JournalRow(seq=entry.seq, at=self.time_text(entry.at), kind=redact(str(entry.kind)),
                           details=redact(_fields_text(entry.fields))[:MAX_FIELD_TEXT]) for entry in entries]
        return sorted(rows, key=lambda row: row.seq, reverse=True)

    def journal_verification(self) -> JournalCheck:
        if self._journal is None:
            return JournalCheck(False, "no journal")
        verification = self._journal.verify()
        return JournalCheck(bool(verification.ok), redact(verification.summary()), verification.checked,
                            verification.first_seq, verification.last_seq)

    def log_lines(self, limit: int = 500) -> list[str]:
        if self.log_dir is None:
            return []
        from kiosk.redaction import read_log_tail

        return [redact(line) for line in read_log_tail(self.log_dir, limit)]

    # --- export ----------------------------------------------------------------------------
    def default_export_target(self) -> Path:
        """The first writable removable drive (a USB stick under /media or /run/media), else the storage dir."""
        for root in EXPORT_MOUNT_ROOTS:
            for mount in _mounts_under(root):
                if os.access(mount, os.W_OK):
                    return mount
        if self.storage_dir is not None:
            return self.storage_dir
        return Path.cwd()

    def export_bundle(self, target: Path | str):
        from kiosk.diagnostics_bundle import write_bundle

        journal = [entry.as_dict() for entry in self._journal.entries(limit=1000)] if self._journal else []
        with self._lock:
            connectivity = self._connectivity
        result = write_bundle(Path(target), settings=self.settings, version=self.version,
                              devices=self.device_descriptions(), health=self.health_reports(),
                              counters=self.counters(), journal_entries=journal, connectivity=connectivity,
                              log_dir=self.log_dir)
        self.record(TECHNICIAN_ACTION, action="export_bundle", path=str(result.path), bytes=result.bytes)
        return result

    # --- system ----------------------------------------------------------------------------
    def restart(self) -> None:
        """Ask the composition root to restart the app; it journals the request.

        Call on the GUI thread: the restart leaves the Qt event loop.
        """
        self._restart()


def _mounts_under(root: Path) -> list[Path]:
    """Mount points one or two levels down (/media/usb0, /media/<user>/<label>), in name order."""
    found = []
    try:
        children = sorted(child for child in root.iterdir() if child.is_dir())
    except OSError:
        return []
    for child in children:
        if os.path.ismount(child):
            found.append(child)
            continue
        try:
            found.extend(sorted(inner for inner in child.iterdir() if inner.is_dir() and os.path.ismount(inner)))
        except OSError:
            continue
    return found


def _time_text(value: object, clock) -> str:
    """A stored instant on the hall's wall clock (`[terminal] time_zone`), not the host's zone."""
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, (int, float)):
        stamp = dt.datetime.fromtimestamp(value, dt.timezone.utc)
    else:
        return str(value)
    return clock.local(stamp).strftime("%Y-%m-%d %H:%M:%S")


def _fields_text(fields: object) -> str:
    if isinstance(fields, Mapping):
        return ", ".join(f"{key}={_value_text(value)}" for key, value in fields.items())
    return str(fields)


def _value_text(value: object) -> str:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
