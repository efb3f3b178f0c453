"""What the citizen sees, as data: the screen flow's state (Qt-free).

The flow machine (kiosk/flow.py) produces a new `FlowState` for every event; screens
draw it and send back `Intent`s. Nothing here holds a PIN digit or a full identifier:
the PIN buffer lives in the machine and only its length is shown; the citizen appears
only as the back office's masked summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pydantic models are not needed to draw the first screen
    from kiosk.contract import models


class Screen(StrEnum):
    """The screens every journey shares; a service names its own (kiosk/services/<name>/)."""

    ATTRACT = "attract"
    BUSY = "busy"                        # reading the card, verifying, loading, printing (with progress text)
    PIN = "pin"
    MENU = "menu"
    MESSAGE = "message"                  # result, error, explanation (not eligible, card blocked...)
    GOODBYE = "goodbye"                  # take your card and papers
    OUT_OF_SERVICE = "out_of_service"


class MessageKind(StrEnum):
    RESULT = "result"
    INFO = "info"
    ERROR = "error"


class Intent(StrEnum):
    """What a screen (or a tactile key) asks for; the machine decides what it means now.

    These are the presses every journey knows; a service adds its own as a StrEnum in its
    folder, and the machine passes them to the service's step unchanged.
    """

    LANGUAGE = "language"            # value: "zh" | "en"
    ELDER_MODE = "elder_mode"        # value: bool
    REPEAT = "repeat"                # speak the current screen again
    CALL_STAFF = "call_staff"
    SCAN_ECARD = "scan_ecard"        # attract: "show your code to the scanner" help
    CARD_HELP = "card_help"
    DIGIT = "digit"                  # value: "0".."9" (PIN, mobile number)
    DELETE = "delete"                # remove the last digit
    CLEAR = "clear"                  # remove all digits
    CONFIRM = "confirm"              # Enter / OK / next on the current screen
    BACK = "back"
    CANCEL = "cancel"                # leave the current service (menu) or, with no session, attract
    FINISH = "finish"                # end the session: take card and papers
    MORE_TIME = "more_time"
    CHOOSE_SERVICE = "choose_service"  # value: the menu entry's name
    PAGE = "page"                    # value: +1 / -1
    PRINT_RECEIPT = "print_receipt"
    PREVIEW = "preview"
    PRINT = "print"
    REPRINT = "reprint"              # value: certificate number ("" = the one just issued)
    SUBMIT = "submit"
    VIEW_PROGRESS = "view_progress"
    START_APPLICATION = "start_application"
    TOUCH = "touch"                  # a touch anywhere: activity, stops speech; nothing else


@dataclasses.dataclass(frozen=True)
class ServiceTile:
    service: str                  # the menu entry's name (kiosk/service_api.MenuEntry)
    available: bool
    reason_key: str = ""          # catalogue key of why not (device, profile, back office)


@dataclasses.dataclass(frozen=True)
class PinView:
    length: int = 0               # digits typed so far (shown as dots)
    max_length: int = 6
    tries_left: int | None = None  # from the card's answer to a wrong PIN
    error_key: str = ""
    keypad_digits: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
    on_reader: bool = False       # the reader has its own PIN pad: the PIN never passes the kiosk


@dataclasses.dataclass(frozen=True)
class MessageView:
    kind: MessageKind
    title_key: str
    body_key: str = ""
    body_params: tuple[tuple[str, str], ...] = ()   # formatted into the catalogue text
    detail_text: str = ""         # back-office wording (already plain text, zh or en)
    next_step_key: str = ""
    actions: tuple[Intent, ...] = (Intent.CONFIRM,)
    owner: str = ""               # the service that raised it: its `on_message` answers the presses


@dataclasses.dataclass(frozen=True)
class Countdown:
    seconds_left: int
    extensions_left: int


@dataclasses.dataclass(frozen=True)
class FlowState:
    screen: str = Screen.ATTRACT   # a core Screen or a service's screen
    language: str = "zh"
    elder_mode: bool = False
    busy_key: str = ""            # progress text on the BUSY screen
    busy_cancellable: bool = False
    busy_hint_key: str = "busy.hint"   # what happens next, under the progress text
    countdown: Countdown | None = None   # idle warning shown over any screen
    citizen: models.CitizenSummary | None = None
    identified_by: str = ""       # "card" | "ecard"
    pin: PinView = PinView()
    menu: tuple[ServiceTile, ...] = ()
    # What each service's screens draw, by service name (kiosk/services/<name>/views.py).
    views: Mapping[str, object] = dataclasses.field(default_factory=dict)
    receipt_status: str = ""      # "", "printing", "printed", "failed", "failed_paper_out"
    message: MessageView | None = None
    out_of_service_key: str = ""
    staff_called: bool = False
    speech_key: str = ""          # what this screen says; the speech service speaks it
    speech_params: tuple[tuple[str, str], ...] = ()
    can_go_back: bool = False
    session_active: bool = False

    def view(self, service: str):
        """The view of `service` (its screens call this with their own service's name)."""
        return self.views[service]


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
