"""`kiosk diag`: the technician's device checks from a terminal, on site or in CI.

Each check builds the devices of a profile exactly as the kiosk would, runs one thing,
prints what it found and returns an exit code (0 pass, 1 fail). Output never holds a
full ssn, card number or card identification code: cards are shown through
`CardData.masked()` (which also says how many PIN tries the card has left) and scanned
codes are cut to a bounded, escaped preview.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

from devices.document.layout import sample_certificate
from devices.manager import DeviceManager
from devices.model import CompletionCode, DeviceState, HealthLevel
from devices.receipt.layout import test_page

EXIT_PASS = 0
EXIT_FAIL = 1
SCAN_PREVIEW_CHARS = 80


def wait_until_settled(manager: DeviceManager, timeout_s: float = 3.0) -> None:
    """Monitors report their first state asynchronously (pcscd polls); give them a moment."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(device.status.state is not DeviceState.UNKNOWN for device in manager.devices):
            return
        time.sleep(0.05)


class Diagnostics:
    def __init__(self, manager: DeviceManager, out: TextIO = sys.stdout) -> None:
        self.manager = manager
        self.out = out

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def _json(self, value: object) -> None:
        self._print(json.dumps(value, ensure_ascii=False, indent=2, default=str))

    def devices(self, as_json: bool) -> int:
        described = self.manager.describe()
        if as_json:
            self._json(described)
        else:
            for device in described:
                status = device["status"]
                self._print(f"{device['class']:<17} {device['name']:<22} {device['driver']:<26} "
                            f"{status['state']:<14} {_media_summary(status)} {status['detail']}".rstrip())
                self._print(f"{'':<17} capabilities: {_compact(device['capabilities'])}")
                self._print(f"{'':<17} counters:     {_compact(device['statistics'])}")
        usable = all(device.status.state.usable for device in self.manager.devices)
        return EXIT_PASS if usable and described else EXIT_FAIL

    def health(self, level: HealthLevel, as_json: bool) -> int:
        reports = self.manager.check_health(level)
        # A device with no check at this level (a scanner has no test without a code) is skipped, not failed.
        failed = [report for report in reports if not report.passed and report.code is not CompletionCode.UNSUPPORTED]
        if as_json:
            self._json([report.as_dict() for report in reports])
        else:
            for report in reports:
                verdict = "PASS" if report.passed else "SKIP" if report.code is CompletionCode.UNSUPPORTED else "FAIL"
                self._print(f"{verdict} {report.device:<22} {report.level.value:<9} {report.code.value:<15} "
                            f"{report.summary}")
        return EXIT_PASS if reports and not failed else EXIT_FAIL

    def card(self, timeout_s: float) -> int:
        reader = self.manager.card_reader
        if reader is None:
            self._print("no card reader configured")
            return EXIT_FAIL
        self._waiting(f"a card in {reader.name}", timeout_s)
        waited = reader.wait_for_card(timeout_s)
        # A reader that cannot sense a card (vendor library) is simply read: the technician inserted one.
        if not waited.ok and waited.code is not CompletionCode.UNSUPPORTED:
            return self._failed(waited)
        result = reader.read_card()
        if not result.ok:
            return self._failed(result)
        self._json({"result": "success", "read_ms": round(result.elapsed_s * 1000, 1), "card": result.value.masked()})
        return EXIT_PASS

    def scan(self, timeout_s: float) -> int:
        scanner = self.manager.qr_scanner
        if scanner is None:
            self._print("no QR scanner configured")
            return EXIT_FAIL
        self._waiting(f"a code on {scanner.name}", timeout_s)
        result = scanner.read_one(timeout_s)
        if not result.ok:
            return self._failed(result)
        code = result.value
        self._json({"result": "success", "length": len(code), "preview": bounded_preview(code)})
        return EXIT_PASS

    @staticmethod
    def _waiting(what: str, timeout_s: float) -> None:
        # On stderr, so stdout stays one JSON document.
        print(f"waiting up to {timeout_s:.0f} s for {what} ...", file=sys.stderr, flush=True)

    def _failed(self, result) -> int:
        self._json({"result": result.code.value, "detail": result.detail})
        return EXIT_FAIL

    def print_test(self) -> int:
        printer = self.manager.receipt_printer
        if printer is None:
            self._print("no receipt printer configured")
            return EXIT_FAIL
        result = printer.print_receipt(test_page(printer.name, printer.capabilities))
        outcome = result.value
        self._json({"result": result.code.value, "detail": result.detail,
                    "bytes_sent": outcome.bytes_sent if result.ok else 0,
                    "paper_after": printer.status.paper.value, "cover": printer.status.cover.value})
        return EXIT_PASS if result.ok else EXIT_FAIL

    def print_certificate_sample(self) -> int:
        printer = self.manager.document_printer
        if printer is None:
            self._print("no document printer configured (use --out FILE.pdf to render to a file)")
            return EXIT_FAIL
        result = printer.print_document(sample_certificate())
        self._json({"result": result.code.value, "detail": result.detail,
                    "path": result.value.document_path if result.ok else "",
                    "job": result.value.job_id if result.ok else ""})
        return EXIT_PASS if result.ok else EXIT_FAIL


def render_certificate_sample(out: Path, stdout: TextIO = sys.stdout) -> int:
    """`print-certificate-sample --out FILE`: render only, no printer needed; the file is the result."""
    from devices.document.certificate_pdf import ensure_gui_application, render_pdf

    ensure_gui_application()
    started = time.perf_counter()
    pages = render_pdf(sample_certificate(), out)
    print(json.dumps({"result": "success", "path": str(out), "pages": pages,
                      "render_ms": round((time.perf_counter() - started) * 1000, 1)}, indent=2), file=stdout)
    return EXIT_PASS


def bounded_preview(code: str, limit: int = SCAN_PREVIEW_CHARS) -> str:
    """A scanned code as printable, escaped text of bounded length (it is hostile input)."""
    shown = code[:limit].encode("unicode_escape").decode("ascii")
    return shown + ("..." if len(code) > limit else "")


def _media_summary(status: dict) -> str:
    parts = [f"{key} {status[key]}" for key in ("media", "paper", "cover") if status[key] != "not_supported"]
    return ", ".join(parts)


def _compact(values: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items()) or "-"
