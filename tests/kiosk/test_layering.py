"""The arrows of DESIGN section 2, checked on the source: a wrong import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(REPO))] = names
    return found


def test_core_and_devices_never_import_qt_widgets_or_ui() -> None:
    offenders = {
        path: sorted(name for name in names if name.startswith(("PySide6.QtWidgets", "ui")) or name == "ui")
        for package in ("kiosk", "devices") for path, names in imports_of(package).items()
        if path != "kiosk/app.py"  # the composition root builds the window
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_backoffice_shares_only_the_contract_with_the_kiosk() -> None:
    offenders = {
        path: sorted(name for name in names if (name == "kiosk" or name.startswith("kiosk."))
                     and not name.startswith("kiosk.contract"))
        for path, names in imports_of("backoffice").items()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_contract_depends_on_nothing_of_ours_but_itself() -> None:
    for path, names in imports_of("kiosk/contract").items():
        ours = {name for name in names if name.split(".")[0] in ("kiosk", "ui", "devices", "backoffice")}
        assert all(name.startswith("kiosk.contract") for name in ours), (path, ours)


def test_ui_never_imports_the_backoffice_or_the_client() -> None:
    for path, names in imports_of("ui").items():
        assert not any(name.startswith(("backoffice", "kiosk.backoffice_client", "requests")) for name in names), path


def test_devices_depend_on_nothing_of_ours_but_the_contract() -> None:
    """`ui -> kiosk -> devices`: a driver never reaches up into the core, the UI or the server."""
    offenders = {}
    for path, names in imports_of("devices").items():
        upward = sorted(name for name in names if name.split(".")[0] in ("kiosk", "ui", "backoffice")
                        and not name.startswith("kiosk.contract"))
        if upward:
            offenders[path] = upward
    assert offenders == {}
