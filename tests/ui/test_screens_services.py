"""Service screens: enrolment, contributions, certificate (choose, preview, done).

Each screen is laid out at both panel sizes, in both languages, normal and elder mode,
with realistic back-office data, and checked for clipping, target sizes, plain text and
the facts it must show; intents are checked by clicking and by keys.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk import documents
from kiosk.config import load_settings
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent, Screen
from tests.ui.conftest import lay_out
from tests.ui.screen_checks import all_texts, clipped_widgets, rich_text_labels, small_targets
from ui.services.certificate.screens import CertificateDoneScreen, CertificatePreviewScreen, CertificateScreen
from ui.services.contributions.screens import ContributionsScreen
from ui.screens.service_frame import IconText
from ui.services.enrolment.screens import EnrolmentScreen
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from kiosk.services.certificate import CertificateIntent, CertificateRange, CertificateScreens, CertificateView
from kiosk.services.contributions import ContributionsIntent, ContributionsScreens, ContributionsView
from kiosk.services.enrolment import EnrolmentScreens, EnrolmentView
from kiosk.services.certificate.documents import certificate_document

SIZES = [(1920, 1080), (1280, 1024)]
VARIANTS = [(size, lang, elder) for size in SIZES for lang in ("zh", "en") for elder in (False, True)]
VARIANT_IDS = [f"{w}x{h}-{lang}-{'elder' if elder else 'normal'}" for (w, h), lang, elder in VARIANTS]
ROWS_PER_PAGE = {False: 6, True: 4}   # what the flow machine asks the back office for (kiosk/flow.py)
HOSTILE = "<b>x</b><img src=x>"
FULL_SSN = "320102198001010018"

NANJING = {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"}
SUZHOU = {"code": "320500", "name_zh": "苏州市", "name_en": "Suzhou"}


# --- realistic back-office data ------------------------------------------------------------

def citizen(name: str = "张伟", payer_kind: str = "employer") -> models.CitizenSummary:
    return models.CitizenSummary.model_validate({
        "name": name, "ssn_masked": "3201**********0018", "card_number_masked": "A0****019",
        "personal_number": "P00012345", "sex": "M", "insured_area": NANJING, "retired": False,
        "payer_kind": payer_kind})


def enrolment_employee() -> models.Enrolment:
    items = [{"insurance_type": t, "status": "active", "first_insured": "200407", "months_paid": 244,
              "pooling_area": NANJING, "payer_kind": "employer"}
             for t in ("pension", "medical", "unemployment", "work_injury", "maternity")]
    items[2].update(status="suspended", months_owed=3)
    items[3].update(status="terminated", first_insured="201003", months_paid=37, pooling_area=SUZHOU)
    items[4].update(months_deferred=9)
    return models.Enrolment.model_validate({"citizen": citizen().model_dump(), "items": items})


def enrolment_flexible() -> models.Enrolment:
    items = [{"insurance_type": t, "status": "active", "first_insured": "201201", "months_paid": 161,
              "months_owed": 5, "pooling_area": NANJING, "payer_kind": "personal", "contribution_grade": "60%"}
             for t in ("pension", "medical")]
    return models.Enrolment.model_validate({"citizen": citizen("李秀英", "personal").model_dump(), "items": items})


def enrolment_worst() -> models.Enrolment:
    """All five types owed and deferred and paid personally: the most lines a summary can have."""
    items = [{"insurance_type": t, "status": "not_enrolled" if t == "maternity" else "active",
              "first_insured": None if t == "maternity" else "199807", "months_paid": 312, "months_owed": 12,
              "months_deferred": 9, "pooling_area": SUZHOU, "payer_kind": "personal", "contribution_grade": "300%"}
             for t in ("pension", "medical", "unemployment", "work_injury", "maternity")]
    return models.Enrolment.model_validate({"citizen": citizen().model_dump(), "items": items})


def contribution_rows(count: int, *, employer: str | None = "南京秦淮人家餐饮管理有限公司",
                      statuses=("paid", "deferred", "owed"), insurance_type: str | None = None) -> list[dict]:
    types = ("pension", "medical", "unemployment", "work_injury", "maternity")
    rows = []
    for i in range(count):
        kind = insurance_type or types[i % 5]
        rows.append({
            "period": f"2025{12 - i // 5:02d}", "insurance_type": kind, "employer": employer,
            "payer_kind": "employer" if employer else "personal", "base": "12345.00",
            "employer_part": "2469.00" if employer else "0.00", "personal_part": "987.60",
            "status": statuses[i % len(statuses)]})
    return rows


def contribution_page(rows: list[dict], *, total_rows: int = 60, page: int = 1, insurance_type=None,
                      months=(9, 2, 1)) -> models.ContributionPage:
    return models.ContributionPage.model_validate({
        "period_from": "202501", "period_to": "202512", "insurance_type": insurance_type, "page": page,
        "page_size": len(rows), "total_rows": total_rows, "rows": rows,
        "totals": {"months_paid": months[0], "months_owed": months[1], "months_deferred": months[2],
                   "employer_part": "22221.00", "personal_part": "8888.40"}})


def contributions_state(lang: str = "zh", elder: bool = False, *, rows: list[dict] | None = None,
                        page_number: int = 2, page_count: int = 3, insurance_type=None, print_status: str = "",
                        years=tuple(range(2025, 2003, -1))) -> FlowState:
    if rows is None:
        rows = contribution_rows(ROWS_PER_PAGE[elder] - 1) + contribution_rows(1, employer=None)
    view = ContributionsView(years=years, year=2025, insurance_type=insurance_type,
                             page=contribution_page(rows, page=page_number, insurance_type=insurance_type),
                             page_number=page_number, page_count=page_count)
    return base_state(ContributionsScreens.CONTRIBUTIONS, lang, elder, contributions=view,
                      receipt_status=print_status)


def base_state(screen: Screen, lang: str, elder: bool, **changes) -> FlowState:
    return with_views(FlowState(screen=screen, language=lang, elder_mode=elder, citizen=citizen(), can_go_back=True,
                                session_active=True), **changes)


def with_views(state: FlowState, *, enrolment=None, contributions=None, certificate=None, **changes) -> FlowState:
    """`state` with these services' views (the enrolment as its back-office model) and other changes."""
    views = dict(state.views)
    if enrolment is not None:
        views["enrolment"] = EnrolmentView(enrolment)
    if contributions is not None:
        views["contributions"] = contributions
    if certificate is not None:
        views["certificate"] = certificate
    return replace(state, views=views, **changes)


