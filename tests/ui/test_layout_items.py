"""Screens that lay their rows out again on every draw must not leak the layout items.

PySide6 does not delete the QLayoutItem that `QLayout.takeAt()` returns: dropped in
Python it stays allocated (about 100 bytes each). Redrawn rows, menu tiles and transfer
blocks made the kiosk's memory grow by a few KiB per citizen session, for as long as
it ran. Measured on the C heap (glibc), not with timers.
"""

from __future__ import annotations

import ctypes
import gc
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui.screens.enrolment import clear_layout
from ui.widgets.layouts import take_all

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 2000
ITEMS = 10   # a leak of ~100 B per item would be ~2 MiB over the rounds


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                        "fsmblks", "uordblks", "fordblks", "keepcost")]


def c_heap_in_use() -> int:
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        pytest.skip("needs glibc's mallinfo2")
    mallinfo2.restype = _MallInfo2
    gc.collect()
    QApplication.sendPostedEvents(None, 0)
    return mallinfo2().uordblks


def growth_over_rounds(one_round) -> int:
    for _ in range(200):            # warm up: allocator pools, wrapper caches
        one_round()
    before = c_heap_in_use()
    for _ in range(ROUNDS):
        one_round()
    return c_heap_in_use() - before


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

    def one_round() -> None:
        for label in labels:
            column.addWidget(label)
        column.addStretch(1)
        take_all(column)

    assert growth_over_rounds(one_round) < 256 * 1024


def test_redrawn_rows_do_not_leak_layout_items(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    rows = QVBoxLayout()
    grid = QGridLayout()
    outer = QVBoxLayout(host)
    outer.addLayout(rows)
    outer.addLayout(grid)
    tiles = [QLabel(f"tile {index}", host) for index in range(ITEMS)]

    def one_round() -> None:
        # As the menu places its tiles again...
        for index, tile in enumerate(tiles):
            grid.addWidget(tile, index // 2, index % 2)
        take_all(grid)
        # ...and a service screen fills its rows again.
        for _ in range(ITEMS):
            rows.addWidget(QLabel("a row drawn again"))
        clear_layout(rows)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    assert growth_over_rounds(one_round) < 256 * 1024


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
