"""A virtual social security card that plugs into `vsmartcard-vpcd` (docs/card-profile.md).

pcscd's vpcd driver listens on 127.0.0.1:35963 for slot 0 ("Virtual PCD 00 00") and
on 35964 for slot 1 ("Virtual PCD 00 01"): the driver opens port CHANNELID + slot,
and /etc/reader.conf.d/vpcd sets CHANNELID 0x8C7B = 35963. A card is "inserted" while
it is connected. Every message is a 2-byte big-endian length and a payload; a 1-byte
payload is a control (0 power off, 1 power on, 2 reset, 4 get ATR, the only one
answered), anything longer is an APDU, answered with data + SW1 SW2. pcscd polls
presence by asking for the ATR (about every 0.4 s).

The card answers the profile of `devices.card.profile` (docs/card-profile.md) from a
`CardRecord`: SELECT by DF name, SELECT EF05/EF06, READ RECORD (record number = tag,
P2 = 04), VERIFY with 3 BCD bytes and a retry counter. The protocol logic lives in
`CardApplet` (no sockets, unit-testable); `VirtualCard` is the vpcd transport plus
fault injection.

API::

    card = VirtualCard(record, port=VPCD_PORT, faults=(CardFault.SLOW,), slow_delay_s=0.5)
    card.insert()            # connects in a background thread, retrying until vpcd listens
    card.port                # the vpcd port (slot n: VPCD_PORT + n)
    card.inserted            # True from insert() until remove() (or a REMOVE_MID_READ fault)
    card.connected           # True while the vpcd socket is up
    card.apdus_answered      # APDUs answered since construction (controls not counted)
    card.record              # the live record: PIN tries left after VERIFYs
    card.set_faults(CardFault.MUTE)
    card.remove()            # disconnect = card pulled out
    card.stop()              # the same as remove(): no thread keeps running
    card.wait_connected(5.0) # True once vpcd accepted the connection

    run_virtual_card(record, faults=(), port=VPCD_PORT, stop_event=None)  # blocks (CLI)

Faults (`CardFault`, combinable, switchable while inserted): MUTE, GARBAGE, TRUNCATED,
WRONG_SW, SLOW (`slow_delay_s` before each APDU answer), REMOVE_MID_READ (pulled out on
the APDU after `remove_after_apdus` APDUs counted from the last SELECT application),
BLOCKED_PIN (sets the record's tries to 0). Controls (ATR, power) are never faulted: a
real card that answers nothing at all is not even detected.

The card stays "inserted" across a pcscd restart: when vpcd drops the connection
without the card having been removed, it reconnects as soon as vpcd listens again.

Logs name the card by its masked card number; the PIN, the ssn and APDU data never
appear in them.
"""

from __future__ import annotations

import copy
import logging
import random
import socket
import struct
import threading
from enum import StrEnum
from typing import Iterable

from devices.card.profile import (APPLICATION_NAME, PIN_MAX_TRIES, SW_CLA_NOT_SUPPORTED,
                                  SW_CONDITIONS_NOT_SATISFIED, SW_FILE_NOT_FOUND, SW_INS_NOT_SUPPORTED, SW_OK,
                                  SW_PIN_BLOCKED, SW_RECORD_NOT_FOUND, SW_WRONG_LENGTH, SW_WRONG_P1P2, CardRecord,
                                  sw_pin_incorrect)
from kiosk.contract.identifiers import mask_card_number

log = logging.getLogger("devices.card.virtual")

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # slot 0; slot n listens on VPCD_PORT + n

CONTROL_POWER_OFF = 0
CONTROL_POWER_ON = 1
CONTROL_RESET = 2
CONTROL_GET_ATR = 4

# ISO 7816-4 words the profile module does not need to name.
SW_NO_CURRENT_EF = b"\x69\x86"        # READ RECORD before a file was selected
SW_WRONG_DATA = b"\x6a\x80"           # VERIFY data that is not BCD digits
SW_UNKNOWN_ERROR = b"\x6f\x00"        # the WRONG_SW fault


def wrong_le(exact: int) -> bytes:
    return bytes((0x6C, exact & 0xFF))


