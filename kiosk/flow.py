"""The citizen's screen flow as a state machine (Qt-free, no I/O).

`FlowMachine.handle(event, now)` takes one event (a press, a card in or out, a scanned code,
a tick, a task's result, a device or back-office change), updates `state` and returns the
effects the controller carries out, so every journey is a plain unit test. The machine keeps
what every journey shares (identification, menu, timeouts, messages, goodbye, the wipe);
a service's screens are `Step`s of its `ServiceModule` (docs/adding-a-service.md), driven
through a `ServiceJourney`. Private session data lives in `Session`, never in `FlowState`,
and is replaced whole at every session end.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace

from kiosk import availability
from kiosk.errors import ErrorKind, KioskError
from kiosk.flow_events import (BackofficeChanged, CallStaff, CancelTasks, CardPresence, CloseSession, CodeScanned,
                               DevicesChanged, Effect, EnableScanner, Event, MaintenanceChanged, OpenCardSession,
                               OpenEcardSession, Pressed, PrintReceipt, ReadCard, Record, RunTask, Speak, StopSpeech,
                               SubmissionDeferred, TaskDone, TaskFailed, Tick, VerifyPin, WipeSession)
from kiosk.flow_journey import ServiceJourney, Session
from kiosk.flow_state import FlowSettings, FlowState, Intent, MessageKind, MessageView, Screen, ServiceTile
from kiosk.identification import Identification
from kiosk.idle_timer import IdleTimer
from kiosk.service_api import ServiceModule, ServiceTask, Step

__all__ = ["BackofficeChanged", "CallStaff", "CancelTasks", "CardPresence", "CloseSession", "CodeScanned", "DevicesChanged",
           "Effect", "EnableScanner", "Event", "FlowMachine", "FlowSettings", "MaintenanceChanged", "OpenCardSession",
           "OpenEcardSession", "Pressed", "PrintReceipt", "ReadCard", "Record", "RunTask", "Speak", "StopSpeech",
           "SubmissionDeferred", "TaskDone", "TaskFailed", "Tick", "VerifyPin", "WipeSession"]

GOODBYE_SECONDS = 8                      # an e-card goodbye returns to attract by itself

# What each shared screen says (a service's step names its own).
CORE_SPEECH_KEYS: dict[Screen, str] = {
    Screen.ATTRACT: "attract.speech",
    Screen.BUSY: "busy.loading",        # replaced by the busy text itself
    Screen.PIN: "pin.speech",
    Screen.MENU: "menu.speech",
    Screen.MESSAGE: "message.speech",   # replaced by the message's own title/body
    Screen.GOODBYE: "goodbye.speech",
    Screen.OUT_OF_SERVICE: "out_of_service.speech",
}


class FlowMachine:
    def __init__(self, settings: FlowSettings, *, services: tuple[ServiceModule, ...] | None = None,
                 today: Callable[[], dt.date] = dt.date.today, rng: random.Random | None = None) -> None:
        from kiosk.services import built_in_services

        self.settings = settings
        self.services = built_in_services() if services is None else tuple(services)
        self._steps: dict[str, Step] = {}               # by screen id
        self._owner: dict[str, ServiceModule] = {}      # the service each screen belongs to
        for service in self.services:
            for step in service.steps:
                if step.screen in self._steps or step.screen in CORE_SPEECH_KEYS:
                    raise ValueError(f"screen {step.screen!r} of {service.name} is already taken")
                self._steps[step.screen], self._owner[step.screen] = step, service
        self._by_name = {service.name: service for service in self.services}
        self.today = today
        self.session = Session()
        self.devices = DevicesChanged(True, True, True, True)
        self.identification = Identification(self, rng or random.SystemRandom())
        self._backoffice_up = True
        self._terminal_refused = False     # the back office refuses this terminal (not a citizen)
        self._maintenance = False
        self.card_present = False
        self._ticket = 0
        self.pending: dict[int, tuple[ServiceTask, str, str]] = {}   # ticket: (task, screen on cancel, service)
        self.idle = IdleTimer(settings.idle_timeout_s, settings.warning_s, settings.max_extensions)
        self.goodbye_since: float | None = None
        self.before_overlay: FlowState | None = None         # screen to return to after a help/staff message
        self.now = 0.0
        self._scanner_enabled = False
        self.state = self._fresh_state(language=settings.language, speech_key=CORE_SPEECH_KEYS[Screen.ATTRACT])

    # --- entry points ------------------------------------------------------------------
    def start(self, now: float) -> list[Effect]:
        """The first screen's effects: the scanner listens and the welcome is spoken."""
        self.now = now
        self._scanner_enabled = True
        self.to_idle([])
        return [EnableScanner(True), Speak(self.state.speech_key, (), self.state.language)]

    def handle(self, event: Event, now: float) -> list[Effect]:
        self.now = now
        before = self.state
        effects: list[Effect] = []
        if isinstance(event, Pressed):
            if not (event.intent is Intent.MORE_TIME and self.idle.exhausted):
                self.idle.activity(now)   # an exhausted "more time" is not a way around the limit
            effects.append(StopSpeech())   # any touch stops current speech
            self._pressed(event, effects)
        elif isinstance(event, CardPresence):
            self.identification.card_presence(event.present, effects)
        elif isinstance(event, CodeScanned):
            self.identification.code_scanned(event.payload, effects)
        elif isinstance(event, Tick):
            self._tick(effects)
        elif isinstance(event, (TaskDone, TaskFailed)):
            self._task_finished(event, effects)
        elif isinstance(event, DevicesChanged):
            self._devices_changed(event, effects)
        elif isinstance(event, BackofficeChanged):
            self._backoffice_up = event.available
            self._terminal_refused = event.terminal_refused and not event.available
            self._refresh_availability(effects)
        elif isinstance(event, MaintenanceChanged):
            self._maintenance = event.active
            if not self.in_session and self.session.card is None:
                self.to_idle(effects, reset_display=True)
        self._after(before, effects)
        return effects

    @property
    def in_session(self) -> bool:
        return bool(self.session.token)

    @property
    def backoffice_available(self) -> bool:
        return self._backoffice_up

    def speech_key_of(self, screen: str) -> str:
        step = self._steps.get(screen)
        return step.speech_key if step else CORE_SPEECH_KEYS[screen]

    # --- what journeys (kiosk/flow_journey.py, kiosk/identification.py) use ---------------
    def go(self, screen: str, **changes) -> None:
        step = self._steps.get(screen)
        self.state = replace(self.state, screen=screen, can_go_back=step is not None and step.back is not None,
                             speech_key=self.speech_key_of(screen), speech_params=(), receipt_status="", **changes)

    def show(self, screen: str) -> None:
        """`screen` as it is entered inside a session: the menu is rebuilt, a service screen shown as left."""
        if screen is Screen.MENU:
            self.go(Screen.MENU, menu=self._menu_tiles())
        else:
            self.go(screen)

    def run(self, task: ServiceTask, effects: list[Effect], busy_key: str, *, service: str = "",
            cancellable: bool = True, show_busy: bool = True, hint_key: str = "busy.hint") -> int:
        self._ticket += 1
        self.pending[self._ticket] = (task, self.state.screen, service)
        effects.append(RunTask(self._ticket, task))
        if show_busy:
            self.go(Screen.BUSY, busy_key=busy_key, busy_cancellable=cancellable, busy_hint_key=hint_key)
            self.state = replace(self.state, speech_key=busy_key)
        return self._ticket

    def message(self, kind: MessageKind, name: str, *, detail: str = "", actions: tuple[Intent, ...] | None = None,
                owner: str = "") -> None:
        if actions is None:
            actions = (Intent.CONFIRM, Intent.FINISH) if self.in_session else (Intent.CONFIRM,)
        message = MessageView(kind=kind, title_key=f"message.{name}.title",
                              body_key="" if detail and name == "backoffice_rejected" else f"message.{name}.body",
                              detail_text=detail, actions=actions, owner=owner)
        self.go(Screen.MESSAGE, message=message)
        self.state = replace(self.state, speech_key=message.body_key or message.title_key)

    def session_opened(self, opened, method: str, effects: list[Effect]) -> None:
        """The back office knows the citizen: the menu, with their masked summary."""
        self.session.card = None   # the full identity is not needed any more
        self.session.token = opened.token
        self.session.grant = opened.submission_grant or ""
        effects.append(Record("session.started", (("method", method),)))
        self.go(Screen.MENU, citizen=opened.citizen, menu=self._menu_tiles(), identified_by=method)

    def finish(self, effects: list[Effect], reason: str = "finished", message: MessageView | None = None) -> None:
        card_session = self.card_present
        self.end_session(effects, reason)
        self.goodbye_since = self.now
        self.go(Screen.GOODBYE, identified_by="card" if card_session else "ecard", message=message)

    def to_idle(self, effects: list[Effect], *, reset_display: bool = True) -> None:
        """The idle screen; after a citizen, in the terminal's language and normal text size."""
        screen = Screen.OUT_OF_SERVICE if self._out_of_service_key() else Screen.ATTRACT
        if self.in_session or self.session.card is not None:
            self.end_session(effects, "ended")
        display = {"language": self.settings.language, "elder_mode": False} if reset_display else {}
        self.go(screen, out_of_service_key=self._out_of_service_key(), **display)

    def end_session(self, effects: list[Effect], reason: str) -> None:
        """Close and wipe; the caller chooses the next screen."""
        if self.pending:
            effects.append(CancelTasks())
            self.pending.clear()
        if self.session.token:
            effects.append(CloseSession(self.session.token))
            effects.append(Record("session.ended", (("reason", reason),)))
        self.session = Session()
        self.idle.reset()
        self.before_overlay = None
        effects.append(WipeSession(reason))
        # Fresh views; language and text size stay for the goodbye and reset at the idle screen.
        self.state = self._fresh_state(language=self.state.language, elder_mode=self.state.elder_mode,
                                       screen=self.state.screen, speech_key=self.state.speech_key)

    def _fresh_state(self, **fields) -> FlowState:
        return FlowState(views={service.name: service.new_view() for service in self.services}, **fields)

    def _menu_tiles(self) -> tuple[ServiceTile, ...]:
        return availability.menu_tiles(self.services, self.settings.enabled_services, self.devices,
                                       self._backoffice_up)

    def _out_of_service_key(self) -> str:
        return availability.out_of_service_key(self.settings.required_devices, self.devices, self._backoffice_up,
                                               self._terminal_refused, self._maintenance, self._menu_tiles())

    def _after(self, before: FlowState, effects: list[Effect]) -> None:
        wanted = self.identification.scanner_wanted()
        if wanted != self._scanner_enabled:
            self._scanner_enabled = wanted
            effects.append(EnableScanner(wanted))
        self.state = state = replace(self.state, session_active=self.in_session)
        moved = (state.screen is not before.screen or state.speech_key != before.speech_key
                 or state.language != before.language)
        if moved and state.speech_key:
            effects.append(Speak(state.speech_key, state.speech_params, state.language))

    def _journey(self, service: ServiceModule, effects: list[Effect]) -> ServiceJourney:
        return ServiceJourney(self, service, effects)

    # --- presses -----------------------------------------------------------------------
    def _pressed(self, event: Pressed, effects: list[Effect]) -> None:
        intent, value, state = event.intent, event.value, self.state
        if state.countdown is not None:
            if intent is Intent.MORE_TIME:
                if self.idle.extend():
                    self.state = replace(state, countdown=None)
                return
            if intent is Intent.FINISH:
                self.finish(effects)
                return
            # Any other press is activity too: the warning goes away.
            self.state = replace(state, countdown=None)
            self.idle.dismiss_warning()
        if intent is Intent.LANGUAGE:
            if value in ("zh", "en"):
                self.state = replace(self.state, language=value)
        elif intent is Intent.ELDER_MODE:
            self.state = replace(self.state, elder_mode=bool(value))
            screen = self.state.screen
            step = self._steps.get(screen)
            if step is not None and step.on_elder_mode is not None and self.in_session:
                step.on_elder_mode(self._journey(self._owner[screen], effects))
        elif intent is Intent.REPEAT:
            effects.append(Speak(self.state.speech_key, self.state.speech_params, self.state.language))
        elif intent is Intent.CALL_STAFF:
            effects.append(CallStaff())
            if state.screen is not Screen.BUSY:
                self.before_overlay = self.state
                self.message(MessageKind.INFO, "staff_called", actions=(Intent.CONFIRM,))
            self.state = replace(self.state, staff_called=True)
        elif intent is Intent.FINISH and state.screen not in (Screen.ATTRACT, Screen.GOODBYE, Screen.OUT_OF_SERVICE):
            self.finish(effects)
        elif state.screen in self._steps:
            step, service = self._steps[state.screen], self._owner[state.screen]
            if not step.handle(self._journey(service, effects), intent, value):
                if intent is Intent.BACK and step.back is not None:
                    self.show(step.back)
                elif intent is Intent.CANCEL:
                    self.show(Screen.MENU)
        elif state.screen is Screen.MENU:
            self._on_menu(intent, value, effects)
        elif state.screen is Screen.MESSAGE:
            self._on_message(intent, value, effects)
        else:
            self.identification.pressed(intent, value, effects)

    def _on_menu(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        if intent is Intent.CANCEL:
            self.finish(effects)
            return
        tile = next((t for t in self.state.menu if t.service == value), None)
        if intent is not Intent.CHOOSE_SERVICE or tile is None or not tile.available:
            return
        for service in self.services:
            for entry in service.menu:
                if entry.name == tile.service:
                    effects.append(Record("service.used", (("service", entry.name),)))
                    entry.start(self._journey(service, effects))
                    return

    def _on_message(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        message = self.state.message
        if message is None:
            return
        owner = self._by_name.get(message.owner)
        if intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK) and self.before_overlay is not None:
            previous, self.before_overlay = self.before_overlay, None
            self.state = replace(previous, language=self.state.language, elder_mode=self.state.elder_mode,
                                 staff_called=self.state.staff_called)
            if previous.screen is Screen.ATTRACT:
                self.to_idle(effects)
        elif owner is not None and owner.on_message is not None and self.in_session \
                and owner.on_message(self._journey(owner, effects), intent, value):
            return
        elif intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
            if self.in_session:
                self.show(Screen.MENU)
            elif self.card_present:
                self.finish(effects, "ended")
            else:
                self.end_session(effects, "ended")
                self.to_idle(effects)

    # --- devices and the back office ---------------------------------------------------
    def _devices_changed(self, event: DevicesChanged, effects: list[Effect]) -> None:
        lost_reader = self.devices.card_reader and not event.card_reader
        self.devices = event
        if lost_reader and (self.state.identified_by == "card" or self.session.card is not None):
            # Without the reader, card removal cannot be seen: end the session now.
            self.end_session(effects, "device_lost")
            self.card_present = False
            self.message(MessageKind.ERROR, "device_lost", actions=(Intent.CONFIRM,))
            return
        self._refresh_availability(effects)

    def _refresh_availability(self, effects: list[Effect]) -> None:
        screen = self.state.screen
        if screen is Screen.MENU:
            self.state = replace(self.state, menu=self._menu_tiles())
        elif screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE):
            # A device or the back office changed while someone may be choosing a language.
            self.to_idle(effects, reset_display=False)

    # --- time --------------------------------------------------------------------------
    def _tick(self, effects: list[Effect]) -> None:
        screen, now = self.state.screen, self.now
        if screen is Screen.GOODBYE:
            if not self.card_present and self.goodbye_since is not None and now - self.goodbye_since >= GOODBYE_SECONDS:
                self.to_idle(effects)
            return
        if screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE):
            return
        if screen is Screen.BUSY:
            self.idle.activity(now)   # waiting for the kiosk is not the citizen being idle
            return
        timed_out, countdown, spoken = self.idle.check(now)
        if timed_out:
            self._timed_out(effects)
            return
        if countdown is not None or self.state.countdown is not None:
            self.state = replace(self.state, countdown=countdown)
        if spoken is not None:
            effects.append(Speak("countdown.speech", (("seconds", str(spoken)),), self.state.language))

    def _timed_out(self, effects: list[Effect]) -> None:
        timeout = MessageView(kind=MessageKind.INFO, title_key="message.timeout.title",
                              body_key="message.timeout.body", actions=())
        if self.in_session or self.card_present:
            self.finish(effects, "timeout", message=timeout)
        else:
            self.end_session(effects, "timeout")
            self.to_idle(effects)

    # --- task results ------------------------------------------------------------------
    def _task_finished(self, event: TaskDone | TaskFailed, effects: list[Effect]) -> None:
        pending = self.pending.pop(event.ticket, None)
        if pending is None:
            return   # cancelled, or from a session that has ended: never shown
        task, _, service_name = pending
        self.idle.activity(self.now)
        if isinstance(event, TaskDone):
            if not self.identification.task_done(task, event.value, effects):
                task.done(self._journey(self._by_name[service_name], effects), event.value)
            return
        error = event.error
        if error.kind is ErrorKind.BACKOFFICE_UNAVAILABLE:
            # Out of service until a probe (a signed call) gets through again.
            self._backoffice_up = False
            self._terminal_refused = error.terminal_refused
        if self.identification.task_failed(task, error, effects):
            pass
        elif service_name and task.failed(self._journey(self._by_name[service_name], effects), error):
            pass
        else:
            self._explain_failure(error, effects)

    def _explain_failure(self, error: KioskError, effects: list[Effect]) -> None:
        """The shared wording for a service's failure (never about the citizen's card or request)."""
        if error.kind in (ErrorKind.BACKOFFICE_UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.BACKOFFICE_FAULT):
            self.message(MessageKind.ERROR, service_failure(error))
        elif error.kind is ErrorKind.BACKOFFICE_REJECTED and error.code in ("unauthorized", "session_expired"):
            # The back office forgot the session (idle expiry): start again.
            self.finish(effects, "session_expired")
        elif error.kind in (ErrorKind.BACKOFFICE_REJECTED, ErrorKind.USER, ErrorKind.NOT_FOUND):
            self.message(MessageKind.ERROR, "backoffice_rejected", detail=error.citizen_message(self.state.language))
        else:
            self.message(MessageKind.ERROR, "error")


def service_failure(error: KioskError) -> str:
    """The message for a failure of the service itself (never of the citizen's card or request)."""
    if error.terminal_refused:
        return "terminal_refused"
    if error.kind is ErrorKind.BACKOFFICE_FAULT:
        return "backoffice_fault"
    return "backoffice_unavailable"

