"""The `kiosk` command: one entry point, a subcommand per job.

Subcommands import what they need when they run, so `kiosk run` reaches the attract
screen without loading the back-office client, the server or the printing code. The
commands that need an optional extra (`backoffice`, `demo`, `bench`) say which one to
install when it is missing, instead of failing with a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2

# The modules each pip extra brings (pyproject.toml, [project.optional-dependencies]).
EXTRA_MODULES = {"backoffice": ("fastapi", "uvicorn"), "demo": ("fastapi", "uvicorn")}


def missing_extra(extra: str, command: str) -> str | None:
    """One line naming the extra to install when a module it brings cannot be found, else None.

    Looked up, not imported: the windowed demo's first frame should not wait for FastAPI."""
    import importlib.util

    for module in EXTRA_MODULES[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):   # ValueError: marked unimportable (None in sys.modules)
            found = False
        if not found:
            return (f"kiosk {command}: needs the '{extra}' extra ({module} is not installed); "
                    f"install it with: pip install 'si-kiosk[{extra}]'")
    return None


def _require_extra(extra: str, command: str) -> int | None:
    problem = missing_extra(extra, command)
    if problem is None:
        return None
    print(problem, file=sys.stderr)
    return EXIT_CONFIG


def _add_demo(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="windowed kiosk, simulated devices, embedded reference back office")
    parser.add_argument("--profile", default="demo", help="configuration profile (default: demo)")
    parser.add_argument("--headless", action="store_true", help="render offscreen and write screenshots instead")
    parser.add_argument("--out", type=Path, default=Path("demo-output"), help="screenshot directory for --headless")
    parser.add_argument("--scenario", action="append", default=None,
                        help="with --headless: a scripted journey (repeatable; 'all' runs every one): "
                             "contributions, certificate, pension-transfer, transfer-progress, ecard, timeout, "
                             "card-removed, backoffice-down, transfer-offline, elder-mode, english")
    parser.set_defaults(handler=_cmd_demo)


def _add_run(subparsers) -> None:
    parser = subparsers.add_parser("run", help="fullscreen kiosk from a configuration profile")
    parser.add_argument("--profile", default="service_hall", help="profile name in config/ or a .toml path")
    parser.set_defaults(handler=_cmd_run)


def _add_backoffice(subparsers) -> None:
    from backoffice.cli import add_arguments  # standard library only: cheap for every command

    parser = subparsers.add_parser("backoffice", help="serve the reference back office (--demo for a demo)")
    add_arguments(parser)
    parser.set_defaults(handler=_cmd_backoffice)


