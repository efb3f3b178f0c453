"""Start and stop a private `pcscd -f` for tests, the benchmark and diagnostics.

    runner = PcscdRunner()          # or PcscdRunner(log_path=Path("pcscd.log"), apdu_log=True)
    runner.start()                  # returns once pcscd accepts clients on its socket
    runner.restart()                # stop + start (hot-plug and recovery tests)
    runner.stop()                   # SIGTERM, then SIGKILL after `stop_timeout_s`; releases the lock

pcscd must run as root (it creates /run/pcscd) and serves one machine-wide socket,
/run/pcscd/pcscd.comm (clients honour PCSCLITE_CSOCK_NAME, and so does this runner);
the vpcd slots are machine-wide TCP ports too. So that two users of this runner on one
machine (two test runs, a test run and `kiosk bench`) take turns instead of stopping
each other's pcscd and plugging cards into each other's slots, `start()` first takes an
exclusive lock (`lock_path`, an flock on a file in the temp directory) and holds it
until `stop()`; it waits up to `lock_timeout_s` for it. `lock_path=None` skips the lock.

A pcscd we start gets SIGTERM when the thread that started it ends (Linux
PR_SET_PDEATHSIG; `stop_with_parent=False` turns that off, which you want when starting
it from a short-lived thread): a killed test run leaves no pcscd behind. Its pid is
written into the lock file, so should one be left anyway (SIGKILL, another OS), the next
runner that gets the lock stops that orphan before starting its own.

The vpcd driver binds its TCP ports (35963 and 35964) when pcscd starts, and they lie
inside Linux's default ephemeral range (32768-60999): a client connection that happened
to use one of them as its local port, or its TIME_WAIT for 60 s after, makes the bind
fail, and pcscd then starts with no vpcd reader at all. So `start()` waits until
`vpcd_ports` can be bound (up to `ports_timeout_s`) before launching pcscd. On a test or
kiosk machine, `sysctl -w net.ipv4.ip_local_reserved_ports=35963-35964` removes the
hazard for good.

When a pcscd is already running and answering that is not ours (a system service),
`start()` reuses it: `owned` is False, `stop()` leaves it alone and `restart()` raises
`PcscdNotOurs`. With `reuse_running=False` that situation raises instead.

No pyscard needed: readiness is a connect on pcscd's Unix socket.
"""

from __future__ import annotations

import ctypes
import fcntl
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
DEFAULT_LOCK_PATH = Path(tempfile.gettempdir()) / "si-kiosk-pcscd-runner.lock"
VPCD_PORTS = (35963, 35964)  # CHANNELID 0x8C7B in /etc/reader.conf.d/vpcd, + slot


class PcscdError(RuntimeError):
    """pcscd could not be started or stopped; the message says why and what to do."""


class PcscdNotInstalled(PcscdError):
    pass


class PcscdNotOurs(PcscdError):
    """The running pcscd was started by someone else; we may not stop or restart it."""


class PcscdBusy(PcscdError):
    """Another runner on this machine holds the lock for longer than we were willing to wait."""


