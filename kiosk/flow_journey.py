"""A service's handle on the flow machine while it handles a press or a task's result (Qt-free).

`ServiceJourney` implements `kiosk.service_api.Journey` for one service: it reads and
replaces that service's view in `FlowState.views`, keeps its private session data, and
turns "show this", "run that", "print a receipt" into the machine's state and effects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.flow_events import PrintReceipt, Record
from kiosk.flow_state import FlowState, Intent, MessageKind, Screen
from kiosk.service_api import ReceiptBuilder, ServiceModule, ServiceTask

if TYPE_CHECKING:
    from kiosk.flow import FlowMachine
    from kiosk.flow_events import Effect


@dataclasses.dataclass
class Session:
    """Personal data held only while a citizen is at the kiosk (replaced whole at every session end)."""

    card: object = None            # CardData as read (full ssn): only for opening the session
    pin: str = ""
    token: str = ""
    grant: str = ""                # submission grant: the outbox may deliver after the session
    private: dict[str, object] = dataclasses.field(default_factory=dict)   # each service's, by name


class ServiceJourney:
    def __init__(self, machine: FlowMachine, service: ServiceModule, effects: list[Effect]) -> None:
        self._machine = machine
        self._service = service
        self._effects = effects

    # --- what a step reads --------------------------------------------------------------
    @property
    def state(self) -> FlowState:
        return self._machine.state

    @property
    def view(self):
        return self._machine.state.views[self._service.name]

    @property
    def private(self):
        session = self._machine.session
        if self._service.name not in session.private:
            session.private[self._service.name] = self._service.new_private()
        return session.private[self._service.name]

    @property
    def token(self) -> str:
        return self._machine.session.token

    @property
    def grant(self) -> str:
        return self._machine.session.grant

    @property
    def devices(self):
        return self._machine.devices

    def today(self) -> dt.date:
        return self._machine.today()

    # --- what a step does ---------------------------------------------------------------
    def set_view(self, view: object) -> None:
        machine = self._machine
        machine.state = replace(machine.state, views={**machine.state.views, self._service.name: view})

    def go(self, screen: str, view: object | None = None) -> None:
        if view is not None:
            self.set_view(view)
        self._machine.go(screen)

    def show(self, screen: str) -> None:
        self._machine.show(screen)

    def to_menu(self) -> None:
        self._machine.show(Screen.MENU)

    def say(self, speech_key: str) -> None:
        """Speak `speech_key` instead of the screen's own text (an error, a different outcome)."""
        self._machine.state = replace(self._machine.state, speech_key=speech_key)

    def run(self, task: ServiceTask, busy_key: str, *, cancellable: bool = True, show_busy: bool = True,
            hint_key: str = "busy.hint") -> None:
        self._machine.run(task, self._effects, busy_key, service=self._service.name, cancellable=cancellable,
                          show_busy=show_busy, hint_key=hint_key)

    def message(self, kind: MessageKind, name: str, *, detail: str = "",
                actions: tuple[Intent, ...] | None = None) -> None:
        self._machine.message(kind, name, detail=detail, actions=actions, owner=self._service.name)

    def print_receipt(self, subject: object, layout: ReceiptBuilder) -> None:
        if not self._machine.devices.receipt_printer:
            self.show_receipt_status("failed")
            return
        state = self._machine.state
        self.run(PrintReceipt(state.citizen, subject, state.language, layout), "", show_busy=False)
        self.show_receipt_status("printing")

    def show_receipt_status(self, status: str) -> None:
        """The receipt printer's outcome, as `FlowState.receipt_status` ("printing", "printed", "failed"...)."""
        self._machine.state = replace(self._machine.state, receipt_status=status)

    def record(self, kind: str, **fields: str | int | bool) -> None:
        self._effects.append(Record(kind, tuple(fields.items())))
