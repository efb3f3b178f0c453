"""PIN, menu, busy, message, goodbye and out-of-service screens, and the idle countdown overlay.

Each is laid out at both panel sizes, in both languages, normal and elder mode, with
realistic states, and checked for clipping, target sizes and plain text; then for the
facts it must show and the intents its buttons and keys send.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.contract import models
from kiosk.flow_state import Countdown, FlowState, Intent, MessageKind, MessageView, PinView, Screen, ServiceTile
from kiosk.messages import MessageCatalog, default_messages
from kiosk.texts import screens_identify
from tests.ui.conftest import lay_out
from tests.ui.screen_checks import all_texts, clipped_widgets, rich_text_labels, small_targets
from ui.screens.busy import BusyScreen
from ui.screens.menu import MenuScreen
from ui.screens.message import GoodbyeScreen, MessageScreen, OutOfServiceScreen
from ui.screens.pin import PinScreen
from ui.widgets.countdown import CountdownOverlay
from ui.widgets.kiosk_button import KioskButton

SIZES = [(1920, 1080), (1280, 1024)]
VARIANTS = [(size, lang, elder) for size in SIZES for lang in ("zh", "en") for elder in (False, True)]
VARIANT_IDS = [f"{w}x{h}-{lang}-{'elder' if elder else 'normal'}" for (w, h), lang, elder in VARIANTS]
TIGHT = ((1280, 1024), "en", True)
HOSTILE = "<b>x</b><img src=x>"
BRAND = "南京市人力资源和社会保障局"
FULL_SSN = "320102198001010018"
NANJING = {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"}

MESSAGE_NAMES = ("card_unreadable", "card_blocked", "card_invalid", "ecard_invalid", "backoffice_unavailable",
                 "backoffice_rejected", "timeout", "device_lost", "staff_called", "error", "card_help", "scan_help")
BUSY_KEYS = ("busy.reading_card", "busy.verifying_pin", "busy.opening_session", "busy.verifying_ecard", "busy.loading",
             "busy.printing", "busy.issuing_certificate", "busy.submitting", "busy.checking_eligibility")
REASON_KEYS = ("menu.unavailable.backoffice", "menu.unavailable.printer", "menu.unavailable.receipt_printer",
               "menu.unavailable.profile", "menu.unavailable.retired")
SPEECH_KEYS = ("pin.speech", "menu.speech", "busy.speech", "goodbye.speech", "out_of_service.speech")


# --- states -------------------------------------------------------------------------------------

def citizen(name: str = "张伟") -> models.CitizenSummary:
    return models.CitizenSummary.model_validate({
        "name": name, "ssn_masked": "3201**********0018", "card_number_masked": "A0****019",
        "personal_number": "P00012345", "sex": "M", "insured_area": NANJING, "retired": False,
        "payer_kind": "employer"})


def message(kind: MessageKind, name: str, actions=(Intent.CONFIRM,), detail: str = "", next_step_key: str = "",
            body_params=()) -> MessageView:
    """As the flow machine builds them: `message.<name>.title/.body`, no body when the back office explains."""
    body = "" if detail and name == "backoffice_rejected" else f"message.{name}.body"
    return MessageView(kind=kind, title_key=f"message.{name}.title", body_key=body, body_params=body_params,
                       detail_text=detail, next_step_key=next_step_key, actions=actions)


MIXED_MENU = (ServiceTile("enrolment", True), ServiceTile("contributions", True),
              ServiceTile("certificate", False, "menu.unavailable.printer"),
              ServiceTile("pension_transfer", False, "menu.unavailable.profile"),
              ServiceTile("transfer_progress", True))
MENU_ENTRIES = ("enrolment", "contributions", "certificate", "pension_transfer", "transfer_progress")
FULL_MENU = tuple(ServiceTile(service, True) for service in MENU_ENTRIES)
SHUFFLED = ("5", "8", "2", "0", "9", "1", "3", "6", "4", "7")
REJECTION = "您的养老保险关系目前处于暂停缴费状态（单位已申报停保），请先由原参保单位办理续保后再申请。"

CASES = {
    "pin": (PinScreen, dict(screen=Screen.PIN, identified_by="card",
                            pin=PinView(length=3, tries_left=2, error_key="pin.wrong", keypad_digits=SHUFFLED))),
    "menu": (MenuScreen, dict(screen=Screen.MENU, citizen=citizen(), menu=MIXED_MENU, session_active=True,
                              identified_by="card")),
    "busy": (BusyScreen, dict(screen=Screen.BUSY, busy_key="busy.checking_eligibility", busy_cancellable=True,
                              identified_by="card", session_active=True)),
    "message": (MessageScreen, dict(screen=Screen.MESSAGE, session_active=True, message=message(
        MessageKind.ERROR, "backoffice_rejected", (Intent.CONFIRM, Intent.FINISH), detail=REJECTION))),
    "message_help": (MessageScreen, dict(screen=Screen.MESSAGE, message=message(MessageKind.INFO, "scan_help"))),
    "goodbye": (GoodbyeScreen, dict(screen=Screen.GOODBYE, identified_by="card", message=MessageView(
        kind=MessageKind.INFO, title_key="message.timeout.title", body_key="message.timeout.body", actions=()))),
    "out_of_service": (OutOfServiceScreen, dict(screen=Screen.OUT_OF_SERVICE,
                                                out_of_service_key="out_of_service.no_identification")),
}


def state_for(case: str, lang: str = "zh", elder: bool = False, **changes) -> FlowState:
    fields = dict(CASES[case][1])
    fields.update(changes)
    return FlowState(language=lang, elder_mode=elder, **fields)


@pytest.fixture
def make(qtbot, catalog, theme):
    """A screen of `cls`, laid out at `size` first and then drawn from `state` (as the app does)."""

    def build(cls, state: FlowState, size=(1920, 1080), cat: MessageCatalog | None = None):
        screen = cls(cat or catalog, theme)
        qtbot.addWidget(screen)
        lay_out(screen, size)
        screen.render(state, BRAND)
        QApplication.processEvents()
        return screen

    return build


def collect(widget) -> list[tuple[str, object]]:
    got: list[tuple[str, object]] = []
    widget.intent.connect(lambda intent, value: got.append((intent, value)))
    return got


def shown_texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) if w.isVisibleTo(root) and w.text()]


# --- layout everywhere ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_screens_fit_every_panel_language_and_mode(make, theme, case, size, lang, elder):
    cls, _ = CASES[case]
    screen = make(cls, state_for(case, lang, elder), size)
    assert screen.size() == QSize(*size), "content forced the screen to grow"
    assert clipped_widgets(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert rich_text_labels(screen) == []
    assert not any(FULL_SSN in text for text in all_texts(screen))


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_menu_with_every_tile_unavailable_still_fits(make, theme, size, lang, elder):
    tiles = tuple(ServiceTile(service, False, key) for service, key in zip(MENU_ENTRIES, REASON_KEYS))
    screen = make(MenuScreen, state_for("menu", lang, elder, menu=tiles), size)
    assert screen.size() == QSize(*size)
    assert clipped_widgets(screen) == []


def test_switching_to_elder_mode_on_a_drawn_screen_refits(make, theme):
    """Text size changes on a screen that is already up (the footer grows, the body shrinks)."""
    for cls, case in ((PinScreen, "pin"), (MenuScreen, "menu"), (GoodbyeScreen, "goodbye")):
        screen = make(cls, state_for(case, "en", False), (1280, 1024))
        screen.render(state_for(case, "en", True), BRAND)
        QApplication.processEvents()
        assert screen.size() == QSize(1280, 1024)
        assert clipped_widgets(screen) == [], case
        assert small_targets(screen, theme.min_target_px(True)) == []


# --- PIN --------------------------------------------------------------------------------------------

def test_pin_boxes_show_a_count_never_digits(make, qtbot):
    screen = make(PinScreen, state_for("pin", "en", pin=PinView(length=0)))
    before = set(all_texts(screen))
    got = collect(screen)
    screen.setFocus()
    for key in (Qt.Key.Key_7, Qt.Key.Key_3, Qt.Key.Key_9, Qt.Key.Key_1):
        qtbot.keyClick(screen, key)
    assert got == [("digit", "7"), ("digit", "3"), ("digit", "9"), ("digit", "1")]
    screen.render(state_for("pin", "en", pin=PinView(length=4)), BRAND)
    QApplication.processEvents()
    assert screen.dots.filled == 4 and screen.dots.total == 6
    # The only new text anywhere is the count; the digits typed appear nowhere.
    assert set(all_texts(screen)) - before == {"4 of 6 digits entered"}
    assert not any("7391" in text or "739" in text for text in all_texts(screen))


def test_pin_boxes_follow_length_and_max_length(make):
    screen = make(PinScreen, state_for("pin", pin=PinView(length=6)))
    assert screen.dots.filled == 6
    screen.render(state_for("pin", pin=PinView(length=9, max_length=6)), BRAND)
    assert screen.dots.filled == 6          # never more boxes filled than there are
    assert screen.dots.accessibleName() == "已输入 6 位，共 6 位"


def test_pin_keypad_order_follows_the_state_and_each_key_sends_its_digit(make, qtbot):
    screen = make(PinScreen, state_for("pin"))
    grid = screen._grid
    rows = [[grid.itemAtPosition(r, c).widget().text() for c in range(3)] for r in range(3)]
    assert rows == [["5", "8", "2"], ["0", "9", "1"], ["3", "6", "4"]]
    assert grid.itemAtPosition(3, 1).widget().text() == "7"
    assert grid.itemAtPosition(3, 0).widget() is screen.clear_button
    assert grid.itemAtPosition(3, 2).widget() is screen.delete_button
    got = collect(screen)
    for digit in "0123456789":
        button = screen.findChild(KioskButton, f"pin_key_{digit}")
        assert button is screen.digit_button(digit) and button.text() == digit
        button.click()
    assert got == [("digit", d) for d in "0123456789"]
    # A new order on the next draw relabels the same buttons.
    screen.render(state_for("pin", pin=PinView()), BRAND)
    assert [b.text() for b in screen.digit_buttons] == list("1234567890")
    got.clear()
    qtbot.wait(450)                            # past the double-tap guard of the key pressed before
    screen.digit_buttons[0].click()
    assert got == [("digit", "1")]


def test_pin_keypad_ignores_a_broken_digit_order(make):
    screen = make(PinScreen, state_for("pin", pin=PinView(keypad_digits=("1", "1", "2"))))
    assert [b.text() for b in screen.digit_buttons] == list("1234567890")


def test_pin_action_buttons_and_keys(make, qtbot):
    screen = make(PinScreen, state_for("pin", "en"))
    got = collect(screen)
    for name in ("pin_delete", "pin_clear", "pin_ok", "pin_cancel"):
        screen.findChild(KioskButton, name).click()
    assert [intent for intent, _ in got] == ["delete", "clear", "confirm", "cancel"]
    assert screen.delete_button.text() == "Delete" and not screen.delete_button.icon().isNull()
    got.clear()
    screen.setFocus()
    for key in (Qt.Key.Key_5, Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Return, Qt.Key.Key_Escape):
        qtbot.keyClick(screen, key)
    assert got == [("digit", "5"), ("delete", None), ("clear", None), ("confirm", None), ("cancel", None)]


def test_pin_keypad_users_start_on_ok_and_walk_the_keys(make, qtbot):
    screen = make(PinScreen, state_for("pin", "en"))
    got = collect(screen)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.ok_button
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Return)
    assert got == [("confirm", None)]
    screen.digit_buttons[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(screen.digit_buttons[0], Qt.Key.Key_Right)
    assert screen.focusWidget() is screen.digit_buttons[1]


def test_pin_tries_left_and_errors_in_words_and_icon(make):
    screen = make(PinScreen, state_for("pin", "en"))
    assert screen.tries_line.isVisibleTo(screen) and screen.tries_line.text() == "2 tries left"
    assert screen.tries_line.icon_label.isVisibleTo(screen)
    assert screen.error_line.text() == "Wrong PIN. Please enter it again."
    assert screen.error_line.icon_label.isVisibleTo(screen)
    screen.render(state_for("pin", "en", pin=PinView(tries_left=1, error_key="pin.too_short")), BRAND)
    assert "Last try" in screen.tries_line.text()
    assert screen.error_line.text() == "The PIN has 6 digits. Enter all 6, then press OK."
    screen.render(state_for("pin", "en", pin=PinView()), BRAND)
    assert not screen.tries_line.isVisibleTo(screen) and not screen.error_line.isVisibleTo(screen)


def test_pin_explains_which_password_when_there_is_room(make):
    screen = make(PinScreen, state_for("pin", "zh", pin=PinView()))
    texts = shown_texts(screen)
    assert any("社保卡" in t and "银行" in t for t in texts)
    assert any("6位" in t for t in texts)


def test_pin_keys_are_large_and_larger_in_elder_mode(make, theme):
    for size in SIZES:
        normal = make(PinScreen, state_for("pin", "en"), size)
        elder = make(PinScreen, state_for("pin", "en", True), size)
        for screen, is_elder in ((normal, False), (elder, True)):
            for button in screen.digit_buttons:
                assert button.height() >= theme.min_target_px(is_elder) * 1.4
                assert button.width() >= button.height()
        assert elder.digit_buttons[0].height() > normal.digit_buttons[0].height()
        assert elder.digit_buttons[0].font().pixelSize() > normal.digit_buttons[0].font().pixelSize()


# --- menu ---------------------------------------------------------------------------------------------

def test_menu_greets_by_name_with_the_masked_number(make):
    screen = make(MenuScreen, state_for("menu", "zh"))
    assert screen.greeting_label.text() == "张伟，您好！"
    assert "3201**********0018" in screen.ssn_label.text()


def test_menu_shows_a_hostile_name_literally(make):
    screen = make(MenuScreen, state_for("menu", "en", citizen=citizen(HOSTILE)))
    assert screen.greeting_label.text() == f"Hello, {HOSTILE}"
    assert screen.greeting_label.textFormat() == Qt.TextFormat.PlainText
    assert rich_text_labels(screen) == []


def test_menu_tiles_follow_the_state_and_send_their_service(make):
    screen = make(MenuScreen, state_for("menu", "zh", menu=FULL_MENU))
    assert [t.service for t in screen._tiles_shown] == list(MENU_ENTRIES)
    titles = {t.service: t.title_label.text() for t in screen._tiles_shown}
    assert titles == {"enrolment": "参保信息查询", "contributions": "缴费明细查询",
                      "certificate": "打印参保证明", "pension_transfer": "养老保险关系转移申请",
                      "transfer_progress": "转移进度查询"}
    got = collect(screen)
    for service in MENU_ENTRIES:
        screen.findChild(KioskButton, f"menu_tile_{service}").click()
    assert got == [("choose_service", service) for service in MENU_ENTRIES]


def test_menu_tiles_sit_in_two_columns(make):
    screen = make(MenuScreen, state_for("menu", "en"), (1280, 1024))
    tiles = screen._tiles_shown
    assert tiles[0].y() == tiles[1].y() and tiles[0].x() < tiles[1].x()
    assert tiles[2].y() > tiles[0].y() and tiles[4].x() == tiles[0].x()


def test_unavailable_tiles_say_why_with_an_icon_and_never_send(make, qtbot):
    screen = make(MenuScreen, state_for("menu", "en"))
    tile = screen.tiles["certificate"]
    assert not tile.isEnabled()
    assert tile.reason_line.isVisibleTo(screen) and tile.reason_line.icon_label.isVisibleTo(screen)
    assert tile.reason_line.text() == "A4 printer not available"
    assert "not available" in tile.accessibleName()
    got = collect(screen)
    tile.click()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    screen._chosen("certificate")        # even a press that got past Qt's disabled check
    assert got == []
    available = screen.tiles["enrolment"]
    assert available.isEnabled() and not available.reason_line.isVisibleTo(screen)
    qtbot.mouseClick(available, Qt.MouseButton.LeftButton)
    assert got == [("choose_service", "enrolment")]


@pytest.mark.parametrize("reason", REASON_KEYS)
def test_every_unavailable_reason_has_words(make, catalog, reason):
    menu = (ServiceTile("pension_transfer", False, reason),)
    screen = make(MenuScreen, state_for("menu", "en", menu=menu))
    assert screen.tiles["pension_transfer"].reason_line.text() == catalog.text(reason, "en")


def test_menu_keypad_walks_available_tiles(make, qtbot):
    screen = make(MenuScreen, state_for("menu", "en"))
    got = collect(screen)
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.tiles["enrolment"]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Right)
    assert screen.focusWidget() is screen.tiles["contributions"]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Right)   # certificate and transfer are skipped
    assert screen.focusWidget() is screen.tiles["transfer_progress"]
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Return)
    assert got == [("choose_service", "transfer_progress")]
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert got[-1] == ("cancel", None)


def test_menu_drops_descriptions_only_when_they_do_not_fit(make):
    roomy = make(MenuScreen, state_for("menu", "en"), (1920, 1080))
    assert roomy.descriptions_shown()
    assert roomy.tiles["enrolment"].desc_label.isVisibleTo(roomy)


def test_blank_menu_draws_nothing_personal(make):
    screen = make(MenuScreen, FlowState(screen=Screen.MENU))
    assert not screen.greeting_label.isVisibleTo(screen)
    assert screen._tiles_shown == []


# --- busy ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", BUSY_KEYS)
def test_busy_says_what_it_is_doing(make, catalog, key):
    screen = make(BusyScreen, state_for("busy", "en", busy_key=key))
    assert screen.progress_label.text() == catalog.text(key, "en")


def test_busy_indicator_moves_only_while_shown(make, qtbot):
    screen = make(BusyScreen, state_for("busy"))
    assert screen.spinner.timer.isActive()
    start = screen.spinner.frame
    qtbot.waitUntil(lambda: screen.spinner.frame != start, timeout=2000)
    screen.hide()
    assert not screen.spinner.timer.isActive()
    screen.show()
    assert screen.spinner.timer.isActive()


def test_busy_cancel_only_when_allowed(make, qtbot):
    screen = make(BusyScreen, state_for("busy", "en"))
    got = collect(screen)
    assert screen.cancel_button.isVisibleTo(screen)
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert got == [("cancel", None)]
    screen.render(state_for("busy", "en", busy_cancellable=False), BRAND)
    assert not screen.cancel_button.isVisibleTo(screen)


def test_busy_asks_to_keep_the_card_in_only_for_card_sessions(make):
    screen = make(BusyScreen, state_for("busy", "en"))
    assert screen.keep_card.isVisibleTo(screen) and screen.keep_card.text() == "Please do not remove your card"
    screen.render(state_for("busy", "en", identified_by="ecard"), BRAND)
    assert not screen.keep_card.isVisibleTo(screen)


# --- messages -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_every_message_fits_the_tightest_panel(make, theme, catalog, name):
    size, lang, elder = TIGHT
    kind = MessageKind.INFO if name in ("staff_called", "card_help", "scan_help", "timeout") else MessageKind.ERROR
    view = message(kind, name, (Intent.CONFIRM, Intent.FINISH), detail=REJECTION if name == "backoffice_rejected" else "")
    screen = make(MessageScreen, FlowState(screen=Screen.MESSAGE, language=lang, elder_mode=elder, message=view,
                                          session_active=True), size)
    assert screen.title_label.text() == catalog.text(view.title_key, lang)
    if view.body_key:
        assert screen.body_label.text() == catalog.text(view.body_key, lang)
    assert clipped_widgets(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert screen.size() == QSize(*size)


def test_error_messages_show_icon_hotline_and_staff(make, catalog):
    screen = make(MessageScreen, state_for("message", "zh"))
    assert screen.hotline_line.isVisibleTo(screen)
    assert "12333" in screen.hotline_line.text()
    assert screen.kind_icon.pixmap() is not None and not screen.kind_icon.pixmap().isNull()
    assert screen.title_label.property("tone") == "danger"
    info = make(MessageScreen, state_for("message_help", "zh"))
    assert not info.hotline_line.isVisibleTo(info)
    assert not info.title_label.property("tone")
    assert info.pictograms["qr_scan"].isVisibleTo(info) and not info.pictograms["card_insert"].isVisibleTo(info)


def test_back_office_wording_shows_literally_under_its_caption(make):
    screen = make(MessageScreen, state_for("message", "en", message=message(
        MessageKind.ERROR, "backoffice_rejected", detail=HOSTILE)))
    assert screen.detail_label.text() == HOSTILE
    assert screen.detail_caption.text() == "The office replied:"
    assert not screen.body_label.isVisibleTo(screen)     # the back office's words replace the generic body
    assert rich_text_labels(screen) == []


def test_message_actions_become_buttons(make, qtbot):
    actions = (Intent.VIEW_PROGRESS, Intent.START_APPLICATION, Intent.BACK, Intent.CONFIRM, Intent.FINISH)
    screen = make(MessageScreen, state_for("message", "en", can_go_back=True, message=message(
        MessageKind.INFO, "staff_called", actions)))
    labels = {intent: button.text() for intent, button in screen.action_buttons.items()}
    assert labels == {Intent.VIEW_PROGRESS: "View progress", Intent.START_APPLICATION: "Apply for a transfer",
                      Intent.BACK: "Back", Intent.CONFIRM: "OK", Intent.FINISH: "Finish"}
    assert screen.action_buttons[Intent.VIEW_PROGRESS].property("variant") == "primary"
    # One "finish" and one "back" on the screen: the title row's give way to the body's.
    assert not screen.finish_button.isVisibleTo(screen) and not screen.back_button.isVisibleTo(screen)
    got = collect(screen)
    for intent in actions:
        qtbot.mouseClick(screen.findChild(KioskButton, f"message_action_{intent.value}"), Qt.MouseButton.LeftButton)
    assert got == [(intent.value, None) for intent in actions]
    got.clear()
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Down)
    assert screen.focusWidget() is screen.action_buttons[Intent.VIEW_PROGRESS]
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert got == [("confirm", None)]


def test_message_next_step_and_params(make, theme):
    catalog = MessageCatalog({**default_messages(), "test.body": {"zh": "还需 {months} 个月", "en": "{months} months to go"}})
    view = MessageView(kind=MessageKind.RESULT, title_key="message.error.title", body_key="test.body",
                       body_params=(("months", "7"),), next_step_key="message.hotline")
    screen = make(MessageScreen, FlowState(screen=Screen.MESSAGE, language="en", message=view), cat=catalog)
    assert screen.body_label.text() == "7 months to go"
    assert screen.next_step.isVisibleTo(screen) and "12333" in screen.next_step.text()


def test_blank_message_state_is_drawn_without_error(make):
    screen = make(MessageScreen, FlowState(screen=Screen.MESSAGE))
    assert not screen.panel.isVisibleTo(screen) and screen.action_buttons == {}


# --- goodbye and out of service ----------------------------------------------------------------------------------

def test_goodbye_asks_for_the_card_and_papers(make):
    screen = make(GoodbyeScreen, state_for("goodbye", "zh", message=None))
    assert screen.take_label.text() == "请取走您的社保卡和打印的凭证"
    assert screen.remove_card.isVisibleTo(screen)
    assert screen.remove_card.text_label.property("tone") == "warning"
    assert not screen.notice.isVisibleTo(screen)
    # Nothing to press but the frame's language, text size, repeat and call staff.
    names = {b.objectName() for b in screen.interactive_widgets()}
    assert names == {"language_toggle", "elder_mode_toggle", "repeat_speech", "call_staff"}


def test_goodbye_after_a_timeout_says_so_first(make):
    screen = make(GoodbyeScreen, state_for("goodbye", "en"))
    assert screen.notice.isVisibleTo(screen)
    assert screen.notice_title.text() == "Your session has ended"
    assert screen.notice.y() < screen.panel.y()


def test_goodbye_for_an_ecard_does_not_ask_for_a_card(make):
    screen = make(GoodbyeScreen, state_for("goodbye", "en", identified_by="ecard", message=None))
    assert not screen.remove_card.isVisibleTo(screen)
    assert screen.take_label.text() == "Please take your phone and your papers"


@pytest.mark.parametrize("key", ("out_of_service.backoffice", "out_of_service.no_identification", ""))
def test_out_of_service_says_why_and_where_to_go(make, catalog, key):
    screen = make(OutOfServiceScreen, state_for("out_of_service", "zh", out_of_service_key=key))
    assert screen.title_label.text() == "本机暂停服务"
    assert screen.reason_label.isVisibleTo(screen) == bool(key)
    if key:
        assert screen.reason_label.text() == catalog.text(key, "zh")
    assert screen.hotline_number.text() == "12333"
    assert screen.call_staff_button.isVisibleTo(screen)
    assert screen.first_focus() is screen.call_staff_button


# --- countdown overlay ----------------------------------------------------------------------------------------------

@pytest.fixture
def overlay(qtbot, catalog, theme):
    def build(size=(1280, 1024)):
        parent = QWidget()
        qtbot.addWidget(parent)
        parent.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        parent.resize(*size)
        parent.show()
        widget = CountdownOverlay(catalog, theme, parent)
        return parent, widget

    return build


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_countdown_fits(overlay, theme, size, lang, elder):
    parent, widget = overlay(size)
    for extensions in (3, 0):
        widget.show_countdown(Countdown(25, extensions), lang, elder)
        QApplication.processEvents()
        assert widget.geometry() == parent.rect()
        assert clipped_widgets(widget) == []
        assert small_targets(widget, theme.min_target_px(elder)) == []
        assert rich_text_labels(widget) == []


def test_countdown_shows_the_seconds_and_covers_its_parent(overlay):
    parent, widget = overlay()
    assert not widget.isVisible()
    widget.show_countdown(Countdown(25, 9), "en", False)
    assert widget.isVisible()
    assert widget.seconds_label.text() == "25 s"
    assert widget.title_label.text() == "Are you still there?"
    assert "25 s" in widget.body_label.text()
    widget.show_countdown(Countdown(24, 9), "zh", False)
    assert widget.seconds_label.text() == "24 秒"
    parent.resize(1920, 1080)
    QApplication.processEvents()
    assert widget.geometry() == parent.rect()
    widget.hide_countdown()
    assert not widget.isVisible()


def test_countdown_buttons_send_more_time_and_finish(overlay, qtbot):
    _, widget = overlay()
    widget.show_countdown(Countdown(20, 3), "en", True)
    got = collect(widget)
    qtbot.mouseClick(widget.more_time_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(widget.finish_button, Qt.MouseButton.LeftButton)
    assert got == [("more_time", None), ("finish", None)]
    assert widget.more_time_button.height() >= widget.finish_button.height()


def test_countdown_without_extensions_says_so_and_offers_only_finish(overlay, qtbot):
    _, widget = overlay()
    widget.show_countdown(Countdown(20, 0), "en", False)
    assert not widget.more_time_button.isVisibleTo(widget)
    assert widget.no_more_label.isVisibleTo(widget)
    assert widget.no_more_label.text().startswith("No more extensions")
    got = collect(widget)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert got == []
    widget.show_countdown(Countdown(20, 1), "en", False)
    assert widget.more_time_button.isVisibleTo(widget) and not widget.no_more_label.isVisibleTo(widget)


def test_countdown_keypad_enter_is_more_time_and_arrows_stay_inside(overlay, qtbot):
    parent, widget = overlay()
    below = KioskButton("below", parent=parent)
    below.show()
    below.setFocus(Qt.FocusReason.TabFocusReason)
    widget.show_countdown(Countdown(20, 5), "en", False)
    assert parent.focusWidget() is widget
    got = collect(widget)
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    assert got == [("more_time", None)]
    qtbot.keyClick(widget, Qt.Key.Key_Down)
    assert parent.focusWidget() is widget.more_time_button
    seen = set()
    for _ in range(3):
        qtbot.keyClick(parent.focusWidget(), Qt.Key.Key_Right)
        seen.add(parent.focusWidget())
    assert seen == {widget.more_time_button, widget.finish_button}    # never the button below
    qtbot.keyClick(widget, Qt.Key.Key_Escape)                           # nothing reaches the screen below
    assert got == [("more_time", None)]
    widget.hide_countdown()
    assert parent.focusWidget() is below


# --- catalogue ----------------------------------------------------------------------------------------------------

def test_every_key_the_flow_and_screens_use_exists(catalog):
    keys = ([f"message.{name}.title" for name in MESSAGE_NAMES] + [f"message.{name}.body" for name in MESSAGE_NAMES]
            + list(BUSY_KEYS) + list(REASON_KEYS) + list(SPEECH_KEYS)
            + ["pin.wrong", "pin.too_short", "out_of_service.backoffice", "out_of_service.no_identification",
               "goodbye.title", "countdown.title"])
    for key in keys:
        for lang in ("zh", "en"):
            assert catalog.text(key, lang).strip(), key


def test_spoken_texts_carry_no_placeholders():
    """The flow speaks these without parameters: a placeholder would be read out as braces."""
    spoken = [k for k in screens_identify.TEXTS
              if k.endswith(".speech") or k.startswith("busy.") or k in ("pin.wrong", "pin.too_short")
              or (k.startswith("message.") and (k.endswith(".body") or k.endswith(".title")))]
    assert len(spoken) > 30
    for key in spoken:
        for text in screens_identify.TEXTS[key].values():
            assert not re.search(r"\{\w*\}", text), key



def test_a_blank_state_leaves_no_personal_text_behind(make):
    """The window redraws every screen from a blank state at session end: nothing of one citizen stays for the next."""
    menu = make(MenuScreen, state_for("menu", "zh", citizen=citizen("李秀英")))
    rejected = make(MessageScreen, state_for("message", "zh", message=message(
        MessageKind.ERROR, "backoffice_rejected", detail="李秀英 的申请被退回")))
    for screen, blank in ((menu, Screen.MENU), (rejected, Screen.MESSAGE)):
        screen.render(FlowState(screen=blank), BRAND)
        assert not any("李秀英" in text for text in all_texts(screen))


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)])
def test_pin_on_a_pin_pad_reader_shows_no_keypad_and_says_where_to_type(make, theme, catalog, size):
    state = FlowState(screen=Screen.PIN, language="en", elder_mode=True, pin=PinView(on_reader=True, tries_left=2))
    screen = make(PinScreen, state, size)
    assert not screen.keypad.isVisible() and not screen.ok_button.isVisible() and screen.cancel_button.isVisible()
    assert screen.instruction.text() == catalog.text("pin.on_reader", "en")
    assert clipped_widgets(screen) == [] and small_targets(screen, theme.min_target_px(True)) == []