def find_pcscd() -> str | None:
    for candidate in (shutil.which("pcscd"), "/usr/sbin/pcscd", "/usr/local/sbin/pcscd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def pcscd_socket_path() -> str:
    return os.environ.get("PCSCLITE_CSOCK_NAME") or DEFAULT_SOCKET_PATH


def pcscd_answers(socket_path: str | None = None) -> bool:
    """True when a pcscd listens on its socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(socket_path or pcscd_socket_path())
        except BlockingIOError:
            return True  # listening, its accept queue momentarily full (probes in quick succession)
        except OSError:
            return False  # no socket file, or no one listening on it
    return True


class PcscdRunner:
    def __init__(self, *, executable: str | None = None, extra_args: Sequence[str] = (),
                 log_path: Path | None = None, apdu_log: bool = False, reuse_running: bool = True,
                 lock_path: Path | None = DEFAULT_LOCK_PATH, lock_timeout_s: float = 300.0,
                 stop_with_parent: bool = True, vpcd_ports: Sequence[int] = VPCD_PORTS, ports_timeout_s: float = 70.0,
                 ready_timeout_s: float = 10.0, stop_timeout_s: float = 5.0) -> None:
        self._executable = executable
        self._extra_args = tuple(extra_args)
        self._log_path = log_path
        self._apdu_log = apdu_log
        self._reuse_running = reuse_running
        self._lock_path = lock_path
        self._lock_timeout_s = lock_timeout_s
        self._stop_with_parent = stop_with_parent
        self._vpcd_ports = tuple(vpcd_ports)
        self._ports_timeout_s = ports_timeout_s
        self._ready_timeout_s = ready_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen | None = None
        self._log_file = None
        self._lock_fd: int | None = None
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
        executable = self._executable or find_pcscd()
        self._acquire_lock()
        try:
            self._stop_orphan()
            if pcscd_answers():
                if not self._reuse_running:
                    raise PcscdError("a pcscd is already running (not started by us); stop it first "
                                     "or use reuse_running=True")
                self._reused = True
                return self
            if executable is None or not os.access(executable, os.X_OK):
                raise PcscdNotInstalled(f"pcscd is not installed{f' at {executable}' if executable else ''}; "
                                        "on Debian: apt-get install pcscd vsmartcard-vpcd")
            if hasattr(os, "geteuid") and os.geteuid() != 0:
                raise PcscdError("a private pcscd must run as root (it creates /run/pcscd)")
            self._launch(executable)
        except BaseException:
            self._release_lock()
            raise
        return self

    def stop(self, release_lock: bool = True) -> None:
        """Stop our pcscd (a reused one is left running) and release the lock. Safe to call twice.

        `release_lock=False` keeps other runners out while pcscd is down (outage tests).
        """
        self._terminate()
        if release_lock:
            self._release_lock()

    def restart(self) -> "PcscdRunner":
        """Stop and start again, keeping the lock (no other runner slips in between)."""
        if self._reused:
            raise PcscdNotOurs("the running pcscd was not started by this runner; it cannot be restarted here")
        self._terminate()
        return self.start()

    def __enter__(self) -> "PcscdRunner":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- helpers -----------------------------------------------------------------------

    def _launch(self, executable: str) -> None:
        self._clear_stale_files()
        self._wait_for_free_ports()
        command = [executable, "--foreground", *(("--apdu", "--debug") if self._apdu_log else ()),
                   *self._extra_args]
        self._log_file = (open(self._log_path, "a+b") if self._log_path is not None
                          else tempfile.TemporaryFile(prefix="pcscd-"))
        # Own session: a Ctrl-C meant for the tests does not kill pcscd before our orderly stop.
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent() if self._stop_with_parent else None)
        self._reused = False
        self._record_pid(self._process.pid)
        deadline = time.monotonic() + self._ready_timeout_s
        while not pcscd_answers():
            code = self._process.poll()
            if code is not None:
                output = self._output_tail()
                self._close_log()
                self._process = None
                raise PcscdError(f"pcscd exited at start (code {code}): {output}")
            if time.monotonic() > deadline:
                self._terminate()
                raise PcscdError(f"pcscd did not answer within {self._ready_timeout_s:.0f} s")
            time.sleep(0.01)

    def _terminate(self) -> None:
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
        self._close_log()
        self._record_pid(None)
        # A killed pcscd leaves its socket behind; the next start clears it (_clear_stale_files).

    def _acquire_lock(self) -> None:
        if self._lock_path is None or self._lock_fd is not None:
            return
        descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self._lock_timeout_s
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(descriptor)
                    raise PcscdBusy(f"another pcscd user on this machine held {self._lock_path} for more "
                                    f"than {self._lock_timeout_s:.0f} s") from None
                time.sleep(0.1)
        self._lock_fd = descriptor

    def _release_lock(self) -> None:
        descriptor, self._lock_fd = self._lock_fd, None
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def _wait_for_free_ports(self) -> None:
        deadline = time.monotonic() + self._ports_timeout_s
        while busy := [port for port in self._vpcd_ports if not _port_bindable(port)]:
            if time.monotonic() > deadline:
                raise PcscdError(f"vpcd port(s) {', '.join(map(str, busy))} still in use after "
                                 f"{self._ports_timeout_s:.0f} s (see `ss -tanp`); reserve them with "
                                 "sysctl -w net.ipv4.ip_local_reserved_ports=35963-35964")
            time.sleep(0.2)

    def _record_pid(self, pid: int | None) -> None:
        if self._lock_fd is not None:
            os.ftruncate(self._lock_fd, 0)
            if pid is not None:
                os.pwrite(self._lock_fd, f"{pid}\n".encode(), 0)

    def _stop_orphan(self) -> None:
        """A pcscd recorded by a runner that died without stopping it: nobody else will, so we do.

        We hold the lock, so the runner that wrote the pid no longer runs (a lock dies with its process).
        """
        if self._lock_fd is None:
            return
        text = os.pread(self._lock_fd, 32, 0).decode("ascii", "replace").strip()
        if not text.isdigit() or not _is_running_pcscd(int(text)):
            return
        pid = int(text)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout_s
        while _process_exists(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + self._stop_timeout_s
            time.sleep(0.02)
        self._record_pid(None)

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

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _port_bindable(port: int) -> bool:
    """Could vpcd bind this port now (it binds INADDR_ANY with SO_REUSEADDR)?"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = _proc_stat(pid)
    return state is not None and state[0] != "Z"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) from /proc; None where there is no such process (or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def _is_running_pcscd(pid: int) -> bool:
    try:
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return False
    return program.endswith(b"pcscd") and _process_exists(pid)


def _die_with_parent():
    """A preexec function: SIGTERM to the child when the thread that started it ends (Linux only)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arrange() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
    return arrange
