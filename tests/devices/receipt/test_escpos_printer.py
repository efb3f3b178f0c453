"""The ESC/POS printer driver against real byte pipes: a TCP capture printer, a pty, a file.

Every print is decoded back from the captured bytes; faults come from the scriptable
printer state (paper, cover, cutter, silence, dropped connections), never from mocks.
"""

from __future__ import annotations

import logging
import os
import select
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from devices.interfaces import ReceiptPrinterCapabilities
from devices.model import CancelToken, CompletionCode, CoverState, DeviceState, HealthLevel, PaperState
from devices.receipt.escpos_decode import RasterImage, decode_escpos, raster_to_image
from devices.receipt.escpos_encoder import display_columns, encode_receipt
from devices.receipt.escpos_printer import EscposReceiptPrinter, status_from_replies
from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text
from devices.receipt.layout import test_page as build_test_page
from devices.receipt.transports import (DEFAULT_BAUD, DeviceNotFound, FileTransport, NetworkTransport,
                                        SerialTransport, UsbTransport, parse_network_address,
                                        parse_serial_address, parse_usb_address, transport_for)
from tests.devices.receipt.capture_printer import CapturePrinter, PrinterEmulator, wait_until

VERIFY_URL = "https://si.example.gov.cn/verify?c=8F3A2C1D9B7E4F60"
ALL_STATUS_REQUESTS = [1, 2, 3, 4]


def contribution_receipt() -> ReceiptLayout:
    return ReceiptLayout((
        Text("社会保险缴费凭条", Align.CENTER, bold=True, large=True),
        Rule(),
        KeyValue("姓名", "张三"),
        KeyValue("社会保障号码", "3201**********123X"),
        KeyValue("参保地", "江苏省南京市玄武区中山路一百号社会保险事业管理中心第一服务大厅"),
        KeyValue("2026-10 养老保险 Pension", "¥ 835.00"),
        Rule("="),
        QrCode(VERIFY_URL, caption="扫码验证"),
        Feed(1),
    ))


@pytest.fixture
def capture():
    with CapturePrinter() as server:
        yield server


@pytest.fixture
def printers():
    """Builds printers and closes them after the test."""
    made: list[EscposReceiptPrinter] = []

    def make(transport, width_mm: int = 80, **options) -> EscposReceiptPrinter:
        options.setdefault("status_timeout_s", 2.0)
        printer = EscposReceiptPrinter("receipt", transport, width_mm, **options)
        made.append(printer)
        printer.open()
        return printer

    yield make
    for printer in made:
        printer.close()


def network_printer(printers, server: CapturePrinter, width_mm: int = 80, **options) -> EscposReceiptPrinter:
    return printers(NetworkTransport(server.address, connect_timeout_s=2.0), width_mm, **options)


def zbar_decode(picture, directory: Path) -> str:
    path = directory / "captured-qr.png"
    picture.save(path)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return result.stdout.rstrip("\n")


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# --- printing over TCP -----------------------------------------------------------------

@pytest.mark.parametrize("width_mm, columns", [(80, 48), (58, 32)])
def test_test_page_printed_over_tcp_decodes_to_text_qr_and_cut(printers, capture, width_mm, columns) -> None:
    printer = network_printer(printers, capture, width_mm)
    assert printer.status.state is DeviceState.ONLINE and printer.status.paper is PaperState.FULL
    assert printer.status.cover is CoverState.CLOSED

    result = printer.print_receipt(build_test_page("receipt-1", printer.capabilities))

    assert result.ok, result.detail
    captured = capture.emulator.print_data
    assert result.value.bytes_sent == len(captured)
    assert result.value.paper_after is PaperState.FULL
    decoded = decode_escpos(captured)
    assert decoded.lines[0] == "打印机测试页"
    assert decoded.lines[3] == "设备 Device" + " " * (columns - 20) + "receipt-1"
    assert decoded.lines[4] == "纸宽 Width" + " " * (columns - 23) + f"{width_mm} mm / {columns} 列"
    assert "三四五六七八九十" in decoded.lines[5] + (decoded.lines[6] if width_mm == 58 else "")
    assert decoded.qr_payloads == ["KIOSK-PRINTER-TEST"]
    assert decoded.cuts == 1 and decoded.unknown == [] and decoded.paper[-1] == "[cut]"
    # open, before printing, after printing: each asks all four real-time statuses
    assert capture.emulator.status_requests == ALL_STATUS_REQUESTS * 3
    assert printer.statistics.snapshot()["receipts_printed"] == 1


