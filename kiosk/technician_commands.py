"""`kiosk technician hash-pin | check-pin`: set up and check the technician PIN from a shell.

`hash-pin` prints the line to paste under `[technician]` in a profile; the PIN is read
with getpass (twice, so a typo does not lock everyone out) or once from stdin with
`--stdin` for provisioning scripts. The PIN is never echoed, printed or logged.

`check-pin` answers whether a PIN matches a profile's hash. It does not touch the
kiosk's lockout counter: whoever can run it can read the profile's hash anyway.
"""

from __future__ import annotations

import argparse
import getpass
import sys

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_USAGE = 2


def add_technician_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("technician", help="technician PIN: make a hash for a profile, check a PIN")
    actions = parser.add_subparsers(dest="technician_action", required=True, metavar="ACTION")
    hash_pin = actions.add_parser("hash-pin", help="read a new PIN and print the pin_hash line for a profile")
    hash_pin.add_argument("--stdin", action="store_true", help="read the PIN once from standard input (scripts)")
    hash_pin.set_defaults(handler=_cmd_hash_pin)
    check_pin = actions.add_parser("check-pin", help="exit 0 when a PIN matches the profile's pin_hash, 1 if not")
    check_pin.add_argument("--profile", required=True, help="profile name in config/ or a .toml path")
    check_pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    check_pin.set_defaults(handler=_cmd_check_pin)
    return parser


def _cmd_hash_pin(args) -> int:
    from kiosk.technician_auth import hash_pin, validate_pin

    if args.stdin:
        pin = _read_stdin_pin()
    else:
        try:
            pin = getpass.getpass("New technician PIN (6-12 digits): ")
            again = getpass.getpass("The same PIN again: ")
        except EOFError:
            return _refuse("no PIN given")
        if pin != again:
            return _refuse("the two PINs differ; nothing was made")
    if pin is None:
        return _refuse("no PIN on standard input")
    reason = validate_pin(pin)
    if reason:
        return _refuse(reason)
    print(f'pin_hash = "{hash_pin(pin)}"')
    print("paste this line under [technician] in the kiosk's profile", file=sys.stderr)
    return EXIT_OK


def _cmd_check_pin(args) -> int:
    from kiosk.config import load_settings
    from kiosk.technician_auth import pin_matches

    settings = load_settings(args.profile)  # ConfigError: kiosk_app.cli reports it (exit 2)
    if not settings.technician.pin_hash:
        return _refuse(f"profile {args.profile} sets no technician.pin_hash (technician mode is disabled)")
    if args.stdin:
        pin = _read_stdin_pin()
    else:
        try:
            pin = getpass.getpass("Technician PIN: ")
        except EOFError:
            pin = None
    if pin is None:
        return _refuse("no PIN given")
    if pin_matches(pin, settings.technician.pin_hash):
        print("the PIN matches this profile's pin_hash")
        return EXIT_OK
    print("the PIN does not match this profile's pin_hash", file=sys.stderr)
    return EXIT_MISMATCH


def _read_stdin_pin() -> str | None:
    """The first line of stdin without its line ending (a script's `echo` adds one)."""
    line = sys.stdin.readline(256)
    if not line:
        return None
    return line.rstrip("\r\n").strip()


def _refuse(reason: str) -> int:
    print(f"kiosk technician: {reason}", file=sys.stderr)
    return EXIT_USAGE
