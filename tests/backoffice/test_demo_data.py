"""Demo data invariants and determinism."""

from __future__ import annotations

import datetime as dt
import sqlite3

from backoffice import db, demo_data
from kiosk.contract import identifiers
from kiosk.contract.models import TransferStatus

AS_OF = dt.date(2026, 11, 23)


def _rows(path, query, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def test_at_least_fifty_citizens_all_with_valid_ssns(demo_db_template):
    ssns = [row[0] for row in _rows(demo_db_template, "SELECT ssn FROM citizens")]
    assert len(ssns) >= 50
    assert len(set(ssns)) == len(ssns)
    assert all(identifiers.is_valid_ssn(ssn) for ssn in ssns)


def test_cards_have_valid_identifiers_and_hashed_pins(demo_db_template):
    cards = _rows(demo_db_template, "SELECT card_number, card_id_code, pin_hash FROM cards")
    assert all(identifiers.is_valid_card_number(number) for number, _, _ in cards)
    assert all(identifiers.is_valid_card_id_code(code) for _, code, _ in cards)
    assert all(pin_hash.startswith("pbkdf2_sha256$") for _, _, pin_hash in cards)
    zhang = demo_data.demo_citizen("zhang_wei")
    stored = _rows(demo_db_template, "SELECT pin_hash FROM cards WHERE card_number = ?", (zhang.card_number,))[0][0]
    assert zhang.pin not in stored
    from backoffice.pin_hash import pin_matches
    assert pin_matches(zhang.pin, stored) and not pin_matches("000000", stored)


def test_named_citizens_are_in_the_database_with_their_cards(demo_db_template):
    assert len(demo_data.DEMO_CITIZENS) >= 8
    for citizen in demo_data.demo_citizens():
        rows = _rows(demo_db_template, "SELECT c.name, k.card_id_code, k.status FROM citizens c JOIN cards k"
                     " ON k.citizen_id = c.id WHERE c.ssn = ? AND k.card_number = ?",
                     (citizen.ssn, citizen.card_number))
        assert rows == [(citizen.name, citizen.card_id_code, citizen.card_status)]
        assert identifiers.is_valid_ssn(citizen.ssn)
        assert citizen.special_zh and citizen.special_en
        # the 17th digit says the sex (odd = male)
        assert (int(citizen.ssn[16]) % 2 == 1) == (citizen.sex == "M")


def test_every_transfer_status_is_present(demo_db_template):
    statuses = {row[0] for row in _rows(demo_db_template, "SELECT status FROM pension_transfers")}
    assert statuses == {status.value for status in TransferStatus}


def test_deferred_owed_retiree_flexible_and_movers_exist(demo_db_template):
    counts = dict(_rows(demo_db_template, "SELECT status, COUNT(*) FROM contributions GROUP BY status"))
    assert counts["deferred"] > 0 and counts["owed"] > 0 and counts["paid"] > 1000
    liu = demo_data.demo_citizen("liu_yang")
    deferred = _rows(demo_db_template, "SELECT DISTINCT period, insurance_type FROM contributions JOIN citizens"
                     " ON citizens.id = contributions.citizen_id WHERE ssn = ? AND status = 'deferred'", (liu.ssn,))
    assert {period for period, _ in deferred} == {f"2022{month:02d}" for month in range(4, 13)}
    assert {kind for _, kind in deferred} == {"pension", "unemployment", "work_injury"}
    assert _rows(demo_db_template, "SELECT COUNT(*) FROM citizens WHERE retired = 1")[0][0] >= 1
    flexible = _rows(demo_db_template, "SELECT DISTINCT insurance_type, personal_fen > 0, employer_fen FROM"
                     " contributions WHERE payer_kind = 'personal'")
    assert {row[0] for row in flexible} == {"pension", "medical"}
    assert all(row[1] == 1 and row[2] == 0 for row in flexible)
    chen = demo_data.demo_citizen("chen_jing")
    areas = [row[0] for row in _rows(demo_db_template, "SELECT DISTINCT area_code FROM contributions JOIN citizens"
                                     " ON citizens.id = contributions.citizen_id WHERE ssn = ? ORDER BY period",
                                     (chen.ssn,))]
    assert areas == ["440100", "320100"]
    longest = _rows(demo_db_template, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM contributions"
                    " WHERE insurance_type = 'pension' GROUP BY citizen_id)")[0][0]
    assert longest >= 240


def test_money_parts_follow_the_rates(demo_db_template):
    rows = _rows(demo_db_template, "SELECT base_fen, employer_fen, personal_fen FROM contributions"
                 " WHERE insurance_type = 'pension' AND payer_kind = 'employer' LIMIT 50")
    assert all(employer == base * 16 // 100 and personal == base * 8 // 100 for base, employer, personal in rows)


def test_same_seed_and_date_give_identical_data(tmp_path):
    digests = []
    for name in ("first.db", "second.db"):
        path = tmp_path / name
        db.migrate(path)
        assert demo_data.populate_if_empty(path, 2026, AS_OF)
        assert not demo_data.populate_if_empty(path, 2026, AS_OF)  # only once
        digests.append(demo_data.content_digest(path))
    assert digests[0] == digests[1]
    other = tmp_path / "other-seed.db"
    db.migrate(other)
    demo_data.populate_if_empty(other, 7, AS_OF)
    assert demo_data.content_digest(other) != digests[0]


def test_migrations_record_the_schema_version(tmp_path):
    path = tmp_path / "fresh.db"
    assert db.migrate(path) == len(db.MIGRATIONS)
    assert db.migrate(path) == len(db.MIGRATIONS)  # idempotent
    assert _rows(path, "PRAGMA journal_mode")[0][0] == "wal"
