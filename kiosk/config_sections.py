"""The configuration's sections: one frozen dataclass a TOML table, each checking its own values.

`validate()` on each section checks ranges, formats and cross-field rules and raises
`FieldProblem` naming the dotted key; kiosk/config_toml.py builds the sections from the
merged tables and kiosk/config.py turns a problem into a `ConfigError` naming the file
that set the key. Every key and its default is in `config/default.toml`; the operator's
view of them is docs/operator-guide.md.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from kiosk.clock import DEFAULT_TIME_ZONE, TerminalClock, load_zone

DEVICE_CLASSES = ("card_reader", "qr_scanner", "receipt_printer", "document_printer")
COLOUR_NAMES = ("primary", "primary_active", "primary_tint", "background", "surface", "text", "text_on_primary",
                "muted", "warning", "danger")
PIN_HASH_PATTERN = r"pbkdf2-sha256\$\d{5,7}\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{40,64}"
SECRET_ENV_VAR = "KIOSK_TERMINAL_SECRET"


class FieldProblem(Exception):
    """Raised inside validation; turned into ConfigError with the file that set the key."""

    def __init__(self, key: str, reason: str, because: str | None = None) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.because = because


def check(condition: bool, key: str, reason: str, because: str | None = None) -> None:
    """`because` names the other key of a cross-field rule (the driver that needs an address)."""
    if not condition:
        raise FieldProblem(key, reason, because)


@dataclasses.dataclass(frozen=True)
class TerminalSettings:
    id: str
    secret: str = dataclasses.field(default="", repr=False)
    secret_file: str = ""
    language: Literal["zh", "en"] = "zh"
    # Every time a citizen reads (screens, receipts, certificates, speech, journal display) is
    # shown in this IANA zone, whatever the host's zone is.
    time_zone: str = DEFAULT_TIME_ZONE

    def validate(self) -> None:
        check(bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}", self.id)), "terminal.id",
               "must be 3-64 letters, digits, '-' or '_'")
        try:
            load_zone(self.time_zone)
        except ValueError as error:
            raise FieldProblem("terminal.time_zone", str(error)) from None


@dataclasses.dataclass(frozen=True)
class BackofficeSettings:
    url: str
    embedded: bool = False
    verify_tls: bool = True
    ca_file: str = ""
    client_cert_file: str = ""
    client_key_file: str = ""
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    retries: int = 2
    retry_backoff_s: float = 0.3
    verify_url: str = ""  # public certificate check printed as the QR; empty: the back-office URL

    def validate(self) -> None:
        check(not self.verify_url or bool(re.fullmatch(r"https?://[^\s?#]+", self.verify_url)),
               "backoffice.verify_url", "must be an http:// or https:// URL")
        if not self.embedded:
            check(bool(re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.url)), "backoffice.url",
                   "must be an http:// or https:// URL")
        check(0 < self.connect_timeout_s <= 60, "backoffice.connect_timeout_s", "must be > 0 and <= 60 seconds")
        check(0 < self.read_timeout_s <= 120, "backoffice.read_timeout_s", "must be > 0 and <= 120 seconds")
        check(0 <= self.retries <= 5, "backoffice.retries", "must be 0..5")
        check(0 <= self.retry_backoff_s <= 10, "backoffice.retry_backoff_s", "must be 0..10 seconds")
        check(bool(self.client_cert_file) == bool(self.client_key_file), "backoffice.client_key_file",
               "client_cert_file and client_key_file go together (mutual TLS)")


@dataclasses.dataclass(frozen=True)
class SessionSettings:
    idle_timeout_s: int = 120
    warning_s: int = 30
    max_extensions: int = 10

    def validate(self) -> None:
        check(30 <= self.idle_timeout_s <= 1800, "session.idle_timeout_s", "must be 30..1800 seconds")
        check(20 <= self.warning_s < self.idle_timeout_s, "session.warning_s",
               "must be at least 20 seconds and shorter than the idle timeout")
        check(10 <= self.max_extensions <= 100, "session.max_extensions", "must be 10..100")


@dataclasses.dataclass(frozen=True)
class CardReaderSettings:
    driver: Literal["simulator", "pcsc", "vendor_library", "none"] = "simulator"
    reader_pattern: str = ""
    contactless: bool = False
    library_path: str = ""
    transmit_timeout_s: float = 5.0  # longest wait for one card answer (a mute card must not hang the kiosk)

    def validate(self) -> None:
        check(0.5 <= self.transmit_timeout_s <= 60, "devices.card_reader.transmit_timeout_s", "must be 0.5..60 seconds")
        if self.reader_pattern:
            try:
                re.compile(self.reader_pattern)
            except re.error as error:
                raise FieldProblem("devices.card_reader.reader_pattern", f"not a valid regular expression ({error})")
        check(self.driver != "vendor_library" or bool(self.library_path), "devices.card_reader.library_path",
               "required when driver = \"vendor_library\"", because="devices.card_reader.driver")


@dataclasses.dataclass(frozen=True)
class QrScannerSettings:
    driver: Literal["simulator", "serial", "hid_wedge", "none"] = "simulator"
    port: str = ""
    baud: int = 9600
    terminator: Literal["CR", "LF", "CRLF"] = "CR"
    wedge_max_interkey_ms: int = 35  # hid_wedge: keys closer than this are a scanner, not a person

    def validate(self) -> None:
        check(5 <= self.wedge_max_interkey_ms <= 100, "devices.qr_scanner.wedge_max_interkey_ms",
               "must be 5..100 milliseconds")
        check(self.baud in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200), "devices.qr_scanner.baud",
               "must be a standard rate (1200..115200)")
        check(self.driver != "serial" or bool(self.port), "devices.qr_scanner.port",
               "required when driver = \"serial\"", because="devices.qr_scanner.driver")


@dataclasses.dataclass(frozen=True)
class ReceiptPrinterSettings:
    driver: Literal["simulator", "network", "usb", "serial", "file", "none"] = "simulator"
    address: str = ""
    width_mm: Literal[58, 80] = 80
    native_qr: bool = True           # false: send the QR as a raster image (printers without GS ( k)
    # What the printer's built-in Chinese font covers; a line with other characters (a rare
    # GB 18030 name character) is printed as an image of that line.
    font_charset: Literal["gb2312", "gbk", "gb18030"] = "gbk"
    header_zh: str = ""
    header_en: str = ""

    def validate(self) -> None:
        check(self.driver in ("simulator", "none") or bool(self.address), "devices.receipt_printer.address",
               f"required when driver = \"{self.driver}\"", because="devices.receipt_printer.driver")


@dataclasses.dataclass(frozen=True)
class DocumentPrinterSettings:
    driver: Literal["simulator", "pdf", "cups", "none"] = "simulator"
    cups_queue: str = ""
    output_dir: str = "var/certificates"
    # An issuing office's own seal image (PNG with transparency) as "OFFICE NAME=PATH"; a
    # certificate from an office not listed carries the drawn seal (name along the ring).
    seal_images: tuple[str, ...] = ()

    def validate(self) -> None:
        check(self.driver != "cups" or bool(self.cups_queue), "devices.document_printer.cups_queue",
               "required when driver = \"cups\"", because="devices.document_printer.driver")
        for index, item in enumerate(self.seal_images):
            office, _, path = item.partition("=")
            check(bool(office.strip()) and bool(path.strip()), f"devices.document_printer.seal_images[{index}]",
                   f"must be \"OFFICE NAME=PATH\" (got {item!r})")

    def seal_image_paths(self) -> dict[str, str]:
        """Issuing office name -> image path, as configured."""
        return {office.strip(): path.strip() for office, _, path in
                (item.partition("=") for item in self.seal_images)}


@dataclasses.dataclass(frozen=True)
class DeviceSettings:
    card_reader: CardReaderSettings
    qr_scanner: QrScannerSettings
    receipt_printer: ReceiptPrinterSettings
    document_printer: DocumentPrinterSettings
    recovery_interval_s: float = 2.0  # how often a vanished device is looked for again
    # Devices without which the terminal shows "out of service" rather than a reduced menu.
    required: tuple[str, ...] = ("card_reader",)

    def validate(self) -> None:
        check(0.2 <= self.recovery_interval_s <= 60, "devices.recovery_interval_s", "must be 0.2..60 seconds")
        unknown = [name for name in self.required if name not in DEVICE_CLASSES]
        check(not unknown, "devices.required", f"unknown device {unknown!r}; known: {', '.join(DEVICE_CLASSES)}")
        off = [name for name in self.required if getattr(self, name).driver == "none"]
        check(not off, "devices.required", f"{', '.join(off)} is required but its driver is \"none\"")


def built_in_service_names() -> tuple[str, ...]:
    """The services the registry offers (kiosk/services/): what `services.enabled` may name."""
    from kiosk.services import built_in_services

    return tuple(service.name for service in built_in_services())


@dataclasses.dataclass(frozen=True)
class ServiceSettings:
    enabled: tuple[str, ...] = dataclasses.field(default_factory=built_in_service_names)

    def validate(self) -> None:
        known = built_in_service_names()
        unknown = [name for name in self.enabled if name not in known]
        check(not unknown, "services.enabled", f"unknown service {unknown!r}; known: {', '.join(known)}")
        check(len(set(self.enabled)) == len(self.enabled), "services.enabled", "lists a service twice")


@dataclasses.dataclass(frozen=True)
class ColourSettings:
    """Brand colours as #RRGGBB; "" keeps the theme's default. Contrast is checked when the theme is built."""

    primary: str = ""
    primary_active: str = ""
    primary_tint: str = ""
    background: str = ""
    surface: str = ""
    text: str = ""
    text_on_primary: str = ""
    muted: str = ""
    warning: str = ""
    danger: str = ""

    def validate(self) -> None:
        for name in COLOUR_NAMES:
            value = getattr(self, name)
            check(not value or bool(re.fullmatch(r"#[0-9A-Fa-f]{6}", value)), f"ui.colours.{name}",
                   f"must be a colour like \"#0A4A8F\" (got {value!r})")

    def overrides(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in COLOUR_NAMES if getattr(self, name)}


