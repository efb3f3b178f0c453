"""`python -m backoffice --db var/backoffice.db --port 8443 [--tls-cert ... --tls-key ... --client-ca ...]`"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from backoffice.server import serve
from backoffice.settings import BackofficeSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m backoffice", description="Reference back office")
    parser.add_argument("--db", type=Path, default=Path("var/backoffice.db"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--tls-cert", type=Path)
    parser.add_argument("--tls-key", type=Path)
    parser.add_argument("--client-ca", type=Path)
    parser.add_argument("--no-demo", action="store_true", help="disable POST /v1/ecard/codes")
    args = parser.parse_args()
    settings = BackofficeSettings(db_path=args.db, seed=args.seed, as_of=args.as_of, demo_mode=not args.no_demo)
    serve(settings, args.host, args.port, args.tls_cert, args.tls_key, args.client_ca, log_level="info")


if __name__ == "__main__":
    main()
