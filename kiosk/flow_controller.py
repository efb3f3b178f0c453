"""Carries out the flow machine's effects: tasks on workers, speech, wipes (Qt-free).

The controller is the only place where the pure `FlowMachine` meets the world:
- `dispatch(event)` runs on the GUI thread; it never blocks (tasks go to a pool, and
  device operations inside a task run on that device's own worker);
- task results, device events and clock ticks come back through `post`, which the
  UI bridge queues onto the GUI thread (tests may pass a plain queue);
- a result from a cancelled task or an ended session carries a stale ticket and is
  ignored by the machine, so nothing of one citizen reaches the next.
"""

from __future__ import annotations

import concurrent.futures
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devices.model import CancelToken, CompletionCode, DeviceClass
from kiosk import flow
from kiosk.clock import TerminalClock
from kiosk.device_watch import DeviceWatch
from kiosk.errors import ErrorKind, KioskError, error_from_device
from kiosk.flow_state import FlowState
from kiosk.messages import MessageCatalog, in_language
from kiosk.service_api import ReceiptCommon, ServiceTask

log = logging.getLogger("kiosk.flow")

PROBE_INTERVAL_S = 15.0


@dataclass(frozen=True)
class PaperSettings:
    """What every printed paper needs from configuration."""

    receipt_header_zh: str
    receipt_header_en: str
    terminal_id: str
    verify_base_url: str = ""     # public certificate check, e.g. https://si.example.gov.cn; "": the back office
    wall_clock: TerminalClock = field(default_factory=TerminalClock.named)   # terminal.time_zone, not the host's
    seal_images: tuple[tuple[str, str], ...] = ()   # (issuing office, its own seal image file)

    def seal_image(self, office: str) -> str:
        return dict(self.seal_images).get(office.strip(), "")

    def header(self, language: str) -> str:
        return in_language(language, zh=self.receipt_header_zh, en=self.receipt_header_en)


@dataclass(frozen=True)
class PrintedPaper:
    """Reported to `on_printed` after a successful print (journal, demo output, tests)."""

    kind: str                     # "receipt" | "certificate"
    title: str
    data: bytes | None = None     # ESC/POS bytes of a receipt
    document_path: str = ""       # PDF of a certificate (before the session's wipe)


