"""What a terminal installs, and what the commands that need more say when it is missing.

`pip install .` is a terminal: no FastAPI, no uvicorn, no python-escpos. The reference
back office comes with the `backoffice` extra, the demo and the benches with `demo`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER_MODULES = ("fastapi", "uvicorn", "starlette", "backoffice")


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_a_terminal_install_brings_no_server_and_no_escpos_library() -> None:
    base = names(project()["dependencies"])
    assert base == {"pyside6-essentials", "requests", "pydantic", "qrcode", "pyttsx3", "pyserial", "pyusb"}


def test_the_extras_bring_the_server_the_demo_the_card_and_the_test_tools() -> None:
    extras = project()["optional-dependencies"]
    assert names(extras["backoffice"]) == {"fastapi", "uvicorn"}
    assert extras["demo"] == ["si-kiosk[backoffice]"]
    assert names(extras["card"]) == {"pyscard"}
    assert {"pytest", "pytest-qt", "python-escpos"} <= names(extras["test"])


def test_bootstrap_installs_what_the_demo_and_the_tests_need() -> None:
    script = (REPO / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    chosen = re.findall(r'extras="([^"]+)"', script)
    assert chosen and all({"demo", "test"} <= set(extras.split(",")) for extras in chosen)


def without(modules: tuple[str, ...], *args: str) -> subprocess.CompletedProcess:
    """`kiosk ARGS` in a process where importing `modules` fails, as on a terminal install.

    A None entry in sys.modules is how Python itself marks a module that cannot be imported."""
    code = (f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
            "from kiosk_app.cli import main\nraise SystemExit(main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


@pytest.mark.parametrize(("args", "extra"), [
    (("backoffice", "--demo", "--port", "0"), "backoffice"),
    (("demo", "--headless", "--out", "/nonexistent/never-written"), "demo"),
    (("demo",), "demo"),
    (("bench", "ui", "--only", "memory"), "demo"),
    (("bench", "backoffice"), "demo"),
])
@pytest.mark.parametrize("missing", [("fastapi",), ("uvicorn",)])
def test_a_command_without_its_extra_names_the_extra_and_exits_2(args, extra, missing) -> None:
    done = without(missing, *args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert f"'{extra}' extra" in lines[0] and f"pip install 'si-kiosk[{extra}]'" in lines[0] and missing[0] in lines[0]


def test_kiosk_run_imports_no_server(tmp_path: Path) -> None:
    """The kiosk as `kiosk run` starts it, all parts open (devices, link, operations): no server module loaded."""
    profile = tmp_path / "terminal.toml"
    profile.write_text(f"""
[terminal]
id = "KIOSK-TEST-0001"
secret = "test-terminal-secret"

[backoffice]
url = "http://127.0.0.1:9/"
embedded = false

[storage]
directory = "{tmp_path / 'state'}"

[heartbeat]
interval_s = 0

[speech]
enabled = false

[ui]
fullscreen = false
""", encoding="utf-8")
    code = ("import sys\n"
            "from kiosk.config import load_settings\n"
            "from kiosk_app.composition import KioskApp, qt_application\n"
            "qt_application()\n"
            "kiosk = KioskApp(load_settings(sys.argv[1]))\n"
            "kiosk.start()\n"
            "kiosk.wait_until_started()\n"
            "assert kiosk.devices is not None and kiosk.link is not None and kiosk.operations is not None\n"
            f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_MODULES!r})\n"
            "kiosk.shutdown()\n"
            "print('LOADED', ' '.join(loaded))\n")
    done = subprocess.run([sys.executable, "-c", code, str(profile)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert "LOADED \n" in done.stdout or done.stdout.rstrip().endswith("LOADED"), done.stdout


def test_the_attract_screen_comes_before_pydantic_and_the_service_screens() -> None:
    """What `KioskApp` builds before the first frame (window, flow, controller, bridge) leaves the
    contract's pydantic models, the paper layouts and the services' screens for after it."""
    code = ("import sys\n"
            "from kiosk.config import load_settings\n"
            "from kiosk_app.composition import KioskApp, qt_application\n"
            "qt_application()\n"
            "kiosk = KioskApp(load_settings('demo'))\n"
            "heavy = ('pydantic', 'kiosk.contract.models', 'kiosk.documents', 'ui.services')\n"
            "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
            "kiosk.shutdown()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    loaded = [line for line in result.stdout.splitlines() if line.startswith("LOADED")]
    assert loaded == ["LOADED "], result.stdout + result.stderr
