"""The `kiosk` commands as a user runs them: real processes, real ports, real files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kiosk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk_app.cli", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_headless_demo_renders_screens_and_reaches_the_embedded_back_office(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(kiosk_command("demo", "--headless", "--out", str(tmp_path)), capture_output=True,
                            text=True, cwd=REPO, env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    shots = sorted(path.name for path in tmp_path.glob("*.png"))
    assert "attract-1920x1080-zh.png" in shots and "attract-1280x1024-en-elder.png" in shots
    assert len(shots) == 8
    assert all((tmp_path / name).stat().st_size > 10_000 for name in shots)
    assert "back office: http://127.0.0.1:" in result.stdout
    assert "张伟 (3201**********" in result.stdout
    assert "pension active" in result.stdout
    # The simulated devices did real work: card read and verified, ESC/POS decoded, a PDF rendered.
    assert "card reader: 张* 3201**********1234 card A0****019, PIN verified" in result.stdout
    assert "[QR] KIOSK-PRINTER-TEST" in (tmp_path / "receipt-test-page.txt").read_text(encoding="utf-8")
    assert (tmp_path / "certificate-sample.pdf").read_bytes().startswith(b"%PDF")


def test_backoffice_command_serves_the_contract(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(kiosk_command("backoffice", "--demo", "--port", str(port), "--db",
                                             str(tmp_path / "bo.sqlite3")),
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/certificates/AAAABBBBCCCCDDDD", timeout=2)
            except urllib.error.HTTPError as error:
                answer = error
                break
            except OSError:
                assert time.monotonic() < deadline, "back office did not start"
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        assert answer.code == 404
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert json.loads(answer.read())["code"] == "certificate_not_found"
        # Unsigned calls to the terminal API are refused.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/me/enrolment")
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError("unsigned request was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert (tmp_path / "bo.sqlite3").exists()


def test_backoffice_command_rejects_a_short_terminal_secret() -> None:
    result = subprocess.run(kiosk_command("backoffice", "--terminal", "T-1=short"), capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert "at least 16 characters" in result.stderr and "Traceback" not in result.stderr


def test_headless_scenario_runs_as_a_process_and_writes_its_screens(tmp_path: Path) -> None:
    result = subprocess.run(kiosk_command("demo", "--headless", "--scenario", "card-removed", "--out", str(tmp_path)),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scenario card-removed:" in result.stdout
    assert len(list((tmp_path / "card-removed").glob("*.png"))) >= 3
    unknown = subprocess.run(kiosk_command("demo", "--headless", "--scenario", "nope", "--out", str(tmp_path)),
                             capture_output=True, text=True, timeout=180)
    assert unknown.returncode == 2 and "unknown scenario" in unknown.stdout
