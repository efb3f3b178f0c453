"""A4 document printers: one that files PDFs in a directory, one that prints through CUPS.

Both render with `certificate_pdf` (QtGui only). The CUPS printer submits with `lp`,
checks the queue with `lpstat` and reads the job's state back over IPP from the same
scheduler `lpstat` talks to: `lpstat` lists an aborted job among the completed ones
and cannot tell the two apart, while IPP's `job-state` can.
"""

from __future__ import annotations

import dataclasses
import errno
import getpass
import http.client
import itertools
import logging
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from devices.document.certificate_pdf import (CjkFontMissingError, GuiApplicationMissingError, missing_cjk_font,
                                              render_pdf_bytes)
from devices.document.layout import A4Document
from devices.interfaces import DocumentPrinter, DocumentPrinterCapabilities, PrintOutcome
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, PaperState

log = logging.getLogger("devices.document")

MIN_FREE_BYTES = 1 << 20  # below this a PDF may not fit: report the disk as full before a print fails


# --- shared helpers ----------------------------------------------------------------------

def safe_file_stem(number: str) -> str:
    """A file name (and CUPS job title) from the certificate number: ASCII, no personal data.

    "证明编号 SAMPLE-0000-0000" gives "SAMPLE-0000-0000"; a number with nothing usable gives a uuid.
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", number).strip("-_")[:80]
    return stem or f"document-{uuid.uuid4().hex}"


def _render(document: A4Document) -> tuple[bytes, int]:
    try:
        return render_pdf_bytes(document)
    except (CjkFontMissingError, GuiApplicationMissingError) as error:
        raise DeviceError(CompletionCode.HARDWARE_ERROR, str(error)) from error
    except ValueError as error:
        raise DeviceError(CompletionCode.INVALID_INPUT, str(error)) from error


def _describe_os_error(error: OSError, directory: Path) -> str:
    if error.errno == errno.ENOSPC:
        return f"disk full writing to {directory}"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"output directory {directory} is not writable ({error.strerror})"
    return f"cannot write to {directory}: {error.strerror or type(error).__name__}"


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
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


def _check_output_dir(directory: Path) -> tuple[DeviceState, str]:
    """ONLINE when `directory` exists (or can be made), takes a file and has room; else why not."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return DeviceState.NO_DEVICE, f"output path {directory} is not a directory"
    except OSError as error:
        return DeviceState.HARDWARE_ERROR, _describe_os_error(error, directory)
    if not directory.is_dir():
        return DeviceState.NO_DEVICE, f"output path {directory} is not a directory"
    try:
        # A real probe: os.access says yes to root even on a read-only mount.
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
        free = shutil.disk_usage(directory).free
    except OSError as error:
        return DeviceState.HARDWARE_ERROR, _describe_os_error(error, directory)
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
        state, detail = _check_output_dir(self.output_dir)
        if state is DeviceState.ONLINE:
            detail = missing_cjk_font() if _font_check_possible() else ""
            if detail:
                state = DeviceState.HARDWARE_ERROR
        self._update_status(state=state, detail=detail or str(self.output_dir))

    def close(self) -> None:
        self._update_status(state=DeviceState.OFFLINE, detail="closed")

    def _do_print(self, document: A4Document, cancel: CancelToken) -> PrintOutcome:
        cancel.raise_if_cancelled()
        data, pages = _render(document)
        cancel.raise_if_cancelled()
        try:
            path = _write_atomically(self.output_dir, f"{safe_file_stem(document.number)}.pdf", data)
        except OSError as error:
            detail = _describe_os_error(error, self.output_dir)
            self._update_status(state=DeviceState.HARDWARE_ERROR, detail=detail)
            raise DeviceError(CompletionCode.HARDWARE_ERROR, detail) from error
        return PrintOutcome(bytes_sent=path.stat().st_size, paper_after=PaperState.NOT_SUPPORTED, pages=pages,
                            document_path=str(path))


