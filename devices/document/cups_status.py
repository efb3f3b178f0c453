"""What CUPS says about queues and jobs: `lpstat` output parsed, and a small IPP client.

The job's final state is read over IPP (Get-Job-Attributes) from the same scheduler
`lpstat` talks to: `lpstat` lists an aborted job among the completed ones and cannot
tell the two apart, while IPP's `job-state` can.
"""

from __future__ import annotations

import dataclasses
import getpass
import http.client
import itertools
import re
import socket
import struct

from devices.model import CompletionCode, DeviceError, PaperState

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
