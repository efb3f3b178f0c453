"""Idempotency-Key bookkeeping for state-changing POSTs (kiosk outbox retries).

A key is scoped to (operation, citizen). The same key with the same body answers the
stored resource again; with a different body it is refused. `create_once` runs the
check and the creation in one BEGIN IMMEDIATE transaction, so two concurrent
identical requests cannot both create a resource.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from backoffice import db
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


def create_once(conn: sqlite3.Connection, operation: str, citizen_id: int, key: str, body: BaseModel,
                create: Callable[[], str]) -> tuple[str, bool]:
    """(resource id, replayed): `create` runs only for a new key, inside the same write transaction."""
    body_hash = request_hash(body)
    with db.write_transaction(conn):
        stored = recall(conn, operation, citizen_id, key, body_hash)
        if stored is not None:
            return stored[1], True
        resource_id = create()
        remember(conn, operation, citizen_id, key, body_hash, 201, resource_id)
        return resource_id, False


def created_response(resource: BaseModel, replayed: bool) -> JSONResponse:
    """201 for the first answer and for every replay of it, marked as such."""
    return JSONResponse(resource.model_dump(mode="json"), status_code=201,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)
