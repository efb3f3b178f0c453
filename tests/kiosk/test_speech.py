"""Speech: the real worker process (pyttsx3 on espeak-ng) with the wav sink or a fake
player, and the privacy guard that runs before anything is spoken.

The wav sink writes at real-time pace, so an interrupted utterance leaves a truncated
file, exactly as the speaker would have gone quiet. Waits poll with deadlines.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import speech_worker
from kiosk.contract.identifiers import mask_card_number, mask_ssn, ssn_check_char
from kiosk.speech import SpeechService
from kiosk.speech_privacy import speakable

FAST_WPM = 300                                  # short real-time waits (config allows 80..300)
LONG_ZH = "请将社会保障卡插入读卡器，芯片朝上。" * 12  # about a minute of audio
SHORT_ZH = "你好"
SHORT_EN = "Hello there."
REPO = Path(__file__).resolve().parents[2]

# Reads raw PCM at real-time pace like a sound card would; records its pid.
SLOW_PLAYER = """
import os, sys, time
open(sys.argv[1], "a").write(f"{os.getpid()}\\n")
start, consumed = time.monotonic(), 0
while chunk := sys.stdin.buffer.read(882):
    consumed += len(chunk)
    delay = start + consumed / 44100 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
"""


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., SpeechService]]:
    started: list[SpeechService] = []

    def make(**options: object) -> SpeechService:
        options.setdefault("rate_wpm", FAST_WPM)
        if options.setdefault("sink", "wav") == "wav":
            options.setdefault("wav_dir", tmp_path / "wav")
        service = SpeechService(**options)  # type: ignore[arg-type]
        started.append(service)
        return service

    yield make
    for service in started:
        service.close()


def wav_seconds_and_peak(path: str | Path) -> tuple[float, int]:
    with wave.open(str(path), "rb") as recorded:
        samples = array("h", recorded.readframes(recorded.getnframes()))
        return recorded.getnframes() / recorded.getframerate(), max((abs(s) for s in samples), default=0)


def proc_state(pid: int) -> str | None:
    """The process's state letter, None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rpartition(")")[2].split()[0]


def processes_in_group(pgid: int, *, zombies: bool = True) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and (zombies or fields[0] != "Z"):
                found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def assert_reaped(pid: int) -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)       # not our child any more: reaped, so no zombie
    assert proc_state(pid) is None


# --- the worker, for real -------------------------------------------------------------

def test_speaks_chinese_and_english_to_wav_files(make_service: Callable[..., SpeechService]) -> None:
    heard: list[tuple[str, str]] = []
    service = make_service(on_request=lambda language, text: heard.append((language, text)))

    zh = service.speak(SHORT_ZH, "zh")
    zh_done = service.wait_for_event("spoken", zh, timeout=10)
    en = service.speak(SHORT_EN, "en")
    en_done = service.wait_for_event("spoken", en, timeout=10)

    assert zh_done is not None and en_done is not None
    for event in (zh_done, en_done):
        seconds, peak = wav_seconds_and_peak(event.path)  # type: ignore[arg-type]
        assert seconds > 0.2 and peak > 1000, (event, seconds, peak)
        assert abs(seconds - event.seconds) < 0.05
    assert list(service.requests) == heard == [("zh", SHORT_ZH), ("en", SHORT_EN)]
    assert service.pending() == [] and service.is_idle()


def test_volume_reaches_the_synthesiser_and_clear_resets_it(make_service: Callable[..., SpeechService]) -> None:
    service = make_service(volume=0.9)
    loud = service.wait_for_event("spoken", service.speak(SHORT_EN, "en"), timeout=10)
    service.set_volume(0.3)
    quiet = service.wait_for_event("spoken", service.speak(SHORT_EN, "en"), timeout=10)
    assert loud is not None and quiet is not None
    assert wav_seconds_and_peak(quiet.path)[1] < 0.6 * wav_seconds_and_peak(loud.path)[1]  # type: ignore[arg-type]
    service.clear()
    assert service.volume == 0.9


