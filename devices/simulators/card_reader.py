"""A card reader simulator: the same interface and the same card profile as the PC/SC driver.

The inserted card is a `CardRecord`; a read goes through the profile's TLV encoding and
decoding and `CardData` validation, so the simulator rejects a bad card exactly as the
real reader would.
"""

from __future__ import annotations

import copy
import os
import threading

from devices.card.data import CardData, PinResult
from devices.card.profile import FILES, CardRecord, PIN_MAX_TRIES, card_data_from_fields, decode_record
from devices.interfaces import CardReader, CardReaderCapabilities
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, MediaState
from devices.simulators.faults import FaultSwitchboard, SimulatedFault


class SimulatedCardReader(CardReader):
    def __init__(self, name: str = "card-reader-sim", *, contactless: bool = False,
                 faults: FaultSwitchboard | None = None) -> None:
        super().__init__(name)
        self.faults = faults or FaultSwitchboard()
        self._contactless = contactless
        self._card: CardRecord | None = None
        self._card_lock = threading.RLock()

    @property
    def capabilities(self) -> CardReaderCapabilities:
        return CardReaderCapabilities(contact=not self._contactless, contactless=self._contactless,
                                      reader_name="Simulated reader")

    def open(self) -> None:
        if self.faults.active(SimulatedFault.UNPLUG):
            self._update_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, detail="simulated unplug")
            return
        with self._card_lock:
            present = self._card is not None
        self._update_status(state=DeviceState.ONLINE, detail="",
                            media=MediaState.PRESENT if present else MediaState.NOT_PRESENT)

    def close(self) -> None:
        pass

    # --- what the demo control window and tests do -------------------------------------

    def insert_card(self, record: CardRecord) -> None:
        with self._card_lock:
            self._card = copy.deepcopy(record)
        if self.status.state.usable:
            self.statistics.increment("cards_inserted")
            self._update_status(media=MediaState.PRESENT)

    def remove_card(self) -> None:
        with self._card_lock:
            self._card = None
        if self.status.state.usable:
            self._update_status(media=MediaState.NOT_PRESENT)

    @property
    def inserted_card(self) -> CardRecord | None:
        with self._card_lock:
            return self._card

    def inject_fault(self, fault: SimulatedFault) -> None:
        self.faults.inject(fault)
        if fault is SimulatedFault.UNPLUG:
            self._update_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, detail="simulated unplug")
        elif fault is SimulatedFault.JAM:
            self._update_status(media=MediaState.JAMMED)

    def clear_fault(self, fault: SimulatedFault | None = None) -> None:
        """Clearing UNPLUG is a replug: the manager's recovery brings the device back, as with hardware."""
        jammed = fault in (None, SimulatedFault.JAM) and self.faults.active(SimulatedFault.JAM)
        self.faults.clear(fault)
        if jammed and self.status.state.usable:
            self._update_status(media=MediaState.PRESENT if self.inserted_card else MediaState.NOT_PRESENT)

    # --- operations ---------------------------------------------------------------------

    def _card_or_fail(self) -> CardRecord:
        if self.faults.active(SimulatedFault.JAM):
            raise DeviceError(CompletionCode.HARDWARE_ERROR, "card jammed in the reader")
        card = self.inserted_card
        if card is None:
            raise DeviceError(CompletionCode.MEDIA_REMOVED, "card removed")
        return card

    def _do_read_card(self, cancel: CancelToken) -> CardData:
        self.faults.delay(cancel)
        card = self._card_or_fail()
        if self.faults.active(SimulatedFault.UNREADABLE_CARD):
            raise DeviceError(CompletionCode.MEDIA_INVALID, "card answered garbage: " + os.urandom(2).hex())
        fields: dict[str, str] = {}
        for file_id, records in card.encoded_files().items():
            for tag, tlv in records.items():
                fields[FILES[file_id][tag][0]] = decode_record(tag, tlv)
        # What the PC/SC reader asks the card before PIN entry (docs/card-profile.md, VERIFY without data).
        return card_data_from_fields(fields).with_pin_tries_left(max(0, card.pin_tries_left))

    def _do_verify_pin(self, pin: str, cancel: CancelToken) -> PinResult:
        self.faults.delay(cancel)
        with self._card_lock:
            card = self._card_or_fail()
            if card.pin_tries_left <= 0:
                raise DeviceError(CompletionCode.PIN_BLOCKED, "PIN blocked", value=PinResult(False, 0))
            if pin == card.pin:
                card.pin_tries_left = PIN_MAX_TRIES
                return PinResult(True, None)
            card.pin_tries_left -= 1
            left = card.pin_tries_left
        if left == 0:
            raise DeviceError(CompletionCode.PIN_BLOCKED, "PIN blocked", value=PinResult(False, 0))
        raise DeviceError(CompletionCode.PIN_INCORRECT, f"{left} tries left", value=PinResult(False, left))