@dataclasses.dataclass(frozen=True)
class UiSettings:
    colours: ColourSettings
    fullscreen: bool = True
    frameless: bool = True
    stay_on_top: bool = True
    hide_cursor: bool = False        # touch terminals: no mouse pointer on screen
    branding_zh: str = "社会保险自助服务"
    branding_en: str = "Social Insurance Self-Service"
    logo: str = ""                   # PNG or SVG under the installation directory; "" = the name alone
    elder_scale: float = 1.4
    mm_per_pixel: float = 0.248
    shuffle_pin_keypad: bool = False

    def validate(self) -> None:
        check(1.2 <= self.elder_scale <= 2.5, "ui.elder_scale", "must be 1.2..2.5")
        check(0.05 <= self.mm_per_pixel <= 1.0, "ui.mm_per_pixel", "must be 0.05..1.0 mm")
        check(0 < len(self.branding_zh) <= 40 and 0 < len(self.branding_en) <= 60, "ui.branding_zh",
               "branding names must be 1..40 (zh) and 1..60 (en) characters")
        check(not self.logo or self.logo.lower().endswith((".png", ".svg")), "ui.logo",
               "must be a .png or .svg file")


@dataclasses.dataclass(frozen=True)
class TechnicianSettings:
    pin_hash: str = dataclasses.field(default="", repr=False)  # `kiosk technician hash-pin`; "" = mode disabled
    max_failures: int = 5
    lockout_s: int = 300
    gesture_hold_s: float = 3.0      # long press in the top-left corner of the idle screen
    maintenance_key: str = "F12"     # a key on the service keyboard inside the cabinet; "" = none

    def validate(self) -> None:
        check(not self.pin_hash or bool(re.fullmatch(PIN_HASH_PATTERN, self.pin_hash)), "technician.pin_hash",
               "must be a hash made by `kiosk technician hash-pin` (pbkdf2-sha256$iterations$salt$hash)")
        check(3 <= self.max_failures <= 10, "technician.max_failures", "must be 3..10")
        check(60 <= self.lockout_s <= 86400, "technician.lockout_s", "must be 60..86400 seconds")
        check(1.5 <= self.gesture_hold_s <= 10, "technician.gesture_hold_s", "must be 1.5..10 seconds")
        check(not self.maintenance_key or bool(re.fullmatch(r"F([1-9]|1[0-9]|2[0-4])", self.maintenance_key)),
               "technician.maintenance_key", "must be a function key F1..F24, or \"\"")


