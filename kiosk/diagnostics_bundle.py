"""The diagnostics bundle: one zip a technician carries away for the support desk.

It holds the configuration (secrets hidden), device states, health checks, counters,
journal entries, the connectivity report, the tails of the log files and a short
system description. The bundle leaves the kiosk, so every text in it goes through
`kiosk.redaction.redact`, and a last check refuses to write it at all if anything
shaped like a full citizen id number survived. The zip appears atomically: a reader
never sees half a bundle, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import re
import sys
import zipfile
from pathlib import Path

from kiosk.atomic_file import replaced_atomically
from kiosk.config import KioskSettings
from kiosk.config_view import settings_rows
from kiosk.contract.identifiers import is_valid_ssn
from kiosk.redaction import redact, tail_lines

MAX_LOG_BYTES = 2 * 2**20
_DIGEST = re.compile(r'"sha256": "[0-9a-f]{64}"')
BUNDLE_FORMAT = 1
_REPORTED_PACKAGES = ("si-kiosk", "PySide6-Essentials", "PySide6", "pyscard", "requests", "pydantic")
# What redaction masks, and what it lets through on purpose (an id glued to letters, "ssn110...");
# the second one only counts when it is a valid id, so random hex in hashes does not trip it.
_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_SSN_IN_ANY_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


class BundleError(Exception):
    """The bundle was not written; the message says why in plain words."""


@dataclasses.dataclass(frozen=True)
class BundleResult:
    path: Path
    files: tuple[str, ...]
    bytes: int


def write_bundle(target: Path, *, settings: KioskSettings, version: str, devices: list[dict],
                 health: list[dict], counters: dict, journal_entries: list[dict], connectivity: dict | None,
                 log_dir: Path | None, now: dt.datetime | None = None) -> BundleResult:
    """Write the bundle to `target` (a .zip path, or an existing directory to put one in)."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    target = Path(target)
    if target.is_dir():
        target = target / bundle_file_name(settings.terminal.id, now)
    if not target.parent.exists():
        raise BundleError(f"cannot write the bundle: folder {target.parent} does not exist")
    if not target.parent.is_dir():
        raise BundleError(f"cannot write the bundle: {target.parent} is not a folder")

    members: dict[str, str] = {
        "config.txt": "".join(f"{key} = {value}\n" for key, value in settings_rows(settings)),
        "devices.json": _json(devices),
        "health.json": _json(health),
        "counters.json": _json(counters),
        "journal.jsonl": "".join(json.dumps(entry, ensure_ascii=False, default=str) + "\n"
                                 for entry in journal_entries),
        "connectivity.json": _json(connectivity if connectivity is not None else {"checked": False}),
        "system.txt": _system_text(version),
    }
    for name, text in _log_tails(log_dir):
        members[name] = text
    members = {name: redact(text) for name, text in members.items()}
    # The manifest is ours (names, sizes, digests): redacting it would corrupt a digest that
    # happens to hold a phone-number-like run of digits, so it is checked without its digests.
    members = {"manifest.json": _manifest(members, settings, version, now), **members}
    for name, text in members.items():
        if name == "manifest.json":
            text = _DIGEST.sub("", text)
        if _holds_full_id(text):
            # Never name the value: this message may itself end up in a log.
            raise BundleError(f"bundle not written: {name} still holds a full id number after redaction")
    _write_zip_atomically(target, members, now)
    return BundleResult(path=target, files=tuple(members), bytes=target.stat().st_size)


def bundle_file_name(terminal_id: str, now: dt.datetime) -> str:
    safe_terminal = re.sub(r"[^A-Za-z0-9_-]", "_", terminal_id)[:64] or "terminal"
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"si-kiosk-diagnostics-{safe_terminal}-{stamp}.zip"


def _holds_full_id(text: str) -> bool:
    if _SSN_LIKE.search(text):
        return True
    return any(is_valid_ssn(match.group(0).upper()) for match in _SSN_IN_ANY_TEXT.finditer(text))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def _manifest(members: dict[str, str], settings: KioskSettings, version: str, now: dt.datetime) -> str:
    return _json({
        "format": BUNDLE_FORMAT,
        "terminal": settings.terminal.id,
        "profile": settings.profile,
        "version": version,
        "created_at": now.isoformat(),
        "files": [{"name": name, "bytes": len(text.encode("utf-8")),
                   "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()} for name, text in members.items()],
    })


def _system_text(version: str) -> str:
    lines = [f"si-kiosk {version}",
             f"python {sys.version.split()[0]} ({sys.executable})",
             f"platform {platform.platform()}",
             f"machine {platform.machine()}",
             f"host {platform.node()}"]
    for package in _REPORTED_PACKAGES:
        try:
            lines.append(f"package {package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"package {package} not installed")
    return "\n".join(lines) + "\n"


def _log_tails(log_dir: Path | None) -> list[tuple[str, str]]:
    """`logs/<name>`: the last 2 MiB of each *.log file (and its rotated copies *.log.N)."""
    if log_dir is None:
        return []
    try:
        candidates = sorted(Path(log_dir).iterdir())
    except OSError:
        return [("logs/README.txt", f"log directory {log_dir} could not be read\n")]
    tails = []
    for path in candidates:
        if not re.fullmatch(r".+\.log(\.\d{1,3})?", path.name):
            continue
        # Symlinks could point anywhere on the machine, and the bundle leaves it.
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = "\n".join(tail_lines(path, max_lines=10**9, max_bytes=MAX_LOG_BYTES))
        except OSError as error:
            text = f"(could not be read: {error.strerror or error})"
        tails.append((f"logs/{path.name}", text + "\n"))
    return tails


def _write_zip_atomically(target: Path, members: dict[str, str], now: dt.datetime) -> None:
    try:
        with replaced_atomically(target) as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                stamp = now.timetuple()[:6]
                for name, text in members.items():
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, text.encode("utf-8"))
    except IsADirectoryError:
        raise BundleError(f"cannot write the bundle: {target} is a folder") from None
    except PermissionError:
        raise BundleError(f"cannot write the bundle: no permission to write in {target.parent}") from None
    except OSError as error:
        raise BundleError(f"cannot write the bundle to {target} ({error.strerror or error})") from None