@pytest.mark.parametrize("width_mm, columns", [(80, 48), (58, 32)])
def test_key_values_wrap_within_the_paper_columns(printers, capture, width_mm, columns) -> None:
    printer = network_printer(printers, capture, width_mm)
    assert printer.print_receipt(contribution_receipt()).ok

    decoded = decode_escpos(capture.emulator.print_data)
    assert decoded.unknown == [] and decoded.cuts == 1 and decoded.qr_payloads == [VERIFY_URL]
    assert "姓名" + " " * (columns - 8) + "张三" in decoded.lines
    assert "社会保障号码" + " " * (columns - 30) + "3201**********123X" in decoded.lines
    assert decoded.lines[decoded.lines.index("参保地") + 1].startswith("  江苏省南京市玄武区")
    for line in decoded.lines:
        assert display_columns(line) <= columns, line
    for line in decoded.styled_lines:
        if line.double_width:
            assert display_columns(line.text) <= columns // 2, line.text
    address = "".join(line.strip() for line in decoded.lines[decoded.lines.index("参保地") + 1:][:3]
                      if line.startswith("  "))
    assert address == "江苏省南京市玄武区中山路一百号社会保险事业管理中心第一服务大厅"


def test_raster_qr_fallback_printed_over_tcp_scans_with_zbarimg(printers, capture, tmp_path) -> None:
    printer = network_printer(printers, capture, 58, native_qr=False)
    assert printer.capabilities.native_qr is False

    assert printer.print_receipt(contribution_receipt()).ok

    decoded = decode_escpos(capture.emulator.print_data)
    # Two images: the QR code, and the "¥ 835.00" line (U+00A5 is not in a GBK printer font: drawn as a line image).
    assert decoded.qr_codes == [] and len(decoded.images) == 2 and decoded.unknown == []
    qr = max(decoded.images, key=lambda image: image.height)
    assert decoded.images[0] == RasterImage(384, 24, decoded.images[0].bitmap)
    assert qr.width_dots <= 384
    assert zbar_decode(raster_to_image(qr, scale=2, margin=16), tmp_path) == VERIFY_URL


def test_file_transport_writes_the_same_bytes_as_the_network(printers, capture, tmp_path) -> None:
    network = network_printer(printers, capture)
    path = tmp_path / "receipts.bin"
    to_file = printers(FileTransport(path))
    assert to_file.capabilities.status_readback is False and to_file.capabilities.connection == "file"
    assert to_file.status.state is DeviceState.ONLINE and to_file.status.paper is PaperState.NOT_SUPPORTED

    layout = contribution_receipt()
    assert network.print_receipt(layout).ok
    printed = to_file.print_receipt(layout)

    assert printed.ok and printed.value.paper_after is PaperState.NOT_SUPPORTED
    assert path.read_bytes() == capture.emulator.print_data == encode_receipt(layout, to_file.capabilities)
    assert to_file.print_receipt(layout).ok
    assert path.read_bytes() == capture.emulator.print_data * 2  # appended, as to a device node


def test_status_readback_off_sends_no_status_requests(printers, capture) -> None:
    printer = network_printer(printers, capture, status_readback=False)
    assert printer.status.state is DeviceState.ONLINE and printer.status.paper is PaperState.NOT_SUPPORTED
    result = printer.print_receipt(contribution_receipt())
    assert result.ok and result.value.paper_after is PaperState.NOT_SUPPORTED
    # Nothing to wait for from the printer, so the bytes may still be on their way to it.
    assert wait_until(lambda: len(capture.emulator.print_data) == result.value.bytes_sent)
    assert capture.emulator.status_requests == []
    assert decode_escpos(capture.emulator.print_data).qr_payloads == [VERIFY_URL]


