"""An ESC/POS receipt printer: the command set (our encoder) composed with a byte transport.

python-escpos makes each connection type a printer subclass, opens on first use and
reports status as magic numbers. Here the printer *has* a transport (network, serial, USB
or file), is opened explicitly, and reads its real-time status (DLE EOT 1..4) into the
shared typed `DeviceStatus`:

| reply to        | bit            | becomes                                        |
|-----------------|----------------|------------------------------------------------|
| DLE EOT 1       | 0x08 offline   | OFFLINE, unless a cause below explains it      |
| DLE EOT 2       | 0x04 cover     | cover OPEN (else CLOSED)                       |
| DLE EOT 2       | 0x20 paper end | paper OUT                                      |
| DLE EOT 3       | 0x08 cutter    | paper JAMMED (a cutter error is nearly always a jam) |
| DLE EOT 3       | 0x20 unrecov.  | HARDWARE_ERROR                                 |
| DLE EOT 3       | 0x40 auto-rec. | stays ONLINE, noted in detail (head overheat)  |
| DLE EOT 4       | 0x0C near end  | paper LOW                                      |
| DLE EOT 4       | 0x60 roll end  | paper OUT                                      |
| no reply in time|                | OFFLINE                                        |
| reply without the fixed bits (x0x1xx10) | | HARDWARE_ERROR (not an ESC/POS printer?) |

Paper out, cover open and jams keep the state ONLINE (the printer is there and talks);
they are reported in `paper`/`cover`, so a print fails with PAPER_OUT, COVER_OPEN or
PAPER_JAM rather than a vague NO_DEVICE, and availability checks use `paper_fault_code`.

A receipt counts as printed only when the printer took all bytes *and* reports no fault
afterwards. Receipt text never reaches a log; only byte counts do.
"""

from __future__ import annotations

import logging
import threading

from devices.interfaces import PrintOutcome, ReceiptPrinter, ReceiptPrinterCapabilities, paper_fault_code
from devices.model import (CancelToken, CompletionCode, CoverState, DeviceError, DeviceState, DeviceStatus,
                           PaperState)
from devices.receipt.escpos_commands import DLE, EOT
from devices.receipt.escpos_encoder import ReceiptEncodingError, encode_receipt
from devices.receipt.layout import ReceiptLayout
from devices.receipt.line_raster import check_charset
from devices.receipt.transports import ConnectionLost, DeviceNotFound, Transport, TransportError

log = logging.getLogger("devices.receipt")

PAPER_GEOMETRY = {58: (32, 384), 80: (48, 576)}  # width_mm -> (Font A columns, dots per line)
STATUS_REQUESTS = (1, 2, 3, 4)                  # printer, offline cause, error cause, paper roll sensor
_FIXED_BITS_MASK, _FIXED_BITS = 0x93, 0x12       # every DLE EOT reply looks like 0xx1xx10


class _NoAnswer(Exception):
    def __init__(self, request: int) -> None:
        super().__init__(request)
        self.request = request


def status_from_replies(printer: int, offline_cause: int, error_cause: int, paper_sensor: int) -> DeviceStatus:
    """The replies to DLE EOT 1, 2, 3 and 4 as a typed status (see the module table)."""
    for request, reply in zip(STATUS_REQUESTS, (printer, offline_cause, error_cause, paper_sensor)):
        if reply & _FIXED_BITS_MASK != _FIXED_BITS:
            return DeviceStatus(DeviceState.HARDWARE_ERROR, paper=PaperState.UNKNOWN, cover=CoverState.UNKNOWN,
                                detail=f"unexpected reply 0x{reply:02x} to DLE EOT {request}; "
                                       f"is this an ESC/POS printer?")
    notes: list[str] = []
    cover = CoverState.OPEN if offline_cause & 0x04 else CoverState.CLOSED
    if error_cause & 0x08:
        paper = PaperState.JAMMED
        notes.append("cutter error (paper jam?)")
    elif paper_sensor & 0x60 or offline_cause & 0x20:
        paper = PaperState.OUT
        notes.append("paper out")
    elif paper_sensor & 0x0C:
        paper = PaperState.LOW
        notes.append("paper near end")
    else:
        paper = PaperState.FULL
    if cover is CoverState.OPEN:
        notes.append("cover open")
    explained = cover is CoverState.OPEN or paper in (PaperState.OUT, PaperState.JAMMED) or error_cause & 0x40
    if error_cause & 0x20:
        state = DeviceState.HARDWARE_ERROR
        notes.append("unrecoverable error: needs a technician")
    elif printer & 0x08 and not explained:
        state = DeviceState.OFFLINE
        notes.append("printer reports offline")
    else:
        state = DeviceState.ONLINE
    if error_cause & 0x40:
        notes.append("auto-recoverable error (print head too hot?): printing resumes by itself")
    return DeviceStatus(state, paper=paper, cover=cover, detail="; ".join(notes))