def certificate_summary(number: str, *, kind: str = "enrolment", status: str = "valid",
                        issued: str = "2026-10-08T09:12:00+08:00") -> models.CertificateSummary:
    return models.CertificateSummary.model_validate({
        "number": number, "kind": kind, "period_from": "202411", "period_to": "202510", "issued_at": issued,
        "valid_until": "2027-01-08" if status == "valid" else "2026-02-01", "status": status})


def certificate(name: str = "张伟") -> models.Certificate:
    return models.Certificate.model_validate({
        "number": "NJ20261123000042", "verification_code": "K7QW2M9XPLR4D8HN", "kind": "enrolment",
        "period_from": "202512", "period_to": "202611", "issued_at": "2026-11-23T10:05:00+08:00",
        "valid_until": "2027-02-23", "verify_path": "/v1/certificates/verify/K7QW2M9XPLR4D8HN",
        "content": {
            "title_zh": "南京市社会保险个人参保证明", "title_en": "Nanjing social insurance personal enrolment certificate",
            "name": name, "ssn_masked": "3201**********0018", "personal_number": "P00012345",
            "insurance": [{"insurance_type": t, "status": "active", "first_insured": "200407", "months_paid": 244}
                          for t in ("pension", "medical", "unemployment", "work_injury", "maternity")],
            "periods": [{"employer": "南京金陵软件科技有限公司", "period_from": "202512", "period_to": "202611",
                         "months": 12, "base": "12345.00"}],
            "issuing_office": "南京市社会保险管理中心", "print_date": "2026-11-23"}})


def preview_lines(cert: models.Certificate) -> tuple[str, ...]:
    return tuple(certificate_document(cert, "https://verify.example.cn" + cert.verify_path).text_lines())


def certificate_state(lang: str = "zh", elder: bool = False, screen: Screen = CertificateScreens.CERTIFICATE, *,
                      issued=None, document: str = "", receipt: str = "", name: str = "张伟") -> FlowState:
    if issued is None:
        issued = (certificate_summary("NJ20261008000007"),
                  certificate_summary("NJ20260912000031", kind="contribution"),
                  certificate_summary("NJ20260801000002"),
                  certificate_summary("NJ20250105000011", status="expired"))
    cert = certificate(name)
    view = CertificateView(kind=models.CertificateKind.ENROLMENT, range=CertificateRange.LAST_12_MONTHS,
                           period_from="202512", period_to="202611", issued=tuple(issued),
                           certificate=cert if screen is not CertificateScreens.CERTIFICATE else None,
                           preview_lines=preview_lines(cert) if screen is not CertificateScreens.CERTIFICATE else (),
                           document_status_key=document, receipt_status_key=receipt)
    return base_state(screen, lang, elder, certificate=view)


# --- harness -------------------------------------------------------------------------------

@pytest.fixture
def theme() -> Theme:
    """The theme the kiosk builds from its configuration (elder mode enlarges by 1.4 there,
    not by the Theme default): screens must fit with the metrics the citizen gets."""
    ui_settings = load_settings("default").ui
    return Theme.from_dict({"elder_scale": ui_settings.elder_scale, "mm_per_pixel": ui_settings.mm_per_pixel})


@pytest.fixture
def make_screen(qtbot, catalog, theme):
    def make(cls, state: FlowState, size=(1920, 1080)):
        screen = cls(catalog, theme)
        qtbot.addWidget(screen)
        lay_out(screen, size)
        screen.render(state, "南京市人力资源和社会保障局")
        QApplication.processEvents()
        return screen
    return make


def collect(screen) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    screen.intent.connect(lambda intent, value: seen.append((intent, value)))
    return seen


def texts(screen) -> str:
    return "\n".join(all_texts(screen))


def visible_texts(screen) -> str:
    return "\n".join(label.text() for label in screen.findChildren(QLabel) if label.isVisibleTo(screen))


def assert_layout_ok(screen, theme, elder: bool) -> None:
    assert clipped_widgets(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert rich_text_labels(screen) == []
    assert FULL_SSN not in texts(screen)




def latin_words_that_do_not_fit(screen) -> list[str]:
    """Wrapped labels can break CJK text anywhere but not inside a Latin word or a number."""
    problems = []
    for label in screen.findChildren(QLabel):
        if not (label.isVisibleTo(screen) and label.wordWrap() and label.text()):
            continue
        metrics = QFontMetrics(label.font())
        for word in re.findall(r"[A-Za-z0-9\-'.,:/()%*<>=]+", label.text()):
            if metrics.horizontalAdvance(word) > label.contentsRect().width():
                problems.append(f"{label.objectName()}: {word!r}")
    return problems


def assert_fits(screen, size, theme, elder: bool) -> None:
    """The screen keeps the panel's size (nothing pushed it), nothing is clipped or too small."""
    assert (screen.width(), screen.height()) == size
    assert_layout_ok(screen, theme, elder)
    assert latin_words_that_do_not_fit(screen) == []


def icon_kind(screen, name: str) -> str:
    widget = screen.findChild(IconText, name)
    assert widget is not None, name
    assert widget.icon_label.isHidden() != bool(widget.kind)     # (its row may be on another page)
    return widget.kind


def click(qtbot, button) -> None:
    assert button.isVisibleTo(button.window()) and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def press(qtbot, screen, button) -> None:
    """Activate `button` from the keypad: focus it and press Enter (fires on release)."""
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(button, Qt.Key.Key_Return)


# --- enrolment ------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("data", [enrolment_employee, enrolment_flexible, enrolment_worst],
                         ids=["employee", "flexible", "worst"])
def test_enrolment_fits_every_panel(make_screen, theme, size, lang, elder, data):
    state = base_state(EnrolmentScreens.ENROLMENT, lang, elder, enrolment=data(), receipt_status="failed_paper_out")
    screen = make_screen(EnrolmentScreen, state, size)
    assert_fits(screen, size, theme, elder)
    # Every type is on some page, and paging is only offered when needed.
    assert len(screen.rows) == len(state.view("enrolment").enrolment.items)
    assert screen.pager.isVisibleTo(screen) == (screen.page_count() > 1)