def _add_config(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check a configuration profile")
    parser.add_argument("action", choices=["check"])
    parser.add_argument("profile", help="profile name in config/ or a .toml path")
    parser.set_defaults(handler=_cmd_config)


def _add_diag(subparsers) -> None:
    parser = subparsers.add_parser("diag", help="technician checks of the devices (exit 0 pass, 1 fail)")
    parser.add_argument("--profile", default="service_hall", help="profile whose devices to check")
    checks = parser.add_subparsers(dest="check", required=True, metavar="CHECK")
    devices = checks.add_parser("devices", help="each device with state, capabilities and counters")
    devices.add_argument("--json", action="store_true")
    health = checks.add_parser("health", help="health checks of every device")
    health.add_argument("--level", choices=["internal", "external"], default="internal")
    health.add_argument("--json", action="store_true")
    card = checks.add_parser("card", help="wait for a card and print its masked fields as JSON")
    card.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a card")
    scan = checks.add_parser("scan", help="wait for one QR code and print a bounded preview")
    scan.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a code")
    checks.add_parser("print-test", help="print the receipt test page")
    sample = checks.add_parser("print-certificate-sample", help="the A4 sample certificate")
    sample.add_argument("--out", type=Path, help="render to this PDF instead of the configured printer")
    parser.set_defaults(handler=_cmd_diag)


def _add_virtual_card(subparsers) -> None:
    parser = subparsers.add_parser("virtual-card", help="insert a demo citizen's virtual card into pcscd (vpcd)")
    parser.add_argument("--card-number", required=True, help="a demo card number, e.g. A00000019")
    parser.add_argument("--fault", action="append", default=[], help="inject a card fault (repeatable)")
    parser.add_argument("--port", type=int, default=35963, help="vpcd port (35963 = Virtual PCD 00 00)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.set_defaults(handler=_cmd_virtual_card)


def _add_bench(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="measure performance and print figures")
    parser.add_argument("target", choices=["backoffice", "devices", "ui", "operations"])
    parser.add_argument("--iterations", type=int,
                        help="samples per figure (backoffice: 200, devices: 50, ui: 20, operations: 200)")
    parser.add_argument("--sessions", type=int, default=2000, help="ui: scripted sessions for the memory figure")
    parser.add_argument("--only", action="append", choices=["start", "card", "stall", "memory"], default=None,
                        help="ui: only this part (repeatable; default: all)")
    parser.add_argument("--no-pcscd", action="store_true",
                        help="ui: the card figures through the simulator only (no pcscd started)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="ui: also list the Python allocations that grew most across the sessions (slower)")
    parser.set_defaults(handler=_cmd_bench)


def _add_journal(subparsers) -> None:
    from kiosk.journal_commands import add_journal_parser

    add_journal_parser(subparsers)


def _add_technician(subparsers) -> None:
    from kiosk.technician_commands import add_technician_parser

    add_technician_parser(subparsers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Social-insurance self-service kiosk")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_demo, _add_run, _add_backoffice, _add_config, _add_diag, _add_virtual_card, _add_bench,
                _add_journal, _add_technician):
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from kiosk.config import ConfigError

    try:
        return args.handler(args)
    except ConfigError as error:
        print(f"kiosk: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_FAILURE


def _cmd_demo(args) -> int:
    refused = _require_extra("demo", "demo")
    if refused is not None:
        return refused
    from kiosk_demo.demo import run_demo

    return run_demo(args.profile, headless_out=args.out if args.headless else None, scenarios=args.scenario)


def _cmd_run(args) -> int:
    import os

    from kiosk_app.composition import RESTART_EXIT_CODE, run_kiosk

    code = run_kiosk(args.profile)
    if code == RESTART_EXIT_CODE and "INVOCATION_ID" not in os.environ:
        # Not under systemd (which restarts it by itself): start again in place.
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-c", "from kiosk_app.cli import main; raise SystemExit(main())",
                                  *sys.argv[1:]])
    return code


def _cmd_config(args) -> int:
    from kiosk.config import profile_path
    from kiosk.config_check import check_profile
    from kiosk_app.composition import build_brand_theme   # no Qt: checks the brand colours' contrast before deployment

    settings, problems = check_profile(args.profile)   # a non-demo profile also as deployed on this machine
    build_brand_theme(settings, profile_path(args.profile))
    for problem in problems:
        print(f"kiosk: configuration error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_CONFIG
    name = args.profile if args.profile == settings.profile else f"{args.profile} (profile {settings.profile})"
    print(f"{name}: ok (terminal {settings.terminal.id}, back office "
          f"{'embedded' if settings.backoffice.embedded else settings.backoffice.url}, "
          f"services {', '.join(settings.services.enabled)}, "
          f"required devices {', '.join(settings.devices.required) or 'none'}, "
          f"logo {settings.ui.logo or 'none'}, idle timeout {settings.session.idle_timeout_s} s)")
    return EXIT_OK


def _cmd_backoffice(args) -> int:
    refused = _require_extra("backoffice", "backoffice")
    if refused is not None:
        return refused
    from backoffice.cli import run

    return run(args, prog="kiosk backoffice")


def _cmd_diag(args) -> int:
    from devices.model import HealthLevel
    from kiosk.config import load_settings
    from kiosk.device_setup import build_device_manager
    from kiosk.diagnostics import Diagnostics, render_certificate_sample, wait_until_settled
    from kiosk.redaction import configure_logging

    settings = load_settings(args.profile)
    configure_logging("WARNING")
    if settings.devices.document_printer.driver != "none":
        from devices.document.certificate_pdf import ensure_gui_application

        ensure_gui_application()  # fonts for PDF rendering need a Qt application on the main thread
    if args.check == "print-certificate-sample" and args.out is not None:
        return render_certificate_sample(args.out)
    with build_device_manager(settings) as manager:
        wait_until_settled(manager)
        diagnostics = Diagnostics(manager)
        if args.check == "devices":
            return diagnostics.devices(args.json)
        if args.check == "health":
            return diagnostics.health(HealthLevel(args.level), args.json)
        if args.check == "card":
            return diagnostics.card(args.timeout)
        if args.check == "scan":
            return diagnostics.scan(args.timeout)
        if args.check == "print-test":
            return diagnostics.print_test()
        return diagnostics.print_certificate_sample()


def _cmd_virtual_card(args) -> int:
    from devices.card.virtual_card import CardFault, run_virtual_card
    from kiosk_demo.cards import demo_card_record

    try:
        record = demo_card_record(args.card_number)
        faults = tuple(CardFault(name.replace("-", "_").lower()) for name in args.fault)
    except (KeyError, ValueError) as error:
        known = ", ".join(fault.value for fault in CardFault)
        print(f"kiosk virtual-card: {error.args[0] if error.args else error} (faults: {known})", file=sys.stderr)
        return EXIT_CONFIG
    print(f"virtual card {args.card_number} inserted via vpcd {args.host}:{args.port}; Ctrl-C removes it",
          file=sys.stderr, flush=True)
    run_virtual_card(record, faults=faults, host=args.host, port=args.port)
    return EXIT_OK


def _cmd_bench(args) -> int:
    # Every bench but `devices` runs the reference back office (embedded or in its own process).
    refused = _require_extra("demo", f"bench {args.target}") if args.target != "devices" else None
    if refused is not None:
        return refused
    if args.target == "ui":
        from kiosk_bench.ui_bench import run_ui_bench

        return run_ui_bench(sessions=args.sessions, iterations=args.iterations or 20, parts=args.only,
                            pcscd=not args.no_pcscd, trace_python=args.tracemalloc)
    if args.target == "operations":
        from kiosk_bench.services import run_operations_bench

        return run_operations_bench(iterations=args.iterations or 200)
    if args.target == "devices":
        from kiosk_bench.services import run_devices_bench

        return run_devices_bench(iterations=args.iterations or 50)
    from kiosk_bench.services import run_backoffice_bench

    return run_backoffice_bench(iterations=args.iterations or 200)


if __name__ == "__main__":
    sys.exit(main())
