"""The kiosk's link to its back office: the signed client, and for an `embedded` profile the server too."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import KioskSettings

log = logging.getLogger("kiosk.app")


@dataclass
class BackofficeLink:
    """The signed client, plus the embedded reference server when the profile asks for one."""

    client: object  # kiosk.backoffice_client.BackofficeClient, imported lazily
    embedded: object | None = None  # backoffice.server.EmbeddedBackoffice
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def close(self) -> None:
        self.client.close()
        if self.embedded is not None:
            self.embedded.stop()
        if self.scratch is not None:
            self.scratch.cleanup()


def connect_backoffice(settings: KioskSettings) -> BackofficeLink:
    """Build the client; for an `embedded` profile first start the reference server on a free loopback port.

    Only an embedded profile imports the server (FastAPI, uvicorn): a terminal talks to a
    remote back office and installs without them."""
    from kiosk.backoffice_client import BackofficeClient

    if not settings.backoffice.embedded:
        return BackofficeLink(BackofficeClient.from_settings(settings))
    from backoffice.server import EmbeddedBackoffice
    from backoffice.settings import BackofficeSettings

    # A fresh database per demo run: the demo always starts from the seeded state.
    scratch = tempfile.TemporaryDirectory(prefix="kiosk-demo-backoffice-")
    # Demo mode: the demo's e-card codes come from POST /v1/ecard/codes; one local kiosk needs no rate limit.
    server = EmbeddedBackoffice(BackofficeSettings(
        db_path=Path(scratch.name) / "backoffice.sqlite3",
        terminals={settings.terminal.id: settings.terminal_secret()}, demo_mode=True,
        terminal_rate_limit_per_minute=0, time_zone=settings.terminal.time_zone))
    server.start()
    log.info("embedded reference back office at %s", server.base_url)
    return BackofficeLink(BackofficeClient.from_settings(settings, base_url=server.base_url), server, scratch)