def _font_check_possible() -> bool:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    return isinstance(QCoreApplication.instance(), QGuiApplication)


# --- CUPS --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class QueueState:
    """What `lpstat -l -p QUEUE` says about a queue."""

    exists: bool
    enabled: bool = False
    message: str = ""                 # printer-state-message: "out of paper", a technician's reason
    reasons: tuple[str, ...] = ()     # printer-state-reasons ("Alerts:"), e.g. media-empty-error


@dataclasses.dataclass(frozen=True)
class JobState:
    state: str                        # IPP job-state keyword: pending, pending-held, processing,
                                      # processing-stopped, canceled, aborted, completed
    reasons: tuple[str, ...] = ()
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("canceled", "aborted", "completed")


_PRINTER_LINE = re.compile(r"^printer (?P<queue>\S+) (?P<rest>.*)$")
_ALERTS_LINE = re.compile(r"^\s+Alerts:\s*(?P<alerts>.*)$")
_REQUEST_ID = re.compile(r"request id is (?P<job>(?P<queue>\S+)-(?P<number>\d+))")
_LPSTAT_DETAIL_KEYS = ("Form mounted:", "Content types:", "Printer types:", "Description:", "Alerts:",
                       "Location:", "Connection:", "Interface:", "On fault:", "After fault:", "Users allowed:",
                       "Users denied:", "Forms allowed:", "Banner required", "Charset sets:", "Default pitch:",
                       "Default page size:", "Default port settings:")
_MEDIA_REASONS = (("media-empty", CompletionCode.PAPER_OUT, PaperState.OUT),
                  ("media-needed", CompletionCode.PAPER_OUT, PaperState.OUT),
                  ("media-jam", CompletionCode.PAPER_JAM, PaperState.JAMMED),
                  ("cover-open", CompletionCode.COVER_OPEN, None),
                  ("door-open", CompletionCode.COVER_OPEN, None))


def parse_queue_state(queue: str, returncode: int, stdout: str, stderr: str) -> QueueState:
    """Parse `lpstat -l -p QUEUE` (C locale). A missing queue is rc 1 with "Invalid destination"."""
    lines = stdout.splitlines()
    first = next((line for line in lines if _PRINTER_LINE.match(line)), None)
    if returncode != 0 or first is None:
        return QueueState(exists=False, message=stderr.strip())
    rest = _PRINTER_LINE.match(first)["rest"]
    enabled = not rest.startswith("disabled")
    index = lines.index(first)
    # The printer-state-message is the indented line right after the status line, when there is one
    # that is not one of the `-l` details.
    message = ""
    if index + 1 < len(lines) and lines[index + 1][:1].isspace():
        candidate = lines[index + 1].strip()
        if not candidate.startswith(_LPSTAT_DETAIL_KEYS):
            message = candidate
    reasons: tuple[str, ...] = ()
    for line in lines[index + 1:]:
        match = _ALERTS_LINE.match(line)
        if match:
            alerts = match["alerts"].split()
            reasons = tuple(alert for alert in alerts if alert != "none")
            break
    return QueueState(exists=True, enabled=enabled, message=message, reasons=reasons)


def parse_accepting(queue: str, stdout: str) -> tuple[bool, str]:
    """Parse `lpstat -a QUEUE`: (accepting, reason when not)."""
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(f"{queue} not accepting requests"):
            reason = lines[index + 1].strip() if index + 1 < len(lines) and lines[index + 1].startswith("\t") else ""
            return False, reason
        if line.startswith(f"{queue} accepting requests"):
            return True, ""
    return False, "no answer from lpstat -a"


def parse_job_id(stdout: str) -> str:
    """`lp` says "request id is QUEUE-12 (1 file(s))"; the job id is QUEUE-12."""
    match = _REQUEST_ID.search(stdout)
    if not match:
        raise DeviceError(CompletionCode.HARDWARE_ERROR, f"lp gave no job id: {stdout.strip()[:200]!r}")
    return match["job"]