def test_text_with_escape_sequences_is_printed_as_plain_text(printers, capture) -> None:
    printer = network_printer(printers, capture)
    hostile = ReceiptLayout((Text("姓名\x1b@\x1dV\x00张三\x10\x04\x02\x10\x14\x02\x01\x08"),
                             KeyValue("备注\x1b!\x30", "\x1dV\x41\x00ok")))
    assert printer.print_receipt(hostile).ok

    decoded = decode_escpos(capture.emulator.print_data)
    assert decoded.lines[:2] == ["姓名@V张三", "备注!0" + " " * 38 + "VAok"]
    assert decoded.cuts == 1 and decoded.initialisations == 1 and decoded.unknown == []
    assert decoded.status_requests == []  # no DLE EOT reached the printer from the text
    assert capture.emulator.status_requests == ALL_STATUS_REQUESTS * 3


def test_receipt_text_never_reaches_the_log(printers, capture, caplog) -> None:
    printer = network_printer(printers, capture)
    with caplog.at_level(logging.DEBUG):
        result = printer.print_receipt(contribution_receipt())
    assert result.ok
    assert f"{result.value.bytes_sent} bytes" in caplog.text
    for secret in ("张三", "123X", "玄武区", VERIFY_URL):
        assert secret not in caplog.text


def test_cancelled_before_start_sends_nothing(printers, capture) -> None:
    printer = network_printer(printers, capture)
    token = CancelToken()
    token.cancel()
    assert printer.print_receipt(contribution_receipt(), token).code is CompletionCode.CANCELLED
    assert capture.emulator.print_data == b""


def test_a_qr_payload_too_long_is_invalid_input_and_nothing_prints(printers, capture) -> None:
    printer = network_printer(printers, capture)
    result = printer.print_receipt(ReceiptLayout((Text("x"), QrCode("x" * 3000))))
    assert result.code is CompletionCode.INVALID_INPUT
    assert capture.emulator.print_data == b""


def test_health_checks_read_status_and_print_the_test_page(printers, capture) -> None:
    printer = network_printer(printers, capture)
    internal = printer.check_health(HealthLevel.INTERNAL)
    assert internal.passed and internal.summary == "online, paper full, cover closed"
    external = printer.check_health(HealthLevel.EXTERNAL)
    assert external.passed, external.summary
    assert decode_escpos(capture.emulator.print_data).qr_payloads == ["KIOSK-PRINTER-TEST"]
    assert printer.describe()["transport"] == f"tcp://{capture.address}"
    assert printer.describe()["capabilities"]["connection"] == "network"


# --- faults ----------------------------------------------------------------------------

