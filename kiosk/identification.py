"""Who is at the kiosk: card and PIN, or the e-card code; and the shared screens around it (Qt-free).

Part of the flow machine (kiosk/flow.py): presses on attract, PIN, busy and goodbye, the
card coming and going, a scanned code, and the results of the identification tasks.
The card as read and the PIN digits stay in the machine's `Session`.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.errors import ErrorKind, KioskError
from kiosk.flow_events import CancelTasks, Effect, OpenCardSession, OpenEcardSession, ReadCard, VerifyPin
from kiosk.flow_state import Intent, MessageKind, PinView, Screen

if TYPE_CHECKING:
    from kiosk.flow import FlowMachine

PIN_LENGTH = 6


class Identification:
    def __init__(self, machine: FlowMachine, rng: random.Random) -> None:
        self._machine = machine
        self._rng = rng

    def _may_start(self) -> bool:
        """A card or a code may start a session here: attract, or a message shown to nobody yet."""
        m = self._machine
        screen = m.state.screen
        return screen is Screen.ATTRACT or (screen is Screen.MESSAGE and not m.in_session
                                            and m.session.card is None and not m.pending)

    def scanner_wanted(self) -> bool:
        """The scanner listens only where a code may start a session (no stray scans mid-session)."""
        m = self._machine
        screen = m.state.screen
        return screen is Screen.ATTRACT or (screen is Screen.MESSAGE and not m.in_session
                                            and m.session.card is None and not m.card_present)

    # --- devices -------------------------------------------------------------------------
    def card_presence(self, present: bool, effects: list[Effect]) -> None:
        m = self._machine
        was_present, m.card_present = m.card_present, present
        screen = m.state.screen
        if present and not was_present:
            m.idle.activity(m.now)
            if self._may_start():
                m.before_overlay = None
                m.run(ReadCard(), effects, "busy.reading_card", cancellable=False)
                m.state = replace(m.state, identified_by="card")
        elif was_present and not present:
            if screen is Screen.GOODBYE:
                m.to_idle(effects)
            elif m.state.identified_by == "card" or m.session.card is not None or screen is Screen.PIN \
                    or (screen is Screen.MESSAGE and not m.in_session):
                # Card removed: the session ends at once.
                m.end_session(effects, "card_removed")
                m.to_idle(effects)

    def code_scanned(self, payload: str, effects: list[Effect]) -> None:
        m = self._machine
        if self._may_start():
            m.before_overlay = None
            m.idle.activity(m.now)
            m.state = replace(m.state, identified_by="ecard")
            m.run(OpenEcardSession(payload), effects, "busy.verifying_ecard", cancellable=False)

    # --- presses on the shared screens -----------------------------------------------------
    def pressed(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        m = self._machine
        screen = m.state.screen
        if screen is Screen.ATTRACT and intent in (Intent.SCAN_ECARD, Intent.CARD_HELP):
            m.before_overlay = m.state
            m.message(MessageKind.INFO, "scan_help" if intent is Intent.SCAN_ECARD else "card_help",
                      actions=(Intent.CONFIRM,))
        elif screen is Screen.BUSY and intent is Intent.CANCEL:
            self._cancel_busy(effects)
        elif screen is Screen.PIN:
            self._pin_pressed(intent, value, effects)
        elif screen is Screen.GOODBYE and not m.card_present and intent in (Intent.CONFIRM, Intent.CANCEL):
            m.to_idle(effects)

    def _cancel_busy(self, effects: list[Effect]) -> None:
        m = self._machine
        if not (m.state.busy_cancellable and m.pending):
            return
        returns = [screen for _, screen, _ in m.pending.values()]
        effects.append(CancelTasks())
        m.pending.clear()
        target = returns[0] if returns else Screen.MENU
        if target in (Screen.ATTRACT, Screen.BUSY, Screen.MESSAGE) or not m.in_session:
            if m.session.card is not None or m.card_present:
                m.finish(effects, "cancelled")
            else:
                m.end_session(effects, "cancelled")
                m.to_idle(effects)
        else:
            m.show(target)

    def _pin_pressed(self, intent: Intent, value: object, effects: list[Effect]) -> None:
        m = self._machine
        session, pin = m.session, m.state.pin
        if pin.on_reader and intent not in (Intent.CANCEL, Intent.BACK):
            return   # the PIN is typed on the reader; the kiosk never sees it
        if intent is Intent.DIGIT and isinstance(value, str) and value.isdigit() and len(value) == 1:
            if len(session.pin) < PIN_LENGTH:
                session.pin += value
            m.state = replace(m.state, pin=replace(pin, length=len(session.pin), error_key=""))
        elif intent is Intent.DELETE:
            session.pin = session.pin[:-1]
            m.state = replace(m.state, pin=replace(pin, length=len(session.pin), error_key=""))
        elif intent is Intent.CLEAR:
            session.pin = ""
            m.state = replace(m.state, pin=replace(pin, length=0, error_key=""))
        elif intent is Intent.CONFIRM:
            if len(session.pin) != PIN_LENGTH:
                m.state = replace(m.state, pin=replace(pin, error_key="pin.too_short"), speech_key="pin.too_short")
                return
            entered, session.pin = session.pin, ""
            m.state = replace(m.state, pin=replace(pin, length=0, error_key=""))
            m.run(VerifyPin(entered), effects, "busy.verifying_pin", cancellable=False)
        elif intent in (Intent.CANCEL, Intent.BACK):
            if m.pending:
                effects.append(CancelTasks())   # a PIN-pad reader waiting for the citizen
                m.pending.clear()
            m.finish(effects, "cancelled")

    def _ask_pin(self, effects: list[Effect], **pin_changes) -> None:
        """The PIN screen; with a PIN-pad reader the card is asked at once and the citizen types there."""
        m = self._machine
        on_reader = m.devices.pin_on_reader
        digits = list("1234567890")
        if m.settings.shuffle_pin_keypad:
            self._rng.shuffle(digits)
        m.go(Screen.PIN, pin=PinView(keypad_digits=tuple(digits), on_reader=on_reader, **pin_changes),
             identified_by="card")
        if on_reader:
            m.run(VerifyPin(""), effects, "", show_busy=False)

    # --- results ---------------------------------------------------------------------------
    def task_done(self, task: object, value: object, effects: list[Effect]) -> bool:
        """True when `task` was one of identification's."""
        m = self._machine
        if isinstance(task, ReadCard):
            m.session.card = value
            # The card says how many PIN tries are left before anyone types (docs/card-profile.md).
            tries_left = getattr(value, "pin_tries_left", None)
            if tries_left == 0:
                m.message(MessageKind.ERROR, "card_blocked", actions=(Intent.CONFIRM,))
            else:
                self._ask_pin(effects, tries_left=tries_left)
        elif isinstance(task, VerifyPin):
            if value.verified:
                m.run(OpenCardSession(m.session.card), effects, "busy.opening_session", cancellable=False)
            elif value.blocked:
                m.message(MessageKind.ERROR, "card_blocked", actions=(Intent.CONFIRM,))
            else:
                self._ask_pin(effects, tries_left=value.tries_left, error_key="pin.wrong")
                m.state = replace(m.state, speech_key="pin.wrong")
        elif isinstance(task, (OpenCardSession, OpenEcardSession)):
            m.session_opened(value, "card" if isinstance(task, OpenCardSession) else "ecard", effects)
        else:
            return False
        return True

    def task_failed(self, task: object, error: KioskError, effects: list[Effect]) -> bool:
        from kiosk.flow import service_failure

        m = self._machine
        if isinstance(task, ReadCard):
            m.message(MessageKind.ERROR, "card_unreadable", actions=(Intent.CONFIRM,))
        elif isinstance(task, VerifyPin):
            name = "card_blocked" if error.code == "device_pin_blocked" else "card_unreadable"
            m.message(MessageKind.ERROR, name, actions=(Intent.CONFIRM,))
        elif isinstance(task, (OpenEcardSession, OpenCardSession)):
            # Only the back office's verdict on this card or code is about the citizen's card.
            if error.kind in (ErrorKind.BACKOFFICE_REJECTED, ErrorKind.NOT_FOUND):
                name = "ecard_invalid" if isinstance(task, OpenEcardSession) else "card_invalid"
                m.message(MessageKind.ERROR, name, detail=error.citizen_message(m.state.language),
                          actions=(Intent.CONFIRM,))
            else:
                m.message(MessageKind.ERROR, service_failure(error), actions=(Intent.CONFIRM,))
        else:
            return False
        return True
