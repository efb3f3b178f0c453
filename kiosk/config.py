"""Typed, validated kiosk configuration from TOML.

`config/default.toml` holds every key with its default; a profile file
(`config/<profile>.toml`, or any path) overrides some of them. Both are parsed with
tomllib and checked against the dataclasses below: an unknown key, a wrong type or
a value out of range raises `ConfigError` naming the file, the dotted key and the
reason, so a bad file stops the kiosk at start with one clear line.

Plain dataclasses rather than pydantic keep start-up fast (the attract screen must
show within 0.5 s of process start).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from kiosk.clock import DEFAULT_TIME_ZONE, TerminalClock, load_zone

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = "default.toml"
DEVICE_CLASSES = ("card_reader", "qr_scanner", "receipt_printer", "document_printer")
COLOUR_NAMES = ("primary", "primary_active", "primary_tint", "background", "surface", "text", "text_on_primary",
                "muted", "warning", "danger")
PIN_HASH_PATTERN = r"pbkdf2-sha256\$\d{5,7}\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{40,64}"
SECRET_ENV_VAR = "KIOSK_TERMINAL_SECRET"


class ConfigError(Exception):
    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = str(file)
        self.key = key
        self.reason = reason


def _check(condition: bool, key: str, reason: str, because: str | None = None) -> None:
    """`because` names the other key of a cross-field rule (the driver that needs an address)."""
    if not condition:
        raise _FieldProblem(key, reason, because)


class _FieldProblem(Exception):
    """Raised inside validation; turned into ConfigError with the file that set the key."""

    def __init__(self, key: str, reason: str, because: str | None = None) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.because = because


# --- sections ----------------------------------------------------------------------

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
        _check(bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}", self.id)), "terminal.id",
               "must be 3-64 letters, digits, '-' or '_'")
        try:
            load_zone(self.time_zone)
        except ValueError as error:
            raise _FieldProblem("terminal.time_zone", str(error)) from None


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
        _check(not self.verify_url or bool(re.fullmatch(r"https?://[^\s?#]+", self.verify_url)),
               "backoffice.verify_url", "must be an http:// or https:// URL")
        if not self.embedded:
            _check(bool(re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.url)), "backoffice.url",
                   "must be an http:// or https:// URL")
        _check(0 < self.connect_timeout_s <= 60, "backoffice.connect_timeout_s", "must be > 0 and <= 60 seconds")
        _check(0 < self.read_timeout_s <= 120, "backoffice.read_timeout_s", "must be > 0 and <= 120 seconds")
        _check(0 <= self.retries <= 5, "backoffice.retries", "must be 0..5")
        _check(0 <= self.retry_backoff_s <= 10, "backoffice.retry_backoff_s", "must be 0..10 seconds")
        _check(bool(self.client_cert_file) == bool(self.client_key_file), "backoffice.client_key_file",
               "client_cert_file and client_key_file go together (mutual TLS)")


@dataclasses.dataclass(frozen=True)
class SessionSettings:
    idle_timeout_s: int = 120
    warning_s: int = 30
    max_extensions: int = 10

    def validate(self) -> None:
        _check(30 <= self.idle_timeout_s <= 1800, "session.idle_timeout_s", "must be 30..1800 seconds")
        _check(20 <= self.warning_s < self.idle_timeout_s, "session.warning_s",
               "must be at least 20 seconds and shorter than the idle timeout")
        _check(10 <= self.max_extensions <= 100, "session.max_extensions", "must be 10..100")


@dataclasses.dataclass(frozen=True)
class CardReaderSettings:
    driver: Literal["simulator", "pcsc", "vendor_library", "none"] = "simulator"
    reader_pattern: str = ""
    contactless: bool = False
    library_path: str = ""
    transmit_timeout_s: float = 5.0  # longest wait for one card answer (a mute card must not hang the kiosk)

    def validate(self) -> None:
        _check(0.5 <= self.transmit_timeout_s <= 60, "devices.card_reader.transmit_timeout_s", "must be 0.5..60 seconds")
        if self.reader_pattern:
            try:
                re.compile(self.reader_pattern)
            except re.error as error:
                raise _FieldProblem("devices.card_reader.reader_pattern", f"not a valid regular expression ({error})")
        _check(self.driver != "vendor_library" or bool(self.library_path), "devices.card_reader.library_path",
               "required when driver = \"vendor_library\"", because="devices.card_reader.driver")


@dataclasses.dataclass(frozen=True)
class QrScannerSettings:
    driver: Literal["simulator", "serial", "hid_wedge", "none"] = "simulator"
    port: str = ""
    baud: int = 9600
    terminator: Literal["CR", "LF", "CRLF"] = "CR"
    wedge_max_interkey_ms: int = 35  # hid_wedge: keys closer than this are a scanner, not a person

    def validate(self) -> None:
        _check(5 <= self.wedge_max_interkey_ms <= 100, "devices.qr_scanner.wedge_max_interkey_ms",
               "must be 5..100 milliseconds")
        _check(self.baud in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200), "devices.qr_scanner.baud",
               "must be a standard rate (1200..115200)")
        _check(self.driver != "serial" or bool(self.port), "devices.qr_scanner.port",
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
        _check(self.driver in ("simulator", "none") or bool(self.address), "devices.receipt_printer.address",
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
        _check(self.driver != "cups" or bool(self.cups_queue), "devices.document_printer.cups_queue",
               "required when driver = \"cups\"", because="devices.document_printer.driver")
        for index, item in enumerate(self.seal_images):
            office, _, path = item.partition("=")
            _check(bool(office.strip()) and bool(path.strip()), f"devices.document_printer.seal_images[{index}]",
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
        _check(0.2 <= self.recovery_interval_s <= 60, "devices.recovery_interval_s", "must be 0.2..60 seconds")
        unknown = [name for name in self.required if name not in DEVICE_CLASSES]
        _check(not unknown, "devices.required", f"unknown device {unknown!r}; known: {', '.join(DEVICE_CLASSES)}")
        off = [name for name in self.required if getattr(self, name).driver == "none"]
        _check(not off, "devices.required", f"{', '.join(off)} is required but its driver is \"none\"")


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
        _check(not unknown, "services.enabled", f"unknown service {unknown!r}; known: {', '.join(known)}")
        _check(len(set(self.enabled)) == len(self.enabled), "services.enabled", "lists a service twice")


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
            _check(not value or bool(re.fullmatch(r"#[0-9A-Fa-f]{6}", value)), f"ui.colours.{name}",
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
        _check(1.2 <= self.elder_scale <= 2.5, "ui.elder_scale", "must be 1.2..2.5")
        _check(0.05 <= self.mm_per_pixel <= 1.0, "ui.mm_per_pixel", "must be 0.05..1.0 mm")
        _check(0 < len(self.branding_zh) <= 40 and 0 < len(self.branding_en) <= 60, "ui.branding_zh",
               "branding names must be 1..40 (zh) and 1..60 (en) characters")
        _check(not self.logo or self.logo.lower().endswith((".png", ".svg")), "ui.logo",
               "must be a .png or .svg file")


@dataclasses.dataclass(frozen=True)
class TechnicianSettings:
    pin_hash: str = dataclasses.field(default="", repr=False)  # `kiosk technician hash-pin`; "" = mode disabled
    max_failures: int = 5
    lockout_s: int = 300
    gesture_hold_s: float = 3.0      # long press in the top-left corner of the idle screen
    maintenance_key: str = "F12"     # a key on the service keyboard inside the cabinet; "" = none

    def validate(self) -> None:
        _check(not self.pin_hash or bool(re.fullmatch(PIN_HASH_PATTERN, self.pin_hash)), "technician.pin_hash",
               "must be a hash made by `kiosk technician hash-pin` (pbkdf2-sha256$iterations$salt$hash)")
        _check(3 <= self.max_failures <= 10, "technician.max_failures", "must be 3..10")
        _check(60 <= self.lockout_s <= 86400, "technician.lockout_s", "must be 60..86400 seconds")
        _check(1.5 <= self.gesture_hold_s <= 10, "technician.gesture_hold_s", "must be 1.5..10 seconds")
        _check(not self.maintenance_key or bool(re.fullmatch(r"F([1-9]|1[0-9]|2[0-4])", self.maintenance_key)),
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
        _check(30 <= self.retention_days <= 3650, "journal.retention_days", "must be 30..3650 days")


@dataclasses.dataclass(frozen=True)
class OutboxSettings:
    retry_interval_s: float = 15.0   # first retry after a failed send; doubles up to max_backoff_s
    max_backoff_s: float = 600.0

    def validate(self) -> None:
        _check(1 <= self.retry_interval_s <= 600, "outbox.retry_interval_s", "must be 1..600 seconds")
        _check(self.retry_interval_s <= self.max_backoff_s <= 3600, "outbox.max_backoff_s",
               "must be retry_interval_s..3600 seconds")


@dataclasses.dataclass(frozen=True)
class HeartbeatSettings:
    interval_s: int = 60             # 0 = no heartbeat
    prometheus_port: int = 0         # 0 = off; otherwise served on 127.0.0.1 only

    def validate(self) -> None:
        _check(self.interval_s == 0 or 5 <= self.interval_s <= 3600, "heartbeat.interval_s",
               "must be 0 (off) or 5..3600 seconds")
        _check(self.prometheus_port == 0 or 1024 <= self.prometheus_port <= 65535, "heartbeat.prometheus_port",
               "must be 0 (off) or 1024..65535")


@dataclasses.dataclass(frozen=True)
class SpeechSettings:
    enabled: bool = True
    rate_wpm: int = 150
    volume: float = 0.9

    def validate(self) -> None:
        _check(80 <= self.rate_wpm <= 300, "speech.rate_wpm", "must be 80..300")
        _check(0.0 <= self.volume <= 1.0, "speech.volume", "must be 0.0..1.0")


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


# --- loading -----------------------------------------------------------------------

def _merge(base: dict, override: dict, origin: dict[str, Path], file: Path, prefix: str = "") -> dict:
    """Deep-merge `override` into a copy of `base`, remembering which file set each key."""
    merged = dict(base)
    for key, value in override.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, origin, file, dotted + ".")
        else:
            merged[key] = value
            origin[dotted] = file
            if isinstance(value, dict):
                _record_origin(value, origin, file, dotted + ".")
    return merged


def _record_origin(table: dict, origin: dict[str, Path], file: Path, prefix: str) -> None:
    for key, value in table.items():
        origin[f"{prefix}{key}"] = file
        if isinstance(value, dict):
            _record_origin(value, origin, file, f"{prefix}{key}.")


def _convert(value: object, annotation: object, key: str) -> object:
    origin = typing.get_origin(annotation)
    if dataclasses.is_dataclass(annotation):
        _check(isinstance(value, dict), key, "must be a table")
        return _build(annotation, value, key + ".")
    if origin is Literal:
        choices = typing.get_args(annotation)
        _check(value in choices and type(value) is type(choices[0]), key,
               f"must be one of {', '.join(repr(choice) for choice in choices)} (got {value!r})")
        return value
    if origin is tuple:
        item_type = typing.get_args(annotation)[0]
        _check(isinstance(value, list), key, "must be a list")
        return tuple(_convert(item, item_type, f"{key}[{index}]") for index, item in enumerate(value))
    if annotation is bool:
        _check(isinstance(value, bool), key, f"must be true or false (got {value!r})")
        return value
    if annotation is int:
        _check(isinstance(value, int) and not isinstance(value, bool), key, f"must be a whole number (got {value!r})")
        return value
    if annotation is float:
        _check(isinstance(value, (int, float)) and not isinstance(value, bool), key, f"must be a number (got {value!r})")
        return float(value)
    if annotation is str:
        _check(isinstance(value, str), key, f"must be a string (got {value!r})")
        _check(len(value) <= 4096, key, "is longer than 4096 characters")
        return value
    raise TypeError(f"unsupported config annotation {annotation!r} at {key}")


def _build(cls: type, table: dict, prefix: str = ""):
    hints = typing.get_type_hints(cls)
    fields = {field.name: field for field in dataclasses.fields(cls) if field.init and field.name != "base_dir"}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise _FieldProblem(prefix + unknown[0], "unknown key (check the spelling)")
    values = {}
    for name, field in fields.items():
        key = prefix + name
        if name in table:
            values[name] = _convert(table[name], hints[name], key)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            if dataclasses.is_dataclass(hints[name]):
                values[name] = _build(hints[name], {}, key + ".")
            else:
                raise _FieldProblem(key, "is required")
    instance = cls(**values)
    validate = getattr(instance, "validate", None)
    if validate:
        validate()
    return instance


MAX_CONFIG_BYTES = 1 * 2**20
MAX_DEPTH = 12   # the deepest real key is devices.card_reader.x (3); arrays and inline tables count too


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, "-", "file not found") from None
    except OSError as error:
        raise ConfigError(path, "-", f"cannot be read ({error})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(path, "-", f"is larger than {MAX_CONFIG_BYTES // 2**20} MiB")
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(path, "-", f"cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "-", f"not valid TOML ({error})") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(path, "-", f"not valid TOML (nested deeper than {MAX_DEPTH} levels)") from None
    deep = _too_deep(parsed)
    if deep:
        raise ConfigError(path, deep, f"nested deeper than {MAX_DEPTH} levels")
    return parsed


def _too_deep(data: dict) -> str:
    """The first key nested deeper than MAX_DEPTH ("" when none), found without recursion.

    Dotted keys (`a.b.c... = 1`) and table headers parse without recursion however deep
    they go, so the walk that merges and checks the tables must not meet them unbounded.
    """
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            return key if len(key) <= 60 else key[:57] + "..."
        if isinstance(value, dict):
            stack.extend((item, f"{key}.{name}" if key else str(name), depth + 1) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{key}[{index}]", depth + 1) for index, item in enumerate(value))
    return ""


def profile_path(profile: str, config_dir: Path = CONFIG_DIR) -> Path:
    """A profile name (`demo`) names `config/demo.toml`; anything with a slash or suffix is a path."""
    if "/" in profile or profile.endswith(".toml"):
        return Path(profile)
    return config_dir / f"{profile}.toml"


def load_settings(profile: str, config_dir: Path = CONFIG_DIR) -> KioskSettings:
    return load_with_origins(profile, config_dir)[0]


def load_with_origins(profile: str, config_dir: Path = CONFIG_DIR) -> tuple[KioskSettings, dict[str, Path], Path, Path]:
    """The settings, which file set each key, the profile file and the default file."""
    default_file = config_dir / DEFAULT_FILE
    profile_file = profile_path(profile, config_dir)
    origin: dict[str, Path] = {}
    merged = _merge({}, _read_toml(default_file), origin, default_file)
    if profile_file.resolve() != default_file.resolve():
        merged = _merge(merged, _read_toml(profile_file), origin, profile_file)
    merged.setdefault("profile", profile_file.stem)
    origin.setdefault("profile", profile_file)
    try:
        settings = _build(KioskSettings, merged)
    except _FieldProblem as problem:
        # A cross-field rule is reported in the profile when the profile set either key.
        files = [origin_of(key, origin, profile_file) for key in (problem.key, problem.because) if key]
        file = next((candidate for candidate in files if candidate != default_file), files[0])
        raise ConfigError(file, problem.key, problem.reason) from None
    settings = dataclasses.replace(settings, base_dir=config_dir.resolve().parent)
    problem = _asset_problem(settings)
    if problem:
        raise ConfigError(origin_of("ui.logo", origin, profile_file), "ui.logo", problem)
    return settings, origin, profile_file, default_file


# --- deployment checks (`kiosk config check`) --------------------------------------

MAX_LOGO_BYTES = 2 * 2**20


def _asset_problem(settings: KioskSettings) -> str:
    """A named asset must exist and look like what its name says (checked at start, not when first drawn)."""
    if not settings.ui.logo:
        return ""
    path = settings.resolve_path(settings.ui.logo)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as error:
        return f"logo file {path} cannot be read ({error.strerror or error})"
    if size > MAX_LOGO_BYTES:
        return f"logo file {path} is larger than {MAX_LOGO_BYTES // 2**20} MiB"
    if path.suffix.lower() == ".png" and not head.startswith(b"\x89PNG\r\n\x1a\n"):
        return f"logo file {path} is not a PNG image"
    if path.suffix.lower() == ".svg" and b"<svg" not in head.lower() and b"<?xml" not in head.lower():
        return f"logo file {path} is not an SVG image"
    return ""


def origin_of(key: str, origin: dict[str, Path], fallback: Path) -> Path:
    """The file that set `key` or, failing that, its closest parent table."""
    probe = key.split("[")[0]
    while probe:
        if probe in origin:
            return origin[probe]
        probe = probe.rpartition(".")[0]
    return fallback
