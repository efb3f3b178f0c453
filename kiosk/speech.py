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

Privacy (a loudspeaker is heard by the whole hall): `speakable()` replaces identifiers, PIN-like digit runs and
amounts with a neutral word before anything is queued, recorded or sent; logs carry
utterance ids and lengths, never the text.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

# --- privacy guard -------------------------------------------------------------------

_NEUTRAL_WORDS = {"zh": {"number": "号码", "amount": "金额"}, "en": {"number": "number", "amount": "amount"}}
_NUMBER = r"\d(?:[\d,，]*\d)?(?:[.．]\d+)?"
_CURRENCY_BEFORE = r"(?:[¥￥$]|(?<![A-Za-z])(?:RMB|CNY))"
_CURRENCY_AFTER = r"(?:[万千百亿]?元(?!旦)|块钱|(?i:yuan)(?![A-Za-z])|RMB(?![A-Za-z])|CNY(?![A-Za-z]))"
_AMOUNT = re.compile(
    rf"{_CURRENCY_BEFORE}\s*{_NUMBER}(?:\s*{_CURRENCY_AFTER})?"     # ¥300, RMB 1,200.50
    rf"|\d[\d,，]*[.．]\d+(?:\s*{_CURRENCY_AFTER})?"                # 1234.56 (a decimal point)
    rf"|{_NUMBER}\s*{_CURRENCY_AFTER}")                              # 300元, 3万元, 120 yuan
# Latin letters, digits and masks glued together, digit groups joined by one space,
# hyphen or comma ("138 0013 8000", "A0****019", "3201**********1234", "ID123456").
_TOKEN = re.compile(r"[A-Za-z\d*＊]+(?:(?<=[\d*＊])[ \-,](?=[\d*＊])[A-Za-z\d*＊]+)*")
_DIGITS_OR_MASKS = re.compile(r"[\d*＊]")
_HANZI_DIGIT_RUN = re.compile(r"[〇零一二三四五六七八九幺]{6,}")   # 一三八〇〇一三八〇〇〇
_CJK = re.compile(r"[\u3400-\u9fff]")
MIN_HIDDEN_RUN = 6


def speakable(text: str, language: str | None = None) -> str:
    """`text` with every identifier, long digit run and amount replaced by a neutral
    word ("号码"/"number", "金额"/"amount"); short numbers (years, the 12333 hotline,
    "3 tries left") stay. `language` picks the words; by default Chinese if the text
    has any CJK character."""
    return _guard(text, language)[0]


def _guard(text: str, language: str | None) -> tuple[str, int]:
    words = _NEUTRAL_WORDS[language or ("zh" if _CJK.search(text) else "en")]
    replaced = 0

    def neutral(match: re.Match[str], word: str) -> str:
        nonlocal replaced
        replaced += 1
        if words is _NEUTRAL_WORDS["zh"]:
            return word
        before = match.string[match.start() - 1] if match.start() else " "
        after = match.string[match.end()] if match.end() < len(match.string) else " "
        return (" " if before.isalnum() else "") + word + (" " if after.isalnum() else "")

    def token(match: re.Match[str]) -> str:
        hidden = len(_DIGITS_OR_MASKS.findall(match.group(0))) >= MIN_HIDDEN_RUN
        return neutral(match, words["number"]) if hidden else match.group(0)

    text = _AMOUNT.sub(lambda match: neutral(match, words["amount"]), text)
    text = _TOKEN.sub(token, text)
    text = _HANZI_DIGIT_RUN.sub(lambda match: neutral(match, words["number"]), text)
    return text, replaced


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
    link: _WorkerLink | None = None
    stop_requested_at: float | None = None


