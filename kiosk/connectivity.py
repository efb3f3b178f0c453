"""Back-office connectivity as the technician sees it: reachable? how fast? clock? certificate?

`check_backoffice` opens a TCP connection, then (for https) a TLS connection of its
own that reads the server certificate even when verification would fail, so the
technician learns *why* ("certificate has expired", "self-signed", "issued for
another host") and when it expires. Then it times a few `GET /v1/health` round trips
(public, unsigned) the way the kiosk's client would talk, and compares the server's
clock with ours (the back office rejects signed requests from a skewed clock).

It never raises: every problem becomes a plain sentence in the report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import socket
import ssl
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlsplit

HEALTH_PATH = "/v1/health"
CERT_WARN_DAYS = 30
SKEW_WARN_S = 60.0
MAX_HEALTH_BYTES = 64 * 1024

# OpenSSL verify codes (x509_vfy.h) the technician meets in practice, in plain words.
_VERIFY_PROBLEMS = {
    9: ("not_yet_valid", "certificate is not valid yet (check this kiosk's clock)"),
    10: ("expired", "certificate has expired"),
    18: ("self_signed", "self-signed certificate (not issued by a trusted CA)"),
    19: ("untrusted", "certificate chain ends in a self-signed CA this kiosk does not trust"),
    20: ("untrusted", "issued by a CA this kiosk does not trust (check backoffice.ca_file)"),
    21: ("untrusted", "issued by a CA this kiosk does not trust (check backoffice.ca_file)"),
    62: ("wrong_host", "certificate was issued for another host name"),
    64: ("wrong_host", "certificate was issued for another IP address"),
}

_PROBLEM_WORDS_ZH = {
    "not_yet_valid": "证书尚未生效（请检查本机时钟）",
    "expired": "证书已过期",
    "self_signed": "证书为自签名，不受信任",
    "untrusted": "证书的签发机构不受本机信任（请检查 backoffice.ca_file）",
    "wrong_host": "证书的主机名与地址不符",
    "handshake": "TLS 握手失败",
    "verification_off": "未校验证书（verify_tls = false）",
    "ca_file": "信任的 CA 文件无法使用（请检查 backoffice.ca_file）",
    "other": "证书校验失败",
}

_ERROR_WORDS_ZH = {
    "bad_url": "后台地址格式不正确",
    "dns": "找不到后台主机名（请检查 DNS 或地址）",
    "refused": "连接被拒绝（后台未运行或端口不对）",
    "timeout": "连接超时（网络不通或防火墙拦截）",
    "network": "网络无法连接",
    "tls": "安全连接（TLS）失败",
    "http": "后台返回错误状态",
    "bad_response": "后台返回的内容无法识别",
}


@dataclasses.dataclass(frozen=True)
class ConnectivityReport:
    url: str
    reachable: bool
    latency_ms: float | None = None              # median of the health round trips
    latencies_ms: tuple[float, ...] = ()
    http_status: int | None = None
    server_time: dt.datetime | None = None
    clock_skew_s: float | None = None            # server time minus our midpoint of the round trip
    tls: bool = False
    certificate_subject: str = ""
    certificate_issuer: str = ""
    certificate_expires_at: dt.datetime | None = None
    certificate_days_left: int | None = None     # negative once expired
    tls_error: str = ""                          # why verification fails (English, for logs and bundles)
    error: str = ""                              # why the health check failed (English)
    tls_problem: str = ""                        # code behind tls_error (summary_lines translates it)
    error_kind: str = ""                         # code behind error

    def as_dict(self) -> dict:
        values = dataclasses.asdict(self)
        for key in ("server_time", "certificate_expires_at"):
            if values[key] is not None:
                values[key] = values[key].isoformat()
        values["latencies_ms"] = list(self.latencies_ms)
        return values

    @property
    def certificate_expiring_soon(self) -> bool:
        return self.certificate_days_left is not None and self.certificate_days_left < CERT_WARN_DAYS

    @property
    def clock_skewed(self) -> bool:
        return self.clock_skew_s is not None and abs(self.clock_skew_s) > SKEW_WARN_S

    def summary_lines(self, language: str) -> list[str]:
        """Plain sentences for the technician panel, warnings marked with "⚠"."""
        zh = language == "zh"
        lines = [f"后台地址：{self.url}" if zh else f"Back office: {self.url}"]
        if self.reachable and not self.error:
            latency = f"{self.latency_ms:.0f}" if self.latency_ms is not None else "?"
            lines.append(f"连接正常，响应时间 {latency} 毫秒" if zh else f"Reachable, response time {latency} ms")
        elif self.error:
            if zh:
                words = _ERROR_WORDS_ZH.get(self.error_kind, "无法连接后台")
                if self.error_kind == "http" and self.http_status:
                    words += f"（HTTP {self.http_status}）"
                lines.append(f"⚠ {words}")
            else:
                lines.append(f"⚠ Not working: {self.error}")
        if self.clock_skew_s is not None:
            seconds = round(self.clock_skew_s)
            if self.clock_skewed:
                direction_zh = "慢" if seconds > 0 else "快"
                direction_en = "behind" if seconds > 0 else "ahead of"
                lines.append(f"⚠ 本机时钟比后台{direction_zh} {abs(seconds)} 秒，请校准时间" if zh
                             else f"⚠ This kiosk's clock is {abs(seconds)} s {direction_en} the back office: "
                                  "set the time")
            else:
                lines.append(f"时钟偏差 {seconds} 秒" if zh else f"Clock difference {seconds} s")
        if self.tls:
            lines.extend(self._certificate_lines(zh))
        return lines

    def _certificate_lines(self, zh: bool) -> list[str]:
        lines = []
        if self.certificate_subject:
            lines.append(f"证书：{self.certificate_subject}（签发者 {self.certificate_issuer}）" if zh
                         else f"Certificate: {self.certificate_subject} (issued by {self.certificate_issuer})")
        days = self.certificate_days_left
        if days is not None:
            if days < 0:
                # Days since expiry would round awkwardly ("expired 0 days ago"): the date says it plainly.
                when = self.certificate_expires_at.date().isoformat() if self.certificate_expires_at else "?"
                lines.append(f"⚠ 证书已于 {when} 过期" if zh else f"⚠ certificate expired on {when}")
            elif days == 0:
                lines.append("⚠ 证书今天到期" if zh else "⚠ certificate expires today")
            else:
                mark = "⚠ " if self.certificate_expiring_soon else ""
                lines.append(f"{mark}证书 {days} 天后到期" if zh else f"{mark}certificate expires in {days} days")
        if self.tls_error and not (self.tls_problem == "expired" and days is not None and days < 0):
            if zh:
                lines.append(f"⚠ {_PROBLEM_WORDS_ZH.get(self.tls_problem, _PROBLEM_WORDS_ZH['other'])}")
            else:
                lines.append(f"⚠ TLS: {self.tls_error}")
        return lines


def check_backoffice(base_url: str, *, verify: bool | str = True, client_cert: tuple[str, str] | None = None,
                     timeout_s: float = 5.0, samples: int = 3,
                     clock: Callable[[], float] = time.time) -> ConnectivityReport:
    """Probe the back office at `base_url` (its root, without /v1). Never raises."""
    try:
        return _check(base_url, verify, client_cert, timeout_s, max(1, samples), clock)
    except Exception as error:  # a diagnostics tool must report, not crash the technician panel
        return ConnectivityReport(url=base_url, reachable=False, error=f"unexpected problem: {error!r}"[:300],
                                  error_kind="network")


def _check(base_url: str, verify: bool | str, client_cert: tuple[str, str] | None, timeout_s: float,
           samples: int, clock: Callable[[], float]) -> ConnectivityReport:
    split = urlsplit(base_url)
    if split.scheme not in ("http", "https") or not split.hostname:
        return ConnectivityReport(url=base_url, reachable=False, error="not an http:// or https:// URL",
                                  error_kind="bad_url")
    try:
        port = split.port or (443 if split.scheme == "https" else 80)
    except ValueError:
        return ConnectivityReport(url=base_url, reachable=False, error="the URL's port is not a number",
                                  error_kind="bad_url")
    host = split.hostname
    report = ConnectivityReport(url=base_url, reachable=False, tls=split.scheme == "https")

    problem = _tcp_problem(host, port, timeout_s)
    if problem:
        kind, message = problem
        return dataclasses.replace(report, error=message, error_kind=kind)
    if report.tls:
        report = dataclasses.replace(report, **_inspect_tls(host, port, verify, client_cert, timeout_s, clock))
    report = dataclasses.replace(report, **_sample_health(base_url, verify, client_cert, timeout_s, samples, clock))
    if report.error_kind == "tls" and report.tls_error:
        # The TLS look already knows why in plain words; requests only says "CERTIFICATE_VERIFY_FAILED".
        report = dataclasses.replace(report, error=f"secure connection failed: {report.tls_error}")
    return report


def _tcp_problem(host: str, port: int, timeout_s: float) -> tuple[str, str] | None:
    """Plain reasons a TCP connection fails, told apart before any HTTP library words them."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except socket.gaierror:
        return "dns", f"host name {host!r} not found (check the address or DNS)"
    except ConnectionRefusedError:
        return "refused", f"connection refused by {host}:{port} (back office not running, or wrong port)"
    except TimeoutError:
        return "timeout", f"no answer from {host}:{port} within {timeout_s:g} s (network or firewall)"
    except OSError as error:
        return "network", f"cannot connect to {host}:{port} ({error.strerror or error})"


