"""Technician PIN: a salted slow hash in the profile and a persistent lockout gate.

The profile holds `[technician] pin_hash = "pbkdf2-sha256$<iterations>$<salt>$<hash>"`
(made by `kiosk technician hash-pin`), never the PIN. `TechnicianGate` checks a typed
PIN against it, locks entry after `max_failures` wrong PINs in a row for `lockout_s`
and keeps the count and the lock in a small state file, so switching the kiosk off
and on does not buy an attacker fresh tries. Every attempt is journaled by outcome;
the PIN itself never leaves `attempt`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from kiosk.atomic_file import replaced_atomically
from kiosk.config import PIN_HASH_PATTERN, TechnicianSettings

log = logging.getLogger("kiosk.technician")

HASH_SCHEME = "pbkdf2-sha256"
DEFAULT_ITERATIONS = 600_000          # OWASP 2023 figure for PBKDF2-HMAC-SHA256
MIN_ITERATIONS = 10_000               # PIN_HASH_PATTERN allows 5-7 digits
MAX_ITERATIONS = 9_999_999
SALT_BYTES = 16
PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
_PIN_HASH_SHAPE = re.compile(PIN_HASH_PATTERN)
_STATE_VERSION = 1

Outcome = Literal["granted", "wrong", "locked", "disabled", "invalid", "ready"]


# --- hashing -----------------------------------------------------------------------

def validate_pin(pin: str) -> str | None:
    """Why `pin` may not become the technician PIN, or None when it may."""
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        return "the PIN must be digits only"
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        return f"the PIN must be {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits (got {len(pin)})"
    if len(set(pin)) == 1:
        return "the PIN must not repeat one digit"
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    if steps in ({1}, {9}):
        return "the PIN must not be a run of consecutive digits"
    return None


def _is_pin_shaped(pin: object) -> bool:
    """What the gate accepts to compare at all (the weak-PIN rules apply only when setting one)."""
    return (isinstance(pin, str) and pin.isascii() and pin.isdigit()
            and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS)


def hash_pin(pin: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None) -> str:
    """`pbkdf2-sha256$600000$<salt b64>$<hash b64>`, the format `technician.pin_hash` accepts.

    Policy (6..12 digits, not trivial) is `validate_pin`'s job; this only refuses what
    would produce a hash the configuration would reject.
    """
    if not isinstance(pin, str) or not pin:
        raise ValueError("the PIN must be a non-empty string")
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be {MIN_ITERATIONS}..{MAX_ITERATIONS}")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    if not 12 <= len(salt) <= 48:  # 16..64 base64 characters in the configuration pattern
        raise ValueError("salt must be 12..48 bytes")
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    encoded = f"{HASH_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"
    assert _PIN_HASH_SHAPE.fullmatch(encoded), "hash format drifted from kiosk.config.PIN_HASH_PATTERN"
    return encoded


def pin_matches(pin: str, stored: str) -> bool:
    """True when `pin` is the PIN `stored` was made from; a malformed `stored` never matches."""
    if not isinstance(pin, str) or not isinstance(stored, str) or not _PIN_HASH_SHAPE.fullmatch(stored):
        return False
    _scheme, iterations_text, salt_text, digest_text = stored.split("$")
    try:
        salt = base64.b64decode(salt_text, validate=True)
        expected = base64.b64decode(digest_text, validate=True)
    except (binascii.Error, ValueError):
        return False
    iterations = int(iterations_text)
    if iterations < MIN_ITERATIONS or len(expected) != hashlib.sha256().digest_size:
        return False
    actual = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- the gate ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class GateAnswer:
    """What the technician PIN screen shows.

    `outcome` of `attempt`: granted, wrong, locked (refused unchecked), disabled (no
    pin_hash configured), invalid (not 6..12 digits; not counted). `status()` answers
    locked, disabled or, when a PIN may be tried, "ready".
    """

    outcome: Outcome
    tries_left: int
    locked_until: float | None

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the lock ends (rounded up, so "0" means open)."""
        if self.locked_until is None:
            return 0
        return max(0, math.ceil(self.locked_until - now))


@dataclasses.dataclass
class _GateState:
    failures: int = 0
    locked_until: float | None = None


