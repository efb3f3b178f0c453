"""Pension-transfer applications: creation and the step timeline."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from kiosk.contract import identifiers
from kiosk.contract.models import PensionTransfer, StepState, TransferStatus, TransferStep

from backoffice import working_days
from backoffice.citizens import area_model
from backoffice.problems import ProblemError

# (step, title_zh, title_en, office that acts)
STEPS: tuple[tuple[TransferStatus, str, str, str], ...] = (
    (TransferStatus.SUBMITTED, "转入地受理申请", "Receiving office accepts the application", "receiving"),
    (TransferStatus.CERTIFICATE_ISSUED, "转出地出具参保缴费凭证", "Sending office issues the contribution certificate",
     "sending"),
    (TransferStatus.ACCEPTANCE_SENT, "转入地发出接收函", "Receiving office sends the acceptance letter", "receiving"),
    (TransferStatus.FUNDS_TRANSFERRED, "转出地转移基金和信息", "Sending office transfers the funds and records",
     "sending"),
    (TransferStatus.COMPLETED, "转入地归集完成", "Receiving office completes the transfer", "receiving"),
)
ENDED_EARLY = (TransferStatus.REJECTED, TransferStatus.WITHDRAWN)


def create(conn: sqlite3.Connection, citizen_id: int, from_area: str, to_area: str, mobile: str,
           today: dt.date, now: dt.datetime) -> str:
    """Insert a new application (receiving office accepts it at once); caller holds the transaction.

    `today` is the business date its steps start on and `now` the submission time, both in
    the back office's zone (`settings.business_today()`, `settings.now()`).
    """
    now = now.replace(microsecond=0)
    transfer_id = f"PT{today:%Y%m%d}{secrets.token_hex(4).upper()}"
    conn.execute(
        "INSERT INTO pension_transfers (id, citizen_id, from_area, to_area, contact_mobile, status, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (transfer_id, citizen_id, from_area, to_area, mobile, TransferStatus.SUBMITTED.value, now.isoformat(),
         now.isoformat()))
    for step, *_ in STEPS:
        started = completed = None
        if step == TransferStatus.SUBMITTED:
            started = completed = today
        elif step == TransferStatus.CERTIFICATE_ISSUED:
            started = today  # the request goes to the sending office straight away
        conn.execute("INSERT INTO transfer_steps (transfer_id, step, started_on, completed_on) VALUES (?, ?, ?, ?)",
                     (transfer_id, step.value, started.isoformat() if started else None,
                      completed.isoformat() if completed else None))
    return transfer_id


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load(conn: sqlite3.Connection, citizen_id: int, transfer_id: str, today: dt.date) -> PensionTransfer:
    # Another citizen's application answers exactly like a missing one.
    row = conn.execute("SELECT * FROM pension_transfers WHERE id = ? AND citizen_id = ?",
                       (transfer_id, citizen_id)).fetchone()
    if row is None:
        raise ProblemError("transfer_not_found")
    return _model(conn, row, today)


def list_for(conn: sqlite3.Connection, citizen_id: int, today: dt.date) -> list[PensionTransfer]:
    rows = conn.execute("SELECT * FROM pension_transfers WHERE citizen_id = ? ORDER BY created_at DESC, id",
                        (citizen_id,)).fetchall()
    return [_model(conn, row, today) for row in rows]


def _model(conn: sqlite3.Connection, row: sqlite3.Row, today: dt.date) -> PensionTransfer:
    status = TransferStatus(row["status"])
    step_rows = {step["step"]: step for step in conn.execute(
        "SELECT * FROM transfer_steps WHERE transfer_id = ?", (row["id"],))}
    steps = []
    for step, title_zh, title_en, office in STEPS:
        step_row = step_rows.get(step.value)
        started = _date(step_row["started_on"]) if step_row else None
        completed = _date(step_row["completed_on"]) if step_row else None
        if completed is not None:
            state = StepState.DONE
        elif status in ENDED_EARLY:
            state = StepState.STOPPED
        elif started is not None:
            state = StepState.CURRENT
        else:
            state = StepState.PENDING
        due_by = working_days.add_working_days(started, working_days.STEP_LIMIT_WORKING_DAYS) if started else None
        if due_by is None:
            overdue = False
        elif completed is not None:
            overdue = completed > due_by  # finished, but late
        else:
            overdue = state == StepState.CURRENT and today > due_by
        steps.append(TransferStep(step=step, title_zh=title_zh, title_en=title_en, office=office, state=state,
                                  started_on=started, completed_on=completed, due_by=due_by,
                                  working_day_limit=working_days.STEP_LIMIT_WORKING_DAYS, overdue=overdue))
    return PensionTransfer(
        id=row["id"], status=status, from_area=area_model(conn, row["from_area"]),
        to_area=area_model(conn, row["to_area"]),
        contact_mobile_masked=identifiers.mask_mobile(row["contact_mobile"]),
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        status_reason_zh=row["status_reason_zh"], status_reason_en=row["status_reason_en"], steps=steps)
