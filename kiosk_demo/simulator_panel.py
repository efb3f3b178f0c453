"""The demo's control window: plays the citizen's card and phone, the printers' paper and the back office.

It acts only on the simulated devices and the embedded reference back office —
exactly what a real card, phone, paper roll or network would change — so the kiosk
window reacts through its normal paths. Work that may block (starting the back
office, issuing an e-card code) runs off the GUI thread.
"""

from __future__ import annotations

import threading

from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget)

from devices.simulators.faults import SimulatedFault


class SimulatorPanel(QWidget):
    def __init__(self, kiosk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from kiosk_demo.cards import demo_people

        self.kiosk = kiosk
        self.setWindowTitle("Simulator controls — demo only")
        self.status = QLabel("")
        self.status.setWordWrap(True)

        self.card_choice = QComboBox()
        self.ecard_choice = QComboBox()
        for key, name, card_number in demo_people():
            self.card_choice.addItem(f"{name} — card {card_number}", card_number)
            self.ecard_choice.addItem(name, key)
        card_box = self._group("Social security card", [
            (self.card_choice, 0, 0, 1, 2),
            (self._button("Insert card", self.insert_card), 1, 0),
            (self._button("Remove card", self.remove_card), 1, 1),
        ])
        ecard_box = self._group("Electronic card (phone)", [
            (self.ecard_choice, 0, 0, 1, 2),
            (self._button("Scan e-card code", self.scan_ecard), 1, 0),
            (self._button("Scan a forged code", lambda: self._scanner().scan("FORGED-CODE-0000")), 1, 1),
        ])
        printer_box = self._group("Printers", [
            (self._button("Receipt: paper out", lambda: self._fault("receipt_printer", SimulatedFault.PAPER_OUT)), 0, 0),
            (self._button("Receipt: paper in", lambda: self._clear("receipt_printer")), 0, 1),
            (self._button("A4: paper out", lambda: self._fault("document_printer", SimulatedFault.PAPER_OUT)), 1, 0),
            (self._button("A4: out mid-job", lambda: self._fault("document_printer",
                                                                 SimulatedFault.PAPER_OUT_MID_JOB)), 1, 1),
            (self._button("A4: paper in", lambda: self._clear("document_printer")), 2, 0),
        ])
        office_box = self._group("Back office", [
            (self._button("Up", lambda: self._office("up")), 0, 0),
            (self._button("Down", lambda: self._office("down")), 0, 1),
            (self._button("Slow (10 s)", lambda: self._office("slow")), 1, 0),
            (self._button("Normal speed", lambda: self._office("fast")), 1, 1),
        ])
        layout = QVBoxLayout(self)
        for box in (card_box, ecard_box, printer_box, office_box):
            layout.addWidget(box)
        layout.addWidget(self.status)
        self.resize(420, 560)

    def _group(self, title: str, cells) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        for widget, *position in cells:
            grid.addWidget(widget, *position)
        return box

    def _button(self, text: str, action) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda: self._safely(text, action))
        return button

    def _safely(self, what: str, action) -> None:
        try:
            action()
            self.status.setText(f"{what}: done")
        except Exception as error:  # the demo panel reports, the kiosk keeps running
            self.status.setText(f"{what}: {error}")

    def _devices(self):
        devices = self.kiosk.devices
        if devices is None:
            raise RuntimeError("devices are still starting")
        return devices

    def _scanner(self):
        return self._devices().qr_scanner

    def insert_card(self) -> None:
        from kiosk_demo.cards import demo_card_record

        self._devices().card_reader.insert_card(demo_card_record(self.card_choice.currentData()))

    def remove_card(self) -> None:
        self._devices().card_reader.remove_card()

    def scan_ecard(self) -> None:
        from kiosk_demo.cards import demo_ecard_code

        key = self.ecard_choice.currentData()

        def issue_and_scan() -> None:
            self._scanner().scan(demo_ecard_code(self.kiosk.wait_for_backoffice().client, key))

        threading.Thread(target=issue_and_scan, name="demo-ecard", daemon=True).start()

    def _fault(self, device: str, fault: SimulatedFault) -> None:
        getattr(self._devices(), device).inject_fault(fault)

    def _clear(self, device: str) -> None:
        getattr(self._devices(), device).clear_fault()

    def _office(self, change: str) -> None:
        embedded = self.kiosk.wait_for_backoffice(timeout_s=0.1).embedded
        if embedded is None:
            raise RuntimeError("this profile does not embed the reference back office")
        if change == "slow":
            embedded.set_delay(10.0)
        elif change == "fast":
            embedded.set_delay(0.0)
        elif change == "down" and embedded.running:
            threading.Thread(target=embedded.stop, daemon=True).start()
        elif change == "up" and not embedded.running:
            threading.Thread(target=embedded.start, daemon=True).start()
