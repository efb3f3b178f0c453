"""The journal's hash chain: how an entry's hash is made, and the walk that finds the first broken link.

Each entry's sha256 `hash` covers its sequence number, time, kind, fields and the
previous entry's hash, so changing, removing or inserting a row breaks the chain.
Pruning removes only a prefix and keeps an anchor (seq and hash of the last removed
entry) plus a JOURNAL_PRUNED entry naming it; a head record marks the newest entry.
`verify_chain` checks all three: the rows link up from the anchor, end at the head,
and the anchor is the one the last prune recorded.

The chain makes tampering evident, it does not prevent it: someone who knows the scheme
and can write the file can rewrite every hash. Sending the head hash off the kiosk
(heartbeat, back office) is what would close that gap.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
# The chain's own entry: the anchor is checked against the newest one.
JOURNAL_PRUNED = "journal.pruned"   # written by `Journal.prune` only

_HASH_SHAPE = re.compile(r"[0-9a-f]{64}")


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


def entry_hash(seq: int, at_iso: str, kind: str, fields: dict, prev_hash: str) -> str:
    """sha256 over the canonical JSON of the entry; the one definition `record` and `verify` share."""
    canonical = json.dumps([seq, at_iso, kind, fields, prev_hash], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ChainWalk:
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


def verify_chain(conn: sqlite3.Connection) -> JournalVerification:
    first_seq, last_seq = conn.execute("SELECT MIN(seq), MAX(seq) FROM journal").fetchone()

    def result(problem: tuple[int, str] | None, checked: int, note: str = "") -> JournalVerification:
        if problem is None:
            return JournalVerification(True, checked, first_seq, last_seq, None, note)
        return JournalVerification(False, checked, first_seq, last_seq, problem[0], problem[1])

    try:
        anchor = read_meta(conn, "anchor", strict=True)
        head = read_meta(conn, "head", strict=True)
    except ValueError as damaged:
        return result((first_seq or 1, str(damaged)), 0)

    walk = ChainWalk(anchor)
    try:
        problem = walk.first_problem(chain_rows(conn)) or _head_problem(walk, head)
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


def _head_problem(walk: ChainWalk, head: tuple[int, str] | None) -> tuple[int, str] | None:
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


def chain_rows(conn: sqlite3.Connection, *, through_seq: int | None = None) -> Iterator[tuple]:
    """The rows as `ChainWalk.check` takes them, oldest first."""
    if through_seq is None:
        return conn.execute("SELECT seq, at, kind, fields_json, prev_hash, hash FROM journal ORDER BY seq")
    return conn.execute("SELECT seq, at, kind, fields_json, prev_hash, hash FROM journal WHERE seq <= ? "
                        "ORDER BY seq", (through_seq,))


def read_meta(conn: sqlite3.Connection, name: str, *, strict: bool = False) -> tuple[int, str] | None:
    """The 'head' or 'anchor' record as (seq, hash); a damaged one is None, or ValueError when `strict`."""
    row = conn.execute("SELECT seq, hash FROM journal_meta WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    seq, digest = row
    if not (isinstance(seq, int) and seq >= 0 and isinstance(digest, str) and _HASH_SHAPE.fullmatch(digest)):
        if strict:
            raise ValueError(f"the journal's {'pruning anchor' if name == 'anchor' else name + ' record'} is damaged")
        return None
    return seq, digest
