"""SQLite access: one connection per request or thread, schema migrations by user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 15000

# Each entry moves the schema from version i to i+1; never edit a released entry,
# append a new one (PRAGMA user_version records how far a database has come).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE areas (
        code TEXT PRIMARY KEY,
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('province', 'city')),
        province_code TEXT NOT NULL,
        pension_pooling TEXT NOT NULL CHECK (pension_pooling IN ('provincial', 'city'))
    );
    CREATE TABLE employers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        area_code TEXT NOT NULL REFERENCES areas(code),
        credit_code TEXT NOT NULL UNIQUE
    );
    CREATE TABLE citizens (
        id INTEGER PRIMARY KEY,
        ssn TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        sex TEXT NOT NULL CHECK (sex IN ('M', 'F', 'U')),
        birth_date TEXT NOT NULL,
        personal_number TEXT NOT NULL UNIQUE,
        insured_area TEXT NOT NULL REFERENCES areas(code),
        payer_kind TEXT NOT NULL CHECK (payer_kind IN ('employer', 'personal')),
        contribution_grade TEXT,
        retired INTEGER NOT NULL DEFAULT 0,
        mobile TEXT
    );
    CREATE TABLE cards (
        card_number TEXT PRIMARY KEY,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        card_id_code TEXT NOT NULL UNIQUE,
        pin_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('normal', 'lost')),
        pin_tries_left INTEGER NOT NULL,
        issued_on TEXT NOT NULL,
        expires_on TEXT NOT NULL
    );
    CREATE INDEX cards_by_citizen ON cards(citizen_id);
    CREATE TABLE enrolments (
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        insurance_type TEXT NOT NULL,
        status TEXT NOT NULL,
        pooling_area TEXT NOT NULL REFERENCES areas(code),
        payer_kind TEXT NOT NULL,
        contribution_grade TEXT,
        PRIMARY KEY (citizen_id, insurance_type)
    );
    CREATE TABLE contributions (
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        period TEXT NOT NULL,
        insurance_type TEXT NOT NULL,
        employer_id INTEGER REFERENCES employers(id),
        area_code TEXT NOT NULL REFERENCES areas(code),
        payer_kind TEXT NOT NULL,
        base_fen INTEGER NOT NULL,
        employer_fen INTEGER NOT NULL,
        personal_fen INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('paid', 'owed', 'deferred')),
        PRIMARY KEY (citizen_id, insurance_type, period)
    );
    CREATE TABLE pension_transfers (
        id TEXT PRIMARY KEY,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        from_area TEXT NOT NULL REFERENCES areas(code),
        to_area TEXT NOT NULL REFERENCES areas(code),
        contact_mobile TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason_zh TEXT,
        status_reason_en TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX transfers_by_citizen ON pension_transfers(citizen_id);
    CREATE TABLE transfer_steps (
        transfer_id TEXT NOT NULL REFERENCES pension_transfers(id),
        step TEXT NOT NULL,
        started_on TEXT,
        completed_on TEXT,
        PRIMARY KEY (transfer_id, step)
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        terminal_id TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_used_at REAL NOT NULL
    );
    CREATE TABLE nonces (
        terminal_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at REAL NOT NULL,
        PRIMARY KEY (terminal_id, nonce)
    );
    CREATE INDEX nonces_by_age ON nonces(seen_at);
    CREATE TABLE idempotency_keys (
        operation TEXT NOT NULL,
        citizen_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        resource_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (operation, citizen_id, key)
    );
    CREATE TABLE certificates (
        number TEXT PRIMARY KEY,
        verification_code TEXT NOT NULL UNIQUE,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        kind TEXT NOT NULL,
        period_from TEXT NOT NULL,
        period_to TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        content_json TEXT NOT NULL,
        terminal_id TEXT NOT NULL
    );
    CREATE TABLE ecard_codes (
        code_id TEXT PRIMARY KEY,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        issued_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX ecard_codes_by_citizen ON ecard_codes(citizen_id);
    CREATE TABLE terminal_heartbeats (
        terminal_id TEXT PRIMARY KEY,
        received_at TEXT NOT NULL,
        payload_json TEXT NOT NULL
    );
    """,
    # Submission grants: a terminal's outbox may still deliver a citizen's submission after the
    # session ended (crash, network outage); the grant proves the citizen was identified there.
    """
    CREATE TABLE submission_grants (
        grant_hash TEXT PRIMARY KEY,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        terminal_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX submission_grants_by_expiry ON submission_grants(expires_at);
    """,
    # Grants become keys scoped per submission (the server recomputes the HMAC, so it keeps the key
    # until expiry); the unscoped grants of version 2 are dropped. E-card codes are single use;
    # a certificate can be revoked by staff.
    """
    DROP TABLE submission_grants;
    CREATE TABLE submission_grants (
        grant_id TEXT PRIMARY KEY,
        grant_key TEXT NOT NULL,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        terminal_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX submission_grants_by_expiry ON submission_grants(expires_at);
    ALTER TABLE ecard_codes ADD COLUMN used_at REAL;
    ALTER TABLE certificates ADD COLUMN revoked_at TEXT;
    """,
]


def connect(db_path: Path) -> sqlite3.Connection:
    # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE where a
    # read decides a write), so nothing is left half-open by the sqlite3 module.
    # check_same_thread=False: FastAPI may run a request's dependency and handler on
    # different worker threads, but a connection is still used by one request only.
    conn = sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


@contextmanager
def connection(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(db_path)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE takes the write lock up front, so read-then-write is atomic."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(db_path: Path) -> int:
    """Bring the schema up to date; returns the resulting user_version."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with connection(db_path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        with write_transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for index in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[index]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {index + 1}")
            return conn.execute("PRAGMA user_version").fetchone()[0]


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction, so run statement by statement.
    return [part.strip() for part in script.split(";") if part.strip()]
