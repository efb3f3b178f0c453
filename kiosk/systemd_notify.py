"""sd_notify for the kiosk: tell systemd we are ready, what we are doing, and that the GUI is alive.

The unit (`deploy/systemd/si-kiosk.service`) is `Type=notify` with `WatchdogSec=`: systemd
waits for `READY=1` before it calls the kiosk started, and kills and restarts it when
`WATCHDOG=1` pings stop. The pings are sent from the GUI thread (`ui.lockdown.start_watchdog`),
so a frozen event loop, not only a dead process, brings the kiosk back.

The protocol is one datagram per message on the AF_UNIX socket named by `$NOTIFY_SOCKET`
(a path, or an abstract name written with a leading '@'). Outside systemd the variable is
unset and every call here does nothing, so `kiosk run` behaves the same from a terminal.

`$WATCHDOG_PID` is deliberately not compared with our pid: under `cage` (or `xinit`) the
unit's main process is the compositor, and the kiosk is its child. The unit sets
`NotifyAccess=all`, which makes systemd accept messages from any process of the service.

Qt-free on purpose: the core may report status without knowing about the GUI.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("kiosk.systemd")

NOTIFY_SOCKET_VAR = "NOTIFY_SOCKET"
WATCHDOG_USEC_VAR = "WATCHDOG_USEC"
MAX_STATUS_CHARS = 200  # systemctl status shows one line; keep it short and single-line


def _socket_address(value: str) -> str:
    """'@name' is Linux's abstract namespace, spelt with a leading NUL byte in the address."""
    return "\0" + value[1:] if value.startswith("@") else value


def _watchdog_usec(value: str | None) -> int | None:
    try:
        usec = int(value) if value else 0
    except ValueError:
        log.warning("ignoring %s=%r: not a number of microseconds", WATCHDOG_USEC_VAR, value)
        return None
    return usec if usec > 0 else None


class SystemdNotifier:
    """Sends sd_notify messages; without a socket address every method is a no-op returning False."""

    def __init__(self, socket_path: str | None = None, watchdog_usec: int | None = None) -> None:
        self._address = _socket_address(socket_path) if socket_path else None
        self._watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._socket: socket.socket | None = None
        self._failure_reported = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier:
        env = os.environ if environ is None else environ
        path = env.get(NOTIFY_SOCKET_VAR) or None
        watchdog_usec = _watchdog_usec(env.get(WATCHDOG_USEC_VAR)) if path else None
        return cls(path, watchdog_usec)

    @property
    def enabled(self) -> bool:
        """True when started by systemd with a notify socket."""
        return self._address is not None

    @property
    def watchdog_interval_s(self) -> float | None:
        """How often to ping: half the unit's WatchdogSec (sd_watchdog_enabled's advice); None without a watchdog."""
        if self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 2 / 1_000_000

    def notify(self, *assignments: str) -> bool:
        """Send `KEY=value` lines as one datagram; True when it was handed to the socket."""
        if self._address is None:
            return False
        message = "\n".join(assignments).encode("utf-8")
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # Never block the GUI thread: a full socket queue drops a ping rather than freezing a frame.
                self._socket.setblocking(False)
            self._socket.sendto(message, self._address)
        except OSError as error:
            # Reported once: a broken socket would otherwise log twice a minute for ever.
            if not self._failure_reported:
                log.warning("systemd notification failed (%s); continuing without it", error)
                self._failure_reported = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """The first frame is on screen: systemd may now call the unit started."""
        return self.notify("READY=1", *([self._status_line(status)] if status else []))

    def status(self, text: str) -> bool:
        """A one-line state for `systemctl status` (no citizen data: it ends up in the journal)."""
        return self.notify(self._status_line(text))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        """Shutting down on purpose: systemd should not count the exit as a watchdog failure."""
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    @staticmethod
    def _status_line(text: str) -> str:
        flat = " ".join(str(text).split())
        return "STATUS=" + flat[:MAX_STATUS_CHARS]
