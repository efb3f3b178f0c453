"""What a service folder gives the shared flow, and what the flow gives it back (Qt-free).

A service (`kiosk/services/<name>/`, see docs/adding-a-service.md) is a `ServiceModule`:
its menu entries, its steps (one per screen: what the screen says, where Back goes, and
the function that handles a press there), its fresh view and private session data, and
its texts. The flow machine (kiosk/flow.py) owns everything journeys share and hands a
step handler a `Journey`, the narrow set of things a step may do: show a screen, run a
task, show a message, print a receipt. Tasks carry their own work: `perform` runs on a
worker with a `TaskContext` (back-office client, devices, outbox, paper settings),
`done`/`failed` run back in the machine with a `Journey`. Everything is referenced
directly; nothing is found by building a name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from devices.model import CancelToken, DeviceClass
    from kiosk.errors import KioskError
    from kiosk.flow_state import FlowState, Intent, MessageKind

# A step handler: (journey, intent, value) -> True when it consumed the press. Back and Cancel
# it leaves alone go to the step's `back` screen and to the menu.
StepHandler = Callable[["Journey", Any, object], object]


@dataclasses.dataclass(frozen=True)
class Step:
    screen: str                       # the screen's id (a StrEnum member of the service)
    speech_key: str                   # what the screen says when it is shown
    handle: StepHandler
    back: str | None = None           # the screen Back goes to; None: no Back button
    on_elder_mode: Callable[["Journey"], None] | None = None   # text size changed on this screen


@dataclasses.dataclass(frozen=True)
class MenuEntry:
    name: str                         # the tile's id, sent with CHOOSE_SERVICE
    start: Callable[["Journey"], None]
    profile_name: str = ""            # `services.enabled` name; "" means the service's own name
    needs: tuple[str, ...] = ()       # devices it cannot work without ("document_printer"...)


@dataclasses.dataclass(frozen=True)
class ServiceModule:
    name: str                         # the view key and the profile name
    menu: tuple[MenuEntry, ...]
    steps: tuple[Step, ...]
    new_view: Callable[[], object]    # what its screens draw, fresh for every citizen
    new_private: Callable[[], object] = lambda: None   # personal data kept only during the session
    texts: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    # A press on a message this service raised (`Journey.message`); True when consumed.
    on_message: Callable[["Journey", Any, object], bool] | None = None


class ServiceTask:
    """A unit of work the flow runs off the GUI thread; subclasses are frozen dataclasses."""

    def perform(self, context: "TaskContext", cancel: "CancelToken") -> object:
        raise NotImplementedError

    def done(self, journey: "Journey", value: object) -> None:
        """Back on the GUI thread with the result; the default shows nothing new."""

    def failed(self, journey: "Journey", error: "KioskError") -> bool:
        """True when the task explains its own failure; otherwise the shared wording is shown."""
        return False


class Journey(Protocol):
    """What a step handler or a task result may do (implemented by the flow machine)."""

    @property
    def state(self) -> "FlowState": ...
    @property
    def view(self) -> Any: ...
    @property
    def private(self) -> Any: ...
    @property
    def token(self) -> str: ...
    @property
    def grant(self) -> str: ...
    @property
    def devices(self) -> Any: ...

    def set_view(self, view: object) -> None: ...
    def go(self, screen: str, view: object | None = None) -> None: ...
    def show(self, screen: str) -> None: ...
    def to_menu(self) -> None: ...
    def say(self, speech_key: str) -> None: ...
    def run(self, task: ServiceTask, busy_key: str, *, cancellable: bool = True, show_busy: bool = True,
            hint_key: str = "busy.hint") -> None: ...
    def message(self, kind: "MessageKind", name: str, *, detail: str = "",
                actions: tuple["Intent", ...] | None = None) -> None: ...
    def print_receipt(self, subject: object, layout: "ReceiptBuilder") -> None: ...
    def show_receipt_status(self, status: str) -> None: ...
    def record(self, kind: str, **fields: str | int | bool) -> None: ...
    def today(self): ...


# Lays out a receipt: (citizen, subject, common) -> (ReceiptLayout, title for the journal).
ReceiptBuilder = Callable[[Any, Any, "ReceiptCommon"], tuple[Any, str]]


@dataclasses.dataclass(frozen=True)
class ReceiptCommon:
    """What every receipt carries besides its subject."""

    header: str
    terminal_id: str
    now: Any                          # datetime in the terminal's zone
    language: str
    catalog: Any = None               # kiosk.messages.MessageCatalog with the deployment's overrides; None: built-in

    def as_kwargs(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it would deep-copy the catalogue.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


class TaskContext(Protocol):
    """What a task's `perform` may use (implemented by kiosk/flow_controller.py)."""

    paper: Any                        # PaperSettings: headers, terminal id, clock, verify URL, seals
    catalog: Any                      # kiosk.messages.MessageCatalog: the texts paper prints

    def client(self) -> Any: ...
    def device(self, device_class: "DeviceClass") -> Any: ...
    def device_result(self, device_class: "DeviceClass", operation: Callable[..., Any], *args: object) -> Any:
        """Run `operation` (a method of that device) on the device's own worker; its OperationResult."""
    def on_device(self, device_class: "DeviceClass", operation: Callable[..., Any], *args: object) -> Any:
        """Like `device_result`, unwrapped: the value, or the failure raised as a KioskError."""
    def submit(self, kind: str, key: str, payload: dict, grant: str, direct: Callable[[], object]) -> object: ...
    def print_receipt(self, layout: object, title: str, cancel: "CancelToken") -> object: ...
    def printed_document(self, title: str, document_path: str) -> None: ...
    def receipt_common(self, language: str) -> ReceiptCommon: ...
    @property
    def language(self) -> str: ...