def test_stop_interrupts_a_long_utterance_at_once(make_service: Callable[..., SpeechService]) -> None:
    service = make_service()
    began = time.monotonic()
    utterance = service.speak(LONG_ZH, "zh")
    assert time.monotonic() - began < 0.05          # speak only enqueues
    assert service.wait_for_event("started", utterance, timeout=10) is not None
    time.sleep(0.3)                                  # let some audio play

    began = time.monotonic()
    service.stop()
    assert time.monotonic() - began < 0.05          # stop only signals
    event = service.wait_for_event("interrupted", utterance, timeout=2)

    assert event is not None, service.events()
    assert event.stop_latency is not None and event.stop_latency < 0.1
    assert event.received_at - began < 0.5
    seconds, _ = wav_seconds_and_peak(event.path)   # type: ignore[arg-type]
    assert 0.2 < seconds < 2.0                       # truncated: the whole text is about a minute
    assert service.wait_for_event("spoken", utterance, timeout=0) is None
    assert service.wait_idle(1)


def test_a_new_speak_replaces_the_current_one(make_service: Callable[..., SpeechService]) -> None:
    service = make_service()
    first = service.speak(LONG_ZH, "zh")
    assert service.wait_for_event("started", first, timeout=10) is not None
    second = service.speak(SHORT_EN, "en")

    assert service.wait_for_event("interrupted", first, timeout=2) is not None
    spoken = service.wait_for_event("spoken", second, timeout=10)
    assert spoken is not None and wav_seconds_and_peak(spoken.path)[0] > 0.2  # type: ignore[arg-type]
    kinds = [(event.kind, event.utterance_id) for event in service.events() if event.utterance_id]
    assert kinds.index(("interrupted", first)) < kinds.index(("started", second))  # never both at once


def test_clear_wipes_the_queue_and_the_history(make_service: Callable[..., SpeechService]) -> None:
    service = make_service()
    first = service.speak(LONG_ZH, "zh")
    queued = [service.speak("请取回社保卡", "zh", interrupt=False), service.speak("Goodbye.", "en", interrupt=False)]
    assert service.pending() == ["请取回社保卡", "Goodbye."]
    assert len(service.requests) == 3

    service.clear()

    assert service.pending() == [] and list(service.requests) == []
    assert service.wait_idle(2)
    assert service.wait_for_event("started", queued[0], timeout=0) is None
    assert service.wait_for_event("started", queued[1], timeout=0) is None
    assert {event.kind for event in service.events() if event.utterance_id == first} <= {"started", "interrupted"}


def test_a_killed_worker_is_restarted_by_the_next_speak(make_service: Callable[..., SpeechService]) -> None:
    service = make_service()
    utterance = service.speak(LONG_ZH, "zh")
    assert service.wait_for_event("started", utterance, timeout=10) is not None
    old_pid = service.worker_pid
    assert old_pid is not None

    os.kill(old_pid, signal.SIGKILL)
    assert service.wait_for_event("worker_exited", timeout=5) is not None
    assert service.wait_for_event("failed", utterance, timeout=2) is not None   # the lost utterance is reported
    assert_reaped(old_pid)
    assert service.worker_pid is None

    again = service.speak(SHORT_ZH, "zh")
    assert service.wait_for_event("spoken", again, timeout=10) is not None
    assert service.worker_pid not in (None, old_pid)


def test_a_killed_worker_takes_its_player_with_it(make_service: Callable[..., SpeechService], tmp_path: Path) -> None:
    pid_file = tmp_path / "player.pids"
    service = make_service(sink="speaker", player=[sys.executable, "-c", SLOW_PLAYER, str(pid_file)])
    assert service.wait_for_event("started", service.speak(LONG_ZH, "zh"), timeout=10) is not None
    assert wait_until(pid_file.exists, 5)
    worker_pid, player_pid = service.worker_pid, int(pid_file.read_text().split()[0])
    assert worker_pid is not None

    os.kill(worker_pid, signal.SIGKILL)

    assert service.wait_for_event("worker_exited", timeout=5) is not None
    # Nothing left playing. The orphaned player is init's to reap, so it may linger as a zombie.
    assert wait_until(lambda: processes_in_group(worker_pid, zombies=False) == [], 2)
    assert proc_state(player_pid) in (None, "Z")


def test_close_ends_the_worker_and_its_player(make_service: Callable[..., SpeechService], tmp_path: Path) -> None:
    pid_file = tmp_path / "player.pids"
    service = make_service(sink="speaker", player=[sys.executable, "-c", SLOW_PLAYER, str(pid_file)])
    utterance = service.speak(LONG_ZH, "zh")
    assert service.wait_for_event("started", utterance, timeout=10) is not None
    assert wait_until(pid_file.exists, 5)
    worker_pid, player_pid = service.worker_pid, int(pid_file.read_text().split()[0])
    assert worker_pid is not None and proc_state(player_pid) not in (None, "Z")

    began = time.monotonic()
    service.close()

    assert time.monotonic() - began < 1.5
    assert_reaped(worker_pid)
    assert wait_until(lambda: proc_state(player_pid) is None, 2)
    assert processes_in_group(worker_pid) == []
    assert service.speak(SHORT_ZH, "zh") is None      # closed: says nothing, raises nothing
    service.close()                                   # idempotent


