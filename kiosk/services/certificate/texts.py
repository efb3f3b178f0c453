"""Texts (zh/en) of the certificate screens (参保证明: choose, preview, done) and its messages."""

from kiosk.texts.paging import paging_texts

TEXTS: dict[str, dict[str, str]] = {
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
    # --- messages ------------------------------------------------------------------------
    "message.certificate_deferred.title": {
        "zh": "本机已受理，稍后出具",
        "en": "Accepted by this kiosk, to be issued later",
    },
    "message.certificate_deferred.body": {
        "zh": "暂时连不上社保经办系统。本机已受理您的参保证明申请，网络恢复后会自动提交，不需要再次申请。"
              "之后再来时，在“打印参保证明”的“已开具的证明”中可以打印。请取走回执，受理编号是：",
        "en": "The social insurance system cannot be reached right now. This kiosk has accepted your request and "
              "will send it when the connection is back; you need not ask again. Next time, print it from "
              "\"Earlier certificates\" under Certificate. Please take your receipt. Your reference is:",
    },
    # --- receipt (documents.py) ---------------------------------------------------------------
    "receipt.title.certificate": {"zh": "参保证明打印", "en": "Certificate"},
    "receipt.certificate_number": {"zh": "证明编号", "en": "Certificate no."},
    "receipt.certificate_kind": {"zh": "证明类型", "en": "Kind"},
    "receipt.certificate_period": {"zh": "证明期间", "en": "Period"},
    "receipt.valid_until": {"zh": "有效期至", "en": "Valid until"},
    "receipt.verification_code": {"zh": "验证码", "en": "Verification code"},
    "receipt.qr_caption": {"zh": "扫码核验证明真伪", "en": "Scan to verify the certificate"},
    "receipt.a4_result": {"zh": "A4证明", "en": "A4 certificate"},
    "receipt.a4_printed": {"zh": "已打印", "en": "Printed"},
    "receipt.a4_not_printed": {"zh": "未能打印", "en": "Not printed"},
    "receipt.a4_reprint": {
        "zh": "A4证明未能打印，可凭证明编号到任一自助终端或服务窗口补打。",
        "en": "The A4 certificate could not be printed. Reprint it with the certificate no. above at any kiosk or service counter.",
    },
}
TEXTS.update(paging_texts("certificate_preview"))