def test_enrolment_shows_each_type_with_status_words_and_icons(make_screen):
    screen = make_screen(EnrolmentScreen, base_state(EnrolmentScreens.ENROLMENT, "zh", False, enrolment=enrolment_employee()))
    shown = visible_texts(screen)
    for text in ("基本养老保险", "基本医疗保险", "失业保险", "工伤保险", "生育保险", "参保缴费", "暂停缴费", "终止参保",
                 "2004-07", "2010-03", "244", "37", "南京市", "苏州市"):
        assert text in shown, text
    assert icon_kind(screen, "enrolment_pension_status") == "check"
    assert icon_kind(screen, "enrolment_unemployment_status") == "warning"     # suspended
    assert icon_kind(screen, "enrolment_work_injury_status") == "warning"      # terminated
    owed = screen.findChild(IconText, "enrolment_unemployment_owed")
    assert owed.kind == "warning" and "欠缴 3 个月" in owed.text_label.text()
    deferred = screen.findChild(IconText, "enrolment_maternity_deferred")
    assert deferred.kind == "warning" and "缓缴 9 个月" in deferred.text_label.text()
    assert screen.findChild(IconText, "enrolment_pension_owed") is None        # nothing owed: nothing said
    assert screen.findChild(IconText, "enrolment_pension_flexible") is None


def test_enrolment_in_english_names_areas_and_flexible_grade(make_screen):
    screen = make_screen(EnrolmentScreen, base_state(EnrolmentScreens.ENROLMENT, "en", False, enrolment=enrolment_flexible()))
    shown = visible_texts(screen)
    assert screen.findChild(QLabel, "enrolment_pension_area").text() == "Nanjing"
    flexible = screen.findChild(IconText, "enrolment_pension_flexible").text_label.text()
    assert "灵活就业人员" in flexible and "60%" in flexible
    assert "Months owed: 5" in screen.findChild(IconText, "enrolment_medical_owed").text_label.text()
    assert "Flexible worker" in shown


def test_enrolment_not_enrolled_gets_a_warning_and_no_date(make_screen):
    screen = make_screen(EnrolmentScreen, base_state(EnrolmentScreens.ENROLMENT, "en", False, enrolment=enrolment_worst()))
    assert icon_kind(screen, "enrolment_maternity_status") == "warning"
    assert screen.findChild(QLabel, "enrolment_maternity_first_insured").text() == documents.NO_VALUE


def test_enrolment_print_by_touch_and_by_keypad(qtbot, make_screen):
    screen = make_screen(EnrolmentScreen, base_state(EnrolmentScreens.ENROLMENT, "zh", False, enrolment=enrolment_employee()))
    seen = collect(screen)
    click(qtbot, screen.print_button)
    assert seen == [(Intent.PRINT_RECEIPT.value, None)]
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)          # the first arrow lands on the main action
    assert screen.focusWidget() is screen.print_button
    qtbot.wait(450)                                    # past the double-tap guard
    qtbot.keyClick(screen.print_button, Qt.Key.Key_Return)
    assert seen[-1] == (Intent.PRINT_RECEIPT.value, None)


def test_enrolment_print_status_is_words_and_icon(make_screen):
    for key, kind in (("printing", "printer"), ("printed", "check"),
                      ("failed_paper_out", "warning"), ("failed", "warning")):
        state = base_state(EnrolmentScreens.ENROLMENT, "en", False, enrolment=enrolment_employee(), receipt_status=key)
        screen = make_screen(EnrolmentScreen, state)
        status = screen.findChild(IconText, "enrolment_print_status")
        assert status.isVisibleTo(screen) and status.kind == kind
        assert status.text_label.text() == screen.catalog.text(f"contributions.print.{key}", "en")


def test_enrolment_pages_itself_when_rows_do_not_fit(qtbot, make_screen, theme):
    state = base_state(EnrolmentScreens.ENROLMENT, "en", True, enrolment=enrolment_worst())
    screen = make_screen(EnrolmentScreen, state, (1280, 1024))
    assert screen.page_count() > 1
    seen_rows, seen_intents = set(), collect(screen)
    for page in range(screen.page_count()):
        seen_rows |= {row.objectName() for row in screen.rows if row.isVisibleTo(screen)}
        assert_fits(screen, (1280, 1024), theme, True)
        if page < screen.page_count() - 1:
            qtbot.wait(450)
            click(qtbot, screen.pager.next_button)
    assert seen_rows == {row.objectName() for row in screen.rows}
    assert not screen.pager.next_button.isEnabled() and screen.pager.previous_button.isEnabled()
    assert seen_intents == []                         # paging a summary is the screen's own business
    # A new enrolment starts on the first page again.
    screen.render(with_views(state, enrolment=enrolment_worst()), "x")
    assert not screen.pager.previous_button.isEnabled()


# --- contributions --------------------------------------------------------------------------

