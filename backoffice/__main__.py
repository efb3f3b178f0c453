"""`python -m backoffice --db var/backoffice.db --port 8443 --terminals-file FILE [--tls-cert ... --tls-key ...]`
(or `--demo`); the options are those of `kiosk backoffice` (backoffice/cli.py)."""

from __future__ import annotations

import sys

from backoffice.cli import main

if __name__ == "__main__":
    sys.exit(main())
