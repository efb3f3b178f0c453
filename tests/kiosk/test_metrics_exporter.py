"""The Prometheus exporter over real HTTP on 127.0.0.1, its output read by a strict parser of
the text exposition format 0.0.4 written here (no prometheus_client dependency)."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field

import pytest
import requests

from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedReceiptPrinter
from kiosk.contract.models import DeviceReport, Heartbeat
from kiosk.counters import CounterStore
from kiosk_demo.cards import demo_card_record
from kiosk.heartbeat import build_heartbeat
from kiosk.metrics_exporter import MetricsExporter, escape_label_value, render_metrics

# --- a strict parser of the text format ----------------------------------------------------------

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


@dataclass
class Family:
    name: str
    help: str
    type: str | None = None
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)


class ExpositionError(AssertionError):
    pass


def parse_exposition(text: str) -> dict[str, Family]:
    if not text.endswith("\n"):
        raise ExpositionError("the text must end with a line feed")
    families: dict[str, Family] = {}
    current: Family | None = None
    series: set[tuple] = set()
    for number, line in enumerate(text[:-1].split("\n"), 1):
        if not line:
            raise ExpositionError(f"line {number}: empty line")
        if line.startswith("# HELP "):
            name, _, help_text = line[len("# HELP "):].partition(" ")
            if not METRIC_NAME.fullmatch(name) or name in families:
                raise ExpositionError(f"line {number}: bad or repeated HELP for {name!r}")
            current = families[name] = Family(name, _unescape_help(help_text))
        elif line.startswith("# TYPE "):
            parts = line[len("# TYPE "):].split(" ")
            if len(parts) != 2 or current is None or parts[0] != current.name:
                raise ExpositionError(f"line {number}: TYPE must follow the HELP of its family")
            if current.type is not None or current.samples or parts[1] not in TYPES:
                raise ExpositionError(f"line {number}: TYPE repeated, late or unknown")
            current.type = parts[1]
        elif line.startswith("#"):
            raise ExpositionError(f"line {number}: unexpected comment")
        else:
            name, labels, value = _parse_sample(line, number)
            if current is None or current.type is None or name != current.name:
                raise ExpositionError(f"line {number}: sample {name!r} outside its family")
            key = (name, tuple(sorted(labels.items())))
            if key in series:
                raise ExpositionError(f"line {number}: repeated series")
            series.add(key)
            current.samples.append((labels, value))
    return families


def _parse_sample(line: str, number: int) -> tuple[str, dict[str, str], float]:
    match = METRIC_NAME.match(line)
    if not match:
        raise ExpositionError(f"line {number}: no metric name")
    name, position, labels = match.group(), match.end(), {}
    if position < len(line) and line[position] == "{":
        position += 1
        while line[position] != "}":
            label = LABEL_NAME.match(line, position)
            if not label or line[label.end():label.end() + 2] != '="':
                raise ExpositionError(f"line {number}: bad label at {position}")
            position = label.end() + 2
            value_chars = []
            while line[position] != '"':
                if line[position] == "\\":
                    escaped = line[position + 1]
                    if escaped not in '\\"n':
                        raise ExpositionError(f"line {number}: bad escape \\{escaped}")
                    value_chars.append("\n" if escaped == "n" else escaped)
                    position += 2
                else:
                    value_chars.append(line[position])
                    position += 1
            if label.group() in labels:
                raise ExpositionError(f"line {number}: repeated label")
            labels[label.group()] = "".join(value_chars)
            position += 1
            if line[position] == ",":
                position += 1
            elif line[position] != "}":
                raise ExpositionError(f"line {number}: expected , or }}")
        position += 1
    rest = line[position:]
    if not rest.startswith(" ") or rest.startswith("  "):
        raise ExpositionError(f"line {number}: one space before the value")
    fields = rest[1:].split(" ")
    if len(fields) not in (1, 2) or (len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1])):
        raise ExpositionError(f"line {number}: value [timestamp] expected")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?([eE][+-]?\d+)?|NaN|Inf)", fields[0]):
        raise ExpositionError(f"line {number}: bad value {fields[0]!r}")
    return name, labels, float(fields[0])


def _unescape_help(text: str) -> str:
    if any(escape.group(1) not in "\\n" for escape in re.finditer(r"\\(.?)", text)):
        raise ExpositionError("HELP text may only escape backslash and line feed")
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def test_the_parser_is_strict():
    good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1\\"\\\\\\n"} 2\n'
    assert parse_exposition(good)["a_total"].samples == [({"x": '1"\\\n'}, 2.0)]
    for bad in ('a 1\n', '# HELP a A.\n# TYPE a gauge\na{x="1"} 1', '# HELP a A.\n# TYPE a gauge\na{x="\\t"} 1\n',
                '# HELP a A.\n# TYPE a gauge\na 1\na 2\n', '# HELP a A.\n# TYPE a gauge\nb 1\n',
                '# HELP a A.\n# TYPE a gauge\na  1\n', '# HELP a A.\n# TYPE a wrong\n'):
        with pytest.raises(ExpositionError):
            parse_exposition(bad)


# --- the exporter ------------------------------------------------------------------------------

TERMINAL_ID = 'KIOSK "hall\\2"\nnext'


@pytest.fixture
def kiosk_parts(tmp_path):
    reader = SimulatedCardReader()
    printer = SimulatedReceiptPrinter('printer "front"\\1')
    for device in (reader, printer):
        device.open()
    store = CounterStore(tmp_path / "counters.sqlite3")
    store.attach([reader, printer])
    yield reader, printer, store
    store.close()


@pytest.fixture
def exporter(kiosk_parts):
    reader, printer, store = kiosk_parts

    def collect():
        return build_heartbeat(version="0.1.0", profile="service_hall", interval_s=60, devices=[reader, printer],
                               counters=store.flat(), outbox_depth=3)

    running = MetricsExporter(0, collect, terminal_id=TERMINAL_ID, extra=lambda: {"kiosk_clock_skew_seconds": -0.25})
    running.start()
    yield running
    running.stop()


def scrape(exporter) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{exporter.port}/metrics", timeout=5)


def test_metrics_parse_and_say_what_the_kiosk_knows(kiosk_parts, exporter):
    reader, printer, store = kiosk_parts
    reader.insert_card(demo_card_record("A00000019"))
    card = reader.read_card()
    assert card.ok
    printer.inject_fault(SimulatedFault.PAPER_OUT)
    store.increment("kiosk", "sessions_card")

    response = scrape(exporter)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = parse_exposition(response.text)
    assert {name: family.type for name, family in families.items()} == {
        "kiosk_info": "gauge", "kiosk_device_up": "gauge", "kiosk_device_state": "gauge",
        "kiosk_counter_total": "counter", "kiosk_outbox_depth": "gauge", "kiosk_outbox_held": "gauge",
        "kiosk_heartbeat_interval_seconds": "gauge",
        "kiosk_clock_skew_seconds": "gauge"}
    assert all(family.help for family in families.values())

    # Escaped label values come back exactly.
    assert families["kiosk_info"].samples == [
        ({"terminal": TERMINAL_ID, "version": "0.1.0", "profile": "service_hall"}, 1.0)]
    up = {labels["device"]: (labels["class"], value) for labels, value in families["kiosk_device_up"].samples}
    assert up == {reader.name: ("card_reader", 1.0), printer.name: ("receipt_printer", 1.0)}
    states = {(labels["device"], labels["state"]) for labels, _ in families["kiosk_device_state"].samples}
    assert states == {(reader.name, "online"), (printer.name, "online")}

    counters = {(labels["scope"], labels["name"]): value for labels, value in families["kiosk_counter_total"].samples}
    assert counters[("card_reader", "cards_read")] == 1 and counters[("card_reader", "cards_inserted")] == 1
    assert counters[("kiosk", "sessions_card")] == 1
    assert families["kiosk_outbox_depth"].samples == [({}, 3.0)]
    assert families["kiosk_heartbeat_interval_seconds"].samples == [({}, 60.0)]
    assert families["kiosk_clock_skew_seconds"].samples == [({}, -0.25)]

    # The card that was just read leaves no trace.
    for secret in (card.value.ssn, card.value.name, card.value.card_number, card.value.ssn[-6:]):
        assert secret not in response.text


def test_an_unusable_device_shows_down(kiosk_parts, exporter):
    reader, printer, store = kiosk_parts
    reader.faults.inject(SimulatedFault.UNPLUG)
    reader.open()
    families = parse_exposition(scrape(exporter).text)
    up = {labels["device"]: value for labels, value in families["kiosk_device_up"].samples}
    assert up[reader.name] == 0.0
    assert ({"device": reader.name, "class": "card_reader", "state": "no_device"}, 1.0) in \
        families["kiosk_device_state"].samples


def test_anything_but_metrics_is_not_found(exporter):
    base = f"http://127.0.0.1:{exporter.port}"
    assert requests.get(base + "/", timeout=5).status_code == 404
    assert requests.get(base + "/metrics/../secret", timeout=5).status_code == 404
    assert requests.post(base + "/metrics", data=b"x", timeout=5).status_code == 404
    assert requests.get(base + "/metrics?name[]=x", timeout=5).status_code == 200


def test_the_exporter_listens_on_loopback_127_0_0_1_only(exporter):
    assert exporter.port > 0
    assert exporter.url == f"http://127.0.0.1:{exporter.port}/metrics"
    # 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 does not answer it.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", exporter.port), timeout=2).close()
    outward = _outward_address()
    if outward is not None:
        with pytest.raises(OSError):
            socket.create_connection((outward, exporter.port), timeout=2).close()


def _outward_address() -> str | None:
    """This host's address on its default route (no packet is sent), or None."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_a_failing_collector_answers_500_and_the_exporter_lives_on():
    calls = []

    def collect():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store closed")
        return build_heartbeat(version="1", profile="p", interval_s=None, devices=None, counters={}, outbox_depth=0)

    with MetricsExporter(0, collect, terminal_id="K1") as running:
        assert requests.get(running.url, timeout=5).status_code == 500
        families = parse_exposition(requests.get(running.url, timeout=5).text)
    assert families["kiosk_device_up"].samples == [] and families["kiosk_heartbeat_interval_seconds"].samples == []


def test_label_escaping():
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def test_bad_extras_and_repeated_devices_cannot_break_the_page():
    twin = DeviceReport(name="printer", device_class="receipt_printer", state="online", paper="full")
    beat = Heartbeat(version="1", profile="p", devices=[twin, twin], counters={"kiosk.a": 1})
    text = render_metrics(beat, terminal_id="K1", extra={"kiosk_info": 5, "not_kiosk": 1, "kiosk_text": "x",
                                                          "kiosk-dash": 1, "kiosk_ok": 2.5})
    families = parse_exposition(text)
    assert families["kiosk_info"].samples == [({"terminal": "K1", "version": "1", "profile": "p"}, 1.0)]
    assert len(families["kiosk_device_up"].samples) == 1
    assert families["kiosk_ok"].samples == [({}, 2.5)]
    assert not {"not_kiosk", "kiosk_text", "kiosk-dash"} & set(families)
