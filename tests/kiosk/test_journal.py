"""The electronic journal on real SQLite files: the chain, its tamper evidence, pruning,
masking before storage, many writers, and the `kiosk journal` command handlers."""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import threading
from datetime import timezone
from pathlib import Path

import pytest

from kiosk import journal_chain, journal_file
from kiosk.journal import (DEVICE_FAULT, DOCUMENT_PRINTED, JOURNAL_PRUNED, SESSION_ENDED, SESSION_STARTED,
                           SUBMISSION_CONFIRMED, Journal, JournalError)
from kiosk.journal_commands import add_journal_parser

REPO = Path(__file__).resolve().parents[2]
DAY = 86_400.0
START = 1_790_000_000.0   # 2026-09-21, a fixed moment so times in the file are predictable

FULL_SSN = "320102195001011234"
FULL_MOBILE = "13812345678"
FULL_NAME = "张三丰"


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


@pytest.fixture
def journal(journal_path: Path):
    opened = Journal(journal_path)
    yield opened
    opened.close()


def fill(journal: Journal, how_many: int) -> list[int]:
    return [journal.record(SESSION_STARTED, service="contributions", number=index) for index in range(how_many)]


def raw(path: Path) -> sqlite3.Connection:
    """A connection that goes around the journal, as someone with the file would."""
    return sqlite3.connect(str(path), isolation_level=None)


# --- the chain -------------------------------------------------------------------------

def test_recorded_entries_verify_and_read_back_newest_first(journal: Journal) -> None:
    assert journal.verify().ok and journal.verify().summary() == "journal intact: no entries yet"
    first = journal.record(SESSION_STARTED, service="certificate", elder_mode=True, amount=12.5, note=None)
    second = journal.record(SESSION_ENDED, reason="finished")
    assert (first, second) == (1, 2)

    verification = journal.verify()
    assert (verification.ok, verification.checked, verification.first_seq, verification.last_seq) == (True, 2, 1, 2)
    assert verification.broken_seq is None
    assert verification.summary() == "journal intact: 2 entries verified (#1..#2)"

    newest, oldest = journal.entries()
    assert (newest.seq, newest.kind, newest.fields) == (2, SESSION_ENDED, {"reason": "finished"})
    assert oldest.fields == {"service": "certificate", "elder_mode": True, "amount": 12.5, "note": None}
    assert oldest.at.tzinfo is not None and oldest.at.utcoffset().total_seconds() == 0
    assert len(newest.hash) == 64 and newest.hash != oldest.hash
    assert newest.as_dict()["at"].endswith("+00:00") and newest.as_dict()["fields"] == {"reason": "finished"}
    assert journal.count() == 2


def test_the_chain_continues_across_a_reopen(journal_path: Path) -> None:
    with Journal(journal_path) as first_run:
        fill(first_run, 3)
    with Journal(journal_path) as second_run:
        assert second_run.record(SESSION_ENDED, reason="timeout") == 4
        verification = second_run.verify()
        assert verification.ok and verification.checked == 4
        assert [entry.seq for entry in second_run.entries()] == [4, 3, 2, 1]


def test_the_file_is_private_to_the_kiosk_user(journal: Journal, journal_path: Path) -> None:
    journal.record(SESSION_STARTED)
    for path in journal_path.parent.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_a_row_edited_behind_the_journals_back_is_named(journal: Journal, journal_path: Path) -> None:
    fill(journal, 20)
    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_update")
        conn.execute("""UPDATE journal SET fields_json = '{"number":99,"service":"contributions"}' WHERE seq = 12""")
    verification = journal.verify()
    assert not verification.ok
    assert verification.broken_seq == 12 and verification.checked == 11
    assert verification.reason == "entry #12 was changed after it was written"
    assert verification.summary().startswith("journal BROKEN at entry #12: entry #12 was changed")


