"""The A4 printers end to end: PDF files in a directory, and a real private cupsd.

The CUPS tests start their own `cupsd -f` on a Unix socket in a temporary directory,
with raw queues on a tiny test backend that captures the printed bytes in a file we read
back, or reports paper out, a jam, a failure or takes its time, exactly as a printer
backend reports them to cupsd (STATE: lines and exit codes).
They are skipped, with the reason, only where cupsd is not installed or not root.
Faults the kernel will not produce on demand (a full disk) are injected.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.document import pdf_printer
from devices.document.layout import A4Document, sample_certificate
from devices.document.cups_printer import CupsDocumentPrinter
from devices.document.cups_status import (IppJobReader, parse_accepting, parse_ipp_response, parse_job_id,
                                          parse_queue_state)
from devices.document.pdf_printer import PdfDocumentPrinter
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, HealthLevel, PaperState

WAIT_S = 15.0  # only stops a broken build from hanging; nothing is timed


@pytest.fixture(autouse=True)
def gui_application(qapp):
    """pytest-qt's QApplication: one created here as a bare QGuiApplication would break later widget tests."""
    return qapp


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --- PDF files -----------------------------------------------------------------------------

@pytest.fixture
def pdf_printer_device(tmp_path: Path) -> Iterator[PdfDocumentPrinter]:
    device = PdfDocumentPrinter("a4-pdf", tmp_path / "certificates")
    device.open()
    yield device
    device.close()


def test_pdf_printer_files_the_certificate(pdf_printer_device: PdfDocumentPrinter) -> None:
    assert pdf_printer_device.status.state is DeviceState.ONLINE
    result = pdf_printer_device.print_document(sample_certificate())
    assert result.code is CompletionCode.SUCCESS, result.detail
    outcome = result.value
    path = Path(outcome.document_path)
    assert path == pdf_printer_device.output_dir / "SAMPLE-0000-0000.pdf"
    assert path.stat().st_size == outcome.bytes_sent > 0
    assert path.stat().st_mode & 0o777 == 0o600  # personal data: readable by the kiosk only
    assert outcome.pages == 1 and outcome.paper_after is PaperState.NOT_SUPPORTED
    assert "社会保险参保证明（样张）" in pdf_text(path)
    assert sorted(p.name for p in pdf_printer_device.output_dir.iterdir()) == ["SAMPLE-0000-0000.pdf"]
    assert pdf_printer_device.statistics.snapshot()["documents_printed"] == 1


def test_pdf_printer_names_a_document_without_a_usable_number(pdf_printer_device: PdfDocumentPrinter) -> None:
    document = A4Document(title="参保证明", number="证明编号 ／", statement="兹证明。")
    result = pdf_printer_device.print_document(document)
    assert result.ok, result.detail
    assert Path(result.value.document_path).name.startswith("document-")


def test_pdf_printer_external_health_check_prints_the_sample(pdf_printer_device: PdfDocumentPrinter) -> None:
    report = pdf_printer_device.check_health(HealthLevel.EXTERNAL)
    assert report.passed, report.summary
    assert Path(report.details["path"]).exists()


@pytest.mark.parametrize("layout", ["output_is_a_file", "parent_is_a_file"])
def test_pdf_printer_without_a_directory_is_no_device(tmp_path: Path, layout: str) -> None:
    (tmp_path / "file").write_text("x")
    output = tmp_path / "file" if layout == "output_is_a_file" else tmp_path / "file" / "certificates"
    device = PdfDocumentPrinter("a4-pdf", output)
    device.open()
    assert device.status.state is DeviceState.NO_DEVICE
    assert "not a directory" in device.status.detail
    result = device.print_document(sample_certificate())
    assert result.code is CompletionCode.NO_DEVICE