# --- TLS -------------------------------------------------------------------------------

def _inspect_tls(host: str, port: int, verify: bool | str, client_cert: tuple[str, str] | None,
                 timeout_s: float, clock: Callable[[], float]) -> dict:
    """Certificate facts plus, when verification would fail, why (a second, unverified look)."""
    found: dict = {}
    if verify is False:
        found.update(tls_problem="verification_off", tls_error="certificate not verified (verify_tls = false)")
    else:
        try:
            context = _verifying_context(verify)
        except (OSError, ssl.SSLError) as error:
            return {"tls_problem": "ca_file", "tls_error": f"CA file {verify} cannot be used ({_ssl_reason(error)})"}
        try:
            _load_client_cert(context, client_cert)
            der = _peer_certificate(context, host, port, timeout_s)
        except ssl.SSLCertVerificationError as error:
            problem, words = _VERIFY_PROBLEMS.get(error.verify_code, ("other", error.verify_message or str(error)))
            found.update(tls_problem=problem, tls_error=words)
        except (ssl.SSLError, OSError) as error:
            found.update(tls_problem="handshake", tls_error=f"TLS handshake failed ({_ssl_reason(error)})")
        else:
            found.update(_certificate_facts(der, clock))
            return found
    # Verification failed or is off: look at the certificate anyway, trusting nothing.
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        _load_client_cert(context, client_cert)
        found.update(_certificate_facts(_peer_certificate(context, host, port, timeout_s), clock))
    except (ssl.SSLError, OSError, ValueError) as error:
        if not found.get("tls_error") or found.get("tls_problem") == "verification_off":
            found.update(tls_problem="handshake", tls_error=f"TLS handshake failed ({_ssl_reason(error)})")
    return found


