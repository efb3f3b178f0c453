"""What the citizen sees, as data: the screen flow's state (Qt-free).

The flow machine (kiosk/flow.py) produces a new `FlowState` for every event; screens
draw it and send back `Intent`s. Nothing here holds a PIN digit or a full identifier:
the PIN buffer lives in the machine and only its length is shown; the citizen appears
only as the back office's masked summary.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.contract.enums import CertificateKind, InsuranceType

if TYPE_CHECKING:  # the pydantic models are not needed to draw the first screen
    from kiosk.contract import models


class Screen(StrEnum):
    ATTRACT = "attract"
    BUSY = "busy"                        # reading the card, verifying, loading, printing (with progress text)
    PIN = "pin"
    MENU = "menu"
    ENROLMENT = "enrolment"
    CONTRIBUTIONS = "contributions"
    CERTIFICATE = "certificate"          # choose kind and period, or reprint an issued one
    CERTIFICATE_PREVIEW = "certificate_preview"
    CERTIFICATE_DONE = "certificate_done"  # the printers' real outcome, reprint
    TRANSFER_RULES = "transfer_rules"
    TRANSFER_FROM = "transfer_from"      # where from: province, then city (eligibility follows)
    TRANSFER_CONTACT = "transfer_contact"  # contact mobile number
    TRANSFER_REVIEW = "transfer_review"
    TRANSFER_DONE = "transfer_done"
    TRANSFER_PROGRESS = "transfer_progress"
    MESSAGE = "message"                  # result, error, explanation (not eligible, card blocked...)
    GOODBYE = "goodbye"                  # take your card and papers
    OUT_OF_SERVICE = "out_of_service"


class Service(StrEnum):
    ENROLMENT = "enrolment"
    CONTRIBUTIONS = "contributions"
    CERTIFICATE = "certificate"
    PENSION_TRANSFER = "pension_transfer"
    TRANSFER_PROGRESS = "transfer_progress"  # part of the pension_transfer service in the profile


class MessageKind(StrEnum):
    RESULT = "result"
    INFO = "info"
    ERROR = "error"


class Intent(StrEnum):
    """What a screen (or a tactile key) asks for; the machine decides what it means now."""

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
    CHOOSE_SERVICE = "choose_service"  # value: Service
    PAGE = "page"                    # value: +1 / -1
    SELECT_YEAR = "select_year"      # value: int year
    SELECT_TYPE = "select_type"      # value: InsuranceType value or "" for all
    PRINT_RECEIPT = "print_receipt"
    SELECT_KIND = "select_kind"      # value: CertificateKind value
    SELECT_RANGE = "select_range"    # value: a CertificateRange value
    PREVIEW = "preview"
    PRINT = "print"
    REPRINT = "reprint"              # value: certificate number ("" = the one just issued)
    SELECT_PROVINCE = "select_province"  # value: region code
    SELECT_CITY = "select_city"      # value: region code
    SUBMIT = "submit"
    VIEW_PROGRESS = "view_progress"
    START_APPLICATION = "start_application"
    TOUCH = "touch"                  # a touch anywhere: activity, stops speech; nothing else


class CertificateRange(StrEnum):
    LAST_12_MONTHS = "last_12_months"
    LAST_3_YEARS = "last_3_years"
    ALL = "all"


@dataclasses.dataclass(frozen=True)
class ServiceTile:
    service: Service
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
class ContributionsView:
    years: tuple[int, ...] = ()   # newest first
    year: int | None = None
    insurance_type: InsuranceType | None = None  # None: all types
    page: models.ContributionPage | None = None
    page_number: int = 1
    page_count: int = 1
    print_status_key: str = ""    # "printing", "printed", or an error key


@dataclasses.dataclass(frozen=True)
class CertificateView:
    kind: CertificateKind = CertificateKind.ENROLMENT
    range: CertificateRange = CertificateRange.LAST_12_MONTHS
    period_from: str = ""
    period_to: str = ""
    issued: tuple[models.CertificateSummary, ...] = ()   # earlier certificates that can be re-printed
    certificate: models.Certificate | None = None        # issued (or fetched for reprint) in this session
    preview_lines: tuple[str, ...] = ()                  # the A4 page's text, in reading order
    document_status_key: str = ""  # "printed" or an error key (paper out mid-job...)
    receipt_status_key: str = ""
    reprint: bool = False          # printing an existing certificate again (no new issue)


@dataclasses.dataclass(frozen=True)
class TransferView:
    eligibility: models.TransferEligibility | None = None
    province: str = ""            # region code chosen
    city: str = ""
    mobile_length: int = 0        # digits typed; the digits themselves are in `mobile_display`
    mobile_display: str = ""      # the number as typed, grouped 3-4-4 (the citizen's own, on their screen)
    mobile_error_key: str = ""
    application: models.PensionTransfer | None = None
    applications: tuple[models.PensionTransfer, ...] = ()
    receipt_status_key: str = ""
    deferred_reference: str = ""  # accepted by this terminal, not yet confirmed by the back office


@dataclasses.dataclass(frozen=True)
class MessageView:
    kind: MessageKind
    title_key: str
    body_key: str = ""
    body_params: tuple[tuple[str, str], ...] = ()   # formatted into the catalogue text
    detail_text: str = ""         # back-office wording (already plain text, zh or en)
    next_step_key: str = ""
    actions: tuple[Intent, ...] = (Intent.CONFIRM,)


@dataclasses.dataclass(frozen=True)
class Countdown:
    seconds_left: int
    extensions_left: int


@dataclasses.dataclass(frozen=True)
class FlowState:
    screen: Screen = Screen.ATTRACT
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
    enrolment: models.Enrolment | None = None
    contributions: ContributionsView = ContributionsView()
    certificate: CertificateView = CertificateView()
    transfer: TransferView = TransferView()
    message: MessageView | None = None
    out_of_service_key: str = ""
    staff_called: bool = False
    speech_key: str = ""          # what this screen says; the speech service speaks it
    speech_params: tuple[tuple[str, str], ...] = ()
    can_go_back: bool = False
    session_active: bool = False