def shown_row_names(qtbot, screen, size, theme, elder) -> list[str]:
    """Step through the parts of the machine's page (checking each fits); the rows shown."""
    names = []
    for part in range(screen.part_count()):
        assert_fits(screen, size, theme, elder)
        assert screen.overflow() == 0
        names += [row.objectName() for row in screen.rows]
        if part < screen.part_count() - 1:
            click(qtbot, screen.pager.next_button)
    return names


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_contributions_fit_every_panel_in_the_worst_case(qtbot, make_screen, theme, size, lang, elder):
    """The machine's page, with two employers, owed and deferred rows and a print failure: every
    row is shown (in two parts where the page does not fit at once: elder mode), nothing clipped."""
    state = contributions_state(lang, elder, print_status="failed_paper_out")
    screen = make_screen(ContributionsScreen, state, size)
    seen = collect(screen)
    names = shown_row_names(qtbot, screen, size, theme, elder)
    assert names == [f"contributions_row_{i}" for i in range(ROWS_PER_PAGE[elder])]     # nothing left out
    assert seen == []                 # the parts of a page are the screen's own business
    if not elder:
        assert screen.part_count() == 1 and screen.rows_that_fit() >= ROWS_PER_PAGE[elder]


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_rows_that_fit_is_true(make_screen, theme, size, lang, elder, caplog):
    """As many rows as `rows_that_fit` says, in its worst case, really fit on one screen."""
    probe = make_screen(ContributionsScreen, contributions_state(lang, elder), size)
    fit = probe.rows_that_fit()
    assert fit >= 3
    for second_employer_at in (None, fit // 2):
        rows = contribution_rows(fit)
        if second_employer_at is not None:
            rows = rows[:second_employer_at] + contribution_rows(fit - second_employer_at, employer=None)
        state = contributions_state(lang, elder, rows=rows, print_status="failed_paper_out")
        screen = make_screen(ContributionsScreen, state, size)
        assert len(screen.rows) == fit and screen.part_count() == 1
        assert screen.overflow() == 0
        assert_fits(screen, size, theme, elder)


def test_a_page_too_long_for_the_panel_is_shown_in_parts_and_never_loses_a_row(qtbot, make_screen, theme):
    """Elder mode at 1280x1024 with the app's text scale: six rows with two employers and a print
    failure do not fit at once. The screen shows them in two parts; previous/next and PageUp/PageDown
    step through the parts before asking the machine for another page, and stepping back into a page
    starts on its last part."""
    size = (1280, 1024)
    rows = contribution_rows(3) + contribution_rows(3, employer="广州市天河区电子科技有限公司")
    state = contributions_state("en", True, rows=rows, print_status="failed_paper_out")
    screen = make_screen(ContributionsScreen, state, size)
    seen = collect(screen)
    assert screen.part_count() == 2
    assert "(1/2)" in screen.pager.position_label.text()
    assert screen.pager.previous_button.isEnabled()          # page 2 of 3: page 1 is before it
    assert shown_row_names(qtbot, screen, size, theme, True) == [f"contributions_row_{i}" for i in range(6)]
    assert "(2/2)" in screen.pager.position_label.text() and seen == []
    qtbot.keyClick(screen, Qt.Key.Key_PageUp)
    assert "(1/2)" in screen.pager.position_label.text() and seen == []
    qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    qtbot.keyClick(screen, Qt.Key.Key_PageDown)               # past the last part: the machine's next page
    assert seen == [(Intent.PAGE.value, 1)]
    # Back from the first part of page 2 asks for page 1, which opens on its last part.
    screen.render(replace(state), "x")
    seen.clear()
    qtbot.keyClick(screen, Qt.Key.Key_PageUp)
    qtbot.keyClick(screen, Qt.Key.Key_PageUp)
    assert seen == [(Intent.PAGE.value, -1)]
    page_one = replace(state.view("contributions"), page=contribution_page(rows, page=1), page_number=1)
    screen.render(with_views(state, contributions=page_one), "x")
    assert "(2/2)" in screen.pager.position_label.text()
    assert screen.rows[-1].objectName() == "contributions_row_5"


def test_contributions_rows_totals_and_status_words(make_screen):
    rows = contribution_rows(3) + contribution_rows(1, employer=None)
    screen = make_screen(ContributionsScreen, contributions_state("zh", False, rows=rows))
    shown = visible_texts(screen)
    assert "缴费单位：南京秦淮人家餐饮管理有限公司" in shown
    assert "个人缴费（灵活就业人员）" in shown
    row = [screen.findChild(QLabel, f"contributions_row_0_{c}").text() for c in ("period", "type", "base",
                                                                                   "personal", "employer_part")]
    assert row == ["2025-12", "养老", "12,345.00", "987.60", "2,469.00"]
    statuses = [screen.findChild(IconText, f"contributions_row_{i}_status") for i in range(4)]
    assert [(s.text_label.text(), s.kind) for s in statuses] == [
        ("已缴", "check"), ("缓缴", "warning"), ("欠缴", "warning"), ("已缴", "check")]
    assert screen.findChild(QLabel, "contributions_total_period").text() == "2025年合计"
    assert screen.findChild(QLabel, "contributions_total_personal").text() == "8,888.40"
    assert screen.findChild(QLabel, "contributions_total_employer_part").text() == "22,221.00"
    assert screen.months_paid.text_label.text() == "已缴 9 个月" and screen.months_paid.kind == "check"
    assert screen.months_owed.text_label.text() == "欠缴 2 个月" and screen.months_owed.kind == "warning"
    assert screen.months_deferred.text_label.text() == "缓缴 1 个月" and screen.months_deferred.kind == "warning"
    explanation = screen.explanation.text_label.text()
    assert screen.explanation.isVisibleTo(screen) and "缓缴" in explanation and "欠缴" in explanation
    assert "滞纳金" in explanation


def test_contributions_explain_only_what_is_on_the_page(make_screen):
    paid = contribution_rows(4, statuses=("paid",))
    screen = make_screen(ContributionsScreen, contributions_state("en", False, rows=paid))
    assert not screen.explanation.isVisibleTo(screen)
    deferred = contribution_rows(2, statuses=("paid", "deferred"))
    screen = make_screen(ContributionsScreen, contributions_state("en", False, rows=deferred))
    text = screen.explanation.text_label.text()
    assert "Deferred" in text and "Owed" not in text


def test_contributions_zero_owed_is_not_a_warning(make_screen):
    state = contributions_state("en", False, rows=contribution_rows(2, statuses=("paid",)))
    state = with_views(state, contributions=replace(state.view("contributions"), page=contribution_page(
        contribution_rows(2, statuses=("paid",)), months=(12, 0, 0))))
    screen = make_screen(ContributionsScreen, state)
    assert screen.months_owed.kind == "" and screen.months_deferred.kind == ""
    assert screen.months_owed.text_label.text() == "owed: 0"


def test_hostile_employer_is_shown_literally_and_a_full_ssn_never(make_screen):
    rows = contribution_rows(2, employer=HOSTILE) + contribution_rows(1, employer=f"{FULL_SSN}公司")
    screen = make_screen(ContributionsScreen, contributions_state("en", False, rows=rows))
    payer = screen.findChild(IconText, "contributions_payer_0").text_label
    assert payer.text() == f"Employer: {HOSTILE}"
    assert payer.textFormat() == Qt.TextFormat.PlainText
    assert payer.sizeHint().width() >= QFontMetrics(payer.font()).horizontalAdvance(HOSTILE)
    assert FULL_SSN not in texts(screen) and "3201**********0018公司" in texts(screen)
    assert rich_text_labels(screen) == []


@pytest.mark.parametrize(("key", "kind"), [
    ("printing", "printer"), ("printed", "check"),
    ("failed_paper_out", "warning"), ("failed", "warning"), ("something_else", "warning")])
def test_print_status_words_and_icons(make_screen, catalog, key, kind):
    screen = make_screen(ContributionsScreen, contributions_state("en", False, print_status=key))
    status = screen.print_status
    assert status.isVisibleTo(screen) and status.kind == kind
    expected = key if key in ("printing", "printed", "failed_paper_out") else "failed"
    assert status.text_label.text() == catalog.text(f"contributions.print.{expected}", "en")


def test_no_print_status_until_printing(make_screen):
    screen = make_screen(ContributionsScreen, contributions_state("en", False))
    assert not screen.print_status.isVisibleTo(screen)


def test_paging_by_buttons_and_page_keys(qtbot, make_screen):
    screen = make_screen(ContributionsScreen, contributions_state("en", False, page_number=2, page_count=3))
    seen = collect(screen)
    assert "Page 2 of 3" in screen.pager.position_label.text() or "2 / 3" in screen.pager.position_label.text()
    click(qtbot, screen.pager.next_button)
    click(qtbot, screen.pager.previous_button)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    qtbot.keyClick(screen, Qt.Key.Key_PageUp)
    assert seen == [(Intent.PAGE.value, 1), (Intent.PAGE.value, -1), (Intent.PAGE.value, 1), (Intent.PAGE.value, -1)]
    assert screen.pager.previous_button.accessibleName() == "Previous page"


def test_no_paging_past_the_ends(qtbot, make_screen):
    first = make_screen(ContributionsScreen, contributions_state("en", False, page_number=1, page_count=3))
    seen = collect(first)
    assert not first.pager.previous_button.isEnabled() and first.pager.next_button.isEnabled()
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_PageUp)
    assert seen == []
    single = make_screen(ContributionsScreen, contributions_state("en", False, page_number=1, page_count=1))
    assert not single.pager.isVisibleTo(single)