def _verifying_context(verify: bool | str) -> ssl.SSLContext:
    """What requests would trust: the system store, or the configured CA file (or directory)."""
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


def _load_client_cert(context: ssl.SSLContext, client_cert: tuple[str, str] | None) -> None:
    if client_cert:
        context.load_cert_chain(client_cert[0], client_cert[1])


def _peer_certificate(context: ssl.SSLContext, host: str, port: int, timeout_s: float) -> bytes:
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise ssl.SSLError("the server sent no certificate")
    return der


def _ssl_reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
    return str(reason).replace("_", " ").lower()[:200]


def _certificate_facts(der: bytes, clock: Callable[[], float]) -> dict:
    try:
        subject, issuer, not_after = parse_certificate(der)
    except ValueError as error:
        return {"tls_problem": "other", "tls_error": f"certificate could not be read ({error})"}
    now = dt.datetime.fromtimestamp(clock(), dt.timezone.utc)
    return {"certificate_subject": subject, "certificate_issuer": issuer, "certificate_expires_at": not_after,
            "certificate_days_left": (not_after - now) // dt.timedelta(days=1)}


# A few lines of DER reading: the ssl module only decodes certificates it has verified,
# and the point here is to describe the ones it would not.

_NAME_ATTRIBUTES = {
    "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
    "2.5.4.5": "serialNumber", "1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC",
}


def parse_certificate(der: bytes) -> tuple[str, str, dt.datetime]:
    """(subject, issuer, notAfter) of an X.509 certificate in DER; ValueError when malformed."""
    certificate, _ = _read_tlv(der, 0, expected_tag=0x30)
    tbs_tag, tbs, _ = _read_element(certificate, 0)
    if tbs_tag != 0x30:
        raise ValueError("no TBSCertificate")
    elements = []
    offset = 0
    while offset < len(tbs) and len(elements) < 7:
        tag, content, offset = _read_element(tbs, offset)
        elements.append((tag, content))
    if elements and elements[0][0] == 0xA0:  # explicit version
        elements = elements[1:]
    if len(elements) < 5:
        raise ValueError("TBSCertificate too short")
    # serialNumber, signature, issuer, validity, subject
    issuer = _name_text(elements[2][1])
    validity = elements[3][1]
    _, _, after_offset = _read_element(validity, 0)
    time_tag, time_content, _ = _read_element(validity, after_offset)
    subject = _name_text(elements[4][1])
    return subject, issuer, _asn1_time(time_tag, time_content)


def _read_tlv(data: bytes, offset: int, expected_tag: int) -> tuple[bytes, int]:
    tag, content, end = _read_element(data, offset)
    if tag != expected_tag:
        raise ValueError(f"expected tag {expected_tag:#x}, found {tag:#x}")
    return content, end


def _read_element(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """One DER element at `offset`: (tag, content, offset after it), bounds-checked."""
    if offset + 2 > len(data):
        raise ValueError("truncated element")
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or offset + count > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise ValueError("element longer than its container")
    return tag, data[offset:offset + length], offset + length


def _name_text(name: bytes) -> str:
    parts = []
    offset = 0
    while offset < len(name):
        set_tag, relative, offset = _read_element(name, offset)
        inner = 0
        while set_tag == 0x31 and inner < len(relative):
            _, pair, inner = _read_element(relative, inner)
            oid_tag, oid, value_offset = _read_element(pair, 0)
            _, value, _ = _read_element(pair, value_offset)
            if oid_tag != 0x06:
                raise ValueError("bad name attribute")
            label = _NAME_ATTRIBUTES.get(_oid_text(oid), _oid_text(oid))
            text = value.decode("utf-16-be" if pair[value_offset] == 0x1E else "utf-8", errors="replace")
            parts.append(f"{label}={text}")
    return ", ".join(parts)


def _oid_text(oid: bytes) -> str:
    if not oid:
        raise ValueError("empty OID")
    numbers = [oid[0] // 40, oid[0] % 40] if oid[0] < 80 else [2, oid[0] - 80]
    value = 0
    for byte in oid[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(value)
            value = 0
    return ".".join(str(number) for number in numbers)


def _asn1_time(tag: int, content: bytes) -> dt.datetime:
    text = content.decode("ascii", errors="replace")
    try:
        if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ; years 50..99 are 19xx (RFC 5280)
            parsed = dt.datetime.strptime(text, "%y%m%d%H%M%SZ")
            if parsed.year >= 2050:
                parsed = parsed.replace(year=parsed.year - 100)
        elif tag == 0x18:
            parsed = dt.datetime.strptime(text, "%Y%m%d%H%M%SZ")
        else:
            raise ValueError(f"unexpected time tag {tag:#x}")
    except ValueError as error:
        raise ValueError(f"bad certificate date {text!r}") from error
    return parsed.replace(tzinfo=dt.timezone.utc)


# --- HTTP ----------------------------------------------------------------------------

def _sample_health(base_url: str, verify: bool | str, client_cert: tuple[str, str] | None, timeout_s: float,
                   samples: int, clock: Callable[[], float]) -> dict:
    import requests  # only when a technician asks; keeps `import kiosk.connectivity` cheap

    url = base_url.rstrip("/") + HEALTH_PATH
    latencies: list[float] = []
    skews: list[float] = []
    server_time = None
    status = None
    with requests.Session() as http:
        http.headers.update({"Accept": "application/json", "User-Agent": "si-kiosk-diagnostics/0.1"})
        for _ in range(samples):
            started_wall = clock()
            started = time.perf_counter()
            try:
                # verify passed per request: the session's would let REQUESTS_CA_BUNDLE override it.
                response = http.get(url, timeout=timeout_s, verify=verify, cert=client_cert, stream=True)
                body = response.raw.read(MAX_HEALTH_BYTES + 1, decode_content=True)
                response.close()
            except requests.exceptions.SSLError as error:
                return {"error": f"secure connection failed ({_requests_reason(error)})", "error_kind": "tls"}
            except requests.exceptions.Timeout:
                return _partial(latencies, skews, server_time, status,
                                "timeout", f"no answer within {timeout_s:g} s")
            except requests.exceptions.RequestException as error:
                return _partial(latencies, skews, server_time, status,
                                "network", f"request failed ({_requests_reason(error)})")
            except OSError as error:  # requests raises a bare OSError for an unusable CA bundle path
                return {"error": f"cannot set up the secure connection ({error})"[:300], "error_kind": "tls"}
            elapsed_ms = (time.perf_counter() - started) * 1000
            midpoint = (started_wall + clock()) / 2
            status = response.status_code
            if status != 200:
                return {"reachable": True, "http_status": status, "error_kind": "http",
                        "error": f"{HEALTH_PATH} answered HTTP {status}"}
            parsed_time = _server_time(body)
            if parsed_time is None:
                return {"reachable": True, "http_status": status, "error_kind": "bad_response",
                        "error": f"{HEALTH_PATH} did not answer with the expected JSON (is this the back office?)"}
            latencies.append(round(elapsed_ms, 2))
            server_time = parsed_time
            skews.append(parsed_time.timestamp() - midpoint)
    return _partial(latencies, skews, server_time, status, "", "")


def _partial(latencies: list[float], skews: list[float], server_time, status, kind: str, error: str) -> dict:
    """What the samples that did succeed found (a later sample may still time out)."""
    return {"reachable": bool(latencies), "latencies_ms": tuple(latencies),
            "latency_ms": round(statistics.median(latencies), 2) if latencies else None,
            "clock_skew_s": round(statistics.median(skews), 3) if skews else None,
            "server_time": server_time, "http_status": status, "error_kind": kind, "error": error}


def _server_time(body: bytes) -> dt.datetime | None:
    if len(body) > MAX_HEALTH_BYTES:
        return None
    try:
        document = json.loads(body)
        parsed = dt.datetime.fromisoformat(document["server_time"])
    except (ValueError, KeyError, TypeError):
        return None
    if document.get("status") != "ok":
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _requests_reason(error: BaseException) -> str:
    # requests nests urllib3's reason several levels deep; the innermost words are the useful ones.
    inner = error
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    return str(getattr(inner, "reason", None) or inner)[:200]
