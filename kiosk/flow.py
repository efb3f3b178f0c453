"""The citizen's screen flow as a state machine (Qt-free, no I/O).

`FlowMachine.handle(event, now)` takes one event — a press, a card inserted or
removed, a scanned code, a clock tick, a task's result, a device or back-office
change — updates the state and returns the effects the controller must carry out
(run a task on a worker, close a back-office session, speak, wipe). Nothing here
waits or touches a device, so every journey, timeout and failure is a plain unit
test, and the screens only draw `machine.state`.

Private session data (the card as read, the PIN being typed, the bearer token, the
mobile number being typed) lives in `_Session`, never in `FlowState`, and is
replaced by a fresh empty one at every session end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.contract.areas import cities_of
from kiosk.contract.enums import CertificateKind, InsuranceType
from kiosk.errors import ErrorKind, KioskError
if TYPE_CHECKING:  # models are data here; pydantic is imported by the client, after the first frame
    from kiosk.contract import models
from kiosk.flow_state import (CertificateRange, CertificateView, ContributionsView, Countdown, FlowState,
                              Intent, MessageKind, MessageView, PinView, Screen, Service, ServiceTile,
                              TransferView)

PIN_LENGTH = 6
MOBILE_LENGTH = 11
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
ROWS_PER_PAGE = {False: 6, True: 3}      # contributions rows that fit a 1280x1024 panel (elder scale 1.4)
GOODBYE_SECONDS = 8                      # an e-card goodbye returns to attract by itself
SPOKEN_COUNTDOWN_AT = (10,)              # besides the start of the warning

# --- events -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pressed:
    intent: Intent
    value: object = None


@dataclasses.dataclass(frozen=True)
class CardPresence:
    present: bool


@dataclasses.dataclass(frozen=True)
class CodeScanned:
    payload: str


@dataclasses.dataclass(frozen=True)
class Tick:
    pass


@dataclasses.dataclass(frozen=True)
class TaskDone:
    ticket: int
    value: object = None


@dataclasses.dataclass(frozen=True)
class TaskFailed:
    ticket: int
    error: KioskError


@dataclasses.dataclass(frozen=True)
class DevicesChanged:
    card_reader: bool
    qr_scanner: bool
    receipt_printer: bool
    document_printer: bool
    pin_on_reader: bool = False   # the card reader takes the PIN on its own keypad


@dataclasses.dataclass(frozen=True)
class BackofficeChanged:
    available: bool
    # True when the back office (or a gateway) refused this terminal: credentials, clock.
    terminal_refused: bool = False


@dataclasses.dataclass(frozen=True)
class MaintenanceChanged:
    """Technician mode opened or closed: while active no citizen can start a session."""

    active: bool


Event = (Pressed | CardPresence | CodeScanned | Tick | TaskDone | TaskFailed | DevicesChanged | BackofficeChanged
         | MaintenanceChanged)

# --- tasks (run by the controller on workers) -----------------------------------------


@dataclasses.dataclass(frozen=True)
class ReadCard:
    pass


@dataclasses.dataclass(frozen=True)
class VerifyPin:
    pin: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class OpenCardSession:
    card: object = dataclasses.field(repr=False)   # devices.card.data.CardData


@dataclasses.dataclass(frozen=True)
class OpenEcardSession:
    qr: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class LoadEnrolment:
    token: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class LoadContributions:
    token: str = dataclasses.field(repr=False)
    year: int | None
    insurance_type: InsuranceType | None
    page: int
    page_size: int


@dataclasses.dataclass(frozen=True)
class ContributionsLoaded:
    years: tuple[int, ...]
    year: int
    page: models.ContributionPage


@dataclasses.dataclass(frozen=True)
class LoadCertificateChoices:
    token: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class CertificateChoices:
    issued: tuple[models.CertificateSummary, ...]
    first_insured: str | None    # YYYYMM, earliest over all insurance types


@dataclasses.dataclass(frozen=True)
class IssueCertificate:
    token: str = dataclasses.field(repr=False)
    kind: CertificateKind
    period_from: str
    period_to: str
    idempotency_key: str
    grant: str = dataclasses.field(default="", repr=False)   # lets the outbox deliver it after the session


@dataclasses.dataclass(frozen=True)
class SubmissionDeferred:
    """Accepted by this terminal and kept in its outbox; it will be sent when the back office answers."""

    kind: str                    # "pension_transfer" | "certificate"
    reference: str               # R-XXXX-XXXX, printed for the citizen


@dataclasses.dataclass(frozen=True)
class FetchCertificate:
    token: str = dataclasses.field(repr=False)
    number: str


@dataclasses.dataclass(frozen=True)
class CertificateReady:
    certificate: models.Certificate
    preview_lines: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PrintCertificate:
    citizen: models.CitizenSummary
    certificate: models.Certificate


@dataclasses.dataclass(frozen=True)
class PrintReport:
    document_status_key: str     # "" when there was no A4 part
    receipt_status_key: str


@dataclasses.dataclass(frozen=True)
class PrintReceipt:
    """A receipt of what is on screen: `subject` is the model the documents module lays out."""

    citizen: models.CitizenSummary
    subject: object
    language: str


@dataclasses.dataclass(frozen=True)
class CheckEligibility:
    token: str = dataclasses.field(repr=False)
    from_region: str


@dataclasses.dataclass(frozen=True)
class SubmitTransfer:
    token: str = dataclasses.field(repr=False)
    from_region: str
    contact_mobile: str = dataclasses.field(repr=False)
    idempotency_key: str
    grant: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True)
class LoadTransfers:
    token: str = dataclasses.field(repr=False)


Task = (ReadCard | VerifyPin | OpenCardSession | OpenEcardSession | LoadEnrolment | LoadContributions
        | LoadCertificateChoices | IssueCertificate | FetchCertificate | PrintCertificate | PrintReceipt
        | CheckEligibility | SubmitTransfer | LoadTransfers)

# --- effects --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunTask:
    ticket: int
    task: Task


@dataclasses.dataclass(frozen=True)
class CancelTasks:
    pass


@dataclasses.dataclass(frozen=True)
class CloseSession:
    token: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Speak:
    key: str
    params: tuple[tuple[str, str], ...]
    language: str


@dataclasses.dataclass(frozen=True)
class StopSpeech:
    pass


@dataclasses.dataclass(frozen=True)
class WipeSession:
    """Session over: the controller clears printer spools, temp files, speech queue, widgets."""

    reason: str


@dataclasses.dataclass(frozen=True)
class EnableScanner:
    enabled: bool


@dataclasses.dataclass(frozen=True)
class CallStaff:
    pass


@dataclasses.dataclass(frozen=True)
class Record:
    """A step for the electronic journal (masked again by the journal; never a PIN or a token)."""

    kind: str
    fields: tuple[tuple[str, str | int | bool], ...] = ()


Effect = (RunTask | CancelTasks | CloseSession | Speak | StopSpeech | WipeSession | EnableScanner | CallStaff
          | Record)

# --- what each screen says --------------------------------------------------------------

SPEECH_KEYS: dict[Screen, str] = {
    Screen.ATTRACT: "attract.speech",
    Screen.BUSY: "busy.loading",        # replaced by the busy text itself
    Screen.PIN: "pin.speech",
    Screen.MENU: "menu.speech",
    Screen.ENROLMENT: "enrolment.speech",
    Screen.CONTRIBUTIONS: "contributions.speech",
    Screen.CERTIFICATE: "certificate.speech",
    Screen.CERTIFICATE_PREVIEW: "certificate_preview.speech",
    Screen.CERTIFICATE_DONE: "certificate_done.speech",
    Screen.TRANSFER_RULES: "transfer_rules.speech",
    Screen.TRANSFER_FROM: "transfer_from.speech",
    Screen.TRANSFER_CONTACT: "transfer_contact.speech",
    Screen.TRANSFER_REVIEW: "transfer_review.speech",
    Screen.TRANSFER_DONE: "transfer_done.speech",
    Screen.TRANSFER_PROGRESS: "transfer_progress.speech",
    Screen.MESSAGE: "message.speech",   # replaced by the message's own title/body
    Screen.GOODBYE: "goodbye.speech",
    Screen.OUT_OF_SERVICE: "out_of_service.speech",
}

# Where Back goes from each screen inside a session.
BACK_TARGETS: dict[Screen, Screen] = {
    Screen.ENROLMENT: Screen.MENU,
    Screen.CONTRIBUTIONS: Screen.MENU,
    Screen.CERTIFICATE: Screen.MENU,
    Screen.CERTIFICATE_PREVIEW: Screen.CERTIFICATE,
    Screen.TRANSFER_RULES: Screen.MENU,
    Screen.TRANSFER_FROM: Screen.TRANSFER_RULES,
    Screen.TRANSFER_CONTACT: Screen.TRANSFER_FROM,
    Screen.TRANSFER_REVIEW: Screen.TRANSFER_CONTACT,
    Screen.TRANSFER_PROGRESS: Screen.MENU,
}

MENU_ORDER = (Service.ENROLMENT, Service.CONTRIBUTIONS, Service.CERTIFICATE, Service.PENSION_TRANSFER,
              Service.TRANSFER_PROGRESS)

# Device completion codes (kiosk.errors.error_from_device gives `device_<code>`) worth their own wording.
_PRINT_STATUS = {"device_paper_out": "paper_out", "device_paper_jam": "failed", "device_cover_open": "failed"}


@dataclasses.dataclass
class _Session:
    """Personal data held only while a citizen is at the kiosk."""

    card: object = None            # CardData as read (full ssn): only for opening the session
    pin: str = ""
    token: str = ""
    mobile: str = ""
    transfer_key: str = ""         # idempotency key of the application under review
    grant: str = ""                # submission grant: the outbox may deliver after the session
    first_insured: str | None = None


@dataclasses.dataclass(frozen=True)
class FlowSettings:
    idle_timeout_s: int = 120
    warning_s: int = 30
    max_extensions: int = 10
    enabled_services: tuple[str, ...] = ("enrolment", "contributions", "certificate", "pension_transfer")
    shuffle_pin_keypad: bool = False
    language: str = "zh"
    required_devices: tuple[str, ...] = ("card_reader",)   # out of service without one of these

    @classmethod
    def from_settings(cls, settings) -> "FlowSettings":
        return cls(idle_timeout_s=settings.session.idle_timeout_s, warning_s=settings.session.warning_s,
                   max_extensions=settings.session.max_extensions,
                   enabled_services=tuple(settings.services.enabled),
                   shuffle_pin_keypad=settings.ui.shuffle_pin_keypad, language=settings.terminal.language,
                   required_devices=tuple(settings.devices.required))


class FlowMachine:
    def __init__(self, settings: FlowSettings, *, today: Callable[[], dt.date] = dt.date.today,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self._today = today
        self._rng = rng or random.SystemRandom()
        self._session = _Session()
        self._devices = DevicesChanged(True, True, True, True)
        self._backoffice_up = True
        self._terminal_refused = False     # the back office refuses this terminal (not a citizen)
        self._maintenance = False
        self._card_present = False
        self._ticket = 0
        self._pending: dict[int, tuple[Task, Screen]] = {}   # ticket -> (task, screen to return to on cancel)
        self._last_activity = 0.0
        self._extensions_used = 0
        self._warned_at: set[int] = set()
        self._goodbye_since: float | None = None
        self._before_overlay: FlowState | None = None        # screen to return to after a help/staff message
        self._now = 0.0
        self._scanner_enabled = False
        self.state = FlowState(language=settings.language, speech_key=SPEECH_KEYS[Screen.ATTRACT])

    # --- entry point ----------------------------------------------------------------
    def start(self, now: float) -> list[Effect]:
        """The first screen's effects: the scanner listens and the welcome is spoken."""
        self._now = now
        self._scanner_enabled = True
        self._to_idle([])
        return [EnableScanner(True), Speak(self.state.speech_key, (), self.state.language)]

    def handle(self, event: Event, now: float) -> list[Effect]:
        self._now = now
        before = self.state
        effects: list[Effect] = []
        if isinstance(event, Pressed):
            exhausted = event.intent is Intent.MORE_TIME and self._extensions_used >= self.settings.max_extensions
            if not exhausted:   # an exhausted "more time" is not a way around the limit
                self._last_activity = now
            effects.append(StopSpeech())   # any touch stops current speech
            self._pressed(event, effects)
        elif isinstance(event, CardPresence):
            self._card_presence(event.present, effects)
        elif isinstance(event, CodeScanned):
            self._code_scanned(event.payload, effects)
        elif isinstance(event, Tick):
            self._tick(effects)
        elif isinstance(event, TaskDone):
            self._task_done(event, effects)
        elif isinstance(event, TaskFailed):
            self._task_failed(event, effects)
        elif isinstance(event, DevicesChanged):
            self._devices_changed(event, effects)
        elif isinstance(event, BackofficeChanged):
            self._backoffice_up = event.available
            self._terminal_refused = event.terminal_refused and not event.available
            self._refresh_availability(effects)
        elif isinstance(event, MaintenanceChanged):
            self._maintenance = event.active
            if not self.in_session and self._session.card is None:
                self._to_idle(effects, reset_display=True)
        self._after(before, effects)
        return effects

    # --- helpers ------------------------------------------------------------------------
    @property
    def in_session(self) -> bool:
        return bool(self._session.token)

    @property
    def backoffice_available(self) -> bool:
        return self._backoffice_up

    def _go(self, screen: Screen, **changes) -> None:
        can_go_back = screen in BACK_TARGETS
        self.state = replace(self.state, screen=screen, can_go_back=can_go_back,
                             speech_key=SPEECH_KEYS[screen], speech_params=(), **changes)

    def _run(self, task: Task, effects: list[Effect], busy_key: str, *, cancellable: bool = True,
             show_busy: bool = True, hint_key: str = "busy.hint") -> int:
        self._ticket += 1
        self._pending[self._ticket] = (task, self.state.screen)
        effects.append(RunTask(self._ticket, task))
        if show_busy:
            self._go(Screen.BUSY, busy_key=busy_key, busy_cancellable=cancellable, busy_hint_key=hint_key)
            self.state = replace(self.state, speech_key=busy_key)
        return self._ticket

    def _message(self, kind: MessageKind, name: str, *, detail: str = "", actions: tuple[Intent, ...] | None = None,
                 next_step_key: str = "") -> None:
        if actions is None:
            actions = (Intent.CONFIRM, Intent.FINISH) if self.in_session else (Intent.CONFIRM,)
        message = MessageView(kind=kind, title_key=f"message.{name}.title",
                              body_key="" if detail and name == "backoffice_rejected" else f"message.{name}.body",
                              detail_text=detail, next_step_key=next_step_key, actions=actions)
        self._go(Screen.MESSAGE, message=message)
        self.state = replace(self.state, speech_key=message.body_key or message.title_key)

    def _menu_tiles(self) -> tuple[ServiceTile, ...]:
        tiles = []
        enabled = set(self.settings.enabled_services)
        for service in MENU_ORDER:
            profile_name = "pension_transfer" if service is Service.TRANSFER_PROGRESS else service.value
            reason = ""
            if profile_name not in enabled:
                reason = "menu.unavailable.profile"
            elif not self._backoffice_up:
                reason = "menu.unavailable.backoffice"
            elif service is Service.CERTIFICATE and not self._devices.document_printer:
                reason = "menu.unavailable.printer"
            tiles.append(ServiceTile(service, not reason, reason))
        return tuple(tiles)

    def _idle_screen(self) -> Screen:
        """Attract, or out-of-service when no service can run."""
        return Screen.OUT_OF_SERVICE if self._out_of_service_key() else Screen.ATTRACT

    def _out_of_service_key(self) -> str:
        if self._maintenance:
            return "out_of_service.maintenance"
        missing = [name for name in self.settings.required_devices if not getattr(self._devices, name, True)]
        if missing:
            return "out_of_service.device"
        if not self._backoffice_up:
            return "out_of_service.terminal" if self._terminal_refused else "out_of_service.backoffice"
        if not self._devices.card_reader and not self._devices.qr_scanner:
            return "out_of_service.no_identification"
        if not any(tile.available for tile in self._menu_tiles()):
            return "out_of_service.backoffice"
        return ""

    def _to_idle(self, effects: list[Effect], *, reset_display: bool = True) -> None:
        """The idle screen; after a citizen, in the terminal's language and normal text size."""
        screen = self._idle_screen()
        if self.in_session or self._session.card is not None:
            self._end_session(effects, "ended")
        display = {"language": self.settings.language, "elder_mode": False} if reset_display else {}
        self._go(screen, out_of_service_key=self._out_of_service_key(), **display)

    def _end_session(self, effects: list[Effect], reason: str) -> None:
        """Close and wipe; the caller chooses the next screen."""
        if self._pending:
            effects.append(CancelTasks())
            self._pending.clear()
        if self._session.token:
            effects.append(CloseSession(self._session.token))
            effects.append(Record("session.ended", (("reason", reason),)))
        self._session = _Session()
        self._extensions_used = 0
        self._warned_at.clear()
        self._before_overlay = None
        effects.append(WipeSession(reason))
        # Fresh views; language and text size stay for the goodbye and reset at the idle screen.
        self.state = FlowState(language=self.state.language, elder_mode=self.state.elder_mode,
                               screen=self.state.screen, speech_key=self.state.speech_key)

    def _scanner_wanted(self) -> bool:
        """The scanner listens only where a code may start a session (no stray scans mid-session)."""
        screen = self.state.screen
        return screen is Screen.ATTRACT or (screen is Screen.MESSAGE and not self.in_session
                                            and self._session.card is None and not self._card_present)

    def _after(self, before: FlowState, effects: list[Effect]) -> None:
        wanted = self._scanner_wanted()
        if wanted != self._scanner_enabled:
            self._scanner_enabled = wanted
            effects.append(EnableScanner(wanted))
        self.state = state = replace(self.state, session_active=self.in_session)
        moved = (state.screen is not before.screen or state.speech_key != before.speech_key
                 or state.language != before.language)
        if moved and state.speech_key:
            effects.append(Speak(state.speech_key, state.speech_params, state.language))

    # --- presses ---------------------------------------------------------------------
    def _pressed(self, event: Pressed, effects: list[Effect]) -> None:
        intent, value = event.intent, event.value
        state = self.state
        if state.countdown is not None:
            if intent is Intent.MORE_TIME:
                if self._extensions_used < self.settings.max_extensions:
                    self._extensions_used += 1
                    self._warned_at.clear()
                    self.state = replace(state, countdown=None)
                return
            if intent is Intent.FINISH:
                self._finish(effects)
                return
            # Any other press is activity too: the warning goes away.
            self.state = replace(state, countdown=None)
            self._warned_at.clear()
        if intent is Intent.LANGUAGE:
            if value in ("zh", "en"):
                self.state = replace(self.state, language=value)
            return
        if intent is Intent.ELDER_MODE:
            self.state = replace(self.state, elder_mode=bool(value))
            if self.state.screen is Screen.CONTRIBUTIONS and self.in_session:
                self._reload_contributions(effects, page=1)
            return
        if intent is Intent.REPEAT:
            effects.append(Speak(self.state.speech_key, self.state.speech_params, self.state.language))
            return
        if intent is Intent.CALL_STAFF:
            effects.append(CallStaff())
            if state.screen is not Screen.BUSY:
                self._before_overlay = self.state
                self._message(MessageKind.INFO, "staff_called", actions=(Intent.CONFIRM,))
            self.state = replace(self.state, staff_called=True)
            return
        if intent is Intent.FINISH and state.screen not in (Screen.ATTRACT, Screen.GOODBYE, Screen.OUT_OF_SERVICE):
            self._finish(effects)
            return
        handler = getattr(self, f"_on_{state.screen.value}", None)
        if handler is not None:
            handler(intent, value, effects)

    def _finish(self, effects: list[Effect], reason: str = "finished", message: MessageView | None = None) -> None:
        card_session = self._card_present
        self._end_session(effects, reason)
        self._goodbye_since = self._now
        self._go(Screen.GOODBYE, identified_by="card" if card_session else "ecard", message=message)

    def _back(self, effects: list[Effect]) -> None:
        target = BACK_TARGETS.get(self.state.screen)
        if target is not None:
            self._show_service_screen(target, effects)

    def _show_service_screen(self, screen: Screen, effects: list[Effect]) -> None:
        if screen is Screen.MENU:
            self._go(Screen.MENU, menu=self._menu_tiles())
        else:
            self._go(screen)

    # one handler per screen: `_on_<screen>(intent, value, effects)`
    def _on_attract(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.SCAN_ECARD:
            self._before_overlay = self.state
            self._message(MessageKind.INFO, "scan_help", actions=(Intent.CONFIRM,))
        elif intent is Intent.CARD_HELP:
            self._before_overlay = self.state
            self._message(MessageKind.INFO, "card_help", actions=(Intent.CONFIRM,))

    def _on_out_of_service(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        pass

    def _on_busy(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.CANCEL and self.state.busy_cancellable and self._pending:
            returns = [screen for _, screen in self._pending.values()]
            effects.append(CancelTasks())
            self._pending.clear()
            target = returns[0] if returns else Screen.MENU
            if target in (Screen.ATTRACT, Screen.BUSY, Screen.MESSAGE) or not self.in_session:
                if self._session.card is not None or self._card_present:
                    self._finish(effects, "cancelled")
                else:
                    self._end_session(effects, "cancelled")
                    self._to_idle(effects)
            else:
                self._show_service_screen(target, effects)

    def _on_pin(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        session, pin = self._session, self.state.pin
        if pin.on_reader and intent not in (Intent.CANCEL, Intent.BACK):
            return   # the PIN is typed on the reader; the kiosk never sees it
        if intent is Intent.DIGIT and isinstance(value, str) and value.isdigit() and len(value) == 1:
            if len(session.pin) < PIN_LENGTH:
                session.pin += value
            self.state = replace(self.state, pin=replace(pin, length=len(session.pin), error_key=""))
        elif intent is Intent.DELETE:
            session.pin = session.pin[:-1]
            self.state = replace(self.state, pin=replace(pin, length=len(session.pin), error_key=""))
        elif intent is Intent.CLEAR:
            session.pin = ""
            self.state = replace(self.state, pin=replace(pin, length=0, error_key=""))
        elif intent is Intent.CONFIRM:
            if len(session.pin) != PIN_LENGTH:
                self.state = replace(self.state, pin=replace(pin, error_key="pin.too_short"),
                                     speech_key="pin.too_short")
                return
            entered, session.pin = session.pin, ""
            self.state = replace(self.state, pin=replace(pin, length=0, error_key=""))
            self._run(VerifyPin(entered), effects, "busy.verifying_pin", cancellable=False)
        elif intent in (Intent.CANCEL, Intent.BACK):
            if self._pending:
                effects.append(CancelTasks())   # a PIN-pad reader waiting for the citizen
                self._pending.clear()
            self._finish(effects, "cancelled")

    def _on_menu(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.CANCEL:
            self._finish(effects)
            return
        if intent is not Intent.CHOOSE_SERVICE:
            return
        try:
            service = Service(value)
        except ValueError:
            return
        tile = next((t for t in self.state.menu if t.service is service), None)
        if tile is None or not tile.available:
            return
        token = self._session.token
        effects.append(Record("service.used", (("service", service.value),)))
        if service is Service.ENROLMENT:
            self._run(LoadEnrolment(token), effects, "busy.loading")
        elif service is Service.CONTRIBUTIONS:
            self.state = replace(self.state, contributions=ContributionsView())
            self._reload_contributions(effects, page=1)
        elif service is Service.CERTIFICATE:
            self.state = replace(self.state, certificate=CertificateView())
            self._run(LoadCertificateChoices(token), effects, "busy.loading")
        elif service is Service.PENSION_TRANSFER:
            self.state = replace(self.state, transfer=TransferView())
            self._go(Screen.TRANSFER_RULES)
        elif service is Service.TRANSFER_PROGRESS:
            self._run(LoadTransfers(token), effects, "busy.loading")

    def _service_common(self, intent: Intent, effects: list[Effect]) -> bool:
        """Back and Cancel on any service screen; True when handled."""
        if intent is Intent.BACK:
            self._back(effects)
            return True
        if intent is Intent.CANCEL:
            self._show_service_screen(Screen.MENU, effects)
            return True
        return False

    def _on_enrolment(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        if intent is Intent.PRINT_RECEIPT and self.state.enrolment is not None:
            self._print_receipt(self.state.enrolment, effects)

    def _print_receipt(self, subject: object, effects: list[Effect]) -> None:
        if not self._devices.receipt_printer:
            self._set_print_status("contributions.print.failed")
            return
        self._run(PrintReceipt(self.state.citizen, subject, self.state.language), effects, "", show_busy=False)
        self._set_print_status("contributions.print.printing")

    def _set_print_status(self, key: str) -> None:
        self.state = replace(self.state, contributions=replace(self.state.contributions, print_status_key=key),
                             transfer=replace(self.state.transfer, receipt_status_key=key.replace(
                                 "contributions.print.", "transfer.receipt.")))

    def _on_contributions(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        view = self.state.contributions
        if intent is Intent.PAGE and isinstance(value, int):
            page = view.page_number + (1 if value > 0 else -1)
            if 1 <= page <= view.page_count:
                self._reload_contributions(effects, page=page)
        elif intent is Intent.SELECT_YEAR and isinstance(value, int) and value in view.years:
            self.state = replace(self.state, contributions=replace(view, year=value))
            self._reload_contributions(effects, page=1)
        elif intent is Intent.SELECT_TYPE:
            try:
                chosen = InsuranceType(value) if value else None
            except ValueError:
                return
            self.state = replace(self.state, contributions=replace(view, insurance_type=chosen))
            self._reload_contributions(effects, page=1)
        elif intent is Intent.PRINT_RECEIPT and view.page is not None:
            self._print_receipt(view.page, effects)

    def _reload_contributions(self, effects: list[Effect], page: int) -> None:
        view = self.state.contributions
        self._run(LoadContributions(self._session.token, view.year, view.insurance_type, page,
                                    ROWS_PER_PAGE[self.state.elder_mode]), effects, "busy.loading")

    def _on_certificate(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        view = self.state.certificate
        if intent is Intent.SELECT_KIND:
            try:
                self._set_certificate(replace(view, kind=CertificateKind(value)))
            except ValueError:
                return
        elif intent is Intent.SELECT_RANGE:
            try:
                self._set_certificate(self._with_period(replace(view, range=CertificateRange(value))))
            except ValueError:
                return
        elif intent in (Intent.PREVIEW, Intent.CONFIRM):
            self._run(IssueCertificate(self._session.token, view.kind, view.period_from, view.period_to,
                                       uuid.uuid4().hex, self._session.grant), effects, "busy.issuing_certificate",
                      hint_key="busy.submitting_hint")
        elif intent is Intent.REPRINT and isinstance(value, str) and value:
            if any(item.number == value for item in view.issued):
                self._run(FetchCertificate(self._session.token, value), effects, "busy.loading")

    def _set_certificate(self, view: CertificateView) -> None:
        self.state = replace(self.state, certificate=view)

    def _with_period(self, view: CertificateView) -> CertificateView:
        today = self._today()
        period_to = f"{today.year:04d}{today.month:02d}"
        if view.range is CertificateRange.LAST_12_MONTHS:
            months = today.year * 12 + today.month - 1 - 11
            period_from = f"{months // 12:04d}{months % 12 + 1:02d}"
        elif view.range is CertificateRange.LAST_3_YEARS:
            period_from = f"{today.year - 2:04d}01"
        else:
            period_from = self._session.first_insured or f"{today.year - 49:04d}01"
        return replace(view, period_from=period_from, period_to=period_to)

    def _on_certificate_preview(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        if intent in (Intent.PRINT, Intent.CONFIRM):
            self._print_certificate(effects)

    def _print_certificate(self, effects: list[Effect]) -> None:
        certificate = self.state.certificate.certificate
        if certificate is None:
            return
        self._set_certificate(replace(self.state.certificate, document_status_key="certificate.status.printing",
                                      receipt_status_key="certificate.status.printing"))
        self._run(PrintCertificate(self.state.citizen, certificate), effects, "busy.printing", cancellable=False)

    def _on_certificate_done(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.REPRINT:
            self._set_certificate(replace(self.state.certificate, reprint=True))
            self._print_certificate(effects)
        elif intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
            self._show_service_screen(Screen.MENU, effects)

    def _on_transfer_rules(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        if intent in (Intent.START_APPLICATION, Intent.CONFIRM):
            self._go(Screen.TRANSFER_FROM)
        elif intent is Intent.VIEW_PROGRESS:
            self._run(LoadTransfers(self._session.token), effects, "busy.loading")

    def _on_transfer_from(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        view = self.state.transfer
        if intent is Intent.BACK and view.province:
            self.state = replace(self.state, transfer=replace(view, province="", city=""))
            return
        if self._service_common(intent, effects):
            return
        if intent is Intent.SELECT_PROVINCE and isinstance(value, str):
            if value == "" or cities_of(value):
                self.state = replace(self.state, transfer=replace(view, province=value, city=""))
        elif intent is Intent.SELECT_CITY and isinstance(value, str) and view.province:
            if any(city.code == value for city in cities_of(view.province)):
                self.state = replace(self.state, transfer=replace(view, city=value))
                self._run(CheckEligibility(self._session.token, value), effects, "busy.checking_eligibility")

    def _on_transfer_contact(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        session = self._session
        if intent is Intent.DIGIT and isinstance(value, str) and value.isdigit() and len(value) == 1:
            if len(session.mobile) < MOBILE_LENGTH:
                session.mobile += value
            self._show_mobile("")
        elif intent is Intent.DELETE:
            session.mobile = session.mobile[:-1]
            self._show_mobile("")
        elif intent is Intent.CLEAR:
            session.mobile = ""
            self._show_mobile("")
        elif intent is Intent.CONFIRM:
            if len(session.mobile) < MOBILE_LENGTH:
                self._show_mobile("transfer.mobile.incomplete")
            elif not MOBILE_PATTERN.match(session.mobile):
                self._show_mobile("transfer.mobile.invalid")
            else:
                session.transfer_key = uuid.uuid4().hex   # one application per review, retried with it
                self._go(Screen.TRANSFER_REVIEW)

    def _show_mobile(self, error_key: str) -> None:
        digits = self._session.mobile
        display = " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)
        self.state = replace(self.state, transfer=replace(
            self.state.transfer, mobile_length=len(digits), mobile_display=display, mobile_error_key=error_key))
        if error_key:
            self.state = replace(self.state, speech_key=error_key)

    def _on_transfer_review(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        if intent in (Intent.SUBMIT, Intent.CONFIRM):
            session = self._session
            self._run(SubmitTransfer(session.token, self.state.transfer.city, session.mobile,
                                     session.transfer_key, session.grant), effects, "busy.submitting",
                      cancellable=False, hint_key="busy.submitting_hint")

    def _on_transfer_done(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.VIEW_PROGRESS:
            self._run(LoadTransfers(self._session.token), effects, "busy.loading")
        elif intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
            self._show_service_screen(Screen.MENU, effects)
        elif intent is Intent.PRINT_RECEIPT and self.state.transfer.application is not None:
            self._print_receipt(self.state.transfer.application, effects)
        elif intent is Intent.PRINT_RECEIPT and self.state.transfer.deferred_reference:
            self._print_receipt(SubmissionDeferred("pension_transfer", self.state.transfer.deferred_reference),
                                effects)

    def _on_transfer_progress(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if self._service_common(intent, effects):
            return
        if intent is Intent.START_APPLICATION:
            self.state = replace(self.state, transfer=TransferView())
            self._go(Screen.TRANSFER_RULES)

    def _on_message(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        message = self.state.message
        if message is None:
            return
        if intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
            if self._before_overlay is not None:
                previous, self._before_overlay = self._before_overlay, None
                self.state = replace(previous, language=self.state.language, elder_mode=self.state.elder_mode,
                                     staff_called=self.state.staff_called)
                if previous.screen is Screen.ATTRACT:
                    self._to_idle(effects)
            elif self.in_session:
                target = Screen.TRANSFER_FROM if message.title_key == "message.transfer_not_eligible.title" \
                    and intent is Intent.BACK else Screen.MENU
                self._show_service_screen(target, effects)
            elif self._card_present:
                self._finish(effects, "ended")
            else:
                self._end_session(effects, "ended")
                self._to_idle(effects)
        elif intent is Intent.VIEW_PROGRESS and self.in_session:
            self._run(LoadTransfers(self._session.token), effects, "busy.loading")
        elif intent is Intent.START_APPLICATION and self.in_session:
            self._go(Screen.TRANSFER_RULES)

    def _on_goodbye(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if not self._card_present and intent in (Intent.CONFIRM, Intent.CANCEL):
            self._to_idle(effects)

    # --- devices ----------------------------------------------------------------------
    def _card_presence(self, present: bool, effects: list[Effect]) -> None:
        was_present, self._card_present = self._card_present, present
        screen = self.state.screen
        if present and not was_present:
            self._last_activity = self._now
            if screen in (Screen.ATTRACT,) or (screen is Screen.MESSAGE and not self.in_session
                                               and self._session.card is None and not self._pending):
                self._before_overlay = None
                self._run(ReadCard(), effects, "busy.reading_card", cancellable=False)
                self.state = replace(self.state, identified_by="card")
        elif was_present and not present:
            if screen is Screen.GOODBYE:
                self._to_idle(effects)
            elif self.state.identified_by == "card" or self._session.card is not None or screen is Screen.PIN:
                # Card removed: the session ends at once.
                self._end_session(effects, "card_removed")
                self._to_idle(effects)
            elif screen is Screen.MESSAGE and not self.in_session:
                self._end_session(effects, "card_removed")
                self._to_idle(effects)

    def _code_scanned(self, payload: str, effects: list[Effect]) -> None:
        screen = self.state.screen
        if screen is Screen.ATTRACT or (screen is Screen.MESSAGE and not self.in_session
                                        and self._session.card is None and not self._pending):
            self._before_overlay = None
            self._last_activity = self._now
            self.state = replace(self.state, identified_by="ecard")
            self._run(OpenEcardSession(payload), effects, "busy.verifying_ecard", cancellable=False)

    def _devices_changed(self, event: DevicesChanged, effects: list[Effect]) -> None:
        lost_reader = self._devices.card_reader and not event.card_reader
        self._devices = event
        if lost_reader and (self.state.identified_by == "card" or self._session.card is not None):
            # Without the reader, card removal cannot be seen: end the session now.
            self._end_session(effects, "device_lost")
            self._card_present = False
            self._message(MessageKind.ERROR, "device_lost", actions=(Intent.CONFIRM,))
            return
        self._refresh_availability(effects)

    def _refresh_availability(self, effects: list[Effect]) -> None:
        screen = self.state.screen
        if screen is Screen.MENU:
            self.state = replace(self.state, menu=self._menu_tiles())
        elif screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE):
            # A device or the back office changed while someone may be choosing a language.
            self._to_idle(effects, reset_display=False)

    # --- time -------------------------------------------------------------------------
    def _tick(self, effects: list[Effect]) -> None:
        screen, now = self.state.screen, self._now
        if screen is Screen.GOODBYE:
            if not self._card_present and self._goodbye_since is not None and now - self._goodbye_since >= GOODBYE_SECONDS:
                self._to_idle(effects)
            return
        if screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE):
            return
        if screen is Screen.BUSY:
            self._last_activity = now   # waiting for the kiosk is not the citizen being idle
            return
        idle = now - self._last_activity
        limit = self.settings.idle_timeout_s
        if idle >= limit:
            self._timed_out(effects)
            return
        left = int(limit - idle + 0.999)
        if left <= self.settings.warning_s:
            extensions_left = self.settings.max_extensions - self._extensions_used
            self.state = replace(self.state, countdown=Countdown(left, extensions_left))
            if not self._warned_at:
                self._warned_at.add(left)
                effects.append(Speak("countdown.speech", (("seconds", str(left)),), self.state.language))
            elif left in SPOKEN_COUNTDOWN_AT and left not in self._warned_at:
                self._warned_at.add(left)
                effects.append(Speak("countdown.speech", (("seconds", str(left)),), self.state.language))
        elif self.state.countdown is not None:
            self.state = replace(self.state, countdown=None)

    def _timed_out(self, effects: list[Effect]) -> None:
        timeout = MessageView(kind=MessageKind.INFO, title_key="message.timeout.title",
                              body_key="message.timeout.body", actions=())
        if self.in_session or self._card_present:
            self._finish(effects, "timeout", message=timeout)
        else:
            self._end_session(effects, "timeout")
            self._to_idle(effects)

    # --- task results -----------------------------------------------------------------
    def _task_done(self, event: TaskDone, effects: list[Effect]) -> None:
        pending = self._pending.pop(event.ticket, None)
        if pending is None:
            return   # cancelled, or from a session that has ended: never shown
        task, _ = pending
        self._last_activity = self._now
        value = event.value
        if isinstance(task, ReadCard):
            self._session.card = value
            # The card says how many PIN tries are left before anyone types (docs/card-profile.md).
            tries_left = getattr(value, "pin_tries_left", None)
            if tries_left == 0:
                self._message(MessageKind.ERROR, "card_blocked", actions=(Intent.CONFIRM,))
            else:
                self._ask_pin(effects, tries_left=tries_left)
        elif isinstance(task, VerifyPin):
            self._pin_answer(value, effects)
        elif isinstance(task, (OpenCardSession, OpenEcardSession)):
            opened: models.SessionOpened = value
            self._session.card = None   # the full identity is not needed any more
            self._session.token = opened.token
            self._session.grant = opened.submission_grant or ""
            effects.append(Record("session.started", (
                ("method", "card" if isinstance(task, OpenCardSession) else "ecard"),)))
            self._go(Screen.MENU, citizen=opened.citizen, menu=self._menu_tiles(),
                     identified_by="card" if isinstance(task, OpenCardSession) else "ecard")
            self.state = replace(self.state, speech_params=())
        elif isinstance(task, LoadEnrolment):
            self._set_print_status("")
            self._go(Screen.ENROLMENT, enrolment=value)
        elif isinstance(task, LoadContributions):
            loaded: ContributionsLoaded = value
            page = loaded.page
            page_count = max(1, -(-page.total_rows // max(1, page.page_size)))
            self._go(Screen.CONTRIBUTIONS, contributions=replace(
                self.state.contributions, years=loaded.years, year=loaded.year, page=page,
                page_number=page.page, page_count=page_count, print_status_key=""))
        elif isinstance(task, LoadCertificateChoices):
            choices: CertificateChoices = value
            self._session.first_insured = choices.first_insured
            view = self._with_period(replace(self.state.certificate, issued=choices.issued))
            self._go(Screen.CERTIFICATE, certificate=view)
        elif isinstance(task, IssueCertificate) and isinstance(value, SubmissionDeferred):
            self._message(MessageKind.INFO, "certificate_deferred", detail=value.reference)
            self._print_receipt(value, effects)
        elif isinstance(task, (IssueCertificate, FetchCertificate)):
            ready: CertificateReady = value
            self._go(Screen.CERTIFICATE_PREVIEW, certificate=replace(
                self.state.certificate, certificate=ready.certificate, preview_lines=ready.preview_lines,
                reprint=isinstance(task, FetchCertificate), document_status_key="", receipt_status_key=""))
        elif isinstance(task, PrintCertificate):
            report: PrintReport = value
            self._go(Screen.CERTIFICATE_DONE, certificate=replace(
                self.state.certificate, document_status_key=report.document_status_key,
                receipt_status_key=report.receipt_status_key))
        elif isinstance(task, PrintReceipt):
            self._set_print_status("contributions.print.printed")
        elif isinstance(task, CheckEligibility):
            eligibility: models.TransferEligibility = value
            view = replace(self.state.transfer, eligibility=eligibility)
            if eligibility.eligible:
                self._session.mobile = ""
                self._go(Screen.TRANSFER_CONTACT, transfer=replace(view, mobile_length=0, mobile_display="",
                                                                    mobile_error_key=""))
            else:
                self.state = replace(self.state, transfer=view)
                detail = eligibility.message_en if self.state.language == "en" else eligibility.message_zh
                actions = (Intent.VIEW_PROGRESS, Intent.CONFIRM) if eligibility.code == "active_application" \
                    else (Intent.BACK, Intent.CONFIRM)
                self._message(MessageKind.INFO, "transfer_not_eligible", detail=detail, actions=actions)
        elif isinstance(task, SubmitTransfer):
            self._session.mobile = ""
            self._session.transfer_key = ""
            deferred = value if isinstance(value, SubmissionDeferred) else None
            application = None if deferred else value
            self._go(Screen.TRANSFER_DONE, transfer=replace(
                self.state.transfer, application=application, mobile_display="", mobile_length=0,
                deferred_reference=deferred.reference if deferred else ""))
            if deferred:
                self.state = replace(self.state, speech_key="transfer_done.deferred_speech")
            self._print_receipt(value, effects)
        elif isinstance(task, LoadTransfers):
            self._go(Screen.TRANSFER_PROGRESS, transfer=replace(self.state.transfer, applications=tuple(value)))

    def _pin_answer(self, result, effects: list[Effect]) -> None:
        if result.verified:
            self._run(OpenCardSession(self._session.card), effects, "busy.opening_session", cancellable=False)
        elif result.blocked:
            self._message(MessageKind.ERROR, "card_blocked", actions=(Intent.CONFIRM,))
        else:
            self._ask_pin(effects, tries_left=result.tries_left, error_key="pin.wrong")
            self.state = replace(self.state, speech_key="pin.wrong")

    def _ask_pin(self, effects: list[Effect], **pin_changes) -> None:
        """The PIN screen; with a PIN-pad reader the card is asked at once and the citizen types there."""
        on_reader = self._devices.pin_on_reader
        self._go(Screen.PIN, pin=PinView(keypad_digits=self._keypad(), on_reader=on_reader, **pin_changes),
                 identified_by="card")
        if on_reader:
            self._run(VerifyPin(""), effects, "", show_busy=False)

    def _keypad(self) -> tuple[str, ...]:
        digits = list("1234567890")
        if self.settings.shuffle_pin_keypad:
            self._rng.shuffle(digits)
        return tuple(digits)

    def _task_failed(self, event: TaskFailed, effects: list[Effect]) -> None:
        pending = self._pending.pop(event.ticket, None)
        if pending is None:
            return
        task, return_to = pending
        self._last_activity = self._now
        error = event.error
        language = self.state.language
        detail = error.message_en if language == "en" else error.message_zh
        if error.kind is ErrorKind.BACKOFFICE_UNAVAILABLE:
            # Out of service until a probe (a signed call) gets through again.
            self._backoffice_up = False
            self._terminal_refused = error.terminal_refused
        if isinstance(task, PrintReceipt):
            key = _PRINT_STATUS.get(error.code, "failed")
            self._set_print_status(f"contributions.print.{'failed_paper_out' if key == 'paper_out' else 'failed'}")
            return
        if isinstance(task, PrintCertificate):
            report = error_report(error)
            self._go(Screen.CERTIFICATE_DONE, certificate=replace(
                self.state.certificate, document_status_key=report.document_status_key,
                receipt_status_key=report.receipt_status_key))
            return
        if isinstance(task, LoadCertificateChoices):
            # Earlier certificates are a convenience: the service works without the list.
            self._go(Screen.CERTIFICATE, certificate=self._with_period(self.state.certificate))
            return
        if isinstance(task, ReadCard):
            self._message(MessageKind.ERROR, "card_unreadable", actions=(Intent.CONFIRM,))
            return
        if isinstance(task, VerifyPin):
            if error.code == "device_pin_blocked":
                self._message(MessageKind.ERROR, "card_blocked", actions=(Intent.CONFIRM,))
            else:
                self._message(MessageKind.ERROR, "card_unreadable", actions=(Intent.CONFIRM,))
            return
        if isinstance(task, (OpenEcardSession, OpenCardSession)):
            # Only the back office's verdict on this card or code is about the citizen's card.
            if error.kind is ErrorKind.BACKOFFICE_REJECTED or error.kind is ErrorKind.NOT_FOUND:
                name = "ecard_invalid" if isinstance(task, OpenEcardSession) else "card_invalid"
                self._message(MessageKind.ERROR, name, detail=detail, actions=(Intent.CONFIRM,))
            else:
                self._message(MessageKind.ERROR, _service_failure(error), actions=(Intent.CONFIRM,))
            return
        if error.kind in (ErrorKind.BACKOFFICE_UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.BACKOFFICE_FAULT):
            self._message(MessageKind.ERROR, _service_failure(error))
        elif error.kind is ErrorKind.BACKOFFICE_REJECTED and error.code in ("unauthorized", "session_expired"):
            # The back office forgot the session (idle expiry): start again.
            self._finish(effects, "session_expired")
        elif error.kind in (ErrorKind.BACKOFFICE_REJECTED, ErrorKind.USER, ErrorKind.NOT_FOUND):
            self._message(MessageKind.ERROR, "backoffice_rejected", detail=detail)
        else:
            self._message(MessageKind.ERROR, "error")


def _service_failure(error: KioskError) -> str:
    """The message for a failure of the service itself (never of the citizen's card or request)."""
    if error.terminal_refused:
        return "terminal_refused"
    if error.kind is ErrorKind.BACKOFFICE_FAULT:
        return "backoffice_fault"
    return "backoffice_unavailable"


def error_report(error: KioskError) -> PrintReport:
    """A certificate print that failed before anything was printed."""
    status = _PRINT_STATUS.get(error.code, "failed")
    return PrintReport(document_status_key=f"certificate.status.{status}",
                       receipt_status_key="certificate.status.receipt_failed")
