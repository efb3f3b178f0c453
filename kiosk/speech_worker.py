"""The speech worker process: pyttsx3 on espeak-ng, audio out, and a control channel.

Started by `kiosk.speech.SpeechService` as `python -m kiosk.speech_worker ...`; it
imports nothing of ours (stdlib and pyttsx3 only) and never Qt.

Protocol (JSON lines): commands arrive on stdin, events leave on the original stdout
(fd 1 is pointed at /dev/null so pyttsx3's own prints cannot corrupt the channel).

    commands: {"op": "say", "id", "text", "voice", "rate"} | {"op": "stop", "id"}
              | {"op": "volume", "value"} | {"op": "exit"}
    events:   ready | started | spoken | interrupted | muted | failed | log | fatal

Two threads: the main thread synthesises and plays one utterance at a time; the
control thread only reads commands, so a "stop" is acted on at once even while the
main thread is blocked writing audio. pyttsx3 synthesises into memory (espeak-ng in
retrieval mode is several hundred times faster than real time), sentence by sentence,
and the worker plays the samples itself: through a player process (paplay, pw-play or
aplay reading raw PCM on stdin) that stop kills, or, for the "wav" sink, into a file
written at real-time pace so that a stop truncates it exactly as it would cut the
speaker. (pyttsx3's own `say()` on Linux runs `aplay` through os.system inside
espeak-ng's synthesis callback: nothing short of killing the worker interrupts that.)
"""

from __future__ import annotations

import argparse
import faulthandler
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any

SAMPLE_RATE = 22050          # what espeak-ng produces (pyttsx3 writes its WAVs at this rate)
BYTES_PER_FRAME = 2          # mono, signed 16-bit little-endian
PACE_CHUNK_SECONDS = 0.02    # the wav sink "plays" this much audio per step
EXIT_GRACE_SECONDS = 2.0     # after stdin closes, give the main thread this long to finish

