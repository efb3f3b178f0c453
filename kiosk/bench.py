"""`kiosk bench ...`: performance figures printed, never asserted (DESIGN section 10)."""

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
        settings = BackofficeSettings(db_path=Path(scratch) / "backoffice.sqlite3",
                                      terminals={BENCH_TERMINAL_ID: BENCH_TERMINAL_SECRET})
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
