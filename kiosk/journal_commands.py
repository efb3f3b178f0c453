"""`kiosk journal verify|show|prune`: the electronic journal for technicians and auditors.

Works on the journal of a profile (`<storage dir>/journal.sqlite3`) or any journal
file (`--path`), also while the kiosk is running: the journal serialises writers of
both processes. Exit codes (EXIT_CODES_HELP, shown by --help): 0 fine, 1 the journal
is broken (a failed check, a damaged file, an expected hash that does not match or an
expected entry removed other than by pruning, or prune refusing a broken part), 2 the
journal could not be found or used from the configuration and arguments.

Only argparse is imported up front, like the rest of the `kiosk` command: the
journal and the configuration load when a journal action runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_CONFIG = 2

DEFAULT_PROFILE = "service_hall"
JOURNAL_FILE_NAME = "journal.sqlite3"
DEFAULT_SHOW_LIMIT = 50

EXIT_CODES_HELP = f"""exit codes:
  {EXIT_OK}  fine: the journal is intact (verify), or the action was done
  {EXIT_BROKEN}  the journal is broken: a link of the chain, a damaged file that cannot be read,
     an --expect hash that does not match, an --expect entry removed other than by pruning
     (pruning removes only the oldest entries), or prune refusing to remove a broken part
  {EXIT_CONFIG}  a configuration or usage problem, nothing was judged: a configuration error, a
     profile without storage, no file at the path, a directory, a file that cannot be
     opened, another SQLite database, a journal written by a newer kiosk, a bad option"""

_EXIT_CODES_EPILOG = {"epilog": EXIT_CODES_HELP, "formatter_class": argparse.RawDescriptionHelpFormatter}


def add_journal_parser(subparsers) -> None:
    parser = subparsers.add_parser("journal", help="verify, show or prune the electronic journal",
                                   **_EXIT_CODES_EPILOG)
    location = argparse.ArgumentParser(add_help=False)
    where = location.add_mutually_exclusive_group()
    where.add_argument("--profile", help=f"profile whose journal to use (default: {DEFAULT_PROFILE})")
    where.add_argument("--path", type=Path, help="a journal file instead of a profile's")

    actions = parser.add_subparsers(dest="journal_action", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", parents=[location],
                                help="check the hash chain (exit 0 intact, 1 broken: the first broken entry is named)",
                                **_EXIT_CODES_EPILOG)
    verify.add_argument("--expect", action="append", default=[], metavar="SEQ:HASH", type=_expected_hash,
                        help="an entry's hash as reported off the terminal (heartbeat journal_seq:journal_hash in "
                             "GET /v1/terminals): also catches a journal rewritten with recomputed hashes, and "
                             "newest entries removed with the head moved back")
    show = actions.add_parser("show", parents=[location], help="the newest entries, oldest of them first",
                              **_EXIT_CODES_EPILOG)
    show.add_argument("--limit", type=int, default=DEFAULT_SHOW_LIMIT,
                      help=f"how many entries (default: {DEFAULT_SHOW_LIMIT}, at most 5000)")
    show.add_argument("--kind", action="append", default=None, metavar="KIND",
                      help="only entries of this kind, e.g. session.started (repeatable)")
    show.add_argument("--time-zone", metavar="ZONE", default=None,
                      help="show times in this IANA zone (default: the profile's terminal.time_zone; "
                           "Asia/Shanghai with --path)")
    prune = actions.add_parser("prune", parents=[location], help="remove entries older than the retention",
                               **_EXIT_CODES_EPILOG)
    prune.add_argument("--retention-days", type=int, default=None,
                       help="keep this many days (default: the profile's journal.retention_days, 365 with --path)")
    parser.set_defaults(handler=run_journal_command)


def run_journal_command(args) -> int:
    from kiosk.config import ConfigError
    from kiosk.journal import Journal, JournalDamaged, JournalError

    try:
        path, retention_days = _journal_location(args)
    except ConfigError as error:
        return _fail(f"configuration error: {error}", EXIT_CONFIG)
    except _LocationProblem as problem:
        return _fail(str(problem), EXIT_CONFIG)
    if getattr(args, "retention_days", None) is not None:
        retention_days = args.retention_days
    try:
        clock = _display_clock(args) if args.journal_action == "show" else None
    except ConfigError as error:
        return _fail(f"configuration error: {error}", EXIT_CONFIG)
    except ValueError as error:
        return _fail(f"--time-zone: {error}", EXIT_CONFIG)
    if not path.is_file():
        return _fail(f"no journal at {path}" + ("" if path.parent.is_dir() else " (its directory does not exist)"),
                     EXIT_CONFIG)
    try:
        journal = Journal(path, retention_days=retention_days)
    except ValueError as error:
        return _fail(str(error), EXIT_CONFIG)
    except JournalDamaged as error:
        # Damage is what a check is there to find: a failed verification, not a configuration problem.
        if args.journal_action == "verify":
            print(f"journal BROKEN: {error}")
            return EXIT_BROKEN
        return _fail(f"journal BROKEN: {error}", EXIT_BROKEN)
    except JournalError as error:
        return _fail(str(error), EXIT_CONFIG)
    try:
        with journal:
            if args.journal_action == "verify":
                return _verify(journal, args.expect)
            if args.journal_action == "show":
                return _show(journal, args.limit, args.kind, clock)
            return _prune(journal)
    except JournalError as error:
        return _fail(str(error), EXIT_BROKEN)


class _LocationProblem(Exception):
    """The journal file cannot be found from the arguments."""


def journal_path_for(settings) -> Path | None:
    """A profile's journal file; None when the profile keeps no state between runs."""
    if not settings.storage.directory:
        return None
    return settings.resolve_path(settings.storage.directory) / JOURNAL_FILE_NAME


