"""Running the back office: `serve()` blocks (CLI), `EmbeddedBackoffice` runs in a thread
(`kiosk demo`, tests). HTTPS when a certificate is given, mutual TLS with a client CA."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from pathlib import Path

import uvicorn

from backoffice.app import create_app
from backoffice.settings import BackofficeSettings

STARTUP_TIMEOUT_SECONDS = 30.0
GRACEFUL_SHUTDOWN_SECONDS = 2


class ResponseDelay:
    """ASGI wrapper that answers late on demand: a slow provincial platform, for demos and benchmarks."""

    def __init__(self, app) -> None:
        self.app = app
        self.seconds = 0.0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and self.seconds > 0:
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


def _config(settings: BackofficeSettings, host: str, port: int, tls_certfile: Path | str | None,
            tls_keyfile: Path | str | None, tls_client_ca: Path | str | None,
            log_level: str = "warning", app=None) -> uvicorn.Config:
    if tls_client_ca is not None and tls_certfile is None:
        raise ValueError("mutual TLS needs a server certificate too")
    return uvicorn.Config(
        app or create_app(settings), host=host, port=port, log_level=log_level, access_log=False,
        ssl_certfile=str(tls_certfile) if tls_certfile else None,
        ssl_keyfile=str(tls_keyfile) if tls_keyfile else None,
        ssl_ca_certs=str(tls_client_ca) if tls_client_ca else None,
        ssl_cert_reqs=ssl.CERT_REQUIRED if tls_client_ca else ssl.CERT_NONE,
        lifespan="off",
        # uvicorn believes X-Forwarded-For from loopback by default; rate limits key on the client
        # address, so only a proxy named in the settings may say who the client is.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        # Kiosks keep connections alive; do not let one idle (or half-open TLS) connection hold up stop().
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def serve(settings: BackofficeSettings, host: str, port: int, tls_certfile: Path | str | None = None,
          tls_keyfile: Path | str | None = None, tls_client_ca: Path | str | None = None,
          log_level: str = "warning", response_delay_s: float = 0.0) -> None:
    """Serve until interrupted (blocking); `response_delay_s` plays a slow provincial platform."""
    app = ResponseDelay(create_app(settings))
    app.seconds = max(0.0, response_delay_s)
    uvicorn.Server(_config(settings, host, port, tls_certfile, tls_keyfile, tls_client_ca, log_level,
                           app=app)).run()


class EmbeddedBackoffice:
    """The back office on a daemon thread; `base_url` carries the real bound port.

    `stop()` then `start()` brings it back on the same port (a back office that went
    down and came back); `set_delay()` makes it slow.
    """

    def __init__(self, settings: BackofficeSettings, host: str = "127.0.0.1", port: int = 0,
                 tls_certfile: Path | str | None = None, tls_keyfile: Path | str | None = None,
                 tls_client_ca: Path | str | None = None):
        self.settings = settings
        self.host = host
        self.port = port
        self._tls = (tls_certfile, tls_keyfile, tls_client_ca)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._delay = ResponseDelay(create_app(settings))
        self.base_url = ""

    def start(self) -> EmbeddedBackoffice:
        if self._server is not None:
            raise RuntimeError("already started")
        server = uvicorn.Server(_config(self.settings, self.host, self.port, *self._tls, app=self._delay))
        self._server = server
        self._thread = threading.Thread(target=self._run, name="embedded-backoffice", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise RuntimeError("back office did not start") from self._failure
            time.sleep(0.01)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if self._tls[0] else "http"
        self.port = bound_port
        self.base_url = f"{scheme}://{self.host}:{bound_port}"
        return self

    @property
    def app(self):
        """The FastAPI application: a site adds its own services' routes here (docs/adding-a-service.md)."""
        return self._delay.app

    @property
    def running(self) -> bool:
        return self._server is not None

    def set_delay(self, seconds: float) -> None:
        """Answer every request `seconds` late (0: normal)."""
        self._delay.seconds = max(0.0, float(seconds))

    def _run(self) -> None:
        try:
            assert self._server is not None
            self._server.run()
        except BaseException as failure:  # reported by start(); a daemon thread must not die silently
            self._failure = failure

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 1)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> EmbeddedBackoffice:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
