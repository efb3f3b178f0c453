"""A citizen session leaves nothing behind in the kiosk's memory: no widget, no QObject,
no object of the kiosk's own types (flow state, tickets, devices, screens) that stays
after the card is out. Counted after warm sessions, without timers."""

from __future__ import annotations

import gc
from collections import Counter

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from kiosk.config import load_settings
from kiosk_demo.scenarios import JourneyDriver, ScriptClock, start_kiosk
from kiosk_bench.ui_bench import memory_journey

WARM_SESSIONS = 4
MEASURED_SESSIONS = 10
OWN_MODULES = ("kiosk.", "ui.", "devices.", "PySide6.", "shiboken6")


def _own_type(kind: type) -> bool:
    module = kind.__dict__.get("__module__")
    return isinstance(module, str) and module.startswith(OWN_MODULES)


def census(kiosk) -> tuple[int, int, Counter]:
    gc.collect()
    JourneyDriver.process_events()
    own = Counter(type(thing).__qualname__ for thing in gc.get_objects() if _own_type(type(thing)))
    return len(QApplication.allWidgets()), len(kiosk.window.findChildren(QObject)), own


def test_sessions_leave_no_widgets_qobjects_or_kiosk_objects_behind(qtbot) -> None:
    kiosk, window = start_kiosk(load_settings("demo"), clock=ScriptClock())
    driver = JourneyDriver(kiosk)
    try:
        for _ in range(WARM_SESSIONS):
            memory_journey(driver)
        widgets, qobjects, own = census(kiosk)
        for _ in range(MEASURED_SESSIONS):
            memory_journey(driver)
        widgets_after, qobjects_after, own_after = census(kiosk)
    finally:
        kiosk.shutdown()
        window.close()
    assert (widgets_after, qobjects_after) == (widgets, qobjects)
    # One more object of a type per session would be a leak; a bounded history is not.
    grown = {name: count - own[name] for name, count in own_after.items()
             if count - own[name] >= MEASURED_SESSIONS and name != "SpeechEvent"}
    assert not grown, grown
