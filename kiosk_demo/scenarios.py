"""Scripted citizen journeys for `kiosk demo --headless --scenario NAME` (and the UI tests and benches).

A `JourneyDriver` works the kiosk the way a citizen and the simulated devices do:
it inserts a demo card into the simulated reader, shows an e-card code to the
simulated scanner, presses on-screen controls through the same intents the widgets
send, and waits for the flow to get there, saving a numbered PNG of every new
screen, each printed receipt (decoded text and a picture) and each certificate PDF.
Idle time is skipped by advancing the flow's clock, not by sleeping.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from kiosk.flow_state import FlowState, Intent, Screen
from kiosk.services.certificate import CertificateIntent, CertificateScreens
from kiosk.services.contributions import ContributionsIntent, ContributionsScreens
from kiosk.services.enrolment import EnrolmentScreens
from kiosk.services.pension_transfer import TransferIntent, TransferScreens

class ScriptClock:
    """A monotonic clock a script can move forward (idle timeouts without waiting)."""

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


def start_kiosk(settings, size: tuple[int, int] = (1920, 1080), clock: ScriptClock | None = None, *,
                record_speech: bool = False, technician_options: dict | None = None, services=None,
                service_screens=None):
    """A kiosk with its window shown (offscreen: laid out and focusable as on the panel), its devices
    open and its back office up: what journeys, benchmarks and tests start from. Returns (kiosk, window).

    The start order is `KioskApp.start`'s, the one `kiosk run` uses."""
    from kiosk_app.composition import KioskApp, qt_application

    qt_application()
    kiosk = KioskApp(settings, clock=clock, record_speech=record_speech, technician_options=technician_options,
                     services=services, service_screens=service_screens)
    kiosk.start(size=size)
    try:
        kiosk.wait_until_started()
    except BaseException:
        kiosk.shutdown()
        kiosk.window.close()
        raise
    return kiosk, kiosk.window


