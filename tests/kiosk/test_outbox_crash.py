"""Nothing a citizen submitted is lost: the kiosk process is killed (SIGKILL) at each step of a
pension-transfer submission, and once with the back office down, then started again with
`kiosk run`. The real reference back office (uvicorn + SQLite) must end up with exactly one
application per submission, and the citizen's receipt says "submitted" only when it was.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backoffice.settings import DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET
from kiosk.journal import Journal

REPO = Path(__file__).resolve().parents[2]


class KioskProcess:
    """A kiosk in its own process; its stdout lines are collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self._log = log_path.open("wb")
        self.process = subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                        stderr=self._log, stdin=subprocess.DEVNULL)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))

    def wait_for(self, prefix: str, timeout_s: float = 120.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None and self.lines.empty():
                raise AssertionError(f"the kiosk never printed {prefix!r} (exit {self.process.poll()}); "
                                     f"see {self._log.name}")
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line.startswith(prefix):
                return line

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no atexit; like a power cut for the process."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        assert self.process.returncode == -signal.SIGKILL or self.process.returncode is not None
        self._log.close()


@pytest.fixture
def crash_site(tmp_path, backoffice_factory):
    server = backoffice_factory()
    profile = tmp_path / "crash-test.toml"
    profile.write_text(f"""
[terminal]
id = "{DEMO_TERMINAL_ID}"
secret = "{DEMO_TERMINAL_SECRET}"

[backoffice]
url = "{server.base_url}/"
connect_timeout_s = 1.0
read_timeout_s = 5.0
retries = 0

[storage]
directory = "{tmp_path / 'state'}"

[outbox]
retry_interval_s = 1.0
max_backoff_s = 2.0

[heartbeat]
interval_s = 0

[speech]
enabled = false

[ui]
fullscreen = false
frameless = false
stay_on_top = false

[logging]
directory = "{tmp_path / 'log'}"
""", encoding="utf-8")
    started: list[KioskProcess] = []

    def env(pause: str = "") -> dict[str, str]:
        values = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_CRASH_TEST_DIR=str(tmp_path),
                      PYTHONPATH=str(REPO))
        values.pop("KIOSK_CRASH_TEST_PAUSE", None)
        if pause:
            values["KIOSK_CRASH_TEST_PAUSE"] = pause
        return values

    def journey(pause: str) -> KioskProcess:
        process = KioskProcess(["-m", "tests.kiosk.crash_journey", str(profile), str(tmp_path / "out")],
                               env(pause), tmp_path / f"journey-{len(started)}.log")
        started.append(process)
        return process

    def restart() -> KioskProcess:
        process = KioskProcess(["-c", "from kiosk_app.cli import main; raise SystemExit(main())", "run",
                                "--profile", str(profile)], env(), tmp_path / f"restart-{len(started)}.log")
        started.append(process)
        return process

    site = type("CrashSite", (), {})()
    site.server, site.tmp, site.journey, site.restart = server, tmp_path, journey, restart
    site.outbox_file = tmp_path / "state" / "outbox.sqlite3"
    yield site
    for process in started:
        process.kill()


def server_rows(server, sql: str) -> list[tuple]:
    with sqlite3.connect(server.settings.db_path) as conn:
        return conn.execute(sql).fetchall()


def outbox_rows(site) -> list[tuple[str, str, str]]:
    with sqlite3.connect(site.outbox_file) as conn:
        return conn.execute("SELECT key, reference, status FROM outbox").fetchall()


def applications(site) -> int:
    return server_rows(site.server, "SELECT count(*) FROM pension_transfers")[0][0]


def wait_until(predicate, what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.1)


def restart_and_settle(site, before: int) -> None:
    """`kiosk run` again: its outbox sends what is pending; then exactly one application exists."""
    kiosk = site.restart()
    wait_until(lambda: journal_kinds(site).count("kiosk.started") == 2, "the restarted kiosk to open its journal")
    wait_until(lambda: [row[2] for row in outbox_rows(site)] == ["confirmed"], "the outbox to be confirmed")
    kiosk.kill()
    assert applications(site) == before + 1
    keys = server_rows(site.server, "SELECT key FROM idempotency_keys WHERE operation = 'pension_transfer'")
    assert [key for (key,) in keys] == [outbox_rows(site)[0][0]]
    # The journal kept every step across the kills, its chain intact.
    kinds = journal_kinds(site, verify=True)
    assert kinds.count("submission.queued") == 1 and kinds.count("submission.confirmed") == 1


def journal_kinds(site, verify: bool = False) -> list[str]:
    journal = Journal(site.tmp / "state" / "journal.sqlite3")
    try:
        assert not verify or journal.verify().ok
        return [entry.kind for entry in journal.entries(limit=500)]
    finally:
        journal.close()


@pytest.mark.parametrize("step, created_before_kill", [
    ("submission.committed", False),    # in the outbox, never sent
    ("submission.answered", True),      # the server created it; the answer died with the kiosk
    ("submission.confirmed", True),     # confirmed, killed before the receipt
])
def test_killed_at_each_step_of_a_submission_one_application_after_restart(crash_site, step, created_before_kill):
    site = crash_site
    before = applications(site)
    kiosk = site.journey(step)
    kiosk.wait_for(f"CRASH-TEST PAUSED {step}")
    kiosk.kill()
    assert applications(site) == before + (1 if created_before_kill else 0)
    [(key, reference, status)] = outbox_rows(site)
    assert status == ("confirmed" if step == "submission.confirmed" else "pending")
    assert reference.startswith("R-")
    restart_and_settle(site, before)


def test_back_office_down_receipt_says_accepted_then_sent_once_after_restart(crash_site):
    site = crash_site
    before = applications(site)
    kiosk = site.journey("submission.committed")
    kiosk.wait_for("CRASH-TEST PAUSED submission.committed")
    site.server.server.stop()                        # the network goes before the kiosk sends
    (site.tmp / "continue-submission.committed").touch()
    receipt_line = kiosk.wait_for("RECEIPT ")
    done = kiosk.wait_for("DONE ")
    kiosk.kill()                                     # and then the power
    _, outcome, reference = done.split()
    assert outcome == "deferred"
    receipt = Path(receipt_line.split(" ", 1)[1]).read_text(encoding="utf-8")
    assert "本机受理凭证" in receipt and reference in receipt and "网络恢复后将自动提交" in receipt
    assert "申请编号" not in receipt and "提交时间" not in receipt    # never worded as submitted
    assert "13812345678" not in receipt
    assert [row[1:] for row in outbox_rows(site)] == [(reference, "pending")]
    site.server.server.start()                       # back on the same port
    assert applications(site) == before
    restart_and_settle(site, before)
