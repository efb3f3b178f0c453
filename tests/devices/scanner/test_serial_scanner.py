"""The serial QR scanner against a real pseudo-terminal pair, and its framing on its own.

The scanner opens a symlink the test controls (like /dev/ttyACM0 for a USB scanner);
the test writes what a scanner would send to the pty master. Unplugging closes the
master and removes the link; plugging back makes a new pty behind the same link.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from pathlib import Path

import pytest

from devices.model import CodeScanned, CompletionCode, DeviceState, HealthLevel, ScanFailed, StatusChanged
from devices.scanner.serial_scanner import (FRAMING_SLACK_BYTES, CodeFramer, FramedCode, FramingFailure,
                                            SerialQrScanner)

DEADLINE_S = 10.0  # how long a test waits for something that should come at once; never reached when passing


class PtyPort:
    """A pseudo-terminal behind a symlink, plugged and unplugged like a USB scanner."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master: int | None = None

    def plug(self) -> None:
        master, slave = os.openpty()
        slave_name = os.ttyname(slave)
        os.close(slave)  # the scanner opens it by path, as it would /dev/ttyACM0
        self.master = master
        replacement = self.link.with_name(self.link.name + ".new")
        os.symlink(slave_name, replacement)
        os.replace(replacement, self.link)

    def unplug(self) -> None:
        os.close(self.master)
        self.master = None
        self.link.unlink()

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view):]

    def write_bytewise(self, data: bytes) -> None:
        """One write per byte with a pause, so the scanner almost always reads them apart."""
        for index in range(len(data)):
            self.write(data[index:index + 1])
            time.sleep(0.003)

    def close(self) -> None:
        if self.master is not None:
            os.close(self.master)
            self.master = None


class Events:
    """Everything a scanner publishes, in order, for the test thread to take one by one."""

    def __init__(self, scanner: SerialQrScanner) -> None:
        self._queue: queue.Queue = queue.Queue()
        self.unsubscribe = scanner.subscribe(self._queue.put)

    def next_scan(self) -> CodeScanned | ScanFailed:
        while True:
            event = self._queue.get(timeout=DEADLINE_S)
            if isinstance(event, (CodeScanned, ScanFailed)):
                return event

    def next_code(self) -> str:
        event = self.next_scan()
        assert isinstance(event, CodeScanned), event
        return event.code

    def next_failure(self) -> ScanFailed:
        event = self.next_scan()
        assert isinstance(event, ScanFailed), event
        return event

    def wait_for_state(self, state: DeviceState) -> StatusChanged:
        while True:
            event = self._queue.get(timeout=DEADLINE_S)
            if isinstance(event, StatusChanged) and event.new.state is state:
                return event

    def assert_no_scans_left(self) -> None:
        leftover = [event for event in iter_queue(self._queue) if isinstance(event, (CodeScanned, ScanFailed))]
        assert leftover == []


def iter_queue(events: queue.Queue):
    while True:
        try:
            yield events.get_nowait()
        except queue.Empty:
            return


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.005)


@pytest.fixture
def port(tmp_path: Path):
    pty = PtyPort(tmp_path / "ttyQR0")
    pty.plug()
    yield pty
    pty.close()


@pytest.fixture
def make_scanner(port: PtyPort):
    made: list[SerialQrScanner] = []

    def make(**options) -> tuple[SerialQrScanner, Events]:
        options.setdefault("reopen_interval_s", 0.05)
        options.setdefault("inter_byte_timeout_s", 2.0)  # long: a loaded machine must not cut codes short
        scanner = SerialQrScanner("qr", str(port.link), **options)
        events = Events(scanner)
        made.append(scanner)
        scanner.open()
        assert scanner.status.state is DeviceState.ONLINE, scanner.status
        return scanner, events

    yield make
    for scanner in made:
        scanner.close()


# --- the real port ----------------------------------------------------------------------

@pytest.mark.parametrize("terminator, ending", [("CR", b"\r"), ("LF", b"\n"), ("CRLF", b"\r\n")])
def test_codes_end_at_the_configured_terminator(make_scanner, port, terminator, ending) -> None:
    scanner, events = make_scanner(terminator=terminator)
    assert scanner.capabilities.terminator == terminator
    assert scanner.capabilities.connection == "serial"
    port.write(b"ECARD-0001" + ending + "电子社保卡-0002".encode("utf-8") + ending)
    assert events.next_code() == "ECARD-0001"
    assert events.next_code() == "电子社保卡-0002"
    assert scanner.statistics.snapshot()["codes_scanned"] == 2


