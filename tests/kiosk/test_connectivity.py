"""Connectivity checks against the real reference back office, over http and https (dev CA)."""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import socket
import ssl
import statistics
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.connectivity import ConnectivityReport, check_backoffice, parse_certificate


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make certificates")


def issue_certificate(ca: Path, name: str, *, days: int, san: str, self_signed: bool = False) -> tuple[Path, Path]:
    """A server certificate signed by the dev CA (or by itself); `days` may be negative (already expired)."""
    key, cert = ca / f"{name}.key", ca / f"{name}.crt"
    if self_signed:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(days),
                        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                        "-addext", f"subjectAltName={san}"], check=True, capture_output=True, timeout=60)
        return cert, key
    csr, ext = ca / f"{name}.csr", ca / f"{name}.ext"
    ext.write_text(f"basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName={san}\n", encoding="ascii")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", str(key), "-out", str(csr),
                    "-subj", "/CN=localhost/O=Test Hall"], check=True, capture_output=True, timeout=60)
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca / "ca.crt"), "-CAkey", str(ca / "ca.key"),
                    "-set_serial", "0x" + secrets.token_hex(8), "-days", str(days), "-sha256", "-extfile", str(ext),
                    "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def openssl_not_after(cert: Path) -> dt.datetime:
    output = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-enddate"], check=True,
                            capture_output=True, text=True, timeout=30).stdout.strip()
    text = output.partition("=")[2]
    return dt.datetime.strptime(text, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=dt.timezone.utc)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- plain http ----------------------------------------------------------------------

def test_http_back_office_is_reachable_with_latency_and_clock(backoffice) -> None:
    report = check_backoffice(backoffice.base_url, samples=3)
    assert report.reachable and report.error == "" and report.http_status == 200
    assert len(report.latencies_ms) == 3 and all(value > 0 for value in report.latencies_ms)
    assert report.latency_ms == pytest.approx(statistics.median(report.latencies_ms), abs=0.01)
    assert report.server_time is not None and report.server_time.tzinfo is not None
    assert abs(report.clock_skew_s) < SKEW_SAME_MACHINE_S
    assert not report.tls and report.certificate_subject == "" and report.tls_error == ""
    assert report.summary_lines("en")[1].startswith("Reachable, response time")
    assert report.summary_lines("zh")[1].startswith("连接正常")
    as_dict = report.as_dict()
    assert as_dict["reachable"] is True and isinstance(as_dict["server_time"], str)
    assert isinstance(as_dict["latencies_ms"], list)


SKEW_SAME_MACHINE_S = 30  # server and check share this machine's clock; only rounding separates them


def test_a_kiosk_clock_an_hour_behind_is_reported(backoffice) -> None:
    report = check_backoffice(backoffice.base_url, samples=1, clock=lambda: time.time() - 3600)
    assert 3600 - SKEW_SAME_MACHINE_S < report.clock_skew_s < 3600 + SKEW_SAME_MACHINE_S
    assert report.clock_skewed
    assert any("3600 s behind" in line and line.startswith("⚠") for line in report.summary_lines("en"))
    assert any("本机时钟比后台慢 3600 秒" in line for line in report.summary_lines("zh"))


def test_unreachable_port_is_a_plain_answer_not_an_exception() -> None:
    port = free_port()
    report = check_backoffice(f"http://127.0.0.1:{port}", timeout_s=2)
    assert not report.reachable and report.error_kind == "refused"
    assert f"127.0.0.1:{port}" in report.error and "refused" in report.error
    assert report.latency_ms is None and report.latencies_ms == ()
    assert report.summary_lines("zh")[1] == "⚠ 连接被拒绝（后台未运行或端口不对）"
    assert report.summary_lines("en")[1].startswith("⚠ Not working: connection refused")


@pytest.mark.parametrize("url", ["ftp://example.org/", "not a url", "http://127.0.0.1:notaport/", ""])
def test_bad_url(url: str) -> None:
    report = check_backoffice(url)
    assert not report.reachable and report.error_kind == "bad_url"


