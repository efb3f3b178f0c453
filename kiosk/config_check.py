"""`kiosk config check`: a profile held to deployment rules on the machine it runs on.

Every load already validates types, ranges and cross-field rules (kiosk/config_sections.py); a site
(any profile whose back office is not embedded, as the demo's is) must also keep TLS
verification on, use https:// except to a local TLS proxy, print a certificate verify URL
others can open, and have the files it names here (docs/operator-guide.md).
"""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from pathlib import Path

from kiosk.config import CONFIG_DIR, SECRET_ENV_VAR, ConfigError, KioskSettings, load_with_origins, origin_of


def check_profile(profile: str, config_dir: Path = CONFIG_DIR) -> tuple[KioskSettings, list[ConfigError]]:
    """Load `profile` and check it as a deployment on this machine: `kiosk config check`.

    On top of what every load checks, a profile that is not a demo (its back office is not
    embedded) must keep TLS verification on, use https:// except to a loopback proxy, print
    a certificate verify URL others can reach, and have the files it names (CA, client
    certificate, terminal secret) on this machine. The files are checked where the check
    runs, so run it on the terminal (deploy/install.sh installs the secret file); the
    shipped templates name /etc/si-kiosk files that exist only there. Every problem found
    is returned, each naming file, key and reason.
    """
    settings, origin, profile_file, default_file = load_with_origins(profile, config_dir)

    def blame(key: str) -> Path:
        # A key left at its default is the profile's to set: name the profile, not default.toml.
        file = origin_of(key, origin, profile_file)
        return profile_file if file == default_file else file

    return settings, [ConfigError(blame(key), key, reason) for key, reason in deployment_problems(settings)]


def is_loopback_url(url: str) -> bool:
    """True for http(s)://127.x.x.x, [::1] and localhost: only this machine can open it."""
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def deployment_problems(settings: KioskSettings) -> list[tuple[str, str]]:
    """(dotted key, reason) for each rule a non-demo profile breaks on this machine; [] for a demo."""
    if settings.is_demo:
        return []
    office = settings.backoffice
    problems: list[tuple[str, str]] = []
    if not office.verify_tls:
        problems.append(("backoffice.verify_tls", "must be true outside a demo: without certificate verification "
                         "anyone on the network path can pose as the back office"))
    if office.url.lower().startswith("http://") and not is_loopback_url(office.url):
        problems.append(("backoffice.url", f"{office.url} is plain http:// to another machine: the terminal's "
                         "requests and citizens' data would cross the network unencrypted; use https:// "
                         "(http:// only to a local TLS proxy on 127.0.0.1 or ::1)"))
    printed = office.verify_url or office.url
    source = "" if office.verify_url else " (empty, so the back-office url is printed)"
    if is_loopback_url(printed):
        problems.append(("backoffice.verify_url", f"{printed}{source} is a loopback address: the QR on every "
                         "certificate would point at the terminal itself, where no one else can check it; set "
                         "the public verification URL"))
    elif office.verify_url.lower().startswith("http://"):   # an http:// url is reported above
        problems.append(("backoffice.verify_url", f"{printed} is plain http://: the QR citizens and "
                         "verifiers open from paper must be https://"))
    for key, value in (("backoffice.ca_file", office.ca_file), ("backoffice.client_cert_file",
                       office.client_cert_file), ("backoffice.client_key_file", office.client_key_file)):
        if value:
            problem = _file_problem(settings.resolve_path(value))
            if problem:
                problems.append((key, problem))
    for index, path in enumerate(settings.devices.document_printer.seal_image_paths().values()):
        problem = _file_problem(settings.resolve_path(path))
        if problem:
            problems.append((f"devices.document_printer.seal_images[{index}]", problem))
    terminal = settings.terminal
    if terminal.secret_file:
        problem = _file_problem(settings.resolve_path(terminal.secret_file))
        if problem:
            problems.append(("terminal.secret_file", problem + " (deploy/install.sh installs it; "
                             "see docs/operator-guide.md)"))
    elif not terminal.secret and not os.environ.get(SECRET_ENV_VAR):
        problems.append(("terminal.secret_file", f"no terminal secret: set secret_file (deploy/install.sh makes "
                         f"/etc/si-kiosk/terminal-secret) or ${SECRET_ENV_VAR}"))
    return problems


def _file_problem(path: Path) -> str:
    """Existence and size only: the secret is mode 0600 for the kiosk user, and stat needs no read access."""
    try:
        if not path.exists():
            return f"file {path} not found"
        if not path.is_file():
            return f"{path} is not a file"
        if path.stat().st_size == 0:
            return f"file {path} is empty"
    except OSError as error:
        return f"file {path} cannot be checked ({error.strerror or error})"
    return ""
