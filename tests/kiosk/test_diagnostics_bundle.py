"""The diagnostics bundle: complete, redacted everywhere, written atomically or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from kiosk.config import load_settings
from kiosk.contract.identifiers import is_valid_ssn
from kiosk.diagnostics_bundle import MAX_LOG_BYTES, BundleError, write_bundle

SSN = "110101199003071233"          # a valid id (check digit right)
SSN_BAD_CHECK = "110101199003071234"  # id-shaped, wrong check digit: masked all the same
MOBILE = "13912345678"
NOW = dt.datetime(2026, 11, 23, 10, 15, 0, tzinfo=dt.timezone.utc)
EXPECTED_MEMBERS = {"manifest.json", "config.txt", "devices.json", "health.json", "counters.json", "journal.jsonl",
                    "connectivity.json", "system.txt", "logs/kiosk.log", "logs/kiosk.log.1", "logs/printer.log"}


@pytest.fixture(scope="module")
def settings():
    return load_settings("demo")


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "log"
    directory.mkdir()
    (directory / "kiosk.log").write_text(
        f"2026-11-23 10:00:00 INFO kiosk.flow card read ssn={SSN}\n"
        f"2026-11-23 10:00:01 INFO kiosk.flow mobile {MOBILE} given\n", encoding="utf-8")
    (directory / "kiosk.log.1").write_text(f"older line {SSN_BAD_CHECK}\n", encoding="utf-8")
    (directory / "printer.log").write_text(f"receipt for {SSN} printed\n", encoding="utf-8")
    (directory / "notes.txt").write_text("not a log\n", encoding="utf-8")
    return directory


def bundle_inputs(log_dir: Path | None) -> dict:
    return {
        "version": "0.1.0",
        "devices": [{"class": "card_reader", "name": "Virtual PCD 00 00", "status": {"state": "online",
                     "detail": f"last card {SSN}"}}],
        "health": [{"device": "receipt", "summary": f"test page for {MOBILE}", "passed": True}],
        "counters": {"cards_read": 12, "last_citizen": SSN_BAD_CHECK},
        "journal_entries": [{"seq": 1, "kind": "session.start", "ssn": SSN, "mobile": MOBILE,
                             "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                            {"seq": 2, "kind": "service.used", "note": f"转移 {SSN} 联系 {MOBILE}"}],
        "connectivity": {"url": "https://backoffice.example/", "reachable": True, "error": f"echo {SSN}"},
        "log_dir": log_dir,
    }


def read_members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_bundle_holds_everything_and_no_full_identifier(tmp_path: Path, settings, log_dir: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = write_bundle(out, settings=settings, now=NOW, **bundle_inputs(log_dir))
    assert result.path == out / f"si-kiosk-diagnostics-{settings.terminal.id}-20261123T101500Z.zip"
    assert result.bytes == result.path.stat().st_size > 0
    members = read_members(result.path)
    assert set(members) == EXPECTED_MEMBERS == set(result.files)
    for name, text in members.items():
        for secret in (SSN, SSN_BAD_CHECK, MOBILE):
            assert secret not in text, f"{name} holds {secret}"
    assert "1101**********1233" in members["journal.jsonl"] and "139****5678" in members["journal.jsonl"]
    assert "1101**********1233" in members["logs/kiosk.log"]
    assert "1101**********1234" in members["logs/kiosk.log.1"]
    assert "转移" in members["journal.jsonl"]  # Chinese kept readable, not \\u-escaped
    assert [json.loads(line)["seq"] for line in members["journal.jsonl"].splitlines()] == [1, 2]
    assert json.loads(members["devices.json"])[0]["name"] == "Virtual PCD 00 00"
    assert json.loads(members["counters.json"])["cards_read"] == 12
    assert json.loads(members["connectivity.json"])["reachable"] is True
    assert f"terminal.id = {settings.terminal.id}" in members["config.txt"]
    assert "python 3.11" in members["system.txt"] and "package requests" in members["system.txt"]
    assert list(out.iterdir()) == [result.path]  # no temp file left behind


def test_manifest_lists_each_file_with_its_digest(tmp_path: Path, settings, log_dir: Path) -> None:
    result = write_bundle(tmp_path / "bundle.zip", settings=settings, now=NOW, **bundle_inputs(log_dir))
    members = read_members(result.path)
    manifest = json.loads(members["manifest.json"])
    assert manifest["terminal"] == settings.terminal.id and manifest["version"] == "0.1.0"
    assert manifest["created_at"] == NOW.isoformat()
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == EXPECTED_MEMBERS - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(members[name].encode("utf-8")).hexdigest()


def test_config_in_the_bundle_hides_secrets(tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    secret = "terminal-secret-in-bundle-31c"
    with_secret = dataclasses.replace(settings, terminal=dataclasses.replace(settings.terminal, secret=secret))
    result = write_bundle(tmp_path / "b.zip", settings=with_secret, now=NOW, **bundle_inputs(None))
    members = read_members(result.path)
    assert all(secret not in text for text in members.values())
    assert "terminal.secret = •••• (set)" in members["config.txt"]
    assert not any(name.startswith("logs/") for name in members)


def test_long_logs_keep_their_last_two_mib(tmp_path: Path, settings) -> None:
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    line = "2026-11-23 10:00:00 INFO kiosk.bench " + "x" * 90 + "\n"
    with (log_dir / "kiosk.log").open("w", encoding="utf-8") as handle:
        for index in range(3 * MAX_LOG_BYTES // len(line)):
            handle.write(f"{index:08d} {line}")
        handle.write("the very last line\n")
    result = write_bundle(tmp_path / "b.zip", settings=settings, now=NOW, **bundle_inputs(log_dir))
    text = read_members(result.path)["logs/kiosk.log"]
    assert len(text.encode("utf-8")) <= MAX_LOG_BYTES
    assert text.endswith("the very last line\n")
    assert text.splitlines()[0].endswith(line.strip())  # starts on a whole line


def test_identifier_that_redaction_misses_stops_the_bundle(tmp_path: Path, settings) -> None:
    assert is_valid_ssn(SSN)
    inputs = bundle_inputs(None)
    inputs["journal_entries"] = [{"note": f"ssn{SSN}"}]  # glued to letters: redaction's pattern lets it pass
    with pytest.raises(BundleError) as raised:
        write_bundle(tmp_path / "b.zip", settings=settings, now=NOW, **inputs)
    assert "journal.jsonl" in str(raised.value) and SSN not in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_hex_digests_do_not_trip_the_check(tmp_path: Path, settings) -> None:
    inputs = bundle_inputs(None)
    inputs["journal_entries"] = [{"hash": "a" + "1234567890123456789" + "f"}]  # 19 digits, not an id
    assert write_bundle(tmp_path / "b.zip", settings=settings, now=NOW, **inputs).bytes > 0


@pytest.mark.parametrize("make_target", [
    lambda tmp: tmp / "missing" / "bundle.zip",
    lambda tmp: (tmp / "a-file").write_text("x") and tmp / "a-file" / "bundle.zip",
])
def test_unwritable_target_is_a_bundle_error(tmp_path: Path, settings, make_target) -> None:
    target = make_target(tmp_path)
    with pytest.raises(BundleError, match="cannot write the bundle"):
        write_bundle(target, settings=settings, now=NOW, **bundle_inputs(None))
    assert not target.exists()


def test_existing_bundle_is_replaced_whole(tmp_path: Path, settings) -> None:
    target = tmp_path / "b.zip"
    target.write_bytes(b"old and broken")
    write_bundle(target, settings=settings, now=NOW, **bundle_inputs(None))
    assert "manifest.json" in read_members(target)
