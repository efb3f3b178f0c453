"""Texts (zh/en) of the contributions screen (缴费明细). Speech never carries amounts or identifiers."""

from kiosk.texts.paging import paging_texts, print_texts

TEXTS: dict[str, dict[str, str]] = {
    # --- contributions (缴费明细) --------------------------------------------------------
    "contributions.title": {"zh": "缴费明细", "en": "My contributions"},
    "contributions.speech": {
        "zh": "这是您的缴费明细。可以选择年度和险种，按上一页、下一页翻看。缓缴和欠缴的月份有警示标记。",
        "en": "These are your monthly contributions. Choose a year and an insurance type, and use Previous "
              "page and Next page to look through them. Deferred and owed months carry a warning sign.",
    },
    "contributions.year_button": {"zh": "{year}年", "en": "Year {year}"},
    "contributions.year_short": {"zh": "{year}年", "en": "{year}"},
    "contributions.year_none": {"zh": "选择年度", "en": "Choose year"},
    "contributions.type.all": {"zh": "全部险种", "en": "All types"},
    "contributions.picker.year": {"zh": "请选择年度", "en": "Choose a year"},
    "contributions.picker.type": {"zh": "请选择险种", "en": "Choose an insurance type"},
    "contributions.picker.close": {"zh": "取消", "en": "Cancel"},
    "contributions.picker.newer": {"zh": "较近年度", "en": "Later years"},
    "contributions.picker.older": {"zh": "更早年度", "en": "Earlier years"},
    "contributions.col.period": {"zh": "年月", "en": "Month"},
    "contributions.col.month": {"zh": "月份", "en": "Month"},
    # The longest type name, abbreviated where the table has no room for it (English, elder mode).
    "contributions.type_narrow.unemployment": {"zh": "失业", "en": "Unempl."},
    "contributions.col.type": {"zh": "险种", "en": "Type"},
    "contributions.col.base": {"zh": "缴费基数", "en": "Base"},
    "contributions.col.personal": {"zh": "个人缴纳", "en": "You paid"},
    "contributions.col.employer_part": {"zh": "单位缴纳", "en": "Employer"},
    "contributions.col.status": {"zh": "状态", "en": "Status"},
    "contributions.employer": {"zh": "缴费单位：{name}", "en": "Employer: {name}"},
    "contributions.personal_payment": {"zh": "个人缴费（灵活就业人员）",
                                       "en": "Personal payment 个人缴费 (flexible worker)"},
    "contributions.empty": {"zh": "所选年度和险种没有缴费记录。",
                            "en": "No contributions for this year and insurance type."},
    "contributions.totals.label": {"zh": "{year}年合计", "en": "Total {year}"},
    "contributions.totals.label_all": {"zh": "合计", "en": "Total"},
    "contributions.totals.months_paid": {"zh": "已缴 {months} 个月", "en": "Months paid: {months}"},
    "contributions.totals.months_owed": {"zh": "欠缴 {months} 个月", "en": "owed: {months}"},
    "contributions.totals.months_deferred": {"zh": "缓缴 {months} 个月", "en": "deferred: {months}"},
    "contributions.explain.deferred": {"zh": "缓缴：政策允许，以后补缴不收滞纳金。",
                                       "en": "Deferred: allowed, pay later, no late fee."},
    "contributions.explain.owed": {"zh": "欠缴：应缴未缴。", "en": "Owed: not yet paid."},
    "contributions.print.printing": {"zh": "正在打印凭条…", "en": "Printing the receipt…"},
    "contributions.print.printed": {"zh": "凭条已打印，请取走", "en": "Receipt printed, please take it"},
    "contributions.print.failed_paper_out": {"zh": "凭条纸用完了，请联系工作人员",
                                             "en": "Receipt paper ran out, please ask staff"},
    "contributions.print.failed": {"zh": "凭条未能打印，请联系工作人员", "en": "Could not print, please ask staff"},

    # --- receipt (receipt.py) ---------------------------------------------------------------
    "receipt.title.contributions": {"zh": "缴费明细", "en": "Contributions"},
    "receipt.period": {"zh": "查询期间", "en": "Period"},
    "receipt.insurance_type": {"zh": "险种", "en": "Insurance"},
    "receipt.all_types": {"zh": "全部险种", "en": "All types"},
    "receipt.employer": {"zh": "缴费单位", "en": "Employer"},
    "receipt.personal_payer": {"zh": "灵活就业人员（个人缴费）", "en": "Flexible worker (pays personally)"},
    "receipt.rows_header_type": {"zh": "  险种", "en": "  Type"},
    "receipt.rows_header_status": {"zh": "状态", "en": "Status"},
    "receipt.rows_header_amount": {"zh": "个人缴费", "en": "Personal"},
    "receipt.rows_partial": {
        "zh": "本页 {shown} 条，共 {total} 条；其余请在屏幕上翻页查看。",
        "en": "{shown} of {total} rows on this page; see the screen for the rest.",
    },
    "receipt.no_rows": {"zh": "查询期间内没有缴费记录。", "en": "No contributions in this period."},
    "receipt.months_paid": {"zh": "已缴月数", "en": "Months paid"},
    "receipt.months_owed": {"zh": "欠缴月数", "en": "Months owed"},
    "receipt.months_deferred": {"zh": "缓缴月数", "en": "Months deferred"},
    "receipt.employer_total": {"zh": "单位缴费合计（元）", "en": "Employer part (CNY)"},
    "receipt.personal_total": {"zh": "个人缴费合计（元）", "en": "Personal part (CNY)"},
    "receipt.totals_note": {"zh": "金额为已缴月份合计。", "en": "Amounts count paid months only."},
}
TEXTS.update(paging_texts("contributions"))
TEXTS.update(print_texts("contributions"))
# Months without their year, for a year's table when "2025-12" leaves no room (English, elder mode).
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
for _month, _name in enumerate(_MONTHS_EN, start=1):
    TEXTS[f"contributions.month.{_month}"] = {"zh": f"{_month}月", "en": _name}
