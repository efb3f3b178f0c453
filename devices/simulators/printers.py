"""Receipt and A4 printer simulators.

They produce the real output (ESC/POS bytes from the real encoder, PDFs from the real
renderer) so the demo can show what was printed, and keep paper, cover and jam state
that fault injection flips. Only the last few jobs are kept in memory (the spool),
and `clear_spool()` wipes them at the end of a session.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import uuid
from pathlib import Path

from devices.document.layout import A4Document
from devices.interfaces import (DocumentPrinter, DocumentPrinterCapabilities, PrintOutcome, ReceiptPrinter,
                                ReceiptPrinterCapabilities, paper_fault_code)
from devices.model import CancelToken, CompletionCode, CoverState, DeviceError, DeviceState, PaperState
from devices.receipt.layout import ReceiptLayout
from devices.simulators.faults import FaultSwitchboard, SimulatedFault

SPOOL_LENGTH = 20


@dataclasses.dataclass(frozen=True)
class SpooledJob:
    """One printed job: the bytes or file the printer produced."""

    data: bytes = b""
    path: Path | None = None


class Spool:
    """The last few jobs, bounded; files of jobs that drop out or are cleared are deleted."""

    def __init__(self, length: int = SPOOL_LENGTH) -> None:
        self._jobs: collections.deque[SpooledJob] = collections.deque()
        self._length = length
        self._lock = threading.Lock()

    def add(self, job: SpooledJob) -> None:
        with self._lock:
            self._jobs.append(job)
            while len(self._jobs) > self._length:
                _delete_file(self._jobs.popleft())

    def jobs(self) -> list[SpooledJob]:
        with self._lock:
            return list(self._jobs)

    def clear(self) -> None:
        with self._lock:
            for job in self._jobs:
                _delete_file(job)
            self._jobs.clear()


def _delete_file(job: SpooledJob) -> None:
    if job.path is not None:
        job.path.unlink(missing_ok=True)


class _SimulatedPrinter:
    """Paper, cover and jam state derived from the active faults, and the spool (both printers)."""

    faults: FaultSwitchboard
    _spool: Spool

    @property
    def spool(self) -> list[SpooledJob]:
        return self._spool.jobs()

    def clear_spool(self) -> None:
        """Session end: printed data (and files) leave the terminal."""
        self._spool.clear()

    def _paper_status(self) -> dict:
        paper = PaperState.FULL
        if self.faults.active(SimulatedFault.PAPER_LOW):
            paper = PaperState.LOW
        if self.faults.active(SimulatedFault.PAPER_OUT):
            paper = PaperState.OUT
        if self.faults.active(SimulatedFault.JAM):
            paper = PaperState.JAMMED
        return {"paper": paper}

    def _apply_unplug(self) -> bool:
        if self.faults.active(SimulatedFault.UNPLUG):
            self._update_status(state=DeviceState.NO_DEVICE, detail="simulated unplug")
            return True
        return False

    def inject_fault(self, fault: SimulatedFault) -> None:
        self.faults.inject(fault)
        if not self._apply_unplug() and self.status.state.usable:
            self._update_status(**self._media_status())

    def clear_fault(self, fault: SimulatedFault | None = None) -> None:
        """Clearing UNPLUG is a replug: the manager's recovery brings the printer back."""
        self.faults.clear(fault)
        if self.status.state.usable:
            self._update_status(**self._media_status())

    def _media_status(self) -> dict:
        return self._paper_status()


class SimulatedReceiptPrinter(_SimulatedPrinter, ReceiptPrinter):
    def __init__(self, name: str = "receipt-printer-sim", *, width_mm: int = 80,
                 faults: FaultSwitchboard | None = None) -> None:
        super().__init__(name)
        self.faults = faults or FaultSwitchboard()
        self._width_mm = width_mm
        self._spool = Spool()

    @property
    def capabilities(self) -> ReceiptPrinterCapabilities:
        narrow = self._width_mm == 58
        return ReceiptPrinterCapabilities(width_mm=self._width_mm, columns=32 if narrow else 48,
                                          dots_per_line=384 if narrow else 576, connection="simulator")

    def _media_status(self) -> dict:
        cover = CoverState.OPEN if self.faults.active(SimulatedFault.COVER_OPEN) else CoverState.CLOSED
        return {**self._paper_status(), "cover": cover}

    def open(self) -> None:
        if not self._apply_unplug():
            self._update_status(state=DeviceState.ONLINE, detail="", **self._media_status())

    def close(self) -> None:
        pass

    def _do_refresh_status(self, cancel: CancelToken) -> None:
        if not self._apply_unplug():
            self._update_status(**self._media_status())

    def _do_print(self, receipt: ReceiptLayout, cancel: CancelToken) -> PrintOutcome:
        from devices.receipt.escpos_encoder import encode_receipt

        self.faults.delay(cancel)
        self._do_refresh_status(cancel)
        self._require_usable()
        fault = paper_fault_code(self.status)
        if fault is not None:
            raise DeviceError(fault, f"printer reports {self.status.paper.value} paper, cover {self.status.cover.value}")
        data = encode_receipt(receipt, self.capabilities)
        if self.faults.consume(SimulatedFault.PAPER_OUT_MID_JOB):
            self.faults.inject(SimulatedFault.PAPER_OUT)
            self._update_status(**self._media_status())
            raise DeviceError(CompletionCode.PAPER_OUT, f"paper ran out after {len(data) // 2} of {len(data)} bytes")
        self._spool.add(SpooledJob(data=data))
        return PrintOutcome(bytes_sent=len(data), paper_after=self.status.paper)


class SimulatedDocumentPrinter(_SimulatedPrinter, DocumentPrinter):
    """Renders the real PDF into `output_dir`, as a PDF printer would, with paper faults on top."""

    def __init__(self, name: str = "document-printer-sim", *, output_dir: Path,
                 faults: FaultSwitchboard | None = None) -> None:
        super().__init__(name)
        self.faults = faults or FaultSwitchboard()
        self.output_dir = Path(output_dir)
        self._spool = Spool()

    @property
    def capabilities(self) -> DocumentPrinterCapabilities:
        return DocumentPrinterCapabilities(output="simulator", status_readback=True)

    def open(self) -> None:
        if self._apply_unplug():
            return
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._update_status(state=DeviceState.HARDWARE_ERROR, detail=f"output folder: {error.strerror}")
            return
        self._update_status(state=DeviceState.ONLINE, detail="", **self._media_status())

    def close(self) -> None:
        pass

    def _do_print(self, document: A4Document, cancel: CancelToken) -> PrintOutcome:
        from devices.document.certificate_pdf import render_pdf

        self.faults.delay(cancel)
        if self._apply_unplug():
            self._require_usable()
        self._update_status(**self._media_status())
        fault = paper_fault_code(self.status)
        if fault is not None:
            raise DeviceError(fault, f"printer reports {self.status.paper.value} paper")
        path = self.output_dir / f"{uuid.uuid4().hex}.pdf"
        pages = render_pdf(document, path)
        if self.faults.consume(SimulatedFault.PAPER_OUT_MID_JOB):
            self.faults.inject(SimulatedFault.PAPER_OUT)
            self._update_status(**self._media_status())
            path.unlink(missing_ok=True)
            raise DeviceError(CompletionCode.PAPER_OUT, f"paper ran out on page 1 of {pages}")
        size = path.stat().st_size
        self._spool.add(SpooledJob(path=path))
        return PrintOutcome(bytes_sent=size, paper_after=self.status.paper, pages=pages, document_path=str(path))
