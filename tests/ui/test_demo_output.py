"""What a newcomer sees from the headless demo: a line per scenario and where the files
are, not Qt's offscreen chatter or the kiosk's INFO log (that goes to a file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOISE = "This plugin does not support propagateSizeHints()"


@pytest.mark.parametrize("scenario", ["contributions", "transfer-offline"])
def test_a_headless_scenario_prints_a_short_progress_report(tmp_path: Path, scenario: str) -> None:
    out = tmp_path / "demo-output"
    env = {name: value for name, value in os.environ.items()
           if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QT_LOGGING_RULES")}
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "demo", "--headless", "--scenario", scenario,
                             "--out", str(out)], capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
    printed = result.stdout + result.stderr
    assert result.returncode == 0, printed
    assert "propagateSizeHints" not in printed
    lines = printed.splitlines()
    assert len(lines) <= 4, printed
    assert any(line.startswith(f"scenario {scenario}: ") and str(out / scenario) in line for line in lines)
    assert str(out) in lines[-1] and "kiosk.log" in lines[-1]
    # The INFO log is still written, to the file the output names.
    log = (out / "kiosk.log").read_text(encoding="utf-8")
    assert " INFO kiosk.flow " in log and "session ended" in log
    assert len(list((out / scenario).glob("*.png"))) >= 3


def test_only_the_offscreen_noise_is_filtered_from_qts_messages(capfd) -> None:
    from PySide6.QtCore import qWarning

    from kiosk_demo.headless import filter_offscreen_noise

    handler = filter_offscreen_noise()  # noqa: F841 (kept alive while Qt may call it)
    try:
        qWarning(NOISE)
        qWarning("QPainter::begin: Paint device returned engine == 0, type: 3")
    finally:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(None)
    err = capfd.readouterr().err
    assert NOISE not in err
    assert "QPainter::begin: Paint device returned engine == 0" in err
