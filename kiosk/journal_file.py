"""The journal's SQLite file: creating it private, refusing a foreign or damaged one, and its schema.

Append-only in the database itself: triggers abort any UPDATE, and any DELETE unless
`Journal.prune` has opened its gate inside its own transaction (the gate row is never
committed, so no other connection ever sees it open). A missing trigger is put back
at the next open.

Durability: WAL with synchronous=FULL, so an entry is on disk when its transaction
commits. Other processes (the `kiosk journal` command while the kiosk runs) open
their own connection and appends serialise on BEGIN IMMEDIATE, waiting up to
BUSY_TIMEOUT_S.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

# The journal's own logger name, whichever module writes the line.
log = logging.getLogger("kiosk.journal")

BUSY_TIMEOUT_S = 10.0
PAGE_CACHE_KIB = 256

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


def open_journal_file(path: Path) -> sqlite3.Connection:
    """The journal's write connection, shareable between threads (the caller holds a lock), schema in place."""
    _refuse_foreign_file(path)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as error:
        raise JournalError(f"journal {path} cannot be opened: {error}") from None
    try:
        _check_identity(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("journal %s: could not switch to WAL (mode %s)", path, mode)
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
            raise JournalDamaged(f"journal {path} is damaged and cannot be read ({error})") from None
        raise JournalError(f"journal {path} cannot be used: {error}") from None
    return conn


def open_reader(path: Path) -> sqlite3.Connection:
    """A connection of its own for a long read, so appends from other threads go on meanwhile."""
    try:
        return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as error:
        raise JournalError(f"journal {path} cannot be opened: {error}") from None


def _refuse_foreign_file(path: Path) -> None:
    """Create a missing file with mode 0600; refuse one that is not SQLite before SQLite touches it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise JournalError(f"journal {path} is a directory, not a journal file")
        if not path.exists():
            # Created before SQLite opens it, so it is never readable by others; the
            # -wal and -shm files take the database file's mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            return
        with open(path, "rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise JournalError(f"journal {path} cannot be opened: {error.strerror or error}") from None
    if header and header != _SQLITE_HEADER:   # an empty file is a journal not yet started
        # Every journal with entries starts with this header: the file was overwritten or damaged.
        raise JournalDamaged(f"{path} is damaged or not a kiosk journal (it does not start like an "
                             "SQLite database file)")


def _check_identity(conn: sqlite3.Connection, path: Path) -> None:
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
    if application_id != _APPLICATION_ID:
        if application_id != 0 or has_tables:
            raise JournalError(f"{path} is not a kiosk journal (an SQLite database holding other data)")
    elif version > _SCHEMA_VERSION:
        raise JournalError(f"journal {path} was written by a newer kiosk (format {version}, "
                           f"this one reads {_SCHEMA_VERSION})")
