"""Prints how many bytes of C heap a layout round trip leaves behind over many rounds.

Run in its own process (`python -m tests.ui.layout_leak_probe CASE`) so that nothing else
in a test run (server threads, other tests' leftovers) allocates while it measures.
Cases: `take_all` (menu tiles placed again), `clear_layout` (service rows drawn again),
and `take_at_dropped` (the old way: the item from takeAt dropped in Python), the control
that shows the measurement sees a leak of about 100 bytes an item.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

ROUNDS = 2000
ITEMS = 10


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                        "fsmblks", "uordblks", "fordblks", "keepcost")]


def c_heap_in_use() -> int:
    mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    mallinfo2.restype = _MallInfo2
    gc.collect()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return mallinfo2().uordblks


def growth(case: str) -> int:
    from ui.screens.service_frame import clear_layout
    from ui.widgets.layouts import take_all

    app = QApplication.instance() or QApplication([])
    host = QWidget()
    grid = QGridLayout()
    rows = QVBoxLayout()
    outer = QVBoxLayout(host)
    outer.addLayout(grid)
    outer.addLayout(rows)
    tiles = [QLabel(f"tile {index}", host) for index in range(ITEMS)]

    def place_tiles() -> None:
        for index, tile in enumerate(tiles):
            grid.addWidget(tile, index // 2, index % 2)

    def one_round() -> None:
        place_tiles()
        if case == "take_at_dropped":
            while grid.count():
                grid.takeAt(0)
        elif case == "take_all":
            take_all(grid)
        else:
            take_all(grid)
            for _ in range(ITEMS):
                rows.addWidget(QLabel("a row drawn again"))
            clear_layout(rows)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    for _ in range(200):   # warm up: allocator pools, wrapper caches
        one_round()
    before = c_heap_in_use()
    for _ in range(ROUNDS):
        one_round()
    grown = c_heap_in_use() - before
    del app
    return grown


if __name__ == "__main__":
    print(growth(sys.argv[1]))
