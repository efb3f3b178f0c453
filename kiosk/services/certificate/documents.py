"""The certificate's A4 page (参保证明) and the receipt printed with it."""

from __future__ import annotations

import datetime as dt

from devices.document.layout import A4Document, Table
from devices.receipt.layout import KeyValue, QrCode, ReceiptLayout, Rule, Text
from kiosk.contract.models import Certificate, CertificateKind, CitizenSummary
from kiosk.documents import (PaperLabels, certificate_kind_name, enrolment_status_name, finish_receipt, format_date_zh, format_money, format_period, format_period_zh,
                             guard_document, insurance_type_name, plain_line, receipt_foot, receipt_head)
from kiosk.messages import MessageCatalog


def certificate_document(certificate: Certificate, verify_url: str, *, seal_image: str = "",
                         catalog: MessageCatalog | None = None) -> A4Document:
    """The A4 参保证明, in Chinese with the English title as subtitle.

    `verify_url` is the public verify base joined with `certificate.verify_path`; the QR
    holds it so anyone holding the paper can check it until valid-until. `seal_image`: the
    issuing office's own seal image file, if it has one configured; otherwise the seal is drawn.
    """
    content = certificate.content
    period = f"{format_period(certificate.period_from)} 至 {format_period(certificate.period_to)}"
    insurance = Table(
        "参保情况", ("险种", "参保状态", "首次参保", "累计缴费月数"),
        tuple((insurance_type_name(line.insurance_type, catalog=catalog), enrolment_status_name(line.status, catalog=catalog),
               format_period(line.first_insured), str(line.months_paid)) for line in content.insurance)
        or (("未查询到参保记录", "", "", ""),))
    period_rows = tuple((line.employer, f"{format_period(line.period_from)} 至 {format_period(line.period_to)}",
                         str(line.months), format_money(line.base)) for line in content.periods)
    if period_rows:
        period_rows += (("合计", "", str(sum(line.months for line in content.periods)), ""),)
    else:
        period_rows = (("证明期间内无缴费记录", "", "", ""),)
    periods = Table("缴费情况", ("单位", "起止年月", "月数", "缴费基数（元）"), period_rows)
    what = "参加社会保险及缴费" if certificate.kind == CertificateKind.CONTRIBUTION else "参加社会保险"
    statement = (f"兹证明上述人员在{format_period_zh(certificate.period_from)}至"
                 f"{format_period_zh(certificate.period_to)}期间{what}的情况如上表所列。"
                 "本证明由社会保险自助服务终端打印，真伪以扫码或验证码核验结果为准。")
    valid_until = certificate.valid_until
    return guard_document(A4Document(
        title=content.title_zh,
        subtitle=content.title_en,
        number=f"证明编号 {certificate.number}",
        fields=(("姓名", content.name), ("社会保障号码", content.ssn_masked), ("个人编号", content.personal_number),
                ("证明期间", period)),
        tables=(insurance, periods),
        statement=statement,
        issuer=content.issuing_office,
        seal_image=seal_image,
        issue_date=format_date_zh(content.print_date),
        verification_code=certificate.verification_code,
        qr_payload=verify_url,
        qr_caption="扫码或输入验证码核验真伪",
        notes=(f"本证明有效期至 {format_date_zh(valid_until)}，可扫码或凭验证码核验。",
               f"Valid until {valid_until.isoformat()}. Verify by scanning the QR code or entering the "
               "verification code.",
               "社会保障号码已作部分隐藏处理。"),
    ))


def certificate_receipt(citizen: CitizenSummary, certificate: Certificate, *, header: str, terminal_id: str,
                        now: dt.datetime, verify_url: str, printed_ok: bool, language: str = "zh",
                        catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """The certificate's number and verification code (also as a QR), and how to reprint it if the A4 failed.

    Without the A4 the receipt keeps only the number, for reprinting: the verification code
    and its QR open the certificate's check to whoever holds the slip, and a receipt left in
    the tray must not vouch for a paper that was never printed.
    """
    labels = PaperLabels(catalog, language)
    blocks = receipt_head(labels, labels["title.certificate"], citizen, header, terminal_id, now)
    blocks += [
        KeyValue(labels["certificate_number"], plain_line(certificate.number)),
        KeyValue(labels["certificate_kind"], certificate_kind_name(certificate.kind, language, catalog=catalog)),
        KeyValue(labels["certificate_period"], labels["range"].format(start=format_period(certificate.period_from),
                                                                      end=format_period(certificate.period_to))),
        KeyValue(labels["valid_until"], certificate.valid_until.isoformat()),
        KeyValue(labels["a4_result"], labels["a4_printed"] if printed_ok else labels["a4_not_printed"]),
    ]
    if printed_ok:
        blocks += [
            Rule(),
            QrCode(verify_url, caption=labels["qr_caption"]),
            KeyValue(labels["verification_code"], plain_line(certificate.verification_code)),
        ]
    else:
        blocks.append(Text(labels["a4_reprint"], bold=True))
    return finish_receipt(blocks + receipt_foot(labels))
