"""`kiosk demo --headless`: the demo offscreen, for a machine without a display.

With scenarios: scripted journeys write a numbered PNG per screen, each receipt (text
and PNG) and each certificate PDF. Without: the attract screen in each language and
mode, and a live check of the simulated devices and the embedded back office.

What a newcomer sees is one line per scenario and where the files are: the kiosk's log
goes to `<out>/kiosk.log` (only errors also reach the terminal), and the offscreen
platform's warning that it has no window manager to pass size hints to is dropped.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from kiosk.config import KioskSettings
from kiosk.redaction import LOG_FILE_NAME, configure_logging
from kiosk_app.composition import qt_application
from kiosk_demo.checks import print_backoffice_check, print_device_check
from kiosk_demo.scenarios import SCENARIOS, JourneyDriver, ScriptClock, start_kiosk

log = logging.getLogger("kiosk.demo")

SCREENSHOT_SIZES = ((1920, 1080), (1280, 1024))

# Said by the offscreen platform for every window shown (there is no window manager to
# take size hints): true, expected and nothing to act on when rendering without a display.
OFFSCREEN_NOISE = frozenset({"This plugin does not support propagateSizeHints()"})


def filter_offscreen_noise():
    """Drop OFFSCREEN_NOISE from Qt's messages; every other message still reaches stderr as Qt writes it.

    Returns the handler: Qt holds only its C++ side, so the caller keeps it referenced while it runs."""
    from PySide6.QtCore import qFormatLogMessage, qInstallMessageHandler

    def handler(mode, context, message: str) -> None:
        if message in OFFSCREEN_NOISE:
            return
        sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")
        sys.stderr.flush()

    qInstallMessageHandler(handler)
    return handler


def _log_to_file(settings: KioskSettings, out_dir: Path) -> Path:
    """The kiosk's log to `<out_dir>/kiosk.log`; on the terminal only errors (the scripts provoke warnings)."""
    configure_logging(settings.logging.level, out_dir)
    for handler in logging.getLogger().handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.ERROR)
    return out_dir / LOG_FILE_NAME


def run_scenarios(settings: KioskSettings, out_dir: Path, names: list[str]) -> int:
    """Scripted journeys offscreen: numbered PNGs per screen, receipts (text + PNG), certificate PDFs."""
    if "all" in names:
        names = list(SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
        return 2
    log_file = _log_to_file(settings, out_dir)
    noise_filter = filter_offscreen_noise()  # noqa: F841 (kept alive for the run)
    qt_application()
    print(f"playing {len(names)} scripted journey(s) offscreen into {out_dir} (log: {log_file})", flush=True)
    started = time.monotonic()
    failures = 0
    for name in names:
        script, size = SCENARIOS[name]
        clock = ScriptClock()
        kiosk = driver = None
        try:
            kiosk, window = start_kiosk(settings, size, clock)
            driver = JourneyDriver(kiosk, out_dir / name, size, clock)
            script(driver)
            print(f"scenario {name}: {len(driver.shots)} screens, {len(driver.receipts)} receipt(s), "
                  f"{len(driver.certificates)} certificate(s) in {out_dir / name}", flush=True)
        except Exception as error:  # reported, and the remaining scenarios still run
            failures += 1
            if driver is not None:
                driver.shot("failed")
            log.exception("scenario %s failed", name)
            print(f"scenario {name}: FAILED ({error})", flush=True)
        finally:
            if kiosk is not None:
                kiosk.shutdown()
                window.close()
                window.deleteLater()
    outcome = f"{failures} of {len(names)} FAILED" if failures else f"{len(names)} done"
    print(f"scenarios: {outcome} in {time.monotonic() - started:.0f} s; screens (PNG), receipts (text and PNG) "
          f"and certificates (PDF) are in {out_dir}/<scenario>/, the log in {log_file}")
    return 1 if failures else 0


def render_demo(settings: KioskSettings, out_dir: Path) -> int:
    """Offscreen demo: the attract screen in each language and mode, plus a live back-office check."""
    from kiosk.flow import Pressed
    from kiosk.flow_state import Intent
    from ui.screenshots import render_widget_png

    out_dir.mkdir(parents=True, exist_ok=True)
    log_file = _log_to_file(settings, out_dir)
    noise_filter = filter_offscreen_noise()  # noqa: F841 (kept alive for the run)
    qt_application()
    kiosk, window = start_kiosk(settings)
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
        print_backoffice_check(kiosk.wait_for_backoffice())
    finally:
        kiosk.shutdown()
    print(f"files are in {out_dir}, the log in {log_file}")
    return 0
