"""Printer simulators: real output (ESC/POS bytes, PDF files) and paper faults as typed results."""

from __future__ import annotations

import subprocess

import pytest

from devices.document.layout import sample_certificate
from devices.model import CompletionCode, CoverState, DeviceState, PaperState
from devices.receipt.escpos_decode import decode_escpos
from devices.receipt.layout import KeyValue, QrCode, ReceiptLayout, Text
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedDocumentPrinter, SimulatedReceiptPrinter

RECEIPT = ReceiptLayout((Text("参保证明打印凭条", bold=True), KeyValue("证明编号", "NJ-2026-000123"),
                         QrCode("https://verify.example.invalid/c/NJ-2026-000123")))


@pytest.fixture
def receipt_printer():
    printer = SimulatedReceiptPrinter(width_mm=58)
    printer.open()
    return printer


def test_a_receipt_is_real_escpos(receipt_printer) -> None:
    result = receipt_printer.print_receipt(RECEIPT)
    assert result.ok and result.value.bytes_sent == len(receipt_printer.spool[-1].data)
    decoded = decode_escpos(receipt_printer.spool[-1].data)
    assert "参保证明打印凭条" in decoded.lines
    assert decoded.qr_payloads == ["https://verify.example.invalid/c/NJ-2026-000123"]
    assert decoded.cuts == 1 and not decoded.unknown


@pytest.mark.parametrize("fault, code, paper, cover", [
    (SimulatedFault.PAPER_OUT, CompletionCode.PAPER_OUT, PaperState.OUT, CoverState.CLOSED),
    (SimulatedFault.JAM, CompletionCode.PAPER_JAM, PaperState.JAMMED, CoverState.CLOSED),
    (SimulatedFault.COVER_OPEN, CompletionCode.COVER_OPEN, PaperState.FULL, CoverState.OPEN),
])
def test_paper_faults_refuse_the_job_and_show_in_status(receipt_printer, fault, code, paper, cover) -> None:
    receipt_printer.inject_fault(fault)
    assert (receipt_printer.status.paper, receipt_printer.status.cover) == (paper, cover)
    assert receipt_printer.print_receipt(RECEIPT).code is code
    assert receipt_printer.spool == []
    receipt_printer.clear_fault(fault)
    assert receipt_printer.print_receipt(RECEIPT).ok


def test_paper_running_out_mid_job_is_not_reported_as_printed(receipt_printer) -> None:
    receipt_printer.inject_fault(SimulatedFault.PAPER_OUT_MID_JOB)
    result = receipt_printer.print_receipt(RECEIPT)
    assert result.code is CompletionCode.PAPER_OUT and receipt_printer.spool == []
    assert receipt_printer.status.paper is PaperState.OUT
    assert receipt_printer.statistics.snapshot()["paper_outs"] == 1
    assert receipt_printer.statistics.snapshot()["receipts_printed"] == 0


def test_paper_low_still_prints_and_says_so(receipt_printer) -> None:
    receipt_printer.inject_fault(SimulatedFault.PAPER_LOW)
    result = receipt_printer.print_receipt(RECEIPT)
    assert result.ok and result.value.paper_after is PaperState.LOW


def test_unplugged_printer_is_no_device_until_recovered(receipt_printer) -> None:
    receipt_printer.inject_fault(SimulatedFault.UNPLUG)
    assert receipt_printer.print_receipt(RECEIPT).code is CompletionCode.NO_DEVICE
    receipt_printer.clear_fault(SimulatedFault.UNPLUG)
    assert receipt_printer.status.state is DeviceState.NO_DEVICE  # until the manager looks again
    assert receipt_printer.recover() and receipt_printer.print_receipt(RECEIPT).ok


def test_spool_is_bounded_and_wiped(receipt_printer) -> None:
    for _ in range(30):
        receipt_printer.print_receipt(RECEIPT)
    assert len(receipt_printer.spool) == 20
    receipt_printer.clear_spool()
    assert receipt_printer.spool == []


def test_document_simulator_renders_the_real_pdf(qapp, tmp_path) -> None:
    printer = SimulatedDocumentPrinter(output_dir=tmp_path)
    printer.open()
    result = printer.print_document(sample_certificate())
    assert result.ok and result.value.pages == 1
    text = subprocess.run(["pdftotext", result.value.document_path, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "社会保险参保证明" in text
    printer.inject_fault(SimulatedFault.PAPER_OUT_MID_JOB)
    assert printer.print_document(sample_certificate()).code is CompletionCode.PAPER_OUT
    assert len(list(tmp_path.glob("*.pdf"))) == 1  # the failed job left no file behind
    printer.clear_fault()
    printer.clear_spool()
    assert list(tmp_path.glob("*.pdf")) == []
