"""One pension-transfer submission through the whole kiosk, in its own process, for the crash tests.

    python -m tests.kiosk.crash_journey PROFILE OUT_DIR

Builds the real KioskApp (offscreen window, simulated devices, the back office
named by the profile, the outbox in the profile's storage directory), inserts a demo
card, types the PIN, applies for a transfer from Guangzhou and waits for the receipt.
It prints `RECEIPT <file>` for each receipt (decoded ESC/POS text) and `DONE <reference>`,
then keeps running until the test kills it. KIOSK_CRASH_TEST_PAUSE holds it at a step.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from kiosk.services.pension_transfer import TransferIntent, TransferScreens

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CARD = "A00000043"          # 陈静: insured in Guangzhou 2008-2016, now in Nanjing
MOBILE = "13812345678"


def main(profile: str, out_dir: str) -> int:
    from PySide6.QtWidgets import QApplication

    import ui  # noqa: F401  (the PySide6 guard the app relies on)
    from devices.receipt.escpos_decode import decode_escpos
    from kiosk.config import load_settings
    from kiosk.flow_state import Intent, Screen
    from kiosk_demo.scenarios import JourneyDriver, ScriptClock, start_kiosk

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    QApplication.instance() or QApplication(["crash-journey"])
    clock = ScriptClock()
    kiosk, window = start_kiosk(load_settings(profile), (1280, 1024), clock)

    def printed(paper) -> None:
        if paper.kind == "receipt":
            path = out / f"receipt-{len(list(out.glob('receipt-*.txt'))) + 1}.txt"
            path.write_text(decode_escpos(paper.data).render_text(), encoding="utf-8")
            print(f"RECEIPT {path}", flush=True)

    kiosk.print_listeners.append(printed)
    d = JourneyDriver(kiosk, None, (1280, 1024), clock)
    d.card_to_menu(CARD, shots=False)
    d.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    d.wait_screen(TransferScreens.TRANSFER_RULES)
    d.press(Intent.START_APPLICATION)
    d.press(TransferIntent.SELECT_PROVINCE, "440000")
    d.press(TransferIntent.SELECT_CITY, "440100")
    d.wait_screen(TransferScreens.TRANSFER_CONTACT)
    for digit in MOBILE:
        d.press(Intent.DIGIT, digit)
    d.press(Intent.CONFIRM)
    d.wait_screen(TransferScreens.TRANSFER_REVIEW)
    d.press(Intent.SUBMIT)
    # Generous: the back office may be down and the client tries to connect first.
    state = d.wait(lambda s: s.screen is TransferScreens.TRANSFER_DONE, "the transfer done screen", timeout_s=120)
    d.wait(lambda s: s.receipt_status in ("printed", "failed"),
           "the receipt", timeout_s=60)
    state = d.state
    reference = state.view('pension_transfer').deferred_reference or (state.view("pension_transfer").application.id
                                                      if state.view("pension_transfer").application else "")
    print(f"DONE {'deferred' if state.view('pension_transfer').deferred_reference else 'submitted'} {reference}", flush=True)
    while True:              # the test kills the process
        d.pump(0.2)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
