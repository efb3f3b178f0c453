"""Byte transports a receipt printer is composed with: TCP, serial, USB, a file or device node.

A transport only opens, closes, writes and reads bytes; it knows nothing about ESC/POS
(python-escpos's lesson: connection classes only move bytes). Unlike python-escpos it is
opened explicitly, never on first use, and failures are typed:

- `DeviceNotFound`: nothing at the configured address (no such device node, no USB device
  with that vid:pid) - the printer's state becomes NO_DEVICE;
- `ConnectionLost`: it was there and went away (peer closed, cable pulled);
- `TransportError`: anything else (refused, timed out) - the printer is OFFLINE.

`read` returns b"" when nothing arrives within the timeout; a write-only transport
(`can_read` False) always returns b"", so status readback is unsupported on it.
"""

from __future__ import annotations

import errno
import os
import select
import socket
from pathlib import Path
from typing import Protocol, runtime_checkable

DEFAULT_TCP_PORT = 9100      # raw printing ("JetDirect") port of network receipt printers
DEFAULT_BAUD = 9600          # the factory setting of most serial receipt printers
USB_PRINTER_CLASS = 7


class TransportError(OSError):
    """The transport could not open, write or read."""


class DeviceNotFound(TransportError):
    """Nothing is connected at the configured address."""


class ConnectionLost(TransportError):
    """The connection was open and is gone (peer closed it, cable pulled, device unplugged)."""


@runtime_checkable
class Transport(Protocol):
    kind: str        # "network" | "serial" | "usb" | "file": reported as the printer's connection
    can_read: bool   # False: write-only, no status readback

    @property
    def description(self) -> str: ...

    @property
    def is_open(self) -> bool: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, max_bytes: int, timeout_s: float) -> bytes: ...


# --- TCP -------------------------------------------------------------------------------

def parse_network_address(address: str) -> tuple[str, int]:
    """`host`, `host:port` or `[ipv6]:port` -> (host, port); port 9100 when omitted."""
    text = address.strip()
    if not text:
        raise ValueError("network printer address is empty; expected host or host:port (e.g. 192.168.1.50:9100)")
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"network printer address {address!r}: expected [ipv6] or [ipv6]:port")
        port_text = rest[1:]
    elif text.count(":") > 1:
        raise ValueError(f"network printer address {address!r}: write IPv6 addresses as [addr]:port")
    else:
        host, _, port_text = text.partition(":")
    if not host:
        raise ValueError(f"network printer address {address!r} has no host")
    if not port_text:
        return host, DEFAULT_TCP_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"network printer address {address!r}: port must be a number from 1 to 65535")
    return host, int(port_text)


