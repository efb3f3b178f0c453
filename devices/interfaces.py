"""One interface per device class, with capabilities as data.

Real drivers and simulators implement exactly these. Operations block the calling
thread (the device's own worker, see `devices.worker`), take a `CancelToken`, and
return an `OperationResult`; requests are checked against capabilities here, once,
before a driver sees them.
"""

from __future__ import annotations

import dataclasses
import queue
from abc import abstractmethod

from devices.base import Device, Interaction
from devices.card.data import CardData, PinResult
from devices.document.layout import A4Document, sample_certificate
from devices.model import (CancelToken, CodeScanned, CompletionCode, CoverState, DeviceClass, DeviceError,
                           HealthLevel, HealthReport, MediaState, OperationResult, PaperState, ScanFailed)
from devices.receipt.layout import ReceiptLayout, test_page
from devices.scanner.code_filter import validate_scanned_code

PIN_LENGTH = 6


# --- card reader ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CardReaderCapabilities:
    contact: bool = True
    contactless: bool = False
    pin_on_card: bool = True           # the card itself verifies the PIN
    pin_entry: str = "kiosk"           # "kiosk": digits come from the screen keypad; "reader_pinpad": typed on the reader
    reads_holder_record: bool = True   # ssn/name readable without a PSAM
    reader_name: str = ""


class CardReader(Device):
    device_class = DeviceClass.CARD_READER
    counter_names = ("cards_inserted", "cards_read", "read_errors", "pin_verified", "pin_incorrect",
                     "pin_blocked")

    def _initial_media(self) -> dict:
        return {"media": MediaState.UNKNOWN}

    def read_card(self, cancel: CancelToken | None = None) -> OperationResult[CardData]:
        """Read and validate the issuer and holder records of the card in the reader."""
        def body() -> CardData:
            self._require_usable()
            if self.status.media is MediaState.NOT_PRESENT:
                raise DeviceError(CompletionCode.NO_MEDIA, "no card in the reader")
            return self._do_read_card(cancel or CancelToken())

        result = self._run("read_card", body, cancel)
        self.statistics.increment("cards_read" if result.ok else "read_errors")
        return result

    def verify_pin(self, pin: str, cancel: CancelToken | None = None) -> OperationResult[PinResult]:
        """Ask the card to verify a 6-digit PIN. A wrong PIN is PIN_INCORRECT with the tries left."""
        def body() -> PinResult:
            if not self.capabilities.pin_on_card:
                raise DeviceError(CompletionCode.UNSUPPORTED, "reader cannot verify a PIN")
            if self.capabilities.pin_entry == "reader_pinpad":
                if pin != "":
                    raise DeviceError(CompletionCode.INVALID_INPUT, "this reader takes the PIN on its own keypad")
            elif not isinstance(pin, str) or len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
                raise DeviceError(CompletionCode.INVALID_INPUT, "PIN must be 6 digits")
            self._require_usable()
            if self.status.media is MediaState.NOT_PRESENT:
                raise DeviceError(CompletionCode.NO_MEDIA, "no card in the reader")
            return self._do_verify_pin(pin, cancel or CancelToken())

        result = self._run("verify_pin", body, cancel)
        counter = {CompletionCode.SUCCESS: "pin_verified", CompletionCode.PIN_INCORRECT: "pin_incorrect",
                   CompletionCode.PIN_BLOCKED: "pin_blocked"}.get(result.code)
        if counter:
            self.statistics.increment(counter)
        return result

    def wait_for_card(self, timeout_s: float, cancel: CancelToken | None = None) -> OperationResult[None]:
        """Block until a card is present (used by diagnostics and interactive checks)."""
        cancel = cancel or CancelToken()

        def body() -> None:
            remaining = timeout_s
            while self.status.media is not MediaState.PRESENT:
                if remaining <= 0:
                    raise DeviceError(CompletionCode.TIMEOUT, "no card inserted")
                if cancel.wait(0.05):
                    raise DeviceError(CompletionCode.CANCELLED, "cancelled")
                remaining -= 0.05

        return self._run("wait_for_card", body, cancel)

    def _card_ready_for_check(self, level: HealthLevel, interaction: Interaction | None,
                              cancel: CancelToken) -> HealthReport | None:
        """A card in the reader for an external/interactive check, or the report of why not."""
        if level is HealthLevel.INTERACTIVE:
            interaction.instruct("technician.check.insert_card")
            waited = self.wait_for_card(60.0, cancel)
            if not waited.ok:
                return self._report(level, waited.code, "no card inserted")
        elif self.status.media is not MediaState.PRESENT:
            return self._report(level, CompletionCode.NO_MEDIA, "external check needs a card in the reader")
        return None

    @abstractmethod
    def _do_read_card(self, cancel: CancelToken) -> CardData: ...

    @abstractmethod
    def _do_verify_pin(self, pin: str, cancel: CancelToken) -> PinResult: ...

    def _check_health(self, level: HealthLevel, interaction: Interaction | None,
                      cancel: CancelToken) -> HealthReport:
        if level is HealthLevel.INTERNAL:
            return super()._check_health(level, interaction, cancel)
        not_ready = self._card_ready_for_check(level, interaction, cancel)
        if not_ready is not None:
            return not_ready
        result = self.read_card(cancel)
        if not result.ok:
            return self._report(level, result.code, result.detail)
        return self._report(level, CompletionCode.SUCCESS, f"card read in {result.elapsed_s * 1000:.0f} ms",
                            card=result.value.masked())