def test_stop_kills_the_player_of_the_speaker_sink(make_service: Callable[..., SpeechService], tmp_path: Path) -> None:
    pid_file = tmp_path / "player.pids"
    service = make_service(sink="speaker", player=[sys.executable, "-c", SLOW_PLAYER, str(pid_file)])
    utterance = service.speak(LONG_ZH, "zh")
    assert service.wait_for_event("started", utterance, timeout=10) is not None
    assert wait_until(pid_file.exists, 5)
    time.sleep(0.2)

    service.stop()
    event = service.wait_for_event("interrupted", utterance, timeout=2)

    assert event is not None and event.stop_latency is not None and event.stop_latency < 0.1
    assert proc_state(int(pid_file.read_text().split()[0])) is None   # killed and reaped by the worker
    assert service.worker_pid is not None                            # the worker itself lives on


def test_speaker_without_working_audio_is_muted_and_logged_once(
        make_service: Callable[..., SpeechService], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.speech")
    # Like aplay on a machine with no sound card: it exits at once with an error.
    service = make_service(sink="speaker", player=[sys.executable, "-c", "import sys; sys.exit(1)"])
    ids = [service.speak(SHORT_ZH, "zh"), service.speak(SHORT_EN, "en", interrupt=False)]
    assert all(service.wait_for_event("muted", utterance, timeout=10) for utterance in ids)
    pid = service.worker_pid

    missing = make_service(sink="speaker", player=["/nonexistent/aplay"])
    assert missing.wait_for_event("muted", missing.speak(SHORT_ZH, "zh"), timeout=10) is not None

    warnings = [record.getMessage() for record in caplog.records if "speech is muted" in record.getMessage()]
    assert len(warnings) == 2 and "status 1" in warnings[0] and "cannot start" in warnings[1]
    assert service.worker_pid == pid is not None      # still running, still the same worker


def test_player_detection(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert speech_worker.find_player() is None
    fake = tmp_path / "aplay"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert speech_worker.find_player() == list(speech_worker.PLAYERS[2])


def test_espeak_gets_the_real_text_size() -> None:
    """pyttsx3 told espeak-ng the text was ten times its size (a heap over-read)."""
    calls: list[tuple] = []
    binding = SimpleNamespace(POS_CHARACTER=1, cSynth=lambda *args: calls.append(args) or 0)
    speech_worker.fix_synth_buffer_size(binding)
    binding.Synth("你好", flags=4)
    assert calls == [("你好".encode(), 7, 0, 1, 0, 4, None, None)]


def test_disabled_speech_does_nothing(make_service: Callable[..., SpeechService]) -> None:
    heard: list[tuple[str, str]] = []
    service = make_service(enabled=False, on_request=lambda *request: heard.append(request))
    assert service.speak(SHORT_ZH, "zh") is None
    assert list(service.requests) == [] and heard == [] and service.worker_pid is None
    with pytest.raises(ValueError):
        service.speak(SHORT_ZH, "fr")


def test_bad_arguments_are_refused(make_service: Callable[..., SpeechService]) -> None:
    with pytest.raises(ValueError):
        make_service(sink="bluetooth")
    with pytest.raises(ValueError):
        SpeechService(sink="wav")
    service = make_service()
    with pytest.raises(ValueError):
        service.speak("Bonjour", "fr")
    assert service.speak("   ", "en") is None


def test_speak_guards_the_text_and_logs_none_of_it(
        make_service: Callable[..., SpeechService], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.speech")
    heard: list[tuple[str, str]] = []
    service = make_service(on_request=lambda *request: heard.append(request))
    ssn = "11010519491231002X"
    utterance = service.speak(f"您的社会保障号码是{ssn}，本月缴费300元。", "zh")
    assert service.wait_for_event("started", utterance, timeout=10) is not None
    assert heard == list(service.requests) == [("zh", "您的社会保障号码是号码，本月缴费金额。")]
    service.clear()
    assert service.wait_idle(2)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "replaced" in logged
    assert ssn not in logged and "社会保障" not in logged and "300" not in logged


def test_speech_never_imports_qt() -> None:
    probe = ("import sys, kiosk.speech, kiosk.speech_worker\n"
             "sys.exit(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))) != [])")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    assert subprocess.run([sys.executable, "-c", probe], env=env, timeout=30).returncode == 0


# --- the privacy guard ----------------------------------------------------------------

SSN = "110105194912310" + "02X"


@pytest.mark.parametrize(("text", "expected"), [
    ("请插入社保卡", "请插入社保卡"),
    (f"您的社会保障号码是{SSN}。", "您的社会保障号码是号码。"),
    (f"社保号{mask_ssn(SSN)}", "社保号号码"),
    ("Card A00000019 is valid.", "Card number is valid."),
    (f"卡号{mask_card_number('X00000019')}", "卡号号码"),
    ("手机13800138000", "手机号码"),
    ("mobile 138 0013 8000.", "mobile number."),
    ("mobile 138-0013-8000", "mobile number"),
    ("PIN 123456", "PIN number"),
    ("密码123456", "密码号码"),
    ("1 2 3 4 5 6", "number"),
    ("******", "number"),
    ("手机一三八〇〇一三八〇〇〇", "手机号码"),
    ("本月缴费300元", "本月缴费金额"),
    ("余额1,234.50元，", "余额金额，"),
    ("共计3万元", "共计金额"),
    ("¥88", "amount"),
    ("You paid 120 yuan.", "You paid amount."),
    ("You paid RMB 1,200.", "You paid amount."),
    ("Balance: 1234.56", "Balance: amount"),
    ("Paid ¥50today", "Paid amount today"),
    # short numbers stay
    ("2024年度缴费记录", "2024年度缴费记录"),
    ("请拨打12333咨询", "请拨打12333咨询"),
    ("You have 3 tries left.", "You have 3 tries left."),
    ("For help call the hotline 1 2 3 3 3.", "For help call the hotline 1 2 3 3 3."),
    ("服务热线一二三三三", "服务热线一二三三三"),
    ("请输入6位密码", "请输入6位密码"),
    ("第3步，共5步", "第3步，共5步"),
    ("2024元旦", "2024元旦"),
    ("****", "****"),
])
def test_speakable_table(text: str, expected: str) -> None:
    assert speakable(text) == expected


def test_speakable_language_picks_the_words() -> None:
    assert speakable("卡号A00000019", "en") == "卡号 number"
    assert speakable("Card A00000019", "zh") == "Card 号码"


LONG_RUN = re.compile(r"[\d*＊](?:[ \-,]?[\d*＊]){5}")
HANZI_RUN = re.compile(r"[〇零一二三四五六七八九幺]{6}")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, "zh", "en"]))
def test_no_long_digit_run_survives(text: str, language: str | None) -> None:
    out = speakable(text, language)
    assert not LONG_RUN.search(out) and not HANZI_RUN.search(out)
    assert speakable(out, language) == out            # idempotent


