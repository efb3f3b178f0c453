"""The screen side of an interactive health check (`devices.base.Interaction`).

The check runs on the device's worker thread. `instruct` only posts the text to the
GUI thread; `confirm` posts the question and then blocks the *worker* until the
technician presses Yes or No on the GUI thread (`answer`), or the check is cancelled
(`CancelToken`, which also answers "no").
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from devices.model import CancelToken


class ScreenInteraction(QObject):
    instruction = Signal(str)         # message id (kiosk/texts/technician.py)
    question = Signal(str)            # message id

    def __init__(self, cancel: CancelToken, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel_token = cancel
        self._answered = threading.Event()
        self._answer = False

    # --- worker thread -------------------------------------------------------------------
    def instruct(self, message_id: str) -> None:
        self.instruction.emit(message_id)

    def confirm(self, message_id: str) -> bool:
        self._answered.clear()
        self.question.emit(message_id)
        # Polls the cancel token: leaving technician mode must never strand a device worker.
        while not self._answered.wait(0.1):
            if self.cancel_token.cancelled:
                return False
        return self._answer

    # --- GUI thread ----------------------------------------------------------------------
    def answer(self, yes: bool) -> None:
        self._answer = bool(yes)
        self._answered.set()

    def cancel(self) -> None:
        self.cancel_token.cancel()
        self.answer(False)
