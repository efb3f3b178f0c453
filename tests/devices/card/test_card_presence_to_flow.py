"""What the flow hears of a real card: pcscd + vpcd + the PC/SC reader + the kiosk's DeviceWatch.

A citizen inserts a card and takes it out again: the flow gets exactly one
`CardPresence(True)` and one `CardPresence(False)`, in that order.
"""

from __future__ import annotations

from devices.card.pcsc_reader import PcscCardReader
from devices.manager import DeviceManager
from devices.model import DeviceClass
from kiosk import flow
from kiosk.device_watch import DeviceWatch

from tests.devices.card.conftest import remove_card

ZHANG_WEI = "A00000019"


def test_a_card_in_and_out_is_one_card_presence_each(reader: PcscCardReader, insert_card) -> None:
    posted: list = []
    manager = DeviceManager({DeviceClass.CARD_READER: reader}, recovery_interval_s=60)
    with manager:
        watch = DeviceWatch(manager, posted.append)
        watch.start()
        assert posted == [flow.DevicesChanged(card_reader=True, qr_scanner=False, receipt_printer=False,
                                              document_printer=False)]
        card = insert_card(ZHANG_WEI, reader=reader)
        remove_card(card, reader)
        watch.close()
    assert [event for event in posted if isinstance(event, flow.CardPresence)] == [
        flow.CardPresence(True), flow.CardPresence(False)]
    assert [event for event in posted if isinstance(event, flow.DevicesChanged)] == posted[:1]


def test_a_watch_started_with_a_card_in_tells_the_flow_at_once(reader: PcscCardReader, insert_card) -> None:
    card = insert_card(ZHANG_WEI, reader=reader)
    posted: list = []
    manager = DeviceManager({DeviceClass.CARD_READER: reader}, recovery_interval_s=60)
    with manager:
        watch = DeviceWatch(manager, posted.append)
        watch.start()
        assert flow.CardPresence(True) in posted
        remove_card(card, reader)
        watch.close()
    assert [event for event in posted if isinstance(event, flow.CardPresence)] == [
        flow.CardPresence(True), flow.CardPresence(False)]
