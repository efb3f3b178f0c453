"""Pension-transfer screens: what they show, the intents they send (touch and keypad),
local paging, and that every page fits 1920x1080 and 1280x1024 in zh/en, normal/elder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel

from kiosk import documents
from kiosk.contract import areas, models
from kiosk.flow_state import FlowState, Screen
from tests.ui.conftest import lay_out
from tests.ui.screen_checks import all_texts, clipped_widgets, rich_text_labels, small_targets
from ui.services.pension_transfer.application import (TransferContactScreen, TransferDoneScreen, TransferFromScreen,
                                      TransferReviewScreen, TransferRulesScreen)
from ui.services.pension_transfer.progress import TransferProgressScreen
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from kiosk.services.pension_transfer import TransferScreens, TransferView

SIZES = [(1920, 1080), (1280, 1024)]
VARIANTS = [(size, language, elder) for size in SIZES for language in ("zh", "en") for elder in (False, True)]
VARIANT_IDS = [f"{w}x{h}-{language}-{'elder' if elder else 'normal'}" for (w, h), language, elder in VARIANTS]
HOSTILE = "<b>x</b><img src=x>"
FULL_SSN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture
def theme() -> Theme:
    """The deployed elder scale (config/default.toml): the tightest case."""
    return Theme(elder_scale=1.4)


# --- realistic back-office data (shaped like backoffice/demo_data.py) ---------------------

def area(code: str, zh: str, en: str) -> dict:
    return {"code": code, "name_zh": zh, "name_en": en}


NANJING = area("320100", "南京市", "Nanjing")
GUANGZHOU = area("440100", "广州市", "Guangzhou")
HANGZHOU = area("330100", "杭州市", "Hangzhou")
STEP_TITLES = (
    ("submitted", "转入地受理申请", "Receiving office accepts the application", "receiving"),
    ("certificate_issued", "转出地出具参保缴费凭证", "Sending office issues the contribution certificate", "sending"),
    ("acceptance_sent", "转入地发出接收函", "Receiving office sends the acceptance letter", "receiving"),
    ("funds_transferred", "转出地转移基金和信息", "Sending office transfers the funds and records", "sending"),
    ("completed", "转入地归集完成", "Receiving office completes the transfer", "receiving"),
)


def citizen(name: str = "陈静") -> models.CitizenSummary:
    return models.CitizenSummary.model_validate({
        "name": name, "ssn_masked": "4401**********4682", "card_number_masked": "A0****043",
        "personal_number": "A00000043", "sex": "F", "insured_area": NANJING, "retired": False,
        "payer_kind": "employer"})


def eligibility(message_zh: str | None = None, message_en: str | None = None,
                from_area: dict = GUANGZHOU) -> models.TransferEligibility:
    return models.TransferEligibility.model_validate({
        "eligible": True, "code": "eligible",
        "message_zh": message_zh or ("可以申请把广州市的养老保险关系转入南京市，无需回原参保地办理。跨省转移时只转移实际缴费年限；"
                                     "视同缴费年限在退休时认定，不需要转移。转出地和转入地的每个环节一般在15个工作日内办结。"),
        "message_en": message_en or (
            "You can apply to move your pension insurance from Guangzhou to Nanjing without going back. Across "
            "provinces only the years actually paid move; deemed years (视同缴费年限) are set at retirement and need "
            "no transfer. Each step normally takes at most 15 working days."),
        "from_area": from_area, "to_area": NANJING})


def steps(states: tuple[str, ...], overdue: int | None = None, titles=STEP_TITLES) -> list[dict]:
    out, day = [], dt.date(2026, 2, 2)
    for index, ((step, zh, en, office), state) in enumerate(zip(titles, states)):
        started = completed = due = None
        if state in ("done", "current"):
            started, due = day, day + dt.timedelta(days=21)
        if state == "done":
            completed = day + dt.timedelta(days=6 if index else 0)
            day = completed
        out.append({"step": step, "title_zh": zh, "title_en": en, "office": office, "state": state,
                    "started_on": started and started.isoformat(),
                    "completed_on": completed and completed.isoformat(),
                    "due_by": due and due.isoformat(), "working_day_limit": 15, "overdue": index == overdue})
    return out


IN_PROGRESS = ("done", "done", "current", "pending", "pending")
REJECTED = ("done", "stopped", "stopped", "stopped", "stopped")


def application(id_: str = "PT20260202000801", status: str = "acceptance_sent", states=IN_PROGRESS,
                overdue: int | None = None, from_area: dict = HANGZHOU, reason: tuple[str, str] | None = None,
                titles=STEP_TITLES) -> models.PensionTransfer:
    return models.PensionTransfer.model_validate({
        "id": id_, "status": status, "from_area": from_area, "to_area": NANJING,
        "contact_mobile_masked": "139****0008", "created_at": "2026-02-02T10:15:00+08:00",
        "updated_at": "2026-03-01T09:00:00+08:00",
        "status_reason_zh": reason and reason[0], "status_reason_en": reason and reason[1],
        "steps": steps(states, overdue, titles)})


REASON = ("转出地核查发现同期重复参保，请先清理重复缴费记录后重新申请。",
          "The sending office found overlapping contributions; clear the duplicate months and apply again.")


def receipt_free(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if key != "receipt_status_key"}


def flow_state(screen: Screen, language: str = "zh", elder: bool = False, *, name: str = "陈静",
               **transfer) -> FlowState:
    return FlowState(screen=screen, language=language, elder_mode=elder, citizen=citizen(name),
                     views={"pension_transfer": TransferView(**receipt_free(transfer))},
                     receipt_status=transfer.get("receipt_status_key", ""), can_go_back=True, session_active=True,
                     identified_by="card")


CONTACT = dict(eligibility=eligibility(), province="440000", city="440100", mobile_length=7,
               mobile_display="139 1234")
REVIEW = dict(eligibility=eligibility(), province="440000", city="440100", mobile_length=11,
              mobile_display="139 1234 0004")
DONE = dict(eligibility=eligibility(), application=application("PT20260302A1B2C3D4", "submitted",
                                                              ("done", "current", "pending", "pending", "pending")),
            receipt_status_key="printed")
PROGRESS = dict(applications=(application(overdue=2),
                              application("PT20250101000802", "rejected", REJECTED, reason=REASON)))


# --- helpers ----------------------------------------------------------------------------------

@pytest.fixture
def make(qtbot, catalog, theme):
    def build(cls, state: FlowState, size=(1280, 1024)):
        screen = cls(catalog, theme)
        qtbot.addWidget(screen)
        lay_out(screen, size)
        screen.render(state, "南京市人力资源和社会保障局")
        QApplication.processEvents()
        return screen
    return build


def collect(screen) -> list[tuple[str, object]]:
    sent: list[tuple[str, object]] = []
    screen.intent.connect(lambda intent, value: sent.append((intent, value)))
    return sent


def activate(button: KioskButton) -> None:
    """A tap (the debounce is for fingers, not for a test doing several in a row)."""
    assert button.isVisible() and button.isEnabled(), button.objectName()
    button._last_activation = None
    button.click()
    QApplication.processEvents()


def press(qtbot, screen, key) -> None:
    """A key on the tactile keypad: it goes to the focused button, else to the screen."""
    focused = screen.focusWidget()
    target = focused if isinstance(focused, KioskButton) else screen
    if isinstance(focused, KioskButton):
        focused._last_activation = None
    qtbot.keyClick(target, key)
    QApplication.processEvents()


def visible_texts(screen) -> list[str]:
    return [w.text() for w in screen.findChildren(QLabel) if w.isVisibleTo(screen) and w.text()] + \
        [b.text() for b in screen.findChildren(KioskButton) if b.isVisibleTo(screen) and b.text()]


def rect_in(screen, widget) -> QRect:
    return QRect(widget.mapTo(screen, QPoint(0, 0)), widget.size())


def overflowing(screen) -> list[str]:
    """Body widgets reaching below the body (into the footer), which clipping checks would miss."""
    body = rect_in(screen, screen.body_widget)
    return [w.objectName() or getattr(w, "text", lambda: "")()[:20]
            for w in screen.body_widget.findChildren(QLabel) + screen.body_widget.findChildren(KioskButton)
            if w.isVisibleTo(screen) and rect_in(screen, w).bottom() > body.bottom() + 1]


def assert_fits(screen, theme, size, elder) -> None:
    assert (screen.width(), screen.height()) == size, "the screen asked for more room than the panel has"
    assert clipped_widgets(screen) == []
    assert overflowing(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert rich_text_labels(screen) == []


def pages(screen, pager) -> int:
    """Check the fit of every page, turning with the next button; returns how many there were."""
    count = 1
    while pager.isVisibleTo(screen) and pager.next_button.isEnabled():
        activate(pager.next_button)
        count += 1
        assert clipped_widgets(screen) == [] and overflowing(screen) == [], f"page {count}"
        assert count < 12
    return count


# --- every screen fits, on every page ---------------------------------------------------------

LAYOUT_CASES = [
    ("rules", TransferRulesScreen, {}),
    ("provinces", TransferFromScreen, {}),
    ("cities", TransferFromScreen, dict(province="320000", city="320500")),
    ("contact", TransferContactScreen, CONTACT),
    ("contact_error", TransferContactScreen, dict(CONTACT, mobile_length=11, mobile_display="123 4567 8901",
                                                  mobile_error_key="transfer.mobile.invalid")),
    ("review", TransferReviewScreen, REVIEW),
    ("done_failed", TransferDoneScreen, dict(DONE, receipt_status_key="failed_paper_out")),
    ("progress", TransferProgressScreen, PROGRESS),
    ("progress_none", TransferProgressScreen, {}),
]


@pytest.mark.parametrize(("size", "language", "elder"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize(("case", "cls", "transfer"), LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_fits_without_clipping(make, theme, case, cls, transfer, size, language, elder):
    screen = make(cls, flow_state(cls.SCREEN, language, elder, **transfer), size)
    assert_fits(screen, theme, size, elder)
    pager = getattr(screen, "paged", None) or getattr(screen, "grid", None)
    if pager is not None:
        pages(screen, pager.pager)
        assert small_targets(screen, theme.min_target_px(elder)) == []


def test_switching_elder_mode_and_language_refits(make, theme):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "zh", False), (1280, 1024))
    assert screen.paged.page_count() == 1
    screen.render(flow_state(TransferScreens.TRANSFER_RULES, "en", True), "x")
    QApplication.processEvents()
    assert screen.paged.page_count() == 2
    assert_fits(screen, theme, (1280, 1024), True)
    screen.render(flow_state(TransferScreens.TRANSFER_RULES, "zh", False), "x")
    QApplication.processEvents()
    assert screen.paged.page_count() == 1
    assert_fits(screen, theme, (1280, 1024), False)


def test_resizing_refits(make, theme):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "en", True), (1920, 1080))
    screen.resize(1280, 1024)
    QApplication.processEvents()
    assert_fits(screen, theme, (1280, 1024), True)


@pytest.mark.parametrize("cls", [TransferRulesScreen, TransferFromScreen, TransferContactScreen,
                                 TransferReviewScreen, TransferDoneScreen, TransferProgressScreen])
def test_blank_state_draws(make, cls):
    """The window wipes every screen with an empty state at session end: nothing may fail or stay."""
    screen = make(cls, FlowState(screen=cls.SCREEN))
    screen.render(FlowState(screen=cls.SCREEN, language="en", elder_mode=True), "x")
    QApplication.processEvents()
    assert "陈静" not in " ".join(all_texts(screen))


def test_speech_keys_exist(catalog):
    for screen in ("transfer_rules", "transfer_from", "transfer_contact", "transfer_review", "transfer_done",
                   "transfer_progress"):
        for language in ("zh", "en"):
            assert catalog.text(f"{screen}.speech", language).strip()


# --- 1. rules -----------------------------------------------------------------------------------

def test_rules_show_every_point_and_step(make, catalog):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "en", True))
    assert screen.title_label.text() == "Pension transfer"
    seen: set[str] = set()
    seen.update(visible_texts(screen))
    while screen.paged.pager.next_button.isVisible() and screen.paged.pager.next_button.isEnabled():
        activate(screen.paged.pager.next_button)
        seen.update(visible_texts(screen))
    for key in ("apply_here", "same_province", "pensioners", "paid_years", "one_place"):
        assert catalog.text(f"transfer_rules.rule.{key}", "en") in seen
    for key in ("certificate", "acceptance", "funds"):
        assert catalog.text(f"transfer_rules.step.{key}", "en") in seen
    assert catalog.text("transfer_rules.process_heading", "en") in seen
    # the five points are numbered and each has its drawn icon
    assert [badge.number for badge in screen.badges[:5]] == [1, 2, 3, 4, 5]
    assert all(not icon.pixmap().isNull() for icon in screen.rule_icons.values())


def test_rules_fit_one_page_on_a_wide_panel(make):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "zh", False), (1920, 1080))
    assert screen.paged.page_count() == 1
    assert not screen.paged.pager.isVisible()


def test_rules_buttons_send_their_intents(make):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "zh"))
    sent = collect(screen)
    activate(screen.apply_button)
    activate(screen.progress_button)
    assert sent == [("start_application", None), ("view_progress", None)]
    assert screen.apply_button.property("variant") == "primary"


def test_rules_by_keypad(make, qtbot):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "en", True))
    sent = collect(screen)
    press(qtbot, screen, Qt.Key.Key_Down)            # the first arrow lands on the main action
    assert screen.focusWidget() is screen.apply_button
    press(qtbot, screen, Qt.Key.Key_Return)
    assert sent == [("start_application", None)]
    press(qtbot, screen, Qt.Key.Key_Up)
    assert screen.focusWidget() is screen.progress_button
    press(qtbot, screen, Qt.Key.Key_Enter)
    assert sent[-1] == ("view_progress", None)


def test_rules_local_paging_keeps_the_keypad_focus(make, qtbot):
    screen = make(TransferRulesScreen, flow_state(TransferScreens.TRANSFER_RULES, "en", True))
    pager = screen.paged.pager
    assert screen.paged.page_count() == 2 and pager.isVisible()
    sent = collect(screen)
    pager.next_button.setFocus()
    press(qtbot, screen, Qt.Key.Key_Return)
    assert screen.paged.page == 1
    assert screen.step_rows["funds"].isVisible() and not screen.rule_rows["apply_here"].isVisible()
    # the next button is now disabled: the focus moves to "previous", still on the pager
    assert screen.focusWidget() is pager.previous_button
    press(qtbot, screen, Qt.Key.Key_Return)
    assert screen.paged.page == 0
    assert sent == []                                  # paging is local: the machine is not asked


# --- 2. where from ------------------------------------------------------------------------------

def grid_names(screen) -> list[str]:
    return [button.text() for button in screen.grid.visible_buttons()]


@pytest.mark.parametrize(("size", "language", "elder"), [((1280, 1024), "en", True), ((1920, 1080), "zh", False)])
def test_all_31_provinces_by_the_page_buttons(make, size, language, elder):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, language, elder), size)
    sent = collect(screen)
    pager = screen.grid.pager
    seen = grid_names(screen)
    while pager.isVisible() and pager.next_button.isEnabled():
        activate(pager.next_button)
        seen += grid_names(screen)
    expected = [province.name(language) for province in areas.provinces()]
    assert len(expected) == 31
    assert seen == expected                            # every province once, in order
    assert sent == []
    if elder:
        assert screen.grid.page_count() > 1
        assert pager.position_label.text() == f"Page {screen.grid.page_count()} of {screen.grid.page_count()}"
        activate(pager.previous_button)
        assert screen.grid.page == screen.grid.page_count() - 2


def test_province_button_sends_its_code(make):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "zh"))
    sent = collect(screen)
    button = next(b for b in screen.grid.visible_buttons() if b.text() == "北京市")
    activate(button)
    assert sent == [("select_province", "110000")]
    assert "第1步" in screen.step_label.text()
    assert not screen.change_button.isVisible()


def test_provinces_by_arrow_keys_and_enter(make, qtbot):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "en", True))
    sent = collect(screen)
    pager = screen.grid.pager
    count = screen.grid.page_count()
    assert count > 1
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.grid.visible_buttons()[0]
    seen = []
    for page in range(count):
        seen += grid_names(screen)
        if page == count - 1:
            break
        # arrow down through the page's buttons to "next page", then Enter
        for _ in range(40):
            if screen.focusWidget() is pager.next_button:
                break
            press(qtbot, screen, Qt.Key.Key_Down)
        assert screen.focusWidget() is pager.next_button
        press(qtbot, screen, Qt.Key.Key_Return)
        assert screen.grid.page == page + 1
    assert seen == [province.name("en") for province in areas.provinces()]
    # on the last page, go back up to Xinjiang and choose it with Enter
    for _ in range(40):
        focused = screen.focusWidget()
        if isinstance(focused, KioskButton) and focused.text() == "Xinjiang":
            break
        press(qtbot, screen, Qt.Key.Key_Up)
    assert screen.focusWidget().text() == "Xinjiang"
    press(qtbot, screen, Qt.Key.Key_Return)
    assert sent == [("select_province", "650000")]


def test_cities_of_the_chosen_province(make, catalog):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "zh", province="320000"))
    sent = collect(screen)
    assert grid_names(screen) == [city.name_zh for city in areas.cities_of("320000")]
    assert screen.step_label.text() == catalog.text("transfer_from.choose_city", "zh").format(province="江苏省")
    assert screen.chosen_label.text() == "已选择：江苏省"
    activate(next(b for b in screen.grid.visible_buttons() if b.text() == "苏州市"))
    assert sent == [("select_city", "320500")]
    assert screen.change_button.isVisible()
    activate(screen.change_button)
    assert sent[-1] == ("select_province", "")


def test_chosen_city_is_marked_by_words_and_icon(make):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "en", province="440000", city="440100"))
    assert screen.chosen_label.text() == "You chose: Guangzhou, Guangdong"
    chosen = [b for b in screen.grid.visible_buttons() if b.is_active()]
    assert [b.text() for b in chosen] == ["Guangzhou"]
    assert not chosen[0].icon().isNull()
    assert all(b.icon().isNull() for b in screen.grid.visible_buttons() if not b.is_active())
    assert screen.first_focus() is chosen[0]


def test_municipality_is_its_own_city(make):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "zh", province="110000"))
    sent = collect(screen)
    assert grid_names(screen) == ["北京市"]
    activate(screen.grid.visible_buttons()[0])
    assert sent == [("select_city", "110000")]


def test_province_without_known_cities_says_so(make, catalog):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "en", province="540000"))
    assert grid_names(screen) == []
    assert screen.empty_label.isVisible()
    assert screen.empty_label.text() == catalog.text("transfer_from.no_cities", "en")
    assert screen.change_button.isVisible()


def test_back_to_provinces_shows_the_page_of_the_last_one(make):
    screen = make(TransferFromScreen, flow_state(TransferScreens.TRANSFER_FROM, "en", True, province="650000"))
    screen.render(flow_state(TransferScreens.TRANSFER_FROM, "en", True), "x")
    QApplication.processEvents()
    names = grid_names(screen)
    assert "Xinjiang" in names
    assert screen.first_focus().text() == "Xinjiang"


# --- 3. contact mobile ----------------------------------------------------------------------------

def test_contact_shows_the_number_as_typed_and_the_yes(make, catalog):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "en", **CONTACT), (1920, 1080))
    assert screen.mobile_label.text() == "139 1234"
    assert screen.count_label.text() == "7 of 11 digits"
    assert screen.route_label.text() == "From Guangzhou to Nanjing"
    assert screen.eligible_line.text() == catalog.text("transfer_contact.eligible", "en")
    assert screen.message_label.isVisible()
    assert screen.message_label.text() == CONTACT["eligibility"].message_en
    assert not screen.note_button.isVisible()
    assert not screen.error_line.isVisible()


def test_contact_keypad_sends_digits_delete_clear_next(make):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "zh", **CONTACT))
    sent = collect(screen)
    for digit in "1234567890":
        activate(screen.keys[digit])
    activate(screen.keys["delete"])
    activate(screen.keys["clear"])
    activate(screen.next_button)
    assert sent == [("digit", d) for d in "1234567890"] + [("delete", None), ("clear", None), ("confirm", None)]
    assert screen.keys["delete"].text() == "删除" and screen.keys["clear"].text() == "清空"
    assert screen.next_button.property("variant") == "primary"


def test_contact_tactile_keys(make, qtbot):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "zh", **CONTACT))
    sent = collect(screen)
    for key in (Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_8, Qt.Key.Key_Backspace, Qt.Key.Key_Delete,
                Qt.Key.Key_Return):
        qtbot.keyClick(screen, key)
    assert sent == [("digit", "1"), ("digit", "3"), ("digit", "8"), ("delete", None), ("clear", None),
                    ("confirm", None)]
    # arrows reach the on-screen keys, Enter presses the focused one
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.keys["1"]
    press(qtbot, screen, Qt.Key.Key_Right)
    press(qtbot, screen, Qt.Key.Key_Return)
    assert sent[-1] == ("digit", "2")


@pytest.mark.parametrize("key", ["transfer.mobile.invalid", "transfer.mobile.incomplete"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_contact_shows_the_validation_error_with_an_icon(make, catalog, key, language):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, language, True,
                                                    **dict(CONTACT, mobile_error_key=key)))
    assert screen.error_line.isVisible()
    assert screen.error_line.text() == catalog.text(key, language)
    assert screen.error_line.kind == "warning"
    assert screen.error_line.text_label.property("tone") == "danger"


def test_mobile_error_texts_explain_the_rule(catalog):
    assert "11" in catalog.text("transfer.mobile.invalid", "en") and "13" in catalog.text("transfer.mobile.invalid", "en")
    assert "19" in catalog.text("transfer.mobile.invalid", "zh")
    assert "11" in catalog.text("transfer.mobile.incomplete", "zh")


def test_contact_long_explanation_sits_behind_a_button(make, qtbot, theme):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "en", True, **CONTACT))
    sent = collect(screen)
    assert screen.note_button.isVisible() and not screen.message_label.isVisible()
    activate(screen.note_button)
    assert screen.message_label.isVisible() and screen.message_label.text() == CONTACT["eligibility"].message_en
    assert not screen.keys["1"].isVisible() and not screen.next_button.isVisible()
    assert_fits(screen, theme, (1280, 1024), True)
    # Enter (nothing focused) closes the note rather than confirming a half-typed number
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert screen.keys["1"].isVisible() and not screen.message_label.isVisible()
    assert sent == []
    activate(screen.note_button)
    activate(screen.note_button)
    assert screen.keys["1"].isVisible()
    # a typed digit closes it too (the citizen sees the number being typed)
    activate(screen.note_button)
    screen.render(flow_state(TransferScreens.TRANSFER_CONTACT, "en", True, **dict(CONTACT, mobile_length=8,
                                                                          mobile_display="139 1234 5")), "x")
    assert screen.keys["1"].isVisible() and screen.mobile_label.text() == "139 1234 5"


def test_contact_shows_back_office_text_literally(make):
    hostile = eligibility(message_zh=HOSTILE, message_en=HOSTILE, from_area=area("440100", HOSTILE, HOSTILE))
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "en", **dict(CONTACT, eligibility=hostile)),
                  (1920, 1080))
    assert screen.message_label.text() == HOSTILE
    assert screen.route_label.text() == f"From {HOSTILE} to Nanjing"
    assert rich_text_labels(screen) == []


def test_contact_empty_number(make):
    screen = make(TransferContactScreen, flow_state(TransferScreens.TRANSFER_CONTACT, "zh", **dict(CONTACT, mobile_length=0,
                                                                                          mobile_display="")))
    assert screen.mobile_label.text() == "—"
    assert screen.count_label.text() == "已输入 0 位，共 11 位"


# --- 4. review ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "from_text"), [("zh", "广东省 广州市"), ("en", "Guangzhou, Guangdong")])
def test_review_shows_the_application(make, catalog, language, from_text):
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, language, **REVIEW))
    assert screen.values["from"].text() == from_text
    assert screen.values["to"].text() == ("南京市" if language == "zh" else "Nanjing")
    assert screen.values["mobile"].text() == "139****0004"
    assert screen.values["applicant"].text() == "陈静  4401**********4682"
    assert screen.note_line.text() == catalog.text("transfer_review.confirm_note", language)
    texts = " ".join(all_texts(screen))
    assert "1234" not in texts.replace("4401", "")     # the middle digits never show on review
    assert "139 1234 0004" not in texts and "13912340004" not in texts
    assert not FULL_SSN.search(texts)


@pytest.mark.parametrize(("size", "language", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_review_note_is_always_beside_the_submit_button(make, size, language, elder):
    """The "old place has stopped" statement is never on a page the citizen may not turn to."""
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, language, elder, **REVIEW), size)
    assert screen.paged.page_count() == 1
    assert screen.note.isVisible() and screen.submit_button.isVisible()


def test_review_municipality_is_named_once(make):
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, "zh", **dict(
        REVIEW, province="310000", city="310000")))
    assert screen.values["from"].text() == "上海市"


def test_review_buttons_and_keys(make, qtbot):
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, "en", **REVIEW))
    sent = collect(screen)
    activate(screen.submit_button)
    activate(screen.change_button)
    assert sent == [("submit", None), ("back", None)]
    assert screen.submit_button.property("variant") == "primary"
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.submit_button
    press(qtbot, screen, Qt.Key.Key_Return)
    assert sent[-1] == ("submit", None)


def test_review_hostile_name_is_shown_literally(make):
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, "zh", name=HOSTILE, **REVIEW))
    assert screen.values["applicant"].text() == f"{HOSTILE}  4401**********4682"
    assert rich_text_labels(screen) == []


@pytest.mark.parametrize(("display", "masked"), [("139 1234 0004", "139****0004"), ("13912340004", "139****0004"),
                                                 ("138 0013 8", "138*0138"), ("138 0013", "*******"),
                                                 ("12", "**"), ("", "—")])
def test_review_masks_whatever_was_typed(make, display, masked):
    screen = make(TransferReviewScreen, flow_state(TransferScreens.TRANSFER_REVIEW, "zh", **dict(
        REVIEW, mobile_display=display, mobile_length=len(display.replace(" ", "")))))
    assert screen.values["mobile"].text() == masked


# --- 5. done --------------------------------------------------------------------------------------

def test_done_shows_number_status_and_next_steps(make, catalog):
    screen = make(TransferDoneScreen, flow_state(TransferScreens.TRANSFER_DONE, "zh", **DONE), (1920, 1080))
    assert screen.number_label.text() == "PT20260302A1B2C3D4"
    assert screen.number_label.property("role") == "digits"
    status = documents.transfer_status_name(models.TransferStatus.SUBMITTED, "zh")
    assert screen.status_label.text() == catalog.text("transfer_done.status", "zh").format(status=status)
    assert screen.success_line.kind == "check"
    texts = visible_texts(screen)
    assert catalog.text("transfer_done.next_steps", "zh") in texts
    assert catalog.text("transfer_done.sms", "zh") in texts
    assert "15" in catalog.text("transfer_done.next_steps", "zh")


@pytest.mark.parametrize(("key", "icon", "retry"), [
    ("printed", "printer", False),
    ("printing", "printer", False),
    ("failed", "warning", True),
    ("failed_paper_out", "warning", True),
])
def test_done_receipt_status(make, catalog, key, icon, retry):
    screen = make(TransferDoneScreen, flow_state(TransferScreens.TRANSFER_DONE, "en", **dict(DONE, receipt_status_key=key)))
    assert screen.receipt_line.text() == catalog.text(f"transfer.receipt.{key}", "en")
    assert screen.receipt_line.kind == icon
    assert screen.retry_button.isVisible() is retry
    if retry:
        sent = collect(screen)
        activate(screen.retry_button)
        assert sent == [("print_receipt", None)]


def test_done_without_receipt_status_shows_no_receipt_line(make):
    screen = make(TransferDoneScreen, flow_state(TransferScreens.TRANSFER_DONE, "en", **dict(DONE, receipt_status_key="")))
    assert not screen.receipt_line.isVisible()
    assert not screen.retry_button.isVisible()


def test_done_buttons_and_keys(make, qtbot):
    screen = make(TransferDoneScreen, flow_state(TransferScreens.TRANSFER_DONE, "en", True, **DONE))
    sent = collect(screen)
    activate(screen.progress_button)
    activate(screen.ok_button)
    assert sent == [("view_progress", None), ("confirm", None)]
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.ok_button
    press(qtbot, screen, Qt.Key.Key_Return)
    assert sent[-1] == ("confirm", None)
    # the number is on the first page even when the rest is paged
    assert screen.paged.page == 0 and screen.number_label.isVisible()


# --- 6. progress ------------------------------------------------------------------------------------

def test_progress_without_applications(make, catalog, qtbot):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en"))
    sent = collect(screen)
    assert screen.empty_line.text() == catalog.text("transfer_progress.none", "en")
    assert screen.start_button.isVisible()
    activate(screen.start_button)
    assert sent == [("start_application", None)]
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.start_button


def test_progress_timeline_states_in_words(make, catalog):
    every_state = application(states=("done", "current", "pending", "pending", "pending"), overdue=1)
    stopped = application("PT20250101000802", "withdrawn", ("done", "stopped", "stopped", "stopped", "stopped"),
                          reason=("申请人主动撤回申请。", "The applicant withdrew the application."))
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en",
                                                     applications=(every_state, stopped)), (1920, 1080))
    rows = screen.rows_by_application
    words = {state: catalog.text(f"transfer_progress.state.{state}", "en")
             for state in ("done", "current", "pending", "stopped")}
    assert [row.state_label.text() for row in rows[0]] == [words["done"], words["current"]] + [words["pending"]] * 3
    assert [row.state_label.text() for row in rows[1]] == [words["done"]] + [words["stopped"]] * 4
    # the marker draws the state too (shape), and the words carry a tone, never colour alone
    assert [row.marker.state.value for row in rows[0]] == ["done", "current", "pending", "pending", "pending"]
    assert rows[1][1].marker.state is models.StepState.STOPPED
    assert rows[1][1].state_label.property("tone") == "danger"
    assert rows[0][0].title_label.text() == "Receiving office accepts the application"
    # dates: started and completed for a done step, started and due for the current one
    assert rows[0][0].dates_label.text() == "Started 2026-02-02 · Done 2026-02-02"
    assert rows[0][1].dates_label.text() == "Started 2026-02-02 · Due by 2026-02-23"
    assert not rows[0][2].dates_label.isVisibleTo(screen)


def test_progress_overdue_step_has_icon_and_words(make, catalog):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "zh",
                                                     applications=(application(overdue=2),)), (1920, 1080))
    rows = screen.rows_by_application[0]
    overdue = rows[2]
    assert overdue.overdue_line.isVisible()
    assert overdue.overdue_line.kind == "warning"
    assert overdue.overdue_line.text().startswith(
        catalog.text("transfer_progress.overdue", "zh").format(days=15))
    assert overdue.overdue_line.text_label.property("tone") == "danger"
    assert overdue.marker.overdue
    assert [row.overdue_line.isVisibleTo(screen) for row in rows] == [False, False, True, False, False]
    assert rows[0].dates_label.text() == "开始 2026年2月2日 · 完成 2026年2月2日"


def test_progress_summary_and_reason(make, catalog):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en", **PROGRESS), (1920, 1080))
    first, second = screen.cards[:2]
    assert first.id_label.text() == "Application number: PT20260202000801 (1 of 2)"
    assert first.route_label.text() == "From Hangzhou to Nanjing"
    status = documents.transfer_status_name(models.TransferStatus.ACCEPTANCE_SENT, "en")
    assert first.status_line.text() == f"Status: {status}"
    assert first.status_line.kind == "clock"
    assert not first.reason_label.isVisibleTo(first)
    assert second.status_line.kind == "cross"
    assert second.reason_label.text() == f"Reason: {REASON[1]}"


def test_progress_pages_through_every_application(make):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en", True, **PROGRESS))
    sent = collect(screen)
    assert screen.cards[0].isVisible() and not screen.cards[1].isVisible()   # newest first
    pager = screen.paged.pager
    seen_rows = {row for row in screen.step_rows if row.isVisible()}
    page_openers = [screen.paged.visible_blocks()[0]]
    while pager.next_button.isEnabled():
        activate(pager.next_button)
        seen_rows.update(row for row in screen.step_rows if row.isVisible())
        page_openers.append(screen.paged.visible_blocks()[0])
    assert len(seen_rows) == 10                        # every step of both applications
    assert screen.cards[1] in page_openers             # the older application starts its own page
    assert page_openers[0] is screen.cards[0]
    screen.show_application(0)
    assert screen.cards[0].isVisible()
    assert sent == []


def test_progress_new_list_starts_at_the_newest(make):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en", True, **PROGRESS))
    activate(screen.paged.pager.next_button)
    assert screen.paged.page == 1
    screen.render(flow_state(TransferScreens.TRANSFER_PROGRESS, "en", True, **PROGRESS), "x")   # same list: stay
    assert screen.paged.page == 1
    fresh = dict(applications=(application("PT20260401000901"),))
    screen.render(flow_state(TransferScreens.TRANSFER_PROGRESS, "en", True, **fresh), "x")
    assert screen.paged.page == 0


def test_progress_hostile_texts_are_literal(make):
    hostile_titles = tuple((step, HOSTILE, HOSTILE, office) for step, _, _, office in STEP_TITLES)
    transfer = application(HOSTILE, "rejected", REJECTED, from_area=area("330100", HOSTILE, HOSTILE),
                           reason=(HOSTILE, HOSTILE), titles=hostile_titles)
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "zh", applications=(transfer,)),
                  (1920, 1080))
    card = screen.cards[0]
    assert card.id_label.text() == f"申请编号：{HOSTILE}"
    assert card.route_label.text() == f"从 {HOSTILE} 转到 南京市"
    assert card.reason_label.text() == f"原因：{HOSTILE}"
    assert screen.rows_by_application[0][0].title_label.text() == HOSTILE
    assert rich_text_labels(screen) == []


def test_progress_by_keypad(make, qtbot):
    screen = make(TransferProgressScreen, flow_state(TransferScreens.TRANSFER_PROGRESS, "en", True, **PROGRESS))
    press(qtbot, screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.paged.pager.next_button
    press(qtbot, screen, Qt.Key.Key_Return)
    assert screen.paged.page == 1
    assert screen.focusWidget() is screen.paged.pager.next_button
