"""What every paper the kiosk prints says, built from back-office models.

Pure functions: the caller passes everything, including the clock (`now`), the header
from the config and the public verify URL, so the same inputs always give the same paper
and tests need no clock. The results are device-neutral layouts (`A4Document`,
`ReceiptLayout`); the drivers turn them into PDF or ESC/POS. Qt-free on purpose.

`now` is the terminal clock's (`kiosk.clock.TerminalClock.now()`): its zone, the terminal's
configured one, is the zone of every time on a receipt, so the printing time and a
submission time the back office sent in another offset agree with the hall's wall clock
whatever the host's zone.

Two guards run over every string of every paper, whoever built it, because callers and
back offices are not trusted to remember:

- outside text (names, employers, areas) becomes one plain line: markup stays literal,
  control and invisible characters go, newlines and runs of whitespace collapse to one
  space, so a hostile name can neither inject printer commands nor break the layout;
- anything shaped like a full 18-character social security number is masked.

Labels live here rather than in `kiosk.messages`: a receipt is print content with its own
short wording, not a screen message. The enum name helpers are complete for every member
so screens can reuse them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from devices.document.layout import A4Document, Table
from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text
from kiosk.contract import identifiers
from kiosk.contract.models import (Area, CertificateKind, CitizenSummary, ContributionStatus, EnrolmentStatus,
                                   InsuranceType, TransferStatus)

LANGUAGES = ("zh", "en")
HOTLINE = "12333"
NO_VALUE = "—"

_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_FULL_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PERIOD_SHAPE = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")
_CENT = Decimal("0.01")

# --- names of enum members (screens reuse these) ---------------------------------------

_INSURANCE_TYPE_NAMES = {
    InsuranceType.PENSION: {"zh": "基本养老保险", "en": "Basic pension insurance"},
    InsuranceType.MEDICAL: {"zh": "基本医疗保险", "en": "Basic medical insurance"},
    InsuranceType.UNEMPLOYMENT: {"zh": "失业保险", "en": "Unemployment insurance"},
    InsuranceType.WORK_INJURY: {"zh": "工伤保险", "en": "Work injury insurance"},
    InsuranceType.MATERNITY: {"zh": "生育保险", "en": "Maternity insurance"},
}
_INSURANCE_TYPE_SHORT_NAMES = {
    InsuranceType.PENSION: {"zh": "养老", "en": "Pension"},
    InsuranceType.MEDICAL: {"zh": "医疗", "en": "Medical"},
    InsuranceType.UNEMPLOYMENT: {"zh": "失业", "en": "Unemployment"},
    InsuranceType.WORK_INJURY: {"zh": "工伤", "en": "Work injury"},
    InsuranceType.MATERNITY: {"zh": "生育", "en": "Maternity"},
}
_ENROLMENT_STATUS_NAMES = {
    EnrolmentStatus.ACTIVE: {"zh": "参保缴费", "en": "Contributing"},
    EnrolmentStatus.SUSPENDED: {"zh": "暂停缴费", "en": "Suspended"},
    EnrolmentStatus.TERMINATED: {"zh": "终止参保", "en": "Terminated"},
    EnrolmentStatus.RETIRED: {"zh": "退休", "en": "Retired"},
    EnrolmentStatus.NOT_ENROLLED: {"zh": "未参保", "en": "Not enrolled"},
}
_CONTRIBUTION_STATUS_NAMES = {
    ContributionStatus.PAID: {"zh": "已缴", "en": "Paid"},
    ContributionStatus.OWED: {"zh": "欠缴", "en": "Owed"},
    ContributionStatus.DEFERRED: {"zh": "缓缴", "en": "Deferred"},
}
_TRANSFER_STATUS_NAMES = {
    TransferStatus.SUBMITTED: {"zh": "已提交，转入地受理中", "en": "Submitted, being accepted"},
    TransferStatus.CERTIFICATE_ISSUED: {"zh": "转出地已出具参保缴费凭证",
                                        "en": "Contribution certificate issued by the old office"},
    TransferStatus.ACCEPTANCE_SENT: {"zh": "转入地已发出接收函", "en": "Acceptance letter sent by the new office"},
    TransferStatus.FUNDS_TRANSFERRED: {"zh": "转出地已转移基金", "en": "Funds transferred by the old office"},
    TransferStatus.COMPLETED: {"zh": "转移完成", "en": "Transfer completed"},
    TransferStatus.REJECTED: {"zh": "未通过", "en": "Rejected"},
    TransferStatus.WITHDRAWN: {"zh": "已撤回", "en": "Withdrawn"},
}
_CERTIFICATE_KIND_NAMES = {
    CertificateKind.ENROLMENT: {"zh": "参保证明", "en": "Enrolment certificate"},
    CertificateKind.CONTRIBUTION: {"zh": "缴费明细证明", "en": "Contribution certificate"},
}

# --- receipt labels: the one place their wording lives ---------------------------------

RECEIPT_LABELS = {
    "zh": {
        "title.contributions": "缴费明细",
        "title.certificate": "参保证明打印",
        "title.transfer": "养老保险转移申请",
        "title.enrolment": "参保信息",
        "title.deferred": "本机受理凭证",
        "deferred.what.pension_transfer": "养老保险关系转移申请",
        "deferred.what.certificate": "参保证明开具申请",
        "deferred.item": "受理事项",
        "deferred.reference": "受理编号",
        "deferred.status": "本机已受理，尚未提交。网络恢复后将自动提交，无需再次办理。",
        "deferred.follow": "可在本机查询结果，或拨打12333告知受理编号。",
        "name": "姓名",
        "ssn": "社会保障号码",
        "time": "时间",
        "terminal": "终端编号",
        "period": "查询期间",
        "range": "{start} 至 {end}",
        "insurance_type": "险种",
        "all_types": "全部险种",
        "employer": "缴费单位",
        "personal_payer": "灵活就业人员（个人缴费）",
        "rows_header_type": "  险种",
        "rows_header_status": "状态",
        "rows_header_amount": "个人缴费",
        "rows_partial": "本页 {shown} 条，共 {total} 条；其余请在屏幕上翻页查看。",
        "no_rows": "查询期间内没有缴费记录。",
        "months_paid": "已缴月数",
        "months_owed": "欠缴月数",
        "months_deferred": "缓缴月数",
        "employer_total": "单位缴费合计（元）",
        "personal_total": "个人缴费合计（元）",
        "totals_note": "金额为已缴月份合计。",
        "explain_owed": "欠缴：应缴未缴，请尽快补缴。",
        "explain_deferred": "缓缴：经批准暂缓缴纳，在缓缴期满前补缴不影响个人权益。",
        "certificate_number": "证明编号",
        "certificate_kind": "证明类型",
        "certificate_period": "证明期间",
        "valid_until": "有效期至",
        "verification_code": "验证码",
        "qr_caption": "扫码核验证明真伪",
        "a4_result": "A4证明",
        "a4_printed": "已打印",
        "a4_not_printed": "未能打印",
        "a4_reprint": "A4证明未能打印，可凭证明编号到任一自助终端或服务窗口补打。",
        "application_number": "申请编号",
        "from_area": "转出地",
        "to_area": "转入地",
        "mobile": "联系电话",
        "status": "办理状态",
        "submitted_at": "提交时间",
        "next_step": "下一环节",
        "office.receiving": "转入地办理",
        "office.sending": "转出地办理",
        "office": "办理机构",
        "due_by": "应办结日期",
        "overdue": "该环节已超过办理时限，可拨打12333或到服务窗口咨询。",
        "step_limit": "每个环节一般在{days}个工作日内办结。",
        "no_return": "无需回原参保地办理，可凭申请编号查询进度。",
        "insured_area": "参保地",
        "first_insured": "  首次参保",
        "item_months_paid": "  累计缴费月数",
        "item_months_owed": "  欠缴月数",
        "item_months_deferred": "  缓缴月数",
        "item_grade": "  缴费档次",
        "item_area": "  统筹地区",
        "no_items": "未查询到参保记录。",
        "thanks": "谢谢使用  服务热线 12333",
    },
    "en": {
        "title.contributions": "Contributions",
        "title.certificate": "Certificate",
        "title.transfer": "Pension transfer",
        "title.enrolment": "Enrolment",
        "title.deferred": "Accepted by this kiosk",
        "deferred.what.pension_transfer": "Pension transfer application",
        "deferred.what.certificate": "Certificate request",
        "deferred.item": "Request",
        "deferred.reference": "Reference",
        "deferred.status": "Accepted by this terminal, not yet sent. It will be sent when the connection is "
                           "back; you need not apply again.",
        "deferred.follow": "Check the result at this kiosk, or call 12333 with the reference.",
        "name": "Name",
        "ssn": "Soc. sec. no.",
        "time": "Time",
        "terminal": "Terminal",
        "period": "Period",
        "range": "{start} to {end}",
        "insurance_type": "Insurance",
        "all_types": "All types",
        "employer": "Employer",
        "personal_payer": "Flexible worker (pays personally)",
        "rows_header_type": "  Type",
        "rows_header_status": "Status",
        "rows_header_amount": "Personal",
        "rows_partial": "{shown} of {total} rows on this page; see the screen for the rest.",
        "no_rows": "No contributions in this period.",
        "months_paid": "Months paid",
        "months_owed": "Months owed",
        "months_deferred": "Months deferred",
        "employer_total": "Employer part (CNY)",
        "personal_total": "Personal part (CNY)",
        "totals_note": "Amounts count paid months only.",
        "explain_owed": "Owed: due but not paid; please pay soon.",
        "explain_deferred": "Deferred: postponed with approval; paying before the deferral ends keeps your rights.",
        "certificate_number": "Certificate no.",
        "certificate_kind": "Kind",
        "certificate_period": "Period",
        "valid_until": "Valid until",
        "verification_code": "Verification code",
        "qr_caption": "Scan to verify the certificate",
        "a4_result": "A4 certificate",
        "a4_printed": "Printed",
        "a4_not_printed": "Not printed",
        "a4_reprint": "The A4 certificate could not be printed. Reprint it with the certificate no. "
                      "above at any kiosk or service counter.",
        "application_number": "Application no.",
        "from_area": "From",
        "to_area": "To",
        "mobile": "Mobile",
        "status": "Status",
        "submitted_at": "Submitted",
        "next_step": "Next step",
        "office.receiving": "New office",
        "office.sending": "Old office",
        "office": "Handled by",
        "due_by": "Due by",
        "overdue": "This step is overdue; call 12333 or ask at a service counter.",
        "step_limit": "Each step is normally done within {days} working days.",
        "no_return": "No need to go back to the old place; follow progress with the application no.",
        "insured_area": "Insured in",
        "first_insured": "  First insured",
        "item_months_paid": "  Months paid",
        "item_months_owed": "  Months owed",
        "item_months_deferred": "  Months deferred",
        "item_grade": "  Contribution grade",
        "item_area": "  Pooling area",
        "no_items": "No enrolment records found.",
        "thanks": "Thank you  Hotline 12333",
    },
}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown print language {language!r}; expected one of {LANGUAGES}")
    return language


def _name(table: dict, member, language: str) -> str:
    return table[member][check_language(language)]


def insurance_type_name(insurance_type: InsuranceType, language: str = "zh", *, short: bool = False) -> str:
    """基本养老保险 / Basic pension insurance; `short` gives 养老 / Pension for narrow columns."""
    return _name(_INSURANCE_TYPE_SHORT_NAMES if short else _INSURANCE_TYPE_NAMES, InsuranceType(insurance_type),
                 language)


def enrolment_status_name(status: EnrolmentStatus, language: str = "zh") -> str:
    return _name(_ENROLMENT_STATUS_NAMES, EnrolmentStatus(status), language)


def contribution_status_name(status: ContributionStatus, language: str = "zh") -> str:
    """已缴 / 欠缴 / 缓缴: the status in words, never only a colour."""
    return _name(_CONTRIBUTION_STATUS_NAMES, ContributionStatus(status), language)


def transfer_status_name(status: TransferStatus, language: str = "zh") -> str:
    return _name(_TRANSFER_STATUS_NAMES, TransferStatus(status), language)


def certificate_kind_name(kind: CertificateKind, language: str = "zh") -> str:
    return _name(_CERTIFICATE_KIND_NAMES, CertificateKind(kind), language)


# --- formatting ------------------------------------------------------------------------

def format_money(amount: Decimal) -> str:
    """`Decimal("1234.5")` -> `1,234.50`: thousands separator, always two places, half up like a cashier."""
    return f"{Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_period(period: str | None) -> str:
    """`202401` -> `2024-01`; anything not shaped like a period is shown as (plain) text, not guessed at."""
    if not period:
        return NO_VALUE
    text = plain_line(period)
    return f"{text[:4]}-{text[4:]}" if _PERIOD_SHAPE.match(text) else text


def format_period_zh(period: str) -> str:
    """`202401` -> `2024年01月`, for the certificate's sentences."""
    text = plain_line(period)
    return f"{text[:4]}年{text[4:]}月" if _PERIOD_SHAPE.match(text) else text


