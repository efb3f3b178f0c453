"""The on-site card check as a technician runs it: `kiosk virtual-card` puts a card into the
real pcscd through vpcd, `kiosk diag card` reads it through pyscard and prints masked JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.devices.card.conftest import READER_NAME, slot_is_empty, wait_until

REPO = Path(__file__).resolve().parents[3]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def site_profile(tmp_path: Path) -> str:
    path = tmp_path / "site.toml"
    path.write_text(f'[terminal]\nid = "DIAG-CARD"\n[devices.card_reader]\ndriver = "pcsc"\n'
                    f'reader_pattern = "^{READER_NAME}$"\n[devices.qr_scanner]\ndriver = "none"\n'
                    '[devices.receipt_printer]\ndriver = "none"\n[devices.document_printer]\ndriver = "none"\n',
                    encoding="utf-8")
    return str(path)


def test_virtual_card_command_and_diag_card_read_a_demo_card(pcscd, tmp_path: Path) -> None:
    card = subprocess.Popen([sys.executable, "-m", "kiosk_app.cli", "virtual-card", "--card-number", "A00000043"],
                            cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: not slot_is_empty(READER_NAME), "pcscd to see the virtual card")
        result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "diag", "--profile", site_profile(tmp_path),
                                 "card", "--timeout", "20"], cwd=REPO, env=ENV, capture_output=True, text=True,
                                timeout=60)
    finally:
        card.send_signal(signal.SIGINT)  # Ctrl-C removes the card
        card.communicate(timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["result"] == "success"
    assert report["card"]["card_number"] == "A0****043" and report["card"]["name"] == "陈*"
    # The card identification code: region and the fixed D156000005, then only the last four of its own digits.
    assert report["card"]["card_id_code"] == "320100D156000005************0004"
    assert report["card"]["pin_tries_left"] == "3"
    from kiosk_demo.cards import demo_card_record

    full = demo_card_record("A00000043")
    shown = result.stdout + result.stderr
    assert full.ssn not in shown and full.card_number not in shown and full.card_id_code not in shown
    assert card.returncode == 0
    wait_until(lambda: slot_is_empty(READER_NAME), "pcscd to see the slot empty again")


def test_diag_card_without_a_card_times_out_and_fails(pcscd, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "diag", "--profile", site_profile(tmp_path), "card",
                             "--timeout", "1"], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert json.loads(result.stdout)["result"] == "timeout"


def test_devices_bench_prints_every_figure(pcscd, capsys) -> None:
    """The benchmark runs end to end (figures are printed, never asserted)."""
    from kiosk_bench.services import run_devices_bench

    assert run_devices_bench(iterations=3, pcscd=pcscd) == 0
    printed = capsys.readouterr().out
    for figure in ("card detection (insert -> PRESENT event)", "card read + PIN verify (after detection)",
                   "receipt bytes 80 mm, native QR", "receipt bytes 80 mm, raster QR", "certificate PDF, A4"):
        line = next(line for line in printed.splitlines() if line.startswith(figure))
        assert "p50=" in line and "n=" in line
