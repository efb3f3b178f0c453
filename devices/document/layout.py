"""An A4 document (the certificate) as device-neutral content; the Qt renderer lays it out.

The kiosk's documents module builds one from a back-office certificate; a document
printer never sees a contract model. All text is plain text.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class A4Document:
    title: str                                   # 参保证明
    subtitle: str = ""                           # English title, or the period
    number: str = ""                             # certificate number, printed top right
    fields: tuple[tuple[str, str], ...] = ()     # label/value pairs: name, masked ssn, ...
    tables: tuple[Table, ...] = ()
    statement: str = ""                          # the certifying paragraph
    issuer: str = ""                             # issuing office (seal line)
    issue_date: str = ""                         # printed date, YYYY-MM-DD or 2026年11月23日
    verification_code: str = ""
    qr_payload: str = ""                         # URL or code the QR holds
    qr_caption: str = ""
    notes: tuple[str, ...] = ()                  # footer notes (validity, how to verify)
    seal_purpose: str = "业务专用章"              # the seal's horizontal line below its star
    seal_image: str = ""                         # the office's own seal image (PNG with transparency), if any

    def text_lines(self) -> list[str]:
        """Every string on the page, in reading order (tests compare pdftotext against it)."""
        lines = [self.title, self.subtitle, self.number]
        lines += [f"{label} {value}" for label, value in self.fields]
        for table in self.tables:
            lines.append(table.title)
            lines += [" ".join(table.columns)] + [" ".join(row) for row in table.rows]
        lines += [self.statement, self.issuer, self.issue_date, self.verification_code, self.qr_caption]
        lines += list(self.notes)
        return [line for line in lines if line]


def sample_certificate() -> A4Document:
    """A page with every element, for technicians' test prints and `kiosk diag print-certificate-sample`.

    Fictional and marked as a sample; the identifiers are masked like real ones.
    """
    return A4Document(
        title="社会保险参保证明（样张）",
        subtitle="Certificate of Social Insurance Enrolment (SAMPLE)",
        number="证明编号 SAMPLE-0000-0000",
        fields=(("姓名", "样*"), ("社会保障号码", "3201**********0000"), ("个人编号", "SAMPLE00"),
                ("证明期间", "2024-01 至 2026-10")),
        tables=(
            Table("参保情况", ("险种", "参保状态", "首次参保", "累计缴费月数"),
                  (("职工基本养老保险", "正常参保", "2006-07", "244"),
                   ("职工基本医疗保险", "正常参保", "2006-07", "244"),
                   ("失业保险", "正常参保", "2006-07", "244"),
                   ("工伤保险", "正常参保", "2010-01", "202"),
                   ("生育保险", "暂停参保", "2010-01", "180"))),
            Table("缴费明细", ("单位", "起止年月", "月数", "缴费基数"),
                  (("样例科技有限公司", "2024-01 至 2026-10", "34", "8,500.00"),)),
        ),
        statement="兹证明上述人员在本地参加社会保险情况如上。此为技术人员测试样张，不作为证明使用。",
        issuer="样例市社会保险事业管理中心",
        issue_date="2026年11月23日",
        verification_code="SAMPLE-VERIFY-CODE",
        qr_payload="https://verify.example.invalid/v1/certificates/SAMPLE-0000-0000?code=SAMPLE-VERIFY-CODE",
        qr_caption="扫码或登录网站输入验证码核验真伪",
        notes=("本证明自打印之日起三个月内有效。", "This is a test sample, not a certificate."),
    )
