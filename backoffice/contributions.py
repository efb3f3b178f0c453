"""Contribution rows and totals for a period range."""

from __future__ import annotations

import sqlite3

from kiosk.contract.models import (ContributionPage, ContributionRow, ContributionStatus, ContributionTotals,
                                   InsuranceType, PayerKind)

from backoffice.money import fen_to_decimal


def page(conn: sqlite3.Connection, citizen_id: int, period_from: str, period_to: str,
         insurance_type: InsuranceType | None, page_number: int, page_size: int) -> ContributionPage:
    where = "c.citizen_id = ? AND c.period BETWEEN ? AND ?"
    params: list = [citizen_id, period_from, period_to]
    if insurance_type is not None:
        where += " AND c.insurance_type = ?"
        params.append(insurance_type.value)
    totals_row = conn.execute(
        f"SELECT COUNT(*) AS rows_count,"
        f" COALESCE(SUM(CASE WHEN c.status = 'paid' THEN c.employer_fen END), 0) AS employer_fen,"
        f" COALESCE(SUM(CASE WHEN c.status = 'paid' THEN c.personal_fen END), 0) AS personal_fen,"
        f" COUNT(DISTINCT CASE WHEN c.status = 'paid' THEN c.period END) AS paid_months,"
        f" COUNT(DISTINCT CASE WHEN c.status = 'owed' THEN c.period END) AS owed_months,"
        f" COUNT(DISTINCT CASE WHEN c.status = 'deferred' THEN c.period END) AS deferred_months"
        f" FROM contributions c WHERE {where}", params).fetchone()
    rows = conn.execute(
        f"SELECT c.*, e.name AS employer_name FROM contributions c LEFT JOIN employers e ON e.id = c.employer_id"
        f" WHERE {where} ORDER BY c.period DESC, c.insurance_type LIMIT ? OFFSET ?",
        [*params, page_size, (page_number - 1) * page_size]).fetchall()
    return ContributionPage(
        period_from=period_from,
        period_to=period_to,
        insurance_type=insurance_type,
        page=page_number,
        page_size=page_size,
        total_rows=totals_row["rows_count"],
        rows=[ContributionRow(
            period=row["period"],
            insurance_type=InsuranceType(row["insurance_type"]),
            employer=row["employer_name"],
            payer_kind=PayerKind(row["payer_kind"]),
            base=fen_to_decimal(row["base_fen"]),
            employer_part=fen_to_decimal(row["employer_fen"]),
            personal_part=fen_to_decimal(row["personal_fen"]),
            status=ContributionStatus(row["status"]),
        ) for row in rows],
        # Months count calendar months (a month paid for five types is one month);
        # amounts count only what was actually paid.
        totals=ContributionTotals(
            months_paid=totals_row["paid_months"],
            months_owed=totals_row["owed_months"],
            months_deferred=totals_row["deferred_months"],
            employer_part=fen_to_decimal(totals_row["employer_fen"]),
            personal_part=fen_to_decimal(totals_row["personal_fen"]),
        ),
    )