# --- QR scanner ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class QrScannerCapabilities:
    max_code_bytes: int = 4096
    connection: str = "serial"   # serial | hid_wedge | simulator
    terminator: str = "CR"


class QrScanner(Device):
    """Publishes `CodeScanned` / `ScanFailed` events while enabled."""

    device_class = DeviceClass.QR_SCANNER
    counter_names = ("codes_scanned", "scan_errors", "scans_ignored")

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._enabled = True

    def set_enabled(self, enabled: bool) -> None:
        """A disabled scanner drops codes (no code is accepted outside an identify screen)."""
        self._enabled = enabled

    @property
    def enabled(self) -> bool:
        return self._enabled

    def read_one(self, timeout_s: float, cancel: CancelToken | None = None) -> OperationResult[str]:
        """Wait for the next code (diagnostics and interactive checks)."""
        cancel = cancel or CancelToken()
        arrived: queue.Queue = queue.Queue()

        def listener(event) -> None:
            if isinstance(event, (CodeScanned, ScanFailed)):
                arrived.put(event)

        def body() -> str:
            self._require_usable()
            unsubscribe = self.subscribe(listener)
            try:
                remaining = timeout_s
                while remaining > 0:
                    if cancel.cancelled:
                        raise DeviceError(CompletionCode.CANCELLED, "cancelled")
                    try:
                        event = arrived.get(timeout=min(0.1, remaining))
                    except queue.Empty:
                        remaining -= 0.1
                        continue
                    if isinstance(event, ScanFailed):
                        raise DeviceError(event.code, event.detail)
                    return event.code
                raise DeviceError(CompletionCode.TIMEOUT, "no code scanned")
            finally:
                unsubscribe()

        return self._run("read_one", body, cancel)

    def _deliver(self, raw: bytes | str) -> None:
        """Drivers hand every complete code here; it is bounded and validated once."""
        if not self._enabled:
            self.statistics.increment("scans_ignored")
            return
        try:
            code = validate_scanned_code(raw, self.capabilities.max_code_bytes)
        except DeviceError as error:
            self.statistics.increment("scan_errors")
            self._publish(ScanFailed(self.name, error.code, error.detail))
            return
        self.statistics.increment("codes_scanned")
        self._publish(CodeScanned(self.name, code))

    def _report_failed_scan(self, code: CompletionCode, detail: str) -> None:
        if not self._enabled:
            self.statistics.increment("scans_ignored")
            return
        self.statistics.increment("scan_errors")
        self._publish(ScanFailed(self.name, code, detail))

    def _check_health(self, level: HealthLevel, interaction: Interaction | None,
                      cancel: CancelToken) -> HealthReport:
        if level is not HealthLevel.INTERACTIVE:
            if level is HealthLevel.EXTERNAL:
                return self._report(level, CompletionCode.UNSUPPORTED, "a scanner has no test without a code")
            return super()._check_health(level, interaction, cancel)
        interaction.instruct("technician.check.scan_test_qr")
        result = self.read_one(60.0, cancel)
        if not result.ok:
            return self._report(level, result.code, result.detail)
        return self._report(level, CompletionCode.SUCCESS, f"code of {len(result.value)} characters read")


# --- receipt printer -----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ReceiptPrinterCapabilities:
    width_mm: int = 80
    columns: int = 48            # Font A columns (80 mm: 48, 58 mm: 32)
    dots_per_line: int = 576     # raster width (80 mm: 576, 58 mm: 384)
    cutter: bool = True
    native_qr: bool = True       # GS ( k QR; otherwise a raster image is sent
    status_readback: bool = True  # DLE EOT real-time status
    chinese: bool = True         # GB18030 Chinese character mode (FS &)
    connection: str = "network"
    font_charset: str = "gbk"    # what the built-in Chinese font covers: gb2312, gbk or gb18030; other characters print as an image


@dataclasses.dataclass(frozen=True)
class PrintOutcome:
    bytes_sent: int
    paper_after: PaperState
    pages: int = 1
    document_path: str = ""   # a PDF or captured file, where there is one
    job_id: str = ""          # a CUPS job, where there is one


