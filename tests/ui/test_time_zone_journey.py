"""The whole kiosk on a host set to New York time: what it prints and offers follows Asia/Shanghai.

The demo profile (default `[terminal] time_zone`), the real window, the embedded back office
and the simulated printers, with the process's zone set to America/New_York (12 or 13 hours
behind Shanghai). The receipt's time, the certificate's print date and the contribution
years must be Shanghai's; the precise midnight cases are in tests/kiosk/test_time_zone.py
and tests/backoffice/test_business_dates.py, which fix the instant.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from devices.receipt.escpos_decode import decode_escpos
from kiosk.config import load_settings
from kiosk.flow_state import Intent, Screen
from kiosk_demo.scenarios import JourneyDriver, ScriptClock, start_kiosk
from tests.host_zone import host_time_zone
from kiosk.services.certificate import CertificateScreens
from kiosk.services.contributions import ContributionsScreens

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def new_york_host():
    with host_time_zone("America/New_York"):
        yield


@pytest.fixture
def driver(qtbot, new_york_host):
    clock = ScriptClock()
    kiosk, window = start_kiosk(load_settings("demo"), clock=clock)
    yield JourneyDriver(kiosk, None, (1920, 1080), clock)
    kiosk.shutdown()
    window.close()


def shanghai_minutes() -> set[str]:
    now = dt.datetime.now(SHANGHAI)
    return {(now + dt.timedelta(minutes=delta)).strftime("%Y-%m-%d %H:%M") for delta in (-2, -1, 0)}


def printed_value(data: bytes, label: str) -> str:
    for line in decode_escpos(data).lines:
        if line.startswith(label + " "):
            return line[len(label):].strip()
    raise AssertionError(f"no {label} line on the receipt")


def test_receipts_certificate_and_years_follow_shanghai_on_a_new_york_host(driver) -> None:
    assert dt.datetime.now().astimezone().utcoffset() in (dt.timedelta(hours=-5), dt.timedelta(hours=-4))
    driver.card_to_menu("A00000019", shots=False)

    driver.press(Intent.CHOOSE_SERVICE, "contributions")
    state = driver.wait_screen(ContributionsScreens.CONTRIBUTIONS)
    assert state.view("contributions").years[0] == dt.datetime.now(SHANGHAI).year
    driver.press(Intent.PRINT_RECEIPT)
    driver.wait(lambda s: s.receipt_status == "printed", "printed")
    assert printed_value(driver.receipts[-1], "时间") in shanghai_minutes()
    driver.press(Intent.BACK)
    driver.wait_screen(Screen.MENU)

    driver.press(Intent.CHOOSE_SERVICE, "certificate")
    driver.wait_screen(CertificateScreens.CERTIFICATE)
    driver.press(Intent.PREVIEW)
    state = driver.wait_screen(CertificateScreens.CERTIFICATE_PREVIEW)
    certificate = state.view("certificate").certificate
    assert certificate.content.print_date == dt.datetime.now(SHANGHAI).date()
    assert certificate.issued_at.astimezone(SHANGHAI).date() == certificate.content.print_date
    preview = " ".join(state.view("certificate").preview_lines)
    print_date = certificate.content.print_date
    assert f"{print_date.year}年{print_date.month:02d}月{print_date.day:02d}日" in preview

    driver.press(Intent.PRINT)
    state = driver.wait_screen(CertificateScreens.CERTIFICATE_DONE)
    assert state.view("certificate").document_status_key == "certificate.status.printed"
    receipt_time = printed_value(driver.receipts[-1], "时间")
    assert receipt_time in shanghai_minutes() and receipt_time.startswith(print_date.isoformat())
