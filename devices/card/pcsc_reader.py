"""The PC/SC card reader driver: pyscard over pcscd, speaking our card profile (docs/card-profile.md).

    reader = PcscCardReader("card-reader", reader_pattern=r"Virtual PCD 00 00", transmit_timeout_s=5.0)
    reader.open()              # starts the monitor thread; never raises for a missing pcscd or reader
    reader.read_card()         # OperationResult[CardData]
    reader.verify_pin("123456")
    reader.close()

pyscard is imported lazily, so this module imports where pyscard is absent; the
reader then reports NO_DEVICE with a detail saying so.

Reader selection: `reader_pattern` is a regular expression searched (case-insensitive)
in the PC/SC reader names; empty means every reader. Among the candidates,
`contactless=True` prefers a name with "PICC", "Contactless" or "CL" as a word (how
dual-interface readers name their contactless slot); `contactless=False` prefers one
without; when no name says either, the first candidate (pcscd's order) is used. The
chosen reader is kept while it exists.

Monitoring: one thread with its own PC/SC context waits in SCardGetStatusChange
(`poll_interval_s` at a time, woken by SCardCancel on close) and publishes status:
ONLINE with media PRESENT / NOT_PRESENT when the reader exists, NO_DEVICE when pcscd
answers but no reader matches, OFFLINE when pcscd does not answer (it re-establishes
its context by itself when pcscd returns, so `self_recovering` is True; an unexpected
error in the monitor shows as HARDWARE_ERROR and the monitor starts afresh). pcscd's
per-reader event counter catches a card swapped between two polls: listeners still see
NOT_PRESENT then PRESENT. `cards_inserted` counts insertions seen while monitoring (a
card already in the slot at open() is not counted).

Card I/O: every PC/SC call for a card runs on the thread of a `_CardSession` (its own
context and card handle) and the caller waits at most `transmit_timeout_s`. A call
that does not return in time (a mute card: pcscd itself blocks until the card goes)
is abandoned with TIMEOUT; the session's thread cleans up whenever the call returns,
and the next operation opens a new session. Measured with vpcd: while pcscd is stuck
in a transmit, SCardDisconnect, SCardReleaseContext and SCardConnect on that reader
all block as well, so nothing short of abandoning the thread bounds the wait.

Read, then verify: the kiosk reads the card and verifies the PIN in two calls. The
connection of a successful read is kept (shared mode), and `verify_pin` re-selects the
application and sends VERIFY on that same connection, so the PIN is checked by the
card whose data was read: if that card was removed (or swapped) in between, VERIFY
fails with MEDIA_REMOVED instead of verifying another card. Without a previous read,
`verify_pin` connects by itself. The connection ends (SCARD_LEAVE_CARD) on the next
read, on removal and on close. Not with a reset: a reset sent while the card is being
pulled out leaves pcscd's view of a polled slot wrong (measured with vpcd: the slot then
reads EMPTY while the next card sits in it, until that card is removed again). The
kiosk never relies on the card's verified-PIN state across sessions, and pcscd powers
an idle card down after its grace period, which clears that state on the card.

PIN tries before the PIN: after the records, a read sends VERIFY without data (the
profile's "retry counter" form, which costs no try) and puts the answer in
`CardData.pin_tries_left`: 63Cx -> x, 6983 -> 0 (blocked), anything else -> None.

Completion codes: no card at connect -> NO_MEDIA; card gone mid-operation ->
MEDIA_REMOVED, whether pcscd says SCARD_W_REMOVED_CARD, SCARD_E_NOT_TRANSACTED (the card
left during a transmit, or was swapped faster than pcscd polls) or SCARD_W_RESET_CARD
(someone reset it: what the kiosk selected and verified is gone); unexpected status word, malformed TLV or invalid field -> MEDIA_INVALID;
no answer within `transmit_timeout_s` -> TIMEOUT; pcscd or reader gone -> NO_DEVICE;
another application holding the card exclusively -> BUSY. Details carry status words
and PC/SC error names, never card data.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from typing import Any, Callable

from devices.card.data import CardData, PinResult
from devices.card.profile import (FILES, SW_OK, SW_PIN_BLOCKED, card_data_from_fields, decode_record, pin_status,
                                  read_record, select_application, select_file, tries_left_from_status, verify_pin)
from devices.interfaces import CardReader, CardReaderCapabilities
from devices.model import CancelToken, CompletionCode, DeviceError, DeviceState, MediaState

log = logging.getLogger("devices.card.pcsc")

_CONTACTLESS_NAME = re.compile(r"PICC|Contactless|\bCL\b", re.IGNORECASE)

# PC/SC return codes (winscard), as unsigned 32-bit values; pyscard may hand them back signed.
SCARD_S_SUCCESS = 0x00000000
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_PROTO_MISMATCH = 0x8010000F
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNSUPPORTED_CARD = 0x80100065
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

_SERVICE_LOST = {SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_F_COMM_ERROR, SCARD_E_INVALID_HANDLE}
_READER_LOST = {SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE, SCARD_E_NO_READERS_AVAILABLE}
# The card behind a handle is gone: pulled out, swapped between two polls, or reset by someone else.
_CARD_LEFT = {SCARD_W_REMOVED_CARD, SCARD_E_NOT_TRANSACTED, SCARD_W_RESET_CARD}
_CARD_UNUSABLE = {SCARD_W_UNSUPPORTED_CARD, SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD,
                  SCARD_E_PROTO_MISMATCH}

# SCardGetStatusChange state bits.
STATE_UNAWARE = 0x0000
STATE_IGNORE = 0x0001
STATE_CHANGED = 0x0002
STATE_UNKNOWN = 0x0004
STATE_UNAVAILABLE = 0x0008
STATE_EMPTY = 0x0010
STATE_PRESENT = 0x0020

GET_RESPONSE_ROUNDS = 8       # T=0 "61xx, more data": bounded, a broken card cannot loop us
REMOVAL_GRACE_S = 1.0         # pcscd polls a vpcd slot every 0.4 s: long enough to see a card leave or pcscd go


def _u32(code: int) -> int:
    return code & 0xFFFFFFFF


def choose_reader(readers: list[str], *, pattern: re.Pattern | None, contactless: bool,
                  current: str = "") -> str | None:
    """The rule in the module docstring: pattern, then the current reader, then the interface by name."""
    candidates = [name for name in readers if pattern is None or pattern.search(name)]
    if not candidates:
        return None
    if current in candidates:
        return current
    preferred = [name for name in candidates if bool(_CONTACTLESS_NAME.search(name)) == contactless]
    return (preferred or candidates)[0]


def _load_pyscard():
    """`smartcard.scard`, or None where pyscard (or libpcsclite) is missing."""
    try:
        from smartcard import scard
    except (ImportError, OSError) as error:
        log.warning("pyscard unavailable: %s", error)
        return None
    return scard


class PcscCardReader(CardReader):
    self_recovering = True

    def __init__(self, name: str, reader_pattern: str = "", contactless: bool = False,
                 poll_interval_s: float = 0.2, transmit_timeout_s: float = 5.0) -> None:
        super().__init__(name)
        self._pattern = re.compile(reader_pattern, re.IGNORECASE) if reader_pattern else None
        self._pattern_text = reader_pattern
        self._contactless = contactless
        self._poll_interval_s = poll_interval_s
        self._transmit_timeout_s = transmit_timeout_s
        self._scard: Any = None
        self._reader_name = ""
        self._lock = threading.Lock()           # reader name, monitor context, session
        self._session: _CardSession | None = None
        self._monitor_thread: threading.Thread | None = None
        self._monitor_stop = threading.Event()
        self._monitor_context: int | None = None
        self._first_status = threading.Event()
        self._error_names: dict[int, str] = {}

    @property
    def capabilities(self) -> CardReaderCapabilities:
        with self._lock:
            reader = self._reader_name
        return CardReaderCapabilities(contact=not self._contactless, contactless=self._contactless,
                                      reader_name=reader)

    # --- lifecycle -----------------------------------------------------------------------

    def open(self) -> None:
        if self._monitor_thread is not None and self._monitor_thread.is_alive():
            return
        self._scard = self._scard or _load_pyscard()
        if self._scard is None:
            self._update_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN,
                                detail="pyscard is not installed (pip install pyscard; it needs libpcsclite)")
            return
        self._error_names = {_u32(value): name for name, value in vars(self._scard).items()
                             if name.startswith(("SCARD_E_", "SCARD_W_", "SCARD_F_")) and isinstance(value, int)}
        self._monitor_stop.clear()
        self._first_status.clear()
        self._monitor_thread = threading.Thread(target=self._monitor, name=f"pcsc-monitor-{self.name}", daemon=True)
        self._monitor_thread.start()
        # Callers (diagnostics, tests, the kiosk at start) want a definite state after open().
        self._first_status.wait(2.0)

    def close(self) -> None:
        thread = self._monitor_thread
        if thread is not None:
            self._monitor_stop.set()
            deadline = time.monotonic() + max(2.0, 3 * self._poll_interval_s)
            while thread.is_alive() and time.monotonic() < deadline:
                # SCardCancel wakes a waiting SCardGetStatusChange; one the monitor was just about
                # to enter would miss a single cancel, so repeat until the thread is gone.
                with self._lock:
                    context = self._monitor_context
                if context is not None:
                    self._scard.SCardCancel(context)
                thread.join(0.05)
            self._monitor_thread = None
            self._update_status(state=DeviceState.OFFLINE, media=MediaState.UNKNOWN, detail="closed")
        self._drop_session()

    def recover(self) -> bool:
        """The monitor recovers by itself; reopen only if it is not running."""
        if self._monitor_thread is None or not self._monitor_thread.is_alive():
            self.close()
            self.open()
        return self.status.state.usable

    # --- monitor ----------------------------------------------------------------------------

    def _monitor(self) -> None:
        context: int | None = None
        reader = ""
        known_state = STATE_UNAWARE
        while not self._monitor_stop.is_set():
            try:
                context, reader, known_state = self._monitor_step(context, reader, known_state)
            except Exception:  # a bug or a surprise from pyscard: say so, start afresh, keep monitoring
                log.exception("%s: card reader monitor failed; retrying", self.name)
                self._update_status(state=DeviceState.HARDWARE_ERROR, media=MediaState.UNKNOWN,
                                    detail="card reader monitor failed; see log")
                self._first_status.set()
                if context is not None:
                    self._release_monitor_context(context)
                context, reader, known_state = None, "", STATE_UNAWARE
                self._monitor_stop.wait(max(self._poll_interval_s, 1.0))
        if context is not None:
            self._release_monitor_context(context)

    def _monitor_step(self, context: int | None, reader: str, known_state: int) -> tuple[int | None, str, int]:
        """One look at pcscd: (re)connect, pick the reader, wait for a change. Returns the loop state."""
        scard = self._scard
        if context is None:
            code, new_context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if _u32(code) != SCARD_S_SUCCESS:
                self._service_lost(code)
                self._monitor_stop.wait(self._poll_interval_s)
                return None, "", STATE_UNAWARE
            context = new_context
            with self._lock:
                self._monitor_context = context
            reader, known_state = "", STATE_UNAWARE
        code, readers = scard.SCardListReaders(context, [])
        code = _u32(code)
        if code == SCARD_E_NO_READERS_AVAILABLE:
            readers = []
        elif code != SCARD_S_SUCCESS:
            self._context_broke(context, code)
            return None, "", STATE_UNAWARE
        chosen = choose_reader(list(readers), pattern=self._pattern, contactless=self._contactless, current=reader)
        if chosen is None:
            self._no_reader(list(readers))
            self._wait_for_readers(context)
            return context, "", STATE_UNAWARE
        if chosen != reader:
            reader, known_state = chosen, STATE_UNAWARE
            with self._lock:
                self._reader_name = reader
            log.info("%s: using reader %r", self.name, reader)
        code, states = scard.SCardGetStatusChange(context, int(self._poll_interval_s * 1000),
                                                  [(reader, known_state & ~STATE_CHANGED)])
        code = _u32(code)
        if code in (SCARD_E_TIMEOUT, SCARD_E_CANCELLED):
            return context, reader, known_state
        if code in _READER_LOST:
            return context, reader, STATE_UNAWARE  # relist
        if code != SCARD_S_SUCCESS:
            self._context_broke(context, code)
            return None, "", STATE_UNAWARE
        event_state = states[0][1]
        log.debug("%s: reader state 0x%08X -> 0x%08X", self.name, known_state, event_state)
        if event_state & (STATE_UNKNOWN | STATE_UNAVAILABLE | STATE_IGNORE):
            return context, reader, STATE_UNAWARE  # the reader went away: relist
        self._reader_state_seen(known_state, event_state)
        return context, reader, event_state

    def _wait_for_readers(self, context: int) -> None:
        """No matching reader: wait for the reader list to change (PnP notification) or the next poll."""
        code, _ = self._scard.SCardGetStatusChange(context, int(self._poll_interval_s * 1000),
                                                   [("\\\\?PnP?\\Notification", STATE_UNAWARE)])
        if _u32(code) not in (SCARD_S_SUCCESS, SCARD_E_TIMEOUT, SCARD_E_CANCELLED):
            self._monitor_stop.wait(self._poll_interval_s)

    def _release_monitor_context(self, context: int) -> None:
        self._scard.SCardReleaseContext(context)
        with self._lock:
            self._monitor_context = None

    def _context_broke(self, context: int, code: int) -> None:
        """pcscd went away (or the context broke): drop it; the next step establishes a new one."""
        self._release_monitor_context(context)
        if _u32(code) in _SERVICE_LOST:
            self._service_lost(code)
        else:
            log.warning("%s: PC/SC monitor error %s; reconnecting", self.name, self._error_name(code))
            self._monitor_stop.wait(self._poll_interval_s)

    def _service_lost(self, code: int) -> None:
        self._lose_session(DeviceError(CompletionCode.MEDIA_REMOVED,
                                       "connection to the card lost (pcscd stopped); read the card again"))
        self._update_status(state=DeviceState.OFFLINE, media=MediaState.UNKNOWN,
                            detail=f"pcscd not running ({self._error_name(code)})")
        self._first_status.set()

    def _no_reader(self, readers: list[str]) -> None:
        with self._lock:
            self._reader_name = ""
        self._lose_session(DeviceError(CompletionCode.MEDIA_REMOVED, "the card reader was disconnected"))
        if self._pattern is not None:
            detail = f"no reader matches {self._pattern_text!r}"
            if readers:
                detail += f" (readers: {', '.join(readers)})"
        else:
            detail = "no card reader connected"
        self._update_status(state=DeviceState.NO_DEVICE, media=MediaState.UNKNOWN, detail=detail)
        self._first_status.set()

    def _reader_state_seen(self, previous: int, current: int) -> None:
        present = bool(current & STATE_PRESENT)
        media = MediaState.PRESENT if present else (
            MediaState.NOT_PRESENT if current & STATE_EMPTY else MediaState.UNKNOWN)
        was = self.status.media
        swapped = (present and was is MediaState.PRESENT and previous != STATE_UNAWARE
                   and (previous >> 16) != (current >> 16))
        if swapped:  # out and in again between two looks: listeners must still see the removal
            self._lose_session(DeviceError(CompletionCode.MEDIA_REMOVED, "the card was removed"))
            self._update_status(media=MediaState.NOT_PRESENT)
        if media is not MediaState.PRESENT:
            self._lose_session(DeviceError(CompletionCode.MEDIA_REMOVED, "the card was removed"))
        if media is MediaState.PRESENT and (was is MediaState.NOT_PRESENT or swapped):
            self.statistics.increment("cards_inserted")
        self._update_status(state=DeviceState.ONLINE, media=media, detail="")
        self._first_status.set()

    # --- card sessions -------------------------------------------------------------------------

    def _lose_session(self, reason: DeviceError) -> None:
        """The card behind the kept connection is gone: keep a tombstone so verify_pin says so."""
        with self._lock:
            session = self._session
        if session is not None:
            session.close(reason)

    def _drop_session(self) -> None:
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()

    def _connect(self, cancel: CancelToken) -> "_CardSession":
        with self._lock:
            reader = self._reader_name
        if not reader:
            raise DeviceError(CompletionCode.NO_DEVICE, "no card reader")
        session = _CardSession(self._scard, reader, self._transmit_timeout_s, self._error_for)
        try:
            session.connect(cancel)
        except BaseException:
            session.close()
            raise
        return session

    def _error_name(self, code: int) -> str:
        code = _u32(code)
        return self._error_names.get(code, f"0x{code:08X}")

    def _error_for(self, code: int, during: str) -> DeviceError:
        """One table from PC/SC return codes to completion codes."""
        code = _u32(code)
        name = self._error_name(code)
        if code in _SERVICE_LOST or code in _READER_LOST:
            return DeviceError(CompletionCode.NO_DEVICE, f"{during}: reader or pcscd gone ({name})")
        if code == SCARD_E_NO_SMARTCARD or (code in _CARD_LEFT and during == "connect"):
            return DeviceError(CompletionCode.NO_MEDIA, f"{during}: no card in the reader ({name})")
        if code in _CARD_LEFT:
            # A card swapped faster than pcscd polls shows as NOT_TRANSACTED or RESET_CARD, not as a
            # removal: for the kiosk it is the same, the card it was talking to is gone.
            return DeviceError(CompletionCode.MEDIA_REMOVED, f"{during}: the card was removed or replaced ({name})")
        if code in _CARD_UNUSABLE:
            return DeviceError(CompletionCode.MEDIA_INVALID, f"{during}: the card does not work ({name})")
        if code == SCARD_E_SHARING_VIOLATION:
            return DeviceError(CompletionCode.BUSY, f"{during}: another application holds the card ({name})")
        if code == SCARD_E_TIMEOUT:
            return DeviceError(CompletionCode.TIMEOUT, f"{during}: no answer ({name})")
        return DeviceError(CompletionCode.HARDWARE_ERROR, f"{during}: {name}")

    # --- operations -------------------------------------------------------------------------------

    def _do_read_card(self, cancel: CancelToken) -> CardData:
        self._drop_session()  # a read is always of the card in the reader now
        session = self._connect(cancel)
        try:
            self._select_application(session, cancel)
            fields: dict[str, str] = {}
            for file_id, records in FILES.items():
                _, sw = self._exchange(session, select_file(file_id), cancel, f"SELECT {file_id.hex().upper()}")
                if sw != SW_OK:
                    raise DeviceError(CompletionCode.MEDIA_INVALID,
                                      f"SELECT {file_id.hex().upper()} answered {sw.hex().upper()}")
                for tag, (field, _, _) in records.items():
                    data, sw = self._exchange(session, read_record(tag), cancel, f"READ RECORD {tag:02X}")
                    if sw != SW_OK:
                        raise DeviceError(CompletionCode.MEDIA_INVALID,
                                          f"READ RECORD {tag:02X} answered {sw.hex().upper()}")
                    fields[field] = decode_record(tag, data)
            card = card_data_from_fields(fields)
            # Before anyone types: how many PIN tries the card has left (0 = blocked). Costs no try.
            data, sw = self._exchange(session, pin_status(), cancel, "VERIFY (retry counter)")
            card = card.with_pin_tries_left(tries_left_from_status(data, sw))
        except BaseException:
            session.close()
            raise
        with self._lock:
            self._session = session  # kept: verify_pin talks to this very card
        log.debug("%s: read card %r", self.name, card)
        return card

    def _do_verify_pin(self, pin: str, cancel: CancelToken) -> PinResult:
        with self._lock:
            session = self._session
        if session is not None and session.closed:
            raise session.lost or DeviceError(CompletionCode.MEDIA_REMOVED, "the card that was read is gone")
        fresh = session is None
        if fresh:
            session = self._connect(cancel)
        try:
            self._select_application(session, cancel)
            data, sw = self._exchange(session, verify_pin(pin), cancel, "VERIFY")
        except BaseException:
            self._forget(session)
            raise
        if fresh:
            with self._lock:
                self._session = session
        if data or not (sw == SW_OK or sw == SW_PIN_BLOCKED or (sw[0] == 0x63 and sw[1] & 0xF0 == 0xC0)):
            raise DeviceError(CompletionCode.MEDIA_INVALID, f"VERIFY answered {sw.hex().upper()}")
        if sw == SW_OK:
            return PinResult(True, None)
        tries_left = 0 if sw == SW_PIN_BLOCKED else sw[1] & 0x0F
        if tries_left == 0:
            raise DeviceError(CompletionCode.PIN_BLOCKED, "PIN blocked", value=PinResult(False, 0))
        raise DeviceError(CompletionCode.PIN_INCORRECT, f"wrong PIN, {tries_left} tries left",
                          value=PinResult(False, tries_left))

    def _forget(self, session: "_CardSession") -> None:
        session.close()
        with self._lock:
            if self._session is session:
                self._session = None

    def _select_application(self, session: "_CardSession", cancel: CancelToken) -> None:
        _, sw = self._exchange(session, select_application(), cancel, "SELECT application")
        if sw[0] == 0x6A and sw[1] in (0x81, 0x82):
            raise DeviceError(CompletionCode.MEDIA_INVALID,
                              "not a social security card (application not found, SW " + sw.hex().upper() + ")")
        if sw != SW_OK:
            raise DeviceError(CompletionCode.MEDIA_INVALID, f"SELECT application answered {sw.hex().upper()}")

    def _exchange(self, session: "_CardSession", apdu: bytes, cancel: CancelToken,
                  what: str) -> tuple[bytes, bytes]:
        """One command -> (data, SW), with T=0 GET RESPONSE and wrong-Le retries done here."""
        response = self._transmit(session, apdu, cancel, what)
        if response[-2] == 0x6C and len(apdu) == 5:  # case 2 with the wrong Le: the card says the right one
            response = self._transmit(session, apdu[:4] + response[-1:], cancel, what)
        data = bytearray(response[:-2])
        rounds = 0
        while response[-2] == 0x61:
            rounds += 1
            if rounds > GET_RESPONSE_ROUNDS:
                raise DeviceError(CompletionCode.MEDIA_INVALID, f"{what}: endless GET RESPONSE")
            response = self._transmit(session, bytes((0x00, 0xC0, 0x00, 0x00, response[-1])), cancel, what)
            data += response[:-2]
        return bytes(data), bytes(response[-2:])

    def _transmit(self, session: "_CardSession", apdu: bytes, cancel: CancelToken, what: str) -> bytes:
        cancel.raise_if_cancelled()
        code, response = session.call(_transmit_on_session, session, apdu, cancel=cancel)
        if _u32(code) == SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        if _u32(code) == SCARD_S_SUCCESS and response:
            raise DeviceError(CompletionCode.MEDIA_INVALID, f"{what}: answer of {len(response)} byte(s)")
        if _u32(code) == SCARD_S_SUCCESS:
            # Not even a status word: the card left the contacts during this command. vpcd says it
            # this way (and SCARD_E_NOT_TRANSACTED on the next command); pcscd may never see the
            # slot empty if another card is in it by its next poll, so do not wait for that.
            raise DeviceError(CompletionCode.MEDIA_REMOVED, f"{what}: no answer, the card was removed or replaced")
        if _u32(code) == SCARD_F_COMM_ERROR:
            # Tell a card that left from pcscd going away.
            if self._card_left(session, cancel):
                raise DeviceError(CompletionCode.MEDIA_REMOVED, f"{what}: the card was removed")
            cancel.raise_if_cancelled()
        raise self._error_for(code, what)

    def _card_left(self, session: "_CardSession", cancel: CancelToken) -> bool:
        deadline = time.monotonic() + REMOVAL_GRACE_S
        while True:
            if self.status.media is MediaState.NOT_PRESENT:
                return True
            try:
                code = session.call(_status_on_session, session, cancel=cancel)
            except DeviceError as error:  # the monitor already closed the session: it knows why
                return error.code is CompletionCode.MEDIA_REMOVED
            if _u32(code) in (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD):
                return True
            if _u32(code) in _SERVICE_LOST or time.monotonic() > deadline:
                return False
            if cancel.wait(0.05):
                return False


def _transmit_on_session(session: "_CardSession", apdu: bytes) -> tuple[int, list[int]]:
    return session.scard.SCardTransmit(session.handle, session.protocol, list(apdu))


def _status_on_session(session: "_CardSession") -> int:
    return session.scard.SCardStatus(session.handle)[0]


class _Job:
    __slots__ = ("function", "args", "done", "result", "error")

    def __init__(self, function: Callable, args: tuple) -> None:
        self.function = function
        self.args = args
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class _CardSession:
    """One PC/SC connection to one card, on a thread of its own so a hung call can be abandoned.

    The context and card handle are used only on that thread. `call` waits at most the
    timeout (and stops waiting on cancel); after that the session is closed and its
    thread cleans up (disconnect, release the context) whenever the hung call returns.
    """

    def __init__(self, scard, reader: str, timeout_s: float,
                 error_for: Callable[[int, str], DeviceError]) -> None:
        self.scard = scard
        self.reader = reader
        self.timeout_s = timeout_s
        self._error_for = error_for
        self.context: int | None = None
        self.handle: int | None = None
        self.protocol: int | None = None
        self.lost: DeviceError | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"pcsc-card-{reader}", daemon=True)
        self._thread.start()

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    def connect(self, cancel: CancelToken) -> None:
        self.call(self._connect_here, cancel=cancel)

    def _connect_here(self) -> None:
        scard = self.scard
        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if _u32(code) != SCARD_S_SUCCESS:
            raise self._error_for(code, "connect")
        self.context = context
        code, handle, protocol = scard.SCardConnect(context, self.reader, scard.SCARD_SHARE_SHARED,
                                                    scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if _u32(code) != SCARD_S_SUCCESS:
            raise self._error_for(code, "connect")
        self.handle, self.protocol = handle, protocol

    def call(self, function: Callable, *args, cancel: CancelToken) -> Any:
        job = _Job(function, args)
        with self._lock:
            if self._closed:
                raise self.lost or DeviceError(CompletionCode.MEDIA_REMOVED, "connection to the card closed")
            self._jobs.put(job)
        deadline = time.monotonic() + self.timeout_s
        while not job.done.wait(0.02):
            if cancel.cancelled:
                self.close()
                raise DeviceError(CompletionCode.CANCELLED, "cancelled while waiting for the card")
            if time.monotonic() >= deadline:
                self.close()
                raise DeviceError(CompletionCode.TIMEOUT, f"the card did not answer within {self.timeout_s:g} s")
        if job.error is not None:
            raise job.error
        return job.result

    def close(self, lost: DeviceError | None = None) -> None:
        """Stop taking calls; `lost` is what later calls (verify after a removal) raise."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.lost = lost
            self._jobs.put(None)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            try:
                job.result = job.function(*job.args)
            except BaseException as error:  # handed to the waiting caller
                job.error = error
            job.done.set()
        if self.handle is not None:
            self.scard.SCardDisconnect(self.handle, self.scard.SCARD_LEAVE_CARD)  # why not reset: module docstring
        if self.context is not None:
            self.scard.SCardReleaseContext(self.context)