@dataclasses.dataclass(frozen=True)
class StorageSettings:
    # Journal, outbox, counters and technician lockout (SQLite files). "" = a fresh temporary
    # directory per run (the demo, whose embedded back office also starts fresh).
    directory: str = "var/state"


@dataclasses.dataclass(frozen=True)
class JournalSettings:
    retention_days: int = 365

    def validate(self) -> None:
        check(30 <= self.retention_days <= 3650, "journal.retention_days", "must be 30..3650 days")


@dataclasses.dataclass(frozen=True)
class OutboxSettings:
    retry_interval_s: float = 15.0   # first retry after a failed send; doubles up to max_backoff_s
    max_backoff_s: float = 600.0

    def validate(self) -> None:
        check(1 <= self.retry_interval_s <= 600, "outbox.retry_interval_s", "must be 1..600 seconds")
        check(self.retry_interval_s <= self.max_backoff_s <= 3600, "outbox.max_backoff_s",
               "must be retry_interval_s..3600 seconds")


@dataclasses.dataclass(frozen=True)
class HeartbeatSettings:
    interval_s: int = 60             # 0 = no heartbeat
    prometheus_port: int = 0         # 0 = off; otherwise served on 127.0.0.1 only

    def validate(self) -> None:
        check(self.interval_s == 0 or 5 <= self.interval_s <= 3600, "heartbeat.interval_s",
               "must be 0 (off) or 5..3600 seconds")
        check(self.prometheus_port == 0 or 1024 <= self.prometheus_port <= 65535, "heartbeat.prometheus_port",
               "must be 0 (off) or 1024..65535")


