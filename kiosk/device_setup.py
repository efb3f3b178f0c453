"""Devices from configuration: driver or simulator per class, handed to a `DeviceManager`.

The only place that knows which class implements which `driver = "..."` value. Driver
modules are imported only when configured, so a terminal without pyscard or CUPS
never loads them.
"""

from __future__ import annotations

from devices.base import Device
from devices.manager import DeviceManager
from devices.model import DeviceClass
from kiosk.config import KioskSettings


def build_card_reader(settings: KioskSettings) -> Device | None:
    config = settings.devices.card_reader
    if config.driver == "simulator":
        from devices.simulators.card_reader import SimulatedCardReader

        return SimulatedCardReader(contactless=config.contactless)
    if config.driver == "pcsc":
        from devices.card.pcsc_reader import PcscCardReader

        return PcscCardReader("card-reader", reader_pattern=config.reader_pattern, contactless=config.contactless,
                              transmit_timeout_s=config.transmit_timeout_s)
    if config.driver == "vendor_library":
        from devices.card.vendor_library import VendorLibraryCardReader

        return VendorLibraryCardReader("card-reader", str(settings.resolve_path(config.library_path)),
                                       contactless=config.contactless)
    return None


def build_qr_scanner(settings: KioskSettings) -> Device | None:
    config = settings.devices.qr_scanner
    if config.driver == "simulator":
        from devices.simulators.qr_scanner import SimulatedQrScanner

        return SimulatedQrScanner()
    if config.driver == "serial":
        from devices.scanner.serial_scanner import SerialQrScanner

        return SerialQrScanner("qr-scanner", config.port, baud=config.baud, terminator=config.terminator)
    if config.driver == "hid_wedge":
        from devices.scanner.hid_wedge import HidWedgeScanner

        return HidWedgeScanner("qr-scanner", max_interkey_ms=config.wedge_max_interkey_ms)
    return None


def build_receipt_printer(settings: KioskSettings) -> Device | None:
    config = settings.devices.receipt_printer
    if config.driver == "simulator":
        from devices.simulators.printers import SimulatedReceiptPrinter

        return SimulatedReceiptPrinter(width_mm=config.width_mm)
    if config.driver == "none":
        return None
    from devices.receipt.escpos_printer import EscposReceiptPrinter
    from devices.receipt.transports import transport_for

    address = str(settings.resolve_path(config.address)) if config.driver == "file" else config.address
    return EscposReceiptPrinter("receipt-printer", transport_for(config.driver, address), config.width_mm,
                                native_qr=config.native_qr, font_charset=config.font_charset)


def build_document_printer(settings: KioskSettings) -> Device | None:
    config = settings.devices.document_printer
    output_dir = settings.resolve_path(config.output_dir)
    if config.driver == "simulator":
        from devices.simulators.printers import SimulatedDocumentPrinter

        return SimulatedDocumentPrinter(output_dir=output_dir)
    if config.driver == "pdf":
        from devices.document.pdf_printer import PdfDocumentPrinter

        return PdfDocumentPrinter("document-printer", output_dir)
    if config.driver == "cups":
        from devices.document.cups_printer import CupsDocumentPrinter

        return CupsDocumentPrinter("document-printer", config.cups_queue, output_dir)
    return None


def build_device_manager(settings: KioskSettings) -> DeviceManager:
    """Every configured device (driver "none" leaves the class out), not yet started."""
    builders = {DeviceClass.CARD_READER: build_card_reader, DeviceClass.QR_SCANNER: build_qr_scanner,
                DeviceClass.RECEIPT_PRINTER: build_receipt_printer,
                DeviceClass.DOCUMENT_PRINTER: build_document_printer}
    devices = {device_class: device for device_class, build in builders.items()
               if (device := build(settings)) is not None}
    return DeviceManager(devices, recovery_interval_s=settings.devices.recovery_interval_s)
