"""Configuration: every shipped profile loads; every kind of bad file fails with file, key and reason."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import CONFIG_DIR, SECRET_ENV_VAR, ConfigError, load_settings
from kiosk.config_check import check_profile

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
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "config", "check", str(profile)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{profile}: devices.receipt_printer.address: required when driver = \"network\"" in result.stderr


def test_cli_accepts_good_profile(tmp_path: Path) -> None:
    profile = deployed_site(tmp_path, "bank_branch")
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "config", "check", str(profile)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "BANK-320100-0001" in result.stdout


# --- the terminal's time zone --------------------------------------------------------

def test_time_zone_defaults_to_shanghai_and_can_be_set(config_dir: Path) -> None:
    assert load_settings("demo").terminal.time_zone == "Asia/Shanghai"
    write_profile(config_dir, '[terminal]\ntime_zone = "Asia/Urumqi"\n')
    settings = load_settings("broken", config_dir)
    assert settings.terminal.time_zone == "Asia/Urumqi"
    assert str(settings.terminal_clock().zone) == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("zone", "reason"),
    [("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
     ("Asia/Shangai", "unknown time zone 'Asia/Shangai'"),
     ("/etc/localtime", "is not an IANA time zone name"),
     ("../../etc/passwd", "is not an IANA time zone name"),
     ("", "is not an IANA time zone name"),
     ("localtime", "follows the host's settings"),
     ("zone.tab", "is not an IANA time zone name"),
     ("Asia", "unknown time zone 'Asia'")],
)
def test_an_unknown_time_zone_names_file_key_and_reason(config_dir: Path, zone: str, reason: str) -> None:
    path = write_profile(config_dir, f'[terminal]\ntime_zone = "{zone}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings("broken", config_dir)
    assert (caught.value.file, caught.value.key) == (str(path), "terminal.time_zone")
    assert reason in caught.value.reason


# --- `kiosk config check`: a non-demo profile as deployed on this machine -------------

def deployed_site(tmp_path: Path, profile: str) -> Path:
    """A shipped profile as deploy/install.sh leaves it: the secret and the CA exist (here under tmp_path)."""
    etc = tmp_path / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "terminal-secret").write_text("0123456789abcdef" * 4 + "\n", encoding="utf-8")
    (etc / "backoffice-ca.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                                           encoding="utf-8")
    text = (CONFIG_DIR / f"{profile}.toml").read_text(encoding="utf-8")
    assert "/etc/si-kiosk/terminal-secret" in text and "/etc/si-kiosk/backoffice-ca.pem" in text
    path = tmp_path / f"{profile}.toml"
    path.write_text(text.replace("/etc/si-kiosk/", f"{etc}/"), encoding="utf-8")
    return path


def site(tmp_path: Path, backoffice: dict | None = None, terminal: dict | None = None) -> Path:
    """A small non-demo site whose secret and CA exist; `backoffice`/`terminal` change or add keys."""
    (tmp_path / "secret").write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    tables = {"terminal": {"id": "HALL-0001", "secret_file": str(tmp_path / "secret"), **(terminal or {})},
              "backoffice": {"url": "https://si.example.gov.cn/", "ca_file": str(tmp_path / "ca.pem"),
                             **(backoffice or {})}}
    text = "".join(f"[{name}]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())
                   for name, table in tables.items())
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check(profile: Path) -> list[ConfigError]:
    return check_profile(str(profile))[1]


def test_a_complete_site_passes_the_check(tmp_path: Path) -> None:
    assert check(site(tmp_path)) == []
    public = "https://si.example.gov.cn/"
    assert check(site(tmp_path, {"url": "http://127.0.0.1:8080/", "verify_url": public})) == []
    assert check(site(tmp_path, {"url": "http://[::1]:8080/", "verify_url": public})) == []


@pytest.mark.parametrize("profile", ["service_hall", "bank_branch"])
def test_shipped_site_profiles_pass_once_deployed(tmp_path: Path, profile: str) -> None:
    settings, problems = check_profile(str(deployed_site(tmp_path, profile)))
    assert problems == [] and settings.profile == profile


@pytest.mark.parametrize("profile", ["service_hall", "bank_branch"])
def test_shipped_site_profiles_are_refused_where_their_files_are_missing(profile: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV_VAR, raising=False)
    if Path("/etc/si-kiosk").exists():
        pytest.skip("this machine is a deployed terminal")
    problems = check_profile(profile)[1]
    path = str(CONFIG_DIR / f"{profile}.toml")
    assert [(problem.file, problem.key) for problem in problems] == [
        (path, "backoffice.ca_file"), (path, "terminal.secret_file")]
    assert "file /etc/si-kiosk/terminal-secret not found" in problems[1].reason
    assert "deploy/install.sh" in problems[1].reason


@pytest.mark.parametrize(
    ("backoffice", "terminal", "key", "reason"),
    [
        ({"verify_tls": False}, {}, "backoffice.verify_tls", "must be true outside a demo"),
        ({"url": "http://si.example.gov.cn/"}, {}, "backoffice.url", "plain http:// to another machine"),
        ({"url": "http://10.1.2.3:8080/"}, {}, "backoffice.url", "plain http:// to another machine"),
        ({"ca_file": "/nonexistent/ca.pem"}, {}, "backoffice.ca_file", "file /nonexistent/ca.pem not found"),
        ({"client_cert_file": "/nonexistent/c.crt", "client_key_file": "{tmp}/ca.pem"}, {},
         "backoffice.client_cert_file", "file /nonexistent/c.crt not found"),
        ({}, {"secret_file": "/nonexistent/secret"}, "terminal.secret_file", "file /nonexistent/secret not found"),
        ({"verify_url": "http://127.0.0.1:8000/"}, {}, "backoffice.verify_url", "is a loopback address"),
        ({"verify_url": "https://localhost/"}, {}, "backoffice.verify_url", "is a loopback address"),
        ({"verify_url": "https://[::1]/"}, {}, "backoffice.verify_url", "is a loopback address"),
        ({"url": "https://127.0.0.1:8443/"}, {}, "backoffice.verify_url",
         "https://127.0.0.1:8443/ (empty, so the back-office url is printed) is a loopback address"),
        ({"verify_url": "http://verify.example.gov.cn/"}, {}, "backoffice.verify_url", "must be https://"),
    ],
    ids=["verify-tls-off", "http-host", "http-private-ip", "ca-missing", "client-cert-missing", "secret-missing",
         "verify-127", "verify-localhost", "verify-v6", "verify-defaults-to-loopback-url", "verify-http"],
)
def test_check_refuses_an_unsafe_site_naming_file_key_and_reason(tmp_path: Path, backoffice: dict, terminal: dict,
                                                                 key: str, reason: str) -> None:
    backoffice = {name: value.replace("{tmp}", str(tmp_path)) if isinstance(value, str) else value
                  for name, value in backoffice.items()}
    path = site(tmp_path, backoffice, terminal)
    problems = check(path)
    assert [(problem.file, problem.key) for problem in problems] == [(str(path), key)], problems
    assert reason in problems[0].reason
    assert str(problems[0]) == f"{path}: {key}: {problems[0].reason}"


def test_a_site_without_any_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV_VAR, raising=False)
    path = tmp_path / "site.toml"
    path.write_text('[backoffice]\nurl = "https://si.example.gov.cn/"\n', encoding="utf-8")
    problems = check(path)
    assert [(problem.file, problem.key) for problem in problems] == [(str(path), "terminal.secret_file")]
    assert "no terminal secret" in problems[0].reason
    monkeypatch.setenv(SECRET_ENV_VAR, "from-the-environment-0123")
    assert check(path) == []


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[terminal]\nsecret_file = "/nonexistent/secret"\n[backoffice]\nurl = "http://si.example/"\n'
                    'verify_tls = false\nca_file = "/nonexistent/ca"\n', encoding="utf-8")
    keys = [problem.key for problem in check(path)]
    assert keys == ["backoffice.verify_tls", "backoffice.url", "backoffice.ca_file", "terminal.secret_file"]


def test_demo_profiles_are_not_held_to_the_deployment_rules() -> None:
    for profile in ("demo", "demo_pcsc"):
        settings, problems = check_profile(profile)
        assert settings.is_demo and problems == []


def test_cli_check_prints_every_problem_with_file_key_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[terminal]\nsecret = "a-secret-of-some-length"\n[backoffice]\nurl = "http://si.example/"\n'
                    'verify_tls = false\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "config", "check", str(path)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"kiosk: configuration error: {path}: backoffice.verify_tls: must be true")
    assert lines[1].startswith(f"kiosk: configuration error: {path}: backoffice.url: http://si.example/ is plain")
    assert len(lines) == 2


# --- hostile files: bounded, a ConfigError, never a traceback ----------------------------

@pytest.mark.parametrize(
    "text",
    ["a = " + "[" * 3000 + "]" * 3000,
     "a = " + "{ b = " * 3000 + "1" + " }" * 3000,
     "[" + ".".join(["t"] * 3000) + "]\nx = 1\n",
     ".".join(["k"] * 3000) + " = 1\n",
     "[terminal]\nid = " + "[" * 20 + "]" * 20 + "\n"],
    ids=["arrays", "inline-tables", "table-header", "dotted-key", "moderately-deep-value"],
)
def test_deeply_nested_toml_is_a_config_error(config_dir: Path, text: str) -> None:
    path = write_profile(config_dir, text)
    with pytest.raises(ConfigError) as caught:
        load_settings("broken", config_dir)
    assert caught.value.file == str(path)
    assert "nested deeper than" in caught.value.reason
    assert len(str(caught.value)) < 400


def test_deeply_nested_toml_through_the_cli_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "config", "check", str(path)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert f"{path}: -: not valid TOML (nested deeper than" in result.stderr


def test_an_oversized_file_is_refused_before_parsing(config_dir: Path) -> None:
    path = write_profile(config_dir, "# " + "x" * (2 * 2**20) + "\n")
    with pytest.raises(ConfigError, match="larger than 1 MiB") as caught:
        load_settings("broken", config_dir)
    assert caught.value.file == str(path)


def test_seal_images_name_an_office_and_a_file(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[terminal]\nid = "SITE-1"\n[devices.document_printer]\n'
                    'seal_images = ["南京市社会保险管理中心=/etc/si-kiosk/seals/nanjing.png"]\n', encoding="utf-8")
    printer = load_settings(str(site)).devices.document_printer
    assert printer.seal_image_paths() == {"南京市社会保险管理中心": "/etc/si-kiosk/seals/nanjing.png"}
    site.write_text('[terminal]\nid = "SITE-1"\n[devices.document_printer]\nseal_images = ["no separator"]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"seal_images\[0\].*OFFICE NAME=PATH"):
        load_settings(str(site))


def test_config_check_names_a_missing_seal_image(tmp_path):
    from kiosk.config_check import deployment_problems

    settings = load_settings("service_hall")
    printer = dataclasses.replace(settings.devices.document_printer,
                                  seal_images=(f"某市社会保险管理中心={tmp_path / 'absent.png'}",))
    settings = dataclasses.replace(settings, devices=dataclasses.replace(settings.devices, document_printer=printer))
    keys = [key for key, _ in deployment_problems(settings)]
    assert "devices.document_printer.seal_images[0]" in keys
