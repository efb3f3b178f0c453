"""Issuing and verifying enrolment / contribution certificates (参保证明)."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from kiosk.contract import identifiers
from kiosk.contract.models import (Certificate, CertificateContent, CertificateInsuranceLine, CertificateKind,
                                   CertificatePeriodLine, CertificateRequest, CertificateSummary,
                                   CertificateVerification)

from backoffice import areas, citizens, periods
from backoffice.money import fen_to_decimal
from backoffice.problems import ProblemError
from backoffice.settings import BackofficeSettings

# No 0/O, 1/I: the code is typed in by people reading paper.
VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
VERIFICATION_CODE_LENGTH = 16
PERSONAL_PAYER_LABEL = "灵活就业人员（个人缴费）"
MAX_SPAN_MONTHS = 50 * 12
MAX_LISTED = 20

TITLES = {
    CertificateKind.ENROLMENT: ("{city}社会保险个人参保证明", "{city} social insurance personal enrolment certificate"),
    CertificateKind.CONTRIBUTION: ("{city}社会保险个人缴费明细证明",
                                   "{city} social insurance personal contribution certificate"),
}


def new_verification_code() -> str:
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


def is_verification_code_shape(value: str) -> bool:
    return len(value) == VERIFICATION_CODE_LENGTH and all(char in VERIFICATION_ALPHABET for char in value)


def check_range(request: CertificateRequest) -> None:
    if request.period_from > request.period_to:
        raise ProblemError("invalid_request", errors=[{"loc": ["body", "period_from"],
                                                       "msg": "period_from must not be after period_to"}])
    if periods.month_span(request.period_from, request.period_to) > MAX_SPAN_MONTHS:
        raise ProblemError("invalid_request", errors=[{"loc": ["body", "period_from"],
                                                       "msg": "range exceeds 50 years"}])


def period_lines(conn: sqlite3.Connection, citizen_id: int, period_from: str,
                 period_to: str) -> list[CertificatePeriodLine]:
    """Paid pension months (medical when there is no pension) grouped into contiguous runs
    with the same employer and base."""
    lines: list[CertificatePeriodLine] = []
    for insurance_type in ("pension", "medical"):
        rows = conn.execute(
            "SELECT c.period, c.employer_id, c.payer_kind, c.base_fen, e.name AS employer_name"
            " FROM contributions c LEFT JOIN employers e ON e.id = c.employer_id"
            " WHERE c.citizen_id = ? AND c.insurance_type = ? AND c.status = 'paid' AND c.period BETWEEN ? AND ?"
            " ORDER BY c.period", (citizen_id, insurance_type, period_from, period_to)).fetchall()
        if rows:
            break
    run: list[sqlite3.Row] = []

    def close_run() -> None:
        if run:
            first, last = run[0], run[-1]
            lines.append(CertificatePeriodLine(
                employer=first["employer_name"] or PERSONAL_PAYER_LABEL,
                period_from=first["period"], period_to=last["period"], months=len(run),
                base=fen_to_decimal(first["base_fen"])))
            run.clear()

    for row in rows:
        if run and (row["employer_id"] != run[-1]["employer_id"] or row["base_fen"] != run[-1]["base_fen"]
                    or periods.to_index(row["period"]) != periods.to_index(run[-1]["period"]) + 1):
            close_run()
        run.append(row)
    close_run()
    return lines


def build_content(conn: sqlite3.Connection, settings: BackofficeSettings, citizen_id: int,
                  request: CertificateRequest, print_date: dt.date) -> CertificateContent:
    citizen = citizens.load_citizen(conn, citizen_id)
    city = areas.load(conn, areas.city_of(settings.local_region))
    title_zh, title_en = TITLES[request.kind]
    return CertificateContent(
        title_zh=title_zh.format(city=city["name_zh"]),
        title_en=title_en.format(city=city["name_en"]),
        name=citizen["name"],
        ssn_masked=identifiers.mask_ssn(citizen["ssn"]),
        personal_number=citizen["personal_number"],
        insurance=[CertificateInsuranceLine(insurance_type=item.insurance_type, status=item.status,
                                            first_insured=item.first_insured, months_paid=item.months_paid)
                   for item in citizens.enrolment_items(conn, citizen_id)],
        periods=period_lines(conn, citizen_id, request.period_from, request.period_to),
        issuing_office=f"{city['name_zh']}社会保险管理中心",
        print_date=print_date,
    )


def issue(conn: sqlite3.Connection, settings: BackofficeSettings, citizen_id: int, terminal_id: str,
          request: CertificateRequest) -> str:
    """Store a new certificate and return its number; the caller holds the write transaction."""
    issued_at = settings.now().replace(microsecond=0)   # its date is the issue date, in the office's zone
    content = build_content(conn, settings, citizen_id, request, issued_at.date())
    day_prefix = f"{settings.certificate_number_prefix}{issued_at:%Y%m%d}"
    sequence = conn.execute("SELECT COUNT(*) FROM certificates WHERE number LIKE ?",
                            (day_prefix + "%",)).fetchone()[0] + 1
    number = f"{day_prefix}{sequence:06d}"
    code = new_verification_code()
    while conn.execute("SELECT 1 FROM certificates WHERE verification_code = ?", (code,)).fetchone():
        code = new_verification_code()
    valid_until = issued_at.date() + dt.timedelta(days=settings.certificate_validity_days)
    conn.execute(
        "INSERT INTO certificates (number, verification_code, citizen_id, kind, period_from, period_to, issued_at,"
        " valid_until, content_json, terminal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, code, citizen_id, request.kind.value, request.period_from, request.period_to,
         issued_at.isoformat(), valid_until.isoformat(), content.model_dump_json(), terminal_id))
    return number


def _row_by(conn: sqlite3.Connection, column: str, value: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT * FROM certificates WHERE {column} = ?", (value,)).fetchone()


def _status(valid_until: dt.date, today: dt.date) -> str:
    # Expiry follows the real clock's date in the office's zone (as printed on paper), not the
    # demo's business date: callers pass `settings.now().date()`.
    return "expired" if today > valid_until else "valid"


def load(conn: sqlite3.Connection, number: str) -> Certificate:
    row = _row_by(conn, "number", number)
    if row is None:
        raise ProblemError("certificate_not_found")
    return _certificate(row)


def load_for(conn: sqlite3.Connection, citizen_id: int, number: str) -> Certificate:
    """An already-issued certificate of this citizen, unchanged (re-print; nothing is issued or stored).

    Unknown numbers and other citizens' numbers get the same 404, so a number reveals nothing."""
    row = conn.execute("SELECT * FROM certificates WHERE number = ? AND citizen_id = ?",
                       (number, citizen_id)).fetchone()
    if row is None:
        raise ProblemError("certificate_number_not_found")
    return _certificate(row)


