"""Shipped profiles: each loads; the hall and the bank branch are complete, branded and readable.

Branding lives in config and assets only (name, logo, colours, receipt header). A broken
profile fails with the file, the dotted key and a plain reason, at load time (logo,
services, devices, colour syntax) or when the brand theme is built (contrast).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kiosk.config import CONFIG_DIR, ConfigError, built_in_service_names, load_settings
from ui.theme import Theme, brand_theme, contrast_ratio, relative_luminance

REPO = Path(__file__).resolve().parents[2]
KIOSK_COMMAND = Path(sys.executable).parent / "kiosk"   # the console script of this venv
SHIPPED = sorted(path.stem for path in CONFIG_DIR.glob("*.toml"))
BRANDED = ("service_hall", "bank_branch")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(profile: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(str(profile))
    return caught.value


def theme_error(profile: Path) -> ConfigError:
    settings = load_settings(str(profile))
    with pytest.raises(ConfigError) as caught:
        brand_theme(settings, profile)
    return caught.value


# --- every shipped profile ----------------------------------------------------------------

def test_the_shipped_profiles_are_the_ones_we_expect() -> None:
    assert {"default", "demo", "service_hall", "bank_branch"} <= set(SHIPPED)


@pytest.mark.parametrize("profile", SHIPPED)
def test_every_shipped_profile_loads_and_builds_its_theme(profile: str) -> None:
    settings = load_settings(profile)
    theme = brand_theme(settings)
    assert theme.contrast_problems() == []
    assert theme.elder_scale == settings.ui.elder_scale
    assert theme.mm_per_pixel == settings.ui.mm_per_pixel


@pytest.mark.parametrize("profile", [name for name in SHIPPED if name != "default"])
def test_every_profile_says_what_it_is_for(profile: str) -> None:
    first = (CONFIG_DIR / f"{profile}.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20


# --- service hall and bank branch ---------------------------------------------------------

@pytest.mark.parametrize("profile", BRANDED)
def test_logo_is_a_small_square_svg_that_exists(profile: str) -> None:
    settings = load_settings(profile)
    assert settings.ui.logo.startswith("assets/branding/")
    path = settings.resolve_path(settings.ui.logo)
    assert path.is_file()
    assert path.stat().st_size < 10 * 1024
    root = ElementTree.parse(path).getroot()
    assert root.tag in ("svg", "{http://www.w3.org/2000/svg}svg")
    _, _, width, height = (float(part) for part in root.get("viewBox").split())
    assert width == height


@pytest.mark.parametrize("profile", BRANDED)
def test_brand_theme_carries_the_logo_and_the_colour(profile: str) -> None:
    settings = load_settings(profile)
    theme = brand_theme(settings)
    assert theme.logo_path == str(REPO / settings.ui.logo)
    assert theme.primary == settings.ui.colours.primary.upper()
    assert theme.contrast_problems() == []


def test_service_hall_offers_everything_and_needs_card_reader_and_receipt_printer() -> None:
    hall = load_settings("service_hall")
    assert hall.services.enabled == built_in_service_names()
    assert hall.devices.required == ("card_reader", "receipt_printer")
    assert hall.session.idle_timeout_s == 120
    assert hall.devices.card_reader.driver == "pcsc"
    assert hall.devices.receipt_printer.driver == "usb"
    assert hall.devices.document_printer.driver == "cups"
    assert hall.ui.logo == "assets/branding/hrss-hall.svg"


def test_bank_branch_offers_the_agreed_subset_and_times_out_sooner() -> None:
    bank = load_settings("bank_branch")
    assert bank.services.enabled == ("enrolment", "contributions", "certificate", "pension_transfer")
    assert bank.devices.required == ("card_reader", "receipt_printer")
    assert bank.session.idle_timeout_s == 60
    assert bank.session.warning_s == 25
    assert bank.devices.receipt_printer.driver == "network"
    assert bank.devices.receipt_printer.width_mm == 58
    assert bank.ui.logo == "assets/branding/bank-branch.svg"


def test_the_two_profiles_look_different() -> None:
    hall, bank = (brand_theme(load_settings(name)) for name in BRANDED)
    assert hall.primary != bank.primary
    assert hall.logo_path != bank.logo_path
    # Visibly different, not two shades of one colour.
    assert contrast_ratio(hall.primary, bank.primary) > 1.05 or hall.primary[1:3] != bank.primary[1:3]


def test_receipt_headers_are_set_and_name_each_place() -> None:
    hall, bank = (load_settings(name).devices.receipt_printer for name in BRANDED)
    for printer in (hall, bank):
        assert printer.header_zh.strip() and printer.header_en.strip()
    assert hall.header_zh != bank.header_zh and hall.header_en != bank.header_en
    assert "人力资源和社会保障" in hall.header_zh
    assert "社银合作" in bank.header_zh and ("社保" in bank.header_zh or "社会保险" in bank.header_zh)
    assert "Social Insurance" in bank.header_en


def test_only_a_primary_is_enough_the_other_shades_are_derived(tmp_path: Path) -> None:
    settings = load_settings(str(write(tmp_path, '[ui.colours]\nprimary = "#8B1A1A"\n')))
    theme = brand_theme(settings)
    assert theme.primary == "#8B1A1A"
    # Pressed is darker (under white text), the tint is light, and all of it stays readable.
    assert relative_luminance(theme.primary_active) < relative_luminance(theme.primary)
    assert relative_luminance(theme.primary_tint) > 0.7
    assert theme.contrast_problems() == []


def test_a_configured_shade_is_kept_not_derived(tmp_path: Path) -> None:
    text = '[ui.colours]\nprimary = "#00695C"\nprimary_active = "#003D36"\n'
    theme = brand_theme(load_settings(str(write(tmp_path, text))))
    assert theme.primary_active == "#003D36"
    assert theme.primary_tint != Theme().primary_tint


def test_no_colours_keep_the_default_palette() -> None:
    theme = brand_theme(load_settings("demo"))
    assert theme.with_changes(elder_scale=Theme().elder_scale) == Theme()


# --- broken profiles: file, key, plain reason ---------------------------------------------

def test_missing_logo_names_file_key_and_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.svg"
    profile = write(tmp_path, f'[ui]\nlogo = "{missing}"\n')
    error = load_error(profile)
    assert (error.file, error.key) == (str(profile), "ui.logo")
    assert str(missing) in error.reason and "cannot be read" in error.reason


def test_a_png_that_is_not_a_png_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a not really a png")
    profile = write(tmp_path, f'[ui]\nlogo = "{fake}"\n')
    error = load_error(profile)
    assert (error.file, error.key) == (str(profile), "ui.logo")
    assert "not a PNG image" in error.reason


def test_a_logo_of_another_kind_is_refused(tmp_path: Path) -> None:
    profile = write(tmp_path, '[ui]\nlogo = "assets/branding/logo.gif"\n')
    error = load_error(profile)
    assert (error.file, error.key) == (str(profile), "ui.logo")
    assert ".png or .svg" in error.reason


def test_a_real_png_logo_loads(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_MAGIC + b"\x00" * 32)   # the start check reads the signature only
    settings = load_settings(str(write(tmp_path, f'[ui]\nlogo = "{logo}"\n')))
    assert brand_theme(settings).logo_path == str(logo)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[services]\nenabled = ["enrolment", "loans"]\n', "services.enabled", "unknown service ['loans']"),
        ('[devices]\nrequired = ["card_reader", "receipt_printer"]\n[devices.receipt_printer]\ndriver = "none"\n',
         "devices.required", 'receipt_printer is required but its driver is "none"'),
        ('[devices]\nrequired = ["card_reader", "fax"]\n', "devices.required", "unknown device ['fax']"),
        ('[ui.colours]\nprimary = "teal"\n', "ui.colours.primary", 'must be a colour like "#0A4A8F"'),
        ('[ui.colours]\nprimary_tint = "#DDE7F"\n', "ui.colours.primary_tint", "must be a colour"),
    ],
    ids=["unknown-service", "required-device-off", "unknown-device", "not-a-colour", "short-hex"],
)
def test_broken_profile_names_file_key_and_reason(tmp_path: Path, text: str, key: str, reason: str) -> None:
    profile = write(tmp_path, text)
    error = load_error(profile)
    assert (error.file, error.key) == (str(profile), key)
    assert reason in error.reason
    assert str(error) == f"{profile}: {key}: {error.reason}"


def test_a_too_light_primary_fails_with_the_ratio_and_the_minimum(tmp_path: Path) -> None:
    profile = write(tmp_path, '[ui.colours]\nprimary = "#7FC8F8"\n')
    error = theme_error(profile)
    assert (error.file, error.key) == (str(profile), "ui.colours.primary")
    assert "#7FC8F8" in error.reason
    assert "contrast of 1.62:1" in error.reason and "needs at least 4.5:1" in error.reason


def test_white_text_on_a_mid_primary_is_caught(tmp_path: Path) -> None:
    # Dark enough as a title on the light background, too light under white header text.
    profile = write(tmp_path, '[ui.colours]\nprimary = "#2F7FBF"\n')
    settings = load_settings(str(profile))
    assert contrast_ratio("#2F7FBF", "#FFFFFF") < 4.5
    with pytest.raises(ConfigError, match=r"ui\.colours\.primary: .* needs at least 4\.5:1"):
        brand_theme(settings, profile)


def test_the_colour_at_fault_is_the_one_named(tmp_path: Path) -> None:
    profile = write(tmp_path, '[ui.colours]\nprimary = "#00695C"\nprimary_tint = "#3A8F83"\n')
    error = theme_error(profile)
    assert error.key == "ui.colours.primary_tint"
    assert "pressed / on secondary button text" in error.reason


def test_without_a_file_the_error_says_profile(tmp_path: Path) -> None:
    settings = load_settings(str(write(tmp_path, '[ui.colours]\ntext_on_primary = "#8899AA"\n')))
    with pytest.raises(ConfigError) as caught:
        brand_theme(settings)
    assert (caught.value.file, caught.value.key) == ("profile", "ui.colours.text_on_primary")


# --- `kiosk config check` -------------------------------------------------------------------

def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KIOSK_COMMAND), *args], capture_output=True, text=True, cwd=REPO, timeout=60)


def deployed(tmp_path: Path, profile: str) -> Path:
    """The shipped profile as deploy/install.sh leaves it on a terminal: its secret and CA files exist.

    `kiosk config check` checks the files a site profile names on the machine it runs on, so
    the templates (naming /etc/si-kiosk/...) pass there and not on a development machine.
    """
    etc = tmp_path / "etc-si-kiosk"
    etc.mkdir()
    (etc / "terminal-secret").write_text("0123456789abcdef" * 4 + "\n", encoding="utf-8")
    (etc / "backoffice-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    text = (CONFIG_DIR / f"{profile}.toml").read_text(encoding="utf-8")
    return write(tmp_path, text.replace("/etc/si-kiosk/", f"{etc}/"), f"{profile}.toml")


@pytest.mark.parametrize("profile", BRANDED)
def test_config_check_prints_one_ok_line(profile: str, tmp_path: Path) -> None:
    settings = load_settings(profile)
    site = deployed(tmp_path, profile)
    result = kiosk("config", "check", str(site))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(f"{site} (profile {profile}): ok")
    assert ", ".join(settings.services.enabled) in line
    assert "required devices card_reader, receipt_printer" in line
    assert f"logo {settings.ui.logo}" in line
    assert f"idle timeout {settings.session.idle_timeout_s} s" in line


@pytest.mark.parametrize("profile", BRANDED)
def test_config_check_names_the_files_a_template_still_needs(profile: str) -> None:
    if Path("/etc/si-kiosk").exists():
        pytest.skip("this machine is a deployed terminal")
    result = kiosk("config", "check", profile)
    assert result.returncode == 2 and result.stdout == ""
    path = CONFIG_DIR / f"{profile}.toml"
    assert f"{path}: backoffice.ca_file: file /etc/si-kiosk/backoffice-ca.pem not found" in result.stderr
    assert f"{path}: terminal.secret_file: file /etc/si-kiosk/terminal-secret not found" in result.stderr


def test_config_check_refuses_a_low_contrast_colour(tmp_path: Path) -> None:
    profile = write(tmp_path, '[ui.colours]\nprimary = "#7FC8F8"\n')
    result = kiosk("config", "check", str(profile))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{profile}: ui.colours.primary: " in result.stderr and "needs at least 4.5:1" in result.stderr


def test_config_check_refuses_a_missing_logo(tmp_path: Path) -> None:
    profile = write(tmp_path, f'[ui]\nlogo = "{tmp_path / "nowhere.png"}"\n')
    result = kiosk("config", "check", str(profile))
    assert result.returncode == 2
    assert f"{profile}: ui.logo: logo file" in result.stderr


def test_config_check_needs_no_qt(tmp_path: Path) -> None:
    site = deployed(tmp_path, "bank_branch")
    code = (f"import sys; from kiosk_app.cli import main; code = main(['config', 'check', {str(site)!r}]); "
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'; sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})   # no DISPLAY, no QT_QPA_PLATFORM
    assert result.returncode == 0, result.stderr
