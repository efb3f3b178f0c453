"""The vendor-library card reader against a real C library built here with gcc.

`vendor_lib/fake_ireadcard.c` implements iReadCardBas/iVerifyPIN; the test picks what it
answers through its fake_* controls. Nothing is mocked: ctypes loads and calls the .so.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import logging
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from devices.card.vendor_library import (ETHNICITY_NOT_PROVIDED, READ_AUTO_CONTACT_FIRST,
                                         READ_AUTO_CONTACTLESS_FIRST, READ_CONTACT, VendorLibraryCardReader,
                                         completion_for_return_code, parse_card_record, parse_tries_left)
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, HealthLevel, MediaState, StatusChanged

FAKE_SOURCE = Path(__file__).parent / "vendor_lib" / "fake_ireadcard.c"
SSN = "320102198001011238"            # what the fake's card holds
BAD_CHECK_DIGIT_SSN = "320102198001011237"
STATE_CHANGE_LIMIT_S = 10.0            # an upper bound for waiting, never a speed requirement

# Mirrors `enum scenario` in fake_ireadcard.c.
GOOD, NO_CARD, BAD_CHECK_DIGIT, WRONG_FIELD_COUNT, UNTERMINATED, INVALID_GBK, SLOW, READER_GONE, \
    READ_FAILURE, UNKNOWN_CODE, RARE_NAME = range(11)


@dataclasses.dataclass(frozen=True)
class FakeLibraries:
    full: Path
    without_hsm_steps: Path
    without_verify_pin: Path
    without_symbols: Path


def compile_shared_library(source: Path, output: Path, *defines: str) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is needed to build the fake vendor library for these tests (apt-get install gcc)")
    built = subprocess.run([gcc, "-shared", "-fPIC", "-Wall", "-Werror", *defines, "-o", str(output), str(source)],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"gcc could not build {source.name}:\n{built.stderr}")
    return output


@pytest.fixture(scope="session")
def fake_libraries(tmp_path_factory: pytest.TempPathFactory) -> FakeLibraries:
    directory = tmp_path_factory.mktemp("vendor-lib")
    unrelated = directory / "unrelated.c"
    unrelated.write_text("int some_other_reader_api(int x) { return x; }\n")
    return FakeLibraries(
        full=compile_shared_library(FAKE_SOURCE, directory / "libfakeireadcard.so"),
        without_hsm_steps=compile_shared_library(FAKE_SOURCE, directory / "libfake_nohsm.so",
                                                 "-DFAKE_WITHOUT_HSM_STEPS"),
        without_verify_pin=compile_shared_library(FAKE_SOURCE, directory / "libfake_noverify.so",
                                                  "-DFAKE_WITHOUT_VERIFY_PIN"),
        without_symbols=compile_shared_library(unrelated, directory / "libunrelated.so"),
    )


class FakeControls:
    """The fake library's test-only controls (same process, same loaded library as the reader)."""

    def __init__(self, path: Path) -> None:
        self._library = ctypes.CDLL(str(path))
        self._library.fake_set_pinpad_input.argtypes = (ctypes.c_char_p,)

    def reset(self) -> None:
        self._library.fake_reset()

    def set_scenario(self, scenario: int) -> None:
        self._library.fake_set_scenario(scenario)

    def set_pinpad_input(self, digits: str) -> None:
        self._library.fake_set_pinpad_input(digits.encode("ascii"))

    def last_itype(self) -> int:
        return self._library.fake_last_itype()

    def read_calls(self) -> int:
        return self._library.fake_read_calls()

    def slow_call_entered(self) -> bool:
        return bool(self._library.fake_slow_call_entered())

    def release_slow_call(self) -> None:
        self._library.fake_release_slow_call()


@pytest.fixture
def fake(fake_libraries: FakeLibraries):
    controls = FakeControls(fake_libraries.full)
    controls.reset()
    yield controls
    controls.release_slow_call()  # never leave a native call blocked behind a failed test


@pytest.fixture
def vendor_reader(fake_libraries: FakeLibraries, fake: FakeControls):
    card_reader = VendorLibraryCardReader("vendor-reader", str(fake_libraries.full), call_timeout_s=10.0)
    card_reader.open()
    yield card_reader
    card_reader.close()


