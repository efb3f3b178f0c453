"""Administrative areas (GB/T 2260 codes) known to the reference back office."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# The tables are contract data: the kiosk's transfer form offers the same provinces and cities.
from kiosk.contract.areas import CITIES, MUNICIPALITY_PREFIXES, PROVINCES


@dataclass(frozen=True)
class AreaRecord:
    code: str
    name_zh: str
    name_en: str
    level: str
    province_code: str
    pension_pooling: str


def all_area_records() -> list[AreaRecord]:
    records = [AreaRecord(code, zh, en, "province", code, "provincial") for code, zh, en in PROVINCES]
    records += [AreaRecord(code, zh, en, "city", code[:2] + "0000", "provincial") for code, zh, en in CITIES]
    return records


def city_of(region_code: str) -> str:
    """The prefecture-level city containing a region code (a municipality is its own)."""
    if region_code[:2] in MUNICIPALITY_PREFIXES:
        return region_code[:2] + "0000"
    return region_code[:4] + "00"


def province_of(region_code: str) -> str:
    return region_code[:2] + "0000"


def resolve(conn: sqlite3.Connection, region_code: str) -> sqlite3.Row | None:
    """The known area for a region code: itself, else its city (a district code)."""
    for candidate in dict.fromkeys((region_code, city_of(region_code))):
        row = conn.execute("SELECT * FROM areas WHERE code = ?", (candidate,)).fetchone()
        if row is not None:
            return row
    return None


def load(conn: sqlite3.Connection, code: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM areas WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise LookupError(f"unknown area {code}")
    return row
