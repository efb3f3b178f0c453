"""Card reader through a vendor library that exposes the national unified reader interface.

Hall kiosks read 3rd-generation cards through the reader vendor's library because the
basic fields need the PSAM in the reader (docs/card-profile.md). The library is a DLL/.so
with GBK strings, 0 = success and negative = error:

    int iReadCardBas(int iType, char *pOutInfo);  // iType 1 contact, 2 contactless,
    int iVerifyPIN(int iType, char *pOutInfo);    // 3 auto contact-first, 4 auto contactless-first

`iReadCardBas` fills pOutInfo with eleven fields, each followed by "|":
`region|ssn|card_no|card_id_code|name|atr_history|spec_version|issue_date|expiry|terminal_no|device_no|`.
The record is parsed strictly (exactly eleven fields and the trailing separator, exact
lengths, the ssn check digit) into `CardData`; anything else is MEDIA_INVALID, naming the
field and never its value.

Return codes -> completion codes (`RETURN_CODES`, the one table both calls use). Vendors
differ: an integrator must confirm this table against their vendor's document.

    -1   reader not connected        NO_DEVICE (the device state becomes NO_DEVICE too)
    -2   no card                     NO_MEDIA
    -5   PIN incorrect               PIN_INCORRECT, tries left read from pOutInfo
    -6   PIN blocked                 PIN_BLOCKED (tries left 0)
    -7   timeout / no PIN entered    TIMEOUT
    -8   cancelled on the reader     CANCELLED
    -11  card read failure           MEDIA_INVALID
    other negative or positive       HARDWARE_ERROR, the raw code in the detail

PIN pad convention: the citizen types the PIN on the reader's own keypad, so
`verify_pin` is called with "" (`pin_entry="reader_pinpad"`, enforced by `CardReader`).
`iVerifyPIN` returns 0 when the card accepted the PIN. On -5 pOutInfo starts with the
tries left as decimal digits ("2" or "2|"); unreadable text gives tries_left None, and
"0" is reported as PIN_BLOCKED. On -6 the PIN is blocked whatever pOutInfo says.

What the interface does not return, `CardData` still needs; this adapter derives or
defaults it (see `card_data_from_record`):
    sex          from the ssn's 17th digit (odd male "1", even female "2")
    birth_date   from the ssn's digits 7-14
    birth_place  "" (CardData's "the card leaves it empty")
    ethnicity    "00", deliberately not a GB/T 3304 code: "not provided by this interface"
    card_type    the major number of spec_version ("3.00" -> "3"), the card generation,
                 the same value our APDU card profile stores for a 3.00 card; "0" when
                 spec_version has no one- or two-character major number

Decisions:
- No card presence sensing: the interface has no insertion event, and polling
  iReadCardBas would read personal data again and again, so media stays UNKNOWN; a read
  without a card is NO_MEDIA. `wait_for_card` is UNSUPPORTED, and the external and
  interactive health checks make one read instead of waiting for an insertion.
- Native calls block and cannot be interrupted, so all of them run on one dedicated
  daemon thread per reader (vendor libraries are rarely thread-safe) and the caller waits
  at most `call_timeout_s` (`pin_timeout_s` for iVerifyPIN, since a person is typing).
  Past that the operation is TIMEOUT and the device HARDWARE_ERROR until the stuck call
  returns; a cancelled call leaves it BUSY until then. Either way it becomes ONLINE again
  by itself when the library returns, and no second call is made meanwhile.
- The output buffer is 4096 bytes although the interface documents 1024, so a library
  that writes a little too much cannot corrupt memory; we NUL-terminate it ourselves, an
  output with no terminator within 1024 bytes is HARDWARE_ERROR, and the buffer is
  zeroed after each call.
- Names are decoded as GB 18030-2022 (`devices/gb18030.py`), the superset of GBK that
  also holds the rare characters some names need (䶮 and the like); undecodable bytes are
  MEDIA_INVALID.
- The raw output is never logged nor put in a detail or an exception; the vendor's own
  message on an error is not shown either, only the return code.

Linux loads the library with `ctypes.CDLL` (cdecl). Windows vendor DLLs for this
interface are usually `__stdcall`, hence `ctypes.WinDLL` there; on 64-bit Windows the
two are the same, on 32-bit a wrong choice corrupts the stack, so check the vendor header.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import os
import queue
import re
import sys
import threading
import time
from typing import Callable

from devices import gb18030
from devices.base import Interaction
from devices.card.data import CardData, PinResult
from devices.interfaces import CardReader, CardReaderCapabilities
from devices.model import (CancelToken, CompletionCode, DeviceError, DeviceState, HealthLevel, HealthReport,
                           OperationResult)
from kiosk.contract.identifiers import is_valid_region_code

log = logging.getLogger("devices.card.vendor_library")

READ_CONTACT = 1
READ_CONTACTLESS = 2
READ_AUTO_CONTACT_FIRST = 3
READ_AUTO_CONTACTLESS_FIRST = 4
READ_TYPES = (READ_CONTACT, READ_CONTACTLESS, READ_AUTO_CONTACT_FIRST, READ_AUTO_CONTACTLESS_FIRST)

PIN_ENTRY_MODES = ("reader_pinpad", "none")

SPEC_OUTPUT_BYTES = 1024    # what the interface documents for pOutInfo
OUTPUT_BUFFER_BYTES = 4096  # what we allocate: headroom against a library that writes past 1024

READ_FUNCTION = "iReadCardBas"
VERIFY_FUNCTION = "iVerifyPIN"
HSM_STEP_FUNCTIONS = ("iReadCardBas_HSM_Step1", "iReadCardBas_HSM_Step2")

RETURN_CODES: dict[int, tuple[CompletionCode, str]] = {
    -1: (CompletionCode.NO_DEVICE, "reader not connected"),
    -2: (CompletionCode.NO_MEDIA, "no card in the reader"),
    -5: (CompletionCode.PIN_INCORRECT, "PIN incorrect"),
    -6: (CompletionCode.PIN_BLOCKED, "PIN blocked"),
    -7: (CompletionCode.TIMEOUT, "timed out, or no PIN entered"),
    -8: (CompletionCode.CANCELLED, "cancelled on the reader"),
    -11: (CompletionCode.MEDIA_INVALID, "card could not be read"),
}

RECORD_FIELDS = ("region", "ssn", "card_number", "card_id_code", "name", "atr_history", "spec_version",
                 "issue_date", "expiry_date", "terminal_number", "device_number")
ETHNICITY_NOT_PROVIDED = "00"
CARD_TYPE_NOT_PROVIDED = "0"  # when spec_version has no usable major number

_EXACT_LENGTHS = {"region": 6, "ssn": 18, "card_number": 9, "card_id_code": 32, "issue_date": 8,
                  "expiry_date": 8}
_ATR_HISTORY = re.compile(r"(?:[0-9A-Fa-f]{2}){0,33}")     # hex bytes, at most a whole ATR
_TERMINAL_FIELD = re.compile(r"[0-9A-Za-z]{0,32}")
_CARD_TYPE = re.compile(r"[0-9A-Za-z]{1,2}")
_TRIES_LEFT = re.compile(rb"\s*(\d{1,2})(?:\D|$)")
_WAIT_SLICE_S = 0.02  # how often a waiting caller looks at its cancel token


def completion_for_return_code(returned: int) -> tuple[CompletionCode, str]:
    """The completion code and a technician's wording for a non-zero library return code."""
    return RETURN_CODES.get(returned, (CompletionCode.HARDWARE_ERROR, "unexpected return code"))