def media_fault(reasons: tuple[str, ...]) -> tuple[CompletionCode, PaperState | None] | None:
    """The fault a printer-state-reason reports; `-report` and `-warning` reasons are not faults."""
    for reason in reasons:
        if reason.endswith(("-report", "-warning")):
            continue
        for prefix, code, paper in _MEDIA_REASONS:
            if reason.startswith(prefix):
                return code, paper
    return None


def paper_from_reasons(reasons: tuple[str, ...]) -> PaperState:
    fault = media_fault(reasons)
    if fault and fault[1] is not None:
        return fault[1]
    if any(reason.startswith("media-low") for reason in reasons):
        return PaperState.LOW
    return PaperState.UNKNOWN


# --- a minimal IPP client: Get-Job-Attributes, nothing else ---------------------------------

_IPP_GET_JOB_ATTRIBUTES = 0x0009
_IPP_JOB_STATES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped", 7: "canceled",
                   8: "aborted", 9: "completed"}
_IPP_TEXT_TAGS = {0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49}
_IPP_MAX_RESPONSE = 1 << 20


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def _ipp_attribute(tag: int, name: str, value: bytes) -> bytes:
    encoded = name.encode("ascii")
    return struct.pack(">BH", tag, len(encoded)) + encoded + struct.pack(">H", len(value)) + value


def build_get_job_attributes(job_number: int, user: str, request_id: int) -> bytes:
    request = struct.pack(">BBHI", 2, 0, _IPP_GET_JOB_ATTRIBUTES, request_id) + b"\x01"
    request += _ipp_attribute(0x47, "attributes-charset", b"utf-8")
    request += _ipp_attribute(0x48, "attributes-natural-language", b"en")
    request += _ipp_attribute(0x45, "job-uri", f"ipp://localhost/jobs/{job_number}".encode("ascii"))
    request += _ipp_attribute(0x42, "requesting-user-name", user.encode("utf-8")[:255])
    for index, keyword in enumerate(("job-state", "job-state-reasons", "job-printer-state-message")):
        request += _ipp_attribute(0x44, "" if index else "requested-attributes", keyword.encode("ascii"))
    return request + b"\x03"


def _length_prefixed(data: bytes, position: int) -> tuple[bytes, int]:
    """An IPP name or value: a 2-byte big-endian length, then that many bytes."""
    if position + 2 > len(data):
        raise ValueError("IPP attribute cut short")
    length = struct.unpack(">H", data[position:position + 2])[0]
    position += 2
    chunk = data[position:position + length]
    if len(chunk) != length:
        raise ValueError("IPP attribute cut short")
    return chunk, position + length


def parse_ipp_response(data: bytes) -> tuple[int, dict[str, list[object]]]:
    """(status-code, attributes) of an IPP response, read with bounds; ValueError when malformed."""
    if len(data) < 8:
        raise ValueError("IPP response shorter than its header")
    status = struct.unpack(">H", data[2:4])[0]
    attributes: dict[str, list[object]] = {}
    position, current = 8, None
    while position < len(data):
        tag = data[position]
        position += 1
        if tag == 0x03:
            break
        if tag < 0x10:  # the start of the next attribute group
            current = None
            continue
        name, position = _length_prefixed(data, position)
        value, position = _length_prefixed(data, position)
        if name:
            current = name.decode("ascii", "replace")
            attributes.setdefault(current, [])
        if current is None:
            raise ValueError("IPP additional value without an attribute")
        if tag in (0x21, 0x23) and len(value) == 4:
            attributes[current].append(struct.unpack(">i", value)[0])
        elif tag in _IPP_TEXT_TAGS:
            attributes[current].append(value.decode("utf-8", "replace"))
        else:
            attributes[current].append(value)
    return status, attributes


