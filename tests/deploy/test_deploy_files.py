"""deploy/: the systemd units, the Xorg session and lockdown, and the installer.

The units are checked by systemd's own `systemd-analyze verify` where it is installed and,
always, by reading them and asserting the settings the kiosk's supervision depends on.
The scripts are parsed by bash, the X session script is run with stub `xset` and kiosk
programs, and the installer runs for real in `--dry-run` mode.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk_app.cli import _cmd_run, build_parser
from kiosk.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALL = DEPLOY / "install.sh"
INSTALL_PREFIX = "/opt/si-kiosk"
WAYLAND_UNIT = DEPLOY / "systemd" / "si-kiosk.service"
X11_UNIT = DEPLOY / "xorg" / "si-kiosk-x11.service"
UNITS = [WAYLAND_UNIT, X11_UNIT]
SCRIPTS = sorted(DEPLOY.rglob("*.sh"))

# Executables that exist only on an installed terminal: the Debian packages the installer
# adds, and the code and venv it puts under /opt/si-kiosk.
INSTALLED_LATER = re.compile(r"^(/usr/bin/(cage|xinit|Xorg)|/opt/si-kiosk/.+)$")
# Paths whose existence tells whether a dry run touched the system.
SYSTEM_PATHS = ["/etc/si-kiosk", "/opt/si-kiosk", "/var/lib/si-kiosk", "/var/log/si-kiosk",
                "/etc/systemd/system/si-kiosk.service", "/etc/systemd/system/si-kiosk-x11.service",
                "/etc/X11/xorg.conf.d/50-kiosk-lockdown.conf"]


def read_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file as (key, value) lists: systemd keys repeat, configparser would merge them."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path}: setting outside a section: {raw!r}"
        assert not line.endswith("\\"), f"{path}: keep settings on one line: {raw!r}"
        key, sep, value = line.partition("=")
        assert sep, f"{path}: not a key=value line: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict, section: str, key: str) -> list[str]:
    return [value for name, value in unit.get(section, []) if name == key]


def single(unit: dict, section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"[{section}] {key}: expected one setting, found {found}"
    return found[0]


def words(unit: dict, section: str, key: str) -> set[str]:
    return {word for value in values(unit, section, key) for word in value.split()}


# --- systemd's own verdict --------------------------------------------------------------

def systemd_analyze_verify(unit: Path) -> tuple[int, list[str]]:
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                            capture_output=True, text=True, timeout=120)
    return result.returncode, [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def problems_with(unit: Path, lines: list[str]) -> list[str]:
    """Lines about our unit other than "not executable" for what the installer provides."""
    ours = [line for line in lines if unit.name in line or str(unit) in line]
    problems = []
    for line in ours:
        missing = re.search(r"Command (\S+) is not executable", line)
        if missing and INSTALLED_LATER.match(missing.group(1)):
            continue
        problems.append(line)
    return problems


needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (apt-get install systemd); the unit settings are still "
           "checked by test_unit_settings_*")


@needs_systemd_analyze
@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_systemd_analyze_accepts_the_units(unit):
    code, lines = systemd_analyze_verify(unit)
    assert problems_with(unit, lines) == [], "\n".join(lines)
    if code != 0:
        # Only allowed: executables that the installer provides are not here yet.
        assert any("is not executable" in line for line in lines), "\n".join(lines)


@needs_systemd_analyze
def test_systemd_analyze_check_catches_a_broken_unit(tmp_path):
    """The verdict above means something: a typo and a bad value are reported as problems."""
    broken = tmp_path / WAYLAND_UNIT.name
    text = WAYLAND_UNIT.read_text(encoding="utf-8")
    broken.write_text(text.replace("Restart=always", "Restart=sometimes\nWatchdogSecs=30"), encoding="utf-8")
    _, lines = systemd_analyze_verify(broken)
    problems = problems_with(broken, lines)
    assert any("WatchdogSecs" in line for line in problems), lines
    assert any("sometimes" in line or "Restart" in line for line in problems), lines


# --- the settings supervision depends on (always checked) -------------------------------

@pytest.mark.parametrize("unit_path, platform", [(WAYLAND_UNIT, "wayland"), (X11_UNIT, "xcb")],
                         ids=["cage", "xorg"])
def test_unit_settings_supervise_the_kiosk(unit_path, platform):
    unit = read_unit(unit_path)
    assert single(unit, "Service", "Type") == "notify"
    # The kiosk is a child of cage/xinit, not the main process: its notifications must be accepted.
    assert single(unit, "Service", "NotifyAccess") == "all"
    assert single(unit, "Service", "WatchdogSec") == "30"
    assert single(unit, "Service", "Restart") == "always"
    assert single(unit, "Service", "RestartSec") == "2"
    assert single(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert single(unit, "Service", "User") == "kiosk"
    assert single(unit, "Service", "PAMName") == "login"
    assert single(unit, "Service", "TTYPath") == "/dev/tty1"
    assert "getty@tty1.service" in words(unit, "Unit", "Conflicts")
    other = "si-kiosk-x11.service" if unit_path is WAYLAND_UNIT else "si-kiosk.service"
    assert other in words(unit, "Unit", "Conflicts")
    environment = words(unit, "Service", "Environment")
    assert f"QT_QPA_PLATFORM={platform}" in environment
    assert "KIOSK_PROFILE=service_hall" in environment
    assert values(unit, "Service", "EnvironmentFile") == ["-/etc/si-kiosk/kiosk.env"]
    assert single(unit, "Install", "WantedBy") == "graphical.target"


@pytest.mark.parametrize("unit_path", UNITS, ids=lambda path: path.name)
def test_unit_settings_harden_without_breaking_the_gui(unit_path):
    unit = read_unit(unit_path)
    assert single(unit, "Service", "NoNewPrivileges") == "yes"
    assert single(unit, "Service", "ProtectSystem") == "strict"
    writable = words(unit, "Service", "ReadWritePaths")
    assert {"/var/lib/si-kiosk", "/var/log/si-kiosk"} <= writable
    assert single(unit, "Service", "PrivateTmp") == "yes"
    assert single(unit, "Service", "ProtectHome") == "yes"
    # The GUI needs DRM, input, USB and serial devices; ProtectClock= would imply a device allow-list.
    assert values(unit, "Service", "PrivateDevices") in ([], ["no"])
    assert values(unit, "Service", "ProtectClock") == []
    assert values(unit, "Service", "DeviceAllow") == []


def test_cage_runs_the_kiosk_without_vt_switching():
    command = shlex.split(single(read_unit(WAYLAND_UNIT), "Service", "ExecStart"))
    assert command[0] == "/usr/bin/cage"
    separator = command.index("--")
    assert "-d" in command[1:separator]
    assert "-s" not in command[1:separator]   # -s would let Ctrl+Alt+Fn reach another console
    assert command[separator + 1:] == [f"{INSTALL_PREFIX}/.venv/bin/kiosk", "run", "--profile", "${KIOSK_PROFILE}"]


def test_exec_start_names_real_entry_points():
    """`/opt/si-kiosk/.venv/bin/kiosk` is the project's console script, and `run --profile` its command."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["kiosk"] == "kiosk_app.cli:main"
    command = shlex.split(single(read_unit(WAYLAND_UNIT), "Service", "ExecStart"))
    kiosk_args = command[command.index(f"{INSTALL_PREFIX}/.venv/bin/kiosk") + 1:]
    args = build_parser().parse_args([arg.replace("${KIOSK_PROFILE}", "service_hall") for arg in kiosk_args])
    assert args.handler is _cmd_run and args.profile == "service_hall"
    # The Xorg unit's session script is shipped in the tree the installer copies to /opt/si-kiosk.
    xinit = shlex.split(single(read_unit(X11_UNIT), "Service", "ExecStart"))
    assert xinit[0] == "/usr/bin/xinit"
    session = Path(xinit[1])
    assert session.is_relative_to(INSTALL_PREFIX)
    shipped = ROOT / session.relative_to(INSTALL_PREFIX)
    assert shipped.is_file() and shipped.stat().st_mode & stat.S_IXUSR
    server = xinit[xinit.index("--") + 1:]
    assert server[:3] == ["/usr/bin/Xorg", ":0", "vt1"] and "-keeptty" in server


