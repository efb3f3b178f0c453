"""`kiosk bench ui` reports how memory grows after the first hundred sessions (figures are
printed, never asserted: here only that they are reported)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk_bench.ui_bench import memory_growth_line

REPO = Path(__file__).resolve().parents[2]


def test_the_growth_line_names_the_sessions_and_the_rate() -> None:
    line = memory_growth_line({100: (170.0, 39.0), 1050: (170.4, 39.1), 2000: (171.0, 39.2)}, 100, 2000)
    assert line.startswith("RSS growth sessions 100→2000: +1.0 MiB (0.5 KiB per session)")
    assert "C heap in use +0.2 MiB (0.1 KiB per session)" in line
    assert memory_growth_line({100: (170.0, None), 200: (169.5, None)}, 100, 200).startswith(
        "RSS growth sessions 100→200: -0.5 MiB")


def test_the_memory_part_runs_alone_and_reports_the_growth() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "bench", "ui", "--only", "memory", "--sessions", "4",
                             "--no-pcscd", "--tracemalloc"], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RSS growth sessions 2→4: " in result.stdout
    assert "Python allocations that grew most, sessions 2→4" in result.stdout
    assert "start to attract" not in result.stdout and "pcscd" not in result.stdout
    assert "propagateSizeHints" not in result.stderr
