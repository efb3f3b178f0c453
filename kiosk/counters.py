"""Statistics counters that survive restarts (cards read, receipts, paper-outs, certificates...).

One SQLite table of (scope, name, value). A device's counters live in the scope of its
class ("card_reader", "receipt_printer"...): `attach()` loads the stored values into the
device's in-memory `Statistics` and then writes every later change through, so the
device keeps counting exactly as before and the store only listens. Kiosk-level
counters (scope "kiosk": sessions_card, certificates_issued...) are bumped with
`increment()`. Counters only go up; `reset()` and `paper_replaced()` are the explicit
ways down, and they return the values before so the caller can journal them.

Counters are figures for technicians and the fleet view, never personal data.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from devices.base import Device
from devices.model import DeviceClass

log = logging.getLogger("kiosk.counters")

KIOSK_SCOPE = "kiosk"
MAX_FLAT_ENTRIES = 64   # Heartbeat.counters holds at most 64 entries...
MAX_FLAT_KEY = 64       # ...with keys of at most 64 characters ("scope.name")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
BUSY_TIMEOUT_S = 5.0
SCHEMA_VERSION = 1

# What `paper_replaced` zeroes, per printer class. The printed count goes too: after a
# new roll or a refilled tray, "printed since the paper was replaced" is what tells a
# technician when the next paper-out is due, and paper-outs/jams per roll tell a bad roll
# from a bad mechanism. Lifetime totals are not lost: the reset returns the values before,
# and the caller journals them. print_errors and cover_opens are not about paper: kept.
PAPER_COUNTERS: Mapping[str, tuple[str, ...]] = {
    DeviceClass.RECEIPT_PRINTER.value: ("paper_outs", "jams", "receipts_printed"),
    DeviceClass.DOCUMENT_PRINTER.value: ("paper_outs", "jams", "documents_printed"),
}


class CounterStoreError(Exception):
    """The counter file cannot be used (not a database, damaged, or another schema)."""


class CounterStore:
    """Persisted name/value counters per scope; safe to use from any thread."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.RLock()
        self._devices: dict[str, Device] = {}
        self._unsubscribes: list[Callable[[], None]] = []
        self._warned_too_many = False
        self._conn = self._open()

    @property
    def path(self) -> Path:
        return self._path

    # --- lifecycle ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # One connection shared by device threads, serialised by self._lock.
            conn = sqlite3.connect(str(self._path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as error:
            raise CounterStoreError(f"counter store {self._path}: cannot open ({error})") from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a power cut loses at most the last bumps
            conn.execute("PRAGMA cache_size = -256")     # 256 KiB page cache: bounded memory over months
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CounterStoreError(f"counter store {self._path} is damaged ({str(check)[:120]}); "
                                        "move it aside to start counting afresh")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise CounterStoreError(f"counter store {self._path} has schema {version}, newer than this "
                                        f"kiosk's {SCHEMA_VERSION}")
            conn.execute("CREATE TABLE IF NOT EXISTS counters (scope TEXT NOT NULL, name TEXT NOT NULL,"
                         " value INTEGER NOT NULL CHECK (value >= 0), PRIMARY KEY (scope, name))")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("SELECT scope, name, value FROM counters LIMIT 1").fetchall()
        except CounterStoreError:
            conn.close()
            raise
        except sqlite3.Error as error:
            conn.close()
            raise CounterStoreError(f"counter store {self._path} is not usable ({error}); "
                                    "move it aside to start counting afresh") from None
        return conn

    def close(self) -> None:
        """Stop listening to the attached devices and close the file; safe to call twice."""
        with self._lock:
            unsubscribes, self._unsubscribes = self._unsubscribes, []
            self._devices.clear()
        for unsubscribe in unsubscribes:  # outside our lock: see "Lock order" in attach()
            unsubscribe()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "CounterStore":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- devices -----------------------------------------------------------------------

    def attach(self, devices: Iterable[Device]) -> None:
        """Give each device its stored counters back, then persist every change it makes.

        Call before the devices start working: anything a device counted before attach is
        added to the stored values.

        Lock order: a device's Statistics calls our listener while holding its own lock,
        and the listener takes ours; so this class never calls into a device's Statistics
        while holding its lock (that would be the reverse order, and a deadlock).
        """
        for device in devices:
            scope = device.device_class.value
            with self._lock:
                if scope in self._devices:
                    raise ValueError(f"a {scope} is already attached ({self._devices[scope].name})")
                self._devices[scope] = device
                stored = self._scope_values(scope)
            unsubscribe = device.statistics.subscribe(self._listener_for(scope))
            with self._lock:
                self._unsubscribes.append(unsubscribe)
            counted = device.statistics.snapshot()
            # Restoring notifies the listener just subscribed, which writes the merged values.
            device.statistics.restore({name: stored.get(name, 0) + counted.get(name, 0)
                                       for name in stored.keys() | counted.keys()})

    def _listener_for(self, scope: str) -> Callable[[str, int], None]:
        def persist(name: str, value: int) -> None:
            if self._conn is None:
                return  # closed while the kiosk shuts down: the device may still count
            if not _valid_name(name) or value < 0:
                log.warning("counter %s.%s not persisted (bad name or negative value)", scope, name[:64])
                return
            self._write(scope, {name: value})
        return persist

    # --- counting ----------------------------------------------------------------------

    def increment(self, scope: str, name: str, by: int = 1) -> int:
        """Add `by` (>= 0) to a counter; returns the new value.

        For the scope of an attached device this counts on the device itself, so its
        in-memory statistics and the file never disagree.
        """
        _check_key(scope, name)
        if by < 0:
            raise ValueError("counters only go up; use reset()")
        with self._lock:
            device = self._devices.get(scope)
        if device is not None:  # counted outside our lock (see attach)
            device.statistics.increment(name, by)
            return device.statistics.snapshot().get(name, 0)
        with self._lock:
            conn = self._connection()
            try:
                row = conn.execute("INSERT INTO counters (scope, name, value) VALUES (?, ?, ?)"
                                   " ON CONFLICT(scope, name) DO UPDATE SET value = value + excluded.value"
                                   " RETURNING value", (scope, name, by)).fetchone()
            except sqlite3.Error as error:
                raise CounterStoreError(f"counter store {self._path}: {error}") from None
            return int(row[0])

    def snapshot(self) -> dict[str, dict[str, int]]:
        """{scope: {name: value}}, sorted."""
        result: dict[str, dict[str, int]] = {}
        for scope, name, value in self._rows():
            result.setdefault(scope, {})[name] = value
        return result

    def flat(self) -> dict[str, int]:
        """{"scope.name": value} for the heartbeat: at most 64 entries, keys at most 64 characters."""
        flat = {f"{scope}.{name}": value for scope, name, value in self._rows()
                if len(scope) + 1 + len(name) <= MAX_FLAT_KEY}
        if len(flat) > MAX_FLAT_ENTRIES:
            if not self._warned_too_many:  # once, not at every heartbeat
                self._warned_too_many = True
                log.warning("%d counters, the heartbeat carries the first %d", len(flat), MAX_FLAT_ENTRIES)
            flat = dict(list(flat.items())[:MAX_FLAT_ENTRIES])
        return flat

    # --- resets ------------------------------------------------------------------------

    def reset(self, scope: str, names: Iterable[str] | None = None) -> dict[str, int]:
        """Zero counters of `scope` (all of them when `names` is None); returns the values before."""
        chosen = None if names is None else tuple(names)
        for name in chosen or ():
            _check_key(scope, name)
        with self._lock:
            device = self._devices.get(scope)
            stored = self._scope_values(scope)
        if chosen is None:
            counted = device.statistics.snapshot() if device is not None else {}
            chosen = tuple(sorted(stored.keys() | counted.keys()))
        if device is not None:
            # Outside our lock (see attach); the device's reset notifies our listener, which
            # writes the zeros, and reports the values before atomically.
            before = device.statistics.reset(chosen)
        else:
            with self._lock:
                stored = self._scope_values(scope)
                before = {name: stored.get(name, 0) for name in chosen}
                self._write(scope, {name: 0 for name in chosen})
        if any(before.values()):
            log.info("counters reset in %s: %s", scope,
                     ", ".join(f"{name} {value}" for name, value in before.items()))
        return before

    def paper_replaced(self, scope: str) -> dict[str, int]:
        """A new roll or a refilled tray: zero that printer's paper counters (see PAPER_COUNTERS)."""
        if scope not in PAPER_COUNTERS:
            raise ValueError(f"{scope!r} is not a printer scope ({', '.join(PAPER_COUNTERS)})")
        return self.reset(scope, PAPER_COUNTERS[scope])

    # --- storage -----------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise CounterStoreError(f"counter store {self._path} is closed")
        return self._conn

    def _scope_values(self, scope: str) -> dict[str, int]:
        return {name: value for row_scope, name, value in self._rows(scope) if row_scope == scope}

    def _rows(self, scope: str | None = None) -> list[tuple[str, str, int]]:
        with self._lock:
            conn = self._connection()
            try:
                if scope is None:
                    rows = conn.execute("SELECT scope, name, value FROM counters ORDER BY scope, name").fetchall()
                else:
                    rows = conn.execute("SELECT scope, name, value FROM counters WHERE scope = ? ORDER BY name",
                                        (scope,)).fetchall()
            except sqlite3.Error as error:
                raise CounterStoreError(f"counter store {self._path}: {error}") from None
        good = []
        for row_scope, name, value in rows:
            # A file edited by hand may hold anything SQLite's loose typing lets through.
            if (isinstance(row_scope, str) and isinstance(name, str) and _valid_name(row_scope)
                    and _valid_name(name) and isinstance(value, int) and value >= 0):
                good.append((row_scope, name, value))
            else:
                log.warning("counter store %s: skipped an invalid row", self._path)
        return good

    def _write(self, scope: str, values: Mapping[str, int]) -> None:
        if not values:
            return
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT INTO counters (scope, name, value) VALUES (?, ?, ?)"
                                 " ON CONFLICT(scope, name) DO UPDATE SET value = excluded.value",
                                 [(scope, name, int(value)) for name, value in values.items()])
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise CounterStoreError(f"counter store {self._path}: {error}") from None


def open_counter_store(path: Path) -> CounterStore:
    """Open the store; a damaged file is moved aside (`*.corrupt-<time>`) and counting starts afresh.

    Losing statistics must not keep a kiosk from serving citizens: the composition root
    uses this, and the error is logged for the technician.
    """
    try:
        return CounterStore(path)
    except CounterStoreError as error:
        aside = Path(f"{path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        log.error("%s; moved to %s, counters start from zero", error, aside.name)
        Path(path).replace(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return CounterStore(path)


def _valid_name(name: str) -> bool:
    return 0 < len(name) < MAX_FLAT_KEY and bool(_IDENTIFIER.match(name))


def _check_key(scope: str, name: str) -> None:
    if not (isinstance(scope, str) and isinstance(name, str) and _valid_name(scope) and _valid_name(name)):
        raise ValueError("counter scope and name must be lower-case identifiers: "
                         f"{str(scope)[:64]!r}.{str(name)[:64]!r}")
    if len(scope) + 1 + len(name) > MAX_FLAT_KEY:
        raise ValueError(f"{scope}.{name} is longer than {MAX_FLAT_KEY} characters")
