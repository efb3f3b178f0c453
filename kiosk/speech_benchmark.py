"""How fast speech stops: the interrupt latency of a real speech worker, for tuning, never asserted.

Run `python -m kiosk.speech_benchmark [wav|speaker]`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Sequence

from kiosk.speech import SpeechService


def measure_interrupt_latency(samples: int = 7, sink: str = "wav",
                              player: Sequence[str] | None = None) -> dict[str, float]:
    """Median seconds from `stop()` to (a) the worker's audio stopping and (b) the
    service receiving its 'interrupted' event, interrupting a long utterance 0.3 s
    into its audio. Printed by `python -m kiosk.speech_benchmark [speaker]`, never asserted."""
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