def list_for(conn: sqlite3.Connection, citizen_id: int, today: dt.date) -> list[CertificateSummary]:
    """This citizen's certificates, newest first, at most MAX_LISTED."""
    rows = conn.execute("SELECT number, kind, period_from, period_to, issued_at, valid_until FROM certificates"
                        " WHERE citizen_id = ? ORDER BY issued_at DESC, number DESC LIMIT ?",
                        (citizen_id, MAX_LISTED)).fetchall()
    summaries = []
    for row in rows:
        valid_until = dt.date.fromisoformat(row["valid_until"])
        summaries.append(CertificateSummary(
            number=row["number"], kind=CertificateKind(row["kind"]), period_from=row["period_from"],
            period_to=row["period_to"], issued_at=dt.datetime.fromisoformat(row["issued_at"]),
            valid_until=valid_until, status=_status(valid_until, today)))
    return summaries


def _certificate(row: sqlite3.Row) -> Certificate:
    return Certificate(
        number=row["number"], verification_code=row["verification_code"], kind=CertificateKind(row["kind"]),
        period_from=row["period_from"], period_to=row["period_to"],
        issued_at=dt.datetime.fromisoformat(row["issued_at"]),
        valid_until=dt.date.fromisoformat(row["valid_until"]),
        verify_path=f"/v1/certificates/{row['verification_code']}",
        content=CertificateContent.model_validate_json(row["content_json"]))


def mask_name(name: str) -> str:
    """`张小明` -> `张*明`, `张伟` -> `张*`: enough for a verifier to match the paper, not to learn the name."""
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify(conn: sqlite3.Connection, verification_code: str, today: dt.date) -> CertificateVerification:
    """The public answer: only what checks the paper (anyone may ask, so no ssn, employers or bases)."""
    row = _row_by(conn, "verification_code", verification_code) if is_verification_code_shape(
        verification_code) else None
    if row is None:
        raise ProblemError("certificate_not_found")
    valid_until = dt.date.fromisoformat(row["valid_until"])
    status = "revoked" if row["revoked_at"] else _status(valid_until, today)
    content = CertificateContent.model_validate_json(row["content_json"])
    return CertificateVerification(
        valid=status == "valid", status=status, number=row["number"], kind=CertificateKind(row["kind"]),
        name_masked=mask_name(content.name), period_from=row["period_from"], period_to=row["period_to"],
        issued_at=dt.datetime.fromisoformat(row["issued_at"]), valid_until=valid_until,
        issuing_office=content.issuing_office)
