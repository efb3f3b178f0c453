"""Citizen-facing times follow `[terminal] time_zone` (default Asia/Shanghai), never the host's zone.

A default Debian runs on UTC; a machine imaged elsewhere may be on New York time. Each test
runs under both host zones (TZ set and `time.tzset()`), at a fixed instant just after
midnight in Shanghai, when the host's date is still the day before:
2026-12-07T16:30:00Z is 2026-12-08 00:30 in Shanghai, 2026-12-07 16:30 in UTC and
2026-12-07 11:30 in New York.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from kiosk import documents, flow
from kiosk.clock import TerminalClock
from kiosk.config import load_settings
from kiosk.contract import models
from kiosk.flow_controller import FlowController, PaperSettings
from kiosk.journal import JournalEntry
from kiosk.journal_commands import format_entry
from kiosk.messages import MessageCatalog
from tests.host_zone import AFTER_MIDNIGHT_IN_SHANGHAI
from kiosk.services.contributions import LoadContributions
from kiosk.services.pension_transfer.receipt import receipt_layout, transfer_receipt

INSTANT = AFTER_MIDNIGHT_IN_SHANGHAI
SHANGHAI_MINUTE = "2026-12-08 00:30"
NEW_YEAR_INSTANT = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.timezone.utc)   # 2027-01-01 00:30 in Shanghai
AREA = {"code": "320100", "name_zh": "南京市", "name_en": "Nanjing"}
CITIZEN = models.CitizenSummary.model_validate({
    "name": "张伟", "ssn_masked": "3201**********0018", "personal_number": "P0001", "insured_area": AREA,
    "retired": False, "payer_kind": "employer"})


def fixed(instant: dt.datetime = INSTANT) -> TerminalClock:
    return load_settings("demo").terminal_clock(utc_now=lambda: instant)


def transfer(created_at: dt.datetime) -> models.PensionTransfer:
    return models.PensionTransfer.model_validate({
        "id": "PT20261208ABCDEF01", "status": "submitted", "from_area": AREA, "to_area": AREA,
        "contact_mobile_masked": "139****0004", "created_at": created_at.isoformat(),
        "updated_at": created_at.isoformat(), "steps": []})


def line(layout, label: str) -> str:
    """The value printed beside `label` on a receipt."""
    found = [block.value for block in layout.blocks if getattr(block, "label", None) == label]
    assert len(found) == 1, (label, found)
    return found[0]


# --- the clock ---------------------------------------------------------------------------

def test_the_terminal_clock_is_shanghai_wall_time_whatever_the_host_zone(host_zone) -> None:
    clock = fixed()
    assert clock.now().isoformat() == "2026-12-08T00:30:00+08:00"
    assert clock.today() == dt.date(2026, 12, 8)
    assert clock.minutes(INSTANT) == SHANGHAI_MINUTE
    assert clock.minutes(INSTANT.replace(tzinfo=None)) == SHANGHAI_MINUTE   # naive: taken as UTC
    assert clock.seconds(INSTANT.astimezone(dt.timezone(dt.timedelta(hours=-5)))) == "2026-12-08T00:30:00+08:00"


def test_a_configured_zone_is_used(tmp_path, host_zone) -> None:
    profile = tmp_path / "west.toml"
    profile.write_text('[terminal]\ntime_zone = "Asia/Urumqi"\n', encoding="utf-8")
    clock = load_settings(str(profile)).terminal_clock(utc_now=lambda: INSTANT)
    assert clock.now().isoformat() == "2026-12-07T22:30:00+06:00"


# --- receipts ------------------------------------------------------------------------------

@pytest.mark.parametrize("sent_in", [dt.timezone(dt.timedelta(hours=8)), dt.timezone.utc],
                         ids=["back-office-offset", "utc"])
def test_receipt_time_and_submission_time_agree_with_shanghai(host_zone, sent_in) -> None:
    clock = fixed()
    layout = transfer_receipt(CITIZEN, transfer(INSTANT.astimezone(sent_in)), header="社会保险自助服务",
                                        terminal_id="HALL-0001", now=clock.now())
    assert line(layout, "时间") == SHANGHAI_MINUTE
    assert line(layout, "提交时间") == SHANGHAI_MINUTE


def test_a_receipt_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="terminal clock"):
        documents.deferred_receipt(CITIZEN, "pension_transfer", "REF-1", header="h", terminal_id="HALL-0001",
                                   now=INSTANT.replace(tzinfo=None))


# --- the flow: what it prints and the years it offers ----------------------------------------

@pytest.fixture
def controller():
    made = []

    def make(clock: TerminalClock | None = None, client=None) -> FlowController:
        paper = PaperSettings(receipt_header_zh="社会保险自助服务", receipt_header_en="Self-service",
                              terminal_id="HALL-0001", **({"wall_clock": clock} if clock else {}))
        machine = flow.FlowMachine(flow.FlowSettings(), today=(clock or paper.wall_clock).today)
        made.append(FlowController(machine, MessageCatalog(), post=lambda event: None, on_state=lambda state: None,
                                   backoffice=lambda: client, paper=paper))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_flow_receipts_print_shanghai_time(host_zone, controller) -> None:
    made = controller(fixed())
    layout, _ = receipt_layout(CITIZEN, transfer(INSTANT), made.receipt_common("zh"))
    assert line(layout, "时间") == SHANGHAI_MINUTE and line(layout, "提交时间") == SHANGHAI_MINUTE


def test_without_a_configured_clock_the_flow_uses_shanghai_not_the_host(host_zone, controller) -> None:
    layout, _ = receipt_layout(CITIZEN, transfer(INSTANT), controller().receipt_common("zh"))
    expected = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    assert line(layout, "时间") in {(expected + dt.timedelta(minutes=delta)).strftime("%Y-%m-%d %H:%M")
                                   for delta in (-1, 0, 1)}


def test_contribution_years_start_from_the_terminal_date(host_zone, controller) -> None:
    asked = []

    class Client:
        def enrolment(self, token):
            return SimpleNamespace(items=[SimpleNamespace(first_insured="202001")])

        def contributions(self, token, period_from, period_to, insurance_type, *, page, page_size):
            asked.append((period_from, period_to))
            return SimpleNamespace(rows=[])

    made = controller(fixed(NEW_YEAR_INSTANT), Client())
    loaded = LoadContributions(token="t", year=None, insurance_type=None, page=1, page_size=10).perform(made, None)
    assert loaded.years[0] == 2027 and loaded.year == 2027   # new year's day in the hall, not 31 December
    assert asked[0] == ("202001", "202712")


# --- the journal display -------------------------------------------------------------------------

def test_journal_show_prints_the_terminal_zone(host_zone) -> None:
    entry = JournalEntry(seq=7, at=INSTANT, kind="session.started", fields={"service": "certificate"}, hash="0" * 64)
    assert format_entry(entry, fixed()) == "#7 2026-12-08T00:30:00+08:00 session.started service=certificate"


def run_journal(*argv: str) -> int:
    import argparse

    from kiosk.journal_commands import add_journal_parser

    parser = argparse.ArgumentParser(prog="kiosk")
    add_journal_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_the_journal_show_command_prints_the_terminal_zone(host_zone, tmp_path, capsys) -> None:
    from kiosk.journal import Journal

    path = tmp_path / "state" / "journal.sqlite3"
    with Journal(path, clock=INSTANT.timestamp) as journal:
        journal.record("session.started", service="certificate")
    profile = tmp_path / "hall.toml"
    profile.write_text(f'[storage]\ndirectory = "{path.parent.as_posix()}"\n', encoding="utf-8")
    for where in (["--path", str(path)], ["--profile", str(profile)]):
        assert run_journal("journal", "show", *where) == 0
        assert capsys.readouterr().out.startswith("#1 2026-12-08T00:30:00+08:00 session.started")
    assert run_journal("journal", "show", "--path", str(path), "--time-zone", "UTC") == 0
    assert capsys.readouterr().out.startswith("#1 2026-12-07T16:30:00+00:00 session.started")
    assert run_journal("journal", "show", "--path", str(path), "--time-zone", "Mars/Olympus") == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


def test_technician_views_show_times_on_the_halls_clock(host_zone):
    from kiosk.config import load_settings
    from kiosk.technician_backend import TechnicianBackend

    backend = TechnicianBackend(settings=load_settings("demo"), version="test", gate=None, journal=None,
                                counters=None, devices=lambda: None, backoffice_url=lambda: "")
    assert backend.time_text(INSTANT) == "2026-12-08 00:30:00"
    assert backend.time_text(INSTANT.timestamp()) == "2026-12-08 00:30:00"