def format_date_zh(day: dt.date) -> str:
    """`2026-11-23` -> `2026年11月23日`: how dates are written on Chinese official papers."""
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"


def format_time(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """Receipt time, to the minute: in `zone` when given (a naive moment is UTC), else as it stands."""
    if zone is not None:
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M")


def paper_zone(now: dt.datetime) -> dt.tzinfo:
    """The zone every time on the paper is shown in: `now`'s, which the terminal clock set."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("a receipt needs the terminal clock's time (aware, in the terminal's zone), not a naive one")
    return now.tzinfo


def mask_full_ssns(text: str) -> str:
    """Mask anything shaped like a full 18-character ssn; already masked ones pass unchanged."""
    return _SSN_LIKE.sub(lambda match: identifiers.mask_ssn(match.group(0).upper()), text)


def printable(text: object) -> str:
    """The last guard over every string on paper: no line breaks or controls, no full ssn.

    Markup stays literal (paper has no markup). Unlike `plain_line` it keeps runs of
    spaces, which the receipts use to line up columns.
    """
    if text is None:
        return ""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category == "Cf":
            continue  # zero-width and bidi marks: invisible, and they can reorder what is read
        kept.append(" " if category in ("Cc", "Zl", "Zp") else char)
    return mask_full_ssns("".join(kept))


def plain_line(text: object) -> str:
    """Outside text (names, employers, areas) as one line: a newline in a name cannot break the layout."""
    return " ".join(printable(text).split())


def mask_name(name: str) -> str:
    """`张伟` -> `张*`: a receipt may be left in the tray, so it shows only the family name."""
    name = plain_line(name)
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def masked_mobile(mobile: str) -> str:
    mobile = plain_line(mobile)
    return identifiers.mask_mobile(mobile) if _FULL_MOBILE.match(mobile) else mobile


def columns(text: str) -> int:
    """Printed width: ASCII one column, anything else (the Chinese font) two, as on the printer."""
    return sum(1 if char.isascii() else 2 for char in text)


def pad_right(text: str, width: int) -> str:
    return text + " " * max(0, width - columns(text))


def pad_left(text: str, width: int) -> str:
    return " " * max(0, width - columns(text)) + text


def area_name(area: Area, language: str) -> str:
    return plain_line(area.name_en if language == "en" else area.name_zh)


# --- the guards over a finished paper --------------------------------------------------

def _guard_receipt(layout: ReceiptLayout) -> ReceiptLayout:
    """Every string on the receipt printable and ssn-free, whoever put it there."""
    blocks = []
    for block in layout.blocks:
        if isinstance(block, Text):
            block = dataclasses.replace(block, text=printable(block.text))
        elif isinstance(block, KeyValue):
            block = KeyValue(printable(block.label), printable(block.value))
        elif isinstance(block, QrCode):
            block = dataclasses.replace(block, payload=printable(block.payload), caption=printable(block.caption))
        blocks.append(block)
    return dataclasses.replace(layout, blocks=tuple(blocks))


def guard_document(document: A4Document) -> A4Document:
    """Every string on the certificate one plain line and ssn-free (the PDF has no columns to keep)."""
    clean = plain_line
    return dataclasses.replace(
        document,
        title=clean(document.title), subtitle=clean(document.subtitle), number=clean(document.number),
        fields=tuple((clean(label), clean(value)) for label, value in document.fields),
        tables=tuple(Table(clean(table.title), tuple(clean(column) for column in table.columns),
                           tuple(tuple(clean(cell) for cell in row) for row in table.rows))
                     for table in document.tables),
        statement=clean(document.statement), issuer=clean(document.issuer), issue_date=clean(document.issue_date),
        verification_code=clean(document.verification_code), qr_payload=clean(document.qr_payload),
        qr_caption=clean(document.qr_caption), notes=tuple(clean(note) for note in document.notes))


# --- the A4 certificate ----------------------------------------------------------------


# --- receipts --------------------------------------------------------------------------

def receipt_head(labels: dict[str, str], title: str, citizen: CitizenSummary, header: str, terminal_id: str,
                  now: dt.datetime) -> list:
    return [
        Text(plain_line(header), Align.CENTER, bold=True),
        Text(title, Align.CENTER, bold=True, large=True),
        Rule(),
        KeyValue(labels["name"], mask_name(citizen.name)),
        KeyValue(labels["ssn"], plain_line(citizen.ssn_masked)),
        KeyValue(labels["time"], format_time(now, paper_zone(now))),
        KeyValue(labels["terminal"], plain_line(terminal_id)),
        Rule(),
    ]


def receipt_foot(labels: dict[str, str]) -> list:
    return [Rule(), Text(labels["thanks"], Align.CENTER), Feed(1)]


def finish_receipt(blocks: list) -> ReceiptLayout:
    return _guard_receipt(ReceiptLayout(tuple(blocks)))


def service_receipt(citizen: CitizenSummary, title: str, body: list, *, header: str, terminal_id: str,
                    now: dt.datetime, language: str = "zh") -> ReceiptLayout:
    """A service's receipt: the shared head (masked name and ssn, time, terminal), its `body`
    blocks (devices.receipt.layout), the shared foot; checked like every receipt."""
    labels = RECEIPT_LABELS[check_language(language)]
    return finish_receipt(receipt_head(labels, plain_line(title), citizen, header, terminal_id, now) + list(body)
                   + receipt_foot(labels))


def deferred_receipt(citizen: CitizenSummary, kind: str, reference: str, *, header: str, terminal_id: str,
                     now: dt.datetime, language: str = "zh") -> ReceiptLayout:
    """A submission this terminal holds in its outbox: never "submitted", always the reference."""
    labels = RECEIPT_LABELS[check_language(language)]
    blocks = receipt_head(labels, labels["title.deferred"], citizen, header, terminal_id, now)
    blocks += [
        KeyValue(labels["deferred.item"], labels[f"deferred.what.{kind}"]),
        KeyValue(labels["deferred.reference"], plain_line(reference)),
        Text(labels["deferred.status"], bold=True),
        Text(labels["deferred.follow"]),
    ]
    return finish_receipt(blocks + receipt_foot(labels))


