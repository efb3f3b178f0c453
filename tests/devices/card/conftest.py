"""Card fixtures: a private pcscd for the session, readers on vpcd slot 0, virtual cards that go away.

Real parts throughout: pcscd with the vsmartcard vpcd driver, pyscard, and our virtual
card on the vpcd socket. Where pcscd, the vpcd driver or pyscard is missing the tests
that need them are skipped with the reason (installed here: they run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from devices.card.pcsc_reader import PcscCardReader
from devices.card.pcscd_runner import PcscdRunner
from devices.card.profile import CardRecord
from devices.card.virtual_card import VirtualCard, vpcd_port, vpcd_reader_name
from devices.model import MediaState
from kiosk_demo.cards import demo_card_records

T = TypeVar("T")

SLOT = 0
READER_NAME = vpcd_reader_name(SLOT)
# Generous bounds that only stop a broken build from hanging the suite; nothing is timed.
WAIT_S = 10.0
READER_TIMEOUT_S = 1.0   # the reader's transmit timeout in these tests: MUTE/SLOW cases end quickly


def wait_until(predicate: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


def call_with_deadline(function: Callable[[], T], what: str, timeout_s: float = WAIT_S) -> T:
    """Run `function` on a helper thread; a call that never returns fails the test instead of hanging it."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # re-raised in the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name=f"deadline-{what}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise AssertionError(f"{what} hung for more than {timeout_s:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def slot_is_empty(reader_name: str = READER_NAME) -> bool:
    """pcscd's own view of the slot, through a context of our own (not the reader under test)."""
    from smartcard import scard

    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if code != scard.SCARD_S_SUCCESS:
        return True  # no pcscd: nothing can be in it
    try:
        code, states = scard.SCardGetStatusChange(context, 0, [(reader_name, scard.SCARD_STATE_UNAWARE)])
        return code != scard.SCARD_S_SUCCESS or not states[0][1] & scard.SCARD_STATE_PRESENT
    finally:
        scard.SCardReleaseContext(context)


@pytest.fixture
def reader(pcscd: PcscdRunner) -> Iterator[PcscCardReader]:
    """An opened reader on vpcd slot 0 with a short transmit timeout; closed after the test."""
    device = PcscCardReader("card-reader-test", reader_pattern=f"^{READER_NAME}$", transmit_timeout_s=READER_TIMEOUT_S)
    device.open()
    yield device
    device.close()


@pytest.fixture
def insert_card(pcscd: PcscdRunner) -> Iterator[Callable[..., VirtualCard]]:
    """`insert_card("A00000019", reader=reader, faults=...)`: a virtual demo card in slot 0 (or `record=`).

    With `reader`, returns once that reader sees the card. Every card is removed after the
    test, and the next test starts only when pcscd has seen the slot empty.
    """
    cards: list[VirtualCard] = []

    def insert(card_number: str, *, reader: PcscCardReader | None = None, port: int = vpcd_port(SLOT),
               record: CardRecord | None = None, **card_options: Any) -> VirtualCard:
        card = VirtualCard(record or demo_card_records()[card_number], port=port, **card_options)
        cards.append(card)
        card.insert()
        if reader is not None:
            wait_until(lambda: card.connected, "the virtual card to connect to vpcd")
            wait_until(lambda: reader.status.media is MediaState.PRESENT, "the reader to see the card")
        return card

    yield insert
    for card in cards:
        card.stop()
    if pcscd.running:
        for slot in sorted({card.port - vpcd_port(0) for card in cards}):
            wait_until(lambda: slot_is_empty(vpcd_reader_name(slot)), f"pcscd to see slot {slot} empty")


def remove_card(card: VirtualCard, reader: PcscCardReader) -> None:
    card.remove()
    wait_until(lambda: reader.status.media is MediaState.NOT_PRESENT, "the reader to see the card go")
