"""Spoken instructions: a speech service in front of one long-lived worker process.

Why a process and a control channel: pyttsx3 on espeak-ng blocks the thread that
speaks and cannot be cancelled cleanly from Python, so speech lives in
`kiosk.speech_worker`, started once (its ~0.1 s start and espeak-ng's init are paid
at boot, not on every screen). The worker has a control thread that reads commands
while the main thread plays audio, so `stop()` reaches the sound in milliseconds
(it kills the player process or, for the wav sink, ends the paced file) and the very
next utterance starts without a process start. Killing and restarting the worker on
every touch would stop as fast but delay the next screen's instruction by a start.
Killing is the fallback: a worker that dies is restarted by the next `speak()`, and
its process group (the worker and its player) is killed before it is reaped.

The GUI thread never waits: `speak()`, `stop()`, `clear()` and `set_volume()` only
change in-memory state and hand a command to the supervisor thread, which starts the
worker and writes to its pipe; a reader thread per worker turns its events into
`SpeechEvent`s and reaps it. Only `close()` waits (at most about a second).

Privacy (a loudspeaker is heard by the whole hall): every text goes through the guard of
kiosk/speech_privacy.py before anything is queued, recorded or sent; logs carry
utterance ids and lengths, never the text. The worker process itself is held through
kiosk/speech_process.py.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.speech_privacy import speakable_counted
from kiosk.speech_process import WorkerLink

log = logging.getLogger("kiosk.speech")

# pyttsx3 voice ids (espeak-ng voice files): Mandarin reads Latin letters as English.
VOICES = {"zh": "sit/cmn", "en": "gmw/en"}
SINKS = ("speaker", "wav")
MAX_TEXT_CHARS = 1000          # a screen's instruction is a few sentences; cut anything longer
MAX_QUEUED = 20                # non-interrupting speaks beyond this drop the oldest
REQUEST_HISTORY = 200
EVENT_HISTORY = 500
RESTART_BACKOFF_SECONDS = 2.0  # after a worker failed to start, do not retry sooner
CLOSE_TIMEOUT_SECONDS = 1.0
TERMINAL_EVENTS = frozenset({"spoken", "interrupted", "muted", "failed"})

# --- service -------------------------------------------------------------------------

@dataclass(frozen=True)
class SpeechEvent:
    """What the worker reported. `kind`: ready, started, spoken, interrupted, muted
    (no working audio output), failed, worker_exited. `stop_latency`: seconds from
    `stop()` (or the interrupting `speak()`) until the audio stopped, as the worker saw it."""

    kind: str
    utterance_id: int | None
    received_at: float
    seconds: float = 0.0
    path: str | None = None
    detail: str = ""
    stop_latency: float | None = None


@dataclass
class _Utterance:
    id: int
    language: str
    text: str


@dataclass
class _InFlight:
    """The utterance handed to the worker. Its text is not kept: after a wipe nothing
    of it remains in the service."""

    id: int
    link: WorkerLink | None = None
    stop_requested_at: float | None = None


_CLOSE = ("close",)


class SpeechService:
    def __init__(self, *, enabled: bool = True, rate_wpm: int = 150, volume: float = 0.9,
                 sink: str = "speaker", wav_dir: str | Path | None = None,
                 on_request: Callable[[str, str], None] | None = None,
                 on_event: Callable[[SpeechEvent], None] | None = None,
                 player: Sequence[str] | None = None) -> None:
        """`player`: a command that plays raw s16le mono 22050 Hz PCM from stdin (None:
        the first of paplay, pw-play, aplay found). `on_event` runs on a background
        thread; a Qt caller must hop to the GUI thread itself."""
        if sink not in SINKS:
            raise ValueError(f"speech sink must be one of {SINKS}, not {sink!r}")
        if sink == "wav" and wav_dir is None:
            raise ValueError("the wav sink needs wav_dir")
        self.enabled = enabled
        self.rate_wpm = int(rate_wpm)
        self.sink = sink
        self.wav_dir = Path(wav_dir) if wav_dir is not None else None
        self.player = list(player) if player is not None else None
        self._on_request = on_request
        self._on_event = on_event
        self._default_volume = self._volume = _clamp_volume(volume)
        self.requests: deque[tuple[str, str]] = deque(maxlen=REQUEST_HISTORY)
        self._events: deque[SpeechEvent] = deque(maxlen=EVENT_HISTORY)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)   # events arrived / went idle
        self._queue: deque[_Utterance] = deque()
        self._current: _InFlight | None = None
        self._next_id = 1
        self._closed = False
        self._link: WorkerLink | None = None
        self._start_not_before = 0.0
        self._start_failure_logged = False
        self._commands: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._supervisor: threading.Thread | None = None
        if enabled:
            self._supervisor = threading.Thread(target=self._supervise, name="speech-supervisor", daemon=True)
            self._supervisor.start()
            self._commands.put(("start",))   # pay the worker's start now, not on the first screen

    # --- public API (any thread; never blocks on the worker) ---------------------------
    def speak(self, text: str, language: str, *, interrupt: bool = True) -> int | None:
        """Say `text` (after `speakable`). By default it replaces whatever is playing or
        queued; `interrupt=False` queues it after them. Returns the utterance id, or
        None when nothing is said (disabled, closed or empty)."""
        if language not in VOICES:
            raise ValueError(f"no speech voice for language {language!r} (have {sorted(VOICES)})")
        if not self.enabled:
            return None
        # Guard first, then cut: a cut could split an identifier into short runs that pass.
        spoken, replaced = speakable_counted(text, language)
        spoken = spoken.strip()[:MAX_TEXT_CHARS]
        if not spoken:
            return None
        with self._lock:
            if self._closed:
                return None
            utterance = _Utterance(self._next_id, language, spoken)
            self._next_id += 1
            self.requests.append((language, spoken))
            if interrupt:
                self._queue.clear()
                self._stop_current_locked()
            elif len(self._queue) >= MAX_QUEUED:
                self._queue.popleft()
            self._queue.append(utterance)
            self._dispatch_locked()
        if replaced:
            log.warning("speech utterance %d: %d number/amount run(s) replaced before speaking",
                        utterance.id, replaced)
        if len(spoken) == MAX_TEXT_CHARS:
            log.warning("speech utterance %d cut to %d characters", utterance.id, MAX_TEXT_CHARS)
        log.debug("speak utterance %d language=%s chars=%d interrupt=%s",
                  utterance.id, language, len(spoken), interrupt)
        if self._on_request is not None:
            self._on_request(language, spoken)
        return utterance.id

    def stop(self) -> None:
        """A touch: stop the current utterance and drop the queued ones (speech that
        carries on after the citizen touched the screen is speech they did not want)."""
        with self._lock:
            self._queue.clear()
            self._stop_current_locked()

    def clear(self) -> None:
        """Session wipe: stop, empty the queue, forget what was said, and put the volume
        back to the configured one: the next citizen must not inherit a raised volume
        (docs/architecture.md, session end)."""
        with self._lock:
            self._queue.clear()
            self._stop_current_locked()
            self.requests.clear()
            reset_volume = self._volume != self._default_volume
            self._volume = self._default_volume
        if reset_volume and self.enabled:
            self._commands.put(("volume", self._default_volume))

    def pending(self) -> list[str]:
        """Texts waiting their turn (not the one being spoken now)."""
        with self._lock:
            return [utterance.text for utterance in self._queue]

    def set_volume(self, volume: float) -> None:
        """0.0..1.0; takes effect from the next sentence."""
        with self._lock:
            self._volume = _clamp_volume(volume)
        if self.enabled:
            self._commands.put(("volume", self._volume))

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def worker_pid(self) -> int | None:
        link = self._link
        return link.process.pid if link is not None and not link.ended else None

    def events(self) -> list[SpeechEvent]:
        with self._lock:
            return list(self._events)

    def is_idle(self) -> bool:
        with self._lock:
            return self._current is None and not self._queue

    def wait_idle(self, timeout: float) -> bool:
        """For tests and tools, never the GUI thread: True once nothing plays or waits."""
        with self._changed:
            return self._changed.wait_for(lambda: self._current is None and not self._queue, timeout)

    def wait_for_event(self, kind: str, utterance_id: int | None = None, timeout: float = 5.0,
                       after: int = 0) -> SpeechEvent | None:
        """For tests and tools: the first event of `kind` (for `utterance_id`, if given)
        among those received after the first `after` events."""
        def find() -> SpeechEvent | None:
            for event in list(self._events)[after:]:
                if event.kind == kind and (utterance_id is None or event.utterance_id == utterance_id):
                    return event
            return None
        with self._changed:
            self._changed.wait_for(lambda: find() is not None or self._closed, timeout)
            return find()

    def close(self) -> None:
        """End the worker (politely, then by force) and the threads. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.clear()
            self._stop_current_locked()
            self._changed.notify_all()
        if self._supervisor is not None:
            self._commands.put(_CLOSE)
            self._supervisor.join(CLOSE_TIMEOUT_SECONDS * 3)

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- state changes (under the lock) ------------------------------------------------
    def _stop_current_locked(self) -> None:
        current = self._current
        if current is not None and current.stop_requested_at is None:
            current.stop_requested_at = time.monotonic()
            self._commands.put(("stop", current.id))

    def _dispatch_locked(self) -> None:
        """One utterance at a time goes to the worker; the next follows its end event,
        so a stopped utterance can never talk over its successor."""
        if self._current is None and self._queue and not self._closed:
            utterance = self._queue.popleft()
            self._current = _InFlight(utterance.id)
            self._commands.put(("say", utterance))

    def _finish_locked(self, utterance_id: int) -> None:
        if self._current is not None and self._current.id == utterance_id:
            self._current = None
            self._dispatch_locked()

    def _record_locked(self, event: SpeechEvent) -> None:
        self._events.append(event)
        if event.kind in TERMINAL_EVENTS and event.utterance_id is not None:
            self._finish_locked(event.utterance_id)
        self._changed.notify_all()

    def _emit(self, event: SpeechEvent) -> None:
        with self._lock:
            self._record_locked(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("speech on_event callback failed")

    # --- supervisor thread: owns starting workers and writing to them -------------------
    def _supervise(self) -> None:
        while True:
            command = self._commands.get()
            if command is _CLOSE:
                self._end_worker()
                return
            kind = command[0]
            if self._closed and kind != "stop":
                continue   # nothing new starts once close() began
            if kind == "start":
                self._ensure_worker()
            elif kind == "say":
                self._send_utterance(command[1])
            elif kind == "stop":
                self._write_if_running({"op": "stop", "id": command[1]})
            elif kind == "volume":
                self._write_if_running({"op": "volume", "value": command[1]})

    def _send_utterance(self, utterance: _Utterance) -> None:
        with self._lock:
            current = self._current
            still_wanted = current is not None and current.id == utterance.id and current.stop_requested_at is None
        if not still_wanted:   # stopped before it reached the worker: it never sounded
            self._emit(SpeechEvent("interrupted", utterance.id, time.monotonic(), stop_latency=0.0))
            return
        link = self._ensure_worker()
        with self._lock:
            usable = link is not None and not link.ended
            if usable and self._current is not None and self._current.id == utterance.id:
                self._current.link = link
        if not usable:
            self._emit(SpeechEvent("failed", utterance.id, time.monotonic(), detail="speech worker unavailable"))
            return
        voice = VOICES[utterance.language]
        link.write({"op": "say", "id": utterance.id, "text": utterance.text, "voice": voice, "rate": self.rate_wpm})

    def _ensure_worker(self) -> WorkerLink | None:
        link = self._link
        if link is not None and not link.ended:
            return link
        if time.monotonic() < self._start_not_before:
            return None
        try:
            link = self._start_worker()
        except OSError as exc:
            self._start_not_before = time.monotonic() + RESTART_BACKOFF_SECONDS
            log.warning("speech worker could not start: %s", exc.strerror or type(exc).__name__)
            return None
        self._link = link
        return link

    def _start_worker(self) -> WorkerLink:
        link = WorkerLink.start(sink=self.sink, volume=self._volume, wav_dir=self.wav_dir, player=self.player)
        link.reader = threading.Thread(target=self._read_events, args=(link,), name="speech-events", daemon=True)
        link.reader.start()
        log.info("speech worker started pid=%d sink=%s", link.process.pid, self.sink)
        return link

    def _write_if_running(self, message: dict[str, object]) -> None:
        link = self._link
        if link is not None and not link.ended:
            link.write(message)

    def _end_worker(self) -> None:
        link = self._link
        if link is None:
            return
        link.end(CLOSE_TIMEOUT_SECONDS)

    # --- reader thread: one per worker; reports, and reaps the worker ------------------
    def _read_events(self, link: WorkerLink) -> None:
        assert link.process.stdout is not None
        for raw in link.process.stdout:
            try:
                message = json.loads(raw)
                self._on_worker_message(link, message)
            except (ValueError, KeyError, TypeError):
                log.warning("speech worker sent a malformed event")
        # EOF: the worker is gone or going. Kill its group before reaping, so the
        # group id cannot have been reused and a player it left behind dies too.
        link.kill_group()
        status = link.process.wait()
        with self._lock:
            link.ended = True
            lost = self._current if self._current is not None and self._current.link is link else None
        if not link.ready:
            self._start_not_before = time.monotonic() + RESTART_BACKOFF_SECONDS
            if not self._start_failure_logged:
                self._start_failure_logged = True
                log.warning("speech worker failed to start (status %s): %s", status, link.fatal_detail or "no detail")
        elif not self._closed:
            log.warning("speech worker pid=%d exited with status %s", link.process.pid, status)
        else:
            log.info("speech worker pid=%d ended", link.process.pid)
        if lost is not None:
            self._emit(SpeechEvent("failed", lost.id, time.monotonic(), detail="speech worker exited"))
        self._emit(SpeechEvent("worker_exited", None, time.monotonic(), detail=f"status {status}"))

    def _on_worker_message(self, link: WorkerLink, message: dict[str, Any]) -> None:
        kind = str(message["ev"])
        if kind == "log":
            level = getattr(logging, str(message.get("level", "info")).upper(), logging.INFO)
            log.log(level, "speech worker: %s", message.get("msg", ""))
            return
        if kind == "fatal":
            link.fatal_detail = str(message.get("detail", ""))
            return
        if kind == "ready":
            link.ready = True
            self._start_failure_logged = False
        utterance_id = int(message["id"]) if message.get("id") is not None else None
        stop_latency = None
        with self._lock:
            current = self._current
            if (kind == "interrupted" and current is not None and current.id == utterance_id
                    and current.stop_requested_at is not None and "stopped_at" in message):
                stop_latency = max(0.0, float(message["stopped_at"]) - current.stop_requested_at)
        event = SpeechEvent(kind, utterance_id, time.monotonic(), seconds=float(message.get("seconds", 0.0)),
                            path=message.get("path"), detail=str(message.get("detail", "")),
                            stop_latency=stop_latency)
        if kind in ("spoken", "interrupted", "muted", "failed"):
            log.debug("speech utterance %s %s (%.2f s of audio)", utterance_id, kind, event.seconds)
        self._emit(event)


def _clamp_volume(volume: float) -> float:
    return min(1.0, max(0.0, float(volume)))
