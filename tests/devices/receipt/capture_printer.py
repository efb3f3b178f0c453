"""A scriptable ESC/POS printer for tests: a real TCP server on 127.0.0.1 (or any byte pipe).

`PrinterEmulator` is the printer's brain: it keeps the print data, answers DLE EOT status
requests from a scriptable state (paper ok/low/out, cover open, cutter jam, unrecoverable
error, paper that runs out after N bytes, silence) and, like a real printer, acts on a
real-time command wherever it appears in the stream. `CapturePrinter` serves it over TCP
and can drop connections, stop and come back on the same port; a pty test drives the same
emulator over a serial line.
"""

from __future__ import annotations

import socket
import threading
import time

DLE, EOT = 0x10, 0x04


class PrinterEmulator:
    """Thread-safe printer state plus the byte-stream parser; `feed` returns the replies to send."""

    def __init__(self) -> None:
        self.paper = "ok"               # ok | low | out
        self.cover_open = False
        self.cutter_jam = False
        self.unrecoverable_error = False
        self.paper_out_after_bytes: int | None = None  # the roll ends after this many print bytes
        self.answer_status = True        # False: the printer stops answering DLE EOT
        self._lock = threading.Lock()
        self._print_data = bytearray()
        self._pending = b""              # a DLE or DLE EOT split across reads
        self.status_requests: list[int] = []

    @property
    def print_data(self) -> bytes:
        """Everything received except the real-time status requests."""
        with self._lock:
            return bytes(self._print_data)

    def clear(self) -> None:
        with self._lock:
            self._print_data.clear()
            self.status_requests.clear()

    def feed(self, chunk: bytes) -> bytes:
        replies = bytearray()
        with self._lock:
            data = self._pending + chunk
            self._pending = b""
            position = 0
            while position < len(data):
                found = data.find(DLE, position)
                if found < 0:
                    self._print(data[position:])
                    break
                self._print(data[position:found])
                if found + 1 >= len(data) or (data[found + 1] == EOT and found + 2 >= len(data)):
                    self._pending = data[found:]  # wait for the rest of a possible DLE EOT n
                    break
                if data[found + 1] == EOT:
                    request = data[found + 2]
                    self.status_requests.append(request)
                    if self.answer_status:
                        replies += self._status_byte(request)
                    position = found + 3
                else:
                    self._print(data[found:found + 1])
                    position = found + 1
        return bytes(replies)

    def _print(self, data: bytes) -> None:
        self._print_data += data
        if self.paper_out_after_bytes is not None and len(self._print_data) > self.paper_out_after_bytes:
            self.paper = "out"

    def _status_byte(self, request: int) -> bytes:
        paper_out = self.paper == "out"
        if request == 1:
            offline = paper_out or self.cover_open or self.cutter_jam or self.unrecoverable_error
            return bytes((0x12 | (0x08 if offline else 0),))
        if request == 2:
            error = self.cutter_jam or self.unrecoverable_error
            return bytes((0x12 | (0x04 if self.cover_open else 0) | (0x20 if paper_out else 0)
                          | (0x40 if error else 0),))
        if request == 3:
            return bytes((0x12 | (0x08 if self.cutter_jam else 0) | (0x20 if self.unrecoverable_error else 0),))
        if request == 4:
            if paper_out:
                return bytes((0x12 | 0x0C | 0x60,))
            return bytes((0x12 | (0x0C if self.paper == "low" else 0),))
        return b""  # a real printer ignores an unknown n


class CapturePrinter:
    """The emulator behind a TCP listener on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, emulator: PrinterEmulator | None = None, port: int = 0) -> None:
        self.emulator = emulator or PrinterEmulator()
        self.drop_after_bytes: int | None = None   # close the connection once this many bytes arrived
        self._requested_port = port
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.connections_accepted = 0
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "CapturePrinter":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # come back on the same port
        listener.bind(("127.0.0.1", self._requested_port))
        listener.listen(4)
        listener.settimeout(0.05)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._stopping.clear()
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        """The printer goes away: no listener, every connection closed."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.drop_connections()

    def drop_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            _close_hard(connection)

    def __enter__(self) -> "CapturePrinter":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- threads ---------------------------------------------------------------------

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="capture-printer")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            connection.settimeout(0.05)
            with self._lock:
                self._connections.append(connection)
                self.connections_accepted += 1
            self._spawn(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        received = 0
        while not self._stopping.is_set():
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return  # dropped by drop_connections()
            if not chunk:
                break
            received += len(chunk)
            if self.drop_after_bytes is not None and received >= self.drop_after_bytes:
                self.emulator.feed(chunk[:max(0, len(chunk) - (received - self.drop_after_bytes))])
                break
            replies = self.emulator.feed(chunk)
            if replies:
                try:
                    connection.sendall(replies)
                except OSError:
                    return
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)
        _close_hard(connection)


def _close_hard(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


def wait_until(condition, timeout_s: float = 5.0) -> bool:
    """Poll a condition set by another thread (not a timing assertion: the timeout only bounds a failure)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()
