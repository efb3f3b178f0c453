"""Enrolment (参保信息): one screen showing each insurance type's status, printable."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.flow_state import Intent, Screen
from kiosk.service_api import Journey, MenuEntry, ServiceModule, ServiceTask, Step, TaskContext
from kiosk.services.enrolment.texts import TEXTS

if TYPE_CHECKING:
    from kiosk.contract import models

NAME = "enrolment"


class EnrolmentScreens(StrEnum):
    ENROLMENT = "enrolment"


@dataclasses.dataclass(frozen=True)
class EnrolmentView:
    enrolment: models.Enrolment | None = None


def enrolment_view(state) -> EnrolmentView:
    """What this service's screens draw (a fresh view when the state has none: the wipe, a test)."""
    return state.views.get(NAME) or EnrolmentView()


@dataclasses.dataclass(frozen=True)
class LoadEnrolment(ServiceTask):
    token: str = dataclasses.field(repr=False)

    def perform(self, context: TaskContext, cancel):
        return context.client().enrolment(self.token)

    def done(self, journey: Journey, value: object) -> None:
        journey.go(EnrolmentScreens.ENROLMENT, EnrolmentView(value))


def start(journey: Journey) -> None:
    journey.run(LoadEnrolment(journey.token), "busy.loading")


def on_enrolment(journey: Journey, intent, value: object) -> bool:
    enrolment = journey.view.enrolment
    if intent is Intent.PRINT_RECEIPT and enrolment is not None:
        from kiosk.services.enrolment import receipt  # the paper layout (and pydantic) loads after the first frame

        journey.print_receipt(enrolment, receipt.receipt_layout)
        return True
    return False


SERVICE = ServiceModule(
    name=NAME,
    menu=(MenuEntry(NAME, start),),
    steps=(Step(EnrolmentScreens.ENROLMENT, "enrolment.speech", on_enrolment, back=Screen.MENU),),
    new_view=EnrolmentView,
    texts=TEXTS,
)