def test_a_rewritten_hash_column_is_named(journal: Journal, journal_path: Path) -> None:
    fill(journal, 10)
    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_update")
        conn.execute("UPDATE journal SET hash = ? WHERE seq = 4", ("f" * 64,))
    assert journal.verify().broken_seq == 4

    # A forger who recomputes the hash over edited content still breaks the next link.
    with raw(journal_path) as conn:
        seq, at, kind, _, prev_hash = conn.execute(
            "SELECT seq, at, kind, fields_json, prev_hash FROM journal WHERE seq = 4").fetchone()
        forged_fields = {"number": 1000, "service": "contributions"}
        forged_hash = journal_chain.entry_hash(seq, at, kind, forged_fields, prev_hash)
        conn.execute("UPDATE journal SET fields_json = ?, hash = ? WHERE seq = 4",
                     ('{"number":1000,"service":"contributions"}', forged_hash))
    verification = journal.verify()
    assert (verification.ok, verification.broken_seq) == (False, 4)
    assert "entry #4 was changed" in verification.reason


def test_a_deleted_middle_row_is_named(journal: Journal, journal_path: Path) -> None:
    fill(journal, 10)
    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_delete")
        conn.execute("DELETE FROM journal WHERE seq = 7")
    verification = journal.verify()
    assert (verification.ok, verification.broken_seq, verification.checked) == (False, 7, 6)
    assert verification.reason == "entry #7 is missing"


def test_deleted_newest_rows_show_and_are_not_refilled(journal: Journal, journal_path: Path) -> None:
    fill(journal, 10)
    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_delete")
        conn.execute("DELETE FROM journal WHERE seq >= 9")
    verification = journal.verify()
    assert (verification.ok, verification.broken_seq) == (False, 9)
    assert verification.reason == "entries #9..#10 are missing from the end"

    assert journal.record(SESSION_STARTED) == 11   # keeps counting from the head: the gap stays visible
    assert journal.verify().broken_seq == 9


def test_the_database_refuses_updates_and_deletes(journal: Journal, journal_path: Path) -> None:
    fill(journal, 3)
    with raw(journal_path) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE journal SET kind = 'session.ended' WHERE seq = 2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM journal WHERE seq = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM journal")
    assert journal.count() == 3 and journal.verify().ok


def test_a_dropped_trigger_comes_back_when_the_journal_opens(journal_path: Path) -> None:
    with Journal(journal_path) as first_run:
        fill(first_run, 2)
    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_delete")
    with Journal(journal_path):
        with raw(journal_path) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM journal WHERE seq = 1")


# --- pruning ---------------------------------------------------------------------------

def test_prune_removes_old_entries_and_the_rest_still_verifies(journal_path: Path) -> None:
    clock = FakeClock()
    journal = Journal(journal_path, retention_days=30, clock=clock)
    fill(journal, 5)                    # #1..#5, 40 days old by the time we prune
    clock.now += 20 * DAY
    fill(journal, 3)                    # #6..#8, 20 days old: kept
    clock.now += 20 * DAY
    journal.record(SESSION_ENDED)       # #9

    assert journal.prune() == 5
    assert journal.count() == 5         # #6..#9 and the prune entry #10
    pruned = journal.entries(limit=1)[0]
    assert pruned.kind == JOURNAL_PRUNED and pruned.seq == 10
    assert pruned.fields["removed"] == 5 and pruned.fields["through_seq"] == 5
    assert pruned.fields["retention_days"] == 30

    verification = journal.verify()
    assert verification.ok, verification.summary()
    assert (verification.first_seq, verification.last_seq, verification.checked) == (6, 10, 5)
    assert "entries up to #5 were pruned" in verification.summary()

    assert journal.prune() == 0         # nothing old enough: no entry either
    assert journal.count() == 5
    journal.close()

    with Journal(journal_path, retention_days=30, clock=clock) as reopened:
        assert reopened.record(SESSION_STARTED) == 11
        assert reopened.verify().ok


