"""Technician PIN: hash format agreed with the config, lockout that survives restarts, journal without PINs."""

from __future__ import annotations

import argparse
import io
import json
import re
import stat
import threading
from pathlib import Path

import pytest

from kiosk.config import PIN_HASH_PATTERN, TechnicianSettings, load_settings
from kiosk import technician_auth
from kiosk.technician_auth import GateAnswer, TechnicianGate, hash_pin, pin_matches, validate_pin
from kiosk.technician_commands import add_technician_parser

PIN = "246813"
WRONG_PINS = ("975310", "864209", "135790", "112358", "314159", "271828")
FAST = 10_000  # the lowest iteration count the format allows: keeps the gate tests quick


class ManualClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Journal:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict]] = []

    def __call__(self, kind: str, **fields) -> None:
        self.entries.append((kind, fields))

    def outcomes(self) -> list[str]:
        return [fields["outcome"] for kind, fields in self.entries if kind == "technician.login"]


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN, iterations=FAST)


def make_gate(state_path: Path, pin_hash: str, clock: ManualClock, journal: Journal | None = None,
              **overrides) -> TechnicianGate:
    settings = TechnicianSettings(pin_hash=pin_hash, **{"max_failures": 5, "lockout_s": 300, **overrides})
    settings.validate()
    return TechnicianGate(settings, state_path, journal_record=journal or Journal(), clock=clock)


# --- hashing -----------------------------------------------------------------------

def test_hash_matches_the_config_pattern_and_only_its_pin(pin_hash: str) -> None:
    assert re.fullmatch(PIN_HASH_PATTERN, pin_hash)
    assert re.fullmatch(PIN_HASH_PATTERN, hash_pin(PIN))  # default iterations too
    TechnicianSettings(pin_hash=pin_hash).validate()
    assert pin_matches(PIN, pin_hash)
    assert not pin_matches("246814", pin_hash)
    assert hash_pin(PIN, iterations=FAST) != pin_hash  # fresh salt each time


def test_same_salt_gives_same_hash_and_iterations_are_in_it() -> None:
    salt = bytes(range(16))
    first = hash_pin(PIN, iterations=FAST, salt=salt)
    assert first == hash_pin(PIN, iterations=FAST, salt=salt)
    assert first.split("$")[1] == str(FAST)
    assert hash_pin(PIN, iterations=FAST + 1, salt=salt) != first


@pytest.mark.parametrize("stored", [
    "", "plain", "pbkdf2-sha256$10000$short$abc",
    "pbkdf2-sha1$10000$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
    "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 40,        # hash not 32 bytes
    "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA=$" + "A" * 43 + "=",   # bad base64 padding in the salt
    "pbkdf2-sha256$01000$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "=",  # too few iterations
])
def test_malformed_stored_hash_never_matches(stored: str) -> None:
    assert pin_matches(PIN, stored) is False


def test_hash_refuses_what_the_config_would_reject() -> None:
    with pytest.raises(ValueError):
        hash_pin(PIN, iterations=1000)
    with pytest.raises(ValueError):
        hash_pin(PIN, salt=b"short")
    with pytest.raises(ValueError):
        hash_pin("")


@pytest.mark.parametrize(("pin", "ok"), [
    ("246813", True), ("802461937254", True), ("12345", False), ("1234567890123", False), ("24681a", False),
    ("２４６８１３", False), ("000000", False), ("123456", False), ("987654", False), ("890123", False),
    ("", False),
])
def test_pin_rule(pin: str, ok: bool) -> None:
    assert (validate_pin(pin) is None) is ok


# --- the gate ----------------------------------------------------------------------

