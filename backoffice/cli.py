"""Command-line options of the reference back office, shared by `kiosk backoffice` and `python -m backoffice`.

Safe by default: without `--demo` it starts only with a terminal list (`--terminal ID=SECRET`
or `--terminals-file`), and the demo terminal (its secret is public) and the demo e-card
code endpoint are off. Imports only the standard library at module level, so building the
`kiosk` parser stays cheap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_CONFIG = 2
MIN_SECRET_LENGTH = 16
MIN_MANAGER_TOKEN_LENGTH = 16
MAX_SECRET_FILE_BYTES = 1024 * 1024


class StartupRefused(Exception):
    """A configuration the back office will not start with; the message says what to give instead."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--db", type=Path, default=Path("var/backoffice.sqlite3"), help="SQLite file")
    parser.add_argument("--seed", type=int, default=2026, help="demo data seed")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="business date the demo data are generated for (default: today)")
    parser.add_argument("--demo", action="store_true",
                        help="demo mode: accept the public demo terminal when no terminal is given, and serve "
                             "POST /v1/ecard/codes (mints a login code for any ssn). Never on a real site")
    parser.add_argument("--terminal", action="append", default=[], metavar="ID=SECRET",
                        help="a terminal allowed to call (repeatable; ID:SECRET also works). Secrets on the "
                             "command line show in `ps`: prefer --terminals-file")
    parser.add_argument("--terminals-file", type=Path, metavar="FILE",
                        help="terminals, one ID=SECRET per line (# comments); mode 0600 recommended")
    parser.add_argument("--ecard-key-file", type=Path, metavar="FILE",
                        help="HMAC key of e-card codes (at least 32 characters; mode 0600 recommended; "
                             "default: a random key for this run)")
    parser.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                        help="a reverse proxy whose X-Forwarded-For is believed (repeatable; default: none, "
                             "the peer address is the client for rate limits)")
    parser.add_argument("--terminal-rate-limit", type=int, default=None, metavar="PER_MINUTE",
                        help="signed calls per terminal and minute (default 600; 0: no limit)")
    parser.add_argument("--tls-cert", type=Path, help="server certificate (PEM): serve HTTPS")
    parser.add_argument("--tls-key", type=Path, help="server private key (PEM)")
    parser.add_argument("--tls-client-ca", "--client-ca", dest="tls_client_ca", type=Path,
                        help="require client certificates signed by this CA")
    parser.add_argument("--response-delay-s", type=float, default=0.0,
                        help="answer every request this late (a slow platform, for benchmarks)")
    parser.add_argument("--time-zone", default="Asia/Shanghai", metavar="ZONE",
                        help="IANA zone of business dates: certificate issue and validity, transfer steps "
                             "(default: Asia/Shanghai)")
    parser.add_argument("--manager-token", default=None, metavar="TOKEN",
                        help="bearer token of the hall manager for GET /v1/terminals (at least 16 characters; "
                             "default: $KIOSK_MANAGER_TOKEN; none: that route answers 403)")


def _warn_if_readable_by_others(path: Path, what: str, prog: str) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if stat.S_IMODE(mode) & 0o077:
        print(f"{prog}: warning: {what} {path} is readable by others (mode {stat.S_IMODE(mode):04o}); "
              f"chmod 600 it", file=sys.stderr)