def test_pruning_everything_keeps_the_chain_going(journal_path: Path) -> None:
    clock = FakeClock()
    with Journal(journal_path, retention_days=1, clock=clock) as journal:
        fill(journal, 4)
        clock.now += 2 * DAY
        assert journal.prune() == 4
        assert [entry.seq for entry in journal.entries()] == [5]
        assert journal.record(SESSION_STARTED) == 6
        assert journal.verify().ok
        clock.now += 2 * DAY
        assert journal.prune() == 2      # the first prune entry goes too; a new one says so
        assert journal.entries(limit=1)[0].fields["through_seq"] == 6
        assert journal.verify().ok


def test_prune_only_removes_a_prefix_of_the_chain(journal_path: Path) -> None:
    clock = FakeClock()
    with Journal(journal_path, retention_days=1, clock=clock) as journal:
        fill(journal, 2)                  # #1, #2 old
        clock.now += 3 * DAY
        journal.record(SESSION_STARTED)   # #3 recent
        clock.now -= 2.5 * DAY            # the clock went back
        journal.record(SESSION_STARTED)   # #4 looks old but follows a recent entry
        clock.now += 2.5 * DAY
        assert journal.prune() == 2
        assert journal.verify().ok
        assert sorted(entry.seq for entry in journal.entries()) == [3, 4, 5]


def test_a_changed_pruning_anchor_is_named(journal_path: Path) -> None:
    clock = FakeClock()
    with Journal(journal_path, retention_days=1, clock=clock) as journal:
        fill(journal, 6)
        clock.now += 2 * DAY
        fill(journal, 3)                  # #7..#9
        assert journal.prune() == 6       # anchor at #6; prune entry #10
        with raw(journal_path) as conn:
            conn.execute("UPDATE journal_meta SET hash = ? WHERE name = 'anchor'", ("a" * 64,))
        verification = journal.verify()
        assert (verification.ok, verification.broken_seq) == (False, 6)
        assert "pruning anchor" in verification.reason


def test_entries_removed_without_pruning_behind_a_moved_anchor_are_noticed(journal: Journal,
                                                                            journal_path: Path) -> None:
    fill(journal, 8)
    with raw(journal_path) as conn:
        # Remove #1..#4 and move the anchor so the chain looks as if they were pruned.
        seq, digest = conn.execute("SELECT seq, hash FROM journal WHERE seq = 4").fetchone()
        conn.execute("DROP TRIGGER journal_no_delete")
        conn.execute("DELETE FROM journal WHERE seq <= 4")
        conn.execute("INSERT INTO journal_meta (name, seq, hash) VALUES ('anchor', ?, ?)", (seq, digest))
    verification = journal.verify()
    assert (verification.ok, verification.broken_seq) == (False, 4)
    assert "no pruning is recorded" in verification.reason


def test_prune_refuses_to_remove_a_broken_part(journal_path: Path, tmp_path: Path) -> None:
    clock = FakeClock()
    with Journal(journal_path, retention_days=1, clock=clock) as journal:
        fill(journal, 5)
        with raw(journal_path) as conn:
            conn.execute("DROP TRIGGER journal_no_update")
            conn.execute("UPDATE journal SET kind = 'session.ended' WHERE seq = 3")
        clock.now += 2 * DAY
        with pytest.raises(JournalError, match="broken at entry #3"):
            journal.prune()
        assert journal.count() == 5       # the evidence stays
        assert journal.record(SESSION_ENDED) == 6   # and the shared connection is usable again


# --- what goes in ----------------------------------------------------------------------