def identifiers() -> st.SearchStrategy[str]:
    seventeen = st.text("0123456789", min_size=17, max_size=17)
    ssn = seventeen.map(lambda digits: digits + ssn_check_char(digits))
    card = st.tuples(st.sampled_from("ABCXZ"), st.text("0123456789", min_size=8, max_size=8)).map("".join)
    mobile = st.tuples(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)).map(
        lambda parts: "1" + "".join(parts))
    pin = st.text("0123456789", min_size=6, max_size=6)
    return st.one_of(ssn, ssn.map(mask_ssn), card, card.map(mask_card_number), mobile, pin)


FILLER = st.text(st.sampled_from(list("请插卡的号码您 abcXY,.。，：:-")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(FILLER, identifiers(), FILLER, st.sampled_from(["zh", "en"]))
def test_identifiers_are_never_spoken(before: str, identifier: str, after: str, language: str) -> None:
    out = speakable(before + identifier + after, language)
    assert identifier not in out
    assert not LONG_RUN.search(out)
    assert ("号码" if language == "zh" else "number") in out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(st.sampled_from(list("abdeghijk请插卡次位年步")), min_size=1, max_size=6),
                          st.integers(0, 99999)), min_size=1, max_size=6))
def test_short_numbers_survive(parts: list[tuple[str, int]]) -> None:
    text = " ".join(f"{word} {number}" for word, number in parts)
    assert speakable(text) == text
