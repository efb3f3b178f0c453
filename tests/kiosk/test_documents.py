"""The printed papers, built from what the reference back office really answers.

Receipts go through the real ESC/POS encoder at 58 and 80 mm and are read back with the
decoder; the certificate goes through the real Qt PDF renderer and is read back with
pdftotext (text) and zbarimg (QR). The QR payloads are then fetched from the back
office's public verify endpoint, so a wrong URL fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from devices.document.certificate_pdf import render_pdf_bytes
from devices.interfaces import ReceiptPrinterCapabilities
from devices.receipt.escpos_decode import DecodedReceipt, decode_escpos
from devices.receipt.escpos_encoder import display_columns, encode_receipt
from devices.receipt.layout import QrCode, ReceiptLayout
from kiosk import documents
from kiosk.contract import identifiers, models
from kiosk.services.certificate.documents import certificate_document, certificate_receipt
from kiosk.services.contributions.receipt import contributions_receipt
from kiosk.services.enrolment.receipt import enrolment_receipt
from kiosk.services.pension_transfer.receipt import transfer_receipt

WIDE = ReceiptPrinterCapabilities(width_mm=80, columns=48, dots_per_line=576)
NARROW = ReceiptPrinterCapabilities(width_mm=58, columns=32, dots_per_line=384)
BOTH_WIDTHS = pytest.mark.parametrize("caps", [WIDE, NARROW], ids=["80mm", "58mm"])
CHINA = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 10, 5, 42, tzinfo=CHINA)
HEADER = "社会保险自助服务"
TERMINAL = "KIOSK-DEMO-0001"
HOSTILE_NAME = "张<b>x</b>\n<img src=x>\x1b@"
HOSTILE_EMPLOYER = "南京\r\n金陵<i>软件</i>\x1b@\tCo."


@dataclasses.dataclass(frozen=True)
class Person:
    """One demo citizen as the kiosk sees them after a session, plus the full ssn to look for."""

    ssn: str
    citizen: models.CitizenSummary
    enrolment: models.Enrolment
    contributions: models.ContributionPage


@dataclasses.dataclass(frozen=True)
class RealData:
    people: dict[str, Person]
    certificate: models.Certificate
    verify_url: str
    overdue_transfer: models.PensionTransfer   # zhou_jie's, one step overdue
    new_transfer: models.PensionTransfer       # chen_jing's, filed here


@pytest.fixture(scope="module")
def real(backoffice_launcher) -> RealData:
    """Models from a real back office of our own (issuing and filing change its state)."""
    backoffice = backoffice_launcher()
    people = {}
    ranges = {"liu_yang": {"from": "202204", "to": "202212"}}  # the 2022 deferral
    extra = {}
    for key in ("zhang_wei", "wang_fang", "liu_yang", "zhou_jie", "chen_jing"):
        demo = backoffice.citizen(key)
        client = backoffice.client()
        client.open_card_session(demo)
        enrolment = models.Enrolment.model_validate(client.get("/v1/me/enrolment").json())
        page = client.get("/v1/me/contributions", params=ranges.get(key, {}))
        assert page.status_code == 200, page.text
        people[key] = Person(demo.ssn, enrolment.citizen, enrolment,
                             models.ContributionPage.model_validate(page.json()))
        if key == "zhang_wei":
            issued = client.post("/v1/me/certificates", headers={"Idempotency-Key": "documents-test-cert-0001"},
                                 json={"kind": "enrolment", "period_from": "201501", "period_to": "202610"})
            assert issued.status_code == 201, issued.text
            extra["certificate"] = models.Certificate.model_validate(issued.json())
        elif key == "zhou_jie":
            listed = models.PensionTransferList.model_validate(client.get("/v1/me/pension-transfers").json())
            extra["overdue_transfer"] = listed.items[0]
        elif key == "chen_jing":
            filed = client.post("/v1/me/pension-transfers", headers={"Idempotency-Key": "documents-test-transfer-1"},
                                json={"from_region": "440100", "contact_mobile": demo.mobile})
            assert filed.status_code == 201, filed.text
            extra["new_transfer"] = models.PensionTransfer.model_validate(filed.json())
    certificate = extra["certificate"]
    return RealData(people, certificate, backoffice.base_url + certificate.verify_path,
                    extra["overdue_transfer"], extra["new_transfer"])


def printed(layout: ReceiptLayout, caps=WIDE) -> DecodedReceipt:
    """The receipt as a printer at `caps` would put it on paper, checked for stray commands."""
    decoded = decode_escpos(encode_receipt(layout, caps))
    assert decoded.unknown == [] and decoded.initialisations == 1 and decoded.cuts == 1
    for line in decoded.styled_lines:
        width = caps.columns // 2 if line.double_width else caps.columns
        assert display_columns(line.text) <= width, line
    return decoded


def paper_text(decoded: DecodedReceipt) -> str:
    return decoded.render_text()


def assert_no_full_ssn(text: str, ssn: str) -> None:
    assert ssn not in text
    assert ssn[6:14] not in text  # the birth date, the part masking exists to hide


def receipts_of(real: RealData, language: str = "zh") -> dict[str, tuple[Person, ReceiptLayout]]:
    common = {"header": HEADER, "terminal_id": TERMINAL, "now": NOW, "language": language}
    zhang, wang, zhou = real.people["zhang_wei"], real.people["wang_fang"], real.people["zhou_jie"]
    return {
        "contributions": (wang, contributions_receipt(wang.citizen, wang.contributions, **common)),
        "certificate": (zhang, certificate_receipt(zhang.citizen, real.certificate,
                                                             verify_url=real.verify_url, printed_ok=True, **common)),
        "transfer": (zhou, transfer_receipt(zhou.citizen, real.overdue_transfer, **common)),
        "enrolment": (wang, enrolment_receipt(wang.citizen, wang.enrolment, **common)),
    }


# --- every receipt, both widths, both languages ----------------------------------------

@BOTH_WIDTHS
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", ["contributions", "certificate", "transfer", "enrolment"])
def test_every_receipt_prints_the_common_facts_and_never_the_full_ssn(real, caps, language, kind) -> None:
    person, layout = receipts_of(real, language)[kind]
    decoded = printed(layout, caps)
    text = paper_text(decoded)
    lines = decoded.lines
    assert lines[0].strip() == HEADER and decoded.styled_lines[0].bold
    assert decoded.styled_lines[1].double_width  # the transaction title
    assert person.citizen.ssn_masked in text and identifiers.mask_ssn(person.ssn) == person.citizen.ssn_masked
    assert "2026-11-23 10:05" in text and TERMINAL in text
    assert person.citizen.name not in text and person.citizen.name[0] + "*" in text
    assert "12333" in [line for line in lines if line][-1] and decoded.paper[-1] == "[cut]"
    assert_no_full_ssn(text, person.ssn)
    assert_no_full_ssn(layout.plain_text(), person.ssn)
    if language == "en":
        assert "Soc. sec. no." in text and "社会保障号码" not in text and "Thank you" in text
    else:
        assert "社会保障号码" in text and "谢谢使用" in text


def test_receipts_are_pure_functions_of_their_inputs(real) -> None:
    assert receipts_of(real) == receipts_of(real)
    wang = real.people["wang_fang"]
    later = contributions_receipt(wang.citizen, wang.contributions, header=HEADER, terminal_id=TERMINAL,
                                            now=NOW + dt.timedelta(hours=2))
    assert "2026-11-23 12:05" in later.plain_text() and "10:05" not in later.plain_text()


def test_an_unknown_language_is_refused_not_guessed(real) -> None:
    wang = real.people["wang_fang"]
    with pytest.raises(ValueError, match="fr"):
        enrolment_receipt(wang.citizen, wang.enrolment, header=HEADER, terminal_id=TERMINAL, now=NOW,
                                    language="fr")


# --- contributions -------------------------------------------------------------------

def month_rows(decoded: DecodedReceipt, status_word: str) -> list[str]:
    return [line for line in decoded.lines if line.startswith("  ") and f" {status_word} " in line]


@BOTH_WIDTHS
def test_owed_months_are_marked_in_words_with_totals_and_an_explanation(real, caps) -> None:
    wang = real.people["wang_fang"]
    page = wang.contributions
    decoded = printed(contributions_receipt(wang.citizen, page, header=HEADER, terminal_id=TERMINAL,
                                                      now=NOW), caps)
    text = paper_text(decoded)
    owed_rows = [row for row in page.rows if row.status == models.ContributionStatus.OWED]
    assert page.totals.months_owed == 5 and len(owed_rows) == 10  # pension and medical, five months
    assert len(month_rows(decoded, "欠缴")) == len(owed_rows)
    assert len(month_rows(decoded, "已缴")) == len(page.rows) - len(owed_rows)
    newest = page.rows[0]
    assert f"{newest.period[:4]}-{newest.period[4:]}" in decoded.lines
    assert documents.format_money(newest.personal_part) in text
    assert "灵活就业人员（个人缴费）" in text  # the payer: she pays personally
    assert f"{documents.format_period(page.period_from)} 至 {documents.format_period(page.period_to)}" in text
    totals = {line.split()[0]: line.split()[-1] for line in decoded.lines if line and not line.startswith(" ")}
    assert totals["已缴月数"] == "6" and totals["欠缴月数"] == "5" and totals["缓缴月数"] == "0"
    assert totals["个人缴费合计（元）"] == documents.format_money(page.totals.personal_part) == "11,612.76"
    assert any(line.startswith("欠缴：") for line in decoded.lines)
    assert not any(line.startswith("缓缴：") for line in decoded.lines)


def test_deferred_months_are_marked_and_explained(real) -> None:
    liu = real.people["liu_yang"]
    page = liu.contributions
    decoded = printed(contributions_receipt(liu.citizen, page, header=HEADER, terminal_id=TERMINAL,
                                                      now=NOW), NARROW)
    deferred = [row for row in page.rows if row.status == models.ContributionStatus.DEFERRED]
    assert page.totals.months_deferred == 9 and deferred
    assert len(month_rows(decoded, "缓缴")) == len(deferred)
    assert any(line.startswith("缓缴：") for line in decoded.lines)
    assert "南京秦淮人家餐饮管理有限公司" in paper_text(decoded)
    english = paper_text(printed(contributions_receipt(liu.citizen, page, header=HEADER,
                                                                 terminal_id=TERMINAL, now=NOW, language="en"),
                                 NARROW))
    assert "Deferred" in english and "Deferred: postponed with" in english


def test_a_partial_page_says_how_many_rows_the_screen_holds(real) -> None:
    zhang = real.people["zhang_wei"]
    page = zhang.contributions
    assert page.total_rows > len(page.rows)
    text = contributions_receipt(zhang.citizen, page, header=HEADER, terminal_id=TERMINAL,
                                           now=NOW).plain_text()
    assert f"本页 {len(page.rows)} 条，共 {page.total_rows} 条" in text
    assert "南京金陵软件科技有限公司" in text


def test_month_rows_line_up_in_columns(real) -> None:
    wang = real.people["wang_fang"]
    decoded = printed(contributions_receipt(wang.citizen, wang.contributions, header=HEADER,
                                                      terminal_id=TERMINAL, now=NOW), NARROW)
    rows = month_rows(decoded, "欠缴") + month_rows(decoded, "已缴")
    assert {display_columns(row) for row in rows} == {NARROW.columns}  # amounts end at the right edge
    assert len({display_columns(row.split("缴")[0]) for row in rows}) == 1  # status words start together


# --- certificate ---------------------------------------------------------------------

@BOTH_WIDTHS
def test_certificate_receipt_qr_opens_the_public_verification(real, caps) -> None:
    zhang = real.people["zhang_wei"]
    certificate = real.certificate
    decoded = printed(certificate_receipt(zhang.citizen, certificate, header=HEADER, terminal_id=TERMINAL,
                                                    now=NOW, verify_url=real.verify_url, printed_ok=True), caps)
    text = paper_text(decoded)
    assert decoded.qr_payloads == [real.verify_url]
    assert certificate.number in text and certificate.verification_code in text
    assert certificate.valid_until.isoformat() in text and "参保证明" in text
    assert "2015-01 至 2026-10" in text and "已打印" in text and "补打" not in text
    answer = requests.get(decoded.qr_payloads[0], timeout=10)
    assert answer.status_code == 200, answer.text
    verified = models.CertificateVerification.model_validate(answer.json())
    assert verified.valid and verified.number == certificate.number


@pytest.mark.parametrize("language, words", [("zh", ("未能打印", "补打")), ("en", ("Not printed", "Reprint"))])
def test_certificate_receipt_says_how_to_reprint_when_the_a4_failed(real, language, words) -> None:
    zhang = real.people["zhang_wei"]
    layout = certificate_receipt(zhang.citizen, real.certificate, header=HEADER, terminal_id=TERMINAL,
                                           now=NOW, verify_url=real.verify_url, printed_ok=False, language=language)
    decoded = printed(layout, NARROW)
    text = paper_text(decoded)
    assert all(word in text for word in words) and real.certificate.number in text
    # The number is for reprinting; the slip vouches for no paper: no verification code, no QR.
    assert decoded.qr_payloads == [] and not any(isinstance(block, QrCode) for block in layout.blocks)
    assert real.certificate.verification_code not in text and real.certificate.verification_code not in \
        layout.plain_text()
    assert real.verify_url not in layout.plain_text()
    assert ("验证码" if language == "zh" else "Verification code") not in text


def certificate_pdf(document, directory: Path) -> Path:
    data, pages = render_pdf_bytes(document)
    assert data.startswith(b"%PDF") and pages >= 1
    path = directory / "certificate.pdf"
    path.write_bytes(data)
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=30).stdout


def pdf_qr_payloads(path: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(path.with_suffix(""))], check=True, timeout=60)
    found = []
    for image in sorted(path.parent.glob(path.stem + "-*.png")):
        scan = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True, timeout=30)
        found += [line for line in scan.stdout.splitlines() if line]
    return found


def test_certificate_pdf_carries_the_facts_and_a_scannable_qr(real, tmp_path) -> None:
    zhang = real.people["zhang_wei"]
    certificate = real.certificate
    document = certificate_document(certificate, real.verify_url)
    path = certificate_pdf(document, tmp_path)
    text = pdf_text(path)
    for fact in ("南京市社会保险个人参保证明", "张伟", zhang.citizen.ssn_masked, certificate.content.personal_number,
                 certificate.number, certificate.verification_code, "南京市社会保险管理中心",
                 "2015-01 至 2026-10", "基本养老保险", "参保缴费", "南京金陵软件科技有限公司", "6,119.00"):
        assert fact in text, fact
    valid = certificate.valid_until
    assert f"本证明有效期至 {valid.year}年{valid.month:02d}月{valid.day:02d}日，可扫码或凭验证码核验。" in text
    assert_no_full_ssn(text, zhang.ssn)
    assert pdf_qr_payloads(path) == [real.verify_url]


def test_certificate_document_content(real) -> None:
    certificate = real.certificate
    document = certificate_document(certificate, real.verify_url)
    content = certificate.content
    assert document.title == content.title_zh and document.subtitle == content.title_en
    assert dict(document.fields) == {"姓名": "张伟", "社会保障号码": content.ssn_masked,
                                     "个人编号": content.personal_number, "证明期间": "2015-01 至 2026-10"}
    insurance, periods = document.tables
    assert [row[0] for row in insurance.rows] == [documents.insurance_type_name(line.insurance_type)
                                                  for line in content.insurance]
    assert insurance.rows[0] == ("基本养老保险", "参保缴费", "2006-11", "240")
    assert periods.columns == ("单位", "起止年月", "月数", "缴费基数（元）")
    assert periods.rows[0][1:] == ("2015-01 至 2015-12", "12", "6,119.00")
    assert periods.rows[-1] == ("合计", "", str(sum(line.months for line in content.periods)), "")
    assert document.qr_payload == real.verify_url and document.verification_code == certificate.verification_code
    assert document.issue_date == documents.format_date_zh(content.print_date)
    assert document.issuer == "南京市社会保险管理中心"


# --- transfer and enrolment -------------------------------------------------------------

@BOTH_WIDTHS
def test_transfer_receipt_tells_where_it_stands_and_what_comes_next(real, caps) -> None:
    zhou = real.people["zhou_jie"]
    transfer = real.overdue_transfer
    text = paper_text(printed(transfer_receipt(zhou.citizen, transfer, header=HEADER,
                                                         terminal_id=TERMINAL, now=NOW), caps))
    current = next(step for step in transfer.steps if step.state == models.StepState.CURRENT)
    assert transfer.id in text and "杭州市" in text and "南京市" in text
    assert transfer.contact_mobile_masked in text and "0008" in text and "13912340008" not in text
    assert documents.transfer_status_name(transfer.status) in text
    assert transfer.created_at.strftime("%Y-%m-%d %H:%M") in text
    assert current.title_zh in text and current.due_by.isoformat() in text
    assert current.overdue and "已超过办理时限" in text
    assert "15个工作日" in text and "无需回原参保地" in text


def test_a_new_transfer_receipt_names_the_first_step(real) -> None:
    chen = real.people["chen_jing"]
    transfer = real.new_transfer
    assert transfer.status == models.TransferStatus.SUBMITTED
    for language, origin in (("zh", "广州市"), ("en", "Guangzhou")):
        text = paper_text(printed(transfer_receipt(chen.citizen, transfer, header=HEADER,
                                                             terminal_id=TERMINAL, now=NOW, language=language),
                                  NARROW))
        upcoming = next(step for step in transfer.steps if step.state in ("current", "pending"))
        assert (upcoming.title_en if language == "en" else upcoming.title_zh) in " ".join(text.split())  # may wrap
        assert transfer.id in text and origin in text and "139****0004" in text
        assert "超过" not in text and "overdue" not in text


def test_an_ended_transfer_shows_its_reason_and_no_next_step(real) -> None:
    ended = real.overdue_transfer.model_copy(update={
        "status": models.TransferStatus.REJECTED, "status_reason_zh": "转出地查无参保记录",
        "status_reason_en": "No records at the old office",
        "steps": [step.model_copy(update={"state": models.StepState.STOPPED if step.state != "done" else "done"})
                  for step in real.overdue_transfer.steps]})
    text = transfer_receipt(real.people["zhou_jie"].citizen, ended, header=HEADER, terminal_id=TERMINAL,
                                      now=NOW).plain_text()
    assert "未通过" in text and "转出地查无参保记录" in text and "下一环节" not in text


@BOTH_WIDTHS
def test_enrolment_receipt_lists_every_type_with_owed_months(real, caps) -> None:
    wang = real.people["wang_fang"]
    decoded = printed(enrolment_receipt(wang.citizen, wang.enrolment, header=HEADER, terminal_id=TERMINAL,
                                                  now=NOW), caps)
    text = paper_text(decoded)
    for item in wang.enrolment.items:
        name = documents.insurance_type_name(item.insurance_type)
        line = next(line for line in decoded.lines if line.startswith(name))
        assert line.endswith(documents.enrolment_status_name(item.status))
    assert "暂停缴费" in text and "315" in text and "60%" in text
    assert sum(1 for line in decoded.lines if line.strip().startswith("欠缴月数")) == 2
    assert "缓缴月数" not in text  # only when there are any
    assert "欠缴：" in text


# --- hostile and careless input ---------------------------------------------------------

def hostile_citizen(real: RealData) -> models.CitizenSummary:
    data = real.people["wang_fang"].citizen.model_dump(mode="json")
    return models.CitizenSummary.model_validate({**data, "name": HOSTILE_NAME})


@BOTH_WIDTHS
def test_markup_and_control_characters_print_as_plain_text(real, caps) -> None:
    page = real.people["liu_yang"].contributions.model_dump(mode="json")
    page["rows"] = [{**row, "employer": HOSTILE_EMPLOYER} for row in page["rows"]]
    layout = contributions_receipt(hostile_citizen(real), models.ContributionPage.model_validate(page),
                                             header="社会保险\n自助服务", terminal_id=TERMINAL, now=NOW)
    decoded = printed(layout, caps)  # one ESC @, no unknown command: the \x1b@ in the text stayed text
    assert any(line.endswith(" 南京 金陵<i>软件</i> @ Co.") for line in decoded.lines)  # literal, on one line
    assert decoded.lines[0].strip() == "社会保险 自助服务"
    assert "张" + "*" * (len(documents.plain_line(HOSTILE_NAME)) - 1) in paper_text(decoded)
    assert all("\x1b" not in line for line in decoded.lines)

    transfer = real.overdue_transfer.model_dump(mode="json")
    transfer["from_area"]["name_zh"] = "<script>杭州</script>\n市"
    text = paper_text(printed(transfer_receipt(hostile_citizen(real),
                                                         models.PensionTransfer.model_validate(transfer),
                                                         header=HEADER, terminal_id=TERMINAL, now=NOW), caps))
    assert "<script>杭州</script> 市" in text


def test_markup_on_the_certificate_is_drawn_literally(real, tmp_path) -> None:
    raw = real.certificate.model_dump(mode="json")
    raw["content"]["name"] = HOSTILE_NAME
    raw["content"]["periods"][0]["employer"] = HOSTILE_EMPLOYER
    document = certificate_document(models.Certificate.model_validate(raw), real.verify_url)
    assert dict(document.fields)["姓名"] == "张<b>x</b> <img src=x> @"
    assert document.tables[1].rows[0][0] == "南京 金陵<i>软件</i> @ Co."
    text = pdf_text(certificate_pdf(document, tmp_path))
    assert "<b>x</b>" in text and "<img src=x>" in text and "<i>软件</i>" in text


def test_a_full_ssn_from_a_careless_back_office_is_masked_on_every_paper(real) -> None:
    wang = real.people["wang_fang"]
    ssn = wang.ssn
    citizen = wang.citizen.model_copy(update={"ssn_masked": ssn, "name": f"王芳 {ssn}"})
    receipt = enrolment_receipt(citizen, wang.enrolment, header=HEADER, terminal_id=TERMINAL, now=NOW)
    text = paper_text(printed(receipt, NARROW))
    assert_no_full_ssn(text, ssn)
    assert identifiers.mask_ssn(ssn) in text

    transfer = real.overdue_transfer.model_copy(update={"status_reason_zh": f"号码 {ssn.lower()} 有误",
                                                        "contact_mobile_masked": "13912340002"})
    text = transfer_receipt(citizen, transfer, header=HEADER, terminal_id=TERMINAL, now=NOW).plain_text()
    assert_no_full_ssn(text.upper(), ssn)
    assert "139****0002" in text and "13912340002" not in text

    raw = real.certificate.model_dump(mode="json")
    raw["content"]["ssn_masked"] = ssn
    document = certificate_document(models.Certificate.model_validate(raw), real.verify_url)
    assert dict(document.fields)["社会保障号码"] == identifiers.mask_ssn(ssn)
    assert all(ssn not in line for line in document.text_lines())


def test_every_qr_on_a_receipt_is_the_verify_url_only(real) -> None:
    zhang = real.people["zhang_wei"]
    layout = certificate_receipt(zhang.citizen, real.certificate, header=HEADER, terminal_id=TERMINAL,
                                           now=NOW, verify_url=real.verify_url, printed_ok=True, language="en")
    assert [block.payload for block in layout.blocks if isinstance(block, QrCode)] == [real.verify_url]


# --- names and formats the screens reuse --------------------------------------------------

NAMED_ENUMS = [
    (models.InsuranceType, documents.insurance_type_name),
    (models.EnrolmentStatus, documents.enrolment_status_name),
    (models.ContributionStatus, documents.contribution_status_name),
    (models.TransferStatus, documents.transfer_status_name),
    (models.CertificateKind, documents.certificate_kind_name),
]


@pytest.mark.parametrize("enum, name_of", NAMED_ENUMS, ids=[enum.__name__ for enum, _ in NAMED_ENUMS])
@pytest.mark.parametrize("language", documents.LANGUAGES)
def test_every_enum_member_has_a_distinct_name_in_each_language(enum, name_of, language) -> None:
    names = [name_of(member, language) for member in enum]
    assert all(names) and len(set(names)) == len(names)
    for name in names:
        assert name.isascii() if language == "en" else not name.isascii(), name
    if enum is models.InsuranceType:
        short = [documents.insurance_type_name(member, language, short=True) for member in enum]
        assert all(short) and len(set(short)) == len(short)
        assert all(len(name) < len(full) for name, full in zip(short, names))


def test_the_names_the_design_asks_for() -> None:
    assert [documents.enrolment_status_name(status) for status in models.EnrolmentStatus] == [
        "参保缴费", "暂停缴费", "终止参保", "退休", "未参保"]
    assert [documents.contribution_status_name(status) for status in models.ContributionStatus] == [
        "已缴", "欠缴", "缓缴"]
    assert documents.insurance_type_name("pension") == "基本养老保险"
    with pytest.raises(ValueError):
        documents.insurance_type_name(models.InsuranceType.PENSION, "fr")


@pytest.mark.parametrize("amount, text", [
    (Decimal("1234.5"), "1,234.50"), (Decimal("0"), "0.00"), (Decimal("1234567.895"), "1,234,567.90"),
    (Decimal("-12.3"), "-12.30"), (Decimal("999.994"), "999.99"), (Decimal("15791.00"), "15,791.00"),
])
def test_format_money(amount, text) -> None:
    assert documents.format_money(amount) == text


def test_format_periods_and_dates() -> None:
    assert documents.format_period("202401") == "2024-01"
    assert documents.format_period(None) == documents.NO_VALUE
    assert documents.format_period("2024\n13") == "2024 13"  # not a period: shown, not guessed
    assert documents.format_period_zh("202610") == "2026年10月"
    assert documents.format_date_zh(dt.date(2026, 11, 23)) == "2026年11月23日"
    assert documents.format_date_zh(dt.date(2027, 2, 3)) == "2027年02月03日"
    assert documents.format_time(NOW) == "2026-11-23 10:05"


def test_plain_line_collapses_breaks_and_drops_invisible_characters() -> None:
    assert documents.plain_line("  张\u200b伟\n\t<b>\u2028x\x00 ") == "张伟 <b> x"
    assert documents.plain_line(None) == ""
    assert documents.mask_name("李秀英") == "李**" and documents.mask_name("张") == "*"


def test_the_module_is_qt_free() -> None:
    code = ("import sys, kiosk.documents; "
            "sys.exit(sorted(m for m in sys.modules if m.startswith(('PySide6', 'escpos'))) != [])")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONSTARTUP"}
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