def test_personal_data_never_reaches_the_file(journal: Journal, journal_path: Path) -> None:
    journal.record(SESSION_STARTED, name=FULL_NAME, ssn=FULL_SSN, mobile=FULL_MOBILE, card_number="X00000019",
                   note=f"citizen {FULL_SSN} asked to call {FULL_MOBILE}")
    journal.record(SUBMISSION_CONFIRMED, contact=int(FULL_MOBILE), applicant=f"id:{FULL_SSN}")

    started = journal.entries(kinds=[SESSION_STARTED])[0]
    assert started.fields["name"] == "张**"
    assert started.fields["ssn"] == "3201**********1234"
    assert started.fields["mobile"] == "138****5678"
    assert started.fields["card_number"] == "X0****019"
    assert started.fields["note"] == "citizen 3201**********1234 asked to call 138****5678"
    assert journal.entries(limit=1)[0].fields["contact"] == "138****5678"

    def stored_bytes() -> bytes:
        return b"".join(path.read_bytes() for path in journal_path.parent.iterdir() if path.is_file())

    forbidden = [FULL_SSN.encode(), FULL_MOBILE.encode(), FULL_NAME.encode("utf-8"), "三丰".encode("utf-8"),
                 b"X00000019"]
    assert (journal_path.parent / "journal.sqlite3-wal").is_file()
    while_open = stored_bytes()
    assert b"3201**********1234" in while_open          # the masked form is there, so the search means something
    assert not [value for value in forbidden if value in while_open]
    journal.close()                                      # checkpoints the WAL into the main file
    after_close = stored_bytes()
    assert "张**".encode("utf-8") in after_close
    assert not [value for value in forbidden if value in after_close]


@pytest.mark.parametrize("field", ["pin", "token", "secret", "grant", "password", "mobile_full", "ssn_full",
                                   "session_token", "technician_pin"])
def test_secret_fields_are_refused(journal: Journal, field: str) -> None:
    with pytest.raises(ValueError, match="never journaled"):
        journal.record(SESSION_STARTED, **{field: "x"})
    assert journal.count() == 0


