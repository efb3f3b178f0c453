"""The screen flow on its own: no Qt, no threads, no devices — events in, state and effects out."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from devices.card.data import PinResult
from kiosk import flow
from kiosk.contract import models
from kiosk.errors import ErrorKind, KioskError
from kiosk.flow_state import Intent, Screen
from kiosk.messages import MessageCatalog
from kiosk.services.certificate import CertificateChoices, CertificateIntent, CertificateRange, CertificateReady, CertificateScreens, IssueCertificate, LoadCertificateChoices, PrintCertificate, PrintReport
from kiosk.services.enrolment import LoadEnrolment
from kiosk.services.pension_transfer import CheckEligibility, SubmitTransfer, TransferIntent, TransferScreens

CITIZEN = {"name": "张伟", "ssn_masked": "3201**********0018", "card_number_masked": "A0****019",
           "personal_number": "P0001", "sex": "M", "insured_area": {"code": "320100", "name_zh": "南京市",
                                                                    "name_en": "Nanjing"},
           "retired": False, "payer_kind": "employer"}


def opened(token: str = "tok-1") -> models.SessionOpened:
    return models.SessionOpened.model_validate({"token": token, "expires_at": "2026-11-23T10:00:00+08:00",
                                                "idle_timeout_seconds": 300, "citizen": CITIZEN})


class Journey:
    """Drives a machine with a fake clock and answers its tasks by hand."""

    def __init__(self, **settings) -> None:
        self.machine = flow.FlowMachine(flow.FlowSettings(**settings), today=lambda: dt.date(2026, 11, 23),
                                        rng=random.Random(7))
        self.now = 1000.0
        self.effects: list = list(self.machine.start(self.now))

    @property
    def state(self):
        return self.machine.state

    def send(self, event, advance: float = 0.0) -> list:
        self.now += advance
        effects = self.machine.handle(event, self.now)
        self.effects += effects
        return effects

    def press(self, intent: Intent, value=None) -> list:
        return self.send(flow.Pressed(intent, value))

    def task(self, kind):
        """The latest task of `kind` the machine asked for (and its ticket)."""
        for effect in reversed(self.effects):
            if isinstance(effect, flow.RunTask) and isinstance(effect.task, kind):
                return effect.ticket, effect.task
        raise AssertionError(f"no {kind.__name__} task requested")

    def answer(self, kind, value=None) -> list:
        ticket, _ = self.task(kind)
        return self.send(flow.TaskDone(ticket, value))

    def fail(self, kind, error: KioskError) -> list:
        ticket, _ = self.task(kind)
        return self.send(flow.TaskFailed(ticket, error))

    def tick(self, seconds: float) -> list:
        return self.send(flow.Tick(), advance=seconds)

    def card_to_menu(self, pin: str = "123456") -> None:
        self.send(flow.CardPresence(True))
        assert self.state.screen is Screen.BUSY and self.state.busy_key == "busy.reading_card"
        self.answer(flow.ReadCard, object())
        assert self.state.screen is Screen.PIN
        for digit in pin:
            self.press(Intent.DIGIT, digit)
        self.press(Intent.CONFIRM)
        self.answer(flow.VerifyPin, PinResult(verified=True, tries_left=None))
        assert self.state.busy_key == "busy.opening_session"
        self.answer(flow.OpenCardSession, opened())
        assert self.state.screen is Screen.MENU


def of_type(effects, kind):
    return [e for e in effects if isinstance(e, kind)]


def test_card_journey_reaches_the_menu_with_the_masked_citizen_only():
    j = Journey()
    assert j.state.screen is Screen.ATTRACT
    j.card_to_menu()
    assert j.state.citizen.name == "张伟" and j.state.session_active
    assert [t.service for t in j.state.menu] == ["enrolment", "contributions", "certificate", "pension_transfer",
                                                  "transfer_progress"]
    assert all(t.available for t in j.state.menu)
    verify = j.task(flow.VerifyPin)[1]
    assert verify.pin == "123456" and "123456" not in repr(verify)
    assert j.machine.session.pin == "" and j.machine.session.card is None


def test_pin_screen_keeps_only_the_length_and_checks_the_length_before_asking_the_card():
    j = Journey()
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, object())
    for digit in "1234":
        j.press(Intent.DIGIT, digit)
    assert j.state.pin.length == 4 and "1234" not in repr(j.state)
    j.press(Intent.DELETE)
    assert j.state.pin.length == 3
    j.press(Intent.CONFIRM)
    assert j.state.pin.error_key == "pin.too_short" and j.state.screen is Screen.PIN
    assert not of_type(j.effects, flow.RunTask)[1:]
    j.press(Intent.CLEAR)
    for digit in "12345678":   # extra digits are ignored
        j.press(Intent.DIGIT, digit)
    assert j.state.pin.length == 6


def test_wrong_pin_shows_tries_left_then_blocked_card_is_explained():
    j = Journey()
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, object())
    for tries_left in (2, 1):
        for digit in "000000":
            j.press(Intent.DIGIT, digit)
        j.press(Intent.CONFIRM)
        j.answer(flow.VerifyPin, PinResult(verified=False, tries_left=tries_left))
        assert j.state.screen is Screen.PIN
        assert (j.state.pin.tries_left, j.state.pin.error_key, j.state.pin.length) == (tries_left, "pin.wrong", 0)
    for digit in "000000":
        j.press(Intent.DIGIT, digit)
    j.press(Intent.CONFIRM)
    j.answer(flow.VerifyPin, PinResult(verified=False, tries_left=0))
    assert j.state.screen is Screen.MESSAGE and j.state.message.title_key == "message.card_blocked.title"
    assert not j.state.session_active


def test_shuffled_keypad_is_a_permutation_of_the_ten_digits():
    j = Journey(shuffle_pin_keypad=True)
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, object())
    digits = j.state.pin.keypad_digits
    assert sorted(digits) == list("0123456789") and digits != tuple("1234567890")


@pytest.mark.parametrize("stage", ["reading", "pin", "verifying", "menu", "service"])
def test_card_removed_ends_the_session_at_once_at_every_stage(stage):
    j = Journey()
    j.send(flow.CardPresence(True))
    if stage != "reading":
        j.answer(flow.ReadCard, object())
    if stage in ("verifying",):
        for digit in "123456":
            j.press(Intent.DIGIT, digit)
        j.press(Intent.CONFIRM)
    if stage in ("menu", "service"):
        for digit in "123456":
            j.press(Intent.DIGIT, digit)
        j.press(Intent.CONFIRM)
        j.answer(flow.VerifyPin, PinResult(True, None))
        j.answer(flow.OpenCardSession, opened("tok-removed"))
    if stage == "service":
        j.press(Intent.CHOOSE_SERVICE, "enrolment")
    effects = j.send(flow.CardPresence(False))
    assert j.state.screen is Screen.ATTRACT
    assert of_type(effects, flow.WipeSession)[0].reason == "card_removed"
    assert j.state.citizen is None and not j.state.session_active and j.state.pin.length == 0
    if stage in ("menu", "service"):
        assert of_type(effects, flow.CloseSession)[0].token == "tok-removed"
    if stage in ("reading", "verifying", "service"):
        assert of_type(effects, flow.CancelTasks)
        # A late answer of the cancelled task is never shown.
        late = j.send(flow.TaskDone(max(j.machine._ticket, 1), opened("late")))
        assert j.state.screen is Screen.ATTRACT and j.state.citizen is None and not late[1:]


def test_ecard_journey_and_invalid_code():
    j = Journey()
    j.send(flow.CodeScanned("BAD"))
    j.fail(flow.OpenEcardSession, KioskError(ErrorKind.BACKOFFICE_REJECTED, "ecard_expired",
                                             message_zh="二维码已过期", message_en="The code has expired"))
    assert j.state.message.title_key == "message.ecard_invalid.title"
    assert j.state.message.detail_text == "二维码已过期"
    j.press(Intent.CONFIRM)
    assert j.state.screen is Screen.ATTRACT
    j.send(flow.CodeScanned("GOOD"))
    assert j.task(flow.OpenEcardSession)[1].qr == "GOOD"
    j.answer(flow.OpenEcardSession, opened("tok-e"))
    assert j.state.screen is Screen.MENU and j.state.identified_by == "ecard"
    # A scan in the middle of a session is not a new identification.
    before = len(of_type(j.effects, flow.RunTask))
    j.send(flow.CodeScanned("OTHER"))
    assert len(of_type(j.effects, flow.RunTask)) == before
    effects = j.press(Intent.FINISH)
    assert j.state.screen is Screen.GOODBYE and of_type(effects, flow.CloseSession)[0].token == "tok-e"
    j.tick(flow.GOODBYE_SECONDS + 1)
    assert j.state.screen is Screen.ATTRACT


def test_scanner_listens_only_where_a_code_may_start_a_session():
    j = Journey()
    assert of_type(j.effects, flow.EnableScanner)[-1].enabled
    j.card_to_menu()
    assert not of_type(j.effects, flow.EnableScanner)[-1].enabled
    j.send(flow.CardPresence(False))
    assert of_type(j.effects, flow.EnableScanner)[-1].enabled


def test_idle_countdown_more_time_ten_times_then_timeout_wipes_and_says_goodbye():
    j = Journey(idle_timeout_s=120, warning_s=30, max_extensions=10)
    j.card_to_menu()
    j.tick(80)
    assert j.state.countdown is None
    effects = j.tick(15)                      # 95 s idle: 25 s left
    assert j.state.countdown.seconds_left == 25 and j.state.countdown.extensions_left == 10
    assert of_type(effects, flow.Speak)[0].key == "countdown.speech"
    for used in range(1, 11):
        j.press(Intent.MORE_TIME)
        assert j.state.countdown is None
        j.tick(100)
        assert j.state.countdown is not None and j.state.countdown.extensions_left == 10 - used
    j.press(Intent.MORE_TIME)                 # the 11th does nothing
    assert j.state.countdown is not None
    effects = j.tick(30)
    assert j.state.screen is Screen.GOODBYE and j.state.message.title_key == "message.timeout.title"
    assert of_type(effects, flow.WipeSession)[0].reason == "timeout" and of_type(effects, flow.CloseSession)
    assert j.state.citizen is None and not j.state.session_active
    j.send(flow.CardPresence(False))
    assert j.state.screen is Screen.ATTRACT


def test_waiting_for_the_kiosk_is_not_idleness():
    j = Journey(idle_timeout_s=60, warning_s=20)
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "enrolment")
    j.tick(200)                               # a very slow back office
    assert j.state.screen is Screen.BUSY and j.state.countdown is None


def test_language_and_elder_mode_reset_at_session_end():
    j = Journey()
    j.press(Intent.LANGUAGE, "en")
    j.press(Intent.ELDER_MODE, True)
    j.card_to_menu()
    assert (j.state.language, j.state.elder_mode) == ("en", True)
    j.press(Intent.FINISH)
    assert (j.state.language, j.state.elder_mode) == ("en", True)   # the goodbye is still theirs
    j.send(flow.CardPresence(False))
    assert j.state.screen is Screen.ATTRACT and (j.state.language, j.state.elder_mode) == ("zh", False)


def test_back_office_down_shows_out_of_service_and_recovers():
    j = Journey()
    j.send(flow.BackofficeChanged(False))
    assert j.state.screen is Screen.OUT_OF_SERVICE and j.state.out_of_service_key == "out_of_service.backoffice"
    j.send(flow.CardPresence(True))
    assert j.state.screen is Screen.OUT_OF_SERVICE
    j.send(flow.BackofficeChanged(True))
    assert j.state.screen is Screen.ATTRACT


def test_back_office_failing_mid_session_is_a_message_not_a_crash():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "enrolment")
    j.fail(LoadEnrolment, KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "connect"))
    assert j.state.message.title_key == "message.backoffice_unavailable.title"
    assert j.state.session_active
    j.press(Intent.CONFIRM)
    assert j.state.screen is Screen.MENU
    assert not any(t.available for t in j.state.menu)
    assert {t.reason_key for t in j.state.menu} == {"menu.unavailable.backoffice"}


def pin_to_session_open(j: Journey) -> None:
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, object())
    for digit in "123456":
        j.press(Intent.DIGIT, digit)
    j.press(Intent.CONFIRM)
    j.answer(flow.VerifyPin, PinResult(verified=True, tries_left=None))


@pytest.mark.parametrize("code", ["terminal_unauthenticated", "clock_skew", "gateway_refused"])
def test_a_refused_terminal_is_never_told_to_the_citizen_as_a_lost_card(code):
    j = Journey()
    pin_to_session_open(j)
    j.fail(flow.OpenCardSession, KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, code, http_status=401))
    assert j.state.message.title_key == "message.terminal_refused.title"
    assert "card_invalid" not in j.state.message.body_key
    j.send(flow.CardPresence(False))
    j.press(Intent.CONFIRM)
    assert j.state.screen is Screen.OUT_OF_SERVICE and j.state.out_of_service_key == "out_of_service.terminal"
    # The signed probe keeps failing while the terminal is refused: still out of service.
    j.send(flow.BackofficeChanged(False, terminal_refused=True))
    assert j.state.screen is Screen.OUT_OF_SERVICE and j.state.out_of_service_key == "out_of_service.terminal"
    j.send(flow.BackofficeChanged(True))
    assert j.state.screen is Screen.ATTRACT


def test_a_revoked_card_is_still_told_as_such():
    j = Journey()
    pin_to_session_open(j)
    j.fail(flow.OpenCardSession, KioskError(ErrorKind.BACKOFFICE_REJECTED, "card_revoked", http_status=403))
    assert j.state.message.title_key == "message.card_invalid.title"


@pytest.mark.parametrize("code", ["invalid_response", "response_too_large"])
def test_a_malformed_answer_is_a_fault_and_the_kiosk_stays_in_service(code):
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "enrolment")
    j.fail(LoadEnrolment, KioskError(ErrorKind.BACKOFFICE_FAULT, code))
    assert j.state.message.title_key == "message.backoffice_fault.title"
    j.press(Intent.CONFIRM)
    assert j.state.screen is Screen.MENU and all(t.available for t in j.state.menu)


@pytest.mark.parametrize("tries_left", [0, 2, None])
def test_pin_tries_read_from_the_card_come_before_typing(tries_left):
    """A blocked card is explained before any PIN is typed; otherwise the PIN screen says how many tries."""
    card = type("Card", (), {"pin_tries_left": tries_left})()
    j = Journey()
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, card)
    if tries_left == 0:
        assert j.state.screen is Screen.MESSAGE and j.state.message.title_key == "message.card_blocked.title"
        assert not of_type(j.effects, flow.RunTask)[1:]   # the card was never asked to verify a PIN
    else:
        assert j.state.screen is Screen.PIN and j.state.pin.tries_left == tries_left


def test_submissions_say_what_happens_if_the_back_office_is_slow():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "certificate")
    j.fail(LoadCertificateChoices, KioskError(ErrorKind.BACKOFFICE_REJECTED, "x"))
    j.press(Intent.PREVIEW)
    assert j.state.screen is Screen.BUSY and j.state.busy_hint_key == "busy.submitting_hint"


def test_menu_reasons_for_profile_and_printer():
    j = Journey(enabled_services=("enrolment", "contributions", "certificate"))
    j.send(flow.DevicesChanged(card_reader=True, qr_scanner=True, receipt_printer=True, document_printer=False))
    j.card_to_menu()
    reasons = {t.service: t.reason_key for t in j.state.menu}
    assert reasons["certificate"] == "menu.unavailable.printer"
    assert reasons["pension_transfer"] == reasons["transfer_progress"] == "menu.unavailable.profile"
    assert reasons["enrolment"] == ""
    j.press(Intent.CHOOSE_SERVICE, "certificate")
    assert j.state.screen is Screen.MENU      # an unavailable tile does nothing


def test_card_reader_lost_mid_session_ends_it():
    j = Journey()
    j.card_to_menu()
    effects = j.send(flow.DevicesChanged(card_reader=False, qr_scanner=True, receipt_printer=True,
                                         document_printer=True))
    assert of_type(effects, flow.WipeSession)[0].reason == "device_lost"
    assert j.state.message.title_key == "message.device_lost.title" and not j.state.session_active


def test_certificate_issue_print_paper_out_and_reprint_without_a_new_issue():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "certificate")
    j.answer(LoadCertificateChoices, CertificateChoices(issued=(), first_insured="200607"))
    view = j.state.view("certificate")
    assert j.state.screen is CertificateScreens.CERTIFICATE and (view.period_from, view.period_to) == ("202512", "202611")
    j.press(CertificateIntent.SELECT_RANGE, CertificateRange.ALL.value)
    assert j.state.view("certificate").period_from == "200607"
    j.press(CertificateIntent.SELECT_KIND, models.CertificateKind.CONTRIBUTION.value)
    j.press(Intent.PREVIEW)
    issue = j.task(IssueCertificate)[1]
    assert (issue.kind, issue.period_from, issue.period_to) == ("contribution", "200607", "202611")
    certificate = object.__new__(models.Certificate)
    j.answer(IssueCertificate, CertificateReady(certificate, ("title",)))
    assert j.state.screen is CertificateScreens.CERTIFICATE_PREVIEW
    j.press(Intent.PRINT)
    j.answer(PrintCertificate, PrintReport("certificate.status.paper_out",
                                                     "certificate.status.receipt_printed"))
    assert j.state.screen is CertificateScreens.CERTIFICATE_DONE
    assert j.state.view("certificate").document_status_key == "certificate.status.paper_out"
    issued_before = len([e for e in j.effects if isinstance(e, flow.RunTask)
                         and isinstance(e.task, IssueCertificate)])
    j.press(Intent.REPRINT, "")
    assert j.task(PrintCertificate)[1].certificate is certificate
    assert len([e for e in j.effects if isinstance(e, flow.RunTask)
                and isinstance(e.task, IssueCertificate)]) == issued_before


def test_pension_transfer_not_eligible_is_explained_and_eligible_goes_to_the_form():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    assert j.state.screen is TransferScreens.TRANSFER_RULES
    j.press(Intent.START_APPLICATION)
    j.press(TransferIntent.SELECT_PROVINCE, "320000")
    j.press(TransferIntent.SELECT_CITY, "320500")
    area = {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"}
    same = models.TransferEligibility(eligible=False, code="no_transfer_needed", message_zh="省内无需转移",
                                      message_en="No transfer needed", to_area=area)
    j.answer(CheckEligibility, same)
    assert j.state.message.title_key == "message.transfer_not_eligible.title"
    assert j.state.message.detail_text == "省内无需转移"
    j.press(Intent.BACK)
    assert j.state.screen is TransferScreens.TRANSFER_FROM
    j.press(TransferIntent.SELECT_PROVINCE, "330000")
    j.press(TransferIntent.SELECT_CITY, "330100")
    ok = models.TransferEligibility(eligible=True, code="eligible", message_zh="可以申请", message_en="OK",
                                    to_area=area)
    j.answer(CheckEligibility, ok)
    assert j.state.screen is TransferScreens.TRANSFER_CONTACT
    for digit in "1381234":
        j.press(Intent.DIGIT, digit)
    j.press(Intent.CONFIRM)
    assert j.state.view("pension_transfer").mobile_error_key == "transfer.mobile.incomplete"
    for digit in "5678":
        j.press(Intent.DIGIT, digit)
    assert j.state.view("pension_transfer").mobile_display == "138 1234 5678"
    j.press(Intent.CONFIRM)
    assert j.state.screen is TransferScreens.TRANSFER_REVIEW
    j.press(Intent.SUBMIT)
    submit = j.task(SubmitTransfer)[1]
    assert (submit.from_region, submit.contact_mobile) == ("330100", "13812345678") and submit.idempotency_key


def test_mobile_number_rules():
    j = Journey()
    j.card_to_menu()
    j.machine.go(TransferScreens.TRANSFER_CONTACT)
    for digit in "12345678901":
        j.press(Intent.DIGIT, digit)
    j.press(Intent.CONFIRM)
    assert j.state.view("pension_transfer").mobile_error_key == "transfer.mobile.invalid"


def test_every_screen_and_message_has_speech_text_in_both_languages():
    catalog = MessageCatalog()
    machine = flow.FlowMachine(flow.FlowSettings())
    screens = [*flow.CORE_SPEECH_KEYS, *(step.screen for service in machine.services for step in service.steps)]
    for screen in screens:
        key = machine.speech_key_of(screen)
        for language in ("zh", "en"):
            assert catalog.text(key, language).strip(), (screen, language)
    assert catalog.text("countdown.speech", "zh").format(seconds="20")


def test_speech_effects_name_catalogue_keys_only():
    j = Journey()
    j.card_to_menu("987654")
    for speak in of_type(j.effects, flow.Speak):
        assert "987654" not in repr(speak) and speak.key in MessageCatalog()


def test_a_pin_pad_reader_is_asked_at_once_and_the_kiosk_keypad_is_ignored():
    j = Journey()
    j.send(flow.DevicesChanged(card_reader=True, qr_scanner=True, receipt_printer=True, document_printer=True,
                               pin_on_reader=True))
    j.send(flow.CardPresence(True))
    j.answer(flow.ReadCard, object())
    assert j.state.screen is Screen.PIN and j.state.pin.on_reader
    ticket, verify = j.task(flow.VerifyPin)
    assert verify.pin == ""
    j.press(Intent.DIGIT, "1")
    assert j.state.pin.length == 0
    j.send(flow.TaskDone(ticket, PinResult(verified=False, tries_left=2)))
    assert j.state.pin.tries_left == 2 and j.task(flow.VerifyPin)[0] != ticket   # asked again
    effects = j.press(Intent.CANCEL)
    assert of_type(effects, flow.CancelTasks) and j.state.screen is Screen.GOODBYE


def test_a_language_chosen_on_the_attract_screen_survives_device_and_back_office_news():
    j = Journey()
    j.press(Intent.LANGUAGE, "en")
    j.press(Intent.ELDER_MODE, True)
    j.send(flow.DevicesChanged(card_reader=True, qr_scanner=True, receipt_printer=True, document_printer=False))
    j.send(flow.BackofficeChanged(True))
    assert (j.state.screen, j.state.language, j.state.elder_mode) == (Screen.ATTRACT, "en", True)
    j.card_to_menu()
    assert (j.state.language, j.state.elder_mode) == ("en", True)


def test_maintenance_holds_the_kiosk_out_of_service_and_ignores_cards_and_codes():
    j = Journey()
    j.send(flow.MaintenanceChanged(True))
    assert j.state.screen is Screen.OUT_OF_SERVICE
    assert j.state.out_of_service_key == "out_of_service.maintenance"
    j.send(flow.CardPresence(True))
    j.send(flow.CodeScanned("anything"))
    assert j.state.screen is Screen.OUT_OF_SERVICE
    assert not [effect for effect in j.effects if isinstance(effect, flow.RunTask)]
    j.send(flow.CardPresence(False))
    j.send(flow.MaintenanceChanged(False))
    assert j.state.screen is Screen.ATTRACT
    j.card_to_menu()


def test_a_required_device_missing_is_out_of_service_and_an_optional_one_is_not():
    j = Journey(required_devices=("card_reader", "receipt_printer"))
    j.send(flow.DevicesChanged(True, True, False, True))
    assert (j.state.screen, j.state.out_of_service_key) == (Screen.OUT_OF_SERVICE, "out_of_service.device")
    j.send(flow.DevicesChanged(True, True, True, False))   # no A4 printer: certificates only are unavailable
    assert j.state.screen is Screen.ATTRACT


def test_session_steps_are_journaled_without_personal_data():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "enrolment")
    j.press(Intent.FINISH)
    records = [(effect.kind, dict(effect.fields)) for effect in j.effects if isinstance(effect, flow.Record)]
    assert records == [("session.started", {"method": "card"}), ("service.used", {"service": "enrolment"}),
                       ("session.ended", {"reason": "finished"})]


def test_a_deferred_transfer_is_never_shown_as_submitted_and_its_receipt_has_the_reference():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "pension_transfer")
    j.press(Intent.START_APPLICATION)
    j.press(TransferIntent.SELECT_PROVINCE, "330000")
    j.press(TransferIntent.SELECT_CITY, "330100")
    area = {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"}
    j.answer(CheckEligibility, models.TransferEligibility(eligible=True, code="eligible", message_zh="可以",
                                                               message_en="OK", to_area=area))
    for digit in "13812345678":
        j.press(Intent.DIGIT, digit)
    j.press(Intent.CONFIRM)
    j.press(Intent.SUBMIT)
    j.answer(SubmitTransfer, flow.SubmissionDeferred("pension_transfer", "R-ABCD-EFGH"))
    assert j.state.screen is TransferScreens.TRANSFER_DONE
    assert j.state.view("pension_transfer").deferred_reference == "R-ABCD-EFGH" and j.state.view("pension_transfer").application is None
    assert j.state.speech_key == "transfer_done.deferred_speech"
    receipt = j.task(flow.PrintReceipt)[1]
    assert receipt.subject == flow.SubmissionDeferred("pension_transfer", "R-ABCD-EFGH")


def test_a_deferred_certificate_is_explained_with_its_reference():
    j = Journey()
    j.card_to_menu()
    j.press(Intent.CHOOSE_SERVICE, "certificate")
    j.answer(LoadCertificateChoices, CertificateChoices(issued=(), first_insured="200801"))
    j.press(Intent.PREVIEW)
    j.answer(IssueCertificate, flow.SubmissionDeferred("certificate", "R-WXYZ-2345"))
    assert j.state.screen is Screen.MESSAGE
    assert j.state.message.title_key == "message.certificate_deferred.title"
    assert j.state.message.detail_text == "R-WXYZ-2345"
