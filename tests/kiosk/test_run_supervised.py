"""`kiosk run` as its supervisor sees it: a real process, a real NOTIFY_SOCKET datagram socket.

The locked-down kiosk tells systemd it is ready once the attract screen is shown, pings the
watchdog from the GUI thread, and a SIGTERM (`systemctl stop`) ends it cleanly even though
its window refuses to be closed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ready_watchdog_and_a_clean_stop_under_a_supervisor(tmp_path):
    profile = tmp_path / "locked.toml"
    profile.write_text(f"""
[terminal]
id = "KIOSK-DEMO-0001"
secret = "demo-terminal-secret-change-me"

[backoffice]
url = "http://127.0.0.1/"
embedded = true

[storage]
directory = "{tmp_path / 'state'}"

[heartbeat]
interval_s = 0

[speech]
enabled = false

[ui]
fullscreen = true
frameless = true
hide_cursor = true

[logging]
directory = "{tmp_path / 'log'}"
""", encoding="utf-8")
    notify_path = tmp_path / "notify.sock"
    supervisor = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    supervisor.bind(str(notify_path))
    supervisor.settimeout(1.0)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NOTIFY_SOCKET=str(notify_path), WATCHDOG_USEC="2000000",
               PYTHONPATH=str(REPO))
    env.pop("KIOSK_EXIT_AFTER_FIRST_FRAME", None)
    process = subprocess.Popen([sys.executable, "-c", "from kiosk_app.cli import main; raise SystemExit(main())",
                                "run", "--profile", str(profile)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=(tmp_path / "kiosk.log").open("wb"))
    messages: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (any("READY=1" in m for m in messages)
                                                   and sum("WATCHDOG=1" in m for m in messages) >= 2):
            try:
                messages.append(supervisor.recv(4096).decode())
            except socket.timeout:
                assert process.poll() is None, "the kiosk died"
        assert any("READY=1" in message for message in messages), messages
        assert sum("WATCHDOG=1" in message for message in messages) >= 2, messages
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(30) == 0
        while True:
            try:
                messages.append(supervisor.recv(4096).decode())
            except socket.timeout:
                break
        assert any("STOPPING=1" in message for message in messages), messages
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        supervisor.close()
    # The journal saw the start and the orderly stop.
    from kiosk.journal import Journal

    journal = Journal(tmp_path / "state" / "journal.sqlite3")
    try:
        kinds = [entry.kind for entry in journal.entries()]
        assert journal.verify().ok
    finally:
        journal.close()
    assert "kiosk.started" in kinds and "kiosk.stopped" in kinds


def test_a_storage_directory_that_cannot_be_written_stops_the_start_with_a_clear_line(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the state directory should be", encoding="utf-8")
    profile = tmp_path / "nostate.toml"
    profile.write_text(f'[storage]\ndirectory = "{blocker}/state"\n[ui]\nfullscreen = false\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from kiosk_app.cli import main; raise SystemExit(main())", "run",
                           "--profile", str(profile)], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO)))
    assert done.returncode == 2
    assert f"{profile}: storage.directory: {blocker}/state cannot be written" in done.stderr