@pytest.mark.parametrize("kind", ["", "a", "Session.started", "session-started", "1session", "s" * 49, "会话"])
def test_a_badly_shaped_kind_is_refused(journal: Journal, kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        journal.record(kind)


def test_bad_fields_are_refused_and_nothing_is_written(journal: Journal) -> None:
    with pytest.raises(ValueError, match="at most 32 fields"):
        journal.record(SESSION_STARTED, **{f"field_{index}": index for index in range(33)})
    with pytest.raises(ValueError, match="field name"):
        journal.record(SESSION_STARTED, **{"Service": "x"})
    with pytest.raises(ValueError, match="not a str, int"):
        journal.record(SESSION_STARTED, detail=["a", "list"])
    with pytest.raises(ValueError, match="finite"):
        journal.record(SESSION_STARTED, amount=float("nan"))
    with pytest.raises(ValueError, match="prune"):
        journal.record(JOURNAL_PRUNED, removed=1)
    assert journal.count() == 0
    journal.record(SESSION_STARTED, **{f"field_{index}": index for index in range(32)})
    assert journal.count() == 1


def test_long_and_multiline_text_is_bounded_to_one_line(journal: Journal) -> None:
    journal.record(DEVICE_FAULT, detail="paper out\nline two\x00" + "x" * 1000)
    detail = journal.entries()[0].fields["detail"]
    assert len(detail) == 256 and detail.startswith("paper out line two ")
    assert "\n" not in detail and "\x00" not in detail


def test_entries_page_back_filter_by_kind_and_bound_the_limit(journal: Journal) -> None:
    for index in range(30):
        journal.record(DOCUMENT_PRINTED if index % 3 == 0 else SESSION_STARTED, number=index)
    assert [entry.seq for entry in journal.entries(limit=3)] == [30, 29, 28]
    assert [entry.seq for entry in journal.entries(limit=3, before_seq=28)] == [27, 26, 25]
    printed = journal.entries(kinds=[DOCUMENT_PRINTED])
    assert len(printed) == 10 and {entry.kind for entry in printed} == {DOCUMENT_PRINTED}
    assert journal.entries(kinds=DOCUMENT_PRINTED) == printed     # one kind as a plain string
    assert journal.entries(kinds=[]) == []
    assert len(journal.entries(limit=0)) == 1
    assert len(journal.entries(limit=10**9)) == 30


# --- many writers ----------------------------------------------------------------------

def test_eight_threads_record_without_losing_or_breaking_anything(journal: Journal) -> None:
    threads_count, per_thread = 8, 200
    failures: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def writer(worker: int) -> None:
        try:
            start.wait()
            for index in range(per_thread):
                journal.record(SESSION_STARTED, worker=worker, index=index)
        except BaseException as error:   # reported below, a thread cannot fail the test itself
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    total = threads_count * per_thread
    assert journal.count() == total
    assert sorted(entry.seq for entry in journal.entries(limit=5000)) == list(range(1, total + 1))
    verification = journal.verify()
    assert verification.ok and verification.checked == total
    worker_entries = {(entry.fields["worker"], entry.fields["index"]) for entry in journal.entries(limit=5000)}
    assert len(worker_entries) == total


def test_another_process_appends_to_the_same_journal(journal: Journal, journal_path: Path) -> None:
    script = ("import sys; from pathlib import Path; from kiosk.journal import Journal\n"
              "j = Journal(Path(sys.argv[1]))\n"
              "for i in range(100): j.record('technician.action', action='cli', index=i)\n"
              "j.close()\n")
    other = subprocess.Popen([sys.executable, "-c", script, str(journal_path)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for index in range(100):
            journal.record(SESSION_STARTED, index=index)
    finally:
        _, stderr = other.communicate(timeout=120)
    assert other.returncode == 0, stderr
    assert journal.count() == 200
    verification = journal.verify()
    assert verification.ok and verification.checked == 200


# --- files that are not journals ------------------------------------------------------

def test_a_garbage_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    garbage = tmp_path / "journal.sqlite3"
    garbage.write_bytes(b"this is not a database, just some bytes\n" * 100)
    with pytest.raises(JournalError, match="not a kiosk journal"):
        Journal(garbage)
    assert garbage.read_bytes().startswith(b"this is not")   # left as it was


def test_another_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "outbox.sqlite3"
    with raw(other) as conn:
        conn.execute("CREATE TABLE outbox (key TEXT)")
    with pytest.raises(JournalError, match="not a kiosk journal"):
        Journal(other)


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "journal.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(JournalError):
        Journal(damaged)


def test_a_directory_is_refused_and_a_closed_journal_says_so(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="directory"):
        Journal(tmp_path)
    journal = Journal(tmp_path / "j.sqlite3")
    journal.close()
    with pytest.raises(JournalError, match="closed"):
        journal.record(SESSION_STARTED)


# --- the `kiosk journal` command -------------------------------------------------------

def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_journal_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_verify_command_reports_intact_and_broken(journal: Journal, journal_path: Path, capsys) -> None:
    fill(journal, 5)
    assert run_command("journal", "verify", "--path", str(journal_path)) == 0
    assert capsys.readouterr().out.strip() == "journal intact: 5 entries verified (#1..#5)"

    with raw(journal_path) as conn:
        conn.execute("DROP TRIGGER journal_no_delete")
        conn.execute("DELETE FROM journal WHERE seq = 3")
    assert run_command("journal", "verify", "--path", str(journal_path)) == 1
    output = capsys.readouterr().out
    assert output.startswith("journal BROKEN at entry #3: entry #3 is missing")


def test_show_command_prints_one_masked_line_per_entry(journal: Journal, journal_path: Path, capsys) -> None:
    journal.record(SESSION_STARTED, name=FULL_NAME, service="certificate")
    journal.record(DEVICE_FAULT, device="receipt_printer", detail="paper out")
    journal.record(SESSION_ENDED, reason="finished")
    assert run_command("journal", "show", "--path", str(journal_path), "--limit", "2") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#2 ") and ' device.fault detail="paper out" device=receipt_printer' in lines[0]
    assert lines[1].startswith("#3 ") and lines[1].endswith(" session.ended reason=finished")

    assert run_command("journal", "show", "--path", str(journal_path), "--kind", SESSION_STARTED) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "name=张**" in line and FULL_NAME not in line


def test_prune_command_uses_the_retention(journal_path: Path, capsys) -> None:
    with Journal(journal_path, clock=FakeClock(START - 400 * DAY)) as old_days:
        fill(old_days, 3)
    with Journal(journal_path) as today:
        today.record(SESSION_STARTED)
    assert run_command("journal", "prune", "--path", str(journal_path)) == 0
    assert capsys.readouterr().out.startswith("pruned 3 entries older than 365 days; 2 remain")
    assert run_command("journal", "verify", "--path", str(journal_path)) == 0


def test_command_path_and_profile_problems_exit_2(tmp_path: Path, capsys) -> None:
    assert run_command("journal", "verify", "--path", str(tmp_path / "none.sqlite3")) == 2
    assert "no journal at" in capsys.readouterr().err

    other = tmp_path / "outbox.sqlite3"     # a wrong --path, not a damaged journal
    with raw(other) as conn:
        conn.execute("CREATE TABLE outbox (key TEXT)")
    assert run_command("journal", "verify", "--path", str(other)) == 2
    assert "not a kiosk journal" in capsys.readouterr().err

    # The demo profile keeps nothing between runs.
    assert run_command("journal", "verify", "--profile", "demo") == 2
    assert "pass --path" in capsys.readouterr().err

    broken_profile = tmp_path / "broken.toml"
    broken_profile.write_text("[journal]\nretention_days = 1\n", encoding="utf-8")
    assert run_command("journal", "verify", "--profile", str(broken_profile)) == 2
    assert "configuration error" in capsys.readouterr().err


def test_command_finds_the_journal_of_a_profile(tmp_path: Path, capsys) -> None:
    state = tmp_path / "state"
    profile = tmp_path / "hall.toml"
    profile.write_text(f'[storage]\ndirectory = "{state.as_posix()}"\n', encoding="utf-8")
    with Journal(state / "journal.sqlite3") as journal:
        fill(journal, 2)
    assert run_command("journal", "verify", "--profile", str(profile)) == 0
    assert "2 entries verified" in capsys.readouterr().out
    assert run_command("journal", "show", "--profile", str(profile)) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_entries_read_back_in_utc(journal_path: Path) -> None:
    with Journal(journal_path, clock=FakeClock(START)) as journal:
        journal.record(SESSION_STARTED)
        (entry,) = journal.entries()
    assert entry.at.timestamp() == START and entry.at.tzinfo == timezone.utc


def test_a_journal_rewritten_whole_passes_its_own_check_but_not_the_reported_head(
        journal: Journal, journal_path: Path, tmp_path: Path, capsys) -> None:
    fill(journal, 6)
    reported_seq, reported_hash = journal.head()        # what the heartbeat carried off the terminal
    assert (reported_seq, journal.hash_at(reported_seq)) == (6, reported_hash)
    journal.close()
    # A forger builds a fresh, internally consistent journal with other content and puts it in place.
    forged_path = tmp_path / "forged.sqlite3"
    with Journal(forged_path) as forged:
        for index in range(6):
            forged.record(SESSION_STARTED, service="enrolment", number=index)
    for suffix in ("", "-wal", "-shm"):
        Path(str(journal_path) + suffix).unlink(missing_ok=True)
    forged_path.rename(journal_path)
    expect = f"{reported_seq}:{reported_hash}"
    assert run_command("journal", "verify", "--path", str(journal_path)) == 0
    capsys.readouterr()
    assert run_command("journal", "verify", "--path", str(journal_path), "--expect", expect) == 1
    assert "entry #6: does NOT match the hash reported off the terminal" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_command("journal", "verify", "--path", str(journal_path), "--expect", "6:not-a-hash")


def test_newest_entries_removed_with_the_head_moved_back_fail_against_the_reported_head(
        journal: Journal, journal_path: Path, capsys) -> None:
    fill(journal, 10)
    reported_seq, reported_hash = journal.head()        # #10, carried off the terminal by the heartbeat
    with raw(journal_path) as conn:
        # Someone removes the newest entries and moves the head record back over the gap.
        new_head = conn.execute("SELECT seq, hash FROM journal WHERE seq = 7").fetchone()
        conn.execute("DROP TRIGGER journal_no_delete")
        conn.execute("DELETE FROM journal WHERE seq > 7")
        conn.execute("UPDATE journal_meta SET seq = ?, hash = ? WHERE name = 'head'", new_head)
    journal.close()
    assert run_command("journal", "verify", "--path", str(journal_path)) == 0   # its own check cannot see it
    capsys.readouterr()
    expect = f"{reported_seq}:{reported_hash}"
    assert run_command("journal", "verify", "--path", str(journal_path), "--expect", expect) == 1
    output = capsys.readouterr().out
    assert "entry #10: MISSING: reported off the terminal but not in this journal, which ends at entry #7" in output
    assert "nothing was ever pruned" in output and "pruned, or removed" not in output


def test_an_expected_entry_after_the_pruning_anchor_must_be_there(journal_path: Path, capsys) -> None:
    clock = FakeClock()
    with Journal(journal_path, retention_days=1, clock=clock) as journal:
        fill(journal, 4)                                   # #1..#4, old
        old_seq, old_hash = 3, journal.hash_at(3)
        clock.now += 2 * DAY
        fill(journal, 4)                                   # #5..#8, recent
        newest_seq, newest_hash = journal.head()
        assert journal.prune() == 4                        # anchor #4, prune entry #9
    # An expected entry pruned away (at or before the anchor) cannot be compared: not a failure.
    assert run_command("journal", "verify", "--path", str(journal_path), "--expect", f"{old_seq}:{old_hash}") == 0
    assert "entry #3: pruned (entries up to #4 were removed by pruning)" in capsys.readouterr().out
    # One after the anchor is either there and matching, or removed: pruning never removes the newest.
    expect = f"{newest_seq}:{newest_hash}"
    assert run_command("journal", "verify", "--path", str(journal_path), "--expect", expect) == 0
    assert "entry #8: matches" in capsys.readouterr().out
    assert run_command("journal", "verify", "--path", str(journal_path), "--expect", f"12:{newest_hash}") == 1
    output = capsys.readouterr().out
    assert "entry #12: MISSING" in output and "pruning removed only entries up to #4" in output
    with pytest.raises(SystemExit):
        run_command("journal", "verify", "--path", str(journal_path), "--expect", f"0:{newest_hash}")


@pytest.mark.parametrize("damage", ["truncated", "overwritten page", "overwritten header"])
def test_a_journal_damaged_at_open_fails_verification_not_configuration(journal: Journal, journal_path: Path,
                                                                       damage: str, capsys) -> None:
    for index in range(300):
        journal.record(SESSION_STARTED, service="contributions" * 4, number=index)
    journal.close()
    with raw(journal_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # everything in the main file
    data = journal_path.read_bytes()
    if damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "overwritten page":
        data = data[:100] + b"\xff" * 200 + data[300:]
    else:
        data = b"\x00" * 16 + data[16:]
    journal_path.write_bytes(data)
    assert run_command("journal", "verify", "--path", str(journal_path)) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("journal BROKEN: ") and "damaged" in captured.out
    assert run_command("journal", "show", "--path", str(journal_path)) == 1
    assert "journal BROKEN: " in capsys.readouterr().err


def test_the_journal_command_help_documents_its_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        run_command("journal", "verify", "--help")
    text = capsys.readouterr().out
    assert "exit codes:" in text
    assert "1  the journal is broken" in text and "damaged file" in text and "2  a configuration or usage problem" in text


def test_the_page_cache_stays_small_as_the_journal_grows(journal: Journal, journal_path: Path) -> None:
    # SQLite's default (2 MiB per connection) filled page by page, session after session.
    fill(journal, 3)
    cache_kib = -journal._connection().execute("PRAGMA cache_size").fetchone()[0]
    assert 0 < cache_kib <= journal_file.PAGE_CACHE_KIB <= 512
