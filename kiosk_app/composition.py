"""Composition root: the one place that builds settings, the window, the devices and the back-office link.

`KioskApp` starts the kiosk in one order, written once in `start()` and used by `kiosk
run`, the demo, the benches and the tests (docs/architecture.md, "How data flows"):

1. the window with its attract screen and the flow behind it (flow machine, controller,
   bridge; no pydantic, no device drivers yet) is shown at once;
2. after the first frame, on the GUI thread: the other screens and technician mode's
   hidden entry; on worker threads (their imports, SQLite files, ports and the embedded
   server would otherwise compete with the attract screen for the GIL): the devices, the
   back-office link and the operations parts (journal, counters, outbox, gate, heartbeat).

The parts made on worker threads arrive in `LateParts`, one future each; nothing else
starts empty and is filled in later.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from kiosk.config import KioskSettings, load_settings
from kiosk.messages import in_language
from kiosk.redaction import configure_logging

log = logging.getLogger("kiosk.app")

RESTART_EXIT_CODE = 75   # "restart app" from technician mode; the supervisor (or `kiosk run`) starts it again


class LateParts:
    """What worker threads open after the first frame: one future per part, set by the thread that made it.

    A part that arrives after `close_all` (the kiosk stopped while it was still opening) is
    closed at once instead of being left running.
    """

    def __init__(self) -> None:
        self.devices: Future = Future()      # devices.manager.DeviceManager, started
        self.backoffice: Future = Future()   # kiosk_app.backoffice_link.BackofficeLink
        self.operations: Future = Future()   # kiosk.operations.Operations
        self._closers: dict[int, Callable[[object], None]] = {
            id(self.devices): lambda manager: manager.stop(),
            id(self.backoffice): lambda link: link.close(),
            id(self.operations): lambda operations: operations.close(),
        }
        self._closed = False
        self._lock = threading.Lock()

    @staticmethod
    def ready(future: Future):
        """The part if it has arrived, else None (still opening, or it failed)."""
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return None

    def open_in_thread(self, future: Future, name: str, make: Callable[[], object], failure: str, *,
                       traceback: bool = True) -> None:
        """Run `make` on a new daemon thread; its result or its exception goes to `future`.

        `failure` (and, with `traceback`, the stack) is logged: a part nobody waits for
        must still leave a loud line."""

        def run() -> None:
            try:
                part = make()
            except Exception as error:  # kept for whoever waits on the part, and logged
                log.error("%s: %s", failure, error, exc_info=traceback)
                future.set_exception(error)
                return
            with self._lock:
                closed = self._closed
            if closed:
                self._closers[id(future)](part)
                future.set_exception(RuntimeError(f"{name}: the kiosk stopped while it was opening"))
            else:
                future.set_result(part)

        threading.Thread(target=run, name=name, daemon=True).start()

    def close_all(self) -> None:
        """Operations first (they report on the devices), then the devices, then the link."""
        with self._lock:
            self._closed = True
        for future in (self.operations, self.devices, self.backoffice):
            part = self.ready(future)
            if part is not None:
                self._closers[id(future)](part)


class KioskApp:
    """Owns the window, the flow and the parts opened after the first frame, for the life of the process.

    Built on the GUI thread with a QApplication in place (`qt_application()`): the
    constructor builds the window and the flow; `start()` shows the attract screen and
    schedules the rest. `clock`: the flow's monotonic clock (scripted demos advance it);
    `record_speech`: keep what would be spoken in `speech_requests`; `technician_options`:
    passed to `ui.technician.install_technician_mode`.
    """

    def __init__(self, settings: KioskSettings, *, clock=None, record_speech: bool = False,
                 technician_options: dict | None = None, services=None, service_screens=None) -> None:
        from kiosk.messages import MessageCatalog, default_messages
        from kiosk.operations import storage_directory
        from kiosk.services import built_in_services
        from ui.main_window import MainWindow

        self.settings = settings
        # The services offered and their screens (docs/adding-a-service.md): the registry's, or a site's.
        self.services = built_in_services() if services is None else tuple(services)
        self._service_screens = service_screens   # resolved after the first frame: the screens import a lot
        self.print_listeners: list = []       # called with each PrintedPaper (demo output, tests)
        self.speech_requests: list = []
        self._record_speech = record_speech
        self._technician_options = technician_options or {}
        self.storage_dir, self._storage_scratch = storage_directory(settings)
        self.log_dir = settings.resolve_path(settings.logging.directory)
        self.later = LateParts()
        self.lockdown = None                  # ui.lockdown.Lockdown, on a locked-down terminal (run_kiosk)
        self.technician = None                # ui.technician.TechnicianMode, after the first frame
        self._rest_built = threading.Event()
        self._stopped = False
        self._devices_attached = False
        self._wiring_lock = threading.Lock()

        ui_settings = settings.ui
        self.theme = build_brand_theme(settings)
        self.catalog = MessageCatalog(default_messages(self.services))
        self.window = MainWindow(self.catalog, self.theme, ui_settings.branding_zh,
                                 fullscreen=ui_settings.fullscreen, frameless=ui_settings.frameless)
        self.speech = self._build_speech()
        self.bridge, self.machine, self.controller = self._build_flow(clock)
        self.later.devices.add_done_callback(self._devices_arrived)
        self.later.operations.add_done_callback(self._operations_arrived)

    # --- the one start order -------------------------------------------------------------------
    def start(self, *, size: tuple[int, int] | None = None,
              on_first_frame: tuple[Callable[[], None], ...] = ()) -> None:
        """Show the attract screen; the rest is built once the event loop has drawn it.

        `size`: a plain window of that size (offscreen demo, benches, tests) instead of the
        profile's presentation (fullscreen on a terminal). `on_first_frame`: called first
        when the event loop reaches the kiosk (the supervisor's READY, the start bench).
        """
        from PySide6.QtCore import QTimer

        if size is None:
            self.window.present()
        else:
            self.window.resize(*size)
            self.window.show()   # offscreen platform: laid out and focusable as on the panel
        QTimer.singleShot(0, lambda: self._after_first_frame(on_first_frame))

    def _after_first_frame(self, on_first_frame) -> None:
        if self._stopped:   # stopped before the event loop came round: nothing more to open
            return
        for listener in on_first_frame:
            listener()
        self.build_screens()
        later = self.later
        later.open_in_thread(later.devices, "devices-start", self._open_devices, "devices failed to start")
        # An unreachable back office is an expected state (the flow shows out of service): no stack.
        later.open_in_thread(later.backoffice, "backoffice-link", self._connect_backoffice,
                             "back office link failed", traceback=False)
        # Opening the journal, outbox and counters (imports, SQLite, pruning) costs ~50 ms: not on the GUI thread.
        later.open_in_thread(later.operations, "operations-start", self._open_operations,
                             "operations parts (journal, outbox, counters) failed to open")
        from ui.technician import install_technician_mode

        self.technician = install_technician_mode(self, **self._technician_options)
        self._rest_built.set()

    def wait_until_started(self, timeout_s: float = 30.0) -> None:
        """Run the event loop until the first frame's follow-up ran, then wait for the worker-made parts.

        A failed back-office link or operations part is raised here; failed devices are not
        (the kiosk shows out of service, as a terminal would)."""
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout_s
        while not self._rest_built.is_set():
            if time.monotonic() > deadline:
                raise TimeoutError("the kiosk did not reach its first frame")
            QApplication.processEvents()
            time.sleep(0.001)
        self.wait_for_devices(max(0.0, deadline - time.monotonic()))
        self.wait_for_backoffice(max(0.0, deadline - time.monotonic()))
        self.later.operations.result(max(0.0, deadline - time.monotonic()))

    # --- the parts, as they arrive -----------------------------------------------------------------
    def _open_devices(self):
        from kiosk.device_setup import build_device_manager

        manager = build_device_manager(self.settings)
        manager.start()
        return manager

    def _connect_backoffice(self):
        from kiosk_app.backoffice_link import connect_backoffice

        return connect_backoffice(self.settings)

    def _open_operations(self):
        from kiosk.operations import Operations

        return Operations.open(self.settings, self.storage_dir, self._client)

    def _devices_arrived(self, future: Future) -> None:
        manager = LateParts.ready(future)
        if manager is not None:
            self.controller.attach_devices(manager)
            self._attach_devices_to_operations()

    def _operations_arrived(self, future: Future) -> None:
        operations = LateParts.ready(future)
        if operations is not None:
            self.controller.attach_outbox(operations.sender)
            self._attach_devices_to_operations()

    def _attach_devices_to_operations(self) -> None:
        """Once both are there, whichever came second: the journal and counters follow the devices."""
        devices, operations = self.devices, self.operations
        if devices is None or operations is None:
            return
        with self._wiring_lock:
            if self._devices_attached:
                return
            self._devices_attached = True
        operations.attach_devices(devices)

    @property
    def devices(self):
        """devices.manager.DeviceManager once started, else None."""
        return LateParts.ready(self.later.devices)

    @property
    def link(self):
        """The BackofficeLink once connected, else None."""
        return LateParts.ready(self.later.backoffice)

    @property
    def operations(self):
        """kiosk.operations.Operations once open, else None."""
        return LateParts.ready(self.later.operations)

    @property
    def journal(self):
        return self.operations.journal if self.operations is not None else None

    @property
    def counters(self):
        return self.operations.counters if self.operations is not None else None

    @property
    def outbox(self):
        return self.operations.outbox if self.operations is not None else None

    @property
    def technician_gate(self):
        return self.operations.technician_gate if self.operations is not None else None

    @property
    def heartbeat(self):
        return self.operations.heartbeat if self.operations is not None else None

    def wait_for_devices(self, timeout_s: float = 30.0):
        """The started devices, or None when they failed to start (logged)."""
        try:
            return self.later.devices.result(timeout_s)
        except TimeoutError:
            raise TimeoutError("devices not started") from None
        except Exception:
            return None

    def wait_for_backoffice(self, timeout_s: float = 30.0):
        try:
            return self.later.backoffice.result(timeout_s)
        except TimeoutError:
            raise TimeoutError("back office link not ready") from None

    def _client(self):
        return self.wait_for_backoffice().client

    # --- the window and the flow ----------------------------------------------------------------
    def build_screens(self) -> None:
        """Every flow screen and the countdown overlay, wired to the bridge."""
        from ui.screens.registry import build_flow_screens
        from ui.widgets.countdown import CountdownOverlay

        if self.window.flow_screens():
            return
        screens = build_flow_screens(self.catalog, self.theme, self._service_screens)
        overlay = CountdownOverlay(self.catalog, self.theme, self.window)
        self.window.add_flow_screens(screens, overlay)
        for screen in screens.values():
            screen.intent.connect(self.bridge.intent)
        overlay.intent.connect(self.bridge.intent)

    def _build_flow(self, clock):
        """The flow machine, its controller and the bridge; the attract screen's requests become intents."""
        from PySide6.QtWidgets import QApplication

        from kiosk.flow import FlowMachine, FlowSettings
        from kiosk.flow_controller import FlowController, PaperSettings
        from kiosk.flow_state import Intent
        from ui.bridge import FlowBridge

        window, settings = self.window, self.settings
        bridge = FlowBridge(window)
        attract = window.attract
        attract.scan_ecard_requested.connect(lambda: bridge.intent(Intent.SCAN_ECARD.value))
        attract.insert_card_help_requested.connect(lambda: bridge.intent(Intent.CARD_HELP.value))
        attract.language_toggled.connect(lambda language: bridge.intent(Intent.LANGUAGE.value, language))
        attract.elder_mode_toggled.connect(lambda on: bridge.intent(Intent.ELDER_MODE.value, on))
        attract.repeat_speech_requested.connect(lambda: bridge.intent(Intent.REPEAT.value))
        attract.call_staff_requested.connect(lambda: bridge.intent(Intent.CALL_STAFF.value))
        printer = settings.devices.receipt_printer
        paper = PaperSettings(receipt_header_zh=printer.header_zh or settings.ui.branding_zh,
                              receipt_header_en=printer.header_en or settings.ui.branding_en,
                              terminal_id=settings.terminal.id,
                              verify_base_url=settings.backoffice.verify_url,
                              wall_clock=settings.terminal_clock(),
                              seal_images=tuple(
                                  (office, str(settings.resolve_path(path))) for office, path in
                                  settings.devices.document_printer.seal_image_paths().items()))
        machine = FlowMachine(FlowSettings.from_settings(settings), services=self.services,
                              today=paper.wall_clock.today)
        controller = FlowController(
            machine, self.catalog, post=bridge.post, on_state=self._draw, backoffice=self._client,
            paper=paper, speech=self.speech, speech_volume=settings.speech.volume, on_wipe=self._wipe_screens,
            on_printed=self._printed, on_record=self._record,
            **({"clock": clock} if clock is not None else {}))
        bridge.attach(controller)
        QApplication.instance().installEventFilter(bridge)
        controller.start()
        return bridge, machine, controller

    def _build_speech(self):
        speech = self.settings.speech
        if not speech.enabled:
            return None
        from kiosk.speech import SpeechService

        record = (lambda language, text: self.speech_requests.append((language, text))) \
            if self._record_speech else None
        return SpeechService(enabled=True, rate_wpm=speech.rate_wpm, volume=speech.volume, on_request=record)

    def branding(self, language: str) -> str:
        ui_settings = self.settings.ui
        return in_language(language, zh=ui_settings.branding_zh, en=ui_settings.branding_en)

    def _draw(self, state) -> None:
        self.window.show_state(state, self.branding(state.language))

    def _wipe_screens(self) -> None:
        from kiosk.flow_state import FlowState

        self.window.wipe(FlowState(language=self.settings.terminal.language), self.branding("zh"))

    def _printed(self, paper) -> None:
        self._record("document.printed", paper=paper.kind, title=paper.title)
        for listener in list(self.print_listeners):
            listener(paper)

    def _record(self, kind: str, **fields) -> None:
        operations = self.operations
        if operations is not None:
            operations.record(kind, **fields)

    def request_restart(self) -> None:
        """Technician "restart app": leave the event loop with the restart code."""
        from PySide6.QtWidgets import QApplication

        self._record("technician.action", action="restart")
        if self.lockdown is not None:
            self.lockdown.allow_close()
        QApplication.instance().exit(RESTART_EXIT_CODE)

    def shutdown(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.bridge.stop()
        self.controller.close()
        if self.speech is not None:
            self.speech.close()
            self.speech = None
        if self.technician is not None:
            self.technician.close()
            self.technician = None
        self.later.close_all()
        if self._storage_scratch is not None:
            self._storage_scratch.cleanup()
            self._storage_scratch = None


def build_brand_theme(settings: KioskSettings, source=None):
    """The theme with the profile's colours and logo; a colour that makes text unreadable is a ConfigError."""
    from ui.theme import brand_theme

    return brand_theme(settings, source)


def qt_application():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["kiosk"])


def run_kiosk(profile: str, *, companion: Callable[[KioskApp], object] | None = None) -> int:
    """`kiosk run` (and the windowed demo): the kiosk until its event loop ends; returns the exit code.

    `companion(kiosk)`: a window shown beside the kiosk's (the demo's simulator controls);
    with one, the kiosk is never locked down."""
    from kiosk.config import profile_path

    settings = load_settings(profile)
    build_brand_theme(settings, profile_path(profile))   # a bad brand colour stops here, before any window
    _check_storage(settings, profile_path(profile))      # no outbox, no submissions: refuse to start instead
    configure_logging(settings.logging.level, settings.resolve_path(settings.logging.directory))
    qt_app = qt_application()
    kiosk = KioskApp(settings)
    on_first_frame = []
    notifier = None
    if settings.ui.fullscreen and companion is None:
        # A terminal in a public hall: no way out to the desktop, and the supervisor watches the GUI thread.
        from kiosk.systemd_notify import SystemdNotifier
        from ui.lockdown import install_lockdown, start_watchdog

        # Before the window is shown: the stay-on-top hint is set before the first show.
        kiosk.lockdown = install_lockdown(qt_app, kiosk.window, hide_cursor=settings.ui.hide_cursor,
                                          stay_on_top=settings.ui.stay_on_top)
        notifier = SystemdNotifier.from_environment()
        start_watchdog(notifier, kiosk.window)
        on_first_frame.append(lambda: notifier.ready("attract screen shown"))
    if os.environ.get("KIOSK_EXIT_AFTER_FIRST_FRAME") == "1":
        on_first_frame.insert(0, lambda: _report_first_frame(qt_app))
    kiosk.start(on_first_frame=tuple(on_first_frame))
    _stop_on_sigterm(kiosk, qt_app)
    beside = None
    if companion is not None:
        beside = companion(kiosk)
        window = kiosk.window
        # Beside the kiosk window, not on top of it (a bare X server has no window manager to place it).
        beside.move(window.frameGeometry().right() + 16, window.frameGeometry().top())
        beside.show()
    try:
        return qt_app.exec()
    finally:
        if notifier is not None:
            notifier.stopping()
        if beside is not None:
            beside.close()
        kiosk.shutdown()


def _check_storage(settings: KioskSettings, source) -> None:
    """The journal and the outbox live in the storage directory; it must be writable before citizens come."""
    from kiosk.config import ConfigError

    if not settings.storage.directory:
        return
    directory = settings.resolve_path(settings.storage.directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".writable"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigError(source, "storage.directory",
                          f"{directory} cannot be written ({error.strerror or error}); the journal and the outbox "
                          "of submissions live there") from None


def _stop_on_sigterm(kiosk: KioskApp, qt_app) -> None:
    """`systemctl stop`: leave the event loop cleanly (Python runs the handler on the next bridge tick)."""
    import signal

    def stop(signum, frame) -> None:
        if kiosk.lockdown is not None:
            kiosk.lockdown.allow_close()
        qt_app.quit()

    signal.signal(signal.SIGTERM, stop)


def _report_first_frame(qt_app) -> None:
    """`kiosk bench ui`: print when the attract screen has been painted, and the memory then, and leave."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    print(f"FIRST_FRAME {time.monotonic():.6f} {rss:.1f}", flush=True)
    qt_app.quit()