def test_paper_out_before_printing_fails_and_writes_nothing(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.paper = "out"

    result = printer.print_receipt(contribution_receipt())

    assert result.code is CompletionCode.PAPER_OUT
    assert capture.emulator.print_data == b""
    assert printer.status.paper is PaperState.OUT and printer.status.state is DeviceState.ONLINE
    assert printer.statistics.snapshot()["paper_outs"] == 1


def test_paper_out_seen_at_open_is_reported_by_refresh_and_health(printers, capture) -> None:
    capture.emulator.paper = "out"
    printer = network_printer(printers, capture)
    assert printer.status.paper is PaperState.OUT
    assert printer.check_health(HealthLevel.INTERNAL).code is CompletionCode.PAPER_OUT
    capture.emulator.paper = "ok"  # refilled
    assert printer.refresh_status().ok and printer.status.paper is PaperState.FULL


def test_paper_running_out_while_printing_is_not_reported_as_printed(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.paper_out_after_bytes = 200

    result = printer.print_receipt(contribution_receipt())

    assert result.code is CompletionCode.PAPER_OUT and not result.ok and result.value is None
    assert "while printing" in result.detail
    assert len(capture.emulator.print_data) > 200  # the receipt went out, and paper ran out under it
    assert printer.status.paper is PaperState.OUT
    assert printer.statistics.snapshot()["receipts_printed"] == 0


def test_cover_open_fails_with_cover_open(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.cover_open = True
    assert printer.print_receipt(contribution_receipt()).code is CompletionCode.COVER_OPEN
    assert printer.status.cover is CoverState.OPEN
    assert capture.emulator.print_data == b""


def test_cutter_jam_fails_with_paper_jam(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.cutter_jam = True
    assert printer.print_receipt(contribution_receipt()).code is CompletionCode.PAPER_JAM
    assert printer.status.paper is PaperState.JAMMED
    assert capture.emulator.print_data == b""


def test_paper_near_end_prints_and_reports_low(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.paper = "low"
    result = printer.print_receipt(contribution_receipt())
    assert result.ok and result.value.paper_after is PaperState.LOW
    assert printer.status.paper is PaperState.LOW and printer.status.detail == "paper near end"


def test_unrecoverable_error_is_a_hardware_error(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.emulator.unrecoverable_error = True
    assert printer.refresh_status().ok
    assert printer.status.state is DeviceState.HARDWARE_ERROR
    assert not printer.print_receipt(contribution_receipt()).ok
    assert capture.emulator.print_data == b""


def test_a_printer_that_stops_answering_status_goes_offline(printers, capture) -> None:
    printer = network_printer(printers, capture, status_timeout_s=0.2)
    assert printer.status.state is DeviceState.ONLINE
    capture.emulator.answer_status = False

    refreshed = printer.refresh_status()

    assert refreshed.code is CompletionCode.NO_DEVICE
    assert printer.status.state is DeviceState.OFFLINE and printer.status.paper is PaperState.UNKNOWN
    assert "no answer to status request DLE EOT 1" in printer.status.detail
    assert printer.print_receipt(contribution_receipt()).code is CompletionCode.NO_DEVICE
    assert capture.emulator.print_data == b""


def test_a_silent_printer_opens_offline_without_raising(printers, capture) -> None:
    capture.emulator.answer_status = False
    printer = network_printer(printers, capture, status_timeout_s=0.2)
    assert printer.status.state is DeviceState.OFFLINE


def test_nothing_listening_opens_offline_without_raising(printers) -> None:
    printer = printers(NetworkTransport(f"127.0.0.1:{free_port()}", connect_timeout_s=1.0))
    assert printer.status.state is DeviceState.OFFLINE
    assert "refused" in printer.status.detail.lower()
    assert printer.print_receipt(contribution_receipt()).code is CompletionCode.NO_DEVICE


def test_printer_gone_then_back_is_recovered(printers, capture) -> None:
    printer = network_printer(printers, capture)
    port = capture.port
    capture.stop()

    assert printer.refresh_status().code is CompletionCode.NO_DEVICE
    assert printer.status.state is DeviceState.OFFLINE
    assert printer.recover() is False

    with CapturePrinter(port=port) as back:
        assert printer.recover() is True
        assert printer.status.state is DeviceState.ONLINE and printer.status.paper is PaperState.FULL
        assert printer.print_receipt(contribution_receipt()).ok
        assert decode_escpos(back.emulator.print_data).qr_payloads == [VERIFY_URL]


def test_connection_lost_mid_write_is_no_device_and_offline(printers, capture) -> None:
    printer = network_printer(printers, capture, native_qr=False)  # a raster QR makes the job ~9 KB
    capture.drop_after_bytes = 12 + 12 + 500  # status requests at open and before printing, then 500 bytes

    result = printer.print_receipt(contribution_receipt())

    assert result.code is CompletionCode.NO_DEVICE and not result.ok
    assert printer.status.state is DeviceState.OFFLINE
    assert printer.statistics.snapshot()["receipts_printed"] == 0

    capture.drop_after_bytes = None
    capture.emulator.clear()
    assert printer.recover() is True
    assert printer.print_receipt(contribution_receipt()).ok
    assert decode_escpos(capture.emulator.print_data).cuts == 1


def test_an_idle_connection_closed_by_the_printer_is_reopened_before_printing(printers, capture) -> None:
    printer = network_printer(printers, capture)
    capture.drop_connections()  # printers close idle raw-print connections after a while

    assert printer.print_receipt(contribution_receipt()).ok
    assert capture.connections_accepted == 2
    assert decode_escpos(capture.emulator.print_data).cuts == 1


# --- serial over a pseudo-terminal -------------------------------------------------------

class PtyPrinter:
    """The same printer emulator behind the master side of a pty; the driver opens the slave."""

    def __init__(self) -> None:
        self.emulator = PrinterEmulator()
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="pty-printer")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                continue  # no slave open yet (EIO)
            replies = self.emulator.feed(chunk)
            if replies:
                os.write(self.master, replies)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def pty_printer():
    printer = PtyPrinter()
    yield printer
    printer.stop()


def test_serial_transport_over_a_pty_carries_the_receipt_and_status(printers, pty_printer) -> None:
    printer = printers(SerialTransport(f"{pty_printer.path}:115200"), 58)
    assert printer.capabilities.connection == "serial"
    assert printer.status.state is DeviceState.ONLINE and printer.status.paper is PaperState.FULL

    result = printer.print_receipt(contribution_receipt())

    assert result.ok, result.detail
    decoded = decode_escpos(pty_printer.emulator.print_data)
    assert decoded.lines[0] == "社会保险缴费凭条"
    assert "姓名" + " " * 24 + "张三" in decoded.lines
    assert decoded.qr_payloads == [VERIFY_URL] and decoded.cuts == 1 and decoded.unknown == []
    assert result.value.bytes_sent == len(pty_printer.emulator.print_data)

    pty_printer.emulator.paper = "out"
    assert printer.print_receipt(contribution_receipt()).code is CompletionCode.PAPER_OUT


def test_serial_transport_reads_what_the_other_end_writes(pty_printer) -> None:
    transport = SerialTransport(pty_printer.path)
    transport.open()
    try:
        assert transport.read(16, 0) == b""
        transport.write(b"\x10\x04\x04")
        assert transport.read(16, 2.0) == b"\x12"
    finally:
        transport.close()


# --- absent devices and addresses --------------------------------------------------------

def test_absent_devices_are_no_device(printers, tmp_path) -> None:
    missing_serial = printers(SerialTransport("/dev/ttyNOSUCHPORT0"))
    missing_node = printers(FileTransport("/dev/usb/nosuchlp9"))
    missing_usb = printers(UsbTransport("dead:beef"))
    for printer in (missing_serial, missing_node, missing_usb):
        assert printer.status.state is DeviceState.NO_DEVICE, printer.status
        assert printer.print_receipt(contribution_receipt()).code is CompletionCode.NO_DEVICE


def test_usb_transport_for_a_missing_device_raises_device_not_found() -> None:
    with pytest.raises(DeviceNotFound):
        UsbTransport("0416:5011").open()


def test_transport_for_builds_each_kind() -> None:
    assert transport_for("network", "10.0.0.5").description == "tcp://10.0.0.5:9100"
    assert transport_for("TCP", "printer.local:9101").description == "tcp://printer.local:9101"
    assert transport_for("serial", "/dev/ttyUSB0:19200").description == "serial:///dev/ttyUSB0@19200"
    assert transport_for("usb", "0x0416:5011").description == "usb://0416:5011"
    assert transport_for("file", "/dev/usb/lp0").description == "file:///dev/usb/lp0"
    assert transport_for("file", "/dev/usb/lp0").kind == "file"


@pytest.mark.parametrize("driver, address, message", [
    ("bluetooth", "x", "unknown receipt printer driver"),
    ("network", "", "needs an address"),
    ("network", "host:0", "port must be a number from 1 to 65535"),
    ("network", "host:http", "port must be a number"),
    ("network", ":9100", "has no host"),
    ("network", "fe80::1:9100", "IPv6"),
    ("serial", "/dev/ttyUSB0:", "baud rate must follow"),
    ("serial", "/dev/ttyUSB0:10", "out of range"),
    ("usb", "04165011", "vendor:product"),
    ("usb", "zz:11", "vendor:product"),
    ("usb", "10000:1", "4 hex digits"),
])
def test_bad_addresses_get_clear_value_errors(driver, address, message) -> None:
    with pytest.raises(ValueError, match=message):
        transport_for(driver, address)


def test_address_parsers() -> None:
    assert parse_network_address("[::1]:9100") == ("::1", 9100)
    assert parse_network_address("[::1]") == ("::1", 9100)
    assert parse_serial_address("/dev/ttyS0") == ("/dev/ttyS0", DEFAULT_BAUD)
    by_path = "/dev/serial/by-path/pci-0000:00:14.0-usb-0:1:1.0-port0"
    assert parse_serial_address(by_path) == (by_path, DEFAULT_BAUD)
    assert parse_usb_address("0fe6:811E") == (0x0FE6, 0x811E)


def test_unsupported_paper_width_is_refused() -> None:
    with pytest.raises(ValueError, match="58 or 80"):
        EscposReceiptPrinter("receipt", FileTransport("/tmp/x"), 76)


# --- status bytes ------------------------------------------------------------------------

@pytest.mark.parametrize("replies, state, paper, cover", [
    ((0x12, 0x12, 0x12, 0x12), DeviceState.ONLINE, PaperState.FULL, CoverState.CLOSED),
    ((0x12, 0x12, 0x12, 0x1E), DeviceState.ONLINE, PaperState.LOW, CoverState.CLOSED),
    ((0x1A, 0x32, 0x12, 0x7E), DeviceState.ONLINE, PaperState.OUT, CoverState.CLOSED),
    ((0x1A, 0x32, 0x12, 0x12), DeviceState.ONLINE, PaperState.OUT, CoverState.CLOSED),  # stopped at paper end
    ((0x1A, 0x16, 0x12, 0x12), DeviceState.ONLINE, PaperState.FULL, CoverState.OPEN),
    ((0x1A, 0x52, 0x1A, 0x12), DeviceState.ONLINE, PaperState.JAMMED, CoverState.CLOSED),
    ((0x1A, 0x52, 0x32, 0x12), DeviceState.HARDWARE_ERROR, PaperState.FULL, CoverState.CLOSED),
    ((0x1A, 0x52, 0x52, 0x12), DeviceState.ONLINE, PaperState.FULL, CoverState.CLOSED),  # head overheat
    ((0x1A, 0x12, 0x12, 0x12), DeviceState.OFFLINE, PaperState.FULL, CoverState.CLOSED),  # offline, no cause
    ((0x00, 0x12, 0x12, 0x12), DeviceState.HARDWARE_ERROR, PaperState.UNKNOWN, CoverState.UNKNOWN),
])
def test_status_replies_map_to_typed_states(replies, state, paper, cover) -> None:
    status = status_from_replies(*replies)
    assert (status.state, status.paper, status.cover) == (state, paper, cover)


@pytest.fixture(autouse=True, scope="module")
def _zbarimg_is_installed() -> None:
    assert shutil.which("zbarimg"), "zbar-tools must be installed (zbarimg decodes raster QR codes)"


def test_capabilities_follow_width_and_transport(tmp_path) -> None:
    narrow = EscposReceiptPrinter("r", NetworkTransport("127.0.0.1:9"), 58, native_qr=False)
    assert narrow.capabilities == ReceiptPrinterCapabilities(
        width_mm=58, columns=32, dots_per_line=384, cutter=True, native_qr=False, status_readback=True,
        chinese=True, connection="network")
    to_file = EscposReceiptPrinter("r", FileTransport(tmp_path / "out.bin"))
    assert (to_file.capabilities.columns, to_file.capabilities.status_readback) == (48, False)