def test_keypad_starts_on_next_page_and_reaches_print(qtbot, make_screen):
    screen = make_screen(ContributionsScreen, contributions_state("zh", True, page_number=1, page_count=3), (1280, 1024))
    seen = collect(screen)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.pager.next_button
    qtbot.keyClick(screen.pager.next_button, Qt.Key.Key_Return)
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Right)
    assert screen.focusWidget() is screen.print_button
    qtbot.keyClick(screen.print_button, Qt.Key.Key_Enter)
    assert seen == [(Intent.PAGE.value, 1), (Intent.PRINT_RECEIPT.value, None)]


def test_year_picker_sends_the_year_and_closes(qtbot, make_screen, theme):
    screen = make_screen(ContributionsScreen, contributions_state("en", True), (1280, 1024))
    seen = collect(screen)
    click(qtbot, screen.year_button)
    assert screen.stack.currentWidget() is screen.picker and screen.year_button.is_active()
    assert_fits(screen, (1280, 1024), theme, True)
    chosen = screen.findChild(KioskButton, "contributions_year_2025")
    assert chosen.is_active() and not screen.findChild(KioskButton, "contributions_year_2024").is_active()
    click(qtbot, screen.findChild(KioskButton, "contributions_year_2023"))
    assert seen == [(ContributionsIntent.SELECT_YEAR.value, 2023)]
    assert screen.stack.currentWidget() is not screen.picker


def test_year_picker_windows_many_years(qtbot, make_screen, theme):
    years = tuple(range(2025, 1975, -1))            # fifty years of contributions
    screen = make_screen(ContributionsScreen, contributions_state("zh", True, years=years), (1280, 1024))
    seen = collect(screen)
    click(qtbot, screen.year_button)
    shown = [b.property("text") for b in screen.option_buttons]
    assert 1 < len(shown) < len(years)
    assert not screen.newer_years.isEnabled() and screen.older_years.isEnabled()
    reached = set()
    while True:
        reached |= {b.objectName() for b in screen.option_buttons}
        assert_fits(screen, (1280, 1024), theme, True)
        if not screen.older_years.isEnabled():
            break
        qtbot.wait(450)
        click(qtbot, screen.older_years)
    assert reached == {f"contributions_year_{y}" for y in years}
    click(qtbot, screen.findChild(KioskButton, "contributions_year_1976"))
    assert seen == [(ContributionsIntent.SELECT_YEAR.value, 1976)]


@pytest.mark.parametrize(("name", "value"), [("all", ""), ("pension", "pension"), ("work_injury", "work_injury")])
def test_type_picker_sends_the_type(qtbot, make_screen, name, value):
    screen = make_screen(ContributionsScreen, contributions_state(
        "zh", False, insurance_type=models.InsuranceType.MEDICAL))
    seen = collect(screen)
    assert screen.type_button.text() == "医疗"
    click(qtbot, screen.type_button)
    assert screen.findChild(KioskButton, "contributions_type_medical").is_active()
    assert not screen.findChild(KioskButton, "contributions_type_all").is_active()
    assert len(screen.option_buttons) == 6
    click(qtbot, screen.findChild(KioskButton, f"contributions_type_{name}"))
    assert seen == [(ContributionsIntent.SELECT_TYPE.value, value)]


def test_picker_by_keypad_and_escape_closes_it_without_leaving(qtbot, make_screen):
    screen = make_screen(ContributionsScreen, contributions_state("en", False))
    seen = collect(screen)
    press(qtbot, screen, screen.type_button)
    assert screen.stack.currentWidget() is screen.picker
    assert screen.focusWidget() is screen.findChild(KioskButton, "contributions_type_all")   # the chosen one
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Escape)
    assert screen.stack.currentWidget() is not screen.picker
    assert seen == []                                     # Escape closed the picker, it did not cancel
    assert screen.focusWidget() is screen.type_button
    qtbot.keyClick(screen.type_button, Qt.Key.Key_Escape)
    assert seen == [(Intent.CANCEL.value, None)]


