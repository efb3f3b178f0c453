"""Nothing a citizen submitted is lost: a durable outbox for state-changing back-office requests.

A pension-transfer application or a certificate issue is written to SQLite and
committed (synchronous=FULL) *before* the network call, under its idempotency key.
`OutboxSender.deliver` then sends it; when the answer is lost (timeout, back office
down, the kiosk killed mid-call) the entry stays pending and the sender's thread
retries it, after a restart too, with the same key, so the back office creates the
application once and answers the retries with the same resource. Retries use the
session's submission grant (the citizen has usually left by then).

Only a business refusal of the submission itself ends it (`KioskError.refuses_submission`).
A refusal of the terminal (credentials, clock, a gateway) or of the grant keeps it pending:
it is retried with backoff and counted as "held" for the technician and the heartbeat
until staff mend the terminal (docs/operator-guide.md).

The payload (with the contact mobile) stays on disk only until the back office
confirms or refuses; then it and the grant are scrubbed and only references are kept
(the kind, the citizen's R- reference, the application id or certificate number),
and finished rows are pruned after a while.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.contract import signing
from kiosk.errors import CREDENTIAL_REFUSAL_CODES, TERMINAL_REFUSAL_CODES, ErrorKind, KioskError

log = logging.getLogger("kiosk.outbox")

PENSION_TRANSFER = "pension_transfer"
CERTIFICATE = "certificate"
KINDS = (PENSION_TRANSFER, CERTIFICATE)

PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"

# Finished rows hold references only; confirmed ones go after a week, refused ones stay
# longer because staff may need the reference to help the citizen.
KEEP_CONFIRMED_S = 7 * 24 * 3600
KEEP_REJECTED_S = 90 * 24 * 3600
# What a finished row keeps of the back office's answer: references, never content.
_RESULT_REFERENCES = ("id", "number", "status", "valid_until")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    grant TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    result_json TEXT,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(status, next_attempt_at);
"""


class OutboxError(Exception):
    """The outbox file cannot be used (the kiosk must not accept submissions then)."""


def reference_for(key: str) -> str:
    """A short reference a citizen can read out on the phone: R-XXXX-XXXX (base32, no 0/1 confusion)."""
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return f"R-{digest[:4]}-{digest[4:8]}"


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    kind: str
    reference: str
    payload: dict = field(repr=False)
    grant: str = field(repr=False)
    status: str = PENDING
    attempts: int = 0
    created_at: float = 0.0
    next_attempt_at: float = 0.0
    last_error: str = ""
    result: dict | None = field(default=None, repr=False)

    def summary(self) -> dict[str, object]:
        """What a technician or the journal may see: no payload, no grant."""
        return {"reference": self.reference, "kind": self.kind, "status": self.status, "attempts": self.attempts,
                "created_at": self.created_at, "last_error": self.last_error}


