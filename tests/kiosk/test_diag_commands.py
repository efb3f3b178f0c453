"""`kiosk diag` as a technician runs it: real processes, simulators or real transports, exit codes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from devices.receipt.escpos_decode import decode_escpos

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def diag(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk_app.cli", "diag", *args], capture_output=True, text=True,
                          cwd=REPO, env=ENV, timeout=timeout)


def profile(tmp_path: Path, body: str) -> str:
    path = tmp_path / "site.toml"
    path.write_text('[terminal]\nid = "DIAG-TEST"\n' + body, encoding="utf-8")
    return str(path)


def test_devices_lists_each_device_with_state_capabilities_and_counters() -> None:
    result = diag("--profile", "demo", "devices", "--json")
    assert result.returncode == 0, result.stderr
    devices = {device["class"]: device for device in json.loads(result.stdout)}
    assert set(devices) == {"card_reader", "qr_scanner", "receipt_printer", "document_printer"}
    assert all(device["status"]["state"] == "online" for device in devices.values())
    assert devices["receipt_printer"]["capabilities"]["columns"] == 48
    assert "cards_read" in devices["card_reader"]["statistics"]


def test_devices_fails_when_a_configured_device_is_absent(tmp_path: Path) -> None:
    site = profile(tmp_path, '[devices.qr_scanner]\ndriver = "serial"\nport = "/dev/does-not-exist"\n')
    result = diag("--profile", site, "devices")
    assert result.returncode == 1
    assert "no_device" in result.stdout and "/dev/does-not-exist" in result.stdout


def test_health_external_needs_a_card_and_skips_what_has_no_external_check() -> None:
    result = diag("--profile", "demo", "health", "--level", "external")
    assert result.returncode == 1
    lines = {line.split()[1]: line for line in result.stdout.splitlines()}
    assert lines["card-reader-sim"].startswith("FAIL") and "no_media" in lines["card-reader-sim"]
    assert lines["qr-scanner-sim"].startswith("SKIP")
    assert lines["receipt-printer-sim"].startswith("PASS")
    assert lines["document-printer-sim"].startswith("PASS")


def test_health_internal_passes_on_the_demo_devices() -> None:
    result = diag("--profile", "demo", "health", "--level", "internal", "--json")
    assert result.returncode == 0, result.stdout
    assert {report["code"] for report in json.loads(result.stdout)} == {"success"}


def test_print_test_writes_a_decodable_test_page(tmp_path: Path) -> None:
    capture = tmp_path / "receipt.bin"
    site = profile(tmp_path, f'[devices.receipt_printer]\ndriver = "file"\naddress = "{capture}"\nwidth_mm = 58\n')
    result = diag("--profile", site, "print-test")
    assert result.returncode == 0, result.stdout + result.stderr
    decoded = decode_escpos(capture.read_bytes())
    assert any("打印机测试页" in line for line in decoded.lines)
    assert decoded.qr_payloads == ["KIOSK-PRINTER-TEST"] and decoded.cuts == 1
    assert json.loads(result.stdout)["bytes_sent"] == capture.stat().st_size


def test_print_certificate_sample_renders_a_pdf(tmp_path: Path) -> None:
    out = tmp_path / "sample.pdf"
    result = diag("--profile", "demo", "print-certificate-sample", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pages"] == 1
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "样张" in text and "SAMPLE-VERIFY-CODE" in text


def test_scan_prints_one_code_bounded_and_escaped(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    try:
        site = profile(tmp_path, f'[devices.qr_scanner]\ndriver = "serial"\nport = "{os.ttyname(slave)}"\n')
        process = subprocess.Popen([sys.executable, "-m", "kiosk_app.cli", "diag", "--profile", site, "scan",
                                    "--timeout", "30"], cwd=REPO, env=ENV, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        # The command says it is waiting once the port is open; then the "scanner" sends a long code.
        waiting = process.stderr.readline()
        assert "waiting" in waiting, waiting
        time.sleep(0.3)
        os.write(master, ("E" * 300 + "\r").encode())
        stdout, stderr = process.communicate(timeout=30)
    finally:
        os.close(master)
        os.close(slave)
    assert process.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["length"] == 300 and report["preview"] == "E" * 80 + "..."


def test_virtual_card_refuses_an_unknown_card_number() -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "virtual-card", "--card-number", "Z99999999"],
                            capture_output=True, text=True, cwd=REPO, env=ENV, timeout=30)
    assert result.returncode == 2
    assert "A00000019" in result.stderr