class IppJobReader:
    """Reads one job's state from a CUPS scheduler at `server` ("/run/cups/cups.sock" or "host:port")."""

    def __init__(self, server: str, timeout_s: float = 5.0) -> None:
        self.server = server
        self.timeout_s = timeout_s
        self._request_ids = itertools.count(1)

    def _connection(self) -> http.client.HTTPConnection:
        server = self.server.split("/version=")[0]
        if server.startswith("/"):
            return _UnixHTTPConnection(server, self.timeout_s)
        host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        return http.client.HTTPConnection(host or server, int(port) if port.isdigit() else 631,
                                          timeout=self.timeout_s)

    def job_state(self, job_number: int) -> JobState:
        """Raises OSError when the scheduler cannot be asked, ValueError for an answer that makes no sense."""
        body = build_get_job_attributes(job_number, getpass.getuser(), next(self._request_ids))
        connection = self._connection()
        try:
            connection.request("POST", "/jobs", body=body, headers={"Content-Type": "application/ipp"})
            response = connection.getresponse()
            data = response.read(_IPP_MAX_RESPONSE)
            if response.status != 200:
                raise OSError(f"IPP over HTTP answered {response.status} {response.reason}")
        except (http.client.HTTPException, socket.timeout) as error:
            raise OSError(f"IPP request failed: {error}") from error
        finally:
            connection.close()
        status, attributes = parse_ipp_response(data)
        if status >= 0x0400:
            raise ValueError(f"IPP status 0x{status:04x} for job {job_number}")
        states = attributes.get("job-state") or []
        if not states or not isinstance(states[0], int):
            raise ValueError("IPP answer without job-state")
        return JobState(state=_IPP_JOB_STATES.get(states[0], "unknown"),
                        reasons=tuple(str(reason) for reason in attributes.get("job-state-reasons", [])),
                        message=str((attributes.get("job-printer-state-message") or [""])[0]))


# --- the CUPS printer ----------------------------------------------------------------------