def test_xorg_lockdown_config():
    text = (DEPLOY / "xorg" / "50-kiosk-lockdown.conf").read_text(encoding="utf-8")
    flags = re.search(r'Section "ServerFlags"(.*?)EndSection', text, re.S)
    assert flags, "no ServerFlags section"
    options = dict(re.findall(r'^\s*Option\s+"(\w+)"\s+"([^"]*)"', flags.group(1), re.M))
    assert options["DontZap"] == "true" and options["DontVTSwitch"] == "true"
    assert all(options[name] == "0" for name in ("BlankTime", "StandbyTime", "SuspendTime", "OffTime"))
    assert text.count("Section ") == text.count("EndSection")


# --- scripts ----------------------------------------------------------------------------

@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_scripts_parse_and_are_executable(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert script.stat().st_mode & stat.S_IXUSR, f"{script} is not executable"
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_scripts_are_found():
    assert {path.name for path in SCRIPTS} >= {"install.sh", "kiosk-xsession.sh"}


def test_x_session_stops_blanking_and_execs_the_kiosk(tmp_path):
    """Run the real session script with stub `xset` and kiosk programs that record how they were called."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    record = tmp_path / "calls"
    (stubs / "xset").write_text(f'#!/bin/sh\necho "xset $*" >> "{record}"\n', encoding="utf-8")
    kiosk = stubs / "kiosk"
    kiosk.write_text(f'#!/bin/sh\necho "kiosk $* QT_QPA_PLATFORM=$QT_QPA_PLATFORM pid=$$" >> "{record}"\n'
                     'exit 7\n', encoding="utf-8")
    for stub in (stubs / "xset", kiosk):
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "KIOSK_BIN": str(kiosk),
           "KIOSK_PROFILE": "/etc/si-kiosk/site.toml"}
    result = subprocess.Popen(["bash", str(DEPLOY / "xorg" / "kiosk-xsession.sh")], env=env)
    assert result.wait(timeout=60) == 7   # the kiosk's exit status is the session's
    xset_call, kiosk_call = record.read_text(encoding="utf-8").splitlines()
    assert xset_call == "xset s off -dpms s noblank"
    assert kiosk_call.startswith("kiosk run --profile /etc/si-kiosk/site.toml QT_QPA_PLATFORM=xcb ")
    # exec: the kiosk replaces the session shell, so xinit's client is the kiosk itself.
    assert kiosk_call.endswith(f"pid={result.pid}")


# --- the installer ----------------------------------------------------------------------

def system_state() -> dict[str, bool]:
    state = {path: os.path.lexists(path) for path in SYSTEM_PATHS}
    state["user kiosk"] = subprocess.run(["getent", "passwd", "kiosk"], capture_output=True).returncode == 0
    return state


def dry_run(*options: str, etc_dir: Path | None = None) -> str:
    env = dict(os.environ)
    if etc_dir is not None:
        env["SI_KIOSK_ETC_DIR"] = str(etc_dir)
    before = system_state()
    result = subprocess.run(["bash", str(INSTALL), "--dry-run", *options], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert system_state() == before, "a dry run changed the system"
    return result.stdout


def written_file(output: str, path: str) -> str:
    """The content a dry run shows for `path` (its '    | ' lines)."""
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"would write: {path} "))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("    |"):
            break
        body.append(line[6:])
    return "\n".join(body) + "\n"


def test_dry_run_enables_the_cage_unit_without_touching_the_system():
    output = dry_run()
    assert "would run: systemctl enable si-kiosk.service" in output
    assert f"would run: install -m 0644 {WAYLAND_UNIT} /etc/systemd/system/si-kiosk.service" in output
    assert "systemctl enable si-kiosk-x11.service" not in output
    assert "50-kiosk-lockdown.conf" not in output
    assert "would run: systemctl disable getty@tty1.service" in output
    assert re.search(r"would run: useradd .*--system.* kiosk$", output, re.M) or "user kiosk: exists" in output
    assert "KIOSK_PROFILE=/etc/si-kiosk/site.toml" in written_file(output, "/etc/si-kiosk/kiosk.env")


def test_dry_run_x11_enables_the_xorg_unit_and_lockdown():
    output = dry_run("--x11", "--profile", "bank_branch")
    assert "would run: systemctl enable si-kiosk-x11.service" in output
    assert "would run: systemctl enable si-kiosk.service" not in output
    assert "/etc/X11/xorg.conf.d/50-kiosk-lockdown.conf" in output


def test_dry_run_site_profile_loads_and_keeps_state_out_of_the_code(tmp_path):
    output = dry_run("--profile", "bank_branch", "--terminal-id", "BANK-320100-0042", etc_dir=tmp_path / "etc")
    site = tmp_path / "site.toml"
    site.write_text(written_file(output, f"{tmp_path / 'etc'}/site.toml"), encoding="utf-8")
    settings = load_settings(str(site))
    assert settings.terminal.id == "BANK-320100-0042"
    assert settings.terminal.secret_file == "/etc/si-kiosk/terminal-secret"   # as the profile names it
    # /opt is read-only for the service: everything the kiosk writes lives under /var.
    assert settings.storage.directory == "/var/lib/si-kiosk/state"
    assert settings.logging.directory == "/var/log/si-kiosk"
    assert settings.devices.document_printer.output_dir == "/var/lib/si-kiosk/certificates"
    assert settings.session.idle_timeout_s == load_settings("bank_branch").session.idle_timeout_s


def test_dry_run_never_shows_or_replaces_an_existing_secret(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    secret = etc / "terminal-secret"
    secret.write_text("existing-secret-known-to-the-back-office\n", encoding="utf-8")
    (etc / "site.toml").write_text("[terminal]\nid = \"HALL-1\"\n", encoding="utf-8")
    output = dry_run(etc_dir=etc)
    assert f"keeping {secret}" in output
    assert f"would write: {secret}" not in output
    assert f"keeping {etc / 'site.toml'}" in output
    assert "existing-secret" not in output


def test_dry_run_of_a_new_secret_does_not_print_it(tmp_path):
    output = dry_run(etc_dir=tmp_path / "etc")
    secret = f"{tmp_path / 'etc'}/terminal-secret"
    assert f"would write: {secret} (mode 0600, owner kiosk:kiosk)" in output
    following = output.split(f"would write: {secret}", 1)[1].splitlines()[1]
    assert not following.startswith("    |")


def test_installer_refuses_unknown_options_and_profiles():
    for arguments in (["--frobnicate"], ["--profile", "no_such_profile"]):
        result = subprocess.run(["bash", str(INSTALL), "--dry-run", *arguments], capture_output=True, text=True)
        assert result.returncode != 0 and "install:" in result.stderr


def test_installer_needs_root_without_dry_run():
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and setpriv is missing: cannot run the installer as another user")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-c",
                   f"bash {shlex.quote(str(INSTALL))} --no-packages < /dev/null"]
    else:
        command = ["bash", str(INSTALL), "--no-packages"]
    before = system_state()
    result = subprocess.run(command, capture_output=True, text=True, cwd="/")
    assert result.returncode != 0
    assert "run as root" in result.stderr or "Permission denied" in result.stderr, result.stderr
    assert system_state() == before