def test_a_new_choice_closes_an_open_picker(qtbot, make_screen):
    state = contributions_state("en", False)
    screen = make_screen(ContributionsScreen, state)
    screen.year_button.click()
    assert screen.stack.currentWidget() is screen.picker
    screen.render(with_views(state, contributions=replace(state.view("contributions"), year=2024)), "x")
    assert screen.stack.currentWidget() is not screen.picker
    assert screen.year_button.text() in ("Year 2024", "2024")


def test_empty_year_says_so(make_screen, theme):
    state = contributions_state("en", False, rows=[], page_count=1, page_number=1)
    screen = make_screen(ContributionsScreen, state)
    assert screen.empty_label.isVisibleTo(screen)
    assert not screen.print_button.isEnabled()
    assert_fits(screen, (1920, 1080), theme, False)


# --- certificate: choose ----------------------------------------------------------------------

@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_certificate_choice_fits_every_panel(make_screen, theme, size, lang, elder):
    screen = make_screen(CertificateScreen, certificate_state(lang, elder), size)
    assert_fits(screen, size, theme, elder)
    assert 1 <= len(screen.reprint_buttons) <= 3


def test_certificate_choices_and_period(qtbot, make_screen):
    screen = make_screen(CertificateScreen, certificate_state("zh", False))
    seen = collect(screen)
    assert screen.kind_buttons[models.CertificateKind.ENROLMENT].is_active()
    assert not screen.kind_buttons[models.CertificateKind.CONTRIBUTION].is_active()
    assert screen.range_buttons[CertificateRange.LAST_12_MONTHS].is_active()
    assert screen.period_label.text() == "证明期间：2025-12 至 2026-11"
    assert "3个月内有效" in screen.note.text_label.text() and "验证码" in screen.note.text_label.text()
    click(qtbot, screen.kind_buttons[models.CertificateKind.CONTRIBUTION])
    click(qtbot, screen.range_buttons[CertificateRange.LAST_3_YEARS])
    click(qtbot, screen.range_buttons[CertificateRange.ALL])
    click(qtbot, screen.preview_button)
    assert seen == [(CertificateIntent.SELECT_KIND.value, "contribution"), (CertificateIntent.SELECT_RANGE.value, "last_3_years"),
                    (CertificateIntent.SELECT_RANGE.value, "all"), (Intent.PREVIEW.value, None)]


def test_certificate_preview_from_the_keypad(qtbot, make_screen):
    screen = make_screen(CertificateScreen, certificate_state("en", True), (1280, 1024))
    seen = collect(screen)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.preview_button
    qtbot.keyClick(screen.preview_button, Qt.Key.Key_Return)
    assert seen == [(Intent.PREVIEW.value, None)]


def test_reprint_lists_valid_certificates_with_their_numbers(qtbot, make_screen):
    screen = make_screen(CertificateScreen, certificate_state("en", False))
    seen = collect(screen)
    assert list(screen.reprint_buttons) == ["NJ20261008000007", "NJ20260912000031", "NJ20260801000002"]
    assert screen.findChild(QLabel, "certificate_reprint_NJ20260912000031_what").text() == \
        "Contribution certificate 2024-11 to 2025-10"
    assert "valid until 2027-01-08" in visible_texts(screen)
    for number, button in screen.reprint_buttons.items():
        qtbot.wait(450)
        click(qtbot, button)
    assert seen == [(Intent.REPRINT.value, n) for n in ("NJ20261008000007", "NJ20260912000031", "NJ20260801000002")]


def test_expired_certificates_are_marked_and_cannot_be_reprinted(make_screen):
    issued = (certificate_summary("NJ20250105000011", status="expired"), certificate_summary("NJ20260801000002"))
    screen = make_screen(CertificateScreen, certificate_state("en", False, issued=issued))
    assert list(screen.reprint_buttons) == ["NJ20260801000002"]
    expired = screen.findChild(IconText, "certificate_reprint_NJ20250105000011_when")
    assert expired.kind == "warning" and "expired" in expired.text_label.text()
    only_expired = make_screen(CertificateScreen, certificate_state(
        "en", False, issued=(certificate_summary("NJ20250105000011", status="expired"),)))
    assert only_expired.reprint_buttons == {}
    assert only_expired.reprint_none.isVisibleTo(only_expired)


def test_no_earlier_certificates_no_section(make_screen):
    screen = make_screen(CertificateScreen, certificate_state("en", False, issued=()))
    assert not screen.reprints.isVisibleTo(screen)


# --- certificate: preview -------------------------------------------------------------------

@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_certificate_preview_fits_every_panel_page_by_page(qtbot, make_screen, theme, size, lang, elder):
    screen = make_screen(CertificatePreviewScreen, certificate_state(lang, elder, CertificateScreens.CERTIFICATE_PREVIEW), size)
    shown: set[str] = set()
    for page in range(screen.page_count()):
        assert_fits(screen, size, theme, elder)
        shown |= {label.text() for label in screen.lines if label.isVisibleTo(screen)}
        if page < screen.page_count() - 1:
            qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    assert shown == {label.text() for label in screen.lines}     # every line is on some page


def test_certificate_preview_shows_the_page_number_and_validity(qtbot, make_screen):
    state = certificate_state("en", True, CertificateScreens.CERTIFICATE_PREVIEW, name=HOSTILE)
    screen = make_screen(CertificatePreviewScreen, state, (1280, 1024))
    seen = collect(screen)
    assert screen.number_label.text() == "NJ20261123000042"
    assert screen.valid_label.text() == "2027-02-23"
    assert screen.lines[0].text() == "南京市社会保险个人参保证明"
    all_lines = "\n".join(label.text() for label in screen.lines)
    assert f"姓名 {HOSTILE}" in all_lines and "3201**********0018" in all_lines
    assert rich_text_labels(screen) == [] and FULL_SSN not in texts(screen)
    assert screen.page_count() > 1
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    assert screen.pager.previous_button.isEnabled()
    qtbot.keyClick(screen, Qt.Key.Key_PageUp)
    assert not screen.pager.previous_button.isEnabled()
    click(qtbot, screen.print_button)
    assert seen == [(Intent.PRINT.value, None)]                  # paging is local; only Print is sent
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.print_button


def test_certificate_preview_back(qtbot, make_screen):
    screen = make_screen(CertificatePreviewScreen, certificate_state("zh", False, CertificateScreens.CERTIFICATE_PREVIEW))
    seen = collect(screen)
    click(qtbot, screen.back_button)
    assert seen == [(Intent.BACK.value, None)]


