"""Pension-insurance transfer (养老保险关系转移接续): rules, where from, contact, review, done; progress."""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.contract.areas import cities_of
from kiosk.flow_events import SubmissionDeferred, deferred_receipt
from kiosk.flow_state import Intent, MessageKind, Screen
from kiosk.messages import in_language
from kiosk.service_api import Journey, MenuEntry, ServiceModule, ServiceTask, Step, TaskContext
from kiosk.services.pension_transfer.texts import TEXTS

if TYPE_CHECKING:
    from kiosk.contract import models

NAME = "pension_transfer"
MOBILE_LENGTH = 11
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
NOT_ELIGIBLE = "transfer_not_eligible"


class TransferScreens(StrEnum):
    TRANSFER_RULES = "transfer_rules"
    TRANSFER_FROM = "transfer_from"        # where from: province, then city (eligibility follows)
    TRANSFER_CONTACT = "transfer_contact"  # contact mobile number
    TRANSFER_REVIEW = "transfer_review"
    TRANSFER_DONE = "transfer_done"
    TRANSFER_PROGRESS = "transfer_progress"


class TransferIntent(StrEnum):
    SELECT_PROVINCE = "select_province"  # value: region code
    SELECT_CITY = "select_city"          # value: region code


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
    deferred_reference: str = ""  # accepted by this terminal, not yet confirmed by the back office


def transfer_view(state) -> TransferView:
    """What this service's screens draw (a fresh view when the state has none: the wipe, a test)."""
    return state.views.get(NAME) or TransferView()


@dataclasses.dataclass
class TransferPrivate:
    mobile: str = ""               # the contact number being typed
    transfer_key: str = ""         # idempotency key of the application under review


@dataclasses.dataclass(frozen=True)
class CheckEligibility(ServiceTask):
    token: str = dataclasses.field(repr=False)
    from_region: str

    def perform(self, context: TaskContext, cancel):
        return context.client().transfer_eligibility(self.token, self.from_region)

    def done(self, journey: Journey, value: object) -> None:
        eligibility: models.TransferEligibility = value
        view = replace(journey.view, eligibility=eligibility)
        if eligibility.eligible:
            journey.private.mobile = ""
            journey.go(TransferScreens.TRANSFER_CONTACT, replace(view, mobile_length=0, mobile_display="",
                                                                 mobile_error_key=""))
            return
        journey.set_view(view)
        detail = in_language(journey.state.language, zh=eligibility.message_zh, en=eligibility.message_en)
        actions = (Intent.VIEW_PROGRESS, Intent.CONFIRM) if eligibility.code == "active_application" \
            else (Intent.BACK, Intent.CONFIRM)
        journey.message(MessageKind.INFO, NOT_ELIGIBLE, detail=detail, actions=actions)


@dataclasses.dataclass(frozen=True)
class SubmitTransfer(ServiceTask):
    token: str = dataclasses.field(repr=False)
    from_region: str
    contact_mobile: str = dataclasses.field(repr=False)
    idempotency_key: str
    grant: str = dataclasses.field(default="", repr=False)

    def perform(self, context: TaskContext, cancel):
        client = context.client()
        payload = {"from_region": self.from_region, "contact_mobile": self.contact_mobile}
        return context.submit("pension_transfer", self.idempotency_key, payload, self.grant,
                              lambda: client.apply_pension_transfer(self.token, self.from_region,
                                                                    self.contact_mobile,
                                                                    idempotency_key=self.idempotency_key))

    def done(self, journey: Journey, value: object) -> None:
        journey.private.mobile = ""
        journey.private.transfer_key = ""
        deferred = value if isinstance(value, SubmissionDeferred) else None
        journey.go(TransferScreens.TRANSFER_DONE, replace(
            journey.view, application=None if deferred else value, mobile_display="", mobile_length=0,
            deferred_reference=deferred.reference if deferred else ""))
        if deferred:
            journey.say("transfer_done.deferred_speech")
        _print(journey, value)


@dataclasses.dataclass(frozen=True)
class LoadTransfers(ServiceTask):
    token: str = dataclasses.field(repr=False)

    def perform(self, context: TaskContext, cancel):
        return context.client().pension_transfers(self.token)

    def done(self, journey: Journey, value: object) -> None:
        journey.go(TransferScreens.TRANSFER_PROGRESS, replace(journey.view, applications=tuple(value)))


def _print(journey: Journey, subject: object) -> None:
    from kiosk.services.pension_transfer import receipt  # the paper layout (and pydantic) loads after the first frame

    layout = deferred_receipt if isinstance(subject, SubmissionDeferred) else receipt.receipt_layout
    journey.print_receipt(subject, layout)


def start_application(journey: Journey) -> None:
    journey.set_view(TransferView())
    journey.go(TransferScreens.TRANSFER_RULES)


def load_progress(journey: Journey) -> None:
    journey.run(LoadTransfers(journey.token), "busy.loading")


