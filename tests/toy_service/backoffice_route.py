"""The toy service's route on the reference back office: signed, for the session's citizen only."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Depends

from backoffice.dependencies import CitizenContext, current_citizen, get_conn
from tests.toy_service.service import ToyGreeting

router = APIRouter()


@router.get("/v1/me/toy-greeting", response_model=ToyGreeting)
def toy_greeting(citizen: CitizenContext = Depends(current_citizen),
                 conn: sqlite3.Connection = Depends(get_conn)) -> ToyGreeting:
    name, = conn.execute("SELECT name FROM citizens WHERE id = ?", (citizen.citizen_id,)).fetchone()
    months = conn.execute("SELECT COUNT(DISTINCT period) FROM contributions WHERE citizen_id = ?",
                          (citizen.citizen_id,)).fetchone()[0]
    return ToyGreeting(greeting_zh=f"{name[0]}先生/女士，您好", greeting_en=f"Hello, {name[0]}.", months_paid=months)
