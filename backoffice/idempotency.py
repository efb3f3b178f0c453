"""Idempotency-Key bookkeeping for state-changing POSTs (kiosk outbox retries).

A key is scoped to (operation, citizen). The same key with the same body answers the
stored result with the same status code; with a different body it is refused. Callers
use these inside their BEGIN IMMEDIATE transaction, so two concurrent identical
requests cannot both create a resource.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel

from backoffice.problems import ProblemError

KEY_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128, pattern=KEY_PATTERN,
                                       description="8-128 characters [A-Za-z0-9_-], unique per intended action")]


def request_hash(body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def recall(conn: sqlite3.Connection, operation: str, citizen_id: int, key: str,
           body_hash: str) -> tuple[int, str] | None:
    """(status code, resource id) stored for this key, or None for a new key."""
    row = conn.execute("SELECT request_hash, status_code, resource_id FROM idempotency_keys"
                       " WHERE operation = ? AND citizen_id = ? AND key = ?",
                       (operation, citizen_id, key)).fetchone()
    if row is None:
        return None
    if row["request_hash"] != body_hash:
        raise ProblemError("idempotency_key_reused")
    return row["status_code"], row["resource_id"]


def remember(conn: sqlite3.Connection, operation: str, citizen_id: int, key: str, body_hash: str,
             status_code: int, resource_id: str) -> None:
    conn.execute("INSERT INTO idempotency_keys (operation, citizen_id, key, request_hash, status_code, resource_id,"
                 " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (operation, citizen_id, key, body_hash, status_code, resource_id, time.time()))
