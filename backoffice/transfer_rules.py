"""Whether a citizen may apply for a pension-insurance transfer here.

The application is made at the receiving side (this back office); the rules are
checked in a fixed order and the first that applies explains itself in plain words.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk.contract.enums import ACTIVE_TRANSFER_STATUSES

from backoffice import areas, citizens

PAID_YEARS_NOTE_ZH = "跨省转移时只转移实际缴费年限；视同缴费年限在退休时认定，不需要转移。"
PAID_YEARS_NOTE_EN = ("Across provinces only the years actually paid move; deemed years (视同缴费年限) are set "
                      "at retirement and need no transfer.")


@dataclass(frozen=True)
class Decision:
    code: str  # "eligible" or a problem code from backoffice.problems
    message_zh: str
    message_en: str
    from_area: sqlite3.Row | None
    to_area: sqlite3.Row

    @property
    def eligible(self) -> bool:
        return self.code == "eligible"


def decide(conn: sqlite3.Connection, local_region: str, citizen_id: int, from_region: str) -> Decision:
    citizen = citizens.load_citizen(conn, citizen_id)
    to_area = areas.load(conn, areas.city_of(local_region))
    from_area = areas.resolve(conn, from_region)
    pension = conn.execute("SELECT status, pooling_area FROM enrolments WHERE citizen_id = ? AND insurance_type ="
                           " 'pension'", (citizen_id,)).fetchone()

    def decision(code: str, zh: str, en: str) -> Decision:
        return Decision(code, zh, en, from_area, to_area)

    if citizen["retired"] or (pension is not None and pension["status"] == "retired"):
        return decision("pensioner", "您已按月领取养老金，养老保险关系不再转移。如对待遇有疑问，请到柜台咨询。",
                        "You already draw a pension, so your pension insurance is not transferred any more. "
                        "Please ask at a counter if you have questions about your pension.")
    if from_area is None:
        return decision("unknown_region", "无法识别您输入的原参保地区代码，请核对后重新选择。",
                        "The region code of your previous place is not recognised. Please check and choose again.")
    if areas.city_of(from_region) == areas.city_of(local_region):
        return decision("no_transfer_needed",
                        f"{from_area['name_zh']}与{to_area['name_zh']}属于同一统筹地区，缴费记录已经在一起，无需办理转移。",
                        f"{from_area['name_en']} and {to_area['name_en']} are the same pooling area: your records "
                        "are already together and no transfer is needed.")
    if areas.province_of(from_region) == areas.province_of(local_region) and from_area["pension_pooling"] == "provincial":
        province = areas.load(conn, areas.province_of(local_region))
        return decision("no_transfer_needed",
                        f"{province['name_zh']}实行养老保险省级统筹，省内流动无需办理转移，"
                        "各地的缴费记录会在退休时自动归集合并计算。",
                        f"{province['name_en']} pools pension insurance at provincial level: moving within the "
                        "province needs no transfer; your records from each city are gathered when you retire.")
    active = conn.execute(
        f"SELECT id FROM pension_transfers WHERE citizen_id = ? AND status IN "
        f"({', '.join('?' * len(ACTIVE_TRANSFER_STATUSES))})",
        (citizen_id, *sorted(status.value for status in ACTIVE_TRANSFER_STATUSES))).fetchone()
    if active is not None:
        return decision("active_application", f"您已有一笔正在办理的转移申请（编号 {active['id']}），请在进度查询中查看，无需重复申请。",
                        f"You already have a transfer application in progress ({active['id']}). Follow it under "
                        "progress; there is no need to apply again.")
    if (pension is None or pension["status"] != "active"
            or areas.province_of(pension["pooling_area"]) != areas.province_of(local_region)):
        return decision("not_insured_here",
                        "转移申请须在您现在参保缴费的地方（转入地）提出。您目前未在本地参加养老保险缴费；"
                        "同一时间只能在一地参保，原参保地需先停止缴费。",
                        "A transfer is applied for where you contribute now (the receiving side). You do not "
                        "contribute to pension insurance here at the moment; one can be insured in only one place "
                        "at a time, and the old place stops contributions first.")
    has_records = conn.execute(
        "SELECT 1 FROM contributions WHERE citizen_id = ? AND insurance_type = 'pension' AND status = 'paid'"
        " AND substr(area_code, 1, 2) = ? LIMIT 1", (citizen_id, from_region[:2])).fetchone()
    if has_records is None:
        return decision("no_records_in_area",
                        f"未查到您在{from_area['name_zh']}的养老保险实际缴费记录，无需办理转移。如有疑问请到柜台咨询。",
                        f"No paid pension contributions are recorded for you in {from_area['name_en']}, so there "
                        "is nothing to transfer. Please ask at a counter if you think this is wrong.")
    return decision("eligible",
                    f"可以申请把{from_area['name_zh']}的养老保险关系转入{to_area['name_zh']}，无需回原参保地办理。"
                    + PAID_YEARS_NOTE_ZH + "转出地和转入地的每个环节一般在15个工作日内办结。",
                    f"You can apply to move your pension insurance from {from_area['name_en']} to "
                    f"{to_area['name_en']} without going back. " + PAID_YEARS_NOTE_EN
                    + " Each step normally takes at most 15 working days.")