def wait_for_state(card_reader: VendorLibraryCardReader, state: DeviceState) -> bool:
    reached = threading.Event()

    def listener(event) -> None:
        if isinstance(event, StatusChanged) and event.new.state is state:
            reached.set()

    unsubscribe = card_reader.subscribe(listener)  # greets with the current status
    try:
        return reached.wait(STATE_CHANGE_LIMIT_S)
    finally:
        unsubscribe()


def cancel_once_library_is_entered(fake: FakeControls, token: CancelToken) -> threading.Thread:
    def cancel_when_entered() -> None:
        deadline = time.monotonic() + STATE_CHANGE_LIMIT_S
        while not fake.slow_call_entered() and time.monotonic() < deadline:
            time.sleep(0.005)
        token.cancel()

    thread = threading.Thread(target=cancel_when_entered, daemon=True)
    thread.start()
    return thread


# --- reading the card ----------------------------------------------------------------------

def test_good_record_becomes_validated_card_data(vendor_reader: VendorLibraryCardReader, fake: FakeControls) -> None:
    assert vendor_reader.status.state is DeviceState.ONLINE
    result = vendor_reader.read_card()

    assert result.code is CompletionCode.SUCCESS, result.detail
    card = result.value
    assert (card.ssn, card.name, card.card_number) == (SSN, "张伟", "A00000019")
    assert card.card_id_code == "320100D156000005A1B2C3D4E5F60001"
    assert card.region_code == "320100"
    # Derived from the ssn, or defaulted, because iReadCardBas does not return them:
    assert (card.sex, card.birth_date) == ("M", dt.date(1980, 1, 1))
    assert (card.birth_place, card.ethnicity, card.card_type) == ("", ETHNICITY_NOT_PROVIDED, "3")
    assert (card.spec_version, card.issue_date, card.expiry_date) == ("3.00", dt.date(2021, 6, 1),
                                                                      dt.date(2031, 6, 1))
    masked = card.masked()
    assert (masked["ssn"], masked["name"], masked["card_number"]) == ("3201**********1238", "张*", "A0****019")
    assert fake.last_itype() == READ_AUTO_CONTACT_FIRST
    assert vendor_reader.status.media is MediaState.UNKNOWN  # no presence sensing, not even after a read
    assert vendor_reader.statistics.snapshot()["cards_read"] == 1


def test_a_name_outside_gbk_is_read_as_gb18030_2022(vendor_reader: VendorLibraryCardReader,
                                                    fake: FakeControls) -> None:
    """䶮 (FE9F), 㐀 (a four-byte code) and FE59, which GB 18030-2022 maps to U+9FB4 and 2005 to a PUA character."""
    fake.set_scenario(RARE_NAME)
    result = vendor_reader.read_card()
    assert result.code is CompletionCode.SUCCESS, result.detail
    assert result.value.name == "王䶮㐀\u9fb4"
    assert result.value.masked()["name"] == "王***"


def test_the_interface_cannot_tell_pin_tries_before_entry(vendor_reader: VendorLibraryCardReader) -> None:
    """iReadCardBas says nothing about the PIN: None, "unknown", never a guess."""
    card = vendor_reader.read_card().value
    assert card.pin_tries_left is None and not card.pin_blocked
    assert card.masked()["pin_tries_left"] == "unknown"


def test_read_type_follows_the_configuration(fake_libraries: FakeLibraries, fake: FakeControls) -> None:
    for kwargs, expected_itype, contact, contactless in (
            ({"contactless": True}, READ_AUTO_CONTACTLESS_FIRST, True, True),
            ({"read_type": READ_CONTACT}, READ_CONTACT, True, False),
            ({"read_type": 2}, 2, False, True)):
        card_reader = VendorLibraryCardReader("r", str(fake_libraries.full), **kwargs)
        card_reader.open()
        try:
            assert card_reader.read_card().ok
            assert fake.last_itype() == expected_itype
            assert (card_reader.capabilities.contact, card_reader.capabilities.contactless) == (contact, contactless)
        finally:
            card_reader.close()


