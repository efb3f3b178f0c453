"""`/metrics` in the Prometheus text exposition format 0.0.4, on 127.0.0.1 only.

A node agent on the kiosk (or an SSH tunnel) scrapes it; the kiosk never listens on
a network interface. What it shows is what the heartbeat already carries (version,
device states, statistics counters, outbox depth), so it exposes no personal data by
construction: no session, card or citizen value ever reaches a `Heartbeat`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devices.model import DeviceState
from kiosk.contract.models import Heartbeat

log = logging.getLogger("kiosk.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BIND_HOST = "127.0.0.1"
_EXTRA_NAME_PREFIX = "kiosk_"


def escape_label_value(value: str) -> str:
    """Backslash, double quote and line feed escaped, as the text format requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help_text(text: str) -> str:
    """HELP lines escape backslash and line feed only."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{escape_label_value(str(value))}"' for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def render_metrics(heartbeat: Heartbeat, *, terminal_id: str, extra: dict[str, float] | None = None) -> str:
    """The exposition text for one heartbeat snapshot (plus optional extra gauges)."""
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {escape_help_text(help_text)}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(f"{name}{labels} {_number(value)}" for labels, value in samples)

    family("kiosk_info", "gauge", "Terminal identity: always 1, the labels carry the facts.",
           [(_labels(terminal=terminal_id, version=heartbeat.version, profile=heartbeat.profile), 1)])
    # One series per device: a repeated name would make the whole page invalid.
    devices = list({(device.name, device.device_class): device for device in heartbeat.devices}.values())
    family("kiosk_device_up", "gauge", "1 when the device is usable (online or busy), else 0.",
           [(_labels(device=device.name, **{"class": device.device_class}),
             1 if device.state in (DeviceState.ONLINE.value, DeviceState.BUSY.value) else 0)
            for device in devices])
    family("kiosk_device_state", "gauge", "The device's current state (the sample with value 1).",
           [(_labels(device=device.name, **{"class": device.device_class}, state=device.state), 1)
            for device in devices])
    counter_samples = []
    for key, value in sorted(heartbeat.counters.items()):
        scope, _, name = key.partition(".")
        counter_samples.append((_labels(scope=scope, name=name) if name else _labels(scope="", name=scope), value))
    family("kiosk_counter_total", "counter", "Statistics counters, persisted across restarts (reset on paper "
           "replacement or by a technician).", counter_samples)
    family("kiosk_outbox_depth", "gauge", "Submissions waiting for the back office to confirm them.",
           [("", heartbeat.outbox_depth)])
    family("kiosk_outbox_held", "gauge", "Submissions kept because the back office refuses this terminal "
           "(credentials, clock, a gateway): staff must act.", [("", heartbeat.outbox_held)])
    family("kiosk_heartbeat_interval_seconds", "gauge", "Seconds between heartbeats to the back office.",
           [("", heartbeat.interval_s)] if heartbeat.interval_s else [])
    reserved = {line.split(" ")[2] for line in lines if line.startswith("# TYPE ")}
    for name, value in sorted((extra or {}).items(), key=lambda item: str(item[0])):
        if _valid_metric_name(name) and name not in reserved and isinstance(value, (int, float)):
            family(name, "gauge", "Kiosk gauge.", [("", value)])
        else:
            log.warning("metric %r skipped: not a kiosk_ metric name or not a number", str(name)[:80])
    return "\n".join(lines) + "\n"


def _valid_metric_name(name: object) -> bool:
    return (isinstance(name, str) and name.startswith(_EXTRA_NAME_PREFIX) and len(name) <= 100
            and all(char.isascii() and (char.isalnum() or char == "_") for char in name))


class MetricsExporter:
    """Serves `GET /metrics` from `collect()` on 127.0.0.1:`port` (0: any free port)."""

    def __init__(self, port: int, collect: Callable[[], Heartbeat], *, terminal_id: str,
                 extra: Callable[[], dict[str, float]] | None = None) -> None:
        self._requested_port = port
        self._collect = collect
        self._terminal_id = terminal_id
        self._extra = extra
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port once started (the real one when 0 was asked for)."""
        if self._server is not None:
            return self._server.server_address[1]
        return self._requested_port

    @property
    def url(self) -> str:
        return f"http://{BIND_HOST}:{self.port}/metrics"

    def start(self) -> None:
        if self._server is not None:
            return
        server = ThreadingHTTPServer((BIND_HOST, self._requested_port), self._handler_class())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="metrics-exporter", daemon=True)
        self._thread.start()
        log.info("metrics on %s", self.url)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "MetricsExporter":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def render(self) -> str:
        extra = self._extra() if self._extra is not None else None
        return render_metrics(self._collect(), terminal_id=self._terminal_id, extra=extra)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        exporter = self

        class MetricsHandler(BaseHTTPRequestHandler):
            server_version = "kiosk-metrics"
            sys_version = ""

            def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
                if self.path.split("?", 1)[0] != "/metrics":
                    self._not_found()
                    return
                try:
                    body = exporter.render().encode("utf-8")
                except Exception:  # a failing collector must not kill the handler thread
                    log.exception("metrics collection failed")
                    self._answer(500, b"collection failed\n", "text/plain; charset=utf-8")
                    return
                self._answer(200, body, CONTENT_TYPE)

            do_HEAD = do_GET  # the same answer without the body (see _answer)

            def _not_found(self) -> None:
                self._answer(404, b"not found\n", "text/plain; charset=utf-8")

            # Anything but reading /metrics is simply not here.
            do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_found

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # scrapes every 15 s: not worth a log line
                pass

        return MetricsHandler
