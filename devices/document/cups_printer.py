"""The A4 printer that prints through a CUPS queue: render, submit with `lp`, follow the job.

The queue is checked with `lpstat`, the job's state read back over IPP (`cups_status`).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

from devices.document.cups_status import (IppJobReader, JobState, QueueState, media_fault, paper_from_reasons,
                                          parse_accepting, parse_job_id, parse_queue_state)
from devices.document.layout import A4Document
from devices.document.pdf_printer import (check_output_dir, describe_os_error, font_check_possible,
                                          render_document, safe_file_stem, write_atomically)
from devices.document.certificate_pdf import missing_cjk_font
from devices.interfaces import DocumentPrinter, DocumentPrinterCapabilities, PrintOutcome
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, PaperState

log = logging.getLogger("devices.document")


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
        state, detail = check_output_dir(self.output_dir)
        paper = PaperState.UNKNOWN
        if state is DeviceState.ONLINE:
            try:
                state, detail, queue = self._probe()
                paper = paper_from_reasons(queue.reasons)
            except DeviceError as error:
                state = DeviceState.NO_DEVICE if error.code is CompletionCode.NO_DEVICE else DeviceState.OFFLINE
                detail = error.detail
        if state is DeviceState.ONLINE and font_check_possible() and missing_cjk_font():
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
        data, pages = render_document(document)
        cancel.raise_if_cancelled()
        title = safe_file_stem(document.number)  # the certificate number only: never a name
        try:
            path = write_atomically(self.output_dir, f".{title}-{uuid.uuid4().hex}.pdf", data)
        except OSError as error:
            raise DeviceError(CompletionCode.HARDWARE_ERROR, describe_os_error(error, self.output_dir)) from error
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