@dataclass
class _WorkerLink:
    process: subprocess.Popen[bytes]
    started_at: float
    ready: bool = False
    ended: bool = False
    fatal_detail: str = ""
    reader: threading.Thread | None = field(default=None, repr=False)


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
        self._link: _WorkerLink | None = None
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
        spoken, replaced = _guard(text, language)
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
        self._write(link, {"op": "say", "id": utterance.id, "text": utterance.text,
                           "voice": voice, "rate": self.rate_wpm})

    def _ensure_worker(self) -> _WorkerLink | None:
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

    def _start_worker(self) -> _WorkerLink:
        command = [sys.executable, "-m", "kiosk.speech_worker", "--sink", self.sink,
                   "--volume", str(self._volume)]
        if self.wav_dir is not None:
            command += ["--wav-dir", str(self.wav_dir)]
        if self.player is not None:
            command += ["--player", json.dumps(self.player)]
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        # Own process group: the worker's player joins it, so one killpg ends both.
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                   start_new_session=True)
        link = _WorkerLink(process, time.monotonic())
        link.reader = threading.Thread(target=self._read_events, args=(link,), name="speech-events", daemon=True)
        link.reader.start()
        log.info("speech worker started pid=%d sink=%s", process.pid, self.sink)
        return link

    def _write_if_running(self, message: dict[str, object]) -> None:
        link = self._link
        if link is not None and not link.ended:
            self._write(link, message)

    def _write(self, link: _WorkerLink, message: dict[str, object]) -> None:
        line = json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            assert link.process.stdin is not None
            link.process.stdin.write(line)
            link.process.stdin.flush()
        except (OSError, ValueError):
            pass   # the worker died; its reader reports the lost utterance

    def _end_worker(self) -> None:
        link = self._link
        if link is None:
            return
        self._write(link, {"op": "exit"})
        try:
            link.process.stdin.close()   # type: ignore[union-attr]
        except OSError:
            pass
        assert link.reader is not None
        link.reader.join(CLOSE_TIMEOUT_SECONDS)
        if link.reader.is_alive():       # did not leave in time: the reader reaps it after this
            _kill_group(link.process)
            link.reader.join(CLOSE_TIMEOUT_SECONDS)

    # --- reader thread: one per worker; reports, and reaps the worker ------------------
    def _read_events(self, link: _WorkerLink) -> None:
        assert link.process.stdout is not None
        for raw in link.process.stdout:
            try:
                message = json.loads(raw)
                self._on_worker_message(link, message)
            except (ValueError, KeyError, TypeError):
                log.warning("speech worker sent a malformed event")
        # EOF: the worker is gone or going. Kill its group before reaping, so the
        # group id cannot have been reused and a player it left behind dies too.
        _kill_group(link.process)
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

    def _on_worker_message(self, link: _WorkerLink, message: dict[str, Any]) -> None:
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


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --- benchmark -----------------------------------------------------------------------

def measure_interrupt_latency(samples: int = 7, sink: str = "wav",
                              player: Sequence[str] | None = None) -> dict[str, float]:
    """Median seconds from `stop()` to (a) the worker's audio stopping and (b) the
    service receiving its 'interrupted' event, interrupting a long utterance 0.3 s
    into its audio. Printed by `python -m kiosk.speech [speaker]`, never asserted."""
    long_text = "请将社会保障卡插入读卡器，芯片朝上。" * 20
    audio_stopped: list[float] = []
    confirmed: list[float] = []
    with tempfile.TemporaryDirectory() as wav_dir, \
            SpeechService(sink=sink, wav_dir=wav_dir if sink == "wav" else None, player=player) as service:
        for _ in range(samples):
            seen = len(service.events())
            utterance = service.speak(long_text, "zh")
            if service.wait_for_event("started", utterance, timeout=10, after=seen) is None:
                raise RuntimeError("speech worker did not start speaking")
            time.sleep(0.3)
            stop_at = time.monotonic()
            service.stop()
            event = service.wait_for_event("interrupted", utterance, timeout=5, after=seen)
            if event is None or event.stop_latency is None:
                raise RuntimeError("speech worker did not confirm the stop")
            audio_stopped.append(event.stop_latency)
            confirmed.append(event.received_at - stop_at)
    return {"audio_stopped_s": statistics.median(audio_stopped), "confirmed_s": statistics.median(confirmed),
            "worst_confirmed_s": max(confirmed), "samples": samples}


if __name__ == "__main__":
    print(measure_interrupt_latency(sink=(sys.argv[1:] or ["wav"])[0]))