def _read_secret_file(path: Path, what: str, prog: str) -> str:
    try:
        if path.stat().st_size > MAX_SECRET_FILE_BYTES:
            raise StartupRefused(f"{what} {path}: larger than {MAX_SECRET_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StartupRefused(f"{what} {path}: cannot be read ({error.__class__.__name__}: "
                             f"{getattr(error, 'strerror', None) or error})") from None
    _warn_if_readable_by_others(path, what, prog)
    return text


def parse_terminal(item: str, where: str) -> tuple[str, str]:
    """`ID=SECRET` or `ID:SECRET` (whichever separator comes first) -> (id, secret)."""
    cuts = [index for index in (item.find("="), item.find(":")) if index >= 0]
    if not cuts:
        raise StartupRefused(f"{where}: expected ID=SECRET")
    cut = min(cuts)
    terminal_id, secret = item[:cut].strip(), item[cut + 1:].strip()
    if not terminal_id or len(secret) < MIN_SECRET_LENGTH:
        raise StartupRefused(f"{where} {terminal_id or '(no id)'!r}: expected ID=SECRET with a secret of at least "
                             f"{MIN_SECRET_LENGTH} characters")
    return terminal_id, secret


def terminals_from(args: argparse.Namespace, prog: str) -> dict[str, str]:
    terminals: dict[str, str] = {}
    for item in args.terminal:
        terminal_id, secret = parse_terminal(item, "--terminal")
        terminals[terminal_id] = secret
    if args.terminals_file is not None:
        text = _read_secret_file(args.terminals_file, "terminals file", prog)
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                terminal_id, secret = parse_terminal(line, f"{args.terminals_file} line {number}")
                terminals[terminal_id] = secret
    return terminals


def settings_from_args(args: argparse.Namespace, prog: str = "kiosk backoffice"):
    """The BackofficeSettings these options ask for; StartupRefused says why not."""
    from backoffice.settings import MIN_ECARD_KEY_LENGTH, BackofficeSettings

    terminals = terminals_from(args, prog)
    if not terminals and not args.demo:
        raise StartupRefused("no terminals configured: give --terminal ID=SECRET or --terminals-file FILE "
                             "(or --demo for a demo with the public demo terminal)")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise StartupRefused("--tls-cert and --tls-key go together")
    if args.tls_client_ca and not args.tls_cert:
        raise StartupRefused("--tls-client-ca needs --tls-cert and --tls-key")
    # The environment keeps the token out of `ps` output; the option wins when both are given.
    manager_token = args.manager_token
    if manager_token is None:
        manager_token = os.environ.get("KIOSK_MANAGER_TOKEN", "")
    if manager_token and len(manager_token) < MIN_MANAGER_TOKEN_LENGTH:
        raise StartupRefused(f"--manager-token must have at least {MIN_MANAGER_TOKEN_LENGTH} characters")
    options: dict = {"db_path": args.db, "seed": args.seed, "as_of": args.as_of, "demo_mode": args.demo,
                     "terminals": terminals, "manager_token": manager_token,
                     "trusted_proxies": tuple(args.trusted_proxy), "time_zone": args.time_zone}
    if args.ecard_key_file is not None:
        key = _read_secret_file(args.ecard_key_file, "e-card key file", prog).strip()
        if len(key) < MIN_ECARD_KEY_LENGTH:
            raise StartupRefused(f"e-card key file {args.ecard_key_file}: the key needs at least "
                                 f"{MIN_ECARD_KEY_LENGTH} characters (e.g. `openssl rand -hex 32`)")
        options["ecard_key"] = key
    if args.terminal_rate_limit is not None:
        if args.terminal_rate_limit < 0:
            raise StartupRefused("--terminal-rate-limit must be 0 (no limit) or more")
        options["terminal_rate_limit_per_minute"] = args.terminal_rate_limit
    try:
        return BackofficeSettings(**options)
    except ValueError as error:   # e.g. an unknown --time-zone
        raise StartupRefused(str(error)) from None


def run(args: argparse.Namespace, prog: str = "kiosk backoffice", log_level: str = "warning") -> int:
    """Check the options, then serve until interrupted; 2 (and a message) when they are refused."""
    try:
        settings = settings_from_args(args, prog)
    except StartupRefused as refusal:
        print(f"{prog}: {refusal}", file=sys.stderr)
        return EXIT_CONFIG
    from backoffice.server import serve

    args.db.parent.mkdir(parents=True, exist_ok=True)
    scheme = "https" if args.tls_cert else "http"
    mode = " in DEMO mode (public demo terminal, demo e-card codes)" if settings.demo_mode else ""
    print(f"reference back office on {scheme}://{args.host}:{args.port}/v1 (database {args.db}){mode}", flush=True)
    serve(settings, args.host, args.port, tls_certfile=args.tls_cert, tls_keyfile=args.tls_key,
          tls_client_ca=args.tls_client_ca, log_level=log_level,
          response_delay_s=args.response_delay_s)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backoffice", description="Reference back office")
    add_arguments(parser)
    return run(parser.parse_args(argv), prog="python -m backoffice", log_level="info")
