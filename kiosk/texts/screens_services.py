"""Texts (zh/en) of the service screens: enrolment, contributions, certificate (choose, preview, done).

Speech keys (`<screen>.speech`) say what to do on the screen; they never carry amounts or
identifiers (DESIGN 8), so they are safe to speak without a headset.
"""

# Paging and printing wording, the same on every screen that pages or prints.
_PAGING = {
    "page_of": {"zh": "第 {page} 页，共 {count} 页", "en": "Page {page} of {count}"},
    "previous_page": {"zh": "上一页", "en": "Previous page"},
    "next_page": {"zh": "下一页", "en": "Next page"},
    "page_short": {"zh": "{page}/{count} 页", "en": "{page} / {count}"},
    # A page of the back office's that needs two screens here (elder mode): which part of it this is.
    "page_part_of": {"zh": "第 {page} 页（{part}/{parts}），共 {count} 页",
                     "en": "Page {page} ({part}/{parts}) of {count}"},
    "page_part_short": {"zh": "{page}({part}/{parts})/{count} 页", "en": "{page} ({part}/{parts}) / {count}"},
}
# Months without their year, for a year's table when "2025-12" leaves no room (English, elder mode).
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PRINT_THIS = {"zh": "打印凭条", "en": "Print this"}
_PRINT_SHORT = {"zh": "打印", "en": "Print"}

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

    # --- certificate: choose (参保证明) -------------------------------------------------
    "certificate.title": {"zh": "打印参保证明", "en": "Print a certificate"},
    "certificate.speech": {
        "zh": "请选择证明种类和期间，然后按预览。以前开具的证明在有效期内可以再次打印。",
        "en": "Choose the kind of certificate and the period, then press Preview. A certificate issued "
              "earlier can be printed again while it is valid.",
    },
    "certificate.kind_label": {"zh": "证明种类", "en": "Certificate of"},
    "certificate.kind.enrolment": {"zh": "参保证明", "en": "Enrolment"},
    "certificate.kind.contribution": {"zh": "缴费明细证明", "en": "Contributions"},
    "certificate.range_label": {"zh": "期间", "en": "Period"},
    "certificate.range.last_12_months": {"zh": "近12个月", "en": "Last 12 months"},
    "certificate.range.last_3_years": {"zh": "近3年", "en": "Last 3 years"},
    "certificate.range.all": {"zh": "全部年度", "en": "All years"},
    "certificate.period": {"zh": "证明期间：{start} 至 {end}", "en": "Period: {start} to {end}"},
    "certificate.note": {"zh": "A4纸打印，附验证码，3个月内有效", "en": "A4 paper, with a verification code, valid 3 months"},
    "certificate.preview": {"zh": "预览", "en": "Preview"},
    "certificate.chosen": {"zh": "已选择", "en": "chosen"},
    "certificate.reprint.heading": {"zh": "再次打印以前开具的证明", "en": "Print again a certificate issued earlier"},
    "certificate.reprint.what": {"zh": "{kind} {start} 至 {end}", "en": "{kind} {start} to {end}"},
    "certificate.reprint.when": {"zh": "编号 {number} · 有效期至 {date}", "en": "No. {number} · valid until {date}"},
    "certificate.reprint.expired_when": {"zh": "编号 {number} · 已于 {date} 过期",
                                         "en": "No. {number} · expired on {date}"},
    "certificate.reprint.button": {"zh": "再次打印", "en": "Print again"},
    "certificate.reprint.button_short": {"zh": "打印", "en": "Print"},
    "certificate.reprint.expired": {"zh": "已过期", "en": "Expired"},
    "certificate.reprint.none": {"zh": "没有可再次打印的证明。", "en": "No earlier certificates to print again."},

    # --- certificate preview --------------------------------------------------------------
    "certificate_preview.title": {"zh": "证明预览", "en": "Certificate preview"},
    "certificate_preview.speech": {
        "zh": "请核对证明内容。内容无误请按打印，需要修改请按返回。",
        "en": "Please check the certificate. If it is right, press Print; to change it, press Back.",
    },
    "certificate_preview.number": {"zh": "证明编号", "en": "Certificate number"},
    "certificate_preview.valid_until": {"zh": "有效期至", "en": "Valid until"},
    "certificate_preview.print": {"zh": "打印", "en": "Print"},
    "certificate_preview.empty": {"zh": "证明内容暂不可用。", "en": "The certificate text is not available."},

    # --- certificate done: the printers' real outcome --------------------------------------
    "certificate_done.title": {"zh": "证明打印结果", "en": "Certificate printing"},
    "certificate_done.speech": {
        "zh": "请看屏幕上的打印结果。如未打印成功，请记下证明编号，可在任一自助终端再次打印。完成后请按确定。",
        "en": "Please read the printing result on the screen. If it did not print, keep the certificate "
              "number: you can print it again at any terminal. Press OK when you are done.",
    },
    "certificate_done.number": {"zh": "证明编号", "en": "Certificate number"},
    "certificate_done.code": {"zh": "验证码", "en": "Verification code"},
    "certificate_done.keep": {"zh": "凭证明编号可在任一自助终端或服务窗口再次打印。",
                              "en": "With this number you can print it again at any terminal or counter."},
    "certificate_done.reprint": {"zh": "再次打印", "en": "Print again"},
    "certificate.status.printing": {"zh": "正在打印证明…", "en": "Printing the certificate…"},
    "certificate.status.printed": {"zh": "证明已打印，请从下方A4出纸口取走",
                                   "en": "Certificate printed — please take it from the A4 tray below"},
    "certificate.status.paper_out": {
        "zh": "A4打印机缺纸，证明未能打印。证明编号已保留：工作人员加纸后可再次打印，也可在任一自助终端打印。",
        "en": "The A4 printer ran out of paper; your certificate number is kept: print it again when staff "
              "have refilled the printer, or at any terminal.",
    },
    "certificate.status.failed": {
        "zh": "证明未能打印。证明编号已保留，可再次打印或联系工作人员。",
        "en": "The certificate could not be printed. Your certificate number is kept: print it again or "
              "ask staff.",
    },
    "certificate.status.receipt_printed": {"zh": "凭条已打印，请取走", "en": "Receipt printed, please take it"},
    "certificate.status.receipt_failed": {"zh": "凭条未能打印", "en": "The receipt could not be printed"},
}
for _screen in ("enrolment", "contributions", "certificate_preview"):
    TEXTS.update({f"{_screen}.{key}": text for key, text in _PAGING.items()})
for _month, _name in enumerate(_MONTHS_EN, start=1):
    TEXTS[f"contributions.month.{_month}"] = {"zh": f"{_month}月", "en": _name}
for _screen in ("enrolment", "contributions"):
    TEXTS[f"{_screen}.print"] = _PRINT_THIS
    TEXTS[f"{_screen}.print_short"] = _PRINT_SHORT
