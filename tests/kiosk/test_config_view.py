"""The technician's configuration view shows every setting and no secret."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kiosk.config import SECRET_ENV_VAR, load_settings
from kiosk.config_view import NOT_SET, SET, is_secret_key, settings_rows
from kiosk.technician_auth import hash_pin

TERMINAL_SECRET = "inline-terminal-secret-7f3a9c"
KEY_FILE_CONTENT = "-----BEGIN PRIVATE KEY-----client-key-material-42-----END PRIVATE KEY-----"
SECRET_FILE_CONTENT = "secret-from-the-file-0b1d"
URL_PASSWORD = "url-pass-91x"


def leaf_keys(value: object, prefix: str = "") -> set[str]:
    keys = set()
    for field in dataclasses.fields(value):
        child = getattr(value, field.name)
        if dataclasses.is_dataclass(child):
            keys |= leaf_keys(child, f"{prefix}{field.name}.")
        else:
            keys.add(prefix + field.name)
    return keys


@pytest.fixture
def site_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.delenv(SECRET_ENV_VAR, raising=False)
    pin_hash = hash_pin("246813", iterations=10_000)
    key_file = tmp_path / "client.key"
    key_file.write_text(KEY_FILE_CONTENT, encoding="utf-8")
    secret_file = tmp_path / "terminal.secret"
    secret_file.write_text(SECRET_FILE_CONTENT, encoding="utf-8")
    profile = tmp_path / "site.toml"
    profile.write_text(f"""
[terminal]
id = "KIOSK-HALL-0042"
secret = "{TERMINAL_SECRET}"
secret_file = "{secret_file}"

[backoffice]
url = "https://kiosk:{URL_PASSWORD}@backoffice.example:8443/"
client_cert_file = "{tmp_path / 'client.crt'}"
client_key_file = "{key_file}"

[technician]
pin_hash = "{pin_hash}"
""", encoding="utf-8")
    return profile, pin_hash


def test_no_secret_appears_in_any_row(site_profile: tuple[Path, str]) -> None:
    profile, pin_hash = site_profile
    settings = load_settings(str(profile))
    rows = settings_rows(settings)
    shown = "\n".join(f"{key} {value}" for key, value in rows)
    for secret in (TERMINAL_SECRET, pin_hash, pin_hash.split("$")[2], pin_hash.split("$")[3], KEY_FILE_CONTENT,
                   "client-key-material-42", SECRET_FILE_CONTENT, URL_PASSWORD):
        assert secret not in shown
    values = dict(rows)
    assert values["terminal.secret"] == SET
    assert values["technician.pin_hash"] == SET
    assert values["backoffice.client_key_file"].endswith("client.key")  # where it lives may show
    assert values["terminal.secret_file"].endswith("terminal.secret")
    assert values["terminal.secret_source"].startswith("file ")
    assert values["backoffice.url"] == "https://kiosk:••••@backoffice.example:8443/"
    assert values["technician.maintenance_key"] == "F12"  # a keyboard key, not a secret


def test_every_setting_has_a_row_with_profile_and_base_dir(site_profile: tuple[Path, str]) -> None:
    settings = load_settings(str(site_profile[0]))
    rows = settings_rows(settings)
    keys = [key for key, _ in rows]
    assert len(keys) == len(set(keys))
    assert rows[0] == ("profile", "site") and rows[1] == ("base_dir", str(settings.base_dir))
    expected = leaf_keys(settings) - {"profile", "base_dir"}
    assert expected <= set(keys)
    values = dict(rows)
    assert values["terminal.id"] == "KIOSK-HALL-0042"
    assert values["backoffice.read_timeout_s"] == "10.0"
    assert values["backoffice.verify_tls"] == "true"
    assert values["services.enabled"] == "enrolment, contributions, certificate, pension_transfer"
    assert values["ui.colours.primary"] == "(empty)"


def test_unset_secrets_say_so_and_the_environment_secret_stays_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV_VAR, "environment-secret-55aa")
    settings = load_settings("bank_branch")
    rows = settings_rows(settings)
    values = dict(rows)
    assert values["technician.pin_hash"] == NOT_SET
    assert values["terminal.secret_source"] == f"environment ${SECRET_ENV_VAR}"
    assert "environment-secret-55aa" not in repr(rows)


@pytest.mark.parametrize(("key", "secret"), [
    ("terminal.secret", True), ("technician.pin_hash", True), ("x.api_token", True), ("x.password", True),
    ("x.signing_key", True), ("backoffice.client_key_file", False), ("terminal.secret_file", False),
    ("technician.maintenance_key", False), ("ui.keyboard_layout", False), ("devices.required", False),
])
def test_secret_key_names(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret
