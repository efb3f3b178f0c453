"""The speech worker process as the service holds it: started in its own process group, fed JSON lines, ended.

`kiosk.speech.SpeechService` owns one `WorkerLink` at a time and a reader thread per
link that turns the worker's stdout into events; this module only starts the process
(`python -m kiosk.speech_worker`), writes commands to its stdin, and ends it politely
(an exit command, stdin closed) or by killing its whole process group, which also
ends a player the worker left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class WorkerLink:
    process: subprocess.Popen[bytes]
    started_at: float
    ready: bool = False
    ended: bool = False
    fatal_detail: str = ""
    reader: threading.Thread | None = field(default=None, repr=False)

    @classmethod
    def start(cls, *, sink: str, volume: float, wav_dir: Path | None, player: Sequence[str] | None) -> WorkerLink:
        """Start the worker; OSError when it cannot. The caller starts the link's reader."""
        command = [sys.executable, "-m", "kiosk.speech_worker", "--sink", sink, "--volume", str(volume)]
        if wav_dir is not None:
            command += ["--wav-dir", str(wav_dir)]
        if player is not None:
            command += ["--player", json.dumps(list(player))]
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        # Own process group: the worker's player joins it, so one killpg ends both.
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                   start_new_session=True)
        return cls(process, time.monotonic())

    def write(self, message: dict[str, object]) -> None:
        line = json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(line)
            self.process.stdin.flush()
        except (OSError, ValueError):
            pass   # the worker died; its reader reports the lost utterance

    def end(self, timeout: float) -> None:
        """Ask the worker to exit, then kill its group if its reader has not seen it go within `timeout`."""
        self.write({"op": "exit"})
        try:
            self.process.stdin.close()   # type: ignore[union-attr]
        except OSError:
            pass
        assert self.reader is not None
        self.reader.join(timeout)
        if self.reader.is_alive():       # did not leave in time: the reader reaps it after this
            self.kill_group()
            self.reader.join(timeout)

    def kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
