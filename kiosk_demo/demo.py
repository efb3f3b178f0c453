"""`kiosk demo`: the kiosk with simulated devices and the embedded reference back office.

Windowed, the simulator panel sits beside the kiosk; with `--headless` the screens are
rendered offscreen (`kiosk_demo/headless.py`).
"""

from __future__ import annotations

import os
from pathlib import Path


def run_demo(profile: str = "demo", headless_out: Path | None = None, scenarios: list[str] | None = None) -> int:
    if headless_out is None:
        from kiosk_app.composition import run_kiosk
        from kiosk_demo.simulator_panel import SimulatorPanel

        return run_kiosk(profile, companion=SimulatorPanel)
    from kiosk.config import load_settings
    from kiosk.redaction import configure_logging

    settings = load_settings(profile)
    configure_logging(settings.logging.level)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from kiosk_demo.headless import render_demo, run_scenarios

    if scenarios:
        return run_scenarios(settings, headless_out, scenarios)
    return render_demo(settings, headless_out)
