"""The electronic journal: every transaction step, append-only and hash-chained in SQLite.

Each entry (session start/end, service used, documents printed, submissions and their
outcome, device faults, technician entries...) is one row, linked to the one before by
its hash (kiosk/journal_chain.py), so changing, removing or inserting a row breaks the
chain and `verify` names the first broken link. `Journal` here writes, prunes and reads
the entries; the file itself, its triggers and its durability are kiosk/journal_file.py;
what a field may hold and how it is masked before storage is kiosk/journal_masking.py.

- `record` checks and masks the fields first, then appends in one transaction that
  also moves the head record (seq and hash of the newest entry): removing the newest
  entries shows, and the next entry keeps counting from the head instead of filling
  the hole.
- `prune` removes only a prefix of the chain (entries older than the retention) and
  keeps an anchor, the seq and hash of the last removed entry, so the rest still
  verifies; it also journals a JOURNAL_PRUNED entry naming that anchor, which makes a
  quietly moved anchor show up too.

An entry is on disk when `record` returns. One connection serves the process's threads
behind a lock; other processes open their own.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.journal_chain import (GENESIS_HASH, JOURNAL_PRUNED, ChainWalk, JournalVerification, chain_rows,
                                 entry_hash, read_meta, verify_chain)
from kiosk.journal_file import JournalDamaged, JournalError, open_journal_file, open_reader
from kiosk.journal_masking import FieldValue, check_kind, sanitize_fields

# The names callers import from here; the errors and JOURNAL_PRUNED come from the modules above.
__all__ = ["Journal", "JournalDamaged", "JournalEntry", "JournalError", "JournalVerification",
           "DEFAULT_RETENTION_DAYS", "KIOSK_STARTED", "KIOSK_STOPPED", "SESSION_STARTED", "SESSION_ENDED",
           "SERVICE_USED", "DOCUMENT_PRINTED", "SUBMISSION_QUEUED", "SUBMISSION_SENT", "SUBMISSION_CONFIRMED",
           "SUBMISSION_REJECTED", "DEVICE_FAULT", "DEVICE_RECOVERED", "TECHNICIAN_LOGIN", "TECHNICIAN_ACTION",
           "COUNTERS_RESET", "JOURNAL_PRUNED"]

log = logging.getLogger("kiosk.journal")

# --- entry kinds the kiosk writes ------------------------------------------------------

KIOSK_STARTED = "kiosk.started"
KIOSK_STOPPED = "kiosk.stopped"
SESSION_STARTED = "session.started"
SESSION_ENDED = "session.ended"
SERVICE_USED = "service.used"
DOCUMENT_PRINTED = "document.printed"
SUBMISSION_QUEUED = "submission.queued"
SUBMISSION_SENT = "submission.sent"
SUBMISSION_CONFIRMED = "submission.confirmed"
SUBMISSION_REJECTED = "submission.rejected"
DEVICE_FAULT = "device.fault"
DEVICE_RECOVERED = "device.recovered"
TECHNICIAN_LOGIN = "technician.login"
TECHNICIAN_ACTION = "technician.action"
COUNTERS_RESET = "counters.reset"
# JOURNAL_PRUNED, imported above, is the chain's own kind: only `Journal.prune` writes it.

DEFAULT_RETENTION_DAYS = 365
MIN_LIMIT, MAX_LIMIT = 1, 5000


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    at: datetime          # UTC, aware
    kind: str
    fields: dict[str, object]
    hash: str

    def as_dict(self) -> dict:
        return {"seq": self.seq, "at": self.at.isoformat(), "kind": self.kind, "fields": dict(self.fields),
                "hash": self.hash}


def _timestamp(epoch_seconds: float) -> str:
    # One fixed format (always microseconds, always +00:00) so that text order is time order.
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).isoformat(timespec="microseconds")


# --- the journal ------------------------------------------------------------------------

class Journal:
    """The kiosk's append-only electronic journal in one SQLite file; safe to use from any thread."""

    def __init__(self, path: Path, *, retention_days: int = DEFAULT_RETENTION_DAYS,
                 clock: Callable[[], float] = time.time) -> None:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, got {retention_days!r}")
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = open_journal_file(self.path)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"journal {self.path} is closed")
        return self._conn

    # --- writing ---------------------------------------------------------------------

    def record(self, kind: str, **fields: FieldValue) -> int:
        """Append one entry and return its seq; on disk when this returns.

        ValueError for a bad kind or field (nothing is written); JournalError when the
        file refuses the write.
        """
        check_kind(kind)
        if kind == JOURNAL_PRUNED:
            raise ValueError(f"{JOURNAL_PRUNED!r} entries are written by prune() only")
        clean = sanitize_fields(fields)
        return self._write(lambda conn: self._append(conn, kind, clean), f"entry {kind} not written")

    def _write(self, action: Callable[[sqlite3.Connection], int], failure: str) -> int:
        """Run `action` in one write transaction (BEGIN IMMEDIATE: other processes wait their turn)."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                result = action(conn)
                conn.execute("COMMIT")
                return result
            except sqlite3.Error as error:
                _rollback(conn)
                raise JournalError(f"journal {self.path}: {failure} ({error})") from None
            except BaseException:
                _rollback(conn)   # never leave the shared connection inside a transaction
                raise

    def _append(self, conn: sqlite3.Connection, kind: str, fields: dict[str, FieldValue]) -> int:
        """Insert inside the caller's write transaction and move the head along."""
        prev_seq, prev_hash = self._chain_end(conn)
        seq = prev_seq + 1
        at_iso = _timestamp(self._clock())
        digest = entry_hash(seq, at_iso, kind, fields, prev_hash)
        conn.execute("INSERT INTO journal (seq, at, kind, fields_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
                     (seq, at_iso, kind, _canonical_fields(fields), prev_hash, digest))
        conn.execute("INSERT OR REPLACE INTO journal_meta (name, seq, hash) VALUES ('head', ?, ?)", (seq, digest))
        return seq

    @staticmethod
    def _chain_end(conn: sqlite3.Connection) -> tuple[int, str]:
        """Where the next entry links: the head record, so newest entries removed behind the
        journal's back leave a visible gap instead of being refilled; the newest row when
        the head is missing or behind it (the file was tampered with: keep journaling anyway)."""
        head = read_meta(conn, "head")
        newest = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        if newest is not None and (head is None or newest[0] > head[0]):
            return newest[0], newest[1]
        if head is not None:
            return head
        return read_meta(conn, "anchor") or (0, GENESIS_HASH)

    def prune(self) -> int:
        """Remove the entries older than the retention, oldest first, and return how many.

        Only a prefix of the chain goes: an old entry behind a newer one (a clock that
        went back) waits for it. The part being removed is verified first; if it is
        broken, nothing is removed (JournalError) so the evidence stays.
        """
        cutoff = _timestamp(self._clock() - timedelta(days=self.retention_days).total_seconds())
        removed = self._write(lambda conn: self._prune_locked(conn, cutoff), "pruning failed")
        if removed:
            log.info("journal %s: pruned %d entries older than %d days", self.path, removed, self.retention_days)
        return removed

    def _prune_locked(self, conn: sqlite3.Connection, cutoff: str) -> int:
        first_kept = conn.execute("SELECT seq FROM journal WHERE at >= ? ORDER BY seq LIMIT 1", (cutoff,)).fetchone()
        if first_kept is None:
            through_row = conn.execute("SELECT seq FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
            if through_row is None:
                return 0
            through = through_row[0]
        else:
            through = first_kept[0] - 1
        last_removed = conn.execute("SELECT seq, hash FROM journal WHERE seq <= ? ORDER BY seq DESC LIMIT 1",
                                    (through,)).fetchone()
        if last_removed is None:
            return 0
        problem = ChainWalk(read_meta(conn, "anchor")).first_problem(chain_rows(conn, through_seq=through + 1))
        if problem is not None:
            raise JournalError(f"journal {self.path} is broken at entry #{problem[0]} ({problem[1]}); "
                               "nothing was pruned so the evidence stays: run `kiosk journal verify`")
        conn.execute("INSERT INTO journal_prune_gate (opened_at) VALUES (?)", (cutoff,))
        removed = conn.execute("DELETE FROM journal WHERE seq <= ?", (through,)).rowcount
        conn.execute("DELETE FROM journal_prune_gate")
        conn.execute("INSERT OR REPLACE INTO journal_meta (name, seq, hash) VALUES ('anchor', ?, ?)", last_removed)
        self._append(conn, JOURNAL_PRUNED, {"removed": removed, "through_seq": last_removed[0],
                                            "through_hash": last_removed[1], "retention_days": self.retention_days})
        return removed

    # --- reading ---------------------------------------------------------------------

    def entries(self, *, limit: int = 200, before_seq: int | None = None,
                kinds: Collection[str] | None = None) -> list[JournalEntry]:
        """Newest first; at most `limit` (bounded to 1..5000), older than `before_seq` to page back."""
        limit = max(MIN_LIMIT, min(MAX_LIMIT, int(limit)))
        clauses: list[str] = []
        params: list[object] = []
        if before_seq is not None:
            clauses.append("seq < ?")
            params.append(int(before_seq))
        if kinds is not None:
            kind_list = [kinds] if isinstance(kinds, str) else list(kinds)
            if not kind_list:
                return []
            if len(kind_list) > 100 or not all(isinstance(kind, str) for kind in kind_list):
                raise ValueError("kinds: at most 100 strings")
            clauses.append(f"kind IN ({', '.join('?' * len(kind_list))})")
            params.extend(kind_list)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            try:
                rows = self._connection().execute(
                    f"SELECT seq, at, kind, fields_json, hash FROM journal{where} ORDER BY seq DESC LIMIT ?",
                    (*params, limit)).fetchall()
            except sqlite3.Error as error:
                raise JournalError(f"journal {self.path} cannot be read: {error}") from None
        return [_entry_from_row(*row) for row in rows]

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry, for the heartbeat; None for an empty journal."""
        with self._lock:
            try:
                row = self._connection().execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
            except sqlite3.Error as error:
                raise JournalError(f"journal {self.path} cannot be read: {error}") from None
        return (row[0], row[1]) if row is not None else None

    def hash_at(self, seq: int) -> str | None:
        """The stored hash of entry `seq`, or None when there is no such entry (pruned, never written)."""
        with self._lock:
            try:
                row = self._connection().execute("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()
            except sqlite3.Error as error:
                raise JournalError(f"journal {self.path} cannot be read: {error}") from None
        return row[0] if row is not None else None

    def prune_anchor(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry pruning removed; None when nothing was ever pruned.

        Pruning removes only the oldest entries, so an entry after the anchor that is no
        longer in the file was removed some other way.
        """
        with self._lock:
            try:
                return read_meta(self._connection(), "anchor")
            except sqlite3.Error as error:
                raise JournalError(f"journal {self.path} cannot be read: {error}") from None

    def count(self) -> int:
        with self._lock:
            try:
                return self._connection().execute("SELECT COUNT(*) FROM journal").fetchone()[0]
            except sqlite3.Error as error:
                raise JournalError(f"journal {self.path} cannot be read: {error}") from None

    def verify(self) -> JournalVerification:
        """Walk the whole chain in one consistent snapshot and report the first broken link.

        Reads through a connection of its own, so appends from other threads go on
        while a long journal is checked.
        """
        self._connection()  # a closed journal says so instead of opening the file again
        reader = open_reader(self.path)
        try:
            reader.execute("BEGIN")   # the snapshot: meta and rows from the same moment
            return verify_chain(reader)
        except sqlite3.Error as error:
            raise JournalError(f"journal {self.path} cannot be read: {error}") from None
        finally:
            reader.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# --- small helpers ----------------------------------------------------------------------

def _canonical_fields(fields: dict[str, FieldValue]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _entry_from_row(seq: int, at_iso: object, kind: object, fields_json: object, digest: object) -> JournalEntry:
    """Tolerant: a damaged row still shows (verify is what judges it)."""
    try:
        at = datetime.fromisoformat(str(at_iso))
        at = at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)
    except ValueError:
        at = datetime.fromtimestamp(0, tz=timezone.utc)
    try:
        fields = json.loads(str(fields_json))
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        fields = {"unreadable": True}
    return JournalEntry(seq=seq, at=at, kind=str(kind), fields=fields, hash=str(digest))


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass
