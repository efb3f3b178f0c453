"""Citizen journeys end to end: the real window, the real reference back office on loopback
(uvicorn + SQLite), the device simulators (and pcscd + the virtual card once).

Each journey asserts what was on screen, what was printed (ESC/POS decoded, PDF text)
and what the back office recorded (its SQLite file), and that no full ssn appeared in
widget texts, receipts, speech requests or log records.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from backoffice.demo_data import demo_citizen
from devices.receipt.escpos_decode import decode_escpos
from devices.simulators.faults import SimulatedFault
from kiosk.config import load_settings
from kiosk.flow_state import Intent, Screen
from tests.ui.screen_checks import all_texts, clipped_widgets, rich_text_labels, small_targets
from kiosk_demo.scenarios import SCENARIOS, JourneyDriver, ScriptClock, start_kiosk
from kiosk.services.certificate import CertificateScreens
from kiosk.services.contributions import ContributionsScreens
from kiosk.services.enrolment import EnrolmentScreens
from kiosk.services.pension_transfer import TransferIntent, TransferScreens

ZHANG = demo_citizen("zhang_wei")
ALL_SSNS = [demo_citizen(key).ssn for key in ("zhang_wei", "wang_fang", "liu_yang", "chen_jing", "yang_lei",
                                              "li_xiuying", "zhao_min", "zhou_jie", "sun_li")]


def window_texts(kiosk) -> list[str]:
    texts = all_texts(kiosk.window)
    for screen in kiosk.window.flow_screens().values():
        texts += all_texts(screen)
    return texts


class Watch:
    """Collects every text a journey exposed: widgets on each new screen, speech, receipts, logs."""

    def __init__(self, driver: JourneyDriver, caplog) -> None:
        self.driver = driver
        self.caplog = caplog
        self.seen: list[str] = []

    def look(self) -> None:
        QApplication.processEvents()
        self.seen += window_texts(self.driver.kiosk)

    def exposed(self) -> str:
        kiosk = self.driver.kiosk
        receipts = [decode_escpos(data).render_text() for data in self.driver.receipts]
        speech = [text for _, text in kiosk.speech_requests]
        return "\n".join(self.seen + receipts + speech + [self.caplog.text])

    def assert_no_full_ssn(self) -> None:
        exposed = self.exposed()
        leaked = [ssn for ssn in ALL_SSNS if ssn in exposed]
        assert leaked == [], "a full social security number was exposed"


@pytest.fixture
def journey(qtbot, caplog):
    caplog.set_level(logging.DEBUG)
    made = []

    def make(profile: str = "demo", size=(1920, 1080)) -> tuple[JourneyDriver, Watch]:
        clock = ScriptClock()
        kiosk, window = start_kiosk(load_settings(profile), size, clock, record_speech=True)
        made.append((kiosk, window))
        driver = JourneyDriver(kiosk, None, size, clock)
        return driver, Watch(driver, caplog)

    yield make
    for kiosk, window in made:
        kiosk.shutdown()
        window.close()


def backoffice_rows(kiosk, sql: str, *args) -> list[tuple]:
    path = kiosk.wait_for_backoffice().embedded.settings.db_path
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def current_screen(kiosk):
    return kiosk.window.centralWidget().currentWidget()


def test_contributions_journey_prints_a_receipt_and_leaves_nothing_behind(journey):
    driver, watch = journey()
    kiosk = driver.kiosk
    driver.card_to_menu("A00000019", shots=False)
    watch.look()
    menu_texts = all_texts(current_screen(kiosk))
    assert ZHANG.name in menu_texts[0] + " ".join(menu_texts)
    assert any("3201" in text and "*" in text for text in menu_texts)
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    state = driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    watch.look()
    assert state.view("contributions").page.rows
    driver.press(Intent.PRINT_RECEIPT)
    driver.wait(lambda s: s.receipt_status == "printed", "printed")
    receipt = decode_escpos(driver.receipts[-1]).render_text()
    assert "3201" in receipt and "****" in receipt
    driver.press(Intent.FINISH)
    driver.wait_screen(Screen.GOODBYE)
    watch.look()
    driver.remove_card()
    driver.wait_screen(Screen.ATTRACT)
    # The session is wiped: widgets, models, temp files, spools and the speech queue.
    assert not any(ZHANG.name in text for text in window_texts(kiosk))
    assert kiosk.machine.state.citizen is None and kiosk.machine.state.view("contributions").page is None
    assert kiosk.machine.session.token == "" and kiosk.machine.session.card is None
    assert list(kiosk.controller.scratch_dir.iterdir()) == []
    assert kiosk.devices.receipt_printer.spool == [] and kiosk.devices.document_printer.spool == []
    if kiosk.speech is not None:
        assert kiosk.speech.pending() == []
    # What the back office saw: the session was opened and closed again.
    watch.assert_no_full_ssn()


def test_certificate_paper_out_mid_job_then_reprint_issues_only_one(journey):
    driver, watch = journey()
    kiosk = driver.kiosk
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "certificate")
    driver.wait_screen(CertificateScreens.CERTIFICATE)
    driver.press(Intent.PREVIEW)
    state = driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
    number = state.view("certificate").certificate.number
    assert any(number in line for line in state.view("certificate").preview_lines)
    watch.look()
    kiosk.devices.document_printer.inject_fault(SimulatedFault.PAPER_OUT_MID_JOB)
    driver.press(Intent.PRINT)
    state = driver.wait_screen(CertificateScreens.CERTIFICATE_DONE)
    watch.look()
    assert state.view("certificate").document_status_key == "certificate.status.paper_out"
    assert any(number in text for text in all_texts(current_screen(kiosk)))
    kiosk.devices.document_printer.clear_fault()
    driver.wait(lambda s: kiosk.devices.document_printer.status.paper.value != "out", "paper back", 10)
    driver.press(Intent.REPRINT, "")
    driver.wait(lambda s: s.view("certificate").document_status_key == "certificate.status.printed", "printed")
    assert len(driver.certificates) == 1
    pdf_text = subprocess.run(["pdftotext", str(driver.certificates[0]), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert number in pdf_text and ZHANG.ssn not in pdf_text
    rows = backoffice_rows(kiosk, "SELECT number FROM certificates")
    assert rows == [(number,)]
    # Two receipts: the failed A4 (with how to reprint), then the reprint.
    assert len(driver.receipts) == 2 and number in decode_escpos(driver.receipts[0]).render_text()
    driver.finish_and_leave()
    watch.assert_no_full_ssn()


def test_certificate_reprint_in_a_later_session_by_number(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "certificate")
    driver.wait_screen(CertificateScreens.CERTIFICATE)
    driver.press(Intent.PREVIEW)
    number = driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW).view("certificate").certificate.number
    driver.finish_and_leave()
    driver.card_to_menu("A00000019", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "certificate")
    state = driver.wait_screen(CertificateScreens.CERTIFICATE)
    assert [item.number for item in state.view("certificate").issued] == [number]
    driver.press(Intent.REPRINT, number)
    state = driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
    assert state.view("certificate").reprint and state.view("certificate").certificate.number == number
    driver.press(Intent.PRINT)
    driver.wait(lambda s: s.view("certificate").document_status_key == "certificate.status.printed", "printed")
    assert backoffice_rows(kiosk, "SELECT count(*) FROM certificates") == [(1,)]


def test_pension_transfer_is_recorded_once_with_a_receipt(journey):
    driver, watch = journey()
    kiosk = driver.kiosk
    before = backoffice_rows(kiosk, "SELECT count(*) FROM pension_transfers")[0][0]
    SCENARIOS["pension-transfer"][0](driver)
    rows = backoffice_rows(kiosk, "SELECT id, from_area FROM pension_transfers ORDER BY rowid")
    assert len(rows) == before + 1 and rows[-1][1] == "440100"
    application_id = rows[-1][0]
    receipt = decode_escpos(driver.receipts[-1]).render_text()
    assert application_id in receipt and "13812345678" not in receipt
    assert backoffice_rows(kiosk, "SELECT contact_mobile FROM pension_transfers WHERE id = ?",
                           application_id) == [("13812345678",)]
    watch.assert_no_full_ssn()


def test_transfer_progress_shows_the_timeline(journey):
    driver, _ = journey()
    driver.card_to_menu("A00000086", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "transfer_progress")
    state = driver.wait_screen(TransferScreens.TRANSFER_PROGRESS)
    application = state.view("pension_transfer").applications[0]
    texts = " ".join(all_texts(current_screen(driver.kiosk)))
    assert application.id in texts
    assert all(step.title_zh in texts for step in application.steps)


def test_ecard_journey_and_a_forged_code(journey):
    driver, watch = journey()
    driver.show_ecard("wang_fang")
    state = driver.wait_screen(Screen.MENU)
    assert state.identified_by == "ecard" and state.citizen.name == "王芳"
    driver.finish_and_leave()
    driver.kiosk.devices.qr_scanner.scan("<b>forged</b>")
    state = driver.wait_screen(Screen.MESSAGE)
    assert state.message.title_key == "message.ecard_invalid.title"
    watch.look()
    watch.assert_no_full_ssn()


def test_idle_countdown_more_time_ten_times_then_timeout(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    session = kiosk.settings.session
    driver.card_to_menu("A00000027", shots=False)
    for _ in range(session.max_extensions):
        driver.idle(session.idle_timeout_s - session.warning_s + 1)
        driver.wait(lambda s: s.countdown is not None, "countdown")
        assert kiosk.window._countdown.isVisible()
        warning = kiosk.catalog.text("countdown.speech", "zh").split("{")[0]
        assert any(text.startswith(warning) for _, text in kiosk.speech_requests[-3:])
        driver.press(Intent.MORE_TIME)
        driver.wait(lambda s: s.countdown is None, "more time")
    driver.idle(session.idle_timeout_s - session.warning_s + 1)
    state = driver.wait(lambda s: s.countdown is not None, "countdown")
    assert state.countdown.extensions_left == 0
    driver.idle(session.warning_s + 1)
    state = driver.wait_screen(Screen.GOODBYE)
    assert state.citizen is None and not state.session_active
    driver.remove_card()
    driver.wait_screen(Screen.ATTRACT)


def test_card_removed_mid_service_ends_the_session_at_once(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    driver.card_to_menu("A00000035", shots=False)
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    driver.remove_card()
    driver.wait_screen(Screen.ATTRACT)
    name = demo_citizen("liu_yang").name
    assert not any(name in text for text in window_texts(kiosk))
    assert kiosk.machine.state.view("contributions").page is None


def test_backoffice_down_mid_session_and_out_of_service(journey):
    driver, _ = journey()
    embedded = driver.kiosk.wait_for_backoffice().embedded
    driver.card_to_menu("A00000043", shots=False)
    embedded.stop()
    driver.press(Intent.CHOOSE_SERVICE, "enrolment")
    state = driver.wait_screen(Screen.MESSAGE, timeout_s=60)
    assert state.message.title_key == "message.backoffice_unavailable.title"
    driver.press(Intent.CONFIRM)
    state = driver.wait_screen(Screen.MENU)
    assert {tile.reason_key for tile in state.menu} == {"menu.unavailable.backoffice"}
    driver.finish_and_leave()
    driver.wait_screen(Screen.OUT_OF_SERVICE)
    embedded.start()
    driver.idle(20)
    driver.wait_screen(Screen.ATTRACT, timeout_s=30)


def test_slow_backoffice_freezes_nothing_and_can_be_cancelled(journey):
    driver, _ = journey()
    embedded = driver.kiosk.wait_for_backoffice().embedded
    driver.card_to_menu("A00000019", shots=False)
    embedded.set_delay(10.0)
    driver.press(Intent.CHOOSE_SERVICE, "enrolment")
    driver.wait_screen(Screen.BUSY)
    # The GUI thread keeps running while the answer is outstanding: timers fire, presses land.
    beats = []
    from PySide6.QtCore import QTimer
    timer = QTimer()
    timer.timeout.connect(lambda: beats.append(1))
    timer.start(10)
    driver.pump(0.3)
    timer.stop()
    assert len(beats) >= 5 and driver.state.screen is Screen.BUSY
    driver.press(Intent.CANCEL)
    assert driver.state.screen is Screen.MENU
    embedded.set_delay(0.0)


def test_key_only_journey_with_a_tactile_keypad(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    driver.insert_card("A00000019")
    driver.wait_screen(Screen.PIN)
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6):
        driver.key(key)
    assert driver.state.pin.length == 6
    driver.key(Qt.Key.Key_Return)
    driver.wait_screen(Screen.MENU)
    # Arrows to the second tile (contributions), Enter opens it.
    driver.key(Qt.Key.Key_Down)
    focused = QApplication.focusWidget()
    assert focused is not None
    steps = 0
    while driver.state.screen is Screen.MENU and steps < 12:
        if "contributions" in (QApplication.focusWidget().objectName() or ""):
            driver.key(Qt.Key.Key_Return)
            break
        driver.key(Qt.Key.Key_Right)
        steps += 1
    driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    driver.key(Qt.Key.Key_Escape)          # Cancel: back to the menu
    driver.wait_screen(Screen.MENU)
    driver.key(Qt.Key.Key_Escape)          # Cancel on the menu: finish
    driver.wait_screen(Screen.GOODBYE)
    driver.remove_card()
    driver.wait_screen(Screen.ATTRACT)
    assert kiosk.machine.state.citizen is None


def test_a_citizen_named_with_markup_is_shown_as_plain_text(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    hostile = "<b>x</b><img src=http://127.0.0.1:9/x.png>"
    path = kiosk.wait_for_backoffice().embedded.settings.db_path
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE citizens SET name = ? WHERE ssn = ?", (hostile, ZHANG.ssn))
    driver.card_to_menu("A00000019", shots=False)
    screen = current_screen(kiosk)
    assert any(hostile in text for text in all_texts(screen))
    assert rich_text_labels(kiosk.window) == []


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)])
@pytest.mark.parametrize("language,elder", [("zh", False), ("en", True)])
def test_every_screen_fits_and_has_big_targets(journey, size, language, elder):
    driver, _ = journey(size=size)
    kiosk = driver.kiosk
    driver.press(Intent.LANGUAGE, language)
    driver.press(Intent.ELDER_MODE, elder)
    theme_min = kiosk.window.attract._theme.min_target_px(elder)
    seen = set()

    def check() -> None:
        screen = current_screen(kiosk)
        driver.pump()
        name = driver.state.screen
        problems = clipped_widgets(screen) + small_targets(screen, theme_min)
        assert problems == [], (name, problems)
        seen.add(name)

    driver.insert_card("A00000043")   # 陈静 may apply for a transfer from Guangzhou
    driver.wait_screen(Screen.PIN)
    check()
    driver.enter_pin("333333")
    driver.wait_screen(Screen.MENU)
    check()
    for service, screen in (("enrolment", EnrolmentScreens.ENROLMENT), ("contributions", ContributionsScreens.CONTRIBUTIONS),
                            ("certificate", CertificateScreens.CERTIFICATE), ("pension_transfer", TransferScreens.TRANSFER_RULES),
                            ("transfer_progress", TransferScreens.TRANSFER_PROGRESS)):
        driver.press(Intent.CHOOSE_SERVICE, service)
        driver.wait_screen(screen)
        check()
        if screen is CertificateScreens.CERTIFICATE:
            driver.press(Intent.PREVIEW)
            driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
            check()
            driver.press(Intent.PRINT)
            driver.wait_screen(CertificateScreens.CERTIFICATE_DONE)
            check()
            driver.press(Intent.CONFIRM)
            continue
        if screen is TransferScreens.TRANSFER_RULES:
            driver.press(Intent.START_APPLICATION)
            driver.wait_screen(TransferScreens.TRANSFER_FROM)
            check()
            driver.press(TransferIntent.SELECT_PROVINCE, "440000")
            check()
            driver.press(TransferIntent.SELECT_CITY, "440100")
            driver.wait_screen(TransferScreens.TRANSFER_CONTACT)
            for digit in "13812345678":
                driver.press(Intent.DIGIT, digit)
            check()
            driver.press(Intent.CONFIRM)
            driver.wait_screen(TransferScreens.TRANSFER_REVIEW)
            check()
            driver.press(Intent.BACK)
            driver.press(Intent.CANCEL)
            driver.wait_screen(Screen.MENU)
            continue
        driver.press(Intent.BACK)
        driver.wait_screen(Screen.MENU)
    driver.press(Intent.FINISH)
    driver.wait_screen(Screen.GOODBYE)
    check()
    driver.remove_card()
    assert len(seen) >= 12


def test_journey_through_pcscd_and_the_virtual_card(journey, pcscd):
    from devices.card.virtual_card import VirtualCard
    from kiosk_demo.cards import demo_card_record

    driver, watch = journey("demo_pcsc")
    kiosk = driver.kiosk
    driver.wait(lambda s: kiosk.devices.card_reader.status.state.value == "online", "reader online", 20)
    card = VirtualCard(demo_card_record("A00000019"))
    card.insert()
    try:
        driver.wait_screen(Screen.PIN, timeout_s=20)
        driver.enter_pin("123456")
        state = driver.wait_screen(Screen.MENU)
        assert state.citizen.name == ZHANG.name
        driver.press(Intent.CHOOSE_SERVICE, "enrolment")
        driver.wait_screen(EnrolmentScreens.ENROLMENT)
        watch.look()
    finally:
        card.remove()
    driver.wait_screen(Screen.ATTRACT, timeout_s=20)
    watch.assert_no_full_ssn()


def test_speech_follows_the_screen_and_the_language(journey):
    driver, _ = journey()
    kiosk = driver.kiosk
    driver.press(Intent.LANGUAGE, "en")
    driver.insert_card("A00000019")
    driver.wait_screen(Screen.PIN)
    driver.pump(0.05)
    language, text = kiosk.speech_requests[-1]
    assert language == "en" and text == kiosk.catalog.text("pin.speech", "en")
    for digit in "123456":
        driver.press(Intent.DIGIT, digit)
    spoken = " ".join(text for _, text in kiosk.speech_requests)
    assert "123456" not in spoken
    driver.press(Intent.REPEAT)
    assert kiosk.speech_requests[-1] == ("en", kiosk.catalog.text("pin.speech", "en"))
    driver.remove_card()
    driver.wait_screen(Screen.ATTRACT)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_demo_scenario_plays_through_and_writes_its_screens(journey, tmp_path, name):
    script, size = SCENARIOS[name]
    driver, watch = journey(size=size)
    driver.out_dir = tmp_path
    script(driver)
    pngs = sorted(tmp_path.glob("[0-9][0-9]-*.png"))
    assert len(pngs) == len(driver.shots) >= 3
    if name in ("contributions", "certificate", "pension-transfer"):
        assert sorted(tmp_path.glob("receipt-*.txt")) and sorted(tmp_path.glob("receipt-*.png"))
    if name == "certificate":
        assert sorted(tmp_path.glob("certificate-*.pdf"))
    assert driver.state.citizen is None
    watch.assert_no_full_ssn()


def test_a_touch_anywhere_stops_speech_and_counts_as_activity(journey):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    driver, _ = journey()
    kiosk = driver.kiosk
    driver.card_to_menu("A00000019", shots=False)
    stops = []
    original_stop = kiosk.speech.stop
    kiosk.speech.stop = lambda: (stops.append(1), original_stop())
    driver.idle(kiosk.settings.session.idle_timeout_s - kiosk.settings.session.warning_s + 1)
    driver.wait(lambda s: s.countdown is not None, "countdown")
    title = current_screen(kiosk).title_label   # not a button: a touch on plain text
    QTest.mouseClick(title, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    driver.pump(0.05)
    assert stops and driver.state.countdown is None and driver.state.screen is Screen.MENU


def test_services_come_back_in_the_same_session_when_the_back_office_does(journey):
    driver, _ = journey()
    embedded = driver.kiosk.wait_for_backoffice().embedded
    driver.card_to_menu("A00000019", shots=False)
    embedded.stop()
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    driver.wait_screen(Screen.MESSAGE, timeout_s=60)
    driver.press(Intent.CONFIRM)
    driver.wait(lambda s: s.screen is Screen.MENU and not any(t.available for t in s.menu), "all unavailable")
    embedded.start()
    driver.idle(20)
    driver.wait(lambda s: all(t.available for t in s.menu), "services back", 30)
    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)


def test_the_state_directory_holds_no_personal_data_after_journeys(journey):
    """Every byte the kiosk keeps (journal, outbox, counters, logs) after a certificate and a transfer."""
    driver, _ = journey()
    kiosk = driver.kiosk
    SCENARIOS["certificate"][0](driver)
    SCENARIOS["pension-transfer"][0](driver)
    certificates = backoffice_rows(kiosk, "SELECT number, verification_code FROM certificates")
    assert certificates
    secrets = []
    for key in ("zhang_wei", "chen_jing"):
        citizen = demo_citizen(key)
        secrets += [citizen.ssn, citizen.name, citizen.card_id_code]
    secrets += [code for _, code in certificates] + ["13812345678"]
    stored = {path: path.read_bytes() for directory in (kiosk.storage_dir, kiosk.log_dir)
              if directory.exists() for path in directory.rglob("*") if path.is_file()}
    assert any("outbox" in path.name for path in stored)
    leaks = sorted({(path.name, secret) for path, raw in stored.items() for secret in secrets
                    for encoding in ("utf-8", "utf-16-le", "gb18030") if secret.encode(encoding) in raw})
    assert leaks == [], "personal data kept on the terminal"


def test_a_refused_terminal_goes_out_of_service_and_never_blames_the_card(journey):
    """The terminal secret was rotated on one side only: the real back office refuses every signed call."""
    driver, _ = journey()
    client = driver.kiosk.wait_for_backoffice().client
    right_secret = client._secret
    client._secret = "rotated-on-one-side-0123456789"
    driver.insert_card("A00000019")
    driver.wait_screen(Screen.PIN)
    from kiosk_demo.cards import demo_pin
    driver.enter_pin(demo_pin("A00000019"))
    state = driver.wait_screen(Screen.MESSAGE)
    assert state.message.title_key == "message.terminal_refused.title"
    shown = " ".join(window_texts(driver.kiosk))
    assert "挂失" not in shown and "失效" not in shown
    driver.press(Intent.CONFIRM)
    driver.remove_card()
    state = driver.wait_screen(Screen.OUT_OF_SERVICE)
    assert state.out_of_service_key == "out_of_service.terminal"
    driver.idle(20)    # the signed probe is refused too: still out of service
    driver.pump(1.0)
    assert driver.wait_screen(Screen.OUT_OF_SERVICE).out_of_service_key == "out_of_service.terminal"
    client._secret = right_secret    # the technician mends the secret
    driver.idle(20)
    driver.wait_screen(Screen.ATTRACT, timeout_s=30)


def test_an_office_with_its_own_seal_image_gets_it_on_the_certificate(qtbot, tmp_path):
    """[devices.document_printer] seal_images: the issuing office's image replaces the drawn seal."""
    import dataclasses

    from PIL import Image, ImageDraw

    seal = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((10, 10, 390, 390), outline=(20, 60, 200, 255), width=24)
    seal.save(tmp_path / "nanjing-seal.png")
    base = load_settings("demo")
    printer = dataclasses.replace(base.devices.document_printer,
                                  seal_images=(f"南京市社会保险管理中心={tmp_path / 'nanjing-seal.png'}",))
    settings = dataclasses.replace(base, devices=dataclasses.replace(base.devices, document_printer=printer))
    clock = ScriptClock()
    kiosk, window = start_kiosk(settings, clock=clock)
    try:
        driver = JourneyDriver(kiosk, None, (1920, 1080), clock)
        driver.card_to_menu("A00000019", shots=False)
        driver.press(Intent.CHOOSE_SERVICE, "certificate")
        driver.wait_screen(CertificateScreens.CERTIFICATE)
        driver.press(Intent.PREVIEW)
        assert driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW).view("certificate").certificate.content.issuing_office \
            == "南京市社会保险管理中心"
        driver.press(Intent.PRINT)
        driver.wait(lambda s: s.view("certificate").document_status_key == "certificate.status.printed", "printed")
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(driver.certificates[0]),
                        str(tmp_path / "page")], check=True)
        page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
        data = page.tobytes()
        blue = sum(1 for i in range(0, len(data), 3) if data[i + 2] > 150 and data[i] < 100 and data[i + 1] < 120)
        red = sum(1 for i in range(0, len(data), 3) if data[i] > 170 and data[i + 1] < 90 and data[i + 2] < 90)
        assert blue > 200 and red == 0   # the office's image, not the drawn red seal
        driver.finish_and_leave()
    finally:
        kiosk.shutdown()
        window.close()
