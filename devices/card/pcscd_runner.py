"""Start and stop a private `pcscd -f` for tests, the benchmark and diagnostics.

    runner = PcscdRunner()          # or PcscdRunner(log_path=Path("pcscd.log"), apdu_log=True)
    runner.start()                  # returns once pcscd accepts clients on its socket
    runner.restart()                # stop + start (hot-plug and recovery tests)
    runner.stop()                   # SIGTERM, then SIGKILL after `stop_timeout_s`

pcscd must run as root (it creates /run/pcscd) and serves one machine-wide socket,
/run/pcscd/pcscd.comm (clients honour PCSCLITE_CSOCK_NAME, and so does this runner).
Only one pcscd can own that socket and the vpcd ports, so when one is already running
and answering (a system service, another test run), `start()` reuses it: `owned` is
False, `stop()` leaves it alone and `restart()` raises `PcscdNotOurs`. With
`reuse_running=False` that situation raises instead.

No pyscard needed: readiness is a connect on pcscd's Unix socket.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

DEFAULT_SOCKET_PATH = "/run/pcscd/pcscd.comm"
PID_FILE = Path("/run/pcscd/pcscd.pid")


class PcscdError(RuntimeError):
    """pcscd could not be started or stopped; the message says why and what to do."""


class PcscdNotInstalled(PcscdError):
    pass


class PcscdNotOurs(PcscdError):
    """The running pcscd was started by someone else; we may not stop or restart it."""


def find_pcscd() -> str | None:
    for candidate in (shutil.which("pcscd"), "/usr/sbin/pcscd", "/usr/local/sbin/pcscd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def pcscd_socket_path() -> str:
    return os.environ.get("PCSCLITE_CSOCK_NAME") or DEFAULT_SOCKET_PATH


def pcscd_answers(socket_path: str | None = None) -> bool:
    """True when a pcscd accepts connections on its socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(socket_path or pcscd_socket_path())
        except OSError:
            return False
    return True


class PcscdRunner:
    def __init__(self, *, executable: str | None = None, extra_args: Sequence[str] = (),
                 log_path: Path | None = None, apdu_log: bool = False, reuse_running: bool = True,
                 ready_timeout_s: float = 10.0, stop_timeout_s: float = 5.0) -> None:
        self._executable = executable
        self._extra_args = tuple(extra_args)
        self._log_path = log_path
        self._apdu_log = apdu_log
        self._reuse_running = reuse_running
        self._ready_timeout_s = ready_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen | None = None
        self._log_file = None
        self._reused = False

    @property
    def owned(self) -> bool:
        """True when this runner started the pcscd that is running."""
        return self._process is not None and self._process.poll() is None

    @property
    def running(self) -> bool:
        return self.owned or (self._reused and pcscd_answers())

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.owned else None

    def start(self) -> "PcscdRunner":
        if self.running:
            return self
        if pcscd_answers():
            if not self._reuse_running:
                raise PcscdError("a pcscd is already running (not started by us); stop it first "
                                 "or use reuse_running=True")
            self._reused = True
            return self
        executable = self._executable or find_pcscd()
        if executable is None:
            raise PcscdNotInstalled("pcscd is not installed; on Debian: apt-get install pcscd vsmartcard-vpcd")
        if hasattr(os, "geteuid") and os.geteuid() != 0:
            raise PcscdError("a private pcscd must run as root (it creates /run/pcscd)")
        self._clear_stale_files()
        command = [executable, "--foreground", *(("--apdu", "--debug") if self._apdu_log else ()),
                   *self._extra_args]
        self._log_file = (open(self._log_path, "ab") if self._log_path is not None
                          else tempfile.TemporaryFile(prefix="pcscd-"))
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self._reused = False
        deadline = time.monotonic() + self._ready_timeout_s
        while not pcscd_answers():
            if self._process.poll() is not None:
                output = self._output_tail()
                self._release_log()
                self._process = None
                raise PcscdError(f"pcscd exited at start (code {self._process_returncode(output)}): {output}")
            if time.monotonic() > deadline:
                self.stop()
                raise PcscdError(f"pcscd did not answer within {self._ready_timeout_s:.0f} s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop our pcscd (a reused one is left running). Safe to call twice."""
        self._reused = False
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self._stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._release_log()
        # A killed pcscd leaves its socket; the next start cleans it (see _clear_stale_files).

    def restart(self) -> "PcscdRunner":
        if self._reused:
            raise PcscdNotOurs("the running pcscd was not started by this runner; it cannot be restarted here")
        self.stop()
        return self.start()

    def __enter__(self) -> "PcscdRunner":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _clear_stale_files() -> None:
        """pcscd refuses to start over a socket a killed pcscd left behind; no one answers on it."""
        socket_path = Path(pcscd_socket_path())
        if socket_path.exists() and not pcscd_answers(str(socket_path)):
            socket_path.unlink(missing_ok=True)
            if socket_path == Path(DEFAULT_SOCKET_PATH):
                PID_FILE.unlink(missing_ok=True)

    def _output_tail(self) -> str:
        if self._log_file is None:
            return ""
        try:
            self._log_file.flush()
            self._log_file.seek(0)
            text = self._log_file.read()[-2000:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        return " ".join(text.split())[-600:]

    def _process_returncode(self, _output: str) -> str:
        return "?" if self._process is None else str(self._process.returncode)

    def _release_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