class JourneyDriver:
    def __init__(self, kiosk, out_dir: Path | None = None, size: tuple[int, int] = (1920, 1080),
                 clock: ScriptClock | None = None) -> None:
        self.kiosk = kiosk
        self.out_dir = out_dir
        self.size = size
        self.clock = clock
        self.shots: list[Path] = []
        self.receipts: list[bytes] = []
        self.certificates: list[Path] = []
        self._printed_lock = threading.Lock()
        self._last_shot_key = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        kiosk.print_listeners.append(self._printed)

    # --- observing ----------------------------------------------------------------------
    @property
    def state(self) -> FlowState:
        return self.kiosk.machine.state

    @staticmethod
    def process_events() -> None:
        """Like the event loop: posted events, then deferred deletions (processEvents alone never deletes)."""
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def pump(self, seconds: float = 0.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self.process_events()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)

    def wait(self, predicate: Callable[[FlowState], bool], what: str, timeout_s: float = 20.0) -> FlowState:
        deadline = time.monotonic() + timeout_s
        while not predicate(self.state):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout_s:.0f} s for {what}; the kiosk shows {self.state.screen.value}")
            self.process_events()
            time.sleep(0.005)
        self.process_events()
        return self.state

    def wait_screen(self, screen: Screen, timeout_s: float = 20.0) -> FlowState:
        return self.wait(lambda state: state.screen is screen, screen.value, timeout_s)

    def shot(self, label: str) -> Path | None:
        """A numbered PNG of the whole window as the citizen sees it now."""
        if self.out_dir is None:
            return None
        from ui.screenshots import render_widget_png

        self.pump()
        path = self.out_dir / f"{len(self.shots) + 1:02d}-{label}.png"
        render_widget_png(self.kiosk.window, path, self.size)
        self.shots.append(path)
        return path

    # --- acting -----------------------------------------------------------------------
    def press(self, intent: Intent, value: object = None) -> None:
        self.kiosk.bridge.intent(intent.value, value)
        self.process_events()

    def key(self, key: Qt.Key, text: str = "") -> None:
        from PySide6.QtTest import QTest

        target = QApplication.focusWidget() or self.kiosk.window.centralWidget().currentWidget()
        QTest.keyClick(target, key)
        self.process_events()

    def click(self, object_name: str) -> None:
        """Tap the visible control with this object name on the current screen (a real mouse click)."""
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QAbstractButton

        screen = self.kiosk.window.centralWidget().currentWidget()
        buttons = [b for b in screen.findChildren(QAbstractButton, object_name) if b.isVisibleTo(screen)]
        if not buttons:
            raise LookupError(f"no visible control {object_name!r} on {self.state.screen.value}")
        QTest.mouseClick(buttons[0], Qt.MouseButton.LeftButton, pos=QPoint(buttons[0].width() // 2,
                                                                          buttons[0].height() // 2))
        self.process_events()

    def devices(self):
        return self.kiosk.wait_for_devices()

    def insert_card(self, card_number: str) -> None:
        from kiosk_demo.cards import demo_card_record

        self.devices().card_reader.insert_card(demo_card_record(card_number))

    def remove_card(self) -> None:
        self.devices().card_reader.remove_card()

    def show_ecard(self, citizen_key: str) -> None:
        """The code the citizen's phone would show, issued by the (demo) back office, scanned."""
        from kiosk_demo.cards import demo_ecard_code

        code = demo_ecard_code(self.kiosk.wait_for_backoffice().client, citizen_key)
        self.devices().qr_scanner.scan(code)

    def enter_pin(self, pin: str) -> None:
        for digit in pin:
            self.press(Intent.DIGIT, digit)
        self.press(Intent.CONFIRM)

    def card_to_menu(self, card_number: str, *, shots: bool = True) -> None:
        self.wait_screen(Screen.ATTRACT)
        self.insert_card(card_number)
        self.wait_screen(Screen.PIN)
        if shots:
            self.shot("pin")
        from kiosk_demo.cards import demo_pin

        self.enter_pin(demo_pin(card_number))
        self.wait_screen(Screen.MENU)
        if shots:
            self.shot("menu")

    def idle(self, seconds: float) -> None:
        """Let `seconds` of idle time pass (the clock jumps; ticks still arrive every second)."""
        if self.clock is None:
            raise RuntimeError("idle() needs the ScriptClock the kiosk was built with")
        self.clock.advance(seconds)
        from kiosk import flow

        self.kiosk.bridge.post(flow.Tick())
        self.pump(0.05)

    def finish_and_leave(self) -> None:
        self.press(Intent.FINISH)
        self.wait_screen(Screen.GOODBYE)
        self.shot("goodbye")
        if self.state.identified_by == "card":
            self.remove_card()
        else:
            self.press(Intent.CONFIRM)
        self.wait(lambda s: s.screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE), "the idle screen")

    # --- what was printed ----------------------------------------------------------------
    def _printed(self, paper) -> None:
        # Called on a task worker, before the session's wipe removes spool files.
        with self._printed_lock:
            if paper.kind == "receipt" and paper.data is not None:
                self.receipts.append(paper.data)
                if self.out_dir is not None:
                    self._save_receipt(paper.data, len(self.receipts))
            elif paper.kind == "certificate" and paper.document_path:
                if self.out_dir is not None:
                    target = self.out_dir / f"certificate-{len(self.certificates) + 1}.pdf"
                    shutil.copyfile(paper.document_path, target)
                    self.certificates.append(target)
                else:
                    self.certificates.append(Path(paper.document_path))

    def _save_receipt(self, data: bytes, number: int) -> None:
        from devices.receipt.escpos_decode import decode_escpos

        text = decode_escpos(data).render_text()
        (self.out_dir / f"receipt-{number}.txt").write_text(text, encoding="utf-8")
        render_receipt_png(text, self.out_dir / f"receipt-{number}.png")


def render_receipt_png(text: str, path: Path, width_px: int = 576) -> Path:
    """The decoded receipt as a picture of thermal paper (monospace CJK, 48 columns)."""
    lines = text.splitlines() or [""]
    font = QFont("Noto Sans Mono CJK SC")
    font.setPixelSize(22)
    line_height = 30
    image = QImage(width_px + 40, line_height * len(lines) + 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("#111111"))
    for index, line in enumerate(lines):
        painter.drawText(20, 20 + line_height * (index + 1) - 8, line)
    painter.end()
    image.save(str(path), "PNG")
    return path


# --- the scenarios -----------------------------------------------------------------------

def scenario_contributions(d: JourneyDriver) -> None:
    d.card_to_menu("A00000019")
    d.press(Intent.CHOOSE_SERVICE, "contributions")
    d.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    d.shot("contributions")
    d.press(Intent.PAGE, 1)
    d.wait(lambda s: s.screen is ContributionsScreens.CONTRIBUTIONS and s.view("contributions").page_number == 2, "page 2")
    d.shot("contributions-page-2")
    d.press(ContributionsIntent.SELECT_TYPE, "pension")
    d.wait(lambda s: s.screen is ContributionsScreens.CONTRIBUTIONS and s.view("contributions").insurance_type == "pension", "pension only")
    d.shot("contributions-pension")
    d.press(Intent.PRINT_RECEIPT)
    d.wait(lambda s: s.receipt_status == "printed", "receipt printed")
    d.shot("contributions-printed")
    d.press(Intent.BACK)
    d.press(Intent.CHOOSE_SERVICE, "enrolment")
    d.wait_screen(EnrolmentScreens.ENROLMENT)
    d.shot("enrolment")
    d.finish_and_leave()
    d.shot("attract")


def scenario_certificate(d: JourneyDriver) -> None:
    from devices.simulators.faults import SimulatedFault

    d.card_to_menu("A00000019")
    d.press(Intent.CHOOSE_SERVICE, "certificate")
    d.wait_screen(CertificateScreens.CERTIFICATE)
    d.shot("certificate-choose")
    d.press(CertificateIntent.SELECT_RANGE, "last_3_years")
    d.press(Intent.PREVIEW)
    d.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
    d.shot("certificate-preview")
    # The A4 printer runs out of paper half way through the job.
    d.devices().document_printer.inject_fault(SimulatedFault.PAPER_OUT_MID_JOB)
    d.press(Intent.PRINT)
    d.wait_screen(CertificateScreens.CERTIFICATE_DONE)
    d.shot("certificate-paper-out")
    # Staff refill the tray; the same certificate is printed again, not issued again.
    d.devices().document_printer.clear_fault()
    d.wait(lambda s: d.devices().document_printer.status.paper.value != "out", "paper refilled", 10)
    d.press(Intent.REPRINT, "")
    d.wait(lambda s: s.screen is CertificateScreens.CERTIFICATE_DONE
           and s.view("certificate").document_status_key == "certificate.status.printed", "certificate printed")
    d.shot("certificate-printed")
    d.finish_and_leave()


def scenario_pension_transfer(d: JourneyDriver) -> None:
    d.card_to_menu("A00000043")   # 陈静: insured in Guangzhou 2008-2016, now in Nanjing
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.wait_screen(TransferScreens.TRANSFER_RULES)
    d.shot("transfer-rules")
    d.press(Intent.START_APPLICATION)
    d.wait_screen(TransferScreens.TRANSFER_FROM)
    d.shot("transfer-province")
    d.press(TransferIntent.SELECT_PROVINCE, "440000")
    d.wait(lambda s: s.view("pension_transfer").province == "440000", "province chosen")
    d.shot("transfer-city")
    d.press(TransferIntent.SELECT_CITY, "440100")
    d.wait_screen(TransferScreens.TRANSFER_CONTACT)
    for digit in "13812345678":
        d.press(Intent.DIGIT, digit)
    d.shot("transfer-contact")
    d.press(Intent.CONFIRM)
    d.wait_screen(TransferScreens.TRANSFER_REVIEW)
    d.shot("transfer-review")
    d.press(Intent.SUBMIT)
    d.wait_screen(TransferScreens.TRANSFER_DONE)
    d.wait(lambda s: s.receipt_status in ("printed", "failed"),
           "transfer receipt")
    d.shot("transfer-done")
    d.press(Intent.VIEW_PROGRESS)
    d.wait_screen(TransferScreens.TRANSFER_PROGRESS)
    d.shot("transfer-progress")
    d.finish_and_leave()


def scenario_transfer_progress(d: JourneyDriver) -> None:
    d.card_to_menu("A00000086")
    d.press(Intent.CHOOSE_SERVICE, "transfer_progress")
    d.wait_screen(TransferScreens.TRANSFER_PROGRESS)
    d.shot("transfer-progress")
    d.press(Intent.BACK)
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.press(Intent.START_APPLICATION)
    d.press(TransferIntent.SELECT_PROVINCE, "330000")
    d.press(TransferIntent.SELECT_CITY, "330100")
    d.wait_screen(Screen.MESSAGE)
    d.shot("transfer-already-active")
    d.finish_and_leave()


def scenario_ecard(d: JourneyDriver) -> None:
    d.wait_screen(Screen.ATTRACT)
    d.shot("attract")
    d.press(Intent.SCAN_ECARD)
    d.wait_screen(Screen.MESSAGE)
    d.shot("scan-help")
    d.show_ecard("wang_fang")
    d.wait_screen(Screen.MENU)
    d.shot("menu")
    d.press(Intent.CHOOSE_SERVICE, "enrolment")
    d.wait_screen(EnrolmentScreens.ENROLMENT)
    d.shot("enrolment")
    d.finish_and_leave()
    # An expired or forged code is explained, never trusted.
    d.devices().qr_scanner.scan("NOT-A-REAL-ECARD-CODE")
    d.wait_screen(Screen.MESSAGE)
    d.shot("ecard-invalid")
    d.press(Intent.CONFIRM)
    d.wait_screen(Screen.ATTRACT)


def scenario_timeout(d: JourneyDriver) -> None:
    d.card_to_menu("A00000027")
    settings = d.kiosk.settings.session
    d.idle(settings.idle_timeout_s - settings.warning_s + 5)
    d.wait(lambda s: s.countdown is not None, "countdown")
    d.shot("countdown")
    d.press(Intent.MORE_TIME)
    d.wait(lambda s: s.countdown is None, "more time")
    d.shot("more-time")
    d.idle(settings.idle_timeout_s + 1)
    d.wait_screen(Screen.GOODBYE)
    d.shot("timed-out")
    d.remove_card()
    d.wait_screen(Screen.ATTRACT)
    d.shot("attract")


def scenario_card_removed(d: JourneyDriver) -> None:
    d.card_to_menu("A00000035")
    d.press(Intent.CHOOSE_SERVICE, "contributions")
    d.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    d.shot("contributions")
    d.remove_card()
    d.wait_screen(Screen.ATTRACT)
    d.shot("attract-after-removal")


def scenario_backoffice_down(d: JourneyDriver) -> None:
    embedded = d.kiosk.wait_for_backoffice().embedded
    d.card_to_menu("A00000043")
    embedded.stop()
    d.press(Intent.CHOOSE_SERVICE, "enrolment")
    d.wait_screen(Screen.MESSAGE, timeout_s=60)
    d.shot("backoffice-unavailable")
    d.press(Intent.CONFIRM)
    d.wait_screen(Screen.MENU)
    d.shot("menu-unavailable")
    d.finish_and_leave()
    d.wait(lambda s: s.screen in (Screen.OUT_OF_SERVICE, Screen.ATTRACT), "idle screen")
    d.shot("out-of-service")
    embedded.start()
    d.idle(20)   # the next probe finds it back
    d.wait_screen(Screen.ATTRACT, timeout_s=30)
    d.shot("back-in-service")


def scenario_transfer_offline(d: JourneyDriver) -> None:
    """The network drops as the citizen submits: accepted by the kiosk, sent once it is back."""
    embedded = d.kiosk.wait_for_backoffice().embedded
    d.card_to_menu("A00000043", shots=False)
    d.shot("menu")
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.press(Intent.START_APPLICATION)
    d.press(TransferIntent.SELECT_PROVINCE, "440000")
    d.press(TransferIntent.SELECT_CITY, "440100")
    d.wait_screen(TransferScreens.TRANSFER_CONTACT)
    for digit in "13812345678":
        d.press(Intent.DIGIT, digit)
    d.press(Intent.CONFIRM)
    d.wait_screen(TransferScreens.TRANSFER_REVIEW)
    d.shot("transfer-review")
    embedded.stop()
    d.press(Intent.SUBMIT)
    d.wait(lambda s: s.screen is TransferScreens.TRANSFER_DONE and s.receipt_status in (
        "printed", "failed"), "the accepted screen and its receipt", 60)
    d.shot("transfer-accepted-offline")
    d.finish_and_leave()
    embedded.start()
    d.kiosk.operations.sender.wake()
    d.wait(lambda s: d.kiosk.outbox.depth() == 0, "the outbox to deliver", 30)
    logging.getLogger("kiosk.demo").info("outbox delivered: %s", d.kiosk.outbox.recent(1)[0].summary())


def scenario_elder_mode(d: JourneyDriver) -> None:
    d.wait_screen(Screen.ATTRACT)
    d.press(Intent.ELDER_MODE, True)
    d.shot("attract-elder")
    d.card_to_menu("A00000060")
    d.press(Intent.CHOOSE_SERVICE, "contributions")
    d.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    d.shot("contributions-elder")
    d.press(Intent.BACK)
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.wait_screen(TransferScreens.TRANSFER_RULES)
    d.shot("transfer-rules-elder")
    d.press(Intent.START_APPLICATION)
    d.press(TransferIntent.SELECT_PROVINCE, "330000")
    d.press(TransferIntent.SELECT_CITY, "330100")
    d.wait_screen(Screen.MESSAGE)
    d.shot("pensioner-explained-elder")
    d.finish_and_leave()


def scenario_english(d: JourneyDriver) -> None:
    d.wait_screen(Screen.ATTRACT)
    d.press(Intent.LANGUAGE, "en")
    d.shot("attract-en")
    d.card_to_menu("A00000019")
    for service, screen in (("enrolment", EnrolmentScreens.ENROLMENT), ("contributions", ContributionsScreens.CONTRIBUTIONS),
                            ("certificate", CertificateScreens.CERTIFICATE)):
        d.press(Intent.CHOOSE_SERVICE, service)
        d.wait_screen(screen)
        d.shot(f"{service}-en")
        d.press(Intent.BACK)
        d.wait_screen(Screen.MENU)
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.wait_screen(TransferScreens.TRANSFER_RULES)
    d.shot("transfer-rules-en")
    d.finish_and_leave()


def scenario_rare_name(d: JourneyDriver) -> None:
    """王䶮: a name character outside GBK (GB 18030) read from the card, shown, printed and on the A4."""
    d.card_to_menu("A00000102")
    d.press(Intent.CHOOSE_SERVICE, "contributions")
    d.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    d.press(Intent.PRINT_RECEIPT)
    d.wait(lambda s: s.receipt_status == "printed", "receipt printed")
    d.shot("rare-name-contributions")
    d.press(Intent.BACK)
    d.press(Intent.CHOOSE_SERVICE, "certificate")
    d.wait_screen(CertificateScreens.CERTIFICATE)
    d.press(Intent.PREVIEW)
    d.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
    d.press(Intent.PRINT)
    d.wait(lambda s: s.screen is CertificateScreens.CERTIFICATE_DONE
           and s.view("certificate").receipt_status_key != "", "certificate and receipt printed")
    d.shot("rare-name-certificate-done")
    d.finish_and_leave()


SCENARIOS: dict[str, tuple[Callable[[JourneyDriver], None], tuple[int, int]]] = {
    "contributions": (scenario_contributions, (1920, 1080)),
    "certificate": (scenario_certificate, (1920, 1080)),
    "pension-transfer": (scenario_pension_transfer, (1920, 1080)),
    "transfer-progress": (scenario_transfer_progress, (1920, 1080)),
    "ecard": (scenario_ecard, (1920, 1080)),
    "timeout": (scenario_timeout, (1920, 1080)),
    "card-removed": (scenario_card_removed, (1920, 1080)),
    "backoffice-down": (scenario_backoffice_down, (1920, 1080)),
    "transfer-offline": (scenario_transfer_offline, (1920, 1080)),
    "elder-mode": (scenario_elder_mode, (1280, 1024)),
    "english": (scenario_english, (1280, 1024)),
    "rare-name": (scenario_rare_name, (1920, 1080)),
}
