"""Adding a service touches only its own folder: a toy service, kept in the test tree, runs a whole
journey through the real kiosk (window, flow, controller, outbox-less read, receipt printer) and the
real reference back office with the toy's own route (docs/adding-a-service.md)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from devices.receipt.escpos_decode import decode_escpos
from kiosk import flow
from kiosk.config import ServiceSettings, load_settings
from kiosk.flow_state import Intent, Screen
from kiosk.services import built_in_services
from kiosk_demo.scenarios import JourneyDriver, ScriptClock, start_kiosk
from tests.toy_service.backoffice_route import router
from tests.toy_service.service import SERVICE, LoadGreeting, ToyGreeting, ToyScreens, toy_view
from ui.services import built_in_screens

REPO = Path(__file__).resolve().parents[2]
ALL_SERVICES = (*built_in_services(), SERVICE)


def test_no_production_file_knows_the_toy() -> None:
    """The toy needs no edit outside its folder: nothing in the product names it."""
    mentions = [str(path.relative_to(REPO)) for package in ("kiosk", "ui", "devices", "backoffice", "kiosk_app")
                for path in (REPO / package).rglob("*.py") if "toy" in path.read_text(encoding="utf-8").lower()]
    assert mentions == []


def test_the_flow_runs_the_toy_like_a_built_in_service() -> None:
    machine = flow.FlowMachine(flow.FlowSettings(enabled_services=(*flow.FlowSettings().enabled_services, "toy")),
                               services=ALL_SERVICES)
    machine.start(0.0)
    read, = [e.ticket for e in machine.handle(flow.CardPresence(True), 1.0) if isinstance(e, flow.RunTask)]
    card = type("Card", (), {"pin_tries_left": 3})()
    machine.handle(flow.TaskDone(read, card), 2.0)
    for digit in "123456":
        machine.handle(flow.Pressed(Intent.DIGIT, digit), 3.0)
    effects = machine.handle(flow.Pressed(Intent.CONFIRM), 3.0)
    verify, = [e.ticket for e in effects if isinstance(e, flow.RunTask)]
    effects = machine.handle(flow.TaskDone(verify, type("Pin", (), {"verified": True})()), 4.0)
    opening, = [e.ticket for e in effects if isinstance(e, flow.RunTask)]
    citizen = type("Citizen", (), {"name": "张伟", "ssn_masked": "3201**********0018"})()
    opened = type("Opened", (), {"token": "t0k3n", "submission_grant": "", "citizen": citizen})()
    machine.handle(flow.TaskDone(opening, opened), 5.0)
    assert machine.state.screen is Screen.MENU and "toy" in [tile.service for tile in machine.state.menu]

    effects = machine.handle(flow.Pressed(Intent.CHOOSE_SERVICE, "toy"), 6.0)
    run, = [e for e in effects if isinstance(e, flow.RunTask)]
    assert isinstance(run.task, LoadGreeting) and machine.state.screen is Screen.BUSY
    greeting = ToyGreeting(greeting_zh="张先生/女士，您好", greeting_en="Hello, 张.", months_paid=120)
    effects = machine.handle(flow.TaskDone(run.ticket, greeting), 7.0)
    assert machine.state.screen is ToyScreens.GREETING and toy_view(machine.state).greeting == greeting
    assert [e.key for e in effects if isinstance(e, flow.Speak)] == ["toy.speech"]
    assert machine.state.can_go_back
    machine.handle(flow.Pressed(Intent.BACK), 8.0)
    assert machine.state.screen is Screen.MENU


@pytest.fixture
def toy_kiosk(qtbot, caplog):
    caplog.set_level(logging.INFO)
    base = load_settings("demo")
    settings = dataclasses.replace(base, services=ServiceSettings(enabled=(*base.services.enabled, "toy")))
    clock = ScriptClock()
    kiosk, window = start_kiosk(settings, clock=clock, services=ALL_SERVICES,
                                service_screens=(*built_in_screens(), _toy_screens()))
    kiosk.wait_for_backoffice().embedded.app.include_router(router)
    yield JourneyDriver(kiosk, None, (1920, 1080), clock)
    kiosk.shutdown()
    window.close()


def _toy_screens():
    from tests.toy_service.screens import SCREENS

    return SCREENS


def test_a_journey_through_the_toy_service_with_its_route_and_receipt(toy_kiosk, tmp_path) -> None:
    driver = toy_kiosk
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "toy")
    state = driver.wait_screen(ToyScreens.GREETING)
    greeting = toy_view(state).greeting
    assert greeting.greeting_zh == "张先生/女士，您好" and greeting.months_paid > 0   # from the demo database
    screen = driver.kiosk.window.flow_screens()[ToyScreens.GREETING]
    assert screen.greeting_label.text() == "张先生/女士，您好" and screen.print_button.text() == "打印凭条"
    screen.grab().save(str(tmp_path / "toy.png"))
    driver.press(Intent.PRINT_RECEIPT)
    driver.wait(lambda s: s.receipt_status == "printed", "the toy's receipt printed")
    receipt = decode_escpos(driver.receipts[-1]).render_text()
    assert "问候" in receipt and "张先生/女士，您好" in receipt and "已缴月数" in receipt
    assert "3201**********0018" in receipt or "****" in receipt       # the shared head: masked ssn only
    driver.press(Intent.BACK)
    driver.wait_screen(Screen.MENU)
    driver.press(Intent.FINISH)
    driver.wait_screen(Screen.GOODBYE)
