"""The toy service's kiosk side: one step, one back-office call, one receipt (Qt-free).

Everything a service needs comes from kiosk.service_api, kiosk.flow_state (the shared
presses and screens) and kiosk.documents (the shared receipt frame); nothing of the
core is edited to add it.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from pydantic import BaseModel

from devices.receipt.layout import KeyValue
from kiosk import documents
from kiosk.flow_state import Intent, Screen
from kiosk.messages import in_language
from kiosk.service_api import MenuEntry, ServiceModule, ServiceTask, Step

NAME = "toy"


class ToyScreens(StrEnum):
    GREETING = "toy_greeting"


class ToyGreeting(BaseModel):
    """The back office's answer (the route in backoffice_route.py returns this shape)."""

    greeting_zh: str
    greeting_en: str
    months_paid: int


@dataclasses.dataclass(frozen=True)
class ToyView:
    greeting: ToyGreeting | None = None


def toy_view(state) -> ToyView:
    return state.views.get(NAME) or ToyView()


@dataclasses.dataclass(frozen=True)
class LoadGreeting(ServiceTask):
    token: str = dataclasses.field(repr=False)

    def perform(self, context, cancel) -> ToyGreeting:
        return context.client().citizen_read("/v1/me/toy-greeting", ToyGreeting, self.token)

    def done(self, journey, value) -> None:
        journey.go(ToyScreens.GREETING, ToyView(value))


def greeting_receipt(citizen, greeting: ToyGreeting, common) -> tuple[object, str]:
    language, catalog = common.language, common.catalog
    text = in_language(language, zh=greeting.greeting_zh, en=greeting.greeting_en)
    layout = documents.service_receipt(citizen, catalog.text("toy.title", language), [
        KeyValue(catalog.text("toy.receipt.greeting", language), text),
        KeyValue(catalog.text("toy.receipt.months", language), str(greeting.months_paid)),
    ], **common.as_kwargs())
    return layout, "toy greeting"


def start(journey) -> None:
    journey.run(LoadGreeting(journey.token), "busy.loading")


def on_greeting(journey, intent, value) -> bool:
    greeting = journey.view.greeting
    if intent is Intent.PRINT_RECEIPT and greeting is not None:
        journey.print_receipt(greeting, greeting_receipt)
        return True
    return False


TEXTS = {
    "toy.title": {"zh": "问候", "en": "Greeting"},
    "toy.speech": {"zh": "这是给您的问候。需要凭条请按打印。", "en": "Here is your greeting. Press Print for a receipt."},
    "toy.print": {"zh": "打印凭条", "en": "Print this"},
    "toy.receipt.greeting": {"zh": "问候", "en": "Greeting"},
    "toy.receipt.months": {"zh": "已缴月数", "en": "Months paid"},
    "menu.service.toy.title": {"zh": "问候", "en": "Greeting"},
    "menu.service.toy.desc": {"zh": "看看系统怎么称呼您", "en": "See how the system greets you"},
}

SERVICE = ServiceModule(
    name=NAME,
    menu=(MenuEntry(NAME, start),),
    steps=(Step(ToyScreens.GREETING, "toy.speech", on_greeting, back=Screen.MENU),),
    new_view=ToyView,
    texts=TEXTS,
)
