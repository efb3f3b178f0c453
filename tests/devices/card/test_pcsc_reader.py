"""The PC/SC reader against real parts: a private pcscd, the vpcd driver, pyscard and our virtual card.

Every operation that could hang runs under `call_with_deadline`: a hang fails the test
instead of stalling the suite. Nothing here asserts on durations.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devices.card.data import PinResult
from devices.card.pcsc_reader import PcscCardReader, choose_reader
from devices.card.pcscd_runner import PcscdBusy, PcscdNotInstalled, PcscdNotOurs, PcscdRunner
from devices.card.profile import PIN_MAX_TRIES, CardRecord
from devices.card.virtual_card import CardFault, vpcd_port, vpcd_reader_name
from devices.model import (CancelToken, CompletionCode, DeviceClass, DeviceState, MediaInserted, MediaRemoved,
                           MediaState, StatusChanged)
from kiosk_demo.cards import demo_card_records

from tests.devices.card.conftest import READER_NAME, call_with_deadline, remove_card, wait_until

ZHANG_WEI = "A00000019"   # PIN 123456
LI_NA = "A00000027"       # PIN 111111
SUN_LI = "A00000094"      # PIN 888888, no tries left
WANG_YAN = "A00000102"    # 王䶮: 䶮 (U+4DAE) is GB 18030, outside GBK


def read(reader: PcscCardReader, cancel: CancelToken | None = None):
    return call_with_deadline(lambda: reader.read_card(cancel), "read_card")


def verify(reader: PcscCardReader, pin: str):
    return call_with_deadline(lambda: reader.verify_pin(pin), "verify_pin")


def assert_matches_record(card, record: CardRecord) -> None:
    assert card.ssn == record.ssn
    assert card.name == record.name
    assert card.sex == {"1": "M", "2": "F"}[record.sex]
    assert card.birth_date == record.birth_date
    assert card.card_number == record.card_number
    assert card.card_id_code == record.card_id_code
    assert card.birth_place == record.birth_place
    assert card.ethnicity == record.ethnicity
    assert card.card_type == record.card_type
    assert card.spec_version == record.spec_version
    assert card.issue_date == record.issue_date
    assert card.expiry_date == record.expiry_date


# --- reading ------------------------------------------------------------------------------

@pytest.mark.parametrize("card_number", sorted(demo_card_records()))
def test_every_demo_card_reads_back_as_its_record(reader, insert_card, card_number: str) -> None:
    card = insert_card(card_number, reader=reader)
    result = read(reader)
    assert result.ok, result.detail
    assert_matches_record(result.value, card.record)
    assert reader.statistics.snapshot()["cards_read"] == 1


def test_a_name_outside_gbk_reads_from_the_card(reader, insert_card) -> None:
    """王䶮 is stored as GB 18030 (CDF5 FE9F); GBK has no 䶮."""
    card = insert_card(WANG_YAN, reader=reader)
    result = read(reader)
    assert result.ok, result.detail
    assert result.value.name == "王䶮"
    assert_matches_record(result.value, card.record)


def test_four_byte_and_2022_remapped_gb18030_characters_read_from_the_card(reader, insert_card) -> None:
    """㐀 is a four-byte GB 18030 code; 龴 (U+9FB4) is FE59, which GB 18030-2005 decoders turn into a PUA character."""
    record = dataclasses.replace(demo_card_records()[ZHANG_WEI], name="张㐀\u9fb4䶮")
    insert_card(ZHANG_WEI, reader=reader, record=record)
    result = read(reader)
    assert result.ok, result.detail
    assert result.value.name == "张㐀\u9fb4䶮"


def test_reader_reports_its_capabilities(reader) -> None:
    capabilities = reader.capabilities
    assert capabilities.reader_name == READER_NAME
    assert capabilities.contact and not capabilities.contactless
    assert capabilities.pin_on_card


def test_read_without_a_card_is_no_media(reader) -> None:
    wait_until(lambda: reader.status.media is MediaState.NOT_PRESENT, "an empty slot")
    assert read(reader).code is CompletionCode.NO_MEDIA


def test_second_vpcd_slot_is_port_35964(pcscd, insert_card) -> None:
    other = PcscCardReader("slot-1", reader_pattern=f"^{vpcd_reader_name(1)}$", transmit_timeout_s=1.0)
    other.open()
    try:
        insert_card(LI_NA, reader=other, port=vpcd_port(1))
        result = read(other)
        assert result.ok, result.detail
        assert result.value.card_number == LI_NA
    finally:
        other.close()


# --- PIN -------------------------------------------------------------------------------------

def test_right_pin_verifies(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader)
    assert read(reader).ok
    result = verify(reader, "123456")
    assert result.code is CompletionCode.SUCCESS
    assert result.value == PinResult(True, None)
    assert card.record.pin_tries_left == PIN_MAX_TRIES


def test_wrong_pins_count_two_one_then_blocked(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader)
    assert read(reader).ok
    first, second, third = (verify(reader, "000000") for _ in range(3))
    assert (first.code, first.value) == (CompletionCode.PIN_INCORRECT, PinResult(False, 2))
    assert (second.code, second.value) == (CompletionCode.PIN_INCORRECT, PinResult(False, 1))
    assert (third.code, third.value) == (CompletionCode.PIN_BLOCKED, PinResult(False, 0))
    assert verify(reader, "123456").code is CompletionCode.PIN_BLOCKED  # the right PIN no longer helps
    assert card.record.pin_tries_left == 0
    stats = reader.statistics.snapshot()
    assert (stats["pin_incorrect"], stats["pin_blocked"], stats["pin_verified"]) == (2, 2, 0)


def test_right_pin_after_a_wrong_one_restores_the_tries(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader)
    assert read(reader).ok
    assert verify(reader, "999999").value == PinResult(False, 2)
    assert verify(reader, "123456").ok
    assert card.record.pin_tries_left == PIN_MAX_TRIES


def test_sun_li_card_is_reported_blocked(reader, insert_card) -> None:
    insert_card(SUN_LI, reader=reader)
    assert read(reader).ok  # a blocked PIN does not stop the card being read
    result = verify(reader, "888888")
    assert result.code is CompletionCode.PIN_BLOCKED
    assert result.value.blocked


def test_pin_tries_left_come_with_the_read_and_cost_no_try(reader, insert_card) -> None:
    """Before the citizen types: the read asks the card (VERIFY without data) how many tries are left."""
    card = insert_card(ZHANG_WEI, reader=reader)
    for _ in range(3):
        result = read(reader)
        assert result.ok, result.detail
        assert result.value.pin_tries_left == PIN_MAX_TRIES and not result.value.pin_blocked
    assert card.record.pin_tries_left == PIN_MAX_TRIES
    assert verify(reader, "000000").value == PinResult(False, 2)
    assert read(reader).value.pin_tries_left == 2     # the next session knows before anyone types
    assert verify(reader, "000000").value == PinResult(False, 1)
    assert read(reader).value.pin_tries_left == 1
    assert verify(reader, "123456").ok
    assert read(reader).value.pin_tries_left == PIN_MAX_TRIES


def test_a_blocked_card_is_known_at_read_time(reader, insert_card) -> None:
    card = insert_card(SUN_LI, reader=reader)
    result = read(reader)
    assert result.ok, result.detail
    assert result.value.pin_tries_left == 0 and result.value.pin_blocked
    assert card.record.pin_tries_left == 0


def test_verify_without_a_read_connects_by_itself(reader, insert_card) -> None:
    insert_card(ZHANG_WEI, reader=reader)
    assert verify(reader, "123456").ok


def test_verify_after_the_read_card_was_swapped_is_media_removed(reader, insert_card) -> None:
    first = insert_card(ZHANG_WEI, reader=reader)
    assert read(reader).ok
    remove_card(first, reader)
    insert_card(LI_NA, reader=reader)
    # The other card's PIN must not verify for the card that was read.
    assert verify(reader, "111111").code is CompletionCode.MEDIA_REMOVED
    result = read(reader)
    assert result.ok and result.value.card_number == LI_NA
    assert verify(reader, "111111").ok


# --- faults ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "operation", "expected"), [
    (CardFault.MUTE, "read", CompletionCode.TIMEOUT),
    (CardFault.SLOW, "read", CompletionCode.TIMEOUT),               # slower than the reader waits
    (CardFault.GARBAGE, "read", CompletionCode.MEDIA_INVALID),
    (CardFault.TRUNCATED, "read", CompletionCode.MEDIA_INVALID),
    (CardFault.WRONG_SW, "read", CompletionCode.MEDIA_INVALID),
    (CardFault.REMOVE_MID_READ, "read", CompletionCode.MEDIA_REMOVED),
    (CardFault.BLOCKED_PIN, "verify", CompletionCode.PIN_BLOCKED),
    (CardFault.GARBAGE, "verify", CompletionCode.MEDIA_INVALID),
    (CardFault.MUTE, "verify", CompletionCode.TIMEOUT),
])
def test_card_fault_gives_a_typed_code_and_the_next_card_reads(reader, insert_card, fault: CardFault,
                                                               operation: str, expected: CompletionCode) -> None:
    faulty = insert_card(ZHANG_WEI, reader=reader, faults=[fault], slow_delay_s=3 * reader._transmit_timeout_s,
                         remove_after_apdus=4, garbage_seed=1)
    result = read(reader) if operation == "read" else verify(reader, "123456")
    assert result.code is expected, result.detail
    if fault is CardFault.BLOCKED_PIN:
        assert result.value == PinResult(False, 0)
    assert reader.status.state is DeviceState.ONLINE
    remove_card(faulty, reader)
    insert_card(LI_NA, reader=reader)
    good = read(reader)
    assert good.ok, good.detail
    assert good.value.card_number == LI_NA
    assert verify(reader, "111111").ok


def test_slow_card_within_the_timeout_still_reads(reader, insert_card) -> None:
    insert_card(ZHANG_WEI, reader=reader, faults=[CardFault.SLOW], slow_delay_s=0.01)
    result = read(reader)
    assert result.ok, result.detail


def test_card_pulled_out_during_a_read_is_media_removed(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader, faults=[CardFault.SLOW], slow_delay_s=0.2)
    outcome: list = []
    reading = threading.Thread(target=lambda: outcome.append(reader.read_card()))
    reading.start()
    wait_until(lambda: card.apdus_answered >= 2, "the read to get going")
    card.remove()
    reading.join(10)
    assert not reading.is_alive()
    assert outcome[0].code is CompletionCode.MEDIA_REMOVED, outcome[0].detail


def test_card_swapped_faster_than_pcscd_polls_is_media_removed(reader, insert_card) -> None:
    """The first card leaves in the middle of a transmit and the next one is already there at pcscd's next poll.

    The second card waits in vpcd's accept queue, so vpcd answers "present" at every poll and
    pcscd never sees the slot empty: the transmit in flight gets no answer at all (a next one
    would get SCARD_E_NOT_TRANSACTED) and no removal event follows. That is a removal for the
    kiosk, not an invalid card or a hardware error.
    """
    first = insert_card(ZHANG_WEI, reader=reader, faults=[CardFault.REMOVE_MID_READ], remove_after_apdus=4)
    second = insert_card(LI_NA)
    wait_until(lambda: second.connected, "the second card to wait in vpcd's queue")
    seen: list[MediaState] = []
    unsubscribe = reader.subscribe(lambda event: seen.append(event.new.media) if isinstance(event, StatusChanged)
                                   else None)
    result = read(reader)
    assert result.code is CompletionCode.MEDIA_REMOVED, result.detail
    assert not first.inserted
    assert reader.status.state is DeviceState.ONLINE
    # Until pcscd's next poll hands the slot to the second card, a command gets SCARD_E_NOT_TRANSACTED:
    # the same removal again. Then the second card reads.
    failures = []
    deadline = time.monotonic() + 5.0
    while not (again := read(reader)).ok and time.monotonic() < deadline:
        failures.append(again)
        time.sleep(0.05)
    assert [failure.code for failure in failures] == [CompletionCode.MEDIA_REMOVED] * len(failures)
    assert again.ok, again.detail
    assert again.value.card_number == LI_NA
    unsubscribe()
    assert MediaState.NOT_PRESENT not in seen   # pcscd really did not see the swap


def test_card_reset_by_another_application_is_media_removed(reader, insert_card) -> None:
    """Another PC/SC client resets the card between read and VERIFY: our handle says SCARD_W_RESET_CARD."""
    from smartcard import scard

    insert_card(ZHANG_WEI, reader=reader)
    assert read(reader).ok
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert code == scard.SCARD_S_SUCCESS
    try:
        code, handle, _ = scard.SCardConnect(context, READER_NAME, scard.SCARD_SHARE_SHARED,
                                             scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        assert code == scard.SCARD_S_SUCCESS
        assert scard.SCardDisconnect(handle, scard.SCARD_RESET_CARD) == scard.SCARD_S_SUCCESS
    finally:
        scard.SCardReleaseContext(context)
    result = verify(reader, "123456")
    assert result.code is CompletionCode.MEDIA_REMOVED, result.detail
    assert "RESET_CARD" in result.detail
    assert read(reader).ok
    assert verify(reader, "123456").ok


class _TransmitFails:
    """pyscard with one SCardTransmit answering a PC/SC error: what a real reader says when a card is
    swapped faster than pcscd polls (NOT_TRANSACTED), reset (RESET_CARD) or pulled (REMOVED_CARD) at
    the exact moment of one command, which vpcd cannot be made to do on demand."""

    def __init__(self, scard, code: int, after_transmits: int) -> None:
        self._scard = scard
        self._code = code
        self._left = after_transmits

    def __getattr__(self, name: str):
        return getattr(self._scard, name)

    def SCardTransmit(self, handle, protocol, apdu):  # noqa: N802 - pyscard's name
        self._left -= 1
        if self._left == -1:
            return self._code, []
        return self._scard.SCardTransmit(handle, protocol, apdu)


@pytest.mark.parametrize("error", ["SCARD_E_NOT_TRANSACTED", "SCARD_W_RESET_CARD", "SCARD_W_REMOVED_CARD"])
@pytest.mark.parametrize("operation", ["read", "verify"])
def test_pcsc_codes_of_a_card_that_left_are_media_removed(reader, insert_card, monkeypatch, error: str,
                                                         operation: str) -> None:
    from smartcard import scard

    insert_card(ZHANG_WEI, reader=reader)
    # A read is 16 commands (2 SELECT file, 12 READ RECORD, SELECT application, the retry counter);
    # VERIFY is the second command of verify_pin, after SELECT application.
    failing = 3 if operation == "read" else 16 + 1
    monkeypatch.setattr(reader, "_scard", _TransmitFails(reader._scard, getattr(scard, error), failing))
    if operation == "read":
        result = read(reader)
    else:
        assert read(reader).ok
        result = verify(reader, "123456")
    assert result.code is CompletionCode.MEDIA_REMOVED, result.detail
    assert error in result.detail
    assert reader.status.state is DeviceState.ONLINE
    assert read(reader).ok


def test_cancel_between_apdus_stops_the_read(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader, faults=[CardFault.SLOW], slow_delay_s=0.1)
    cancel = CancelToken()
    outcome: list = []
    reading = threading.Thread(target=lambda: outcome.append(reader.read_card(cancel)))
    reading.start()
    wait_until(lambda: card.apdus_answered >= 1, "the read to get going")
    cancel.cancel()
    reading.join(10)
    assert not reading.is_alive()
    assert outcome[0].code is CompletionCode.CANCELLED
    card.set_faults()
    assert read(reader).ok  # the reader is usable again at once


# --- status -----------------------------------------------------------------------------------

def media_events(events: list) -> list[type]:
    return [type(event) for event in events if isinstance(event, (MediaInserted, MediaRemoved))]


def test_insertion_and_removal_publish_present_and_not_present(reader, insert_card) -> None:
    events: list = []
    reader.subscribe(events.append)
    card = insert_card(ZHANG_WEI, reader=reader)
    remove_card(card, reader)
    media = [event.new.media for event in events
             if isinstance(event, StatusChanged) and event.new.media != event.old.media]
    assert media == [MediaState.PRESENT, MediaState.NOT_PRESENT]
    assert media_events(events) == [MediaInserted, MediaRemoved]
    assert reader.statistics.snapshot()["cards_inserted"] == 1


def test_a_listener_joining_with_a_card_in_is_greeted_with_it(reader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader)
    events: list = []
    reader.subscribe(events.append)
    assert events[1:] == [MediaInserted(reader.name, DeviceClass.CARD_READER)]
    remove_card(card, reader)
    assert media_events(events) == [MediaInserted, MediaRemoved]


def test_pcscd_stopped_goes_offline_and_comes_back_without_reopening(pcscd: PcscdRunner, reader,
                                                                      insert_card) -> None:
    if not pcscd.owned:
        pytest.skip("the running pcscd is not ours: it cannot be stopped here")
    insert_card(ZHANG_WEI, reader=reader)
    events: list = []
    reader.subscribe(events.append)
    pcscd.stop(release_lock=False)  # no other test run slips in while pcscd is down
    try:
        wait_until(lambda: reader.status.state is DeviceState.OFFLINE, "the reader to go offline")
        assert "pcscd" in reader.status.detail
        assert read(reader).code is CompletionCode.NO_DEVICE
    finally:
        pcscd.start()
    wait_until(lambda: reader.status.state is DeviceState.ONLINE, "the reader to come back")
    wait_until(lambda: reader.status.media is MediaState.PRESENT, "the card, still in the slot, to be seen")
    # Unseen while pcscd was down, then seen again: the kiosk reads the card afresh.
    assert media_events(events) == [MediaInserted, MediaRemoved, MediaInserted]
    result = read(reader)
    assert result.ok, result.detail
    assert result.value.card_number == ZHANG_WEI


def test_pattern_matching_no_reader_is_no_device(pcscd) -> None:
    reader = PcscCardReader("nothing", reader_pattern="^ACS ACR1281", transmit_timeout_s=1.0)
    reader.open()
    try:
        assert reader.status.state is DeviceState.NO_DEVICE
        assert "ACS ACR1281" in reader.status.detail and "Virtual PCD" in reader.status.detail
        assert read(reader).code is CompletionCode.NO_DEVICE
    finally:
        reader.close()


def test_close_returns_promptly_and_can_be_repeated(pcscd) -> None:
    reader = PcscCardReader("closing", reader_pattern=READER_NAME, poll_interval_s=30.0)
    reader.open()
    assert reader.status.state is DeviceState.ONLINE
    call_with_deadline(reader.close, "close with a 30 s poll interval", timeout_s=5.0)
    reader.close()
    assert reader.status.state is DeviceState.OFFLINE


def test_without_pyscard_the_reader_says_so(monkeypatch) -> None:
    # The one fake: an absent pyscard, which this machine cannot produce otherwise.
    monkeypatch.setitem(sys.modules, "smartcard", None)
    reader = PcscCardReader("no-pyscard")
    reader.open()
    assert reader.status.state is DeviceState.NO_DEVICE
    assert "pyscard" in reader.status.detail
    assert reader.read_card().code is CompletionCode.NO_DEVICE
    reader.close()


@pytest.mark.parametrize(("readers", "pattern", "contactless", "expected"), [
    (["ACS ACR1281 1S Dual Reader PICC 00 00", "ACS ACR1281 1S Dual Reader ICC 00 01"], "", False,
     "ACS ACR1281 1S Dual Reader ICC 00 01"),
    (["ACS ACR1281 1S Dual Reader ICC 00 00", "ACS ACR1281 1S Dual Reader PICC 00 01"], "", True,
     "ACS ACR1281 1S Dual Reader PICC 00 01"),
    (["Virtual PCD 00 00", "Virtual PCD 00 01"], "", True, "Virtual PCD 00 00"),  # no name says: the first
    (["Virtual PCD 00 00", "Virtual PCD 00 01"], "pcd 00 01", False, "Virtual PCD 00 01"),
    (["Virtual PCD 00 00"], "Identiv", False, None),
    ([], "", False, None),
])
def test_reader_choice_rule(readers, pattern, contactless, expected) -> None:
    compiled = re.compile(pattern, re.IGNORECASE) if pattern else None
    assert choose_reader(readers, pattern=compiled, contactless=contactless) == expected


def test_chosen_reader_is_kept_while_it_exists() -> None:
    readers = ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert choose_reader(readers, pattern=None, contactless=False, current="Virtual PCD 00 01") == "Virtual PCD 00 01"


def test_second_runner_reuses_the_running_pcscd(pcscd: PcscdRunner) -> None:
    guest = PcscdRunner(lock_path=None).start()
    assert not guest.owned and guest.running
    with pytest.raises(PcscdNotOurs):
        guest.restart()
    guest.stop()
    assert pcscd.running  # the guest left it alone


def test_second_runner_waits_for_the_lock_and_gives_up_clearly(pcscd: PcscdRunner) -> None:
    if not pcscd.owned:
        pytest.skip("the running pcscd is not ours, so this run holds no lock")
    with pytest.raises(PcscdBusy, match="held"):
        PcscdRunner(lock_timeout_s=0.2).start()
    assert pcscd.running


def test_runner_says_clearly_when_pcscd_is_not_installed(pcscd: PcscdRunner) -> None:
    if not pcscd.owned:
        pytest.skip("the running pcscd is not ours: it cannot be stopped here")
    pcscd.stop(release_lock=False)
    try:
        with pytest.raises(PcscdNotInstalled, match="apt-get install pcscd"):
            PcscdRunner(executable="/nonexistent/sbin/pcscd", lock_path=None).start()
    finally:
        pcscd.start()


def _start_runner_in_a_process(lock_path, stop_with_parent: bool) -> tuple[subprocess.Popen, int]:
    """A runner in a child process that we can kill -9; returns the process and its pcscd's pid."""
    script = ("import sys, time\n"
              "from pathlib import Path\n"
              "from devices.card.pcscd_runner import PcscdRunner\n"
              f"runner = PcscdRunner(lock_path=Path({str(lock_path)!r}), stop_with_parent={stop_with_parent})\n"
              "print(runner.start().pid, flush=True)\n"
              "time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[3])
    line = call_with_deadline(child.stdout.readline, "the child runner to start pcscd")
    return child, int(line)


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def test_runner_killed_hard_leaves_no_pcscd_behind(pcscd: PcscdRunner, tmp_path: Path) -> None:
    if not pcscd.owned:
        pytest.skip("the running pcscd is not ours: it cannot be stopped here")
    pcscd.stop(release_lock=False)
    try:
        # Dies with its parent (PR_SET_PDEATHSIG).
        child, pcscd_pid = _start_runner_in_a_process(tmp_path / "runner.lock", stop_with_parent=True)
        child.kill()
        child.wait()
        wait_until(lambda: _process_gone(pcscd_pid), "pcscd to follow its killed runner")
        # Told not to die with its parent: the next runner that gets the lock stops the orphan.
        child, orphan_pid = _start_runner_in_a_process(tmp_path / "runner.lock", stop_with_parent=False)
        child.kill()
        child.wait()
        assert not _process_gone(orphan_pid)
        successor = PcscdRunner(lock_path=tmp_path / "runner.lock").start()
        try:
            assert successor.owned and successor.pid != orphan_pid
            assert _process_gone(orphan_pid)
        finally:
            successor.stop()
    finally:
        pcscd.start()
    assert pcscd.owned


# --- privacy ----------------------------------------------------------------------------------

def test_no_full_ssn_in_logs_details_or_reprs(reader, insert_card, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    card = insert_card(ZHANG_WEI, reader=reader)
    ssn = card.record.ssn
    results = [read(reader), verify(reader, "000000"), verify(reader, "123456")]
    card.set_faults(CardFault.TRUNCATED)
    results.append(read(reader))
    assert results[0].ok and results[-1].code is CompletionCode.MEDIA_INVALID
    texts = [entry.getMessage() for entry in caplog.records]
    texts += [result.detail for result in results] + [repr(result) for result in results]
    texts.append(reader.status.detail)
    texts.append(repr(reader.describe()))
    assert not [text for text in texts if ssn in text]
    assert not [text for text in texts if card.record.pin in text]