# --- certificate: done ---------------------------------------------------------------------------

DONE_CASES = [
    ("certificate.status.printed", "certificate.status.receipt_printed", "check", "check", False),
    ("certificate.status.paper_out", "certificate.status.receipt_printed", "warning", "check", True),
    ("certificate.status.failed", "certificate.status.receipt_failed", "warning", "warning", True),
    ("certificate.status.printing", "certificate.status.printing", "printer", "printer", False),
]


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_certificate_done_fits_every_panel(make_screen, theme, size, lang, elder):
    for document, receipt, *_ in DONE_CASES:
        state = certificate_state(lang, elder, CertificateScreens.CERTIFICATE_DONE, document=document, receipt=receipt)
        screen = make_screen(CertificateDoneScreen, state, size)
        assert_fits(screen, size, theme, elder)


@pytest.mark.parametrize(("document", "receipt", "document_icon", "receipt_icon", "reprint"), DONE_CASES)
def test_certificate_done_tells_the_real_outcome(qtbot, make_screen, catalog, document, receipt, document_icon,
                                                 receipt_icon, reprint):
    state = certificate_state("en", False, CertificateScreens.CERTIFICATE_DONE, document=document, receipt=receipt)
    screen = make_screen(CertificateDoneScreen, state)
    seen = collect(screen)
    assert screen.document_status.kind == document_icon
    assert screen.document_status.text_label.text() == catalog.text(document, "en")
    assert screen.receipt_status.kind == receipt_icon
    assert screen.receipt_status.text_label.text() == catalog.text(receipt, "en")
    assert screen.number_label.text() == "NJ20261123000042" and screen.code_label.text() == "K7QW2M9XPLR4D8HN"
    assert screen.reprint_button.isVisibleTo(screen) == reprint
    if reprint:
        assert screen.first_focus() is screen.reprint_button
        click(qtbot, screen.reprint_button)
        qtbot.wait(450)
    click(qtbot, screen.ok_button)
    assert seen == ([(Intent.REPRINT.value, "")] if reprint else []) + [(Intent.CONFIRM.value, None)]


def test_certificate_done_paper_out_says_the_number_is_kept(make_screen):
    state = certificate_state("zh", True, CertificateScreens.CERTIFICATE_DONE, document="certificate.status.paper_out",
                              receipt="certificate.status.receipt_failed")
    screen = make_screen(CertificateDoneScreen, state, (1280, 1024))
    text = screen.document_status.text_label.text()
    assert "缺纸" in text and "证明编号已保留" in text
    assert screen.number_label.isVisibleTo(screen) and screen.number_label.text() == "NJ20261123000042"
    # The general "keep this number" note would repeat what the failure already says.
    assert not screen.findChild(QLabel, "certificate_done_keep").isVisibleTo(screen)


def test_certificate_done_from_the_keypad(qtbot, make_screen):
    state = certificate_state("en", False, CertificateScreens.CERTIFICATE_DONE, document="certificate.status.printed",
                              receipt="certificate.status.receipt_printed")
    screen = make_screen(CertificateDoneScreen, state)
    seen = collect(screen)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.ok_button
    qtbot.keyClick(screen.ok_button, Qt.Key.Key_Return)
    assert seen == [(Intent.CONFIRM.value, None)]


# --- in the window: a page of a stack, drawn while hidden, shown later ---------------------------
#
# In the kiosk the screens are pages of the MainWindow's QStackedWidget. The stack only sizes the
# page it shows: a hidden page keeps an old size (640x480 before it was first shown), yet the flow
# draws it (a wipe, a language or text-size switch, or a state arriving before it is shown). These
# screens measure while drawing, so they must draw at the size they will be shown at, and draw
# again when that size changes.

LONG_EMPLOYER = ("广州市天河区珠江新城国际电子信息科技股份有限公司"
                 "（Guangzhou Pearl River Electronics Co., Ltd.）")


def long_contributions_state(lang: str, elder: bool) -> FlowState:
    rows = contribution_rows(2) + contribution_rows(2, employer=LONG_EMPLOYER)
    return contributions_state(lang, elder, rows=rows, print_status="failed_paper_out")


WINDOW_CASES = {
    "enrolment": (EnrolmentScreen, lambda lang, elder: base_state(
        EnrolmentScreens.ENROLMENT, lang, elder, enrolment=enrolment_employee(), receipt_status="failed_paper_out")),
    "contributions": (ContributionsScreen, long_contributions_state),
    "certificate": (CertificateScreen, lambda lang, elder: certificate_state(lang, elder)),
    "preview": (CertificatePreviewScreen,
                lambda lang, elder: certificate_state(lang, elder, CertificateScreens.CERTIFICATE_PREVIEW)),
    "done": (CertificateDoneScreen, lambda lang, elder: certificate_state(
        lang, elder, CertificateScreens.CERTIFICATE_DONE, document="certificate.status.paper_out",
        receipt="certificate.status.receipt_printed")),
}


@pytest.fixture
def in_window(qtbot, catalog, theme):
    """A shown window whose stack shows another page, with the screen as a hidden page (like MainWindow)."""
    def make(cls, size):
        window = QWidget()
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        layout = QVBoxLayout(window)
        layout.setContentsMargins(0, 0, 0, 0)
        stack = QStackedWidget()
        layout.addWidget(stack)
        stack.addWidget(QWidget())            # the page showing now (the menu, say)
        screen = cls(catalog, theme)
        stack.addWidget(screen)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        QApplication.processEvents()
        return window, stack, screen
    return make


def assert_fits_the_window(window, screen, size, theme, elder) -> None:
    assert (window.width(), window.height()) == size           # nothing pushed the window bigger
    assert screen.size() == screen.parentWidget().contentsRect().size()
    assert_layout_ok(screen, theme, elder)
    assert latin_words_that_do_not_fit(screen) == []


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("case", sorted(WINDOW_CASES))
def test_drawn_while_hidden_then_shown_fits(in_window, theme, size, case):
    """Drawn hidden in zh, then switched to English elder mode while still hidden, then shown."""
    cls, make_state = WINDOW_CASES[case]
    window, stack, screen = in_window(cls, size)
    screen.render(make_state("zh", False), "南京市人力资源和社会保障局")
    screen.render(make_state("en", True), "南京市人力资源和社会保障局")
    stack.setCurrentWidget(screen)
    QApplication.processEvents()
    assert_fits_the_window(window, screen, size, theme, True)