# Players that read raw PCM on stdin, in order of preference (PulseAudio/PipeWire first:
# on a desktop session they own the sound card and aplay would go through them anyway).
PLAYERS = (
    ("paplay", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1"),
    ("pw-play", "--format", "s16", "--rate", str(SAMPLE_RATE), "--channels", "1", "-"),
    ("aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1"),
)

# A new sentence starts after 。！？；!?; or a line break, or after ". " in Latin text.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=[.:])\s+")


def split_sentences(text: str) -> list[str]:
    """Short pieces make the first audio start sooner and let a stop skip the rest."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]


class EventChannel:
    """Serialises events from both threads onto the pipe to the service."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, event: str, **fields: object) -> None:
        line = json.dumps({"ev": event, **fields}, ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock:
            try:
                os.write(self._fd, line)
            except OSError:
                pass  # the service is gone; the control thread ends us on stdin EOF

    def log(self, level: str, message: str) -> None:
        self.send("log", level=level, msg=message)


class Job:
    def __init__(self, job_id: int, text: str, voice: str, rate: int) -> None:
        self.id = job_id
        self.text = text
        self.voice = voice
        self.rate = rate
        self.cancel = threading.Event()
        self.output: AudioOutput | None = None


class AudioOutput:
    """One utterance's way out. `write` blocks at playback pace; `abort` is called from
    the control thread and must stop the sound now."""

    frames = 0          # samples handed to the sound (or the file) so far
    can_play = True     # False: do not bother synthesising, report "muted"

    def write(self, pcm: bytes) -> bool:  # False: stop writing (cancelled or broken)
        raise NotImplementedError

    def finish(self) -> str:  # "spoken", "interrupted" or "muted"
        raise NotImplementedError

    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass


class PacedWavOutput(AudioOutput):
    """Writes a WAV file at real-time pace: the file holds only what a speaker would
    have played, so an interrupted utterance leaves a truncated file."""

    def __init__(self, path: Path, cancel: threading.Event) -> None:
        self.path = path
        self._cancel = cancel
        self._wav = wave.open(str(path), "wb")
        self._wav.setnchannels(1)
        self._wav.setsampwidth(BYTES_PER_FRAME)
        self._wav.setframerate(SAMPLE_RATE)
        self._clock_start: float | None = None
        self.frames = 0

    def write(self, pcm: bytes) -> bool:
        if self._clock_start is None:
            self._clock_start = time.monotonic()
        step = int(SAMPLE_RATE * PACE_CHUNK_SECONDS) * BYTES_PER_FRAME
        for offset in range(0, len(pcm), step):
            if self._cancel.is_set():
                return False
            chunk = pcm[offset:offset + step]
            self._wav.writeframes(chunk)
            self.frames += len(chunk) // BYTES_PER_FRAME
            if not self._wait_until_played():
                return False
        return True

    def _wait_until_played(self) -> bool:
        assert self._clock_start is not None
        delay = self._clock_start + self.frames / SAMPLE_RATE - time.monotonic()
        return not (delay > 0 and self._cancel.wait(delay))

    def finish(self) -> str:
        return "interrupted" if self._cancel.is_set() else "spoken"

    def close(self) -> None:
        self._wav.close()


class PlayerOutput(AudioOutput):
    """Pipes raw PCM to a player process; a stop kills the player, which stops the
    device at once (ALSA drops the buffer on close, PulseAudio removes the stream)."""

    def __init__(self, command: list[str], cancel: threading.Event) -> None:
        self._cancel = cancel
        self.failure = ""
        try:
            # Same process group as the worker: the service kills the group if we die.
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self._process = None
            self.can_play = False
            self.failure = f"cannot start {command[0]}: {exc.strerror or type(exc).__name__}"

    def write(self, pcm: bytes) -> bool:
        if self._process is None or self._cancel.is_set():
            return False
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(pcm)   # blocks while the player's pipe is full
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            return False
        self.frames += len(pcm) // BYTES_PER_FRAME
        return not self._cancel.is_set()

    def finish(self) -> str:
        if self._process is None:
            return "muted"
        try:
            self._process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        status = self._process.wait()   # the player drains; a stop kills it and ends this wait
        if self._cancel.is_set():
            return "interrupted"
        if status != 0:
            self.failure = f"audio player exited with status {status}"
            return "muted"
        return "spoken"

    def abort(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()

    def close(self) -> None:
        if self._process is not None:
            self.abort()
            self._process.wait()


class MutedOutput(AudioOutput):
    can_play = False

    def write(self, pcm: bytes) -> bool:
        return False

    def finish(self) -> str:
        return "muted"


def fix_synth_buffer_size(binding: Any) -> None:
    """pyttsx3 (2.99 and earlier) passes `len(text) * 10` as the text's size to
    espeak_Synth, and espeak-ng copies that many bytes: a heap over-read that now and
    then kills the worker with SIGSEGV (seen here; upstream pyttsx3 PR #451). Pass the
    real size, terminator included, as espeak-ng expects."""
    c_synth = getattr(binding, "cSynth", None)
    if c_synth is None:
        return

    def synth(text: str | bytes, position: int = 0, position_type: int = binding.POS_CHARACTER,
              end_position: int = 0, flags: int = 0, user_data: object = None) -> int:
        data = text.encode("utf-8") if isinstance(text, str) else text
        return c_synth(data, len(data) + 1, position, position_type, end_position, flags, None, user_data)

    binding.Synth = synth


class Synthesizer:
    """pyttsx3's espeak driver rendering into memory (never to the sound card)."""

    IDLE_WAIT_SECONDS = 0.5

    def __init__(self) -> None:
        import pyttsx3  # imported here so a missing package is reported as a "fatal" event
        from pyttsx3.drivers import _espeak
        fix_synth_buffer_size(_espeak)
        self._espeak = _espeak
        self._engine = pyttsx3.init("espeak")
        self._voice: str | None = None

    def render(self, text: str, voice: str, rate: int, volume: float) -> bytes:
        if voice != self._voice:   # a voice change reloads the dictionary: only when needed
            self._engine.setProperty("voice", voice)
            self._voice = voice
        self._engine.setProperty("rate", rate)
        self._engine.setProperty("volume", volume)
        buffer = io.BytesIO()
        self._engine.save_to_file(text, buffer)
        self._engine.runAndWait()
        self._wait_until_idle()
        if not buffer.getvalue():
            return b""
        buffer.seek(0)
        with wave.open(buffer, "rb") as rendered:
            return rendered.readframes(rendered.getnframes())

    def _wait_until_idle(self) -> None:
        """espeak-ng's retrieval mode synthesises on its own thread; the next voice
        change (not queued by espeak-ng) must not race its tail end."""
        deadline = time.monotonic() + self.IDLE_WAIT_SECONDS
        while self._espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.001)


class Worker:
    def __init__(self, channel: EventChannel, sink: str, wav_dir: Path | None,
                 player: list[str] | None, volume: float) -> None:
        self.channel = channel
        self.sink = sink
        self.wav_dir = wav_dir
        self.player = player
        self.volume = volume
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._latest: Job | None = None
        self._player_failing = False

    # --- control thread ---------------------------------------------------------------
    def read_commands(self, stream: io.BufferedReader) -> None:
        for raw in stream:
            try:
                if not self.handle(json.loads(raw)):
                    break
            except (ValueError, KeyError, TypeError):
                self.channel.log("warning", "ignored a malformed speech command")
        self.shut_down()

    def handle(self, command: dict[str, Any]) -> bool:
        """False: time to leave."""
        op = command["op"]
        if op == "say":
            job = Job(int(command["id"]), str(command["text"]), str(command["voice"]), int(command["rate"]))
            with self._lock:
                self._latest = job
            self.jobs.put(job)
        elif op == "stop":
            self.stop(int(command["id"]))
        elif op == "volume":
            self.volume = min(1.0, max(0.0, float(command["value"])))
        elif op == "exit":
            return False
        return True

    def stop(self, job_id: int) -> None:
        with self._lock:
            job = self._latest if self._latest is not None and self._latest.id == job_id else None
        if job is None or job.cancel.is_set():
            return
        job.cancel.set()
        output = job.output
        if output is not None:
            output.abort()

    def shut_down(self) -> None:
        with self._lock:
            job = self._latest
        if job is not None:
            self.stop(job.id)
        self.jobs.put(None)
        # If the main thread is stuck (it should not be), leave anyway.
        timer = threading.Timer(EXIT_GRACE_SECONDS, os._exit, args=(0,))
        timer.daemon = True
        timer.start()

    # --- main thread ------------------------------------------------------------------
    def run(self, synthesizer: Synthesizer) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                self.speak(job, synthesizer)
            except Exception as exc:  # one bad utterance must not end the worker
                self.channel.send("failed", id=job.id, detail=type(exc).__name__)

    def open_output(self, job: Job) -> AudioOutput:
        if self.sink == "wav":
            assert self.wav_dir is not None
            return PacedWavOutput(self.wav_dir / f"utterance-{job.id:06d}.wav", job.cancel)
        if self.player is None:
            return MutedOutput()
        return PlayerOutput(self.player, job.cancel)

    def speak(self, job: Job, synthesizer: Synthesizer) -> None:
        if job.cancel.is_set():
            self.channel.send("interrupted", id=job.id, seconds=0.0, stopped_at=time.monotonic())
            return
        output = self.open_output(job)
        job.output = output
        if job.cancel.is_set():   # a stop that came before the output existed could not abort it
            output.abort()
        started = False
        try:
            for sentence in split_sentences(job.text) if output.can_play else ():
                if job.cancel.is_set():
                    break
                pcm = synthesizer.render(sentence, job.voice, job.rate, self.volume)
                if not started:
                    started = True
                    self.channel.send("started", id=job.id)
                if not output.write(pcm):
                    break
            outcome = output.finish()
        finally:
            output.close()
            job.output = None
            job.text = ""   # the worker keeps no text once an utterance is over
        stopped_at = time.monotonic()
        fields: dict[str, object] = {"id": job.id, "seconds": round(output.frames / SAMPLE_RATE, 3)}
        if isinstance(output, PacedWavOutput):
            fields["path"] = str(output.path)
        if outcome == "interrupted":
            fields["stopped_at"] = stopped_at
        if outcome == "muted":
            self.note_player_failure(getattr(output, "failure", "") or "no audio player")
        elif isinstance(output, PlayerOutput) and self._player_failing:
            self._player_failing = False
            self.channel.log("info", "audio output works again")
        self.channel.send(outcome, **fields)

    def note_player_failure(self, reason: str) -> None:
        """Once per failing streak: a kiosk without a sound card should not fill the log."""
        if not self._player_failing:
            self._player_failing = True
            self.channel.log("warning", f"speech is muted: {reason}")


def find_player() -> list[str] | None:
    for command in PLAYERS:
        if shutil.which(command[0]):
            return list(command)
    return None


def take_over_stdout() -> int:
    """Keep the real stdout for events; anything else printing to fd 1 goes nowhere."""
    events_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return events_fd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sink", choices=("speaker", "wav"), default="speaker")
    parser.add_argument("--wav-dir", type=Path)
    parser.add_argument("--player", help="JSON list: a command reading raw s16le mono PCM on stdin")
    parser.add_argument("--volume", type=float, default=0.9)
    args = parser.parse_args(argv)
    faulthandler.enable()   # a native crash leaves a stack on stderr, not just "status -11"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is the kiosk's to handle

    channel = EventChannel(take_over_stdout())
    player = json.loads(args.player) if args.player else (find_player() if args.sink == "speaker" else None)
    if args.sink == "wav":
        if args.wav_dir is None:
            channel.send("fatal", detail="--wav-dir is required for the wav sink")
            return 2
        args.wav_dir.mkdir(parents=True, exist_ok=True)
    try:
        synthesizer = Synthesizer()
    except Exception as exc:
        channel.send("fatal", detail=f"pyttsx3/espeak-ng unavailable: {type(exc).__name__}: {exc}")
        return 2
    worker = Worker(channel, args.sink, args.wav_dir, player, args.volume)
    if args.sink == "speaker" and player is None:
        worker.note_player_failure("no audio player found (paplay, pw-play, aplay)")
    control = threading.Thread(target=worker.read_commands, args=(sys.stdin.buffer,), name="speech-control",
                               daemon=True)
    control.start()
    channel.send("ready", pid=os.getpid(), sink=args.sink, player=(player or [""])[0])
    worker.run(synthesizer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