@pytest.mark.parametrize("terminator, ending", [("CR", b"\r"), ("LF", b"\n"), ("CRLF", b"\r\n")])
def test_a_code_written_byte_by_byte_arrives_whole(make_scanner, port, terminator, ending) -> None:
    _, events = make_scanner(terminator=terminator)
    port.write_bytewise("QR:社保-42".encode("utf-8") + ending)
    assert events.next_code() == "QR:社保-42"


def test_crlf_split_between_writes_ends_one_code(make_scanner, port) -> None:
    _, events = make_scanner(terminator="CRLF")
    port.write(b"FIRST-CODE\r")
    time.sleep(0.02)
    port.write(b"\nSECOND-CODE\r")
    time.sleep(0.02)
    port.write(b"\n")
    assert events.next_code() == "FIRST-CODE"
    assert events.next_code() == "SECOND-CODE"


@pytest.mark.parametrize("terminator", ["CR", "LF"])
def test_a_scanner_sending_crlf_still_works_on_a_cr_or_lf_port(make_scanner, port, terminator) -> None:
    scanner, events = make_scanner(terminator=terminator)
    port.write(b"ONE-CODE-1\r\nTWO-CODE-2\r\n")
    assert events.next_code() == "ONE-CODE-1"
    assert events.next_code() == "TWO-CODE-2"
    # Nothing is left over from the line endings to time out as a cut-short code.
    port.write(b"THREE-CODE\r\n")
    assert events.next_code() == "THREE-CODE"
    assert scanner.statistics.snapshot()["scan_errors"] == 0


def test_an_oversized_code_fails_once_and_the_next_code_still_arrives(make_scanner, port) -> None:
    scanner, events = make_scanner(max_code_bytes=64)
    port.write(b"X" * 5000 + b"\r" + b"GOOD-CODE\r")
    failure = events.next_failure()
    assert failure.code is CompletionCode.INVALID_INPUT
    assert "5000 bytes exceeds the limit of 64" in failure.detail
    assert events.next_code() == "GOOD-CODE"
    assert scanner.statistics.snapshot() == {"codes_scanned": 1, "scan_errors": 1, "scans_ignored": 0}


def test_a_code_of_exactly_the_limit_passes_and_one_byte_more_fails(make_scanner, port) -> None:
    _, events = make_scanner(max_code_bytes=64)
    port.write(b"A" * 64 + b"\r" + b"B" * 65 + b"\r")
    assert events.next_code() == "A" * 64
    assert "65 bytes" in events.next_failure().detail


@pytest.mark.parametrize("junk, reason", [
    (b"\x00\xff\xfe\x80binary", "UTF-8"),
    (b"ECARD\xe4\xb8-cut", "UTF-8"),
    ("社保卡".encode("gbk"), "GBK"),
    (b"ECARD\x1b[31mRED", "C0 control"),
    (b"ECARD\x7fDEL", "DEL"),
    ("ECARD\u202eDISGUISED".encode("utf-8"), "format character"),
])
def test_junk_fails_and_the_next_code_is_fine(make_scanner, port, junk, reason) -> None:
    _, events = make_scanner()
    port.write(junk + b"\r" + b"NEXT-CODE\r")
    failure = events.next_failure()
    assert failure.code is CompletionCode.INVALID_INPUT and reason in failure.detail
    assert events.next_code() == "NEXT-CODE"


def test_a_line_ending_inside_a_code_is_not_a_second_code(make_scanner, port) -> None:
    _, events = make_scanner(terminator="CRLF")
    port.write(b"HALF-ONE\nHALF-TWO\r\n")
    assert "C0 control" in events.next_failure().detail
    port.write(b"WHOLE-CODE\r\n")
    assert events.next_code() == "WHOLE-CODE"


def test_an_unterminated_fragment_fails_after_the_timeout_and_is_not_glued_to_the_next(make_scanner, port) -> None:
    _, events = make_scanner(inter_byte_timeout_s=0.2)
    port.write(b"PARTIAL-SCAN")
    failure = events.next_failure()
    assert "cut short" in failure.detail and "12 bytes" in failure.detail
    port.write(b"NEXT-CODE\r")
    assert events.next_code() == "NEXT-CODE"


def test_a_lost_port_is_no_device_and_comes_back_online(make_scanner, port) -> None:
    scanner, events = make_scanner()
    port.unplug()
    lost = events.wait_for_state(DeviceState.NO_DEVICE)
    assert "lost" in lost.new.detail and str(port.link) in lost.new.detail
    assert not scanner.read_one(1.0).ok  # nothing to read from while unplugged
    port.plug()
    events.wait_for_state(DeviceState.ONLINE)
    port.write(b"AFTER-REPLUG\r")
    assert events.next_code() == "AFTER-REPLUG"


