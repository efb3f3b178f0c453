"""The keyboard wedge against real X11 keystrokes: Xvfb plus xdotool typing at a person's and
at a scanner's speed into a real window (the other wedge tests synthesise Qt events)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                                reason="needs Xvfb and xdotool (Debian: apt-get install xvfb xdotool)")


@pytest.fixture
def x_display():
    for number in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert time.monotonic() < deadline and server.poll() is None, "Xvfb did not start"
        time.sleep(0.05)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def test_person_typing_reaches_the_field_and_a_scanner_burst_becomes_one_code(x_display) -> None:
    env = dict(os.environ, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    window = subprocess.Popen([sys.executable, str(Path(__file__).with_name("wedge_window.py")), "8"], cwd=REPO,
                              env={**env, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert window.stdout.readline().strip() == "ready", window.stderr.read()
        time.sleep(0.5)  # the window is mapped and focused

        def xdotool(*args: str) -> None:
            subprocess.run(["xdotool", *args], env=env, check=True, timeout=30)

        xdotool("type", "--delay", "150", "hello")                   # a person
        # A scanner, ending in Enter: one xdotool process, so no process start sits between the keys.
        xdotool("key", "--delay", "4", *"ECARD0123456789ABCDEF", "Return")
        xdotool("type", "--delay", "150", "abc")                     # the person again
        report = json.loads(window.stdout.readline())
    finally:
        window.kill()
        window.wait(timeout=10)
    assert report == {"scanned": ["ECARD0123456789ABCDEF"], "failed": [], "field": "helloabc"}
