"""The layering rules of docs/architecture.md ("Rules the layout keeps"), checked on the source.

Every import counts, a function's lazy one included (the whole syntax tree is walked), and
no file is exempt: a wrong import fails here. The checker is also run on planted sources,
so each rule is shown able to fail.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PRODUCTION = ("kiosk", "ui", "devices")          # a terminal's software
OUTSIDE_PRODUCTION = ("kiosk_app", "kiosk_demo", "kiosk_bench")
# What the UI may take from the device layer: types it shows or passes on, never a driver.
UI_DEVICE_TYPES = ("devices.model", "devices.interfaces")


def within(name: str, *packages: str) -> bool:
    """`name` is one of `packages` or inside one of them."""
    return any(name == package or name.startswith(package + ".") for package in packages)


@dataclass(frozen=True)
class Rule:
    """Files under `package` (a path like "kiosk/contract") must not import what `forbidden` says."""

    name: str
    package: str
    forbidden: object   # callable(imported module name) -> bool


RULES = (
    Rule("the core imports no Qt at all", "kiosk", lambda name: within(name, "PySide6")),
    Rule("the core never sees the UI", "kiosk", lambda name: within(name, "ui")),
    Rule("the core never sees the back office", "kiosk", lambda name: within(name, "backoffice")),
    Rule("devices import no Qt widgets", "devices", lambda name: within(name, "PySide6.QtWidgets")),
    Rule("devices take only the contract from the core", "devices",
         lambda name: within(name, "kiosk") and not within(name, "kiosk.contract")),
    Rule("devices never see the UI or the back office", "devices", lambda name: within(name, "ui", "backoffice")),
    Rule("the UI takes only types from the device layer", "ui",
         lambda name: within(name, "devices") and not within(name, *UI_DEVICE_TYPES)),
    Rule("the UI never talks to the back office", "ui",
         lambda name: within(name, "backoffice", "kiosk.backoffice_client", "requests")),
    Rule("the back office shares only the contract with the kiosk", "backoffice",
         lambda name: within(name, "kiosk", "ui", "devices", *OUTSIDE_PRODUCTION) and not within(name, "kiosk.contract")),
    Rule("the contract depends on nothing of ours but itself", "kiosk/contract",
         lambda name: within(name, "kiosk", "ui", "devices", "backoffice", *OUTSIDE_PRODUCTION)
         and not within(name, "kiosk.contract")),
    *(Rule(f"{package}/ never imports the composition root, the demo or the benches", package,
           lambda name: within(name, *OUTSIDE_PRODUCTION)) for package in PRODUCTION),
)


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, at any depth (module level, functions, branches).

    A relative import is only ever within its own package, so it cannot cross a layer."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def violations(rule: Rule, sources: dict[str, str]) -> dict[str, list[str]]:
    """`sources`: path relative to the repository -> text. Returns path -> the forbidden imports."""
    found = {}
    for path, source in sources.items():
        if not path.startswith(rule.package + "/"):
            continue
        bad = sorted(name for name in imported_modules(source) if rule.forbidden(name))
        if bad:
            found[path] = bad
    return found


def repository_sources() -> dict[str, str]:
    packages = {rule.package.split("/")[0] for rule in RULES}
    return {str(path.relative_to(REPO)): path.read_text(encoding="utf-8")
            for package in sorted(packages) for path in (REPO / package).rglob("*.py")}


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return repository_sources()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_source_keeps_the_rule(rule: Rule, sources) -> None:
    assert violations(rule, sources) == {}


def test_every_package_the_rules_name_exists(sources) -> None:
    for rule in RULES:
        assert any(path.startswith(rule.package + "/") for path in sources), rule.package


# --- each rule fails on a planted import ------------------------------------------------------

PLANTED = {
    "the core imports no Qt at all": ("kiosk/planted.py", "def later():\n    from PySide6.QtCore import QTimer\n"),
    "the core never sees the UI": ("kiosk/planted.py", "import ui.theme\n"),
    "the core never sees the back office": ("kiosk/sub/planted.py", "from backoffice import server\n"),
    "devices import no Qt widgets": ("devices/planted.py", "from PySide6 import QtWidgets\n"),
    "devices take only the contract from the core": ("devices/planted.py", "from kiosk.config import load_settings\n"),
    "devices never see the UI or the back office": ("devices/planted.py", "if True:\n    import backoffice.db\n"),
    "the UI takes only types from the device layer": ("ui/planted.py",
                                                      "def f():\n    from devices.receipt import escpos_printer\n"),
    "the UI never talks to the back office": ("ui/planted.py", "import requests\n"),
    "the back office shares only the contract with the kiosk": ("backoffice/planted.py", "from kiosk import flow\n"),
    "the contract depends on nothing of ours but itself": ("kiosk/contract/planted.py", "import devices.model\n"),
    "kiosk/ never imports the composition root, the demo or the benches": ("kiosk/planted.py",
                                                                           "from kiosk_demo.cards import demo_pin\n"),
    "ui/ never imports the composition root, the demo or the benches": ("ui/planted.py",
                                                                        "class A:\n    def f(self):\n"
                                                                        "        import kiosk_bench.ui_bench\n"),
    "devices/ never imports the composition root, the demo or the benches": ("devices/planted.py",
                                                                             "from kiosk_app import composition\n"),
}


def test_every_rule_has_a_planted_violation() -> None:
    assert set(PLANTED) == {rule.name for rule in RULES}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_rule_reports_a_planted_import(rule: Rule) -> None:
    path, source = PLANTED[rule.name]
    assert violations(rule, {path: source}), (rule.name, source)


@pytest.mark.parametrize(("path", "source"), [
    ("kiosk/fine.py", "from kiosk.contract import models\nimport devices.model\n"),
    ("devices/fine.py", "from PySide6.QtGui import QImage\nfrom kiosk.contract.identifiers import mask_card_number\n"),
    ("ui/fine.py", "from PySide6.QtWidgets import QWidget\nfrom devices.model import CancelToken\nimport kiosk.flow\n"),
    ("backoffice/fine.py", "from kiosk.contract.models import Session\nimport fastapi\n"),
])
def test_what_the_layers_allow_is_not_reported(path: str, source: str) -> None:
    assert {rule.name: violations(rule, {path: source}) for rule in RULES} == {rule.name: {} for rule in RULES}


def test_a_lookalike_package_name_is_not_a_layer() -> None:
    """`kiosk_app` is not inside `kiosk`, nor `uix` inside `ui`."""
    assert not within("kiosk_app.cli", "kiosk") and not within("uix", "ui")
    assert within("PySide6.QtCore", "PySide6") and within("ui", "ui")