class CupsDocumentPrinter(DocumentPrinter):
    """Prints through a CUPS queue with the command-line tools and follows the job to its end.

    `server` sets CUPS_SERVER for the tools (a socket path or host:port); empty means the
    tools' own default (environment, client.conf, the local scheduler).
    """

    def __init__(self, name: str, queue: str, output_dir: Path, *, job_timeout_s: float = 120.0,
                 poll_interval_s: float = 0.25, command_timeout_s: float = 15.0, server: str = "") -> None:
        super().__init__(name)
        if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,127}", queue):
            raise ValueError(f"not a CUPS queue name: {queue!r}")
        self.queue = queue
        self.output_dir = Path(output_dir)
        self.job_timeout_s = job_timeout_s
        self.poll_interval_s = poll_interval_s
        self.command_timeout_s = command_timeout_s
        self.server = server
        self._job_reader: IppJobReader | None = None

    @property
    def capabilities(self) -> DocumentPrinterCapabilities:
        return DocumentPrinterCapabilities(output="cups", status_readback=True)

    # --- the command-line tools ---

    def _environment(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANGUAGE"))}
        environment.update(LC_ALL="C", LANG="C")  # the tools' messages are parsed: no translations
        if self.server:
            environment["CUPS_SERVER"] = self.server
        return environment

    def _tool(self, *arguments: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(list(arguments), capture_output=True, text=True, errors="replace",
                                  env=self._environment(), timeout=self.command_timeout_s, check=False)
        except FileNotFoundError as error:
            raise DeviceError(CompletionCode.NO_DEVICE,
                              f"{arguments[0]} not found: the CUPS client tools are not installed") from error
        except subprocess.TimeoutExpired as error:
            raise DeviceError(CompletionCode.TIMEOUT, f"{arguments[0]} did not answer within "
                                                      f"{self.command_timeout_s:.0f} s") from error

    def _scheduler_running(self) -> bool:
        result = self._tool("lpstat", "-r")
        return "scheduler is running" in result.stdout

    def queue_state(self) -> QueueState:
        result = self._tool("lpstat", "-l", "-p", self.queue)
        return parse_queue_state(self.queue, result.returncode, result.stdout, result.stderr)

    def _probe(self) -> tuple[DeviceState, str, QueueState]:
        """The device state the queue is in: scheduler up, queue present, enabled and accepting."""
        if not self._scheduler_running():
            return DeviceState.OFFLINE, "CUPS scheduler not running", QueueState(exists=False)
        queue = self.queue_state()
        if not queue.exists:
            return DeviceState.NO_DEVICE, f"CUPS queue {self.queue} does not exist", queue
        if not queue.enabled:
            why = queue.message or " ".join(queue.reasons) or "no reason given"
            return DeviceState.NO_DEVICE, f"CUPS queue {self.queue} disabled: {why}", queue
        accepting, reason = parse_accepting(self.queue, self._tool("lpstat", "-a", self.queue).stdout)
        if not accepting:
            return DeviceState.NO_DEVICE, f"CUPS queue {self.queue} not accepting jobs: {reason}", queue
        return DeviceState.ONLINE, f"CUPS queue {self.queue}", queue

    def _reader(self) -> IppJobReader:
        if self._job_reader is None:
            # Ask the tools which scheduler they use, so IPP reads from the same one.
            server = self._tool("lpstat", "-H").stdout.strip() or "localhost:631"
            self._job_reader = IppJobReader(server)
        return self._job_reader

    # --- lifecycle ---

    def open(self) -> None:
        state, detail = _check_output_dir(self.output_dir)
        paper = PaperState.UNKNOWN
        if state is DeviceState.ONLINE:
            try:
                state, detail, queue = self._probe()
                paper = paper_from_reasons(queue.reasons)
            except DeviceError as error:
                state = DeviceState.NO_DEVICE if error.code is CompletionCode.NO_DEVICE else DeviceState.OFFLINE
                detail = error.detail
        if state is DeviceState.ONLINE and _font_check_possible() and missing_cjk_font():
            state, detail = DeviceState.HARDWARE_ERROR, missing_cjk_font()
        self._job_reader = None
        self._update_status(state=state, detail=detail, paper=paper)

    def close(self) -> None:
        self._job_reader = None
        self._update_status(state=DeviceState.OFFLINE, detail="closed")

    # --- printing ---

    def _do_print(self, document: A4Document, cancel: CancelToken) -> PrintOutcome:
        state, detail, queue_before = self._probe()
        if state is not DeviceState.ONLINE:
            self._update_status(state=state, detail=detail, paper=paper_from_reasons(queue_before.reasons))
            raise DeviceError(CompletionCode.NO_DEVICE, detail)
        data, pages = _render(document)
        cancel.raise_if_cancelled()
        title = safe_file_stem(document.number)  # the certificate number only: never a name
        try:
            path = _write_atomically(self.output_dir, f".{title}-{uuid.uuid4().hex}.pdf", data)
        except OSError as error:
            raise DeviceError(CompletionCode.HARDWARE_ERROR, _describe_os_error(error, self.output_dir)) from error
        try:
            submitted = self._tool("lp", "-d", self.queue, "-t", title, "-o", "media=A4", "--", str(path))
        finally:
            path.unlink(missing_ok=True)  # CUPS has its own copy now; ours holds personal data
        if submitted.returncode != 0:
            raise self._submission_error(submitted.stderr.strip() or submitted.stdout.strip())
        job_id = parse_job_id(submitted.stdout)
        log.info("%s: submitted %s (%d pages, %d bytes)", self.name, job_id, pages, len(data))
        final_paper = self._follow_job(job_id, cancel, stale_reasons=frozenset(queue_before.reasons))
        return PrintOutcome(bytes_sent=len(data), paper_after=final_paper, pages=pages, job_id=job_id)

    def _submission_error(self, message: str) -> DeviceError:
        if not self._scheduler_running():
            self._update_status(state=DeviceState.OFFLINE, detail="CUPS scheduler not running")
            return DeviceError(CompletionCode.NO_DEVICE, "CUPS scheduler not running")
        if "does not exist" in message or "not accepting" in message:
            self._update_status(state=DeviceState.NO_DEVICE, detail=f"CUPS queue {self.queue}: {message}")
            return DeviceError(CompletionCode.NO_DEVICE, f"lp: {message}")
        return DeviceError(CompletionCode.HARDWARE_ERROR, f"lp failed: {message}")

    def _cancel_job(self, job_id: str) -> None:
        result = self._tool("cancel", job_id)
        if result.returncode != 0:
            log.warning("%s: cancel %s: %s", self.name, job_id, result.stderr.strip())

    def _job_state(self, job_id: str) -> JobState:
        """IPP job-state; when IPP cannot be used, what lpstat lists (completed or not)."""
        number = int(job_id.rsplit("-", 1)[1])
        try:
            return self._reader().job_state(number)
        except (OSError, ValueError) as error:
            log.warning("%s: IPP job state unavailable (%s); using lpstat", self.name, error)
        pending = self._tool("lpstat", "-W", "not-completed", "-o", self.queue).stdout.split()
        if job_id in pending:
            return JobState("processing")
        done = self._tool("lpstat", "-W", "completed", "-o", self.queue).stdout.split()
        if job_id in done:
            return JobState("completed", message="lpstat lists it as completed (final state not verified)")
        return JobState("unknown")

    def _follow_job(self, job_id: str, cancel: CancelToken, stale_reasons: frozenset[str]) -> PaperState:
        """Wait for the job to end; cancels it on a fault, a cancel or the timeout, so it never
        prints later for nobody.

        A media fault the queue already showed before this job (`stale_reasons`: CUPS keeps a
        reason until the backend clears it) stops the job only once the job itself stops;
        a fault that appears while the job runs stops it at once.
        """
        deadline = time.monotonic() + self.job_timeout_s
        while True:
            job = self._job_state(job_id)
            queue = self.queue_state()
            paper = paper_from_reasons(queue.reasons)
            if job.state == "completed":
                self._update_status(paper=paper)
                return paper
            if job.state == "canceled":
                raise DeviceError(CompletionCode.CANCELLED, f"job {job_id} was cancelled at the print server")
            fault = media_fault(queue.reasons)
            fresh_fault = media_fault(tuple(reason for reason in queue.reasons if reason not in stale_reasons))
            stopped = job.state in ("aborted", "processing-stopped") or not queue.exists or not queue.enabled
            if stopped or fresh_fault:
                if not job.finished:
                    self._cancel_job(job_id)
                raise self._job_fault(job_id, job, queue, fault)
            if time.monotonic() >= deadline:
                self._cancel_job(job_id)
                raise DeviceError(CompletionCode.TIMEOUT, f"job {job_id} not finished after "
                                                          f"{self.job_timeout_s:.0f} s; cancelled")
            if cancel.wait(self.poll_interval_s):
                self._cancel_job(job_id)
                raise DeviceError(CompletionCode.CANCELLED, f"job {job_id} cancelled")

    def _job_fault(self, job_id: str, job: JobState, queue: QueueState,
                   fault: tuple[CompletionCode, PaperState | None] | None) -> DeviceError:
        why = job.message or queue.message or " ".join(queue.reasons) or job.state
        if not queue.exists:
            self._update_status(state=DeviceState.NO_DEVICE, detail=f"CUPS queue {self.queue} disappeared")
            return DeviceError(CompletionCode.NO_DEVICE, f"job {job_id}: queue {self.queue} disappeared")
        if fault is not None:
            code, paper = fault
            changes = {"paper": paper} if paper is not None else {}
            self._update_status(state=DeviceState.HARDWARE_ERROR, detail=f"CUPS queue {self.queue}: {why}", **changes)
            return DeviceError(code, f"job {job_id} {job.state}: {why}")
        if not queue.enabled:
            self._update_status(state=DeviceState.HARDWARE_ERROR, detail=f"CUPS queue {self.queue} stopped: {why}")
        return DeviceError(CompletionCode.HARDWARE_ERROR, f"job {job_id} {job.state}: {why}")