def build_atr(historical: bytes = b"SICARD-VIRT3") -> bytes:
    """TS=3B direct convention, T0 announces TD1 and the historical bytes, TD1 offers T=1 only.

    TCK (XOR of T0..last byte) is required because a protocol other than T=0 is offered.
    """
    if len(historical) > 15:
        raise ValueError("at most 15 historical bytes")
    body = bytes((0x80 | len(historical), 0x01)) + historical
    check = 0
    for byte in body:
        check ^= byte
    return b"\x3b" + body + bytes((check,))


ATR = build_atr()


def vpcd_port(slot: int) -> int:
    return VPCD_PORT + slot


def vpcd_reader_name(slot: int) -> str:
    return f"Virtual PCD 00 {slot:02d}"


class CardFault(StrEnum):
    MUTE = "mute"                        # never answers an APDU (ATR and presence polls still work)
    GARBAGE = "garbage"                  # random bytes (1..40) instead of every answer
    TRUNCATED = "truncated"              # READ RECORD answers a TLV whose value is cut short
    WRONG_SW = "wrong_sw"                # READ RECORD answers 6F00
    SLOW = "slow"                        # waits `slow_delay_s` before answering each APDU
    REMOVE_MID_READ = "remove_mid_read"  # after `remove_after_apdus` APDUs from SELECT application: pulled out
    BLOCKED_PIN = "blocked_pin"          # the PIN retry counter drops to 0 (VERIFY answers 6983)