@pytest.mark.parametrize(("scenario", "code", "detail_words"), [
    (NO_CARD, CompletionCode.NO_MEDIA, "returned -2"),
    (BAD_CHECK_DIGIT, CompletionCode.MEDIA_INVALID, "card field ssn"),
    (WRONG_FIELD_COUNT, CompletionCode.MEDIA_INVALID, "9 separators, expected 11"),
    (UNTERMINATED, CompletionCode.HARDWARE_ERROR, "not terminated within 1024 bytes"),
    (INVALID_GBK, CompletionCode.MEDIA_INVALID, "not valid GB18030 (GBK) text"),
    (READ_FAILURE, CompletionCode.MEDIA_INVALID, "returned -11"),
    (UNKNOWN_CODE, CompletionCode.HARDWARE_ERROR, "returned -99: unexpected return code"),
])
def test_faulty_answers_become_completion_codes(vendor_reader: VendorLibraryCardReader, fake: FakeControls,
                                                scenario: int, code: CompletionCode, detail_words: str) -> None:
    fake.set_scenario(scenario)
    result = vendor_reader.read_card()

    assert result.code is code
    assert detail_words in result.detail
    assert result.value is None
    assert vendor_reader.status.state is DeviceState.ONLINE  # a bad card is not a bad reader
    assert vendor_reader.statistics.snapshot()["read_errors"] == 1
    fake.set_scenario(GOOD)
    assert vendor_reader.read_card().ok  # nothing sticks: the next card reads


def test_reader_unplugged_behind_the_library_is_no_device_until_recovered(vendor_reader: VendorLibraryCardReader,
                                                                         fake: FakeControls) -> None:
    fake.set_scenario(READER_GONE)
    result = vendor_reader.read_card()

    assert result.code is CompletionCode.NO_DEVICE
    assert vendor_reader.status.state is DeviceState.NO_DEVICE
    assert "returned -1" in vendor_reader.status.detail
    fake.set_scenario(GOOD)
    assert vendor_reader.recover() is True
    assert vendor_reader.read_card().ok


def test_opening_never_reads_a_card(vendor_reader: VendorLibraryCardReader, fake: FakeControls) -> None:
    assert vendor_reader.status.state is DeviceState.ONLINE
    assert fake.read_calls() == 0  # no polling: each read of personal data is asked for


# --- loading the library -------------------------------------------------------------------

def test_missing_library_is_no_device_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "libSSCardDriver.so"
    card_reader = VendorLibraryCardReader("r", str(missing))
    card_reader.open()

    assert card_reader.status.state is DeviceState.NO_DEVICE
    assert str(missing) in card_reader.status.detail
    assert card_reader.read_card().code is CompletionCode.NO_DEVICE


def test_library_without_the_interface_is_no_device(fake_libraries: FakeLibraries) -> None:
    card_reader = VendorLibraryCardReader("r", str(fake_libraries.without_symbols))
    card_reader.open()

    assert card_reader.status.state is DeviceState.NO_DEVICE
    assert "lacks iReadCardBas, iVerifyPIN" in card_reader.status.detail
    assert str(fake_libraries.without_symbols) in card_reader.status.detail


def test_ipinverify_is_required_only_for_a_pinpad_reader(fake_libraries: FakeLibraries, fake: FakeControls) -> None:
    pinpad = VendorLibraryCardReader("r", str(fake_libraries.without_verify_pin))
    pinpad.open()
    assert pinpad.status.state is DeviceState.NO_DEVICE
    assert "lacks iVerifyPIN" in pinpad.status.detail

    no_pinpad = VendorLibraryCardReader("r", str(fake_libraries.without_verify_pin), pin_entry="none")
    no_pinpad.open()
    try:
        assert no_pinpad.status.state is DeviceState.ONLINE
        assert no_pinpad.capabilities.pin_on_card is False
        assert no_pinpad.verify_pin("").code is CompletionCode.UNSUPPORTED
        assert no_pinpad.read_card().ok
    finally:
        no_pinpad.close()


def test_hsm_two_step_entry_points_are_reported(fake_libraries: FakeLibraries, fake: FakeControls) -> None:
    found = {}
    for path in (fake_libraries.full, fake_libraries.without_hsm_steps):
        card_reader = VendorLibraryCardReader("r", str(path))
        card_reader.open()
        found[path] = card_reader.describe()["capabilities"]["hsm_two_step"]
        card_reader.close()
    assert found == {fake_libraries.full: True, fake_libraries.without_hsm_steps: False}