def test_a_port_lost_mid_code_does_not_leak_into_the_next_code(make_scanner, port) -> None:
    _, events = make_scanner(inter_byte_timeout_s=5.0)
    port.write(b"HALF-A-CO")
    time.sleep(0.05)
    port.unplug()
    events.wait_for_state(DeviceState.NO_DEVICE)
    port.plug()
    events.wait_for_state(DeviceState.ONLINE)
    port.write(b"FRESH-CODE\r")
    assert events.next_code() == "FRESH-CODE"


def test_a_missing_port_does_not_raise_and_is_picked_up_when_it_appears(tmp_path: Path) -> None:
    pty = PtyPort(tmp_path / "ttyLATER")
    scanner = SerialQrScanner("qr", str(pty.link), reopen_interval_s=0.05)
    events = Events(scanner)
    try:
        scanner.open()
        assert scanner.status.state is DeviceState.NO_DEVICE
        assert str(pty.link) in scanner.status.detail and "No such file" in scanner.status.detail
        assert scanner.check_health(HealthLevel.INTERNAL).code is CompletionCode.NO_DEVICE
        pty.plug()
        events.wait_for_state(DeviceState.ONLINE)
        pty.write(b"LATE-CODE\r")
        assert events.next_code() == "LATE-CODE"
    finally:
        scanner.close()
        pty.close()


def test_a_disabled_scanner_drops_codes_and_failures(make_scanner, port) -> None:
    scanner, events = make_scanner()
    scanner.set_enabled(False)
    port.write(b"WHILE-DISABLED\r\x07\r")
    wait_until(lambda: scanner.statistics.snapshot()["scans_ignored"] == 2, "both scans to be ignored")
    scanner.set_enabled(True)
    port.write(b"WHILE-ENABLED\r")
    assert events.next_code() == "WHILE-ENABLED"
    assert scanner.statistics.snapshot() == {"codes_scanned": 1, "scan_errors": 0, "scans_ignored": 2}


def test_read_one_returns_the_next_code(make_scanner, port) -> None:
    scanner, _ = make_scanner()
    results: list = []
    reader = threading.Thread(target=lambda: results.append(scanner.read_one(DEADLINE_S)))
    reader.start()
    number = 0
    while reader.is_alive():  # read_one subscribes at some point: keep scanning until it has
        number += 1
        port.write(f"READ-ONE-{number:04d}\r".encode())
        reader.join(timeout=0.02)
    (result,) = results
    assert result.ok, result
    assert result.value.startswith("READ-ONE-") and len(result.value) == len("READ-ONE-0000")


def test_read_one_reports_a_failed_scan(make_scanner, port) -> None:
    scanner, _ = make_scanner()
    results: list = []
    reader = threading.Thread(target=lambda: results.append(scanner.read_one(DEADLINE_S)))
    reader.start()
    while reader.is_alive():
        port.write(b"BAD\x07CODE\r")
        reader.join(timeout=0.02)
    assert results[0].code is CompletionCode.INVALID_INPUT


def test_close_stops_the_reader_thread_and_can_be_repeated(make_scanner, port) -> None:
    scanner, events = make_scanner()
    scanner.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "qr-scanner-qr"]
    assert scanner.status.state is DeviceState.UNKNOWN
    scanner.close()
    scanner.open()  # and reopened, it reads again
    assert scanner.status.state is DeviceState.ONLINE
    port.write(b"REOPENED-1\r")
    assert events.next_code() == "REOPENED-1"


def test_close_stops_a_thread_that_is_waiting_to_reopen(tmp_path: Path) -> None:
    scanner = SerialQrScanner("qr", str(tmp_path / "absent"), reopen_interval_s=60.0)
    scanner.open()
    assert scanner.status.state is DeviceState.NO_DEVICE
    scanner.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "qr-scanner-qr"]


def test_bad_configuration_is_refused_when_built() -> None:
    with pytest.raises(ValueError):
        SerialQrScanner("qr", "/dev/null", terminator="TAB")
    with pytest.raises(ValueError):
        SerialQrScanner("qr", "/dev/null", max_code_bytes=0)


# --- framing, without a port: every split and every timeout exactly ---------------------

def framed(framer: CodeFramer, *chunks: bytes, now: float = 0.0) -> list:
    results = []
    for chunk in chunks:
        results += framer.feed(chunk, now)
    return results