class Outbox:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time,
                 keep_confirmed_s: float = KEEP_CONFIRMED_S, keep_rejected_s: float = KEEP_REJECTED_S) -> None:
        self.path = Path(path)
        self._clock = clock
        self._keep_confirmed_s = keep_confirmed_s
        self._keep_rejected_s = keep_rejected_s
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=10)
            if fresh:
                os.chmod(self.path, 0o600)   # it holds contact numbers until they are delivered
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA cache_size = -256")   # 256 KiB: a kiosk runs for months
            self._conn.execute("PRAGMA secure_delete = ON")   # scrubbed payloads leave no old bytes behind
            self._conn.executescript(_SCHEMA)
            self._scrub_finished()
        except (OSError, sqlite3.DatabaseError) as error:
            raise OutboxError(f"outbox {self.path} cannot be used: {error}") from None

    def _scrub_finished(self) -> None:
        """Files written before results were cut to references: cut them now, then prune."""
        with self._lock:
            rows = self._conn.execute("SELECT key, result_json FROM outbox WHERE result_json IS NOT NULL").fetchall()
            for row in rows:
                kept = _references(json.loads(row["result_json"]))
                if json.dumps(kept, ensure_ascii=False) != row["result_json"]:
                    self._conn.execute("UPDATE outbox SET result_json = ? WHERE key = ?",
                                       (json.dumps(kept, ensure_ascii=False), row["key"]))
        self.prune()

    def prune(self) -> int:
        """Delete finished rows past their keep time; returns how many went."""
        now = self._clock()
        with self._lock:
            gone = self._conn.execute(
                "DELETE FROM outbox WHERE (status = 'confirmed' AND finished_at < ?)"
                " OR (status = 'rejected' AND finished_at < ?)",
                (now - self._keep_confirmed_s, now - self._keep_rejected_s)).rowcount
            if gone:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone
    def add(self, kind: str, key: str, payload: dict, grant: str) -> OutboxEntry:
        """Committed to disk when this returns. The same key again returns the existing entry."""
        if kind not in KINDS:
            raise ValueError(f"unknown outbox kind {kind!r}")
        now = self._clock()
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO outbox (key, kind, reference, payload_json, grant, status, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                (key, kind, reference_for(key), json.dumps(payload, ensure_ascii=False), grant or "", now, now))
        return self.get(key)

    def get(self, key: str) -> OutboxEntry | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM outbox WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row is not None else None

    def pending(self, *, due_by: float | None = None) -> list[OutboxEntry]:
        """Pending entries, oldest first; with `due_by`, only those whose retry time has come."""
        query = "SELECT * FROM outbox WHERE status = 'pending'"
        params: tuple = ()
        if due_by is not None:
            query += " AND next_attempt_at <= ?"
            params = (due_by,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY created_at, key", params).fetchall()
        return [_entry(row) for row in rows]

    def next_due_at(self) -> float | None:
        with self._lock:
            row = self._conn.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'").fetchone()
        return row[0]

    def depth(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]

    def held(self) -> list[OutboxEntry]:
        """Pending entries whose last attempt was refused for the terminal or the grant: staff must act."""
        codes = sorted(TERMINAL_REFUSAL_CODES | CREDENTIAL_REFUSAL_CODES)
        marks = ", ".join("?" * len(codes))
        with self._lock:
            rows = self._conn.execute(f"SELECT * FROM outbox WHERE status = 'pending' AND last_error IN ({marks})"
                                      " ORDER BY created_at, key", codes).fetchall()
        return [_entry(row) for row in rows]

    def recent(self, limit: int = 50) -> list[OutboxEntry]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?",
                                      (max(1, min(limit, 1000)),)).fetchall()
        return [_entry(row) for row in rows]

    def attempt_failed(self, key: str, error: str, retry_at: float) -> None:
        with self._lock:
            self._conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                               " WHERE key = ? AND status = 'pending'", (error[:200], retry_at, key))

    def confirmed(self, key: str, result: dict) -> None:
        self._finish(key, CONFIRMED, "", _references(result))

    def rejected(self, key: str, error: str) -> None:
        self._finish(key, REJECTED, error, None)

    def _finish(self, key: str, status: str, error: str, result: dict | None) -> None:
        # The payload and the grant are not needed any more: keep only the outcome.
        with self._lock:
            self._conn.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, result_json = ?,"
                " payload_json = '{}', grant = '', finished_at = ? WHERE key = ? AND status = 'pending'",
                (status, error[:200], json.dumps(result, ensure_ascii=False) if result is not None else None,
                 self._clock(), key))
            # The write-ahead log still holds the page with the payload until a checkpoint.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.prune()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _references(result: dict) -> dict:
    """The back office's answer cut to what identifies it (no name, ssn, employers, bases, codes)."""
    return {name: result[name] for name in _RESULT_REFERENCES
            if isinstance(result.get(name), (str, int)) and not isinstance(result.get(name), bool)}


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(key=row["key"], kind=row["kind"], reference=row["reference"],
                       payload=json.loads(row["payload_json"] or "{}"), grant=row["grant"], status=row["status"],
                       attempts=row["attempts"], created_at=row["created_at"],
                       next_attempt_at=row["next_attempt_at"], last_error=row["last_error"],
                       result=json.loads(row["result_json"]) if row["result_json"] else None)