def _journal_location(args) -> tuple[Path, int]:
    from kiosk.config import load_settings
    from kiosk.journal import DEFAULT_RETENTION_DAYS

    if args.path is not None:
        return Path(args.path), DEFAULT_RETENTION_DAYS
    profile = args.profile or DEFAULT_PROFILE
    settings = load_settings(profile)
    path = journal_path_for(settings)
    if path is None:
        raise _LocationProblem(f"profile {profile} keeps no journal between runs (storage.directory is empty); "
                               "pass --path FILE")
    return path, settings.journal.retention_days


def _expected_hash(text: str) -> tuple[int, str]:
    seq_text, _, digest = text.partition(":")
    if not re.fullmatch(r"[0-9]{1,18}", seq_text) or int(seq_text) < 1 or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise argparse.ArgumentTypeError(f"{text[:80]!r}: give SEQ:HASH (an entry number from 1 and 64 hex digits)")
    return int(seq_text), digest


def _verify(journal, expected: list[tuple[int, str]] = ()) -> int:
    verification = journal.verify()
    print(verification.summary())
    ok = verification.ok
    anchor = journal.prune_anchor()
    pruned_through = anchor[0] if anchor is not None else 0
    for seq, digest in expected:
        stored = journal.hash_at(seq)
        if stored is None and seq <= pruned_through:
            print(f"entry #{seq}: pruned (entries up to #{pruned_through} were removed by pruning): "
                  "cannot be compared")
        elif stored is None:
            # Pruning removes only the oldest entries, up to its anchor: anything after it that is
            # gone was removed behind the journal's back, e.g. the newest ones with the head moved back.
            ends = f"ends at entry #{verification.last_seq}" if verification.last_seq is not None else "is empty"
            pruned = f"pruning removed only entries up to #{pruned_through}" if pruned_through else \
                "nothing was ever pruned"
            print(f"entry #{seq}: MISSING: reported off the terminal but not in this journal, which {ends}; "
                  f"{pruned}, so entries were removed after it was reported")
            ok = False
        elif stored != digest:
            print(f"entry #{seq}: does NOT match the hash reported off the terminal: "
                  "the journal was rewritten after it was reported")
            ok = False
        else:
            print(f"entry #{seq}: matches the hash reported off the terminal")
    return EXIT_OK if ok else EXIT_BROKEN


def _display_clock(args):
    """The wall clock `show` prints in: --time-zone, else the profile's terminal zone, never the host's."""
    from kiosk.clock import DEFAULT_TIME_ZONE, TerminalClock
    from kiosk.config import load_settings

    if args.time_zone:
        return TerminalClock.named(args.time_zone)
    if args.path is not None:
        return TerminalClock.named(DEFAULT_TIME_ZONE)
    return load_settings(args.profile or DEFAULT_PROFILE).terminal_clock()


def _show(journal, limit: int, kinds: list[str] | None, clock) -> int:
    for entry in reversed(journal.entries(limit=limit, kinds=kinds)):
        print(format_entry(entry, clock))
    return EXIT_OK


def _prune(journal) -> int:
    removed = journal.prune()
    print(f"pruned {removed} entr{'y' if removed == 1 else 'ies'} older than {journal.retention_days} days; "
          f"{journal.count()} remain")
    return EXIT_OK


def format_entry(entry, clock) -> str:
    """`#12 2026-11-23T09:15:02+08:00 session.started service=certificate ...`.

    The time in the terminal's zone (`clock`, a `kiosk.clock.TerminalClock`), with its offset;
    the fields are already masked.
    """
    moment = clock.seconds(entry.at)
    fields = " ".join(f"{name}={_shown_value(value)}" for name, value in sorted(entry.fields.items()))
    return f"#{entry.seq} {moment} {entry.kind}" + (f" {fields}" if fields else "")


def _shown_value(value: object) -> str:
    if isinstance(value, str):
        # Plain words stay plain; anything with spaces, quotes or '=' is quoted so lines split unambiguously.
        if value and not any(char.isspace() or char in "\"'=" for char in value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def _fail(message: str, code: int) -> int:
    print(f"kiosk journal: {message}", file=sys.stderr)
    return code
