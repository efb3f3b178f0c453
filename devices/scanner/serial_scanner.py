"""A QR scanner on a serial port (RS-232 or USB CDC-ACM) sending line-terminated codes.

One reader thread owns the port: it reads whatever bytes arrived, frames them into
codes and hands each complete code to `QrScanner._deliver`, which validates it. A port
that fails (USB scanner unplugged) or is missing is retried every `reopen_interval_s`;
a USB scanner plugged back in returns as the same /dev path and goes ONLINE again.

Line endings: the configured terminator ends a code. A scanner whose suffix is CRLF
while the kiosk expects LF or CR still works (a citizen wants the scan taken, and a
CR or LF at either end of a code is never payload): with LF, one CR right before the
LF is dropped; with CR, the LF after it arrives where the next code would start, and
a CR or LF there is dropped (so blank lines are no scans either). A CR or LF *inside*
a code stays in it, and the code filter rejects the code. A scanner sending only CR
to a CRLF-configured port never terminates a code: each scan is reported cut short,
with a detail naming the likely cause, so the technician fixes the setting.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time

import serial

from devices.interfaces import QrScanner, QrScannerCapabilities
from devices.model import CompletionCode, DeviceState

log = logging.getLogger("devices.scanner")

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}
CR, LF = 0x0D, 0x0A
# Room beyond the code limit for what the filter strips (a BOM, a stray CR, spaces),
# so a code of exactly max_code_bytes still reaches the filter.
FRAMING_SLACK_BYTES = 8
# How long one blocking read waits: bounds how fast close() and timeouts are noticed.
READ_POLL_S = 0.05
READ_CHUNK_BYTES = 4096


@dataclasses.dataclass(frozen=True)
class FramedCode:
    raw: bytes


@dataclasses.dataclass(frozen=True)
class FramingFailure:
    detail: str


class CodeFramer:
    """Splits a byte stream into terminated codes; no I/O and no clock of its own.

    `feed` and `check_timeout` return what completed: codes to validate and failures
    to report (each failure once). The buffer never holds more than
    max_code_bytes + FRAMING_SLACK_BYTES.
    """

    def __init__(self, terminator: str, max_code_bytes: int, inter_byte_timeout_s: float) -> None:
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {sorted(TERMINATORS)}, not {terminator!r}")
        self.terminator = terminator
        self.max_code_bytes = max_code_bytes
        self.inter_byte_timeout_s = inter_byte_timeout_s
        self._limit = max_code_bytes + FRAMING_SLACK_BYTES
        self.reset()

    def reset(self) -> None:
        self._buffer = bytearray()
        self._discarded = 0          # bytes thrown away from an oversized code
        self._cr_pending = False     # CRLF: a CR arrived, is the LF next?
        self._last_byte_at: float | None = None

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer)

    @property
    def in_progress(self) -> bool:
        # A CR alone (a blank CRLF line still waiting for its LF) is nothing to time out.
        return bool(self._buffer) or self._discarded > 0

    def feed(self, chunk: bytes, now: float) -> list[FramedCode | FramingFailure]:
        results = self.check_timeout(now)
        if chunk:
            self._last_byte_at = now
        if self.terminator == "CRLF":
            for byte in chunk:
                if self._cr_pending:  # the LF may come in the next read
                    self._cr_pending = False
                    if byte == LF:
                        self._complete(results)
                        continue
                    self._append(CR)  # a lone CR is part of the code; the filter rejects it
                if byte == CR:
                    self._cr_pending = True
                else:
                    self._append(byte)
        else:
            end = TERMINATORS[self.terminator][0]
            for byte in chunk:
                if byte == end:
                    self._complete(results)
                else:
                    self._append(byte)
        return results

    def check_timeout(self, now: float) -> list[FramingFailure]:
        """A code that stopped arriving mid-way (a burst cut short) is dropped and reported once."""
        if not self.in_progress or self._last_byte_at is None:
            return []
        if now - self._last_byte_at < self.inter_byte_timeout_s:
            return []
        received = len(self._buffer) + self._discarded + (1 if self._cr_pending else 0)
        if self._discarded:
            detail = (f"code longer than {self.max_code_bytes} bytes discarded "
                      f"({received} bytes, no {self.terminator} within {self.inter_byte_timeout_s:g} s)")
        else:
            detail = f"code cut short: {received} bytes without {self.terminator} for {self.inter_byte_timeout_s:g} s"
            if self.terminator == "CRLF" and self._cr_pending:
                detail += " (ended in CR only: check the scanner's suffix setting)"
        self.reset()
        return [FramingFailure(detail)]

    def _append(self, byte: int) -> None:
        if not self._buffer and not self._discarded and byte in (CR, LF):
            return  # the rest of a line ending (the LF of CRLF on a CR port), never a code's start
        if self._discarded:
            self._discarded += 1
        elif len(self._buffer) >= self._limit:
            self._discarded = len(self._buffer) + 1
            self._buffer = bytearray()  # let the oversized code go now, not at its end
        else:
            self._buffer.append(byte)

    def _complete(self, results: list) -> None:
        if self._discarded:
            results.append(FramingFailure(
                f"code of {self._discarded} bytes exceeds the limit of {self.max_code_bytes}; discarded"))
        elif self._buffer:
            code = bytes(self._buffer)
            if self.terminator == "LF" and code.endswith(b"\r"):
                code = code[:-1]  # the CR of a CRLF suffix, never payload
            if code:
                results.append(FramedCode(code))
        # else: a blank line (the LF of a CRLF when configured CR): not a scan
        self._buffer = bytearray()
        self._discarded = 0


class SerialQrScanner(QrScanner):
    """A line-terminated serial QR scanner read by its own thread; see the module docstring."""

    self_recovering = True  # the reader thread reopens the port itself

    def __init__(self, name: str, port: str, baud: int = 9600, terminator: str = "CR",
                 max_code_bytes: int = 4096, reopen_interval_s: float = 1.0,
                 inter_byte_timeout_s: float = 0.5) -> None:
        super().__init__(name)
        terminator = terminator.upper()
        if max_code_bytes <= 0:
            raise ValueError("max_code_bytes must be positive")
        self.port = port
        self.baud = baud
        self.reopen_interval_s = reopen_interval_s
        self._framer = CodeFramer(terminator, max_code_bytes, inter_byte_timeout_s)
        self._capabilities = QrScannerCapabilities(max_code_bytes=max_code_bytes, connection="serial",
                                                   terminator=terminator)
        self._serial: serial.Serial | None = None
        self._serial_lock = threading.Lock()  # close() cancels a read the thread is blocked in
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def capabilities(self) -> QrScannerCapabilities:
        return self._capabilities

    # --- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        """Open the port and start reading; a missing port is NO_DEVICE and retried, never raised."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop = threading.Event()
        self._try_open_port()
        self._thread = threading.Thread(target=self._read_loop, name=f"qr-scanner-{self.name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        thread, self._thread = self._thread, None
        self._stop.set()
        with self._serial_lock:
            if self._serial is not None:
                self._serial.cancel_read()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
            if thread.is_alive():
                log.warning("%s: reader thread did not stop", self.name)
        self._close_port()
        self._framer.reset()
        self._update_status(state=DeviceState.UNKNOWN, detail="closed")

    def recover(self) -> bool:
        """The reader thread already retries the port; only start it if it is not running."""
        if self._thread is None or not self._thread.is_alive():
            self.open()
        return self.status.state.usable

    # --- the reader thread -------------------------------------------------------------

    def _read_loop(self) -> None:
        stop = self._stop
        while not stop.is_set():
            port = self._serial
            if port is None:
                if stop.wait(self.reopen_interval_s):
                    break
                self._try_open_port()
                continue
            try:
                chunk = port.read(min(max(port.in_waiting, 1), READ_CHUNK_BYTES))
            except (serial.SerialException, OSError) as error:
                if stop.is_set():
                    break
                self._lose_port(error)
                continue
            self._handle(self._framer.feed(chunk, time.monotonic()))
        self._close_port()

    def _try_open_port(self) -> None:
        try:
            port = serial.Serial(self.port, self.baud, timeout=READ_POLL_S, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as error:
            self._update_status(state=DeviceState.NO_DEVICE, detail=f"cannot open {self.port}: {_reason(error)}")
            return
        with self._serial_lock:
            self._serial = port
        self._framer.reset()
        self._update_status(state=DeviceState.ONLINE, detail=f"{self.port} at {self.baud} baud")

    def _lose_port(self, error: Exception) -> None:
        # A half-received code dies with the port; the status change tells the UI why.
        self._close_port()
        self._framer.reset()
        self._update_status(state=DeviceState.NO_DEVICE, detail=f"{self.port} lost: {_reason(error)}")

    def _close_port(self) -> None:
        with self._serial_lock:
            port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass  # already gone with the device

    def _handle(self, results: list[FramedCode | FramingFailure]) -> None:
        for result in results:  # a disabled scanner counts these as ignored and reports nothing
            if isinstance(result, FramedCode):
                self._deliver(result.raw)
            else:
                self._report_failed_scan(CompletionCode.INVALID_INPUT, result.detail)


def _reason(error: Exception) -> str:
    """The OS reason, without pyserial's repetition of the path."""
    number = getattr(error, "errno", None)
    if isinstance(number, int):
        return os.strerror(number)
    if error.args and isinstance(error.args[0], str):
        return error.args[0]
    return type(error).__name__