def test_configuration_the_interface_cannot_honour_is_refused(fake_libraries: FakeLibraries) -> None:
    with pytest.raises(ValueError, match="cannot take a PIN typed on the kiosk screen"):
        VendorLibraryCardReader("r", str(fake_libraries.full), pin_entry="kiosk")
    with pytest.raises(ValueError, match="read_type"):
        VendorLibraryCardReader("r", str(fake_libraries.full), read_type=5)


# --- a library that does not return --------------------------------------------------------

def test_stuck_call_times_out_and_the_device_recovers_when_it_returns(fake_libraries: FakeLibraries,
                                                                      fake: FakeControls) -> None:
    card_reader = VendorLibraryCardReader("r", str(fake_libraries.full), call_timeout_s=0.2)
    card_reader.open()
    try:
        fake.set_scenario(SLOW)
        result = card_reader.read_card()

        assert result.code is CompletionCode.TIMEOUT
        assert card_reader.status.state is DeviceState.HARDWARE_ERROR
        assert "cannot be stopped" in card_reader.status.detail
        # No second call goes into a library that is still stuck, and the manager cannot reopen it.
        assert card_reader.read_card().code is CompletionCode.NO_DEVICE
        assert card_reader.recover() is False
        assert fake.read_calls() == 1

        fake.release_slow_call()
        assert wait_for_state(card_reader, DeviceState.ONLINE)
        fake.set_scenario(GOOD)
        assert card_reader.read_card().ok
    finally:
        fake.release_slow_call()
        card_reader.close()


def test_cancel_returns_at_once_and_the_reader_is_busy_until_the_library_returns(
        vendor_reader: VendorLibraryCardReader, fake: FakeControls) -> None:
    fake.set_scenario(SLOW)
    token = CancelToken()
    canceller = cancel_once_library_is_entered(fake, token)
    result = vendor_reader.read_card(token)
    canceller.join()

    assert result.code is CompletionCode.CANCELLED
    assert vendor_reader.status.state is DeviceState.BUSY
    assert vendor_reader.read_card().code is CompletionCode.BUSY
    fake.release_slow_call()
    assert wait_for_state(vendor_reader, DeviceState.ONLINE)


# --- the PIN, typed on the reader's keypad -------------------------------------------------

def test_right_pin_on_the_pinpad_is_verified(vendor_reader: VendorLibraryCardReader, fake: FakeControls) -> None:
    result = vendor_reader.verify_pin("")

    assert result.code is CompletionCode.SUCCESS, result.detail
    assert result.value.verified is True
    assert fake.last_itype() == READ_AUTO_CONTACT_FIRST
    assert vendor_reader.statistics.snapshot()["pin_verified"] == 1


def test_wrong_pins_count_down_then_block(vendor_reader: VendorLibraryCardReader, fake: FakeControls) -> None:
    fake.set_pinpad_input("000000")
    first, second, third = (vendor_reader.verify_pin("") for _ in range(3))

    assert (first.code, first.value.tries_left) == (CompletionCode.PIN_INCORRECT, 2)
    assert "tries left 2" in first.detail
    assert (second.code, second.value.tries_left) == (CompletionCode.PIN_INCORRECT, 1)
    assert third.code is CompletionCode.PIN_BLOCKED and third.value.blocked
    fake.set_pinpad_input("123456")
    locked = vendor_reader.verify_pin("")
    assert locked.code is CompletionCode.PIN_BLOCKED
    assert (locked.value.verified, locked.value.tries_left) == (False, 0)
    assert vendor_reader.statistics.snapshot()["pin_incorrect"] == 2
    assert vendor_reader.statistics.snapshot()["pin_blocked"] == 2


@pytest.mark.parametrize(("pinpad_input", "code"), [("", CompletionCode.TIMEOUT), ("*", CompletionCode.CANCELLED)])
def test_pinpad_timeout_and_cancel_key(vendor_reader: VendorLibraryCardReader, fake: FakeControls,
                                       pinpad_input: str, code: CompletionCode) -> None:
    fake.set_pinpad_input(pinpad_input)
    assert vendor_reader.verify_pin("").code is code
    assert vendor_reader.status.state is DeviceState.ONLINE


def test_pin_digits_from_the_kiosk_are_refused_before_the_library(vendor_reader: VendorLibraryCardReader,
                                                                  fake: FakeControls) -> None:
    result = vendor_reader.verify_pin("123456")

    assert result.code is CompletionCode.INVALID_INPUT
    assert fake.last_itype() == 0  # iVerifyPIN was never called


