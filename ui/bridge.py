"""Moves core and device events onto the GUI thread, and intents from screens into the core.

Device listeners, task workers and the speech service call `post(event)` from any
thread; a queued Qt signal delivers it to `FlowController.dispatch` on the GUI
thread. A one-second timer posts clock ticks (idle countdown, goodbye return, back
office probes). An application-wide event filter turns any touch or click into
activity, which also stops speech (a citizen who touches the screen is reading, not listening).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot

from kiosk import flow
from kiosk.flow_state import Intent

_TOUCH_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress)


_SHARED_INTENTS = {intent.value: intent for intent in Intent}

class FlowBridge(QObject):
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None, *, tick_ms: int = 1000) -> None:
        super().__init__(parent)
        self._controller = None
        # Always queued, even from the GUI thread: events keep the order they were posted in.
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(lambda: self._deliver(flow.Tick()))
        self._touch_pending = False

    def post(self, event: flow.Event) -> None:
        """Thread-safe: queue `event` for the GUI thread."""
        self._posted.emit(event)

    def attach(self, controller) -> None:
        self._controller = controller
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._controller = None

    @Slot(object)
    def _deliver(self, event) -> None:
        if self._controller is not None:
            self._controller.dispatch(event)

    def intent(self, intent: str, value: object = None) -> None:
        """A screen's request (connected to every screen's `intent` signal)."""
        self._touch_pending = False
        # A press every journey knows becomes its Intent; a service's own press stays its name,
        # which equals the service's StrEnum member (kiosk/service_api.py).
        self._deliver(flow.Pressed(_SHARED_INTENTS.get(intent, intent), value))

    # Touches that hit no button still count as activity and stop speech.
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS and self._controller is not None and not self._touch_pending:
            self._touch_pending = True
            # After the press is handled: a button's own intent (if any) comes first.
            QTimer.singleShot(0, self._touched)
        return False

    def _touched(self) -> None:
        if self._touch_pending:
            self._touch_pending = False
            self._deliver(flow.Pressed(Intent.TOUCH))