@pytest.mark.parametrize("case", sorted(WINDOW_CASES))
def test_shown_then_drawn_and_window_resized_fits(in_window, theme, case):
    """Shown first and drawn at once (MainWindow's order), then the window changes size."""
    cls, make_state = WINDOW_CASES[case]
    window, stack, screen = in_window(cls, (1920, 1080))
    stack.setCurrentWidget(screen)
    screen.render(make_state("en", True), "南京市人力资源和社会保障局")
    QApplication.processEvents()
    assert_fits_the_window(window, screen, (1920, 1080), theme, True)
    window.resize(1280, 1024)
    QApplication.processEvents()
    assert_fits_the_window(window, screen, (1280, 1024), theme, True)


def test_a_long_employer_name_wraps_and_is_measured(qtbot, make_screen, theme):
    """The employer line above the rows wraps (two lines in elder mode) and gets the height it needs
    (a panel capped at its unwrapped height squeezed it to one line)."""
    screen = make_screen(ContributionsScreen, long_contributions_state("en", True), (1280, 1024))
    for _ in range(screen.part_count()):
        assert_fits(screen, (1280, 1024), theme, True)
        if screen.findChild(IconText, "contributions_payer_2") is not None:
            break
        qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    payer = screen.findChild(IconText, "contributions_payer_2")
    assert payer is not None and payer.text_label.height() >= 2 * payer.text_label.fontMetrics().height()


@pytest.mark.parametrize(("size", "lang", "elder", "words"), [
    ((1920, 1080), "zh", False, True), ((1280, 1024), "en", True, False)])
def test_enrolment_pager_drops_its_words_only_when_print_would_not_fit(make_screen, theme, size, lang, elder,
                                                                      words):
    state = base_state(EnrolmentScreens.ENROLMENT, lang, elder, enrolment=enrolment_worst(), receipt_status="failed_paper_out")
    screen = make_screen(EnrolmentScreen, state, size)
    if not screen.pager.isVisibleTo(screen):
        pytest.skip("no paging at this size")
    assert_fits(screen, size, theme, elder)
    assert bool(screen.pager.next_button.text()) == words
    assert screen.pager.next_button.accessibleName() == ("下一页" if lang == "zh" else "Next page")


def test_enrolment_headings_wrap_rather_than_push_the_panel(make_screen, theme):
    """English elder mode at 1280 px: the columns only fit with "Months paid" on two lines."""
    state = base_state(EnrolmentScreens.ENROLMENT, "en", True, enrolment=enrolment_employee())
    screen = make_screen(EnrolmentScreen, state, (1280, 1024))
    assert_fits(screen, (1280, 1024), theme, True)
    heading = screen.findChild(QLabel, "enrolment_header_months_paid")
    assert heading.height() >= 2 * heading.fontMetrics().height()


def test_preview_number_too_long_for_heading_size_is_bold_body_text(make_screen, theme):
    state = certificate_state("en", True, CertificateScreens.CERTIFICATE_PREVIEW)
    long_number = "NJ2026112300004212345678"
    view = replace(state.view("certificate"), certificate=state.view("certificate").certificate.model_copy(
        update={"number": long_number}))
    screen = make_screen(CertificatePreviewScreen, with_views(state, certificate=view), (1280, 1024))
    assert_fits(screen, (1280, 1024), theme, True)
    assert screen.number_label.text() == long_number and screen.number_label.property("role") == "body"
    assert screen.side_widget.width() <= 0.6 * screen.body_widget.width() + 1
    normal = make_screen(CertificatePreviewScreen, certificate_state("zh", False, CertificateScreens.CERTIFICATE_PREVIEW))
    assert normal.number_label.property("role") == "heading"


@pytest.mark.parametrize(("size", "elder", "side_by_side"), [((1920, 1080), False, True),
                                                              ((1280, 1024), True, True)])
def test_done_codes_side_by_side_where_they_fit_else_one_a_line(make_screen, theme, size, elder, side_by_side):
    state = certificate_state("en", elder, CertificateScreens.CERTIFICATE_DONE, document="certificate.status.printed",
                              receipt="certificate.status.receipt_printed")
    screen = make_screen(CertificateDoneScreen, state, size)
    assert_fits(screen, size, theme, elder)
    number, code = screen.number_label.geometry(), screen.code_label.geometry()
    assert (number.top() == code.top()) == side_by_side
    assert screen.findChild(QLabel, "certificate_done_keep").isVisibleTo(screen)


def test_certificate_choice_keeps_one_earlier_certificate_in_english_elder_mode(make_screen, theme):
    """At 1280x1024 in English elder mode the first earlier certificate is shown with its full
    "Print again" button, never squeezed or dropped."""
    screen = make_screen(CertificateScreen, certificate_state("en", True), (1280, 1024))
    assert_fits(screen, (1280, 1024), theme, True)
    assert list(screen.reprint_buttons) == ["NJ20261008000007"]
    button = screen.reprint_buttons["NJ20261008000007"]
    assert button.text() == "Print again" and "NJ20261008000007" in button.accessibleName()


# --- wording ---------------------------------------------------------------------------------------

SPEECH_KEYS = ("enrolment.speech", "contributions.speech", "certificate.speech", "certificate_preview.speech",
               "certificate_done.speech")


def test_speech_keys_exist_and_carry_no_numbers(catalog):
    for key in SPEECH_KEYS:
        for lang in ("zh", "en"):
            text = catalog.text(key, lang)
            assert text.strip() and not re.search(r"\d", text), (key, lang)


def test_screens_name_their_speech_and_title(catalog):
    for cls, prefix in ((EnrolmentScreen, "enrolment"), (ContributionsScreen, "contributions"),
                        (CertificateScreen, "certificate"), (CertificatePreviewScreen, "certificate_preview"),
                        (CertificateDoneScreen, "certificate_done")):
        assert cls.SCREEN.value == prefix
        assert f"{prefix}.title" in catalog and f"{prefix}.speech" in catalog