class EscposReceiptPrinter(ReceiptPrinter):
    def __init__(self, name: str, transport: Transport, width_mm: int = 80, *, status_readback: bool = True,
                 native_qr: bool = True, status_timeout_s: float = 1.0, full_cut: bool = False,
                 font_charset: str = "gbk") -> None:
        if width_mm not in PAPER_GEOMETRY:
            raise ValueError(f"receipt paper width {width_mm} mm is not supported; use 58 or 80")
        check_charset(font_charset)
        super().__init__(name)
        columns, dots = PAPER_GEOMETRY[width_mm]
        self._transport = transport
        self._capabilities = ReceiptPrinterCapabilities(
            width_mm=width_mm, columns=columns, dots_per_line=dots, cutter=True, native_qr=native_qr,
            status_readback=bool(status_readback and transport.can_read), chinese=True, connection=transport.kind,
            font_charset=font_charset)
        self._status_timeout_s = status_timeout_s
        self._full_cut = full_cut
        self._io = threading.RLock()  # one conversation with the printer at a time

    @property
    def capabilities(self) -> ReceiptPrinterCapabilities:
        return self._capabilities

    @property
    def transport_description(self) -> str:
        return self._transport.description

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "transport": self._transport.description}

    # --- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        with self._io:
            try:
                self._refresh_locked(reconnect_if_lost=True)
            except DeviceError:
                pass  # the state says why; open never raises for an absent or silent printer
            except Exception as error:  # a driver library failing in an unforeseen way must not stop start-up
                log.exception("%s: open failed", self.name)
                self._update_status(state=DeviceState.HARDWARE_ERROR, paper=PaperState.UNKNOWN,
                                    cover=CoverState.UNKNOWN, detail=f"open failed: {type(error).__name__}")

    def close(self) -> None:
        with self._io:
            self._transport.close()

    # --- operations ------------------------------------------------------------------

    def _do_refresh_status(self, cancel: CancelToken) -> None:
        with self._io:
            self._refresh_locked(reconnect_if_lost=True)

    def _do_print(self, receipt: ReceiptLayout, cancel: CancelToken) -> PrintOutcome:
        with self._io:
            before = self._refresh_locked(reconnect_if_lost=True)
            self._raise_for_fault(before, "before printing")
            cancel.raise_if_cancelled()
            try:
                data = encode_receipt(receipt, self._capabilities, full_cut=self._full_cut)
            except ReceiptEncodingError as error:
                raise DeviceError(CompletionCode.INVALID_INPUT, str(error)) from error
            self._send(data)
            log.info("%s: sent a receipt of %d bytes", self.name, len(data))
            if not self._capabilities.status_readback:
                return PrintOutcome(bytes_sent=len(data), paper_after=before.paper)
            try:
                # Never reconnect here: a new connection would report a healthy printer
                # for a receipt that may have been lost with the old one.
                after = self._refresh_locked(reconnect_if_lost=False)
            except DeviceError as error:
                raise DeviceError(error.code, f"no status after sending the receipt, it may not have printed: "
                                              f"{error.detail}") from error
            self._raise_for_fault(after, "while printing")
            return PrintOutcome(bytes_sent=len(data), paper_after=after.paper)

    # --- internals -------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        try:
            self._transport.write(data)
        except ConnectionLost as error:
            self._lost(f"connection lost while sending the receipt: {error}")
            raise DeviceError(CompletionCode.NO_DEVICE, f"connection lost after up to {len(data)} bytes") from error
        except TransportError as error:
            self._lost(f"write failed: {error}")
            raise DeviceError(CompletionCode.TIMEOUT, f"printer did not take the receipt: {error}") from error

    def _refresh_locked(self, reconnect_if_lost: bool) -> DeviceStatus:
        """Read the status into `self.status`; DeviceError(NO_DEVICE) when the printer cannot be reached."""
        if not self._transport.is_open:
            self._connect()
        if not self._capabilities.status_readback:
            return self._update_status(state=DeviceState.ONLINE, paper=PaperState.NOT_SUPPORTED,
                                       cover=CoverState.NOT_SUPPORTED, detail="")
        try:
            status = self._read_printer_status()
        except ConnectionLost as error:
            if not reconnect_if_lost:
                self._lost(str(error))
                raise DeviceError(CompletionCode.NO_DEVICE, str(error)) from error
            # Printers close idle connections; nothing was sent yet, so one fresh try is safe.
            log.info("%s: connection lost (%s); reconnecting", self.name, error)
            self._connect()
            return self._refresh_locked(reconnect_if_lost=False)
        except TransportError as error:
            self._lost(str(error))
            raise DeviceError(CompletionCode.NO_DEVICE, str(error)) from error
        except _NoAnswer as silent:
            detail = f"no answer to status request DLE EOT {silent.request} within {self._status_timeout_s:g} s"
            self._update_status(state=DeviceState.OFFLINE, paper=PaperState.UNKNOWN, cover=CoverState.UNKNOWN,
                                detail=detail)
            raise DeviceError(CompletionCode.NO_DEVICE, detail) from None
        return self._update_status(state=status.state, paper=status.paper, cover=status.cover, detail=status.detail)

    def _read_printer_status(self) -> DeviceStatus:
        transport = self._transport
        for _ in range(64):  # a late reply to an earlier request must not answer this one (bounded: never spin)
            if not transport.read(64, 0):
                break
        replies = []
        for request in STATUS_REQUESTS:
            transport.write(DLE + EOT + bytes((request,)))
            reply = transport.read(1, self._status_timeout_s)
            if not reply:
                raise _NoAnswer(request)
            replies.append(reply[0])
        return status_from_replies(*replies)

    def _connect(self) -> None:
        try:
            self._transport.open()
        except DeviceNotFound as error:
            self._update_status(state=DeviceState.NO_DEVICE, paper=PaperState.UNKNOWN, cover=CoverState.UNKNOWN,
                                detail=str(error))
            raise DeviceError(CompletionCode.NO_DEVICE, str(error)) from error
        except OSError as error:
            self._update_status(state=DeviceState.OFFLINE, paper=PaperState.UNKNOWN, cover=CoverState.UNKNOWN,
                                detail=str(error))
            raise DeviceError(CompletionCode.NO_DEVICE, str(error)) from error

    def _lost(self, detail: str) -> None:
        self._transport.close()
        self._update_status(state=DeviceState.OFFLINE, paper=PaperState.UNKNOWN, cover=CoverState.UNKNOWN,
                            detail=detail)

    @staticmethod
    def _raise_for_fault(status: DeviceStatus, when: str) -> None:
        code = paper_fault_code(status)
        if code is not None:
            raise DeviceError(code, f"{status.detail} ({when})")
        if status.state is DeviceState.HARDWARE_ERROR:
            raise DeviceError(CompletionCode.HARDWARE_ERROR, f"{status.detail} ({when})")
        if status.state is not DeviceState.ONLINE:
            raise DeviceError(CompletionCode.NO_DEVICE, f"printer {status.state.value}: {status.detail} ({when})")
