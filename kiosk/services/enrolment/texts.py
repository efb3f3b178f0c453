"""Texts (zh/en) of the enrolment screen (参保信息). Speech never carries amounts or identifiers."""

from kiosk.texts.paging import paging_texts, print_texts

TEXTS: dict[str, dict[str, str]] = {
    # --- enrolment (参保信息) -----------------------------------------------------------
    "enrolment.title": {"zh": "参保信息", "en": "My enrolment"},
    "enrolment.speech": {
        "zh": "这是您各险种的参保情况。如有欠缴或缓缴月份，会用警示标记标出。需要凭条请按打印凭条。",
        "en": "This is your enrolment for each insurance type. Owed or deferred months are marked with a "
              "warning sign. Press Print this for a receipt.",
    },
    "enrolment.col.type": {"zh": "险种", "en": "Insurance"},
    "enrolment.col.status": {"zh": "参保状态", "en": "Status"},
    "enrolment.col.first_insured": {"zh": "首次参保", "en": "Since"},
    "enrolment.col.months_paid": {"zh": "已缴月数", "en": "Months paid"},
    "enrolment.col.area": {"zh": "统筹地区", "en": "Insured in"},
    "enrolment.owed": {"zh": "欠缴 {months} 个月（应缴未缴，请尽快补缴）",
                       "en": "Months owed: {months} (not yet paid)"},
    "enrolment.deferred": {"zh": "缓缴 {months} 个月（政策允许，之后补缴不收滞纳金）",
                           "en": "Months deferred: {months} (allowed, pay later, no late fee)"},
    "enrolment.flexible": {"zh": "灵活就业人员，个人缴费，缴费档次 {grade}",
                           "en": "Flexible worker (灵活就业人员), pays personally, grade {grade}"},
    "enrolment.flexible_no_grade": {"zh": "灵活就业人员，个人缴费",
                                    "en": "Flexible worker (灵活就业人员), pays personally"},
    "enrolment.empty": {"zh": "没有查询到参保记录。", "en": "No enrolment records were found."},

    # --- receipt (receipt.py) ---------------------------------------------------------------
    "receipt.title.enrolment": {"zh": "参保信息", "en": "Enrolment"},
    "receipt.insured_area": {"zh": "参保地", "en": "Insured in"},
    "receipt.first_insured": {"zh": "  首次参保", "en": "  First insured"},
    "receipt.item_months_paid": {"zh": "  累计缴费月数", "en": "  Months paid"},
    "receipt.item_months_owed": {"zh": "  欠缴月数", "en": "  Months owed"},
    "receipt.item_months_deferred": {"zh": "  缓缴月数", "en": "  Months deferred"},
    "receipt.item_grade": {"zh": "  缴费档次", "en": "  Contribution grade"},
    "receipt.item_area": {"zh": "  统筹地区", "en": "  Pooling area"},
    "receipt.no_items": {"zh": "未查询到参保记录。", "en": "No enrolment records found."},
}
TEXTS.update(paging_texts("enrolment"))
TEXTS.update(print_texts("enrolment"))
