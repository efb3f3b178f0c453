"""The electronic journal: every transaction step, append-only and hash-chained in SQLite.

Each entry (session start/end, service used, documents printed, submissions and their
outcome, device faults, technician entries...) is one row whose sha256 `hash` covers
its sequence number, time, kind, fields and the previous entry's hash, so changing,
removing or inserting a row breaks the chain and `verify` names the first broken link.

What keeps it honest:

- Append-only in the database itself: triggers abort any UPDATE, and any DELETE unless
  `prune` has opened its gate inside its own transaction (the gate row is never
  committed, so no other connection ever sees it open).
- `prune` removes only a prefix of the chain (entries older than the retention) and
  keeps an anchor, the seq and hash of the last removed entry, so the rest still
  verifies; it also journals a JOURNAL_PRUNED entry naming that anchor, which makes a
  quietly moved anchor show up too.
- A head record (seq and hash of the newest entry) is written with every append in
  the same transaction: removing the newest entries shows, and the next entry keeps
  counting from the head instead of filling the hole.
- Personal data is masked *before* it reaches the file: every string through
  `kiosk.redaction.redact`, a `name` field to its first character, a `card_number`
  field like on paper, secrets refused.

The chain makes tampering evident, it does not prevent it: someone who knows the scheme
and can write the file can rewrite every hash. Sending the head hash off the kiosk
(heartbeat, back office) is what would close that gap.

Durability: WAL with synchronous=FULL, so an entry is on disk when `record` returns.
One connection serves the process's threads behind a lock; other processes (the
`kiosk journal` command while the kiosk runs) open their own and appends serialise on
BEGIN IMMEDIATE.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.contract.identifiers import mask_card_number
from kiosk.redaction import redact

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
JOURNAL_PRUNED = "journal.pruned"   # written by `Journal.prune` only

GENESIS_HASH = "0" * 64
DEFAULT_RETENTION_DAYS = 365

# --- limits on what an entry may hold ----------------------------------------------------

MAX_FIELDS = 32
MAX_TEXT = 256
MIN_LIMIT, MAX_LIMIT = 1, 5000
BUSY_TIMEOUT_S = 10.0
PAGE_CACHE_KIB = 256

# Secrets and unmasked identifiers never belong in a journal, not even masked: refusing
# them loudly finds the caller that tried. A `*_token`, `*_pin`... is refused as well.
REFUSED_FIELDS = frozenset({"pin", "token", "secret", "grant", "password", "mobile_full", "ssn_full"})
_REFUSED_SUFFIXES = tuple(f"_{name}" for name in ("pin", "token", "secret", "grant", "password"))
NAME_FIELD = "name"
CARD_NUMBER_FIELD = "card_number"   # no text pattern finds a card number, so the field name does

_KIND_SHAPE = re.compile(r"[a-z][a-z_.]{1,47}")
_FIELD_NAME_SHAPE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_HASH_SHAPE = re.compile(r"[0-9a-f]{64}")

_SQLITE_HEADER = b"SQLite format 3\x00"
_APPLICATION_ID = 0x4B4A524E   # "KJRN": tells a kiosk journal from any other SQLite file
_SCHEMA_VERSION = 1
_SCHEMA_OBJECTS = frozenset({"journal", "journal_by_kind", "journal_meta", "journal_prune_gate",
                             "journal_no_update", "journal_no_delete"})
_SCHEMA = f"""
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_kind ON journal(kind, seq);
-- 'head': the newest entry; 'anchor': the last entry removed by pruning.
CREATE TABLE IF NOT EXISTS journal_meta (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
-- A row here exists only inside prune's transaction.
CREATE TABLE IF NOT EXISTS journal_prune_gate (opened_at TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: entries cannot be changed');
END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
WHEN NOT EXISTS (SELECT 1 FROM journal_prune_gate)
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: entries are removed only by pruning');
END;
PRAGMA application_id = {_APPLICATION_ID};
PRAGMA user_version = {_SCHEMA_VERSION};
COMMIT;
"""

FieldValue = str | int | float | bool | None


class JournalError(Exception):
    """The journal file cannot be used, or a write did not reach it."""


class JournalDamaged(JournalError):
    """The file at the journal's place is damaged: its content cannot be read as a journal.

    Evidence of a broken journal (a failed check), unlike a missing, unreadable or
    foreign file, which is a problem of where the journal was looked for.
    """


# SQLite's own words for a file whose bytes are wrong (as opposed to locked, missing or read-only).
_DAMAGE_ERROR_NAMES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def _is_damage(error: sqlite3.Error) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return any(name == base or name.startswith(base + "_") for base in _DAMAGE_ERROR_NAMES)   # extended codes too


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


@dataclass(frozen=True)
class JournalVerification:
    ok: bool
    checked: int                 # entries whose content and link were found intact
    first_seq: int | None        # oldest and newest entry in the file
    last_seq: int | None
    broken_seq: int | None       # the first broken link; None when ok
    reason: str

    def summary(self) -> str:
        if self.ok:
            if self.first_seq is None:
                return "journal intact: no entries yet"
            return (f"journal intact: {self.checked} entries verified (#{self.first_seq}..#{self.last_seq})"
                    + (f"; {self.reason}" if self.reason else ""))
        return f"journal BROKEN at entry #{self.broken_seq}: {self.reason} ({self.checked} entries verified before it)"


# --- hashing and masking ----------------------------------------------------------------

def entry_hash(seq: int, at_iso: str, kind: str, fields: dict, prev_hash: str) -> str:
    """sha256 over the canonical JSON of the entry; the one definition `record` and `verify` share."""
    canonical = json.dumps([seq, at_iso, kind, fields, prev_hash], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def mask_name(name: str) -> str:
    """`张三丰` -> `张**`: the family name only, like the receipts."""
    return name[:1] + "*" * (len(name) - 1)


def _one_line(text: str) -> str:
    """Controls become spaces and invisible format marks go, so an entry stays one printable line."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category in ("Cc", "Zl", "Zp") else char)
    return "".join(kept)


def _masked_text(text: str) -> str:
    # Redact before cutting: a cut through a mobile number would leave digits redact no longer sees.
    # The first cut only bounds the work; redaction keeps lengths, so the second cut is exact.
    return redact(_one_line(text[:MAX_TEXT * 2]))[:MAX_TEXT]


def sanitize_fields(fields: dict[str, object]) -> dict[str, FieldValue]:
    """The fields as they may be stored: checked, masked and bounded. Raises ValueError."""
    if len(fields) > MAX_FIELDS:
        raise ValueError(f"a journal entry holds at most {MAX_FIELDS} fields, got {len(fields)}")
    clean: dict[str, FieldValue] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME_SHAPE.fullmatch(name):
            raise ValueError(f"journal field name {name!r} must match [a-z][a-z0-9_]{{0,39}}")
        if name in REFUSED_FIELDS or name.endswith(_REFUSED_SUFFIXES):
            raise ValueError(f"journal field {name!r} is never journaled (secret or unmasked identifier)")
        clean[name] = _sanitize_value(name, value)
    return clean


def _sanitize_value(name: str, value: object) -> FieldValue:
    if value is None or isinstance(value, bool):
        return value
    if name == NAME_FIELD:
        if not isinstance(value, (str, int, float)):
            raise ValueError(f"journal field {name!r}: {type(value).__name__} is not a str, int, float, bool or None")
        return mask_name(_one_line(str(value))[:MAX_TEXT])
    if name == CARD_NUMBER_FIELD and isinstance(value, str):
        return value if "*" in value else mask_card_number(_one_line(value)[:MAX_TEXT])
    if isinstance(value, str):
        return _masked_text(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"journal field {name!r}: {value} is not a finite number")
        # A mobile or an ssn passed as a number is still one: store the masked text instead.
        as_text = str(value)
        masked = redact(as_text)
        return value if masked == as_text else masked[:MAX_TEXT]
    raise ValueError(f"journal field {name!r}: {type(value).__name__} is not a str, int, float, bool or None")


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or not _KIND_SHAPE.fullmatch(kind):
        raise ValueError(f"journal kind {kind!r} must match [a-z][a-z_.]{{1,47}}")
    return kind


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
        self._conn: sqlite3.Connection | None = self._open()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- opening ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        self._refuse_foreign_file()
        try:
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as error:
            raise JournalError(f"journal {self.path} cannot be opened: {error}") from None
        try:
            self._check_identity(conn)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal %s: could not switch to WAL (mode %s)", self.path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            # Appends touch the last pages only: a small page cache, not SQLite's 2 MiB that a
            # journal growing every session would fill page by page over months.
            conn.execute(f"PRAGMA cache_size = {-PAGE_CACHE_KIB}")
            present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not _SCHEMA_OBJECTS <= present:
                # Also puts back a trigger somebody dropped.
                conn.executescript(_SCHEMA)
        except JournalError:
            conn.close()
            raise
        except sqlite3.Error as error:
            conn.close()
            if _is_damage(error):
                raise JournalDamaged(f"journal {self.path} is damaged and cannot be read ({error})") from None
            raise JournalError(f"journal {self.path} cannot be used: {error}") from None
        return conn

    def _refuse_foreign_file(self) -> None:
        """Create a missing file with mode 0600; refuse one that is not SQLite before SQLite touches it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise JournalError(f"journal {self.path} is a directory, not a journal file")
            if not self.path.exists():
                # Created before SQLite opens it, so it is never readable by others; the
                # -wal and -shm files take the database file's mode.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
                return
            with open(self.path, "rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise JournalError(f"journal {self.path} cannot be opened: {error.strerror or error}") from None
        if header and header != _SQLITE_HEADER:   # an empty file is a journal not yet started
            # Every journal with entries starts with this header: the file was overwritten or damaged.
            raise JournalDamaged(f"{self.path} is damaged or not a kiosk journal (it does not start like an "
                                 "SQLite database file)")

    def _check_identity(self, conn: sqlite3.Connection) -> None:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
        if application_id != _APPLICATION_ID:
            if application_id != 0 or has_tables:
                raise JournalError(f"{self.path} is not a kiosk journal (an SQLite database holding other data)")
        elif version > _SCHEMA_VERSION:
            raise JournalError(f"journal {self.path} was written by a newer kiosk (format {version}, "
                               f"this one reads {_SCHEMA_VERSION})")

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
        head = _meta(conn, "head")
        newest = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        if newest is not None and (head is None or newest[0] > head[0]):
            return newest[0], newest[1]
        if head is not None:
            return head
        return _meta(conn, "anchor") or (0, GENESIS_HASH)

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
        problem = _ChainWalk(_meta(conn, "anchor")).first_problem(_rows(conn, through_seq=through + 1))
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
                return _meta(self._connection(), "anchor")
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
        try:
            reader = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as error:
            raise JournalError(f"journal {self.path} cannot be opened: {error}") from None
        try:
            reader.execute("BEGIN")   # the snapshot: meta and rows from the same moment
            return _verify(reader)
        except sqlite3.Error as error:
            raise JournalError(f"journal {self.path} cannot be read: {error}") from None
        finally:
            reader.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# --- verification -----------------------------------------------------------------------

class _ChainWalk:
    """Checks rows in seq order against the chain; the first problem is (seq, reason)."""

    def __init__(self, anchor: tuple[int, str] | None) -> None:
        self.anchor = anchor
        self.expected_seq, self.expected_prev = (anchor[0] + 1, anchor[1]) if anchor else (1, GENESIS_HASH)
        self.previous_seq: int | None = None
        self.checked = 0

    def first_problem(self, rows: Iterator[tuple]) -> tuple[int, str] | None:
        for row in rows:
            problem = self.check(*row)
            if problem is not None:
                return problem
        return None

    def check(self, seq: int, at_iso: object, kind: object, fields_json: object, prev_hash: object,
              stored_hash: object) -> tuple[int, str] | None:
        if seq < self.expected_seq:
            # Only the first row can be here, at or before the anchor: the anchor moved.
            # Anchor problems carry the anchor's seq, the entry it stands for.
            return self.expected_seq - 1, (f"the pruning anchor (entry #{self.expected_seq - 1}) was changed: "
                                           f"entry #{seq} is still in the journal")
        if seq > self.expected_seq:
            return self.expected_seq, _missing(self.expected_seq, seq - 1)
        if _content_hash(seq, at_iso, kind, fields_json, prev_hash) != stored_hash:
            return seq, f"entry #{seq} was changed after it was written"
        if prev_hash != self.expected_prev:
            # The row itself is consistent, so its link is authentic: what it links to changed.
            if self.previous_seq is not None:
                return self.previous_seq, (f"entry #{self.previous_seq} was changed after it was written "
                                           "(its hash was rewritten)")
            if self.anchor is not None:
                return self.anchor[0], (f"the pruning anchor (entry #{self.anchor[0]}) was changed: "
                                        f"entry #{seq} no longer links to it")
            return seq, f"entry #{seq} was changed after it was written (it does not start the chain)"
        self.checked += 1
        self.expected_seq, self.expected_prev, self.previous_seq = seq + 1, stored_hash, seq
        return None


def _verify(conn: sqlite3.Connection) -> JournalVerification:
    first_seq, last_seq = conn.execute("SELECT MIN(seq), MAX(seq) FROM journal").fetchone()

    def result(problem: tuple[int, str] | None, checked: int, note: str = "") -> JournalVerification:
        if problem is None:
            return JournalVerification(True, checked, first_seq, last_seq, None, note)
        return JournalVerification(False, checked, first_seq, last_seq, problem[0], problem[1])

    try:
        anchor = _meta(conn, "anchor", strict=True)
        head = _meta(conn, "head", strict=True)
    except ValueError as damaged:
        return result((first_seq or 1, str(damaged)), 0)

    walk = _ChainWalk(anchor)
    try:
        problem = walk.first_problem(_rows(conn)) or _head_problem(walk, head)
    except sqlite3.DatabaseError as error:
        problem = walk.expected_seq, f"the journal file is damaged from entry #{walk.expected_seq} on ({error})"
    # An anchor moved forward over entries removed behind the journal's back leaves an
    # intact-looking chain; the last prune entry says where the anchor really is. That
    # problem lies at or before the anchor, so it comes first when it can be trusted.
    anchor_problem = _anchor_problem(conn, anchor, problem)
    if anchor_problem is not None:
        return result(anchor_problem, walk.checked)
    if problem is not None:
        return result(problem, walk.checked)
    note = f"entries up to #{anchor[0]} were pruned" if anchor else ""
    return result(None, walk.checked, note)


def _head_problem(walk: _ChainWalk, head: tuple[int, str] | None) -> tuple[int, str] | None:
    """After a clean walk: does the chain end where the last append left it?"""
    end_seq, end_hash = walk.expected_seq - 1, walk.expected_prev
    if head is None:
        if walk.checked:
            return end_seq, "the journal's head record is missing (it was removed behind the journal's back)"
        return None
    if head[0] > end_seq:
        return end_seq + 1, _missing(end_seq + 1, head[0]) + " from the end"
    if head[0] < end_seq:
        return head[0] + 1, f"entry #{head[0] + 1} was not written by the journal (it lies beyond the recorded head)"
    if head[1] != end_hash:
        return end_seq, f"entry #{end_seq} was changed after it was written (it no longer matches the recorded head)"
    return None


def _anchor_problem(conn: sqlite3.Connection, anchor: tuple[int, str] | None,
                    chain_problem: tuple[int, str] | None) -> tuple[int, str] | None:
    if anchor is None:
        return None
    row = conn.execute("SELECT seq, fields_json FROM journal WHERE kind = ? ORDER BY seq DESC LIMIT 1",
                       (JOURNAL_PRUNED,)).fetchone()
    if chain_problem is not None and (row is None or row[0] >= chain_problem[0]):
        return None   # the prune entry is missing or unverified: the chain problem is the one to report
    if row is None:
        return anchor[0], f"entries up to #{anchor[0]} were removed, but no pruning is recorded"
    try:
        fields = json.loads(row[1])
        recorded = (fields["through_seq"], fields["through_hash"])
    except (ValueError, TypeError, KeyError):
        recorded = None
    if recorded != anchor:
        return anchor[0], (f"the pruning anchor (entry #{anchor[0]}) was changed: it does not match the last "
                           "prune the journal recorded")
    return None


def _missing(first: int, last: int) -> str:
    return f"entry #{first} is missing" if first == last else f"entries #{first}..#{last} are missing"


def _content_hash(seq: int, at_iso: object, kind: object, fields_json: object, prev_hash: object) -> str | None:
    """The hash the row's content calls for, or None when the content cannot be read at all."""
    if not (isinstance(at_iso, str) and isinstance(kind, str) and isinstance(fields_json, str)
            and isinstance(prev_hash, str)):
        return None
    try:
        fields = json.loads(fields_json)
        if not isinstance(fields, dict):
            return None
        return entry_hash(seq, at_iso, kind, fields, prev_hash)
    except ValueError:   # bad JSON, NaN in an edited row
        return None


def _rows(conn: sqlite3.Connection, *, through_seq: int | None = None) -> Iterator[tuple]:
    if through_seq is None:
        return conn.execute("SELECT seq, at, kind, fields_json, prev_hash, hash FROM journal ORDER BY seq")
    return conn.execute("SELECT seq, at, kind, fields_json, prev_hash, hash FROM journal WHERE seq <= ? "
                        "ORDER BY seq", (through_seq,))


def _meta(conn: sqlite3.Connection, name: str, *, strict: bool = False) -> tuple[int, str] | None:
    row = conn.execute("SELECT seq, hash FROM journal_meta WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    seq, digest = row
    if not (isinstance(seq, int) and seq >= 0 and isinstance(digest, str) and _HASH_SHAPE.fullmatch(digest)):
        if strict:
            raise ValueError(f"the journal's {'pruning anchor' if name == 'anchor' else name + ' record'} is damaged")
        return None
    return seq, digest


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
