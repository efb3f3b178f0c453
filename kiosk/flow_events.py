"""The flow machine's vocabulary: events in, effects out, and the tasks every journey shares (Qt-free).

Events come from presses, devices, the clock and finished tasks; effects are what the
controller (kiosk/flow_controller.py) carries out. The identification tasks and the
receipt task live here because every service uses them; a service's own tasks live in
its folder (kiosk/services/<name>/tasks.py).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from devices.model import CancelToken, CompletionCode, DeviceClass
from kiosk.errors import KioskError, error_from_device
from kiosk.flow_state import Intent
from kiosk.service_api import ReceiptBuilder, ServiceTask, TaskContext

if TYPE_CHECKING:  # models are data here; pydantic is imported by the client, after the first frame
    from kiosk.contract import models

# --- events -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pressed:
    intent: Intent | str          # a service's own press arrives as its name (kiosk/service_api.py)
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

# --- tasks every journey shares --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReadCard(ServiceTask):
    def perform(self, context: TaskContext, cancel: CancelToken):
        reader = context.device(DeviceClass.CARD_READER)
        return context.on_device(DeviceClass.CARD_READER, reader.read_card, cancel)


@dataclasses.dataclass(frozen=True)
class VerifyPin(ServiceTask):
    pin: str = dataclasses.field(repr=False)

    def perform(self, context: TaskContext, cancel: CancelToken):
        from devices.card.data import PinResult

        reader = context.device(DeviceClass.CARD_READER)
        result = context.device_result(DeviceClass.CARD_READER, reader.verify_pin, self.pin, cancel)
        if result.ok:
            return result.value
        if result.code is CompletionCode.PIN_INCORRECT:
            return PinResult(verified=False, tries_left=getattr(result.value, "tries_left", None))
        if result.code is CompletionCode.PIN_BLOCKED:
            return PinResult(verified=False, tries_left=0)
        raise error_from_device(result.code.value, result.detail)


@dataclasses.dataclass(frozen=True)
class OpenCardSession(ServiceTask):
    card: object = dataclasses.field(repr=False)   # devices.card.data.CardData

    def perform(self, context: TaskContext, cancel: CancelToken):
        card = self.card
        return context.client().open_card_session(card.ssn, card.card_number, card.card_id_code)


@dataclasses.dataclass(frozen=True)
class OpenEcardSession(ServiceTask):
    qr: str = dataclasses.field(repr=False)

    def perform(self, context: TaskContext, cancel: CancelToken):
        return context.client().open_ecard_session(self.qr)


@dataclasses.dataclass(frozen=True)
class SubmissionDeferred:
    """Accepted by this terminal and kept in its outbox; it will be sent when the back office answers."""

    kind: str                    # "pension_transfer" | "certificate"
    reference: str               # R-XXXX-XXXX, printed for the citizen


def deferred_receipt(citizen, subject: SubmissionDeferred, common) -> tuple[object, str]:
    from kiosk import documents

    return (documents.deferred_receipt(citizen, subject.kind, subject.reference, **common.as_kwargs()),
            f"accepted {subject.reference}")


@dataclasses.dataclass(frozen=True)
class PrintReceipt(ServiceTask):
    """A receipt of what is on screen: `layout` (the service's) lays `subject` out."""

    citizen: models.CitizenSummary
    subject: object
    language: str
    layout: ReceiptBuilder = dataclasses.field(repr=False, compare=False)

    def perform(self, context: TaskContext, cancel: CancelToken):
        layout, title = self.layout(self.citizen, self.subject, context.receipt_common(self.language))
        return context.print_receipt(layout, title, cancel)

    def done(self, journey, value: object) -> None:
        journey.show_receipt_status("printed")

    def failed(self, journey, error: KioskError) -> bool:
        journey.show_receipt_status("failed_paper_out" if error.code == "device_paper_out" else "failed")
        return True


# --- effects --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunTask:
    ticket: int
    task: ServiceTask


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