# --- delivery -------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """The outcome of one delivery: confirmed with the back office's resource, deferred, or refused."""

    status: str                       # CONFIRMED | PENDING (deferred, will be retried) | REJECTED
    entry: OutboxEntry
    # models.PensionTransfer | models.Certificate when this call confirmed it; None when it was
    # confirmed earlier (the outbox keeps references only: ask the back office again by key).
    resource: object | None = None
    error: KioskError | None = None


class CrashTestPoints:
    """Named points where a crash test may hold the process so it can be killed there (SIGKILL).

    Off unless KIOSK_CRASH_TEST_PAUSE names points; held until the file `continue-<point>`
    appears in KIOSK_CRASH_TEST_DIR (or for ever, for the kill).
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self._points = {name for name in environ.get("KIOSK_CRASH_TEST_PAUSE", "").split(",") if name}
        self._directory = Path(environ.get("KIOSK_CRASH_TEST_DIR", "."))

    def reached(self, point: str) -> None:
        if point not in self._points:
            return
        print(f"CRASH-TEST PAUSED {point}", flush=True)
        release = self._directory / f"continue-{point}"
        while not release.exists():
            time.sleep(0.05)


class OutboxSender:
    """Delivers outbox entries: at once for the citizen waiting, and from a thread until confirmed."""

    def __init__(self, outbox: Outbox, client: Callable[[], object], *, retry_interval_s: float = 15.0,
                 max_backoff_s: float = 600.0, record: Callable[..., object] = lambda kind, **fields: None,
                 crash_points: CrashTestPoints | None = None, clock: Callable[[], float] = time.time,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.outbox = outbox
        self._client = client
        self._retry_interval_s = retry_interval_s
        self._max_backoff_s = max_backoff_s
        self._record = record
        self._crash_points = crash_points or CrashTestPoints({})
        self._clock = clock
        self._on_change = on_change
        self._key_locks: dict[str, tuple[threading.Lock, int]] = {}
        self._key_locks_guard = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the citizen's submission ----------------------------------------------------------
    def submit(self, kind: str, key: str, payload: dict, grant: str) -> Delivery:
        """Commit, then try once. PENDING means: accepted by this terminal, will be sent.

        `grant` is the session's grant key; only a grant scoped to this one submission (its
        route and idempotency key) is written to disk."""
        entry = self.outbox.add(kind, key, payload, scoped_grant(kind, key, grant))
        self._safe_record("submission.queued", submission=kind, key=key, reference=entry.reference)
        self._crash_points.reached("submission.committed")
        self._on_change()
        # One attempt without retries inside the call: the citizen is waiting, the thread retries.
        return self.deliver(key, once=True)

    def deliver(self, key: str, *, once: bool = False) -> Delivery:
        with self._locked(key):
            entry = self.outbox.get(key)
            if entry is None:
                raise KeyError(key)
            if entry.status == CONFIRMED:
                return Delivery(CONFIRMED, entry)
            if entry.status == REJECTED:
                return Delivery(REJECTED, entry, error=KioskError(ErrorKind.BACKOFFICE_REJECTED, entry.last_error))
            return self._attempt(entry, once=once)

    def _attempt(self, entry: OutboxEntry, *, once: bool = False) -> Delivery:
        try:
            resource = self._send(entry, once=once)
        except KioskError as error:
            if not error.refuses_submission:
                if error.terminal_refused or error.credential_refused:
                    # Not the citizen's fault and not the submission's: keep it, tell staff.
                    log.error("submission %s held: the back office refused %s (%s)", entry.reference,
                              "the terminal" if error.terminal_refused else "its grant", error.code)
                    self._safe_record("submission.held", submission=entry.kind, key=entry.key,
                                      reference=entry.reference, code=error.code)
                return self._deferred(entry, error)
            self.outbox.rejected(entry.key, error.code)
            self._safe_record("submission.rejected", submission=entry.kind, key=entry.key, reference=entry.reference,
                              code=error.code)
            self._on_change()
            return Delivery(REJECTED, self.outbox.get(entry.key), error=error)
        except Exception as error:  # a link not built yet, or a bug: keep the entry and try again later
            log.exception("outbox delivery of %s failed unexpectedly", entry.reference)
            return self._deferred(entry, KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "link_unavailable",
                                                    type(error).__name__))
        self._crash_points.reached("submission.answered")
        # Journal first: a crash between the two repeats the entry on the replay, it never loses it.
        self._safe_record("submission.confirmed", submission=entry.kind, key=entry.key, reference=entry.reference,
                          resource=_resource_id(resource), attempts=entry.attempts + 1)
        self.outbox.confirmed(entry.key, resource.model_dump(mode="json"))   # references only
        self._crash_points.reached("submission.confirmed")
        self._on_change()
        return Delivery(CONFIRMED, self.outbox.get(entry.key), resource)

    def _deferred(self, entry: OutboxEntry, error: KioskError) -> Delivery:
        delay = min(self._max_backoff_s, self._retry_interval_s * 2 ** min(entry.attempts, 16))
        self.outbox.attempt_failed(entry.key, error.code, self._clock() + delay)
        self._safe_record("submission.deferred", submission=entry.kind, key=entry.key, reference=entry.reference,
                          code=error.code, attempts=entry.attempts + 1)
        self._wake_later()
        return Delivery(PENDING, self.outbox.get(entry.key), error=error)

    def _send(self, entry: OutboxEntry, *, once: bool = False):
        client, payload = self._client(), entry.payload
        if entry.kind == PENSION_TRANSFER:
            return client.apply_pension_transfer("", payload["from_region"], payload["contact_mobile"],
                                                 idempotency_key=entry.key, grant=entry.grant, once=once)
        return client.issue_certificate("", payload["kind"], payload["period_from"], payload["period_to"],
                                        idempotency_key=entry.key, grant=entry.grant, once=once)

    # --- background retries ----------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Try the pending entries now (the back office came back)."""
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            # After a restart everything pending is due at once: the answers may have been lost.
            due = self.outbox.pending(due_by=None if first else self._clock())
            first = False
            for entry in due:
                if self._stop.is_set():
                    return
                try:
                    self.deliver(entry.key)
                except Exception:
                    log.exception("outbox retry of %s failed", entry.reference)
            next_due = self.outbox.next_due_at()
            wait_s = 30.0 if next_due is None else min(30.0, max(0.2, next_due - self._clock()))
            self._wake.wait(wait_s)
            self._wake.clear()

    def _wake_later(self) -> None:
        # The retry loop recomputes its wait from the new next_attempt_at.
        self._wake.set()

    @contextlib.contextmanager
    def _locked(self, key: str):
        """One delivery of a key at a time; the lock goes when nobody holds or waits for it
        (a lock kept per key would grow with every submission the terminal ever made)."""
        with self._key_locks_guard:
            lock, users = self._key_locks.get(key, (None, 0))
            lock = lock or threading.Lock()
            self._key_locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._key_locks_guard:
                lock, users = self._key_locks[key]
                if users <= 1:
                    del self._key_locks[key]
                else:
                    self._key_locks[key] = (lock, users - 1)

    def _safe_record(self, entry_kind: str, **fields) -> None:
        try:
            self._record(entry_kind, **fields)
        except Exception:
            log.exception("journal entry %s not written", entry_kind)


SUBMISSION_PATHS = {PENSION_TRANSFER: "/v1/me/pension-transfers", CERTIFICATE: "/v1/me/certificates"}


def scoped_grant(kind: str, key: str, grant_key: str) -> str:
    """The grant for this one submission (its route and idempotency key), derived from the session's."""
    if not grant_key:
        return ""
    return signing.submission_grant(grant_key, "POST", SUBMISSION_PATHS[kind], key)


def _resource_id(resource) -> str:
    return str(getattr(resource, "id", None) or getattr(resource, "number", ""))