def test_tries_left_text() -> None:
    assert [parse_tries_left(raw) for raw in (b"2", b"2|", b" 1 ", b"0", b"", b"OK", b"99")] == \
        [2, 2, 1, 0, None, None, None]
    assert completion_for_return_code(-6)[0] is CompletionCode.PIN_BLOCKED
    assert completion_for_return_code(3)[0] is CompletionCode.HARDWARE_ERROR


# --- record parsing details ----------------------------------------------------------------

GOOD_RECORD = ("320100|320102198001011238|A00000019|320100D156000005A1B2C3D4E5F60001|张伟|0086C1A20300|3.00|"
               "20210601|20310601|320100000001|0001A2B3C4D5|")


@pytest.mark.parametrize(("change", "field"), [
    (("320100|", "3201000|", 1), "region"),
    (("|A00000019|", "|A0000001|", 1), "card_number"),
    (("|320100D156", "|330100D156", 1), "card_id_code"),   # another region than the record's
    (("|20310601|", "|20310631|", 1), "expiry_date"),
    (("|0086C1A20300|", "|0086C1A2030|", 1), "atr_history"),
    (("|3.00|", "|3.00 x|", 1), "spec_version"),
    (("|320100000001|", "|3201 0001|", 1), "terminal_number"),
])
def test_each_field_is_checked(change: tuple[str, str, int], field: str) -> None:
    assert parse_card_record(GOOD_RECORD.encode("gbk")).ssn == SSN
    broken = GOOD_RECORD.replace(*change)
    with pytest.raises(DeviceError) as raised:
        parse_card_record(broken.encode("gbk"))
    assert raised.value.code is CompletionCode.MEDIA_INVALID
    assert f"card field {field}" in raised.value.detail


def test_female_holder_from_an_even_17th_digit() -> None:
    record = GOOD_RECORD.replace("320102198001011238", "320102197503152466")
    card = parse_card_record(record.encode("gbk"))
    assert (card.sex, card.birth_date) == ("F", dt.date(1975, 3, 15))


# --- privacy and health --------------------------------------------------------------------

def test_full_ssn_never_reaches_logs_details_or_reprs(vendor_reader: VendorLibraryCardReader, fake: FakeControls,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    results = [vendor_reader.read_card()]
    for scenario in (BAD_CHECK_DIGIT, WRONG_FIELD_COUNT, INVALID_GBK, UNTERMINATED):
        fake.set_scenario(scenario)
        results.append(vendor_reader.read_card())
    fake.set_scenario(GOOD)
    fake.set_pinpad_input("111111")
    results.append(vendor_reader.verify_pin(""))
    report = vendor_reader.check_health(HealthLevel.EXTERNAL)

    assert results[0].ok and not any(result.ok for result in results[1:])
    exposed = [caplog.text, repr(report.as_dict()), repr(vendor_reader.describe())]
    exposed += [f"{result.detail} {result!r}" for result in results]
    for text in exposed:
        assert SSN not in text and BAD_CHECK_DIGIT_SSN not in text
    assert "3201**********1238" in repr(report.as_dict())  # the masked form is what shows


def test_health_checks_read_once_instead_of_waiting_for_a_card(vendor_reader: VendorLibraryCardReader,
                                                               fake: FakeControls) -> None:
    assert vendor_reader.check_health(HealthLevel.INTERNAL).passed
    fake.set_scenario(NO_CARD)
    assert vendor_reader.check_health(HealthLevel.EXTERNAL).code is CompletionCode.NO_MEDIA
    assert vendor_reader.wait_for_card(1.0).code is CompletionCode.UNSUPPORTED

    class Technician:
        def __init__(self) -> None:
            self.told: list[str] = []

        def instruct(self, message_id: str) -> None:
            self.told.append(message_id)
            fake.set_scenario(GOOD)  # the technician inserts the card

        def confirm(self, message_id: str) -> bool:
            return True

    technician = Technician()
    report = vendor_reader.check_health(HealthLevel.INTERACTIVE, technician)
    assert report.passed, report.summary
    assert technician.told == ["technician.check.insert_card"]
    assert report.details["card"]["name"] == "张*"