@pytest.mark.parametrize("terminator, ending", [("CR", b"\r"), ("LF", b"\n"), ("CRLF", b"\r\n")])
def test_framer_every_split_point_gives_the_same_codes(terminator, ending) -> None:
    stream = b"CODE-ONE" + ending + b"CODE-TWO" + ending
    for split in range(len(stream) + 1):
        framer = CodeFramer(terminator, 64, 0.5)
        assert framed(framer, stream[:split], stream[split:]) == [FramedCode(b"CODE-ONE"), FramedCode(b"CODE-TWO")]
        assert not framer.in_progress


def test_framer_crlf_waits_for_the_lf_in_the_next_read() -> None:
    framer = CodeFramer("CRLF", 64, 0.5)
    assert framer.feed(b"CODE\r", 0.0) == []
    assert framer.in_progress
    assert framer.feed(b"\n", 0.1) == [FramedCode(b"CODE")]


def test_framer_crlf_keeps_a_lone_cr_in_the_code_for_the_filter_to_reject() -> None:
    framer = CodeFramer("CRLF", 64, 0.5)
    assert framed(framer, b"AB\r", b"CD\r\n") == [FramedCode(b"AB\rCD")]


def test_framer_lf_drops_the_cr_of_a_crlf_suffix_only() -> None:
    framer = CodeFramer("LF", 64, 0.5)
    assert framed(framer, b"CODE\r\n", b"IN\rSIDE\n") == [FramedCode(b"CODE"), FramedCode(b"IN\rSIDE")]


def test_framer_blank_lines_are_not_scans() -> None:
    for terminator in ("CR", "LF", "CRLF"):
        framer = CodeFramer(terminator, 64, 0.5)
        assert framed(framer, b"\r\n\r\n\n\r") == []
        assert framer.check_timeout(10.0) == []


def test_framer_an_oversized_code_is_let_go_at_once_and_reported_once() -> None:
    framer = CodeFramer("CR", 100, 0.5)
    for _ in range(50):
        assert framer.feed(b"Z" * 1000, 0.0) == []
        assert framer.buffered_bytes <= 100 + FRAMING_SLACK_BYTES
    results = framer.feed(b"Z\rNEXT\r", 0.0)
    assert len(results) == 2
    assert isinstance(results[0], FramingFailure) and "50001 bytes" in results[0].detail
    assert results[1] == FramedCode(b"NEXT")


def test_framer_limit_leaves_room_for_what_the_filter_strips() -> None:
    framer = CodeFramer("CR", 10, 0.5)
    code = b"\xef\xbb\xbf" + b"A" * 10 + b"  "
    assert framer.feed(code + b"\r", 0.0) == [FramedCode(code)]


def test_framer_times_out_a_fragment_once() -> None:
    framer = CodeFramer("CR", 64, 0.5)
    assert framer.feed(b"FRAG", 10.0) == []
    assert framer.check_timeout(10.4) == []
    (failure,) = framer.check_timeout(10.5)
    assert "cut short: 4 bytes" in failure.detail
    assert framer.check_timeout(20.0) == []
    assert framer.feed(b"NEW\r", 20.0) == [FramedCode(b"NEW")]


def test_framer_timeout_counts_from_the_last_byte_not_the_first() -> None:
    framer = CodeFramer("CR", 64, 0.5)
    for step in range(20):  # a slow scanner: 0.3 s between bytes, 6 s in all
        assert framer.feed(b"S", step * 0.3) == []
    assert framer.feed(b"\r", 6.0) == [FramedCode(b"S" * 20)]


def test_framer_timeout_of_an_oversized_code_says_so() -> None:
    framer = CodeFramer("CR", 8, 0.5)
    framer.feed(b"Y" * 100, 0.0)
    (failure,) = framer.check_timeout(1.0)
    assert "longer than 8 bytes" in failure.detail
    assert framer.feed(b"OK\r", 1.0) == [FramedCode(b"OK")]


def test_framer_crlf_port_with_a_cr_only_scanner_names_the_cause() -> None:
    framer = CodeFramer("CRLF", 64, 0.5)
    framer.feed(b"CODE\r", 0.0)
    (failure,) = framer.check_timeout(1.0)
    assert "ended in CR only" in failure.detail


def test_framer_reset_forgets_a_half_code() -> None:
    framer = CodeFramer("CR", 64, 0.5)
    framer.feed(b"HALF", 0.0)
    framer.reset()
    assert framer.feed(b"WHOLE\r", 0.0) == [FramedCode(b"WHOLE")]