def test_something_that_is_not_the_back_office(tmp_path: Path) -> None:
    """A web server that answers 404 on /v1/health is reachable but not working."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = check_backoffice(f"http://127.0.0.1:{server.server_address[1]}", samples=2)
    finally:
        server.shutdown()
        server.server_close()
    assert report.reachable and report.http_status == 404 and report.error_kind == "http"
    assert "HTTP 404" in report.error


# --- https ---------------------------------------------------------------------------

@needs_openssl
def test_https_verified_with_the_dev_ca(backoffice_factory, dev_ca: Path) -> None:
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key")
    report = check_backoffice(server.base_url, verify=str(dev_ca / "ca.crt"), samples=2)
    assert report.reachable and report.http_status == 200 and report.tls
    assert report.tls_error == "" and report.tls_problem == ""
    assert report.certificate_subject == "CN=localhost"
    assert report.certificate_issuer == "CN=si-kiosk dev CA"
    assert report.certificate_expires_at == openssl_not_after(dev_ca / "server.crt")
    assert 823 <= report.certificate_days_left <= 825  # scripts/dev-ca.sh issues for 825 days
    assert f"certificate expires in {report.certificate_days_left} days" in report.summary_lines("en")
    assert f"证书 {report.certificate_days_left} 天后到期" in report.summary_lines("zh")


@needs_openssl
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_with_an_untrusted_ca_still_shows_the_certificate(backoffice_factory, dev_ca: Path) -> None:
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key")
    report = check_backoffice(server.base_url, verify=True, samples=1)  # the system store lacks the dev CA
    assert not report.reachable and report.error_kind == "tls"
    assert report.tls_problem == "untrusted" and "does not trust" in report.tls_error
    assert report.certificate_subject == "CN=localhost" and report.certificate_days_left >= 823
    assert any(line.startswith("⚠ TLS:") for line in report.summary_lines("en"))

    unverified = check_backoffice(server.base_url, verify=False, samples=1)
    assert unverified.reachable and unverified.tls_problem == "verification_off"
    assert unverified.certificate_issuer == "CN=si-kiosk dev CA"


@needs_openssl
def test_expired_certificate(backoffice_factory, dev_ca: Path) -> None:
    cert, key = issue_certificate(dev_ca, "expired", days=-1, san="DNS:localhost,IP:127.0.0.1")
    server = backoffice_factory(tls_certfile=cert, tls_keyfile=key)
    report = check_backoffice(server.base_url, verify=str(dev_ca / "ca.crt"), samples=1)
    assert not report.reachable
    assert report.tls_problem == "expired" and report.tls_error == "certificate has expired"
    assert report.certificate_days_left < 0
    assert report.certificate_expires_at == openssl_not_after(cert)
    assert report.certificate_subject == "CN=localhost, O=Test Hall"
    expiry = report.certificate_expires_at.date().isoformat()
    assert f"⚠ certificate expired on {expiry}" in report.summary_lines("en")
    assert f"⚠ 证书已于 {expiry} 过期" in report.summary_lines("zh")
    assert report.error == "secure connection failed: certificate has expired"


@needs_openssl
def test_certificate_close_to_expiry_warns(backoffice_factory, dev_ca: Path) -> None:
    cert, key = issue_certificate(dev_ca, "soon", days=23, san="IP:127.0.0.1")
    server = backoffice_factory(tls_certfile=cert, tls_keyfile=key)
    report = check_backoffice(server.base_url, verify=str(dev_ca / "ca.crt"), samples=1)
    assert report.reachable and report.tls_error == ""
    assert report.certificate_days_left == 22  # a few seconds short of 23 whole days
    assert report.certificate_expiring_soon
    assert "⚠ certificate expires in 22 days" in report.summary_lines("en")
    assert "⚠ 证书 22 天后到期" in report.summary_lines("zh")


@needs_openssl
def test_self_signed_and_wrong_host(backoffice_factory, dev_ca: Path) -> None:
    cert, key = issue_certificate(dev_ca, "selfsigned", days=30, san="IP:127.0.0.1", self_signed=True)
    server = backoffice_factory(tls_certfile=cert, tls_keyfile=key)
    report = check_backoffice(server.base_url, verify=str(dev_ca / "ca.crt"), samples=1)
    assert report.tls_problem == "self_signed" and not report.reachable
    assert report.certificate_subject == report.certificate_issuer == "CN=localhost"

    cert, key = issue_certificate(dev_ca, "otherhost", days=30, san="DNS:backoffice.example")
    server = backoffice_factory(tls_certfile=cert, tls_keyfile=key)
    report = check_backoffice(server.base_url, verify=str(dev_ca / "ca.crt"), samples=1)
    assert report.tls_problem == "wrong_host" and "another" in report.tls_error
    assert "⚠ 证书的主机名与地址不符" in report.summary_lines("zh")


@needs_openssl
def test_mutual_tls_with_and_without_client_certificate(backoffice_factory, dev_ca: Path) -> None:
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key",
                                tls_client_ca=dev_ca / "ca.crt")
    ca = str(dev_ca / "ca.crt")
    with_cert = check_backoffice(server.base_url, verify=ca, samples=1,
                                 client_cert=(str(dev_ca / "client.crt"), str(dev_ca / "client.key")))
    assert with_cert.reachable and with_cert.tls_error == ""
    without = check_backoffice(server.base_url, verify=ca, samples=1)
    assert not without.reachable and without.error


@needs_openssl
def test_missing_ca_file_is_reported(backoffice_factory, tmp_path: Path, dev_ca: Path) -> None:
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key")
    report = check_backoffice(server.base_url, verify=str(tmp_path / "missing.pem"), samples=1)
    assert not report.reachable and report.tls_problem == "ca_file"
    assert isinstance(report, ConnectivityReport)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_plain_http_server_on_an_https_url(backoffice) -> None:
    report = check_backoffice(backoffice.base_url.replace("http://", "https://"), verify=False, samples=1)
    assert not report.reachable and report.tls_problem == "handshake"


# --- the certificate reader -------------------------------------------------------------

@needs_openssl
def test_parse_certificate_agrees_with_openssl(dev_ca: Path) -> None:
    der = ssl.PEM_cert_to_DER_cert((dev_ca / "client.crt").read_text(encoding="ascii"))
    subject, issuer, not_after = parse_certificate(der)
    assert subject == "CN=KIOSK-DEMO-0001" and issuer == "CN=si-kiosk dev CA"
    assert not_after == openssl_not_after(dev_ca / "client.crt")
    for broken in (b"", der[:40], b"\x30\x84\xff\xff\xff\xff", b"\x04\x03abc"):
        with pytest.raises(ValueError):
            parse_certificate(broken)