def test_pdf_printer_unwritable_directory_is_a_hardware_error(pdf_printer_device: PdfDocumentPrinter,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    directory = pdf_printer_device.output_dir
    directory.chmod(0o500)
    try:
        if os.geteuid() == 0:
            # Root ignores mode bits: inject the EACCES the kiosk's own user would get.
            def denied(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied")

            monkeypatch.setattr(pdf_printer.tempfile, "mkstemp", denied)
        result = pdf_printer_device.print_document(sample_certificate())
    finally:
        directory.chmod(0o700)
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "not writable" in result.detail
    assert pdf_printer_device.status.state is DeviceState.HARDWARE_ERROR
    assert pdf_printer_device.statistics.snapshot()["print_errors"] == 1
    monkeypatch.undo()
    assert pdf_printer_device.recover()  # the manager's periodic recovery brings it back
    assert pdf_printer_device.print_document(sample_certificate()).ok


def test_pdf_printer_full_disk_is_a_hardware_error_and_leaves_no_partial_file(
        pdf_printer_device: PdfDocumentPrinter, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(descriptor: int) -> None:  # fault: the filesystem reports ENOSPC when data is flushed
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf_printer.os, "fsync", disk_full)
    result = pdf_printer_device.print_document(sample_certificate())
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "disk full" in result.detail
    assert list(pdf_printer_device.output_dir.iterdir()) == []  # neither the target nor a .part file


def test_pdf_printer_without_a_cjk_font_is_a_hardware_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from devices.document import certificate_pdf

    monkeypatch.setattr(certificate_pdf.QFontDatabase, "families", staticmethod(lambda *args: ["DejaVu Sans"]))
    device = PdfDocumentPrinter("a4-pdf", tmp_path)
    device.open()
    assert device.status.state is DeviceState.HARDWARE_ERROR
    assert "fonts-noto-cjk" in device.status.detail


# --- lp / lpstat / IPP output, recorded from CUPS 2.4.2 (LC_ALL=C) ----------------------------

LPSTAT_DISABLED_PAPER_OUT = """printer kiosk_paper disabled since Mon Nov 23 16:36:28 2026 -
\tout of paper
\tForm mounted:
\tContent types: any
\tPrinter types: unknown
\tDescription: kiosk_paper
\tAlerts: media-empty-error paused
\tLocation: 
\tConnection: direct
"""
LPSTAT_IDLE = """printer kiosk_ok is idle.  enabled since Mon Nov 23 16:36:23 2026
\tForm mounted:
\tContent types: any
\tPrinter types: unknown
\tDescription: kiosk_ok
\tAlerts: none
\tLocation: 
"""


def test_lpstat_printer_output_is_parsed() -> None:
    stopped = parse_queue_state("kiosk_paper", 0, LPSTAT_DISABLED_PAPER_OUT, "")
    assert (stopped.exists, stopped.enabled, stopped.message) == (True, False, "out of paper")
    assert stopped.reasons == ("media-empty-error", "paused")
    idle = parse_queue_state("kiosk_ok", 0, LPSTAT_IDLE, "")
    assert (idle.exists, idle.enabled, idle.message, idle.reasons) == (True, True, "", ())
    missing = parse_queue_state("nosuch", 1, "", 'lpstat: Invalid destination name in list "nosuch".\n')
    assert not missing.exists


def test_lpstat_accepting_and_lp_request_id_are_parsed() -> None:
    assert parse_accepting("q", "q accepting requests since Mon Nov 23 16:36:23 2026\n") == (True, "")
    assert parse_accepting("q", "q not accepting requests since Mon Nov 23 16:36:28 2026 -\n\tmaintenance\n") == \
        (False, "maintenance")
    assert parse_job_id("request id is kiosk-a4_1-12 (1 file(s))\n") == "kiosk-a4_1-12"
    with pytest.raises(DeviceError):
        parse_job_id("lp: Error - The printer or class does not exist.\n")


@pytest.mark.parametrize("data", [b"", b"\x02\x00\x00\x00", b"\x02\x00\x00\x00\x00\x00\x00\x01\x02\x44\x00\x09job-st",
                                  b"\x02\x00\x00\x00\x00\x00\x00\x01\x02\x44\x00\x00\x00\x01x\x03"])
def test_malformed_ipp_answers_are_rejected_not_crashed_on(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_ipp_response(data)


# --- a private cupsd ---------------------------------------------------------------------------

TEST_BACKEND = """#!/bin/sh
# A printer for tests: the device URI says how it behaves, reported the way real backends do.
if [ $# -eq 0 ]; then echo 'direct kiosktest "Unknown" "Kiosk test backend"'; exit 0; fi
case "$DEVICE_URI" in
  kiosktest:/capture/*) target="${DEVICE_URI#kiosktest:/capture}"
    cat "${6:-/dev/stdin}" > "$target"; printf '%s' "$3" > "$target.title"; exit 0;;
  kiosktest:/ok) cat "${6:-/dev/stdin}" > /dev/null; exit 0;;
  kiosktest:/paper-out) echo "STATE: +media-empty-error" >&2; echo "ERROR: out of paper" >&2; exit 4;;
  kiosktest:/jam) echo "STATE: +media-jam-error" >&2; echo "ERROR: paper jam" >&2; exit 4;;
  kiosktest:/fail) echo "ERROR: device failed" >&2; exit 1;;
  kiosktest:/slow) sleep 60; exit 0;;
esac
exit 1
"""


# Debian's stock cupsd.conf access rules (CUPS 2.4), so the printer is tested under the rules it
# meets on a kiosk: anyone may print and read job states, only the owner may cancel a job,
# only @SYSTEM (root here, by peer credentials on the socket) may administer queues.
STOCK_ACCESS_POLICY = """DefaultAuthType Basic
<Location />
  Order allow,deny
</Location>
<Location /admin>
  Order allow,deny
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Get-Document>
    AuthType Default
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


class PrivateCupsd:
    """`cupsd -f` with its own configuration, spool and socket; lp/lpstat reach it through CUPS_SERVER."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "cups.sock"
        self.spool = directory / "spool"
        self.process: subprocess.Popen | None = None
        self._queues = 0

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C", "LANG": "C"}

    def start(self) -> None:
        root = self.directory
        for name in ("root", "spool/tmp", "cache", "state", "log", "bin/backend"):
            (root / name).mkdir(parents=True, exist_ok=True)
        for name in ("filter", "cgi-bin", "daemon", "notifier", "monitor", "driver"):
            if Path("/usr/lib/cups", name).exists() and not (root / "bin" / name).exists():
                (root / "bin" / name).symlink_to(Path("/usr/lib/cups", name))
        backend = root / "bin" / "backend" / "kiosktest"
        backend.write_text(TEST_BACKEND)
        backend.chmod(0o700)  # cupsd runs a 0700 backend as root: it can read our private spool
        (root / "cups-files.conf").write_text(
            f"ServerRoot {root}/root\nRequestRoot {self.spool}\nCacheDir {root}/cache\nStateDir {root}/state\n"
            f"TempDir {self.spool}/tmp\nServerBin {root}/bin\nDataDir /usr/share/cups\n"
            f"DocumentRoot /usr/share/cups/doc-root\nErrorLog {root}/log/error_log\n"
            f"AccessLog {root}/log/access_log\nPageLog {root}/log/page_log\nFileDevice Yes\n"
            # An empty `Printcap` is fatal since cups 2.4.2-3+deb12u11; keep the file private.
            f"SystemGroup root\nPrintcap {root}/state/printcap\n")
        (root / "cupsd.conf").write_text(
            f"Listen {self.socket}\nBrowsing No\nWebInterface No\nLogLevel info\nPreserveJobFiles No\n"
            + STOCK_ACCESS_POLICY)
        self.process = subprocess.Popen(
            [cups_tool("cupsd"), "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=(root / "log" / "stderr").open("wb"), start_new_session=True)
        deadline = time.monotonic() + WAIT_S
        while "scheduler is running" not in self.tool("lpstat", "-r").stdout:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"cupsd did not start:\n{self.logs()}")
            time.sleep(0.05)

    def logs(self) -> str:
        """cupsd's own words: its stderr (configuration errors) and its error_log."""
        parts = []
        for name in ("stderr", "error_log"):
            path = self.directory / "log" / name
            text = path.read_text(errors="replace") if path.exists() else "(none)"
            parts.append(f"--- {name} ---\n{text[-4000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own cupsd's process group only
            self.process.wait(WAIT_S)
        self.process = None

    def tool(self, program: str, *arguments: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([cups_tool(program), *arguments], capture_output=True, text=True,
                              env=self.environment, timeout=WAIT_S, check=check)

    def add_queue(self, device_uri: str, *options: str) -> str:
        self._queues += 1
        name = f"kiosk_a4_{self._queues}"
        self.tool("lpadmin", "-p", name, "-E", "-v", device_uri, "-m", "raw", *options, check=True)
        return name

    def jobs(self, queue: str, which: str) -> list[str]:
        """Job ids `lpstat -W which -o queue` lists (which: completed or not-completed)."""
        listing = self.tool("lpstat", "-W", which, "-o", queue).stdout
        return [line.split()[0] for line in listing.splitlines() if line.strip() and not line[0].isspace()]


def cups_tool(program: str) -> str:
    """The tool's path; the admin tools live in /usr/sbin, which a non-login PATH may miss."""
    return shutil.which(program) or str(Path("/usr/sbin", program))


@pytest.fixture(scope="module")
def cupsd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCupsd]:
    missing = [tool for tool in ("cupsd", "lpadmin", "cupsenable", "cupsreject", "lp", "lpstat", "cancel")
               if not Path(cups_tool(tool)).exists()]
    if missing:
        pytest.skip(f"CUPS is not installed ({', '.join(missing)} missing; Debian: cups-daemon cups-client)")
    if os.geteuid() != 0:
        pytest.skip("a private cupsd needs root (it runs the test backend as root)")
    server = PrivateCupsd(tmp_path_factory.mktemp("cups"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cups_printer(cupsd: PrivateCupsd, tmp_path: Path):
    """`cups_printer(queue, **options)`: an opened CupsDocumentPrinter on the private cupsd."""
    opened: list[CupsDocumentPrinter] = []

    def make(queue: str, **options) -> CupsDocumentPrinter:
        device = CupsDocumentPrinter("a4-cups", queue, tmp_path / "spool", server=str(cupsd.socket),
                                     poll_interval_s=0.05, **options)
        device.open()
        opened.append(device)
        return device

    yield make
    for device in opened:
        device.close()


def test_cups_prints_the_pdf_and_follows_the_job_to_completion(cupsd: PrivateCupsd, cups_printer,
                                                               tmp_path: Path) -> None:
    printed = tmp_path / "printed.pdf"
    # A raw queue's file: device completes without writing anything: the test backend captures instead.
    queue = cupsd.add_queue(f"kiosktest:/capture{printed}")
    device = cups_printer(queue)
    assert device.status.state is DeviceState.ONLINE, device.status.detail
    result = device.print_document(sample_certificate())
    assert result.code is CompletionCode.SUCCESS, result.detail
    outcome = result.value
    assert outcome.job_id.startswith(f"{queue}-") and outcome.pages == 1
    assert outcome.job_id in cupsd.jobs(queue, "completed")
    # The device received exactly our PDF, and our temporary copy is gone.
    assert printed.read_bytes()[:5] == b"%PDF-" and printed.stat().st_size == outcome.bytes_sent
    assert "社会保险参保证明（样张）" in pdf_text(printed)
    assert list((tmp_path / "spool").iterdir()) == []
    # The job's title, as the backend got it, is the certificate number: no name, no ssn.
    assert Path(f"{printed}.title").read_text(encoding="utf-8") == "SAMPLE-0000-0000"
    assert device.statistics.snapshot()["documents_printed"] == 1


@pytest.mark.parametrize(("uri", "code", "paper", "counter"), [
    ("kiosktest:/paper-out", CompletionCode.PAPER_OUT, PaperState.OUT, "paper_outs"),
    ("kiosktest:/jam", CompletionCode.PAPER_JAM, PaperState.JAMMED, "jams"),
])
def test_cups_media_faults_stop_the_job_and_say_why(cupsd: PrivateCupsd, cups_printer, uri: str,
                                                    code: CompletionCode, paper: PaperState, counter: str) -> None:
    queue = cupsd.add_queue(uri)
    device = cups_printer(queue)
    result = device.print_document(sample_certificate())
    assert result.code is code, result.detail
    assert device.status.state is DeviceState.HARDWARE_ERROR and device.status.paper is paper
    assert device.statistics.snapshot()[counter] == 1
    # The job was cancelled, so it cannot print later when nobody is there.
    assert cupsd.jobs(queue, "not-completed") == []
    # cupsd stopped the queue; reopening reports it as out of service until a technician acts.
    device.recover()
    assert device.status.state is DeviceState.NO_DEVICE and device.status.paper is paper


def test_cups_aborted_job_is_a_hardware_error(cupsd: PrivateCupsd, cups_printer) -> None:
    queue = cupsd.add_queue("kiosktest:/fail", "-o", "printer-error-policy=abort-job")
    device = cups_printer(queue)
    result = device.print_document(sample_certificate())
    assert result.code is CompletionCode.HARDWARE_ERROR
    assert "aborted" in result.detail and "device failed" in result.detail


def test_cups_missing_disabled_or_rejecting_queue_is_no_device(cupsd: PrivateCupsd, cups_printer) -> None:
    missing = cups_printer("kiosk_no_such_queue")
    assert missing.status.state is DeviceState.NO_DEVICE and "does not exist" in missing.status.detail
    assert missing.print_document(sample_certificate()).code is CompletionCode.NO_DEVICE

    disabled_queue = cupsd.add_queue("file:///dev/null")
    cupsd.tool("cupsdisable", "-r", "technician at work", disabled_queue, check=True)
    disabled = cups_printer(disabled_queue)
    assert disabled.status.state is DeviceState.NO_DEVICE
    assert "disabled: technician at work" in disabled.status.detail
    cupsd.tool("cupsenable", disabled_queue, check=True)
    assert disabled.recover() and disabled.status.state is DeviceState.ONLINE  # back without a restart

    rejecting_queue = cupsd.add_queue("file:///dev/null")
    cupsd.tool("cupsreject", "-r", "maintenance", rejecting_queue, check=True)
    rejecting = cups_printer(rejecting_queue)
    assert rejecting.status.state is DeviceState.NO_DEVICE
    assert "not accepting jobs: maintenance" in rejecting.status.detail


def test_cups_scheduler_not_running_is_offline(tmp_path: Path) -> None:
    if shutil.which("lpstat") is None:
        pytest.skip("the CUPS client tools are not installed (Debian: cups-client)")
    device = CupsDocumentPrinter("a4-cups", "kiosk_a4_1", tmp_path, server=str(tmp_path / "no-cupsd.sock"))
    device.open()
    assert device.status.state is DeviceState.OFFLINE
    assert "not running" in device.status.detail


def test_cups_printer_follows_the_scheduler_going_and_coming_back(cupsd: PrivateCupsd, tmp_path: Path) -> None:
    own = PrivateCupsd(tmp_path / "cups")  # a scheduler of its own, to stop and start
    own.start()
    try:
        device = CupsDocumentPrinter("a4-cups", own.add_queue("kiosktest:/ok"), tmp_path / "spool",
                                     server=str(own.socket), poll_interval_s=0.05)
        device.open()
        assert device.status.state is DeviceState.ONLINE
        own.stop()
        result = device.print_document(sample_certificate())  # the status still says ONLINE: the print finds out
        assert result.code is CompletionCode.NO_DEVICE
        assert device.status.state is DeviceState.OFFLINE and "not running" in device.status.detail
        assert not device.recover()
        own.start()
        assert device.recover(), device.status.detail
        assert device.print_document(sample_certificate()).ok
    finally:
        own.stop()


def _print_in_background(device: CupsDocumentPrinter, cancel: CancelToken | None = None):
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(result=device.print_document(sample_certificate(),
                                                                                         cancel)))
    worker.start()
    return worker, outcome


def test_cups_cancel_token_cancels_the_job(cupsd: PrivateCupsd, cups_printer) -> None:
    queue = cupsd.add_queue("kiosktest:/slow")
    device = cups_printer(queue)
    cancel = CancelToken()
    worker, outcome = _print_in_background(device, cancel)
    deadline = time.monotonic() + WAIT_S
    while not cupsd.jobs(queue, "not-completed"):
        assert time.monotonic() < deadline, "the job never reached cupsd"
        time.sleep(0.05)
    cancel.cancel()
    worker.join(WAIT_S)
    assert not worker.is_alive()
    assert outcome["result"].code is CompletionCode.CANCELLED
    assert cupsd.jobs(queue, "not-completed") == []


def test_cups_job_that_never_finishes_times_out_and_is_cancelled(cupsd: PrivateCupsd, cups_printer) -> None:
    queue = cupsd.add_queue("kiosktest:/slow")
    device = cups_printer(queue, job_timeout_s=0.5)
    result = device.print_document(sample_certificate())
    assert result.code is CompletionCode.TIMEOUT
    assert "cancelled" in result.detail
    assert cupsd.jobs(queue, "not-completed") == []


def test_cups_job_state_falls_back_to_lpstat_without_ipp(cupsd: PrivateCupsd, cups_printer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(self, job_number: int):  # fault: IPP refused (a remote server demanding TLS, say)
        raise OSError("IPP over HTTP answered 426 Upgrade Required")

    monkeypatch.setattr(IppJobReader, "job_state", unreachable)
    device = cups_printer(cupsd.add_queue("file:///dev/null"))
    result = device.print_document(sample_certificate())
    assert result.code is CompletionCode.SUCCESS, result.detail