@dataclasses.dataclass(frozen=True)
class SpeechSettings:
    enabled: bool = True
    rate_wpm: int = 150
    volume: float = 0.9

    def validate(self) -> None:
        check(80 <= self.rate_wpm <= 300, "speech.rate_wpm", "must be 80..300")
        check(0.0 <= self.volume <= 1.0, "speech.volume", "must be 0.0..1.0")


@dataclasses.dataclass(frozen=True)
class LoggingSettings:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    directory: str = "var/log"


@dataclasses.dataclass(frozen=True)
class KioskSettings:
    profile: str
    terminal: TerminalSettings
    backoffice: BackofficeSettings
    session: SessionSettings
    devices: DeviceSettings
    services: ServiceSettings
    ui: UiSettings
    speech: SpeechSettings
    logging: LoggingSettings
    technician: TechnicianSettings
    storage: StorageSettings
    journal: JournalSettings
    outbox: OutboxSettings
    heartbeat: HeartbeatSettings
    # Relative paths in the files resolve against the installation directory (config/'s parent).
    base_dir: Path = dataclasses.field(default=Path("."), compare=False)

    def resolve_path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    def terminal_secret(self) -> str:
        """The signing secret: environment variable, then secret_file, then inline secret."""
        from_env = os.environ.get(SECRET_ENV_VAR, "")
        if from_env:
            return from_env
        if self.terminal.secret_file:
            return self.resolve_path(self.terminal.secret_file).read_text(encoding="utf-8").strip()
        return self.terminal.secret

    def terminal_clock(self, utc_now: Callable | None = None) -> TerminalClock:
        """The wall clock of the hall (`terminal.time_zone`), for everything a citizen reads."""
        return TerminalClock.named(self.terminal.time_zone, utc_now)

    @property
    def is_demo(self) -> bool:
        """A demo runs its own embedded back office; the deployment checks apply to every other profile."""
        return self.backoffice.embedded
