"""How long the citizen has been idle, the warning before the session ends, and "more time" (Qt-free).

Part of the flow machine (kiosk/flow.py): elderly citizens get a generous timeout, a spoken
warning with a countdown, and a limited number of extensions; waiting for the kiosk itself
(the busy screen) never counts as idleness.
"""

from __future__ import annotations

from kiosk.flow_state import Countdown

SPOKEN_COUNTDOWN_AT = (10,)              # besides the start of the warning


class IdleTimer:
    def __init__(self, idle_timeout_s: int, warning_s: int, max_extensions: int) -> None:
        self.idle_timeout_s = idle_timeout_s
        self.warning_s = warning_s
        self.max_extensions = max_extensions
        self.last_activity = 0.0
        self.extensions_used = 0
        self._warned_at: set[int] = set()

    @property
    def exhausted(self) -> bool:
        return self.extensions_used >= self.max_extensions

    def activity(self, now: float) -> None:
        self.last_activity = now

    def reset(self) -> None:
        """A new citizen: every extension available again."""
        self.extensions_used = 0
        self._warned_at.clear()

    def dismiss_warning(self) -> None:
        self._warned_at.clear()

    def extend(self) -> bool:
        """"More time": True when an extension was left."""
        if self.exhausted:
            return False
        self.extensions_used += 1
        self._warned_at.clear()
        return True

    def check(self, now: float) -> tuple[bool, Countdown | None, int | None]:
        """(timed out, the countdown to show or None, seconds to speak in the warning or None)."""
        idle = now - self.last_activity
        if idle >= self.idle_timeout_s:
            return True, None, None
        left = int(self.idle_timeout_s - idle + 0.999)
        if left > self.warning_s:
            return False, None, None
        countdown = Countdown(left, self.max_extensions - self.extensions_used)
        if not self._warned_at or (left in SPOKEN_COUNTDOWN_AT and left not in self._warned_at):
            self._warned_at.add(left)
            return False, countdown, left
        return False, countdown, None