class TechnicianGate:
    """Checks technician PINs with a lockout that survives restarts. Thread-safe.

    `attempt` is slow on purpose (PBKDF2) and meant for a worker thread; attempts run
    one at a time, so parallel tries cannot outrun the failure count. `status` never
    waits for a running hash.
    """

    def __init__(self, settings: TechnicianSettings, state_path: Path, *,
                 journal_record: Callable[..., object] = lambda kind, **fields: None,
                 clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._state_path = Path(state_path)
        self._journal_record = journal_record
        self._clock = clock
        self._attempt_lock = threading.Lock()   # serialises whole attempts (hash included)
        self._state_lock = threading.Lock()     # guards _state; held only briefly
        self._state = self._load_state()

    @property
    def enabled(self) -> bool:
        return bool(self._settings.pin_hash)

    def status(self) -> GateAnswer:
        with self._state_lock:
            return self._answer_now(self._clock())

    def attempt(self, pin: str) -> GateAnswer:
        """Check `pin` (slow: call it off the GUI thread) and journal the outcome.

        The count and lock are saved before journaling, so an exception from
        `journal_record` (a full disk) propagates without losing a failure, and an
        entry the journal could not record is not handed back as granted.
        """
        with self._attempt_lock:
            now = self._clock()
            with self._state_lock:
                before = self._answer_now(now)
                if before.outcome != "disabled":
                    self._save_state()  # whatever _answer_now changed (an expired or clamped lock)
            if before.outcome in ("disabled", "locked"):
                # Refused without looking at the PIN: no oracle while locked.
                return self._journaled(before)
            if not _is_pin_shaped(pin):
                # Cannot match any PIN the CLI accepts; not counted, so a stray key cannot lock staff out.
                return self._journaled(dataclasses.replace(before, outcome="invalid"))
            matched = pin_matches(pin, self._settings.pin_hash)
            now = self._clock()  # the hash took a while
            with self._state_lock:
                if matched:
                    self._state = _GateState()
                    answer = GateAnswer("granted", self._settings.max_failures, None)
                else:
                    failures = self._state.failures + 1
                    if failures >= self._settings.max_failures:
                        self._state = _GateState(failures, now + self._settings.lockout_s)
                        answer = GateAnswer("locked", 0, self._state.locked_until)
                    else:
                        self._state = _GateState(failures, None)
                        answer = GateAnswer("wrong", self._settings.max_failures - failures, None)
                self._save_state()
            if answer.outcome == "locked":
                log.warning("technician entry locked for %d s after %d wrong PINs",
                            self._settings.lockout_s, self._settings.max_failures)
            # A failed wrong attempt that locks is journaled as "wrong" with tries_left 0.
            return self._journaled(answer, journal_outcome="wrong" if answer.outcome == "locked" else None)

    def record_exit(self) -> None:
        self._journal_record("technician.logout")

    # --- internals ---------------------------------------------------------------

    def _journaled(self, answer: GateAnswer, journal_outcome: str | None = None) -> GateAnswer:
        # State is saved before this, so a journal that raises never loses a failure.
        self._journal_record("technician.login", outcome=journal_outcome or answer.outcome,
                             tries_left=answer.tries_left)
        return answer

    def _answer_now(self, now: float) -> GateAnswer:
        """Caller holds _state_lock. Ends an expired lock (fresh tries) on the way.

        Changes here stay in memory: status() may run on the GUI thread, which does no
        file I/O. The next attempt saves them (a restart before that re-derives them).
        """
        if not self.enabled:
            return GateAnswer("disabled", 0, None)
        state = self._state
        if state.locked_until is not None:
            # A clock set backwards must not stretch the lock beyond lockout_s.
            if state.locked_until - now > self._settings.lockout_s:
                state.locked_until = now + self._settings.lockout_s
            if now < state.locked_until:
                return GateAnswer("locked", 0, state.locked_until)
            self._state = _GateState()
        return GateAnswer("ready", max(0, self._settings.max_failures - self._state.failures), None)

    def _load_state(self) -> _GateState:
        try:
            raw = self._state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _GateState()
        except OSError as error:
            log.warning("technician lockout state %s unreadable (%s); entry locked", self._state_path,
                        error.strerror or error)
            return self._fail_closed()
        try:
            data = json.loads(raw)
            failures = data["failures"]
            locked_until = data["locked_until"]
            if (data.get("version") != _STATE_VERSION or not isinstance(failures, int) or failures < 0
                    or not (locked_until is None or isinstance(locked_until, (int, float)))):
                raise ValueError("unexpected content")
            return _GateState(failures, None if locked_until is None else float(locked_until))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("technician lockout state %s is damaged; entry locked for %d s", self._state_path,
                        self._settings.lockout_s)
            return self._fail_closed()

    def _fail_closed(self) -> _GateState:
        """A damaged state file might hide a lock: treat it as one, and write a clean file."""
        state = _GateState(self._settings.max_failures, self._clock() + self._settings.lockout_s)
        self._state = state
        self._save_state()
        return state

    def _save_state(self) -> None:
        """Atomic, owner-only JSON; a failure to write is logged and the in-memory state rules."""
        payload = json.dumps({"version": _STATE_VERSION, "failures": self._state.failures,
                              "locked_until": self._state.locked_until})
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            with replaced_atomically(self._state_path, suffix=".tmp") as handle:   # created 0600
                handle.write(payload.encode("utf-8"))
        except OSError as error:
            log.error("cannot save technician lockout state to %s (%s)", self._state_path, error.strerror or error)

