"""Composition root: the one place that builds settings, the back-office link and the UI.

Start-up order keeps the attract screen fast: settings, then the window (Qt widgets
only), shown at once; the back-office client (requests, pydantic) and, in the demo,
the embedded reference server are built afterwards on a worker thread. `ui` is
imported inside functions because this module is the only core module allowed to
know about it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import KioskSettings, load_settings
from kiosk.redaction import configure_logging

log = logging.getLogger("kiosk.app")

RESTART_EXIT_CODE = 75   # "restart app" from technician mode; the supervisor (or `kiosk run`) starts it again


@dataclass
class BackofficeLink:
    """The signed client, plus the embedded reference server when the profile asks for one."""

    client: object  # kiosk.backoffice_client.BackofficeClient, imported lazily
    embedded: object | None = None  # backoffice.server.EmbeddedBackoffice
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def close(self) -> None:
        self.client.close()
        if self.embedded is not None:
            self.embedded.stop()
        if self.scratch is not None:
            self.scratch.cleanup()


def connect_backoffice(settings: KioskSettings) -> BackofficeLink:
    """Build the client; for an `embedded` profile first start the reference server on a free loopback port."""
    from kiosk.backoffice_client import BackofficeClient

    if not settings.backoffice.embedded:
        return BackofficeLink(BackofficeClient.from_settings(settings))
    from backoffice.server import EmbeddedBackoffice
    from backoffice.settings import BackofficeSettings

    # A fresh database per demo run: the demo always starts from the seeded state.
    scratch = tempfile.TemporaryDirectory(prefix="kiosk-demo-backoffice-")
    # Demo mode: the demo's e-card codes come from POST /v1/ecard/codes; one local kiosk needs no rate limit.
    server = EmbeddedBackoffice(BackofficeSettings(
        db_path=Path(scratch.name) / "backoffice.sqlite3",
        terminals={settings.terminal.id: settings.terminal_secret()}, demo_mode=True,
        terminal_rate_limit_per_minute=0, time_zone=settings.terminal.time_zone))
    server.start()
    log.info("embedded reference back office at %s", server.base_url)
    return BackofficeLink(BackofficeClient.from_settings(settings, base_url=server.base_url), server, scratch)


class KioskApplication:
    """Owns the window and the back-office link for the life of the process."""

    def __init__(self, settings: KioskSettings, *, clock=None) -> None:
        self.settings = settings
        self._clock = clock  # the flow's monotonic clock (scripted demos advance it)
        self.window = None
        self.devices = None  # devices.manager.DeviceManager, built after the first frame
        self._devices_ready = threading.Event()
        self.link: BackofficeLink | None = None
        self.link_error: Exception | None = None
        self._link_ready = threading.Event()
        self.catalog = None
        self.theme = None
        self.bridge = None
        self.machine = None
        self.controller = None
        self.speech = None
        self.print_listeners: list = []       # called with each PrintedPaper (demo output, tests)
        self.record_speech = False
        self.speech_requests: list = []
        from kiosk.operations import storage_directory

        self.storage_dir, self._storage_scratch = storage_directory(settings)
        self.log_dir = settings.resolve_path(settings.logging.directory)
        self.operations = None                # kiosk.operations.Operations, opened after the first frame
        self._operations_lock = threading.Lock()
        self.technician = None                # ui.technician mode, built after the first frame
        self.lockdown = None

    # --- operations parts (journal, counters, outbox, technician gate, heartbeat) ----------------
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

    def start_services(self) -> None:
        """Devices, the back-office link and the operations parts: everything after the first frame."""
        self.start_devices()
        self.start_backoffice_link()
        self.start_operations()

    def start_operations(self) -> None:
        """Journal, counters, outbox (and its retries), technician gate, heartbeat: after the first frame."""
        from kiosk.operations import Operations

        operations = Operations.open(self.settings, self.storage_dir, self._client)
        with self._operations_lock:
            self.operations = operations
            devices = self.devices
        self.controller.attach_outbox(operations.sender)
        if devices is not None:
            operations.attach_devices(devices)

    def start_operations_logged(self) -> None:
        try:
            self.start_operations()
        except Exception:   # the storage was checked at start; anything else is a bug worth a loud line
            log.exception("operations parts (journal, outbox, counters) failed to open")

    def _record(self, kind: str, **fields) -> None:
        if self.operations is not None:
            self.operations.record(kind, **fields)

    def request_restart(self) -> None:
        """Technician "restart app": leave the event loop with the restart code."""
        from PySide6.QtWidgets import QApplication

        self._record("technician.action", action="restart")
        if self.lockdown is not None:
            self.lockdown.allow_close()
        QApplication.instance().exit(RESTART_EXIT_CODE)

    def build_technician_mode(self) -> None:
        from ui.technician import install_technician_mode

        if self.technician is None:
            self.technician = install_technician_mode(self)

    def build_window(self, *, defer_screens: bool = False):
        """The window with its attract screen and the flow behind it.

        `defer_screens`: build the other screens later (`build_screens`), after the first
        frame; `kiosk run` does this so the attract screen shows within the start target.
        """
        from kiosk.messages import MessageCatalog
        from ui.main_window import MainWindow

        ui_settings = self.settings.ui
        self.theme = build_brand_theme(self.settings)
        self.catalog = MessageCatalog()
        self.window = MainWindow(self.catalog, self.theme, ui_settings.branding_zh,
                                 fullscreen=ui_settings.fullscreen, frameless=ui_settings.frameless)
        self._build_flow()
        if not defer_screens:
            self.build_screens()
        return self.window

    def build_screens(self) -> None:
        """Every flow screen and the countdown overlay, wired to the bridge."""
        from ui.screens.registry import build_flow_screens
        from ui.widgets.countdown import CountdownOverlay

        if self.window.flow_screens():
            return
        screens = build_flow_screens(self.catalog, self.theme)
        overlay = CountdownOverlay(self.catalog, self.theme, self.window)
        self.window.add_flow_screens(screens, overlay)
        for screen in screens.values():
            screen.intent.connect(self.bridge.intent)
        overlay.intent.connect(self.bridge.intent)

    def _build_flow(self) -> None:
        """The flow machine, its controller and the bridge; the attract screen's requests become intents."""
        from PySide6.QtWidgets import QApplication

        from kiosk.flow import FlowMachine, FlowSettings
        from kiosk.flow_controller import FlowController, PaperSettings
        from kiosk.flow_state import Intent
        from ui.bridge import FlowBridge

        window, settings = self.window, self.settings
        self.bridge = bridge = FlowBridge(window)
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
        self.speech = self._build_speech()
        self.machine = FlowMachine(FlowSettings.from_settings(settings), today=paper.wall_clock.today)
        self.controller = FlowController(
            self.machine, self.catalog, post=bridge.post, on_state=self._draw, backoffice=self._client,
            paper=paper, speech=self.speech, speech_volume=settings.speech.volume, on_wipe=self._wipe_screens,
            on_printed=self._printed, on_record=self._record,
            **({"clock": self._clock} if self._clock is not None else {}))
        bridge.attach(self.controller)
        QApplication.instance().installEventFilter(bridge)
        self.controller.start()

    def _build_speech(self):
        speech = self.settings.speech
        if not speech.enabled:
            return None
        from kiosk.speech import SpeechService

        record = (lambda language, text: self.speech_requests.append((language, text))) \
            if self.record_speech else None
        return SpeechService(enabled=True, rate_wpm=speech.rate_wpm, volume=speech.volume, on_request=record)

    def _client(self):
        return self.wait_for_backoffice().client

    def branding(self, language: str) -> str:
        ui_settings = self.settings.ui
        return ui_settings.branding_en if language == "en" else ui_settings.branding_zh

    def _draw(self, state) -> None:
        self.window.show_state(state, self.branding(state.language))

    def _wipe_screens(self) -> None:
        from kiosk.flow_state import FlowState

        self.window.wipe(FlowState(language=self.settings.terminal.language), self.branding("zh"))

    def _printed(self, paper) -> None:
        self._record("document.printed", paper=paper.kind, title=paper.title)
        for listener in list(self.print_listeners):
            listener(paper)

    def start_backoffice_link(self) -> None:
        """Connect off the GUI thread: importing and starting the server must not delay the first frame."""
        threading.Thread(target=self._connect, name="backoffice-link", daemon=True).start()

    def wait_for_backoffice(self, timeout_s: float = 30.0) -> BackofficeLink:
        if not self._link_ready.wait(timeout_s):
            raise TimeoutError("back office link not ready")
        if self.link_error is not None:
            raise self.link_error
        return self.link

    def _connect(self) -> None:
        try:
            self.link = connect_backoffice(self.settings)
        except Exception as error:  # reported to the caller of wait_for_backoffice and logged
            self.link_error = error
            log.error("back office link failed: %s", error)
        finally:
            self._link_ready.set()

    def start_devices(self) -> None:
        """Build and open the configured devices off the GUI thread (driver imports, pcscd, ports)."""
        threading.Thread(target=self._start_devices, name="devices-start", daemon=True).start()

    def wait_for_devices(self, timeout_s: float = 30.0):
        if not self._devices_ready.wait(timeout_s):
            raise TimeoutError("devices not started")
        return self.devices

    def _start_devices(self) -> None:
        from kiosk.device_setup import build_device_manager

        try:
            manager = build_device_manager(self.settings)
            manager.start()
            with self._operations_lock:
                self.devices = manager
                operations = self.operations
            if operations is not None:
                operations.attach_devices(manager)
            if self.controller is not None:
                self.controller.attach_devices(manager)
        except Exception:
            log.exception("devices failed to start")
        finally:
            self._devices_ready.set()

    def shutdown(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        if self.controller is not None:
            self.controller.close()
        if self.speech is not None:
            self.speech.close()
            self.speech = None
        if self.technician is not None:
            self.technician.close()
            self.technician = None
        if self.operations is not None:
            self.operations.close()
            self.operations = None
        if self.devices is not None:
            self.devices.stop()
            self.devices = None
        if self.link is not None:
            self.link.close()
            self.link = None
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


def run_kiosk(profile: str, *, control_panel: bool = False) -> int:
    from kiosk.config import profile_path

    settings = load_settings(profile)
    build_brand_theme(settings, profile_path(profile))   # a bad brand colour stops here, before any window
    _check_storage(settings, profile_path(profile))      # no outbox, no submissions: refuse to start instead
    configure_logging(settings.logging.level, settings.resolve_path(settings.logging.directory))
    qt_app = qt_application()
    kiosk = KioskApplication(settings)
    window = kiosk.build_window(defer_screens=True)
    notifier = None
    if settings.ui.fullscreen and not control_panel:
        # A terminal in a public hall: no way out to the desktop, and the supervisor watches the GUI thread.
        from kiosk.systemd_notify import SystemdNotifier
        from ui.lockdown import install_lockdown, start_watchdog

        # Before present(): the stay-on-top hint is set before the first show.
        kiosk.lockdown = install_lockdown(qt_app, window, hide_cursor=settings.ui.hide_cursor,
                                          stay_on_top=settings.ui.stay_on_top)
        notifier = SystemdNotifier.from_environment()
        start_watchdog(notifier, window)
    window.present()
    _stop_on_sigterm(kiosk, qt_app)
    if os.environ.get("KIOSK_EXIT_AFTER_FIRST_FRAME") == "1":
        _report_first_frame(qt_app)
    # After the first frame: the other screens, then devices and the back office (their
    # imports and threads would otherwise compete with the attract screen for the GIL).
    from PySide6.QtCore import QTimer

    def finish_start() -> None:
        if notifier is not None:
            notifier.ready("attract screen shown")
        kiosk.build_screens()
        kiosk.start_devices()
        kiosk.start_backoffice_link()
        # Opening the journal, outbox and counters (imports, SQLite, pruning) costs ~50 ms: not on the GUI thread.
        threading.Thread(target=kiosk.start_operations_logged, name="operations-start", daemon=True).start()
        kiosk.build_technician_mode()

    QTimer.singleShot(0, finish_start)
    panel = None
    if control_panel:
        from ui.simulator_panel import SimulatorPanel

        panel = SimulatorPanel(kiosk)
        window = kiosk.window
        # Beside the kiosk window, not on top of it (a bare X server has no window manager to place it).
        panel.move(window.frameGeometry().right() + 16, window.frameGeometry().top())
        panel.show()
    try:
        return qt_app.exec()
    finally:
        if notifier is not None:
            notifier.stopping()
        if panel is not None:
            panel.close()
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


def _stop_on_sigterm(kiosk: KioskApplication, qt_app) -> None:
    """`systemctl stop`: leave the event loop cleanly (Python runs the handler on the next bridge tick)."""
    import signal

    def stop(signum, frame) -> None:
        if kiosk.lockdown is not None:
            kiosk.lockdown.allow_close()
        qt_app.quit()

    signal.signal(signal.SIGTERM, stop)


def _report_first_frame(qt_app) -> None:
    """`kiosk bench ui`: print when the attract screen has been painted, and the memory then, and exit."""
    import time

    from PySide6.QtCore import QTimer

    def report() -> None:
        with open("/proc/self/statm", encoding="ascii") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        print(f"FIRST_FRAME {time.monotonic():.6f} {rss:.1f}", flush=True)
        qt_app.quit()

    QTimer.singleShot(0, report)


def run_ui_bench(**options) -> int:
    from ui.ui_bench import run_ui_bench as run

    return run(**options)


def run_demo(profile: str = "demo", headless_out: Path | None = None, scenarios: list[str] | None = None) -> int:
    if headless_out is None:
        return run_kiosk(profile, control_panel=True)
    settings = load_settings(profile)
    configure_logging(settings.logging.level)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ui.demo_run import render_demo, run_scenarios

    if scenarios:
        return run_scenarios(settings, headless_out, scenarios)
    return render_demo(settings, headless_out)
