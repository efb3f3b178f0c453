"""`kiosk demo --headless`: the demo offscreen, for a machine without a display.

With scenarios: scripted journeys write a numbered PNG per screen, each receipt (text
and PNG) and each certificate PDF. Without: the attract screen in each language and
mode, and a live check of the simulated devices and the embedded back office.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.app import KioskApplication, qt_application
from kiosk.config import KioskSettings
from kiosk.demo_checks import print_backoffice_check, print_device_check
from ui.demo_scenarios import SCENARIOS, JourneyDriver, ScriptClock

log = logging.getLogger("kiosk.demo")

SCREENSHOT_SIZES = ((1920, 1080), (1280, 1024))


def run_scenarios(settings: KioskSettings, out_dir: Path, names: list[str]) -> int:
    """Scripted journeys offscreen: numbered PNGs per screen, receipts (text + PNG), certificate PDFs."""
    if "all" in names:
        names = list(SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
        return 2
    qt_application()
    failures = 0
    for name in names:
        script, size = SCENARIOS[name]
        clock = ScriptClock()
        kiosk = KioskApplication(settings, clock=clock)
        window = kiosk.build_window()
        window.resize(*size)
        window.show()   # offscreen platform: laid out and focusable like on the panel
        kiosk.start_services()
        driver = JourneyDriver(kiosk, out_dir / name, size, clock)
        try:
            kiosk.wait_for_devices()
            kiosk.wait_for_backoffice()
            script(driver)
            print(f"scenario {name}: {len(driver.shots)} screens, {len(driver.receipts)} receipt(s), "
                  f"{len(driver.certificates)} certificate(s) in {out_dir / name}")
        except Exception as error:  # reported, and the remaining scenarios still run
            failures += 1
            driver.shot("failed")
            log.exception("scenario %s failed", name)
            print(f"scenario {name}: FAILED ({error})")
        finally:
            kiosk.shutdown()
            window.close()
            window.deleteLater()
    return 1 if failures else 0


def render_demo(settings: KioskSettings, out_dir: Path) -> int:
    """Offscreen demo: the attract screen in each language and mode, plus a live back-office check."""
    from kiosk.flow import Pressed
    from kiosk.flow_state import Intent
    from ui.screenshots import render_widget_png

    qt_application()
    kiosk = KioskApplication(settings)
    window = kiosk.build_window()
    kiosk.start_services()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for width, height in SCREENSHOT_SIZES:
        for language in ("zh", "en"):
            for elder in (False, True):
                kiosk.controller.dispatch(Pressed(Intent.LANGUAGE, language))
                kiosk.controller.dispatch(Pressed(Intent.ELDER_MODE, elder))
                name = f"attract-{width}x{height}-{language}{'-elder' if elder else ''}.png"
                written.append(render_widget_png(window, out_dir / name, (width, height)))
    for path in written:
        print(f"screen: {path}")
    try:
        print_device_check(kiosk.wait_for_devices(), out_dir)
        link = kiosk.wait_for_backoffice()
        print_backoffice_check(link)
    finally:
        kiosk.shutdown()
    return 0
