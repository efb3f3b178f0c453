"""No zh/en choice outside the catalogue's helper (kiosk.messages.in_language), checked on the source.

A conditional expression that tests a value against "zh" or "en" (``x_en if language == "en"
else x_zh``, ``[1 if lang == "en" else 0]``, ``startswith("en")``) is a second text shape;
texts belong in the catalogue and outside zh/en pairs go through `in_language`. Switching the
language itself (``"en" if language == "zh" else "zh"``) is not a text choice and passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("kiosk", "ui", "devices", "kiosk_app")
ALLOWED = (
    "kiosk/messages.py",          # the helper itself
    # The contract imports nothing of ours (tests/kiosk/test_layering.py), so AreaName.name keeps
    # its own accessor over its data.
    "kiosk/contract/",
)
LANGUAGE_WORDS = {"zh", "en"}


def _mentions_language(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Constant) and sub.value in LANGUAGE_WORDS for sub in ast.walk(node))


def _is_language(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in LANGUAGE_WORDS


def language_choices(source: str) -> list[int]:
    """Line numbers of zh/en choices made by a conditional expression in `source`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.IfExp) and _mentions_language(node.test):
            if _is_language(node.body) and _is_language(node.orelse):
                continue          # a language toggle, not a choice of text
            lines.append(node.lineno)
    return lines


def test_no_language_choice_outside_the_catalogue():
    found = []
    for package in SCANNED:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if any(relative == allowed or (allowed.endswith("/") and relative.startswith(allowed))
                   for allowed in ALLOWED):
                continue
            found += [f"{relative}:{line}" for line in language_choices(path.read_text(encoding="utf-8"))]
    assert found == [], "use kiosk.messages.in_language or a catalogue key: " + ", ".join(found)


def test_the_scan_catches_each_shape():
    assert language_choices('t = x_en if language == "en" else x_zh') == [1]
    assert language_choices('t = "" if language == "zh" else " "') == [1]
    assert language_choices('t = pair[1 if self.language == "en" else 0]') == [1]
    assert language_choices('t = a.en if lang.startswith("en") else a.zh') == [1]
    assert language_choices('other = "en" if language == "zh" else "zh"') == []
    assert language_choices('t = in_language(language, zh=a, en=b)') == []