def on_rules(journey: Journey, intent, value: object) -> bool:
    if intent in (Intent.START_APPLICATION, Intent.CONFIRM):
        journey.go(TransferScreens.TRANSFER_FROM)
    elif intent is Intent.VIEW_PROGRESS:
        load_progress(journey)
    else:
        return False
    return True


def on_from(journey: Journey, intent, value: object) -> bool:
    view: TransferView = journey.view
    if intent is Intent.BACK and view.province:
        journey.set_view(replace(view, province="", city=""))   # Back from the cities is the provinces
    elif intent == TransferIntent.SELECT_PROVINCE and isinstance(value, str):
        if value == "" or cities_of(value):
            journey.set_view(replace(view, province=value, city=""))
    elif intent == TransferIntent.SELECT_CITY and isinstance(value, str) and view.province:
        if any(city.code == value for city in cities_of(view.province)):
            journey.set_view(replace(view, city=value))
            journey.run(CheckEligibility(journey.token, value), "busy.checking_eligibility")
    else:
        return False
    return True


def on_contact(journey: Journey, intent, value: object) -> bool:
    private: TransferPrivate = journey.private
    if intent is Intent.DIGIT and isinstance(value, str) and value.isdigit() and len(value) == 1:
        if len(private.mobile) < MOBILE_LENGTH:
            private.mobile += value
        _show_mobile(journey, "")
    elif intent is Intent.DELETE:
        private.mobile = private.mobile[:-1]
        _show_mobile(journey, "")
    elif intent is Intent.CLEAR:
        private.mobile = ""
        _show_mobile(journey, "")
    elif intent is Intent.CONFIRM:
        if len(private.mobile) < MOBILE_LENGTH:
            _show_mobile(journey, "transfer.mobile.incomplete")
        elif not MOBILE_PATTERN.match(private.mobile):
            _show_mobile(journey, "transfer.mobile.invalid")
        else:
            private.transfer_key = uuid.uuid4().hex   # one application per review, retried with it
            journey.go(TransferScreens.TRANSFER_REVIEW)
    else:
        return False
    return True


def _show_mobile(journey: Journey, error_key: str) -> None:
    digits = journey.private.mobile
    display = " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)
    journey.set_view(replace(journey.view, mobile_length=len(digits), mobile_display=display,
                             mobile_error_key=error_key))
    if error_key:
        journey.say(error_key)


def on_review(journey: Journey, intent, value: object) -> bool:
    if intent in (Intent.SUBMIT, Intent.CONFIRM):
        private: TransferPrivate = journey.private
        journey.run(SubmitTransfer(journey.token, journey.view.city, private.mobile, private.transfer_key,
                                   journey.grant), "busy.submitting", cancellable=False,
                    hint_key="busy.submitting_hint")
        return True
    return False


def on_done(journey: Journey, intent, value: object) -> bool:
    view: TransferView = journey.view
    if intent is Intent.VIEW_PROGRESS:
        load_progress(journey)
    elif intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
        journey.to_menu()
    elif intent is Intent.PRINT_RECEIPT and view.application is not None:
        _print(journey, view.application)
    elif intent is Intent.PRINT_RECEIPT and view.deferred_reference:
        _print(journey, SubmissionDeferred(NAME, view.deferred_reference))
    return True


def on_progress(journey: Journey, intent, value: object) -> bool:
    if intent is Intent.START_APPLICATION:
        start_application(journey)
        return True
    return False


def on_message(journey: Journey, intent, value: object) -> bool:
    """Presses on this service's messages (not eligible: back to the cities, or see the progress)."""
    message = journey.state.message
    if intent is Intent.BACK and message is not None and message.title_key == f"message.{NOT_ELIGIBLE}.title":
        journey.show(TransferScreens.TRANSFER_FROM)
    elif intent is Intent.VIEW_PROGRESS:
        load_progress(journey)
    elif intent is Intent.START_APPLICATION:
        journey.go(TransferScreens.TRANSFER_RULES)
    else:
        return False
    return True


SERVICE = ServiceModule(
    name=NAME,
    menu=(MenuEntry(NAME, start_application), MenuEntry("transfer_progress", load_progress, profile_name=NAME)),
    steps=(
        Step(TransferScreens.TRANSFER_RULES, "transfer_rules.speech", on_rules, back=Screen.MENU),
        Step(TransferScreens.TRANSFER_FROM, "transfer_from.speech", on_from, back=TransferScreens.TRANSFER_RULES),
        Step(TransferScreens.TRANSFER_CONTACT, "transfer_contact.speech", on_contact,
             back=TransferScreens.TRANSFER_FROM),
        Step(TransferScreens.TRANSFER_REVIEW, "transfer_review.speech", on_review,
             back=TransferScreens.TRANSFER_CONTACT),
        Step(TransferScreens.TRANSFER_DONE, "transfer_done.speech", on_done),
        Step(TransferScreens.TRANSFER_PROGRESS, "transfer_progress.speech", on_progress, back=Screen.MENU),
    ),
    new_view=TransferView,
    new_private=TransferPrivate,
    texts=TEXTS,
    on_message=on_message,
)
