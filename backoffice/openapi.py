"""Write the committed OpenAPI schema: `python -m backoffice.openapi [path]`."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from backoffice.app import create_app
from backoffice.settings import BackofficeSettings

SCHEMA_PATH = Path(__file__).with_name("openapi.json")


def render_schema() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(BackofficeSettings(db_path=Path(scratch) / "schema.db", as_of=dt.date(2026, 1, 1),
                                            demo_mode=True))
        return json.dumps(app.openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else SCHEMA_PATH
    target.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
