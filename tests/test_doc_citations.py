"""Code cites only documents the repository has: every `docs/<name>.md` named in a source file
exists, and nothing cites a design document that is not shipped with the product."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "ui", "devices", "backoffice", "kiosk_app", "kiosk_demo", "kiosk_bench", "scripts", "deploy")
DOC_REFERENCE = re.compile(r"\bdocs/([\w.-]+\.md)\b")
OUTSIDE_DOCUMENT = re.compile(r"\bDESIGN(?:\.md| section| \d)")


def sources() -> list[Path]:
    return [path for package in PACKAGES for path in (REPO / package).rglob("*")
            if path.suffix in (".py", ".sh", ".toml", ".md", ".service") and path.is_file()]


def test_every_cited_doc_exists() -> None:
    missing = {f"{path.relative_to(REPO)}: docs/{name}" for path in sources()
               for name in DOC_REFERENCE.findall(path.read_text(encoding="utf-8", errors="replace"))
               if not (REPO / "docs" / name).is_file()}
    assert missing == set()


def test_no_citation_of_a_document_outside_the_repository() -> None:
    offenders = [str(path.relative_to(REPO)) for path in sources()
                 if OUTSIDE_DOCUMENT.search(path.read_text(encoding="utf-8", errors="replace"))]
    assert offenders == []


def test_the_checks_can_fail(tmp_path) -> None:
    assert DOC_REFERENCE.findall("see docs/not-there.md") == ["not-there.md"]
    assert OUTSIDE_DOCUMENT.search("as DESIGN section 9 says")
