"""Typed, validated kiosk configuration from TOML: which files, and the settings they make.

`config/default.toml` holds every key with its default; a profile file
(`config/<profile>.toml`, or any path) overrides some of them. Both are read by
kiosk/config_toml.py and checked against the sections of kiosk/config_sections.py: an
unknown key, a wrong type or a value out of range raises `ConfigError` naming the file,
the dotted key and the reason, so a bad file stops the kiosk at start with one clear
line (docs/operator-guide.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

# The sections and ConfigError are imported from here all over the kiosk: this module is
# the configuration's one front door.
from kiosk.config_sections import (COLOUR_NAMES, DEVICE_CLASSES, PIN_HASH_PATTERN, SECRET_ENV_VAR,
                                   BackofficeSettings, CardReaderSettings, ColourSettings, DeviceSettings,
                                   DocumentPrinterSettings, FieldProblem, HeartbeatSettings, JournalSettings,
                                   KioskSettings, LoggingSettings, OutboxSettings, QrScannerSettings,
                                   ReceiptPrinterSettings, ServiceSettings, SessionSettings, SpeechSettings,
                                   StorageSettings, TechnicianSettings, TerminalSettings, UiSettings,
                                   built_in_service_names)
from kiosk.config_toml import ConfigError, build, merge, read_toml

__all__ = ["CONFIG_DIR", "DEFAULT_FILE", "MAX_LOGO_BYTES", "ConfigError", "load_settings", "load_with_origins",
           "origin_of", "profile_path",
           "COLOUR_NAMES", "DEVICE_CLASSES", "PIN_HASH_PATTERN", "SECRET_ENV_VAR", "BackofficeSettings",
           "CardReaderSettings", "ColourSettings", "DeviceSettings", "DocumentPrinterSettings", "HeartbeatSettings",
           "JournalSettings", "KioskSettings", "LoggingSettings", "OutboxSettings", "QrScannerSettings",
           "ReceiptPrinterSettings", "ServiceSettings", "SessionSettings", "SpeechSettings", "StorageSettings",
           "TechnicianSettings", "TerminalSettings", "UiSettings", "built_in_service_names"]

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = "default.toml"


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
    merged = merge({}, read_toml(default_file), origin, default_file)
    if profile_file.resolve() != default_file.resolve():
        merged = merge(merged, read_toml(profile_file), origin, profile_file)
    merged.setdefault("profile", profile_file.stem)
    origin.setdefault("profile", profile_file)
    try:
        settings = build(KioskSettings, merged)
    except FieldProblem as problem:
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
