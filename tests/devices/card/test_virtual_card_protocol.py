"""The virtual card's answers, over its real socket transport, against a tiny fake vpcd (no pcscd).

The fake speaks vpcd's side of the protocol: 2-byte big-endian length + payload; 1-byte
payloads are controls, only GET ATR (4) is answered.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator

import pytest

from devices.card.profile import (APPLICATION_NAME, FILES, HOLDER_FILE_ID, ISSUER_FILE_ID, PIN_MAX_TRIES, CardRecord,
                                  decode_record, pin_status, read_record, select_application, select_file,
                                  tries_left_from_status, verify_pin)
from devices.card.virtual_card import (ATR, CONTROL_GET_ATR, CONTROL_POWER_OFF, CONTROL_POWER_ON, CONTROL_RESET,
                                       CardFault, VirtualCard, run_virtual_card, vpcd_port, vpcd_reader_name)
from devices.model import CompletionCode, DeviceError
from kiosk_demo.cards import demo_card_records

from tests.devices.card.conftest import call_with_deadline, wait_until

ZHANG_WEI = "A00000019"   # PIN 123456


class FakeVpcd:
    """vpcd's half of one slot: listens, accepts the card, sends commands, reads answers."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(5.0)
        self.port = self.server.getsockname()[1]
        self.connection: socket.socket | None = None

    def accept(self) -> None:
        self.connection, _ = self.server.accept()
        self.connection.settimeout(5.0)

    def send(self, payload: bytes) -> None:
        assert self.connection is not None
        self.connection.sendall(struct.pack(">H", len(payload)) + payload)

    def receive(self) -> bytes:
        header = self._exactly(2)
        return self._exactly(struct.unpack(">H", header)[0])

    def exchange(self, apdu: bytes) -> bytes:
        self.send(apdu)
        return self.receive()

    def control(self, code: int) -> None:
        self.send(bytes((code,)))

    def atr(self) -> bytes:
        return self.exchange(bytes((CONTROL_GET_ATR,)))

    def nothing_arrives_within(self, seconds: float) -> bool:
        assert self.connection is not None
        self.connection.settimeout(seconds)
        try:
            self.connection.recv(1)  # data, or b"" for a closed connection: something happened
        except TimeoutError:
            return True
        finally:
            self.connection.settimeout(5.0)
        return False

    def connection_closed(self) -> bool:
        assert self.connection is not None
        try:
            return self.connection.recv(1) == b""
        except ConnectionResetError:
            return True

    def drop(self) -> None:
        """What pcscd's exit does to the card: close its connection."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        self.drop()
        self.server.close()

    def _exactly(self, size: int) -> bytes:
        assert self.connection is not None
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the card closed the connection")
            data += chunk
        return data


@pytest.fixture
def vpcd() -> Iterator[FakeVpcd]:
    fake = FakeVpcd()
    yield fake
    fake.close()


@pytest.fixture
def record() -> CardRecord:
    return demo_card_records()[ZHANG_WEI]


@pytest.fixture
def plug(vpcd: FakeVpcd, record: CardRecord) -> Iterator:
    """`plug(**options)`: a virtual card connected to the fake vpcd; stopped after the test."""
    cards: list[VirtualCard] = []

    def connect(card_record: CardRecord | None = None, **options) -> VirtualCard:
        card = VirtualCard(card_record or record, port=vpcd.port, **options)
        cards.append(card)
        card.insert()
        vpcd.accept()
        return card

    yield connect
    for card in cards:
        card.stop()


def select_issuer_file(vpcd: FakeVpcd) -> None:
    assert vpcd.exchange(select_application()) == b"\x90\x00"
    assert vpcd.exchange(select_file(ISSUER_FILE_ID)) == b"\x90\x00"


# --- transport and controls ---------------------------------------------------------------

def test_atr_is_answered_and_well_formed(vpcd: FakeVpcd, plug) -> None:
    plug()
    atr = vpcd.atr()
    assert atr == ATR
    assert atr[0] == 0x3B                      # direct convention
    assert atr[1] & 0x0F == len(atr) - 4       # historical bytes: all but TS, T0, TD1, TCK
    assert atr[2] & 0x0F == 1                  # TD1 offers T=1
    check = 0
    for byte in atr[1:]:
        check ^= byte
    assert check == 0                          # TCK makes the XOR of T0..TCK zero


def test_power_controls_get_no_answer_and_reset_the_card_state(vpcd: FakeVpcd, plug) -> None:
    plug()
    select_issuer_file(vpcd)
    for control in (CONTROL_POWER_OFF, CONTROL_POWER_ON, CONTROL_RESET):
        vpcd.control(control)
    # Had a control been answered, this would read that answer instead of the ATR.
    assert vpcd.atr() == ATR
    assert vpcd.exchange(read_record(0x01)) == b"\x69\x85"  # the reset forgot the selected application


def test_apdus_are_counted_but_controls_are_not(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    vpcd.atr()
    vpcd.exchange(select_application())
    vpcd.exchange(b"\x00\xff\x00\x00")
    assert card.apdus_answered == 2


def test_insert_waits_for_vpcd_to_listen(record: CardRecord) -> None:
    placeholder = socket.create_server(("127.0.0.1", 0))
    port = placeholder.getsockname()[1]
    placeholder.close()  # nothing listens on the port now
    card = VirtualCard(record, port=port)
    card.insert()
    try:
        assert card.inserted and not card.connected
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(5.0)
            connection, _ = server.accept()
            with connection:
                wait_until(lambda: card.connected, "the card to connect")
                connection.sendall(b"\x00\x01\x04")
                assert connection.recv(64)[2:] == ATR
    finally:
        card.stop()
    assert not card.inserted and not card.connected


def test_card_reconnects_when_vpcd_drops_it_while_still_inserted(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    vpcd.drop()          # pcscd stopped; the card is still in the slot
    vpcd.accept()        # pcscd is back
    assert vpcd.atr() == ATR
    assert card.inserted


def test_remove_closes_the_connection(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    card.remove()
    assert vpcd.connection_closed()
    assert not card.inserted and not card.connected


# --- the card profile ---------------------------------------------------------------------

def test_every_record_reads_back_as_encoded_and_decodes_to_the_record(vpcd: FakeVpcd, plug,
                                                                       record: CardRecord) -> None:
    plug()
    assert vpcd.exchange(select_application()) == b"\x90\x00"
    expected = record.encoded_files()
    decoded: dict[str, str] = {}
    for file_id, records in FILES.items():
        assert vpcd.exchange(select_file(file_id)) == b"\x90\x00"
        for tag, (field, _, _) in records.items():
            answer = vpcd.exchange(read_record(tag))
            assert answer[-2:] == b"\x90\x00"
            assert answer[:-2] == expected[file_id][tag]
            decoded[field] = decode_record(tag, answer[:-2])
    assert decoded["ssn"] == record.ssn
    assert decoded["name"] == record.name
    assert decoded["card_number"] == record.card_number
    assert decoded["card_id_code"] == record.card_id_code
    assert decoded["birth_date"] == record.birth_date.strftime("%Y%m%d")


@pytest.mark.parametrize(("apdu", "status_word"), [
    pytest.param(select_application()[:-1] + b"X", "6A82", id="select-unknown-application"),
    pytest.param(select_file(ISSUER_FILE_ID), "6985", id="select-file-before-application"),
    pytest.param(read_record(0x01), "6985", id="read-before-application"),
    pytest.param(verify_pin("123456"), "6985", id="verify-before-application"),
    pytest.param(b"\x80" + select_application()[1:], "6E00", id="wrong-class"),
    pytest.param(b"\x00\xca\x00\x00\x00", "6D00", id="unknown-instruction"),
    pytest.param(b"\x00\xa4\x04", "6700", id="header-too-short"),
    pytest.param(b"\x00\xa4\x04\x00\x10" + APPLICATION_NAME, "6700", id="lc-longer-than-data"),
    pytest.param(b"\x00\xa4\x01\x00\x02\xef\x05", "6A86", id="select-wrong-p1"),
])
def test_commands_out_of_order_or_malformed_get_iso_status_words(vpcd: FakeVpcd, plug, apdu: bytes,
                                                                  status_word: str) -> None:
    plug()
    assert vpcd.exchange(apdu).hex().upper() == status_word


@pytest.mark.parametrize(("apdu", "status_word"), [
    pytest.param(read_record(0x01), "6986", id="read-before-file"),
    pytest.param(select_file(b"\xef\x09"), "6A82", id="select-unknown-file"),
    pytest.param(b"\x00\xa4\x02\x00\x03\xef\x05\x00\x00", "6700", id="file-id-of-three-bytes"),
])
def test_file_level_errors_after_the_application_is_selected(vpcd: FakeVpcd, plug, apdu: bytes,
                                                             status_word: str) -> None:
    plug()
    assert vpcd.exchange(select_application()) == b"\x90\x00"
    assert vpcd.exchange(apdu).hex().upper() == status_word


def test_read_record_checks_record_number_p2_and_le(vpcd: FakeVpcd, plug, record: CardRecord) -> None:
    plug()
    select_issuer_file(vpcd)
    assert vpcd.exchange(read_record(0x08)).hex().upper() == "6A83"         # a holder tag in the issuer file
    assert vpcd.exchange(b"\x00\xb2\x01\x0c\x00").hex().upper() == "6A86"   # P2 other than 04
    assert vpcd.exchange(b"\x00\xb2\x01\x04").hex().upper() == "6700"       # no Le
    tlv = record.encoded_files()[ISSUER_FILE_ID][0x01]
    assert vpcd.exchange(b"\x00\xb2\x01\x04\x05").hex().upper() == f"6C{len(tlv):02X}"  # wrong Le: the exact one
    assert vpcd.exchange(b"\x00\xb2\x01\x04" + bytes((len(tlv),))) == tlv + b"\x90\x00"


def test_selecting_the_holder_file_switches_records(vpcd: FakeVpcd, plug, record: CardRecord) -> None:
    plug()
    select_issuer_file(vpcd)
    assert vpcd.exchange(select_file(HOLDER_FILE_ID)) == b"\x90\x00"
    assert vpcd.exchange(read_record(0x08))[:-2] == record.encoded_files()[HOLDER_FILE_ID][0x08]
    assert vpcd.exchange(read_record(0x01)).hex().upper() == "6A83"


# --- PIN ---------------------------------------------------------------------------------------

def test_wrong_pins_count_down_to_blocked_and_stay_blocked(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    vpcd.exchange(select_application())
    answers = [vpcd.exchange(verify_pin("000000")).hex().upper() for _ in range(3)]
    assert answers == ["63C2", "63C1", "6983"]
    assert vpcd.exchange(verify_pin("123456")).hex().upper() == "6983"   # even the right PIN now
    assert card.record.pin_tries_left == 0


def test_right_pin_resets_the_counter(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    vpcd.exchange(select_application())
    assert vpcd.exchange(verify_pin("654321")).hex().upper() == "63C2"
    assert card.record.pin_tries_left == PIN_MAX_TRIES - 1
    assert vpcd.exchange(verify_pin("123456")) == b"\x90\x00"
    assert card.record.pin_tries_left == PIN_MAX_TRIES


def test_verify_rejects_bad_lengths_and_non_bcd_digits(vpcd: FakeVpcd, plug) -> None:
    card = plug()
    vpcd.exchange(select_application())
    assert vpcd.exchange(b"\x00\x20\x00\x00\x02\x12\x34").hex().upper() == "6700"
    assert vpcd.exchange(b"\x00\x20\x00\x00\x03\x12\x3a\x56").hex().upper() == "6A80"
    assert vpcd.exchange(b"\x00\x20\x00\x01\x03\x12\x34\x56").hex().upper() == "6A86"
    assert card.record.pin_tries_left == PIN_MAX_TRIES  # malformed commands cost no try


def test_verify_without_data_reports_tries_left(vpcd: FakeVpcd, plug) -> None:
    plug()
    vpcd.exchange(select_application())
    vpcd.exchange(verify_pin("000000"))
    assert vpcd.exchange(b"\x00\x20\x00\x00").hex().upper() == "63C2"


def test_the_retry_counter_query_costs_no_try_and_says_blocked(vpcd: FakeVpcd, plug) -> None:
    """VERIFY without data, also in its T=0 form with P3 = 00 (docs/card-profile.md)."""
    card = plug()
    vpcd.exchange(select_application())
    for _ in range(5):
        assert vpcd.exchange(pin_status()).hex().upper() == "63C3"
        assert vpcd.exchange(b"\x00\x20\x00\x00\x00").hex().upper() == "63C3"
    assert card.record.pin_tries_left == PIN_MAX_TRIES
    assert vpcd.exchange(verify_pin("123456")).hex().upper() == "9000"
    assert vpcd.exchange(pin_status()).hex().upper() == "9000"      # verified in this selection
    card.set_faults(CardFault.BLOCKED_PIN)
    assert vpcd.exchange(pin_status()).hex().upper() == "6983"
    assert tries_left_from_status(b"", bytes.fromhex("6983")) == 0
    assert tries_left_from_status(b"", bytes.fromhex("63C2")) == 2
    for unknown in ("9000", "6D00", "6700", "6A86"):
        assert tries_left_from_status(b"", bytes.fromhex(unknown)) is None
    assert tries_left_from_status(b"\x01", bytes.fromhex("63C2")) is None


def test_a_demo_card_with_no_tries_left_is_blocked(vpcd: FakeVpcd, plug) -> None:
    plug(demo_card_records()["A00000094"])  # sun_li
    vpcd.exchange(select_application())
    assert vpcd.exchange(verify_pin("888888")).hex().upper() == "6983"


def test_the_callers_record_is_not_changed(vpcd: FakeVpcd, plug, record: CardRecord) -> None:
    card = plug()
    vpcd.exchange(select_application())
    vpcd.exchange(verify_pin("000000"))
    assert card.record.pin_tries_left == PIN_MAX_TRIES - 1
    assert record.pin_tries_left == PIN_MAX_TRIES


# --- faults ------------------------------------------------------------------------------------

def test_mute_card_answers_the_atr_but_no_apdu(vpcd: FakeVpcd, plug) -> None:
    card = plug(faults=[CardFault.MUTE])
    assert vpcd.atr() == ATR
    vpcd.send(select_application())
    assert vpcd.nothing_arrives_within(0.3)
    assert card.apdus_answered == 0
    card.remove()
    assert vpcd.connection_closed()


def test_garbage_card_answers_random_bytes(vpcd: FakeVpcd, plug) -> None:
    plug(faults=[CardFault.GARBAGE], garbage_seed=7)
    answers = [vpcd.exchange(select_application()) for _ in range(20)]
    assert all(1 <= len(answer) <= 40 for answer in answers)
    assert len(set(answers)) > 1
    assert b"\x90\x00" not in answers


def test_truncated_card_cuts_the_tlv_short(vpcd: FakeVpcd, plug) -> None:
    plug(faults=["truncated"])
    select_issuer_file(vpcd)
    answer = vpcd.exchange(read_record(0x07))
    assert answer[-2:] == b"\x90\x00"
    with pytest.raises(DeviceError) as raised:
        decode_record(0x07, answer[:-2])
    assert raised.value.code is CompletionCode.MEDIA_INVALID


def test_wrong_sw_card_fails_reads_but_selects(vpcd: FakeVpcd, plug) -> None:
    plug(faults=[CardFault.WRONG_SW])
    select_issuer_file(vpcd)
    assert vpcd.exchange(read_record(0x01)).hex().upper() == "6F00"


def test_slow_card_still_answers(vpcd: FakeVpcd, plug) -> None:
    plug(faults=[CardFault.SLOW], slow_delay_s=0.05)
    assert vpcd.exchange(select_application()) == b"\x90\x00"


def test_remove_mid_read_pulls_the_card_after_n_apdus(vpcd: FakeVpcd, plug) -> None:
    card = plug(faults=[CardFault.REMOVE_MID_READ], remove_after_apdus=2)
    select_issuer_file(vpcd)                     # SELECT application + SELECT file: 2 APDUs
    vpcd.send(read_record(0x01))
    assert vpcd.connection_closed()
    wait_until(lambda: not card.inserted, "the card to count itself removed")


def test_blocked_pin_fault_sets_the_counter_to_zero(vpcd: FakeVpcd, plug) -> None:
    card = plug(faults=[CardFault.BLOCKED_PIN])
    vpcd.exchange(select_application())
    assert vpcd.exchange(verify_pin("123456")).hex().upper() == "6983"
    assert card.record.pin_tries_left == 0


def test_faults_can_be_cleared(vpcd: FakeVpcd, plug) -> None:
    card = plug(faults=[CardFault.WRONG_SW])
    card.set_faults()
    select_issuer_file(vpcd)
    assert vpcd.exchange(read_record(0x01))[-2:] == b"\x90\x00"


def test_unknown_fault_name_is_refused(record: CardRecord) -> None:
    with pytest.raises(ValueError):
        VirtualCard(record, faults=["on_fire"])


# --- the CLI entry and privacy --------------------------------------------------------------

def test_run_virtual_card_serves_until_stopped(vpcd: FakeVpcd, record: CardRecord) -> None:
    import threading

    stop = threading.Event()
    outcome: list[VirtualCard] = []
    runner = threading.Thread(target=lambda: outcome.append(run_virtual_card(record, port=vpcd.port,
                                                                               stop_event=stop)))
    runner.start()
    vpcd.accept()
    vpcd.exchange(select_application())
    vpcd.exchange(verify_pin("000000"))
    stop.set()
    runner.join(5.0)
    assert not runner.is_alive()
    assert outcome[0].record.pin_tries_left == PIN_MAX_TRIES - 1
    assert vpcd.connection_closed()


def test_vpcd_slots_map_to_ports_and_reader_names() -> None:
    assert vpcd_port(0) == 35963 and vpcd_port(1) == 35964
    assert vpcd_reader_name(0) == "Virtual PCD 00 00" and vpcd_reader_name(1) == "Virtual PCD 00 01"


def test_logs_never_show_pin_or_ssn(vpcd: FakeVpcd, plug, record: CardRecord,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    card = plug(faults=[CardFault.SLOW], slow_delay_s=0.0)
    vpcd.exchange(select_application())
    vpcd.exchange(select_file(HOLDER_FILE_ID))
    vpcd.exchange(read_record(0x08))
    vpcd.exchange(verify_pin(record.pin))
    call_with_deadline(card.remove, "removing the card")
    text = "\n".join(entry.getMessage() for entry in caplog.records)
    assert caplog.records, "the card logs insertion and removal"
    assert record.ssn not in text
    assert record.pin not in text
    assert record.card_number not in text