class ReceiptPrinter(Device):
    device_class = DeviceClass.RECEIPT_PRINTER
    counter_names = ("receipts_printed", "print_errors", "paper_outs", "jams", "cover_opens")

    def _initial_media(self) -> dict:
        return {"paper": PaperState.UNKNOWN, "cover": CoverState.UNKNOWN}

    def print_receipt(self, receipt: ReceiptLayout, cancel: CancelToken | None = None) -> OperationResult[PrintOutcome]:
        """Print a receipt; SUCCESS only when the printer took all of it and reports no fault after."""
        def body() -> PrintOutcome:
            self._require_usable()
            return self._do_print(receipt, cancel or CancelToken())

        result = self._run("print_receipt", body, cancel)
        counter = {CompletionCode.SUCCESS: "receipts_printed", CompletionCode.PAPER_OUT: "paper_outs",
                   CompletionCode.PAPER_JAM: "jams", CompletionCode.COVER_OPEN: "cover_opens"}.get(result.code)
        self.statistics.increment(counter or "print_errors")
        return result

    def refresh_status(self, cancel: CancelToken | None = None) -> OperationResult[None]:
        """Read the printer's status back (paper, cover, online) into `status`."""
        return self._run("refresh_status", lambda: self._do_refresh_status(cancel or CancelToken()), cancel)

    @abstractmethod
    def _do_print(self, receipt: ReceiptLayout, cancel: CancelToken) -> PrintOutcome: ...

    @abstractmethod
    def _do_refresh_status(self, cancel: CancelToken) -> None: ...

    def _check_health(self, level: HealthLevel, interaction: Interaction | None,
                      cancel: CancelToken) -> HealthReport:
        if level is HealthLevel.INTERNAL:
            refreshed = self.refresh_status(cancel)
            if not refreshed.ok:
                return self._report(level, refreshed.code, refreshed.detail)
            status = self.status
            code = paper_fault_code(status) or (CompletionCode.SUCCESS if status.state.usable else CompletionCode.NO_DEVICE)
            return self._report(level, code, f"{status.state.value}, paper {status.paper.value}, "
                                f"cover {status.cover.value}")
        printed = self.print_receipt(test_page(self.name, self.capabilities), cancel)
        if not printed.ok:
            return self._report(level, printed.code, printed.detail)
        if level is HealthLevel.INTERACTIVE and not interaction.confirm("technician.check.test_page_readable"):
            return self._report(level, CompletionCode.HARDWARE_ERROR, "technician: test page not readable")
        return self._report(level, CompletionCode.SUCCESS, f"test page printed ({printed.value.bytes_sent} bytes)")


def paper_fault_code(status) -> CompletionCode | None:
    if status.paper is PaperState.OUT:
        return CompletionCode.PAPER_OUT
    if status.paper is PaperState.JAMMED:
        return CompletionCode.PAPER_JAM
    if status.cover is CoverState.OPEN:
        return CompletionCode.COVER_OPEN
    return None


# --- document (A4) printer -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class DocumentPrinterCapabilities:
    output: str = "pdf"          # pdf | cups | simulator
    paper_size: str = "A4"
    duplex: bool = False
    colour: bool = False
    status_readback: bool = False  # CUPS job state read back


class DocumentPrinter(Device):
    device_class = DeviceClass.DOCUMENT_PRINTER
    counter_names = ("documents_printed", "print_errors", "paper_outs", "jams")

    def _initial_media(self) -> dict:
        return {"paper": PaperState.UNKNOWN}

    def print_document(self, document: A4Document, cancel: CancelToken | None = None) -> OperationResult[PrintOutcome]:
        def body() -> PrintOutcome:
            self._require_usable()
            return self._do_print(document, cancel or CancelToken())

        result = self._run("print_document", body, cancel)
        counter = {CompletionCode.SUCCESS: "documents_printed", CompletionCode.PAPER_OUT: "paper_outs",
                   CompletionCode.PAPER_JAM: "jams"}.get(result.code)
        self.statistics.increment(counter or "print_errors")
        return result

    @abstractmethod
    def _do_print(self, document: A4Document, cancel: CancelToken) -> PrintOutcome: ...

    def _check_health(self, level: HealthLevel, interaction: Interaction | None,
                      cancel: CancelToken) -> HealthReport:
        if level is HealthLevel.INTERNAL:
            return super()._check_health(level, interaction, cancel)
        printed = self.print_document(sample_certificate(), cancel)
        if not printed.ok:
            return self._report(level, printed.code, printed.detail)
        if level is HealthLevel.INTERACTIVE and not interaction.confirm("technician.check.sample_clear"):
            return self._report(level, CompletionCode.HARDWARE_ERROR, "technician: sample not clear")
        return self._report(level, CompletionCode.SUCCESS, "sample certificate printed",
                            path=printed.value.document_path, job=printed.value.job_id)
