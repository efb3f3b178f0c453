"""The toy service's screen: draws the greeting and offers a receipt; it decides nothing."""

from __future__ import annotations

from kiosk.flow_state import FlowState, Intent
from kiosk.messages import in_language
from tests.toy_service.service import ToyScreens, toy_view
from ui.screens.base import FlowScreen
from ui.services import ServiceScreens
from ui.widgets.kiosk_button import KioskButton


class ToyGreetingScreen(FlowScreen):
    SCREEN = ToyScreens.GREETING

    def build_body(self) -> None:
        self.greeting_label = self.label("heading", name="toy_greeting")
        self.print_button = KioskButton("", "primary")
        self.print_button.setObjectName("toy_print")
        self.print_button.activated.connect(lambda: self.emit_intent(Intent.PRINT_RECEIPT))
        self.body.addWidget(self.greeting_label)
        self.body.addWidget(self.print_button)
        self.body.addStretch(1)

    def title_key(self, state: FlowState) -> str:
        return "toy.title"

    def draw(self, state: FlowState) -> None:
        greeting = toy_view(state).greeting
        text = "" if greeting is None else in_language(state.language, zh=greeting.greeting_zh, en=greeting.greeting_en)
        self.greeting_label.setText(text)
        self.print_button.setText(self.t("toy.print"))


SCREENS = ServiceScreens("toy", (ToyGreetingScreen,))
