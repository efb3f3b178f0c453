"""The card simulator and card data validation: same profile, same rules as the PC/SC path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest

from devices.card.data import CardData
from devices.card.profile import FILES, CardRecord, decode_record
from devices.model import CompletionCode, DeviceState, MediaState, StatusChanged
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from kiosk_demo.cards import demo_card_record, demo_card_records


@pytest.fixture
def reader():
    device = SimulatedCardReader()
    device.open()
    yield device
    device.close()


def test_every_demo_card_reads_back_as_its_record(reader) -> None:
    for card_number, record in demo_card_records().items():
        reader.insert_card(record)
        result = reader.read_card()
        assert result.ok, (card_number, result.detail)
        card = result.value
        assert (card.ssn, card.name, card.card_number, card.card_id_code, card.birth_date) == (
            record.ssn, record.name, record.card_number, record.card_id_code, record.birth_date)
        assert card.sex == ("M" if record.sex == "1" else "F")
        reader.remove_card()
    assert reader.statistics.snapshot()["cards_read"] == len(demo_card_records())


def test_pin_right_wrong_and_blocked(reader) -> None:
    reader.insert_card(demo_card_record("A00000019"))
    assert reader.verify_pin("123456").value.verified
    first = reader.verify_pin("000000")
    assert first.code is CompletionCode.PIN_INCORRECT and first.value.tries_left == 2
    assert reader.verify_pin("000001").value.tries_left == 1
    blocked = reader.verify_pin("000002")
    assert blocked.code is CompletionCode.PIN_BLOCKED and blocked.value.blocked
    # Once blocked, even the right PIN is refused: only a counter can unblock a card.
    assert reader.verify_pin("123456").code is CompletionCode.PIN_BLOCKED


def test_the_demo_blocked_card_is_blocked(reader) -> None:
    reader.insert_card(demo_card_record("A00000094"))
    assert reader.verify_pin("888888").code is CompletionCode.PIN_BLOCKED


def test_pin_shape_is_checked_before_the_card_sees_it(reader) -> None:
    reader.insert_card(demo_card_record("A00000019"))
    for bad in ("12345", "1234567", "12345a", "１２３４５６", ""):
        assert reader.verify_pin(bad).code is CompletionCode.INVALID_INPUT
    assert reader.inserted_card.pin_tries_left == 3


def test_no_card_and_removal(reader) -> None:
    events = []
    reader.subscribe(events.append)
    assert reader.read_card().code is CompletionCode.NO_MEDIA
    reader.insert_card(demo_card_record("A00000027"))
    reader.remove_card()
    media = [event.new.media for event in events if isinstance(event, StatusChanged)]
    assert media == [MediaState.NOT_PRESENT, MediaState.PRESENT, MediaState.NOT_PRESENT]


def test_faults_give_typed_results_and_a_clean_state(reader) -> None:
    reader.insert_card(demo_card_record("A00000019"))
    reader.inject_fault(SimulatedFault.UNREADABLE_CARD)
    assert reader.read_card().code is CompletionCode.MEDIA_INVALID
    reader.clear_fault()
    assert reader.read_card().ok
    reader.inject_fault(SimulatedFault.UNPLUG)
    assert reader.status.state is DeviceState.NO_DEVICE
    assert reader.read_card().code is CompletionCode.NO_DEVICE
    reader.clear_fault(SimulatedFault.UNPLUG)
    assert reader.recover() and reader.read_card().ok


def test_a_slow_card_is_cancellable() -> None:
    from devices.model import CancelToken

    reader = SimulatedCardReader()
    reader.faults.slow_delay_s = 30
    reader.open()
    reader.insert_card(demo_card_record("A00000019"))
    reader.inject_fault(SimulatedFault.SLOW)
    cancel = CancelToken()
    import threading

    threading.Timer(0.1, cancel.cancel).start()
    assert reader.read_card(cancel).code is CompletionCode.CANCELLED


@pytest.mark.parametrize("change, field", [
    ({"ssn": "320102198003151235"}, "ssn"),                 # wrong check digit
    ({"card_number": "A0000001"}, "card_number"),
    ({"birth_date": dt.date(1981, 3, 15)}, "birth_date"),   # disagrees with the ssn
    ({"expiry_date": dt.date(2020, 1, 1)}, "expiry_date"),  # before issue
    ({"name": "张\x07伟"}, "name"),
])
def test_invalid_card_fields_are_named_never_shown(reader, change, field, caplog) -> None:
    record = dataclasses.replace(demo_card_record("A00000019"), **change)
    reader.insert_card(record)
    with caplog.at_level(logging.DEBUG):
        result = reader.read_card()
    assert result.code is CompletionCode.MEDIA_INVALID
    assert field in result.detail
    assert record.ssn not in result.detail and record.ssn not in caplog.text


def test_tlv_decoding_rejects_wrong_tags_lengths_and_encodings() -> None:
    good = demo_card_record("A00000019").encoded_files()
    holder = next(file for file in FILES if 0x09 in FILES[file])
    name = good[holder][0x09]
    assert decode_record(0x09, name) == "张伟"
    from devices.model import DeviceError

    for broken in (b"\x08" + name[1:], name[:-3], name[:2], b"\x09\x02\xff\xff"):
        with pytest.raises(DeviceError) as raised:
            decode_record(0x09, broken)
        assert raised.value.code is CompletionCode.MEDIA_INVALID


def test_card_data_repr_and_masked_hide_identifiers() -> None:
    record = demo_card_record("A00000019")
    reader = SimulatedCardReader()
    reader.open()
    reader.insert_card(record)
    card: CardData = reader.read_card().value
    shown = repr(card) + str(card.masked())
    assert record.ssn not in shown and record.card_number not in shown and "伟" not in shown
    assert card.masked()["ssn"] == record.ssn[:4] + "*" * 10 + record.ssn[-4:]
    assert record.card_id_code not in shown and record.card_id_code[16:28] not in shown
    assert card.masked()["card_id_code"] == "320100D156000005************0001"


def test_card_record_encoding_is_the_documented_layout() -> None:
    record = CardRecord(ssn="11010519491231002X", name="李秀英", sex="2", birth_date=dt.date(1949, 12, 31),
                        card_number="B12345678", card_id_code="110100D156000005ABCDEF0123456789", pin="000000")
    files = record.encoded_files()
    flat = {tag: data for records in files.values() for tag, data in records.items()}
    assert flat[0x08] == b"\x08\x12" + b"11010519491231002X"
    assert flat[0x0D] == bytes.fromhex("0D0419491231")
    assert flat[0x01] == b"\x01\x10" + bytes.fromhex("110100D156000005ABCDEF0123456789")
    assert flat[0x09][:8] == b"\x09\x1e" + "李秀英".encode("gbk")


def test_mask_card_id_code_keeps_region_fixed_part_and_last_four() -> None:
    from kiosk.contract.identifiers import mask_card_id_code

    assert mask_card_id_code("110100D156000005ABCDEF0123456789") == "110100D156000005************6789"
    for not_a_code in ("", "110100D156000005ABCDEF012345678", "110100D156000005ABCDEF01234567890", "x" * 32):
        assert mask_card_id_code(not_a_code) == "*" * len(not_a_code)


def test_simulator_reports_pin_tries_left_before_pin_entry(reader) -> None:
    reader.insert_card(demo_card_record("A00000019"))
    card = reader.read_card().value
    assert card.pin_tries_left == 3 and not card.pin_blocked
    assert reader.verify_pin("000000").code is CompletionCode.PIN_INCORRECT
    assert reader.read_card().value.pin_tries_left == 2
    reader.insert_card(demo_card_record("A00000094"))   # 孙丽: blocked
    blocked = reader.read_card()
    assert blocked.ok and blocked.value.pin_tries_left == 0 and blocked.value.pin_blocked
    assert blocked.value.masked()["pin_tries_left"] == "0"


def test_a_gb18030_name_outside_gbk_is_encoded_and_decoded_on_the_card() -> None:
    """王䶮: 䶮 (U+4DAE) is FE9F in GB 18030 and has no GBK code."""
    record = demo_card_record("A00000102")
    assert record.name == "王䶮"
    holder = record.encoded_files()[bytes.fromhex("EF06")]
    assert holder[0x09] == b"\x09\x1e" + bytes.fromhex("CDF5FE9F") + b"\x00" * 26
    assert decode_record(0x09, holder[0x09]) == "王䶮"
    four_byte = dataclasses.replace(record, name="㐀\U00020BB7\u9fb4")  # 8139EE39, 9632..., FE59 (2022)
    name_tlv = four_byte.encoded_files()[bytes.fromhex("EF06")][0x09]
    assert name_tlv[2:12] == bytes.fromhex("8139EE39") + "\U00020BB7".encode("gb18030") + bytes.fromhex("FE59")
    assert decode_record(0x09, name_tlv) == "㐀\U00020BB7\u9fb4"
    # FE59 as GB 18030-2005 decoders read it would be the private-use U+E81E, which CardData refuses.
    assert decode_record(0x09, b"\x09\x02\xfe\x59") == "\u9fb4"


def test_simulator_reads_a_rare_character_name(reader) -> None:
    reader.insert_card(demo_card_record("A00000102"))
    result = reader.read_card()
    assert result.ok, result.detail
    assert result.value.name == "王䶮" and result.value.masked()["name"] == "王*"