class FlowController:
    def __init__(self, machine: flow.FlowMachine, catalog: MessageCatalog, *,
                 post: Callable[[flow.Event], None],
                 on_state: Callable[[FlowState], None],
                 backoffice: Callable[[], object],
                 paper: PaperSettings,
                 speech=None,
                 speech_volume: float = 0.9,
                 on_wipe: Callable[[], None] = lambda: None,
                 on_printed: Callable[[PrintedPaper], None] = lambda paper: None,
                 on_call_staff: Callable[[], None] = lambda: None,
                 on_record: Callable[..., object] = lambda kind, **fields: None,
                 outbox=None,
                 clock: Callable[[], float] = time.monotonic,
                 workers: int = 4) -> None:
        self.machine = machine
        self.catalog = catalog
        self._post = post
        self._on_state = on_state
        self._backoffice = backoffice
        self._paper = paper
        self._speech = speech
        self._speech_volume = speech_volume
        self._on_wipe = on_wipe
        self._on_printed = on_printed
        self._on_call_staff = on_call_staff
        self._on_record = on_record
        self._outbox = outbox           # kiosk.outbox.OutboxSender: submissions survive crashes and outages
        self._clock = clock
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flow-task")
        self._devices = None
        self._device_watch: DeviceWatch | None = None
        self._cancels: dict[int, CancelToken] = {}
        self._cancels_lock = threading.Lock()
        self._last_probe = float("-inf")
        self._probing = False
        self._scratch = Path(tempfile.mkdtemp(prefix="kiosk-session-"))
        self._closed = False

    # --- GUI thread ---------------------------------------------------------------------
    def start(self) -> None:
        self._execute(self.machine.start(self._clock()))
        self._on_state(self.machine.state)

    def dispatch(self, event: flow.Event) -> FlowState:
        effects = self.machine.handle(event, self._clock())
        self._execute(effects)
        self._on_state(self.machine.state)
        if isinstance(event, flow.Tick):
            self._maybe_probe()
        return self.machine.state

    def _execute(self, effects: list[flow.Effect]) -> None:
        for effect in effects:
            if isinstance(effect, flow.RunTask):
                self._start_task(effect)
            elif isinstance(effect, flow.CancelTasks):
                with self._cancels_lock:
                    for token in self._cancels.values():
                        token.cancel()
                    self._cancels.clear()
            elif isinstance(effect, flow.CloseSession):
                self._pool.submit(self._close_session, effect.token)
            elif isinstance(effect, flow.Speak):
                self._speak(effect)
            elif isinstance(effect, flow.StopSpeech):
                if self._speech is not None:
                    self._speech.stop()
            elif isinstance(effect, flow.WipeSession):
                self._wipe(effect.reason)
            elif isinstance(effect, flow.Record):
                self._record(effect.kind, **dict(effect.fields))
            elif isinstance(effect, flow.EnableScanner):
                scanner = self._devices.qr_scanner if self._devices is not None else None
                if scanner is not None:
                    scanner.set_enabled(effect.enabled)
            elif isinstance(effect, flow.CallStaff):
                log.info("call staff requested")
                self._record("staff.called")
                self._on_call_staff()

    def _record(self, kind: str, **fields) -> None:
        """Journal a step; a journal fault is logged and never stops the citizen's service."""
        try:
            self._on_record(kind, **fields)
        except Exception:
            log.exception("journal entry %s not written", kind)

    def speech_text(self, key: str, params: tuple[tuple[str, str], ...], language: str) -> str:
        text = self.catalog.spoken(key, language)
        return text.format(**dict(params)) if params else text

    def _speak(self, effect: flow.Speak) -> None:
        if self._speech is None:
            return
        self._speech.speak(self.speech_text(effect.key, effect.params, effect.language), effect.language)

    def _wipe(self, reason: str) -> None:
        """The session wipe: speech queue, print spools, temp files and widgets; the machine wiped its own data."""
        log.info("session ended (%s); wiping", reason)
        if self._speech is not None:
            self._speech.clear()
            self._speech.set_volume(self._speech_volume)   # a headset user's volume is not the next person's
        if self._devices is not None:
            for printer in (self._devices.receipt_printer, self._devices.document_printer):
                clear = getattr(printer, "clear_spool", None)
                if clear is not None:
                    clear()
        shutil.rmtree(self._scratch, ignore_errors=True)
        self._scratch = Path(tempfile.mkdtemp(prefix="kiosk-session-"))
        self._on_wipe()

    @property
    def scratch_dir(self) -> Path:
        return self._scratch

    # --- devices ------------------------------------------------------------------------
    def attach_outbox(self, sender) -> None:
        """Submissions from now on go through the durable outbox (kiosk.outbox.OutboxSender)."""
        self._outbox = sender

    def attach_devices(self, manager) -> None:
        """Listen to the device manager (from any thread); called once the devices are open."""
        if self._device_watch is not None:
            self._device_watch.close()
        self._devices = manager
        self._device_watch = DeviceWatch(manager, self._post)
        self._device_watch.start()

    # --- back office availability -------------------------------------------------------
    def _maybe_probe(self) -> None:
        now = self._clock()
        if self._probing or now - self._last_probe < PROBE_INTERVAL_S:
            return
        if self.machine.in_session and self.machine.backoffice_available:
            return   # a session's own calls report failures; probe only to see it come back
        self._last_probe, self._probing = now, True
        self._pool.submit(self._probe)

    def _probe(self) -> None:
        """A signed call: the back office being up is not enough, it must accept this terminal."""
        refused = False
        try:
            self._backoffice().health()
            available = True
        except Exception as error:  # any failure means: not usable now
            refused = isinstance(error, KioskError) and error.terminal_refused
            if refused:
                log.error("the back office refuses this terminal (%s): check the terminal secret and the clock",
                          error.code)
            else:
                log.warning("back office probe failed: %s", error)
            available = False
        finally:
            self._probing = False
        if available and self._outbox is not None:
            self._outbox.wake()   # held submissions go out as soon as the back office answers
        self._post(flow.BackofficeChanged(available, terminal_refused=refused))

    def _close_session(self, token: str) -> None:
        try:
            self._backoffice().close_session(token)
        except Exception as error:  # the token also expires by itself on the server
            log.info("closing the back-office session failed: %s", error)

    # --- tasks (worker threads) ---------------------------------------------------------
    def _start_task(self, effect: flow.RunTask) -> None:
        cancel = CancelToken()
        with self._cancels_lock:
            self._cancels[effect.ticket] = cancel
        self._pool.submit(self._run_task, effect.ticket, effect.task, cancel)

    def _run_task(self, ticket: int, task: ServiceTask, cancel: CancelToken) -> None:
        try:
            value = task.perform(self, cancel)
            event = flow.TaskDone(ticket, value)
        except KioskError as error:
            event = flow.TaskFailed(ticket, error)
        except Exception as error:  # a bug or an unexpected answer: classified, never a crash
            log.exception("task %s failed", type(task).__name__)
            event = flow.TaskFailed(ticket, KioskError(ErrorKind.HARDWARE, "internal", type(error).__name__))
        finally:
            with self._cancels_lock:
                self._cancels.pop(ticket, None)
        if not self._closed:
            self._post(event)

    # --- what a task's `perform` may use (kiosk/service_api.TaskContext) -----------------
    @property
    def paper(self) -> PaperSettings:
        return self._paper

    @property
    def language(self) -> str:
        return self.machine.state.language

    def device(self, device_class: DeviceClass):
        device = self._devices.get(device_class) if self._devices is not None else None
        if device is None:
            raise error_from_device(CompletionCode.NO_DEVICE.value, f"no {device_class.value} configured")
        return device

    def device_result(self, device_class: DeviceClass, operation, *args):
        """Run on the device's own worker (one operation at a time per device); its OperationResult."""
        self.device(device_class)
        return self._devices.submit(device_class, operation, *args).result()

    def on_device(self, device_class: DeviceClass, operation, *args):
        result = self.device_result(device_class, operation, *args)
        if not result.ok:
            raise error_from_device(result.code.value, result.detail)
        return result.value

    def submit(self, kind: str, key: str, payload: dict, grant: str, direct):
        """Through the durable outbox (committed before the call); `direct` only without one (tests, tools)."""
        if self._outbox is None:
            return direct()
        from kiosk.outbox import CONFIRMED, PENDING

        delivery = self._outbox.submit(kind, key, payload, grant)
        if delivery.status == CONFIRMED:
            # Confirmed earlier (the outbox keeps references only): the back office answers
            # the same idempotency key with the same resource.
            return delivery.resource if delivery.resource is not None else direct()
        if delivery.status == PENDING:
            return flow.SubmissionDeferred(kind, delivery.entry.reference)
        raise delivery.error

    def client(self):
        try:
            return self._backoffice()
        except KioskError:
            raise
        except Exception as error:
            raise KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "link_unavailable", str(error)) from error

    def receipt_common(self, language: str) -> ReceiptCommon:
        return ReceiptCommon(header=self._paper.header(language), terminal_id=self._paper.terminal_id,
                             now=self._paper.wall_clock.now(), language=language, catalog=self.catalog)

    def print_receipt(self, layout, title: str, cancel: CancelToken):
        from devices.receipt.escpos_encoder import encode_receipt

        printer = self.device(DeviceClass.RECEIPT_PRINTER)
        outcome = self.on_device(DeviceClass.RECEIPT_PRINTER, printer.print_receipt, layout, cancel)
        self._on_printed(PrintedPaper("receipt", title, data=encode_receipt(layout, printer.capabilities)))
        return outcome

    def printed_document(self, title: str, document_path: str) -> None:
        self._on_printed(PrintedPaper("certificate", title, document_path=document_path))

    # --- shutdown ------------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        if self._device_watch is not None:
            self._device_watch.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self._scratch, ignore_errors=True)
