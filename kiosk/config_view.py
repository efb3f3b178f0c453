"""The running configuration as rows for the technician panel and the diagnostics bundle.

Every setting appears under its dotted key (`backoffice.read_timeout_s`), so what the
technician reads is what they would write in a profile. Secrets never appear: a key
named like a secret shows only whether it is set, and files that hold secrets
(`terminal.secret_file`, `backoffice.client_key_file`) show their path, never their
contents (this module never opens them).
"""

from __future__ import annotations

import dataclasses
import os
import re
from urllib.parse import urlsplit, urlunsplit

from kiosk.config import SECRET_ENV_VAR, KioskSettings

SET = "•••• (set)"
NOT_SET = "(not set)"
EMPTY = "(empty)"

# A name component that marks a secret; `*_file`/`*_path`/`*_dir` name where one lives instead.
_SECRET_WORDS = re.compile(r"(^|_)(secret|password|passwd|token|pin_hash|hash|key|apikey|credentials?)(_|$)")
_LOCATION_SUFFIXES = ("_file", "_path", "_dir", "_directory")
# Named like a secret but is not one: a function key on the service keyboard.
_NOT_SECRETS = frozenset({"technician.maintenance_key"})


def is_secret_key(dotted_key: str) -> bool:
    if dotted_key in _NOT_SECRETS:
        return False
    name = dotted_key.rsplit(".", 1)[-1].lower()
    return not name.endswith(_LOCATION_SUFFIXES) and bool(_SECRET_WORDS.search(name))


def settings_rows(settings: KioskSettings) -> list[tuple[str, str]]:
    """(dotted key, shown value) for every setting, in the order of the configuration files."""
    rows: list[tuple[str, str]] = [("profile", settings.profile), ("base_dir", str(settings.base_dir))]
    for field in dataclasses.fields(settings):
        if field.name in ("profile", "base_dir"):
            continue
        _append(rows, field.name, getattr(settings, field.name))
        if field.name == "terminal":
            rows.append(("terminal.secret_source", _secret_source(settings)))
    return rows


def _append(rows: list[tuple[str, str]], key: str, value: object) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _append(rows, f"{key}.{field.name}", getattr(value, field.name))
        return
    if is_secret_key(key):
        rows.append((key, SET if value not in ("", None, ()) else NOT_SET))
        return
    rows.append((key, _shown(value)))


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(_shown(item) for item in value) if value else EMPTY
    if isinstance(value, str):
        return _without_url_password(value) if value else EMPTY
    return str(value)


def _without_url_password(value: str) -> str:
    """`https://user:pw@host/` -> `https://user:••••@host/`: a URL can carry a password too."""
    if "@" not in value or "://" not in value:
        return value
    try:
        split = urlsplit(value)
        if split.password is None:
            return value
        host = split.hostname or ""
        if split.port:
            host += f":{split.port}"
        return urlunsplit(split._replace(netloc=f"{split.username}:••••@{host}"))
    except ValueError:
        return "•••• (unreadable URL hidden)"


def _secret_source(settings: KioskSettings) -> str:
    """Where the signing secret comes from, mirroring KioskSettings.terminal_secret, without reading it."""
    if os.environ.get(SECRET_ENV_VAR):
        return f"environment ${SECRET_ENV_VAR}"
    if settings.terminal.secret_file:
        return f"file {settings.resolve_path(settings.terminal.secret_file)}"
    if settings.terminal.secret:
        return "inline terminal.secret"
    return NOT_SET
