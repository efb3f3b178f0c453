"""A window with a text field and the keyboard-wedge scanner, for the X11 test: it prints
what was scanned and what reached the field, then quits after `argv[1]` seconds."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from devices.model import CodeScanned, ScanFailed
from devices.scanner.hid_wedge import HidWedgeScanner


def main() -> None:
    app = QApplication(sys.argv[:1])
    window = QWidget()
    field = QLineEdit()
    QVBoxLayout(window).addWidget(field)
    window.resize(600, 120)
    window.show()
    window.activateWindow()
    field.setFocus()
    events: list = []
    scanner = HidWedgeScanner("wedge")
    scanner.subscribe(lambda event: events.append(event) if isinstance(event, (CodeScanned, ScanFailed)) else None)
    scanner.open()

    def report() -> None:
        print(json.dumps({"scanned": [event.code for event in events if isinstance(event, CodeScanned)],
                          "failed": [event.detail for event in events if isinstance(event, ScanFailed)],
                          "field": field.text()}), flush=True)
        app.quit()

    QTimer.singleShot(int(float(sys.argv[1]) * 1000), report)
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
