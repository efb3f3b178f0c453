"""The demo's simulator control window acts on the real simulators and the embedded back office."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from kiosk.config import load_settings
from kiosk.flow_state import Screen
from kiosk_demo.scenarios import JourneyDriver, start_kiosk
from kiosk_demo.simulator_panel import SimulatorPanel


def press(panel: SimulatorPanel, text: str) -> None:
    button = next(b for b in panel.findChildren(QPushButton) if b.text() == text)
    button.click()


def test_panel_plays_card_phone_paper_and_back_office(qtbot):
    kiosk, window = start_kiosk(load_settings("demo"))
    embedded = kiosk.wait_for_backoffice().embedded
    panel = SimulatorPanel(kiosk)
    qtbot.addWidget(panel)
    driver = JourneyDriver(kiosk)
    try:
        panel.card_choice.setCurrentIndex(panel.card_choice.findData("A00000027"))
        press(panel, "Insert card")
        driver.wait_screen(Screen.PIN)
        press(panel, "Remove card")
        driver.wait_screen(Screen.ATTRACT)

        panel.ecard_choice.setCurrentIndex(panel.ecard_choice.findData("zhao_min"))
        press(panel, "Scan e-card code")
        state = driver.wait_screen(Screen.MENU)
        assert state.identified_by == "ecard" and state.citizen.name == "赵敏"

        press(panel, "A4: paper out")
        driver.wait(lambda s: not next(t for t in s.menu if t.service == "certificate").available,
                    "certificate unavailable")
        press(panel, "A4: paper in")
        driver.wait(lambda s: next(t for t in s.menu if t.service == "certificate").available,
                    "certificate available again", 15)

        press(panel, "Slow (10 s)")
        assert embedded._delay.seconds == 10.0
        press(panel, "Normal speed")
        assert embedded._delay.seconds == 0.0
        press(panel, "Down")
        driver.wait(lambda s: not embedded.running, "back office stopped", 15)
        press(panel, "Up")
        driver.wait(lambda s: embedded.running, "back office running", 15)
        assert "done" in panel.status.text()
    finally:
        kiosk.shutdown()
        window.close()
