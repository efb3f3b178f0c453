"""`kiosk bench backoffice|devices|operations`: figures of the core and the drivers, printed beside their targets, never asserted."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH_TERMINAL_ID = "KIOSK-BENCH-0001"
BENCH_TERMINAL_SECRET = "bench-terminal-secret-0123456789"


def _measure(operation: Callable[[], object], iterations: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        operation()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(label: str, samples: list[float]) -> None:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    print(f"{label:<44} n={len(samples):<5} p50={cuts[49]:7.2f} ms  p90={cuts[89]:7.2f} ms  "
          f"p99={cuts[98]:7.2f} ms  max={max(samples):7.2f} ms", flush=True)


def run_backoffice_bench(iterations: int = 200) -> int:
    """Signed client against the reference back office on loopback (HTTP, real SQLite)."""
    from backoffice.demo_data import demo_citizens
    from backoffice.server import EmbeddedBackoffice
    from backoffice.settings import BackofficeSettings
    from kiosk.backoffice_client import BackofficeClient

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as scratch:
        settings = BackofficeSettings(db_path=Path(scratch) / "backoffice.sqlite3", demo_mode=True,
                                      terminals={BENCH_TERMINAL_ID: BENCH_TERMINAL_SECRET},
                                      terminal_rate_limit_per_minute=0)
        started = time.perf_counter()
        with EmbeddedBackoffice(settings) as server:
            print(f"back office started with demo data in {(time.perf_counter() - started) * 1000:.0f} ms "
                  f"at {server.base_url}")
            with BackofficeClient(server.base_url, BENCH_TERMINAL_ID, BENCH_TERMINAL_SECRET) as client:
                citizen = demo_citizens()[0]
                session = client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)
                today = settings.business_today()
                period_to = f"{today.year:04d}{today.month:02d}"
                period_from = f"{today.year - 20:04d}{today.month:02d}"
                first_page = client.contributions(session.token, period_from, period_to, page_size=100)
                print(f"citizen {citizen.name}: {first_page.total_rows} contribution rows over 20 years "
                      f"({period_from}-{period_to}), pages of 100")
                _report("20-year contributions query (page of 100)",
                        _measure(lambda: client.contributions(session.token, period_from, period_to, page_size=100),
                                 iterations))
                _report("certificate issue (new idempotency key each)",
                        _measure(lambda: client.issue_certificate(session.token, "contribution", period_from,
                                                                  period_to), iterations))
                _report("enrolment summary",
                        _measure(lambda: client.enrolment(session.token), iterations))
                client.close_session(session.token)
    return 0


def _typical_receipt():
    """A certificate receipt of about 30 lines, as the kiosk prints after issuing one."""
    from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text

    blocks = [Text("南京市社会保险自助服务", Align.CENTER, bold=True, large=True), Text("参保证明打印凭条", Align.CENTER),
              Rule(), KeyValue("姓名", "张*"), KeyValue("社会保障号码", "3201**********1234"),
              KeyValue("证明编号", "NJ-20261123-000123"), KeyValue("证明期间", "2006-07 至 2026-10")]
    blocks += [KeyValue(f"{year}年 职工养老保险", "12 个月 已到账") for year in range(2006, 2026)]
    blocks += [Rule(), QrCode("https://si.example.invalid/v1/certificates/NJ-20261123-000123?code=7KQ2MX9P"),
               Text("扫码核验 · 验证码 7KQ2MX9P", Align.CENTER), Text("终端 KIOSK-0001  2026-11-23 10:15"), Feed(2)]
    return ReceiptLayout(tuple(blocks))


def _bench_card_through_pcscd(iterations: int, pcscd=None) -> None:
    import threading

    from devices.card.pcsc_reader import PcscCardReader
    from devices.card.pcscd_runner import PcscdRunner, find_pcscd
    from devices.card.virtual_card import VirtualCard, vpcd_reader_name
    from devices.model import DeviceState, MediaState, StatusChanged
    from kiosk_demo.cards import demo_card_record

    if pcscd is None and find_pcscd() is None:
        print("card through pcscd: not measured, pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
        return
    runner = pcscd or PcscdRunner().start()
    reader = PcscCardReader("bench-reader", reader_pattern=f"^{vpcd_reader_name(0)}$")
    media_changed = threading.Condition()

    def on_event(event) -> None:
        if isinstance(event, StatusChanged):
            with media_changed:
                media_changed.notify_all()

    def wait_media(media: MediaState, timeout_s: float = 10.0) -> None:
        with media_changed:
            if not media_changed.wait_for(lambda: reader.status.media is media, timeout_s):
                raise TimeoutError(f"reader did not report {media.value}")

    reader.subscribe(on_event)
    reader.open()
    try:
        with media_changed:
            media_changed.wait_for(lambda: reader.status.state is DeviceState.ONLINE, 10.0)
        wait_media(MediaState.NOT_PRESENT)
        record = demo_card_record("A00000019")
        detection, reads, verifies, both = [], [], [], []
        for _ in range(iterations):
            card = VirtualCard(record)
            inserted_at = time.perf_counter()
            card.insert()
            wait_media(MediaState.PRESENT)
            detected_at = time.perf_counter()
            read = reader.read_card()
            read_at = time.perf_counter()
            verified = reader.verify_pin(record.pin)
            done_at = time.perf_counter()
            if not (read.ok and verified.ok):
                raise RuntimeError(f"bench card failed: {read.code} {verified.code}")
            detection.append((detected_at - inserted_at) * 1000)
            reads.append((read_at - detected_at) * 1000)
            verifies.append((done_at - read_at) * 1000)
            both.append((done_at - detected_at) * 1000)
            card.remove()
            wait_media(MediaState.NOT_PRESENT)
        _report("card detection (insert -> PRESENT event)", detection)
        _report("card read (15 APDUs, fields validated)", reads)
        _report("PIN verify", verifies)
        _report("card read + PIN verify (after detection)", both)
    finally:
        reader.close()
        if pcscd is None:  # a pcscd handed in belongs to the caller
            runner.stop()


def run_devices_bench(iterations: int = 50, pcscd=None) -> int:
    """Device figures: card through pcscd, receipt bytes, certificate PDF.

    `pcscd`: a running `PcscdRunner` to use instead of starting one (the tests pass theirs).
    """
    from devices.document.certificate_pdf import ensure_gui_application, render_pdf_bytes
    from devices.document.layout import sample_certificate
    from devices.interfaces import ReceiptPrinterCapabilities
    from devices.receipt.escpos_encoder import encode_receipt
    from devices.simulators.card_reader import SimulatedCardReader
    from kiosk_demo.cards import demo_card_record

    print(f"card through real pcscd + vpcd + virtual card, {iterations} insertions "
          "(detection is pcscd's polling of the vpcd slot; USB CCID readers interrupt instead)")
    _bench_card_through_pcscd(iterations, pcscd)

    simulator = SimulatedCardReader()
    simulator.open()
    record = demo_card_record("A00000019")
    simulator.insert_card(record)
    _report("card read + PIN verify (simulator)",
            _measure(lambda: (simulator.read_card().unwrap(), simulator.verify_pin(record.pin).unwrap()),
                     10 * iterations))

    receipt = _typical_receipt()
    for width, native in ((80, True), (58, True), (80, False)):
        capabilities = ReceiptPrinterCapabilities(width_mm=width, columns=48 if width == 80 else 32,
                                                  dots_per_line=576 if width == 80 else 384, native_qr=native)
        size = len(encode_receipt(receipt, capabilities))
        _report(f"receipt bytes {width} mm, {'native' if native else 'raster'} QR ({size} B)",
                _measure(lambda: encode_receipt(receipt, capabilities), (20 if native else 4) * iterations))

    ensure_gui_application()
    document = sample_certificate()
    pdf, pages = render_pdf_bytes(document)
    _report(f"certificate PDF, A4 ({pages} page, {len(pdf) // 1024} KiB)",
            _measure(lambda: render_pdf_bytes(document), max(iterations // 2, 5), warmup=2))
    print("targets: certificate PDF < 150 ms, receipt bytes < 5 ms; "
          "detection latency is reported apart from read latency")
    return 0


def run_operations_bench(iterations: int = 200) -> int:
    """Journal, outbox and counters on this disk; the outbox against the reference back office on loopback."""
    import uuid

    from backoffice.demo_data import demo_citizens
    from backoffice.server import EmbeddedBackoffice
    from backoffice.settings import BackofficeSettings
    from kiosk.backoffice_client import BackofficeClient
    from kiosk.counters import CounterStore
    from kiosk.journal import Journal
    from kiosk.outbox import Outbox, OutboxSender, scoped_grant

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ops-") as scratch:
        root = Path(scratch)
        journal = Journal(root / "journal.sqlite3")
        _report("journal append (fsync, hash chained)",
                _measure(lambda: journal.record("service.used", service="contributions"), iterations))
        for _ in range(10_000 - journal.count()):
            journal.record("session.started", method="card")
        started = time.perf_counter()
        verification = journal.verify()
        print(f"journal verify of {verification.checked} entries: {(time.perf_counter() - started) * 1000:.0f} ms "
              f"({'intact' if verification.ok else verification.reason})", flush=True)
        journal.close()

        counters = CounterStore(root / "counters.sqlite3")
        _report("counter increment (persisted)", _measure(lambda: counters.increment("kiosk", "sessions_card"),
                                                          iterations))
        counters.close()

        settings = BackofficeSettings(db_path=root / "backoffice.sqlite3", demo_mode=True,
                                      terminals={BENCH_TERMINAL_ID: BENCH_TERMINAL_SECRET},
                                      terminal_rate_limit_per_minute=0)
        with EmbeddedBackoffice(settings) as server, \
                BackofficeClient(server.base_url, BENCH_TERMINAL_ID, BENCH_TERMINAL_SECRET, retries=0,
                                 connect_timeout_s=1.0) as client:
            citizen = demo_citizens()[0]
            session = client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)
            outbox = Outbox(root / "outbox.sqlite3")
            sender = OutboxSender(outbox, lambda: client)
            payload = {"kind": "contribution", "period_from": "202001", "period_to": "202412"}

            def commit_one():
                # The outbox keeps a grant scoped to the one submission (OutboxSender.submit scopes it itself).
                key = uuid.uuid4().hex
                grant = scoped_grant("certificate", key, session.submission_grant)
                return outbox.add("certificate", key, payload, grant)

            _report("outbox commit only (before the network call)", _measure(commit_one, iterations))
            _report("certificate through the outbox: commit → confirmed",
                    _measure(lambda: sender.submit("certificate", uuid.uuid4().hex, payload,
                                                   session.submission_grant), iterations))
            server.stop()
            # Each refused connection is logged as a warning by the client; the figure is what matters here.
            import logging

            logging.getLogger("kiosk.backoffice").setLevel(logging.ERROR)
            _report("back office down: commit → deferred (refused)",
                    _measure(lambda: sender.submit("certificate", uuid.uuid4().hex, payload,
                                                   session.submission_grant), max(20, iterations // 10)))
            print(f"outbox depth after the outage: {outbox.depth()}", flush=True)
            outbox.close()
    return 0