class CardApplet:
    """The card's operating system for our profile: state machine from APDU to answer.

    State: whether the application is selected, the current file, whether the PIN was
    verified. A power cycle or reset clears it, as on a real card.
    """

    def __init__(self, record: CardRecord) -> None:
        self.record = record
        self._files = record.encoded_files()
        self.application_selected = False
        self.current_file: bytes | None = None
        self.pin_verified = False

    def reset(self) -> None:
        self.application_selected = False
        self.current_file = None
        self.pin_verified = False

    def process(self, apdu: bytes) -> bytes:
        """One command APDU -> response data + SW1 SW2."""
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        if cla != 0x00:
            return SW_CLA_NOT_SUPPORTED
        body = apdu[4:]
        if ins == 0xA4:
            return self._select(p1, p2, body)
        if ins == 0xB2:
            return self._read_record(p1, p2, body)
        if ins == 0x20:
            return self._verify(p1, p2, body)
        return SW_INS_NOT_SUPPORTED

    @staticmethod
    def _command_data(body: bytes) -> bytes | None:
        """Lc + data with an optional Le byte; None when the lengths do not add up."""
        if not body:
            return None
        lc = body[0]
        if lc == 0 or len(body) not in (1 + lc, 2 + lc):
            return None
        return body[1:1 + lc]

    def _select(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 not in (0x02, 0x04) or p2 not in (0x00, 0x0C):
            return SW_WRONG_P1P2
        data = self._command_data(body)
        if data is None:
            return SW_WRONG_LENGTH
        if p1 == 0x04:
            if data != APPLICATION_NAME:
                return SW_FILE_NOT_FOUND
            self.application_selected = True
            self.current_file = None
            self.pin_verified = False
            return SW_OK
        if not self.application_selected:
            return SW_CONDITIONS_NOT_SATISFIED
        if len(data) != 2:
            return SW_WRONG_LENGTH
        if data not in self._files:
            return SW_FILE_NOT_FOUND
        self.current_file = data
        return SW_OK

    def _read_record(self, p1: int, p2: int, body: bytes) -> bytes:
        if len(body) != 1:  # case 2: Le only
            return SW_WRONG_LENGTH
        if p2 != 0x04 or p1 == 0:
            return SW_WRONG_P1P2
        if not self.application_selected:
            return SW_CONDITIONS_NOT_SATISFIED
        if self.current_file is None:
            return SW_NO_CURRENT_EF
        tlv = self._files[self.current_file].get(p1)
        if tlv is None:
            return SW_RECORD_NOT_FOUND
        expected = body[0] or 256
        if expected != len(tlv) and body[0] != 0:
            return wrong_le(len(tlv))
        return tlv + SW_OK

    def _verify(self, p1: int, p2: int, body: bytes) -> bytes:
        if p1 != 0x00 or p2 != 0x00:
            return SW_WRONG_P1P2
        if not self.application_selected:
            return SW_CONDITIONS_NOT_SATISFIED
        if body in (b"", b"\x00"):  # case 1 (over T=0 with P3 = 00): ask for the retry counter, costs no try
            if self.record.pin_tries_left <= 0:
                return SW_PIN_BLOCKED
            return SW_OK if self.pin_verified else sw_pin_incorrect(self.record.pin_tries_left)
        data = self._command_data(body)
        if data is None or len(data) != 3:
            return SW_WRONG_LENGTH
        if not data.hex().isdigit():
            return SW_WRONG_DATA
        if self.record.pin_tries_left <= 0:
            return SW_PIN_BLOCKED
        if data == bytes.fromhex(self.record.pin):
            self.record.pin_tries_left = PIN_MAX_TRIES
            self.pin_verified = True
            return SW_OK
        self.pin_verified = False
        self.record.pin_tries_left -= 1
        # The try that exhausts the counter already answers "blocked" (what the kiosk must tell).
        if self.record.pin_tries_left <= 0:
            return SW_PIN_BLOCKED
        return sw_pin_incorrect(self.record.pin_tries_left)


class _CardPulled(Exception):
    """The card leaves the reader in the middle of an exchange (REMOVE_MID_READ)."""


class VirtualCard:
    """One virtual card in one vpcd slot; see the module docstring for the API."""

    def __init__(self, record: CardRecord, *, host: str = VPCD_HOST, port: int = VPCD_PORT,
                 faults: Iterable[CardFault | str] = (), slow_delay_s: float = 0.5, remove_after_apdus: int = 3,
                 atr: bytes = ATR, connect_retry_s: float = 0.05, garbage_seed: int | None = None) -> None:
        self._lock = threading.RLock()
        self._record = copy.deepcopy(record)
        self._applet = CardApplet(self._record)
        self._host = host
        self._port = port
        self._faults: frozenset[CardFault] = frozenset()
        self.slow_delay_s = slow_delay_s
        self.remove_after_apdus = remove_after_apdus
        self.atr = atr
        self._connect_retry_s = connect_retry_s
        self._garbage = random.Random(garbage_seed)
        self._apdus_answered = 0
        self._apdus_since_select = 0
        self._inserted = threading.Event()
        self._connected = threading.Event()
        self._wake = threading.Event()    # interrupts retries and SLOW waits on remove()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._label = f"virtual card {mask_card_number(record.card_number)} on port {port}"
        self.set_faults(*faults)

    # --- what tests and the CLI use -----------------------------------------------------

    @property
    def record(self) -> CardRecord:
        return self._record

    @property
    def port(self) -> int:
        """The vpcd port: slot n of the vpcd driver listens on VPCD_PORT + n."""
        return self._port

    @property
    def inserted(self) -> bool:
        return self._inserted.is_set()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def apdus_answered(self) -> int:
        with self._lock:
            return self._apdus_answered

    @property
    def faults(self) -> frozenset[CardFault]:
        with self._lock:
            return self._faults

    def set_faults(self, *faults: CardFault | str) -> None:
        """Replace the active faults (none: a good card again)."""
        chosen = frozenset(CardFault(fault) for fault in faults)
        with self._lock:
            self._faults = chosen
            if CardFault.BLOCKED_PIN in chosen:
                self._record.pin_tries_left = 0
        if chosen:
            log.info("%s: faults %s", self._label, ", ".join(sorted(chosen)))

    def insert(self) -> None:
        """Put the card in: connect to vpcd in the background, retrying until it listens."""
        with self._lock:
            if self._inserted.is_set():
                return
            previous = self._thread
        if previous is not None:
            previous.join()
        self._wake.clear()
        self._inserted.set()
        thread = threading.Thread(target=self._run, name=f"virtual-card-{self._port}", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()

    def remove(self, timeout_s: float = 5.0) -> None:
        """Pull the card out: close the connection (vpcd sees an empty slot at its next poll)."""
        self._inserted.clear()
        self._wake.set()
        self._close_socket()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    def stop(self) -> None:
        self.remove()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    def __enter__(self) -> "VirtualCard":
        self.insert()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- the connection thread ----------------------------------------------------------

    def _run(self) -> None:
        while self._inserted.is_set():
            sock = self._connect()
            if sock is None:
                return
            log.info("%s: inserted", self._label)
            try:
                self._serve(sock)
            except _CardPulled:
                log.info("%s: pulled out mid-exchange (fault)", self._label)
                self._inserted.clear()
            except OSError:
                pass  # vpcd went away (pcscd stopped) or remove() closed the socket
            finally:
                self._connected.clear()
                self._close_socket()
            if self._inserted.is_set():
                log.info("%s: vpcd closed the connection; reconnecting", self._label)
                self._wake.wait(self._connect_retry_s)
        log.info("%s: removed", self._label)

    def _connect(self) -> socket.socket | None:
        while self._inserted.is_set():
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                sock.connect((self._host, self._port))
            except OSError:
                sock.close()
                self._wake.wait(self._connect_retry_s)
                continue
            with self._lock:
                if not self._inserted.is_set():  # removed while connecting
                    sock.close()
                    return None
                self._socket = sock
                self._applet.reset()
            self._connected.set()
            return sock
        return None

    def _close_socket(self) -> None:
        with self._lock:
            sock, self._socket = self._socket, None
        if sock is not None:
            # An abortive close (RST, no FIN): no TIME_WAIT left on our local port, which the kernel
            # picked from the ephemeral range that holds vpcd's own ports; vpcd sees the reset as
            # removal. SHUT_RD wakes our thread's recv without sending anything.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass
            sock.close()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            message = _receive_message(sock)
            if message is None:
                return
            if not message:
                continue  # vpcd never sends an empty message; nothing to answer
            if len(message) == 1:
                answer = self._control(message[0])
            else:
                answer = self._answer_apdu(message)
            if answer is not None:
                sock.sendall(struct.pack(">H", len(answer)) + answer)

    def _control(self, code: int) -> bytes | None:
        if code == CONTROL_GET_ATR:
            return self.atr
        if code in (CONTROL_POWER_OFF, CONTROL_POWER_ON, CONTROL_RESET):
            with self._lock:
                self._applet.reset()
        return None

    def _answer_apdu(self, apdu: bytes) -> bytes | None:
        with self._lock:
            faults = self._faults
            if apdu[:2] == b"\x00\xa4" and len(apdu) > 2 and apdu[2] == 0x04:
                self._apdus_since_select = 0
            self._apdus_since_select += 1
            pulled = (CardFault.REMOVE_MID_READ in faults
                      and self._apdus_since_select > self.remove_after_apdus)
        if pulled:
            raise _CardPulled()
        if CardFault.MUTE in faults:
            return None  # vpcd waits for ever; only remove() (closing the socket) ends it
        if CardFault.SLOW in faults and self._wake.wait(self.slow_delay_s):
            return None  # removed while slow
        with self._lock:
            if CardFault.GARBAGE in faults:
                answer = bytes(self._garbage.randrange(256) for _ in range(self._garbage.randint(1, 40)))
            else:
                answer = self._applet.process(apdu)
                if apdu[1:2] == b"\xb2" and answer[-2:] == SW_OK:
                    if CardFault.WRONG_SW in faults:
                        answer = SW_UNKNOWN_ERROR
                    elif CardFault.TRUNCATED in faults:
                        answer = answer[:-2][:-2] + SW_OK  # the TLV loses its last two bytes
            self._apdus_answered += 1
        log.debug("%s: INS %02X -> SW %s", self._label, apdu[1], answer[-2:].hex().upper())
        return answer


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        # Without QUICKACK each exchange waits ~40 ms for a delayed ACK (vpcd writes length and
        # payload separately); Linux clears the flag again after use, so set it before every recv.
        if hasattr(socket, "TCP_QUICKACK"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _receive_message(sock: socket.socket) -> bytes | None:
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    (size,) = struct.unpack(">H", header)
    if size == 0:
        return b""
    return _receive_exactly(sock, size)


def run_virtual_card(record: CardRecord, faults: Iterable[CardFault | str] = (), *, port: int = VPCD_PORT,
                     host: str = VPCD_HOST, stop_event: threading.Event | None = None,
                     slow_delay_s: float = 0.5, remove_after_apdus: int = 3) -> VirtualCard:
    """Insert a virtual card and block until `stop_event` is set or Ctrl-C; then remove it.

    For `kiosk virtual-card --card-number A00000019 [--fault slow]`. Returns the card
    (its record shows the PIN tries left at the end).
    """
    stop_event = stop_event or threading.Event()
    card = VirtualCard(record, host=host, port=port, faults=faults, slow_delay_s=slow_delay_s,
                       remove_after_apdus=remove_after_apdus)
    card.insert()
    try:
        while not stop_event.wait(0.2):
            if not card.inserted:  # REMOVE_MID_READ pulled it out: nothing left to serve
                break
    except KeyboardInterrupt:
        pass
    finally:
        card.stop()
    return card