def parse_card_record(raw: bytes) -> CardData:
    """iReadCardBas output (the bytes before the first NUL) -> validated `CardData`."""
    if len(raw) >= SPEC_OUTPUT_BYTES:
        raise DeviceError(CompletionCode.HARDWARE_ERROR,
                          f"library output not terminated within {SPEC_OUTPUT_BYTES} bytes")
    try:
        text = gb18030.decode(raw)
    except UnicodeDecodeError:
        raise DeviceError(CompletionCode.MEDIA_INVALID, "card record is not valid GB18030 (GBK) text") from None
    parts = text.split("|")
    if len(parts) != len(RECORD_FIELDS) + 1 or parts[-1] != "":
        raise DeviceError(CompletionCode.MEDIA_INVALID,
                          f"card record has {len(parts) - 1} separators, expected {len(RECORD_FIELDS)}")
    return card_data_from_record(dict(zip(RECORD_FIELDS, parts)))


def card_data_from_record(fields: dict[str, str]) -> CardData:
    """Check the interface's own fields, then derive what `CardData` needs and it lacks."""
    for field, length in _EXACT_LENGTHS.items():
        if len(fields[field]) != length:
            raise _invalid(field, f"not {length} characters")
    if not is_valid_region_code(fields["region"]):
        raise _invalid("region", "not a 6-digit region code")
    if not fields["card_id_code"].upper().startswith(fields["region"]):
        raise _invalid("card_id_code", "does not start with the region code")
    if not _ATR_HISTORY.fullmatch(fields["atr_history"]):
        raise _invalid("atr_history", "not hex bytes")
    for field in ("terminal_number", "device_number"):
        if not _TERMINAL_FIELD.fullmatch(fields[field]):
            raise _invalid(field, "not up to 32 letters or digits")
    ssn = fields["ssn"]
    sex_digit = ssn[16]
    spec_major = fields["spec_version"].split(".")[0]
    return CardData.validated(
        ssn=ssn, name=fields["name"],
        # A malformed ssn is rejected by `validated` before sex or birth date are looked at.
        sex=("1" if int(sex_digit) % 2 else "2") if sex_digit.isascii() and sex_digit.isdigit() else "9",
        ethnicity=ETHNICITY_NOT_PROVIDED, birth_place="", birth_date=ssn[6:14],
        card_number=fields["card_number"], card_id_code=fields["card_id_code"],
        card_type=spec_major if _CARD_TYPE.fullmatch(spec_major) else CARD_TYPE_NOT_PROVIDED,
        spec_version=fields["spec_version"],
        issue_date=fields["issue_date"], expiry_date=fields["expiry_date"])