def test_five_wrong_pins_lock_and_a_locked_gate_does_not_check(tmp_path: Path, pin_hash: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    clock, journal = ManualClock(), Journal()
    gate = make_gate(tmp_path / "technician.json", pin_hash, clock, journal)
    assert gate.status() == GateAnswer("ready", 5, None)
    answers = [gate.attempt(pin) for pin in WRONG_PINS[:4]]
    assert [(answer.outcome, answer.tries_left) for answer in answers] == [
        ("wrong", 4), ("wrong", 3), ("wrong", 2), ("wrong", 1)]
    fifth = gate.attempt(WRONG_PINS[4])
    assert fifth == GateAnswer("locked", 0, clock.now + 300)
    assert fifth.seconds_left(clock.now) == 300

    checked = []
    monkeypatch.setattr(technician_auth, "pin_matches", lambda *args: checked.append(args) or True)
    clock.now += 299.5
    refused = gate.attempt(PIN)
    assert refused.outcome == "locked" and refused.seconds_left(clock.now) == 1
    assert checked == []  # the PIN was not even compared while locked
    assert journal.outcomes() == ["wrong"] * 5 + ["locked"]
    assert journal.entries[4][1] == {"outcome": "wrong", "tries_left": 0}


def test_lock_survives_a_restart(tmp_path: Path, pin_hash: str) -> None:
    clock = ManualClock()
    state = tmp_path / "state" / "technician.json"
    first = make_gate(state, pin_hash, clock)
    for pin in WRONG_PINS[:5]:
        first.attempt(pin)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600

    clock.now += 60
    after_power_cycle = make_gate(state, pin_hash, clock)
    assert after_power_cycle.status().outcome == "locked"
    assert after_power_cycle.attempt(PIN).outcome == "locked"
    assert after_power_cycle.status().seconds_left(clock.now) == 240


def test_failure_count_survives_a_restart(tmp_path: Path, pin_hash: str) -> None:
    clock = ManualClock()
    state = tmp_path / "technician.json"
    gate = make_gate(state, pin_hash, clock)
    for pin in WRONG_PINS[:3]:
        gate.attempt(pin)
    restarted = make_gate(state, pin_hash, clock)
    assert restarted.status() == GateAnswer("ready", 2, None)
    restarted.attempt(WRONG_PINS[3])
    assert restarted.attempt(WRONG_PINS[4]).outcome == "locked"


def test_unlocks_after_lockout_with_fresh_tries(tmp_path: Path, pin_hash: str) -> None:
    clock = ManualClock()
    state = tmp_path / "technician.json"
    gate = make_gate(state, pin_hash, clock)
    for pin in WRONG_PINS[:5]:
        gate.attempt(pin)
    clock.now += 300
    assert gate.status() == GateAnswer("ready", 5, None)
    assert make_gate(state, pin_hash, clock).status() == GateAnswer("ready", 5, None)
    assert gate.attempt(PIN) == GateAnswer("granted", 5, None)


def test_success_resets_the_count(tmp_path: Path, pin_hash: str) -> None:
    gate = make_gate(tmp_path / "technician.json", pin_hash, ManualClock())
    for pin in WRONG_PINS[:4]:
        gate.attempt(pin)
    assert gate.attempt(PIN).outcome == "granted"
    assert [gate.attempt(pin).outcome for pin in WRONG_PINS[:4]] == ["wrong"] * 4


def test_clock_set_back_does_not_stretch_the_lock(tmp_path: Path, pin_hash: str) -> None:
    clock = ManualClock()
    gate = make_gate(tmp_path / "technician.json", pin_hash, clock)
    for pin in WRONG_PINS[:5]:
        gate.attempt(pin)
    clock.now -= 86_400  # someone set the clock back a day
    assert gate.status().seconds_left(clock.now) == 300


def test_damaged_state_file_fails_closed(tmp_path: Path, pin_hash: str) -> None:
    state = tmp_path / "technician.json"
    state.write_text("{not json", encoding="utf-8")
    clock = ManualClock()
    gate = make_gate(state, pin_hash, clock)
    assert gate.attempt(PIN).outcome == "locked"
    assert json.loads(state.read_text(encoding="utf-8"))["locked_until"] == clock.now + 300
    clock.now += 300
    assert gate.attempt(PIN).outcome == "granted"


def test_journal_records_every_attempt_and_never_a_pin(tmp_path: Path, pin_hash: str) -> None:
    journal = Journal()
    clock = ManualClock()
    gate = make_gate(tmp_path / "technician.json", pin_hash, clock, journal)
    tried = [WRONG_PINS[0], "12", PIN, WRONG_PINS[1], WRONG_PINS[2], WRONG_PINS[3], WRONG_PINS[4], WRONG_PINS[5],
             PIN]
    for pin in tried:
        gate.attempt(pin)
    gate.record_exit()
    assert journal.outcomes() == ["wrong", "invalid", "granted", "wrong", "wrong", "wrong", "wrong", "wrong",
                                  "locked"]
    assert journal.entries[-1] == ("technician.logout", {})
    recorded = json.dumps(journal.entries)
    for pin in set(tried):
        assert pin not in recorded
    assert all(set(fields) <= {"outcome", "tries_left"} for _, fields in journal.entries)


def test_invalid_entries_are_not_counted(tmp_path: Path, pin_hash: str) -> None:
    gate = make_gate(tmp_path / "technician.json", pin_hash, ManualClock())
    assert [gate.attempt(pin).outcome for pin in ("", "12", "abcdef", "1234567890123") * 3] == ["invalid"] * 12
    assert gate.status() == GateAnswer("ready", 5, None)


def test_disabled_without_a_hash(tmp_path: Path) -> None:
    journal = Journal()
    gate = TechnicianGate(TechnicianSettings(), tmp_path / "technician.json", journal_record=journal)
    assert gate.status() == GateAnswer("disabled", 0, None)
    assert gate.attempt(PIN).outcome == "disabled"
    assert journal.outcomes() == ["disabled"]
    assert not gate.enabled


def test_parallel_attempts_cannot_outrun_the_count(tmp_path: Path, pin_hash: str) -> None:
    journal = Journal()
    gate = make_gate(tmp_path / "technician.json", pin_hash, ManualClock(), journal)
    start = threading.Barrier(12)
    answers: list[GateAnswer] = []

    def try_wrong(pin: str) -> None:
        start.wait()
        answers.append(gate.attempt(pin))

    threads = [threading.Thread(target=try_wrong, args=(f"90{index:04d}",)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.outcome for answer in answers) == ["locked"] * 8 + ["wrong"] * 4
    assert journal.outcomes().count("wrong") == 5  # the fifth locked, the other seven were refused unchecked


def test_unwritable_state_keeps_the_lock_in_memory(tmp_path: Path, pin_hash: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    gate = make_gate(blocker / "technician.json", pin_hash, ManualClock())
    for pin in WRONG_PINS[:5]:
        gate.attempt(pin)
    assert gate.attempt(PIN).outcome == "locked"


# --- the CLI ------------------------------------------------------------------------

def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_technician_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_hash_pin_output_is_accepted_by_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert run_cli(["technician", "hash-pin", "--stdin"]) == 0
    captured = capsys.readouterr()
    line = captured.out.strip()
    assert re.fullmatch(r'pin_hash = "[^"]+"', line)
    assert PIN not in captured.out + captured.err
    profile = tmp_path / "site.toml"
    profile.write_text(f'[terminal]\nid = "KIOSK-TEST-0009"\n\n[technician]\n{line}\n', encoding="utf-8")
    settings = load_settings(str(profile))
    assert settings.technician.pin_hash == line.split('"')[1]
    assert pin_matches(PIN, settings.technician.pin_hash)

    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert run_cli(["technician", "check-pin", "--profile", str(profile), "--stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("246814\n"))
    assert run_cli(["technician", "check-pin", "--profile", str(profile), "--stdin"]) == 1


@pytest.mark.parametrize("typed", ["12345", "123456", "abcdef", ""])
def test_hash_pin_refuses_a_bad_pin(typed: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed + "\n" if typed else ""))
    assert run_cli(["technician", "hash-pin", "--stdin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "kiosk technician:" in captured.err


def test_hash_pin_interactive_asks_twice(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    typed = iter([PIN, "246831"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert run_cli(["technician", "hash-pin"]) == 2
    assert "differ" in capsys.readouterr().err
    typed = iter([PIN, PIN])
    assert run_cli(["technician", "hash-pin"]) == 0
    assert pin_matches(PIN, capsys.readouterr().out.split('"')[1])


def test_check_pin_on_a_profile_without_hash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert run_cli(["technician", "check-pin", "--profile", "default", "--stdin"]) == 2
    assert "disabled" in capsys.readouterr().err


def test_status_does_no_file_io(tmp_path: Path, pin_hash: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """status() may run on the GUI thread: an expiring lock is settled in memory, saved by the next attempt."""
    clock = ManualClock()
    state = tmp_path / "technician.json"
    gate = make_gate(state, pin_hash, clock)
    for pin in WRONG_PINS[:5]:
        gate.attempt(pin)
    saved = state.read_text(encoding="utf-8")
    clock.now += 301
    monkeypatch.setattr(TechnicianGate, "_save_state", lambda self: pytest.fail("status() wrote the state file"))
    assert gate.status() == GateAnswer("ready", 5, None)
    monkeypatch.undo()
    assert state.read_text(encoding="utf-8") == saved
    assert gate.attempt(WRONG_PINS[0]) == GateAnswer("wrong", 4, None)
    assert json.loads(state.read_text(encoding="utf-8")) == {"version": 1, "failures": 1, "locked_until": None}
