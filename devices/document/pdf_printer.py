"""The A4 printer that files PDFs in a directory, and the rendering and file helpers the
CUPS printer (`cups_printer.py`) shares with it. Rendering is `certificate_pdf` (QtGui only)."""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from devices.document.certificate_pdf import (CjkFontMissingError, GuiApplicationMissingError, missing_cjk_font,
                                              render_pdf_bytes)
from devices.document.layout import A4Document
from devices.interfaces import DocumentPrinter, DocumentPrinterCapabilities, PrintOutcome
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, PaperState

log = logging.getLogger("devices.document")

MIN_FREE_BYTES = 1 << 20  # below this a PDF may not fit: report the disk as full before a print fails


# --- helpers the CUPS printer shares ---------------------------------------------------

def safe_file_stem(number: str) -> str:
    """A file name (and CUPS job title) from the certificate number: ASCII, no personal data.

    "证明编号 SAMPLE-0000-0000" gives "SAMPLE-0000-0000"; a number with nothing usable gives a uuid.
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", number).strip("-_")[:80]
    return stem or f"document-{uuid.uuid4().hex}"


def render_document(document: A4Document) -> tuple[bytes, int]:
    try:
        return render_pdf_bytes(document)
    except (CjkFontMissingError, GuiApplicationMissingError) as error:
        raise DeviceError(CompletionCode.HARDWARE_ERROR, str(error)) from error
    except ValueError as error:
        raise DeviceError(CompletionCode.INVALID_INPUT, str(error)) from error


def describe_os_error(error: OSError, directory: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"disk full writing to {directory}"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"output directory {directory} is not writable ({error.strerror})"
    return f"cannot write to {directory}: {error.strerror or type(error).__name__}"


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` as `directory/name` so a reader never sees half a file (temp file, fsync, rename)."""
    target = directory / name
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable; not every filesystem lets a directory be fsynced
        directory_descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)
    except OSError:
        pass
    return target


def check_output_dir(directory: Path) -> tuple[DeviceState, str]:
    """ONLINE when `directory` exists (or can be made), takes a file and has room; else why not."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return DeviceState.NO_DEVICE, f"output path {directory} is not a directory"
    except OSError as error:
        return DeviceState.HARDWARE_ERROR, describe_os_error(error, directory)
    if not directory.is_dir():
        return DeviceState.NO_DEVICE, f"output path {directory} is not a directory"
    try:
        # A real probe: os.access says yes to root even on a read-only mount.
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
        free = shutil.disk_usage(directory).free
    except OSError as error:
        return DeviceState.HARDWARE_ERROR, describe_os_error(error, directory)
    if free < MIN_FREE_BYTES:
        return DeviceState.HARDWARE_ERROR, f"disk full: {free} bytes free in {directory}"
    return DeviceState.ONLINE, ""


# --- PDF files ---------------------------------------------------------------------------

class PdfDocumentPrinter(DocumentPrinter):
    """Files each document as `<output_dir>/<number>.pdf`, written atomically."""

    def __init__(self, name: str, output_dir: Path) -> None:
        super().__init__(name)
        self.output_dir = Path(output_dir)

    def _initial_media(self) -> dict:
        return {"paper": PaperState.NOT_SUPPORTED}

    @property
    def capabilities(self) -> DocumentPrinterCapabilities:
        return DocumentPrinterCapabilities(output="pdf", status_readback=False)

    def open(self) -> None:
        state, detail = check_output_dir(self.output_dir)
        if state is DeviceState.ONLINE:
            detail = missing_cjk_font() if font_check_possible() else ""
            if detail:
                state = DeviceState.HARDWARE_ERROR
        self._update_status(state=state, detail=detail or str(self.output_dir))

    def close(self) -> None:
        self._update_status(state=DeviceState.OFFLINE, detail="closed")

    def _do_print(self, document: A4Document, cancel: CancelToken) -> PrintOutcome:
        cancel.raise_if_cancelled()
        data, pages = render_document(document)
        cancel.raise_if_cancelled()
        try:
            path = write_atomically(self.output_dir, f"{safe_file_stem(document.number)}.pdf", data)
        except OSError as error:
            detail = describe_os_error(error, self.output_dir)
            self._update_status(state=DeviceState.HARDWARE_ERROR, detail=detail)
            raise DeviceError(CompletionCode.HARDWARE_ERROR, detail) from error
        return PrintOutcome(bytes_sent=path.stat().st_size, paper_after=PaperState.NOT_SUPPORTED, pages=pages,
                            document_path=str(path))


def font_check_possible() -> bool:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    return isinstance(QCoreApplication.instance(), QGuiApplication)
