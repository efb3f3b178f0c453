"""`kiosk backoffice` / `python -m backoffice`: refuses to start without terminals unless --demo; reads
terminals and the e-card key from files."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from backoffice import cli
from backoffice.settings import DEMO_TERMINAL_ID

REPO = Path(__file__).resolve().parents[2]
KEY = "0123456789abcdef0123456789abcdef0123456789abcdef"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def private_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("command", [["-m", "kiosk_app.cli", "backoffice"], ["-m", "backoffice"]])
def test_no_terminals_and_no_demo_refuses_to_start(tmp_path: Path, command):
    result = subprocess.run([sys.executable, *command, "--db", str(tmp_path / "bo.sqlite3"), "--port", "0"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no terminals configured" in result.stderr and "--terminal" in result.stderr and "--demo" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bo.sqlite3").exists()


def test_demo_flag_serves_the_demo_terminal_and_codes(tmp_path: Path):
    settings = cli.settings_from_args(parse("--demo", "--db", str(tmp_path / "bo.sqlite3")))
    assert settings.demo_mode and DEMO_TERMINAL_ID in settings.accepted_terminals()
    real = cli.settings_from_args(parse("--terminal", "T-1=a-secret-of-16-chars", "--db", str(tmp_path / "x")))
    assert not real.demo_mode and real.accepted_terminals() == {"T-1": "a-secret-of-16-chars"}


def test_terminals_come_from_options_and_a_file(tmp_path: Path, capsys):
    listing = private_file(tmp_path / "terminals", "# hall 1\nHALL-0001=first-secret-0123456789\n\n"
                                                   "HALL-0002:second:secret=0123456789\n")
    settings = cli.settings_from_args(parse("--terminals-file", str(listing), "--terminal",
                                            "HALL-0003:third-secret-0123456789"))
    assert settings.terminals == {"HALL-0001": "first-secret-0123456789", "HALL-0002": "second:secret=0123456789",
                                  "HALL-0003": "third-secret-0123456789"}
    assert capsys.readouterr().err == ""


def test_a_file_others_can_read_is_warned_about(tmp_path: Path, capsys):
    listing = private_file(tmp_path / "terminals", "HALL-0001=first-secret-0123456789\n", mode=0o644)
    cli.settings_from_args(parse("--terminals-file", str(listing)))
    assert "readable by others" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["HALL-0001", "HALL-0001=short", "=no-id-but-a-long-secret"])
def test_bad_terminal_lines_are_refused_with_the_line_number(tmp_path: Path, line):
    listing = private_file(tmp_path / "terminals", f"# first\n{line}\n")
    with pytest.raises(cli.StartupRefused) as refused:
        cli.settings_from_args(parse("--terminals-file", str(listing)))
    assert "line 2" in str(refused.value)


def test_the_ecard_key_is_read_from_a_file(tmp_path: Path):
    key_file = private_file(tmp_path / "ecard.key", KEY + "\n")
    settings = cli.settings_from_args(parse("--demo", "--ecard-key-file", str(key_file)))
    assert settings.ecard_key == KEY
    without = cli.settings_from_args(parse("--demo"))
    assert without.ecard_key != KEY and len(without.ecard_key) >= 32
    with pytest.raises(cli.StartupRefused, match="at least 32"):
        cli.settings_from_args(parse("--demo", "--ecard-key-file", str(private_file(tmp_path / "short", "abc"))))
    with pytest.raises(cli.StartupRefused, match="cannot be read"):
        cli.settings_from_args(parse("--demo", "--ecard-key-file", str(tmp_path / "missing")))


def test_proxies_and_the_terminal_rate_limit(tmp_path: Path):
    settings = cli.settings_from_args(parse("--demo", "--trusted-proxy", "10.0.0.5", "--terminal-rate-limit", "0"))
    assert settings.trusted_proxies == ("10.0.0.5",) and settings.terminal_rate_limit_per_minute == 0
    assert cli.settings_from_args(parse("--demo")).trusted_proxies == ()
    with pytest.raises(cli.StartupRefused):
        cli.settings_from_args(parse("--demo", "--terminal-rate-limit", "-1"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_start_with_a_terminals_file_refuses_the_demo_endpoints(tmp_path: Path):
    listing = private_file(tmp_path / "terminals", "HALL-0001=first-secret-0123456789\n")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kiosk_app.cli", "backoffice", "--port", str(port), "--db",
                                str(tmp_path / "bo.sqlite3"), "--terminals-file", str(listing)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, KIOSK_MANAGER_TOKEN="manager-token-0123456789"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "back office did not start"
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/terminals",
                                         headers={"Authorization": "Bearer manager-token-0123456789"})
        listed = urllib.request.urlopen(request, timeout=5).read().decode()
        assert "HALL-0001" in listed and DEMO_TERMINAL_ID not in listed
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert "DEMO" not in out


def test_business_dates_follow_the_time_zone_option(tmp_path: Path):
    settings = cli.settings_from_args(parse("--demo", "--db", str(tmp_path / "bo"), "--time-zone", "Asia/Urumqi"))
    assert settings.time_zone == "Asia/Urumqi"
    assert cli.settings_from_args(parse("--demo", "--db", str(tmp_path / "bo"))).time_zone == "Asia/Shanghai"
    with pytest.raises(cli.StartupRefused, match="Mars/Olympus"):
        cli.settings_from_args(parse("--demo", "--db", str(tmp_path / "bo"), "--time-zone", "Mars/Olympus"))
