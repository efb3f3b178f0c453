"""Screens that lay their rows out again on every draw must not leak the layout items.

PySide6 does not delete the QLayoutItem that `QLayout.takeAt()` returns: dropped in
Python it stays allocated (about 100 bytes each). Redrawn rows, menu tiles and transfer
blocks made the kiosk's memory grow by a few KiB per citizen session, for as long as
it ran. Measured on the C heap (glibc), not with timers.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.widgets.layouts import take_all

REPO = Path(__file__).resolve().parents[2]


def heap_growth(case: str) -> int:
    """Bytes of C heap left over after 2,000 rounds of `case`, measured in a process of its own."""
    try:
        ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        pytest.skip("needs glibc's mallinfo2")
    done = subprocess.run([sys.executable, "-m", "tests.ui.layout_leak_probe", case], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_the_probe_sees_the_leak_of_dropped_items() -> None:
    """The control: items dropped the old way leak ~100 B each, 20,000 of them here."""
    assert heap_growth("take_at_dropped") > 1024 * 1024


@pytest.mark.parametrize("case", ["take_all", "clear_layout"])
def test_redrawn_layouts_leave_nothing_behind(case: str) -> None:
    assert heap_growth(case) < 256 * 1024


def test_take_all_deletes_the_items_and_keeps_the_widgets(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    column = QVBoxLayout(host)
    nested = QVBoxLayout()
    labels = [QLabel(f"row {index}") for index in range(4)]
    column.addWidget(labels[0])
    column.addLayout(nested)
    nested.addWidget(labels[1])
    nested.addWidget(labels[2])
    column.addStretch(1)
    column.addWidget(labels[3])
    assert take_all(column) == labels
    assert column.count() == 0 and all(label.parent() is host for label in labels)


def test_no_screen_drops_what_take_at_returns() -> None:
    """`takeAt` only inside ui/widgets/layouts.py, where the item is deleted."""
    offenders = []
    for path in sorted((REPO / "ui").rglob("*.py")):
        if path.name == "layouts.py" and path.parent.name == "widgets":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.takeAt\(", line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "use ui.widgets.layouts.take_all:\n" + "\n".join(offenders)