def parse_tries_left(raw: bytes) -> int | None:
    """The tries left that iVerifyPIN writes after a wrong PIN ("2", "2|"); None when unreadable."""
    match = _TRIES_LEFT.match(raw)
    if not match:
        return None
    tries = int(match.group(1))
    return tries if tries <= 15 else None


def _invalid(field: str, reason: str) -> DeviceError:
    return DeviceError(CompletionCode.MEDIA_INVALID, f"card field {field}: {reason}")


@dataclasses.dataclass(frozen=True)
class VendorLibraryCapabilities(CardReaderCapabilities):
    library_path: str = ""
    read_type: int = READ_AUTO_CONTACT_FIRST
    hsm_two_step: bool = False  # the library exports iReadCardBas_HSM_Step1/Step2 (not used yet)


class VendorLibraryCardReader(CardReader):
    """A `CardReader` over the vendor's iReadCardBas/iVerifyPIN library, loaded with ctypes."""

    def __init__(self, name: str, library_path: str, *, read_type: int | None = None, contactless: bool = False,
                 pin_entry: str = "reader_pinpad", call_timeout_s: float = 15.0,
                 pin_timeout_s: float = 60.0) -> None:
        if read_type is None:
            read_type = READ_AUTO_CONTACTLESS_FIRST if contactless else READ_AUTO_CONTACT_FIRST
        if read_type not in READ_TYPES:
            raise ValueError(f"read_type must be one of {READ_TYPES}")
        if pin_entry not in PIN_ENTRY_MODES:
            # iVerifyPIN takes no PIN argument: the digits can only come from the reader's keypad.
            raise ValueError(f"pin_entry must be one of {PIN_ENTRY_MODES}; the national interface "
                             "cannot take a PIN typed on the kiosk screen")
        if call_timeout_s <= 0 or pin_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        super().__init__(name)
        self._library_path = library_path
        self._read_type = read_type
        self._contactless = contactless or read_type == READ_CONTACTLESS
        self._pin_entry = pin_entry
        self._call_timeout_s = call_timeout_s
        self._pin_timeout_s = pin_timeout_s
        self._call_lock = threading.Lock()  # guards the fields below
        self._functions: dict[str, Callable[..., int]] = {}
        self._hsm_two_step = False
        self._native_thread: _NativeCallThread | None = None
        self._outstanding: _NativeCall | None = None  # a call the caller gave up on, still inside the library

    # --- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        with self._call_lock:
            already_open = self._native_thread is not None
            stuck = self._outstanding is not None
        if already_open:
            return
        if stuck:
            # A second thread calling into a library that is still stuck would make things worse.
            self._update_status(state=DeviceState.HARDWARE_ERROR,
                                detail="a previous vendor library call has not returned yet")
            return
        try:
            library = _load_library(self._library_path)
        except OSError as error:
            self._update_status(state=DeviceState.NO_DEVICE,
                                detail=f"cannot load vendor library {self._library_path}: {error}")
            return
        required = [READ_FUNCTION] + ([VERIFY_FUNCTION] if self._pin_entry == "reader_pinpad" else [])
        missing = [symbol for symbol in required if not hasattr(library, symbol)]
        if missing:
            self._update_status(state=DeviceState.NO_DEVICE,
                                detail=f"vendor library {self._library_path} lacks {', '.join(missing)}")
            return
        functions = {symbol: _declare(getattr(library, symbol)) for symbol in required}
        hsm_two_step = all(hasattr(library, symbol) for symbol in HSM_STEP_FUNCTIONS)
        with self._call_lock:
            self._functions = functions
            self._hsm_two_step = hsm_two_step
            self._native_thread = _NativeCallThread(f"{self.name}-vendor-library")
        log.info("%s: loaded %s (HSM two-step entry points: %s)", self.name, self._library_path,
                 "yes" if hsm_two_step else "no")
        self._update_status(state=DeviceState.ONLINE,
                            detail=f"vendor library {os.path.basename(self._library_path)} loaded; "
                                   "card presence is not sensed")

    def close(self) -> None:
        with self._call_lock:
            thread, self._native_thread = self._native_thread, None
            self._functions = {}  # ctypes cannot safely unload a library; we only stop calling it
        if thread is not None:
            thread.stop()
        self._update_status(state=DeviceState.OFFLINE, detail="closed")

    def recover(self) -> bool:
        with self._call_lock:
            stuck = self._outstanding is not None
        if stuck:
            return False
        return super().recover()

    @property
    def capabilities(self) -> VendorLibraryCapabilities:
        return VendorLibraryCapabilities(
            contact=self._read_type != READ_CONTACTLESS, contactless=self._contactless,
            pin_on_card=self._pin_entry == "reader_pinpad", pin_entry=self._pin_entry,
            reads_holder_record=True, reader_name=os.path.basename(self._library_path),
            library_path=self._library_path, read_type=self._read_type, hsm_two_step=self._hsm_two_step)

    # --- operations ------------------------------------------------------------------

    def _do_read_card(self, cancel: CancelToken) -> CardData:
        returned, output = self._call_library(READ_FUNCTION, self._call_timeout_s, cancel)
        if returned != 0:
            raise self._failure(READ_FUNCTION, returned)
        return parse_card_record(output)

    def _do_verify_pin(self, pin: str, cancel: CancelToken) -> PinResult:
        returned, output = self._call_library(VERIFY_FUNCTION, self._pin_timeout_s, cancel)
        if returned == 0:
            return PinResult(verified=True, tries_left=None)
        code, meaning = completion_for_return_code(returned)
        if code is CompletionCode.PIN_INCORRECT:
            tries_left = parse_tries_left(output)
            if tries_left == 0:
                raise DeviceError(CompletionCode.PIN_BLOCKED, f"{VERIFY_FUNCTION} returned {returned}: "
                                  "PIN incorrect, no tries left", PinResult(False, 0))
            told = "unknown" if tries_left is None else str(tries_left)
            raise DeviceError(code, f"{VERIFY_FUNCTION} returned {returned}: {meaning}, tries left {told}",
                              PinResult(False, tries_left))
        if code is CompletionCode.PIN_BLOCKED:
            raise DeviceError(code, f"{VERIFY_FUNCTION} returned {returned}: {meaning}", PinResult(False, 0))
        raise self._failure(VERIFY_FUNCTION, returned)

    def wait_for_card(self, timeout_s: float, cancel: CancelToken | None = None) -> OperationResult[None]:
        return OperationResult(CompletionCode.UNSUPPORTED,
                               detail="wait_for_card: this reader cannot sense a card; read_card says NO_MEDIA")

    def _card_ready_for_check(self, level: HealthLevel, interaction: Interaction | None,
                              cancel: CancelToken) -> HealthReport | None:
        # No card sensing: the technician confirms instead, and an external check simply reads.
        if level is HealthLevel.INTERACTIVE:
            interaction.instruct("technician.check.insert_card")
            if not interaction.confirm("technician.check.card_in_reader"):
                return self._report(level, CompletionCode.CANCELLED, "technician did not insert a card")
        return None

    # --- calling the library ---------------------------------------------------------

    def _failure(self, function: str, returned: int) -> DeviceError:
        code, meaning = completion_for_return_code(returned)
        detail = f"{function} returned {returned}: {meaning}"
        if code is CompletionCode.NO_DEVICE:
            self._update_status(state=DeviceState.NO_DEVICE, detail=detail)
        return DeviceError(code, detail)

    def _call_library(self, function_name: str, timeout_s: float, cancel: CancelToken) -> tuple[int, bytes]:
        """Call `function(read_type, buffer)` on the native thread; (return code, output before the NUL)."""
        with self._call_lock:
            if self._outstanding is not None:
                raise DeviceError(CompletionCode.BUSY, "a previous vendor library call has not returned")
            thread, function = self._native_thread, self._functions.get(function_name)
            if thread is None or function is None:
                raise DeviceError(CompletionCode.NO_DEVICE, "vendor library not loaded")
            call = _NativeCall(lambda: _call_with_buffer(function, self._read_type), self._late_return)
            self._outstanding = call
        thread.submit(call)
        deadline = time.monotonic() + timeout_s
        while not call.wait(_WAIT_SLICE_S):
            cancelled = cancel.cancelled
            if not cancelled and time.monotonic() < deadline:
                continue
            if not call.abandon():
                break  # it returned just now: use its answer
            if cancelled:
                self._mark_abandoned(call, DeviceState.BUSY,
                                     f"{function_name} still running after a cancel; waiting for it")
                raise DeviceError(CompletionCode.CANCELLED, f"{function_name} cancelled")
            log.error("%s: %s did not return within %g s", self.name, function_name, timeout_s)
            self._mark_abandoned(call, DeviceState.HARDWARE_ERROR,
                                 f"{function_name} did not return within {timeout_s:g} s; a native call "
                                 "cannot be stopped, waiting for it to return")
            raise DeviceError(CompletionCode.TIMEOUT, f"{function_name} did not return within {timeout_s:g} s")
        with self._call_lock:
            self._outstanding = None
        if call.error is not None:
            raise call.error
        return call.outcome

    def _mark_abandoned(self, call: _NativeCall, state: DeviceState, detail: str) -> None:
        self._update_status(state=state, detail=detail)
        if call.wait(0):
            # It returned while we were saying so, maybe before `_late_return` could see our state.
            self._ready_again()

    def _late_return(self) -> None:
        """The native thread calls this when a call the caller gave up on finally returns."""
        with self._call_lock:
            self._outstanding = None
        log.warning("%s: the abandoned vendor library call returned", self.name)
        self._ready_again()

    def _ready_again(self) -> None:
        with self._call_lock:
            loaded = self._native_thread is not None
        # This class sets BUSY and HARDWARE_ERROR only for an abandoned call.
        if loaded and self.status.state in (DeviceState.BUSY, DeviceState.HARDWARE_ERROR):
            self._update_status(state=DeviceState.ONLINE, detail="vendor library call returned; ready")