class NetworkTransport:
    """Raw TCP to a printer's port 9100, one connection held open while the printer is open."""

    kind = "network"
    can_read = True

    def __init__(self, address: str, *, connect_timeout_s: float = 3.0, write_timeout_s: float = 10.0) -> None:
        self.host, self.port = parse_network_address(address)
        self.connect_timeout_s = connect_timeout_s
        self.write_timeout_s = write_timeout_s
        self._socket: socket.socket | None = None

    @property
    def description(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._socket is not None

    def open(self) -> None:
        self.close()
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        except socket.gaierror as error:
            raise DeviceNotFound(f"{self.description}: host not found ({error.strerror})") from error
        except OSError as error:
            raise TransportError(f"{self.description}: {_reason(error)}") from error
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # status requests are 3 bytes
        self._socket = connection

    def close(self) -> None:
        connection, self._socket = self._socket, None
        if connection is None:
            return
        try:
            # Read what the printer still sent: closing with unread data resets the
            # connection, and a reset can make the printer drop the tail of the job.
            connection.setblocking(False)
            while connection.recv(4096):
                pass
        except OSError:
            pass
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        connection.close()

    def write(self, data: bytes) -> None:
        connection = self._require_open()
        try:
            connection.settimeout(self.write_timeout_s)
            connection.sendall(data)
        except TimeoutError as error:
            raise TransportError(f"{self.description}: printer stopped accepting data "
                                 f"for {self.write_timeout_s:g} s") from error
        except OSError as error:
            raise ConnectionLost(f"{self.description}: {_reason(error)}") from error

    def read(self, max_bytes: int, timeout_s: float) -> bytes:
        connection = self._require_open()
        try:
            connection.settimeout(timeout_s if timeout_s > 0 else 0.0)  # 0: do not wait at all
            data = connection.recv(max_bytes)
        except (TimeoutError, BlockingIOError):
            return b""
        except OSError as error:
            raise ConnectionLost(f"{self.description}: {_reason(error)}") from error
        if not data:
            raise ConnectionLost(f"{self.description}: the printer closed the connection")
        return data

    def _require_open(self) -> socket.socket:
        if self._socket is None:
            raise ConnectionLost(f"{self.description}: not open")
        return self._socket


# --- serial ----------------------------------------------------------------------------

def parse_serial_address(address: str) -> tuple[str, int]:
    """`/dev/ttyUSB0` or `/dev/ttyUSB0:115200` -> (port, baud). Only a numeric tail is a baud rate."""
    text = address.strip()
    if not text:
        raise ValueError("serial printer address is empty; expected a port such as /dev/ttyUSB0 or /dev/ttyS0:19200")
    port, colon, tail = text.rpartition(":")
    if colon and tail.isdigit() and port:
        baud = int(tail)
        if not 50 <= baud <= 4_000_000:
            raise ValueError(f"serial printer address {address!r}: baud rate {baud} is out of range")
        return port, baud
    if colon and not tail:
        raise ValueError(f"serial printer address {address!r}: a baud rate must follow ':'")
    return text, DEFAULT_BAUD


class SerialTransport:
    """A serial port through pyserial (8N1, no flow control unless asked for)."""

    kind = "serial"
    can_read = True

    def __init__(self, address: str, *, rtscts: bool = False, xonxoff: bool = False,
                 write_timeout_s: float = 10.0) -> None:
        self.port, self.baud = parse_serial_address(address)
        self.rtscts = rtscts
        self.xonxoff = xonxoff
        self.write_timeout_s = write_timeout_s
        self._serial = None

    @property
    def description(self) -> str:
        return f"serial://{self.port}@{self.baud}"

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        import serial

        self.close()
        if self.port.startswith("/dev/") and not os.path.exists(self.port):
            raise DeviceNotFound(f"{self.description}: no such port")
        try:
            self._serial = serial.Serial(self.port, self.baud, timeout=0, write_timeout=self.write_timeout_s,
                                         rtscts=self.rtscts, xonxoff=self.xonxoff, exclusive=True)
        except serial.SerialException as error:
            raise TransportError(f"{self.description}: {error}") from error

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except Exception:  # a port whose device vanished may fail to close; it is gone either way
                pass

    def write(self, data: bytes) -> None:
        import serial

        port = self._require_open()
        try:
            # 10 bits per byte on the wire: at 9600 baud a 9 KB raster receipt alone takes 9.5 s.
            port.write_timeout = self.write_timeout_s + 1.5 * len(data) * 10 / self.baud
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as error:
            raise TransportError(f"{self.description}: printer stopped accepting data") from error
        except (serial.SerialException, OSError) as error:
            raise ConnectionLost(f"{self.description}: {error}") from error

    def read(self, max_bytes: int, timeout_s: float) -> bytes:
        import serial

        port = self._require_open()
        try:
            port.timeout = max(timeout_s, 0.0)
            first = port.read(1)  # returns as soon as one byte is there
            if not first:
                return b""
            waiting = min(port.in_waiting, max_bytes - 1)
            return first + (port.read(waiting) if waiting > 0 else b"")
        except (serial.SerialException, OSError) as error:
            raise ConnectionLost(f"{self.description}: {error}") from error

    def _require_open(self):
        if self._serial is None:
            raise ConnectionLost(f"{self.description}: not open")
        return self._serial


# --- USB -------------------------------------------------------------------------------

def parse_usb_address(address: str) -> tuple[int, int]:
    """`0416:5011` (hex vendor:product, as lsusb prints them) -> (vendor, product)."""
    text = address.strip().lower()
    vendor_text, colon, product_text = text.partition(":")
    try:
        if not colon:
            raise ValueError
        vendor, product = int(vendor_text.removeprefix("0x"), 16), int(product_text.removeprefix("0x"), 16)
    except ValueError:
        raise ValueError(f"USB printer address {address!r}: expected vendor:product in hex, e.g. 0416:5011") from None
    if not (0 <= vendor <= 0xFFFF and 0 <= product <= 0xFFFF):
        raise ValueError(f"USB printer address {address!r}: vendor and product ids are 4 hex digits")
    return vendor, product


class UsbTransport:
    """A USB printer-class device through pyusb (libusb), found by vendor:product.

    Written on pyusb directly rather than python-escpos's `Usb`: that class hard-codes
    endpoints 0x01/0x82 (many Chinese printers use others), resets the device on every
    open, and importing it loads python-escpos's whole capabilities database.
    """

    kind = "usb"
    can_read = True

    def __init__(self, address: str, *, write_timeout_s: float = 10.0) -> None:
        self.vendor, self.product = parse_usb_address(address)
        self.write_timeout_s = write_timeout_s
        self._device = None
        self._interface = None
        self._out = None
        self._in = None

    @property
    def description(self) -> str:
        return f"usb://{self.vendor:04x}:{self.product:04x}"

    @property
    def is_open(self) -> bool:
        return self._device is not None

    def open(self) -> None:
        import usb.core
        import usb.util

        self.close()
        try:
            device = usb.core.find(idVendor=self.vendor, idProduct=self.product)
        except usb.core.NoBackendError as error:
            raise DeviceNotFound(f"{self.description}: libusb is not available") from error
        if device is None:
            raise DeviceNotFound(f"{self.description}: no such USB device")
        try:
            configuration = device.get_active_configuration()
        except usb.core.USBError:
            device.set_configuration()
            configuration = device.get_active_configuration()
        interface = (usb.util.find_descriptor(configuration, bInterfaceClass=USB_PRINTER_CLASS)
                     or configuration[(0, 0)])
        try:
            if device.is_kernel_driver_active(interface.bInterfaceNumber):
                device.detach_kernel_driver(interface.bInterfaceNumber)  # usblp holds the printer otherwise
        except (NotImplementedError, usb.core.USBError):
            pass
        try:
            usb.util.claim_interface(device, interface.bInterfaceNumber)
        except usb.core.USBError as error:
            usb.util.dispose_resources(device)
            raise TransportError(f"{self.description}: cannot claim the printer interface ({error})") from error

        def bulk(direction):
            return usb.util.find_descriptor(
                interface, custom_match=lambda endpoint:
                usb.util.endpoint_direction(endpoint.bEndpointAddress) == direction
                and usb.util.endpoint_type(endpoint.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK)

        self._out, self._in = bulk(usb.util.ENDPOINT_OUT), bulk(usb.util.ENDPOINT_IN)
        if self._out is None:
            usb.util.dispose_resources(device)
            raise TransportError(f"{self.description}: the device has no bulk OUT endpoint")
        self._device, self._interface = device, interface.bInterfaceNumber

    def close(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        import usb.util

        try:
            usb.util.release_interface(device, self._interface)
        except Exception:  # an unplugged device cannot be released; dispose anyway
            pass
        usb.util.dispose_resources(device)

    def write(self, data: bytes) -> None:
        import usb.core

        self._require_open()
        try:
            written = self._out.write(data, timeout=int(self.write_timeout_s * 1000))
        except usb.core.USBTimeoutError as error:
            raise TransportError(f"{self.description}: printer stopped accepting data") from error
        except usb.core.USBError as error:
            raise ConnectionLost(f"{self.description}: {error}") from error
        if written != len(data):
            raise TransportError(f"{self.description}: wrote {written} of {len(data)} bytes")

    def read(self, max_bytes: int, timeout_s: float) -> bytes:
        import usb.core

        self._require_open()
        if self._in is None:
            return b""
        try:
            size = max(max_bytes, self._in.wMaxPacketSize)  # reading less than a packet overflows
            return bytes(self._in.read(size, timeout=max(1, int(timeout_s * 1000))))[:max_bytes]
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as error:
            if error.errno == errno.ETIMEDOUT:
                return b""
            raise ConnectionLost(f"{self.description}: {error}") from error

    def _require_open(self) -> None:
        if self._device is None:
            raise ConnectionLost(f"{self.description}: not open")


# --- file / device node ----------------------------------------------------------------

class FileTransport:
    """Appends bytes to a file (capture) or a device node (/dev/usb/lp0); write-only."""

    kind = "file"
    can_read = False

    def __init__(self, path: str | os.PathLike) -> None:
        text = str(path).strip()
        if not text:
            raise ValueError("file printer address is empty; expected a path such as /dev/usb/lp0")
        self.path = Path(text)
        self._file = None

    @property
    def description(self) -> str:
        return f"file://{self.path}"

    @property
    def is_open(self) -> bool:
        return self._file is not None

    def open(self) -> None:
        self.close()
        if str(self.path).startswith("/dev/") and not self.path.exists():
            raise DeviceNotFound(f"{self.description}: no such device node")
        try:
            self._file = open(self.path, "ab", buffering=0)
        except FileNotFoundError as error:
            raise DeviceNotFound(f"{self.description}: {error.strerror}") from error
        except OSError as error:
            raise TransportError(f"{self.description}: {error.strerror or error}") from error

    def close(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ConnectionLost(f"{self.description}: not open")
        view = memoryview(data)
        try:
            while view:
                written = self._file.write(view)
                view = view[written or 0:]
                if written == 0:
                    select.select([], [self._file], [], 1.0)  # a device node that is momentarily full
        except OSError as error:
            raise ConnectionLost(f"{self.description}: {error.strerror or error}") from error

    def read(self, max_bytes: int, timeout_s: float) -> bytes:
        return b""


# --- factory ---------------------------------------------------------------------------

_DRIVERS = {"network": NetworkTransport, "tcp": NetworkTransport, "serial": SerialTransport,
            "usb": UsbTransport, "file": FileTransport}


def transport_for(driver: str, address: str) -> Transport:
    """The transport a printer configuration names: driver network|tcp|serial|usb|file plus its address."""
    key = (driver or "").strip().lower()
    factory = _DRIVERS.get(key)
    if factory is None:
        raise ValueError(f"unknown receipt printer driver {driver!r}; expected one of "
                         f"{', '.join(sorted(_DRIVERS))}")
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"receipt printer driver {key!r} needs an address "
                         f"(network: host:port, serial: /dev/ttyUSB0[:baud], usb: vid:pid, file: path)")
    return factory(address)


def _reason(error: OSError) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    return error.strerror or str(error) or type(error).__name__
