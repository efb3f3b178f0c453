"""Configuration: every shipped profile loads; every kind of bad file fails with file, key and reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import CONFIG_DIR, SECRET_ENV_VAR, ConfigError, load_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of config/ so a test can break one file."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, target)
    return target


def write_profile(config_dir: Path, text: str, name: str = "broken") -> Path:
    path = config_dir / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("profile", ["default", "demo", "demo_pcsc", "service_hall", "bank_branch", "local_https"])
def test_shipped_profiles_load(profile: str) -> None:
    settings = load_settings(profile)
    assert settings.profile == profile
    assert settings.session.warning_s >= 20
    assert settings.session.max_extensions >= 10


def test_profile_overrides_only_what_it_names() -> None:
    demo = load_settings("demo")
    bank = load_settings("bank_branch")
    assert demo.terminal.id == "KIOSK-DEMO-0001"
    assert demo.backoffice.embedded is True
    assert demo.ui.fullscreen is False
    assert demo.devices.card_reader.driver == "simulator"
    assert demo.backoffice.connect_timeout_s == 3.0  # from default.toml
    assert bank.session.idle_timeout_s == 60
    assert bank.devices.receipt_printer.width_mm == 58
    assert bank.devices.card_reader.driver == "pcsc"
    assert bank.ui.branding_zh == "社银合作 社保自助服务"


def test_secret_is_not_in_repr_and_env_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings("demo")
    assert "demo-terminal-secret" not in repr(settings)
    assert settings.terminal_secret() == "demo-terminal-secret-change-me"
    monkeypatch.setenv(SECRET_ENV_VAR, "from-the-environment-0123")
    assert settings.terminal_secret() == "from-the-environment-0123"


def test_secret_file_is_read_relative_to_install_dir(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV_VAR, raising=False)
    (config_dir.parent / "secret.txt").write_text("file-secret-0123456789\n", encoding="utf-8")
    write_profile(config_dir, '[terminal]\nid = "T-1"\nsecret_file = "secret.txt"\n')
    settings = load_settings("broken", config_dir)
    assert settings.terminal_secret() == "file-secret-0123456789"


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[backoffice]\nread_timeout_s = "ten"\n', "backoffice.read_timeout_s", "must be a number"),
        ("[backoffice]\nread_timeout_s = 0\n", "backoffice.read_timeout_s", "> 0"),
        ('[backoffice]\nurl = "ftp://x"\n', "backoffice.url", "http"),
        ("[backofice]\nurl = 'https://x/'\n", "backofice", "unknown key"),
        ("[session]\nidle_timeout_s = 10\n", "session.idle_timeout_s", "30..1800"),
        ("[session]\nwarning_s = 5\n", "session.warning_s", "at least 20"),
        ('[devices.card_reader]\ndriver = "magic"\n', "devices.card_reader.driver", "must be one of"),
        ('[devices.card_reader]\nreader_pattern = "(["\n', "devices.card_reader.reader_pattern", "regular expression"),
        ('[devices.qr_scanner]\ndriver = "serial"\n', "devices.qr_scanner.port", "required"),
        ("[devices.receipt_printer]\nwidth_mm = 70\n", "devices.receipt_printer.width_mm", "must be one of"),
        ('[services]\nenabled = ["enrolment", "lottery"]\n', "services.enabled", "unknown service"),
        ('[terminal]\nid = "a b"\n', "terminal.id", "letters"),
        ("[ui]\nfullscreen = 1\n", "ui.fullscreen", "true or false"),
        ('[devices]\ncard_reader = "pcsc"\n', "devices.card_reader", "must be a table"),
    ],
)
def test_bad_values_name_file_key_and_reason(config_dir: Path, text: str, key: str, reason: str) -> None:
    path = write_profile(config_dir, text)
    with pytest.raises(ConfigError) as caught:
        load_settings("broken", config_dir)
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert caught.value.file == str(path)


def test_error_in_default_file_names_default_file(config_dir: Path) -> None:
    default = config_dir / "default.toml"
    default.write_text(default.read_text(encoding="utf-8").replace("retries = 2", "retries = 99"), encoding="utf-8")
    write_profile(config_dir, "")
    with pytest.raises(ConfigError) as caught:
        load_settings("broken", config_dir)
    assert caught.value.file == str(default)
    assert caught.value.key == "backoffice.retries"


def test_not_toml_and_missing_file(config_dir: Path) -> None:
    write_profile(config_dir, "[terminal\nid = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings("broken", config_dir)
    with pytest.raises(ConfigError, match="file not found"):
        load_settings("nowhere", config_dir)


def test_cli_reports_bad_profile_without_traceback(tmp_path: Path) -> None:
    profile = tmp_path / "site.toml"
    profile.write_text('[devices.receipt_printer]\ndriver = "network"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", str(profile)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{profile}: devices.receipt_printer.address: required when driver = \"network\"" in result.stderr


def test_cli_accepts_good_profile() -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "config", "check", "bank_branch"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "BANK-320100-0001" in result.stdout