def _load_library(path: str) -> ctypes.CDLL:
    loader = ctypes.WinDLL if sys.platform == "win32" else ctypes.CDLL  # see the module docstring
    return loader(path)


def _declare(function):
    """`int f(int iType, char *pOutInfo)`: both calls of the interface share this signature."""
    function.argtypes = (ctypes.c_int, ctypes.POINTER(ctypes.c_char))
    function.restype = ctypes.c_int
    return function


def _call_with_buffer(function, read_type: int) -> tuple[int, bytes]:
    buffer = ctypes.create_string_buffer(OUTPUT_BUFFER_BYTES)
    try:
        returned = function(read_type, buffer)
        buffer[OUTPUT_BUFFER_BYTES - 1] = b"\x00"  # the library may not terminate its output
        return returned, buffer.value
    finally:
        ctypes.memset(buffer, 0, OUTPUT_BUFFER_BYTES)  # personal data does not stay in this buffer


class _NativeCall:
    """One call into the library; the waiting caller may abandon it, the native thread finishes it."""

    def __init__(self, function: Callable[[], tuple[int, bytes]], on_late_return: Callable[[], None]) -> None:
        self._function = function
        self._on_late_return = on_late_return
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._abandoned = False
        self.outcome: tuple[int, bytes] = (0, b"")
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.outcome = self._function()
        except Exception as error:  # handed to the waiting caller, whose device base reports it
            self.error = error
        with self._lock:
            self._finished.set()
            abandoned = self._abandoned
        if abandoned:
            self.outcome = (0, b"")  # nobody will read it: drop the personal data now
            self._on_late_return()

    def wait(self, seconds: float) -> bool:
        return self._finished.wait(seconds)

    def abandon(self) -> bool:
        """The caller stops waiting. False when the call finished meanwhile (its outcome is valid)."""
        with self._lock:
            if self._finished.is_set():
                return False
            self._abandoned = True
            return True


class _NativeCallThread:
    """The one daemon thread that makes every call into a reader's library, in order.

    Daemon, because a call stuck in the library must not keep the kiosk from exiting.
    """

    def __init__(self, thread_name: str) -> None:
        self._calls: queue.SimpleQueue[_NativeCall | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=thread_name, daemon=True)
        self._thread.start()

    def submit(self, call: _NativeCall) -> None:
        self._calls.put(call)

    def stop(self) -> None:
        self._calls.put(None)  # served after a call that is still running, if any

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            call.run()
