"""The kiosk's client for the back-office REST contract (`/v1`; `backoffice/openapi.json`,
docs/architecture.md "How data flows").

- Every request is signed with the terminal secret (kiosk.contract.signing), with a
  fresh timestamp and nonce per attempt, so a retry is never a replay.
- Every call has explicit connect and read timeouts.
- Only idempotent requests are retried, with exponential backoff: GET and DELETE, and
  POSTs that carry an `Idempotency-Key` (the back office answers the same key with the
  same result). Every state-changing POST carries a key.
- Responses are size-bounded and validated into the contract's typed models; anything
  else becomes a `KioskError` of the taxonomy in kiosk.errors.

Citizen calls take the bearer token explicitly: the client holds no citizen state, so
ending a session cannot leave a token behind in it.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote, urlsplit

import requests
from pydantic import BaseModel, ValidationError

from kiosk.contract import models, signing
from kiosk.errors import TERMINAL_REFUSAL_CODES, ErrorKind, KioskError

log = logging.getLogger("kiosk.backoffice")

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_RETRY_AFTER_SECONDS = 5.0
_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
_CITIZEN_TEXT_LIMIT = 300
# A problem+json body is small; a larger or deeper one is not parsed (json recursion, memory).
MAX_PROBLEM_BYTES = 64 * 1024
# ASCII digits only: str.isdigit() also accepts '²' and other digits float() refuses.
_RETRY_AFTER = re.compile(r"[0-9]{1,6}")
# Route-level answers (wrong method, wrong media type): the deployment does not speak this contract.
_CONTRACT_MISMATCH_CODES = frozenset({"method_not_allowed", "not_acceptable", "unsupported_media_type"})


CERTIFICATES_PATH = "/v1/me/certificates"
PENSION_TRANSFERS_PATH = "/v1/me/pension-transfers"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class BackofficeClient:
    def __init__(self, base_url: str, terminal_id: str, secret: str, *,
                 connect_timeout_s: float = 3.0, read_timeout_s: float = 10.0,
                 retries: int = 2, retry_backoff_s: float = 0.3,
                 verify: bool | str = True, client_cert: tuple[str, str] | None = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        split = urlsplit(base_url)
        if split.scheme not in ("http", "https") or not split.netloc:
            raise ValueError("base_url must be an http(s) URL")
        self._base_url = base_url.rstrip("/")
        self._terminal_id = terminal_id
        self._secret = secret
        self._timeout = (connect_timeout_s, read_timeout_s)
        self._retries = retries
        self._retry_backoff_s = retry_backoff_s
        self._clock = clock
        self._sleep = sleep
        self._http = requests.Session()
        self._http.verify = verify
        if client_cert:
            self._http.cert = client_cert
        self._http.headers.update({"Accept": "application/json", "User-Agent": "si-kiosk/0.1"})

    @classmethod
    def from_settings(cls, settings, base_url: str | None = None) -> "BackofficeClient":
        """Build from `KioskSettings`; `base_url` overrides the configured URL (embedded back office)."""
        office = settings.backoffice
        verify: bool | str = office.verify_tls
        if office.verify_tls and office.ca_file:
            verify = str(settings.resolve_path(office.ca_file))
        client_cert = None
        if office.client_cert_file:
            client_cert = (str(settings.resolve_path(office.client_cert_file)),
                           str(settings.resolve_path(office.client_key_file)))
        return cls(base_url or office.url, settings.terminal.id, settings.terminal_secret(),
                   connect_timeout_s=office.connect_timeout_s, read_timeout_s=office.read_timeout_s,
                   retries=office.retries, retry_backoff_s=office.retry_backoff_s,
                   verify=verify, client_cert=client_cert)

    @property
    def base_url(self) -> str:
        return self._base_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "BackofficeClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- sessions --------------------------------------------------------------------

    def open_card_session(self, ssn: str, card_number: str, card_id_code: str) -> models.SessionOpened:
        """Open a citizen session from a card whose PIN the card itself has just verified."""
        body = models.CardSessionRequest(method="card", ssn=ssn, card_number=card_number,
                                         card_id_code=card_id_code, pin_verified=True)
        return self._call("POST", "/v1/sessions", models.SessionOpened, body=body, retry=False)

    def open_ecard_session(self, qr: str, business_type: str = "01") -> models.SessionOpened:
        body = models.EcardSessionRequest(method="ecard", qr=qr, business_type=business_type)
        return self._call("POST", "/v1/sessions", models.SessionOpened, body=body, retry=False)

    def close_session(self, token: str) -> None:
        self._call("DELETE", "/v1/sessions/current", None, token=token)

    # --- citizen services ------------------------------------------------------------

    def enrolment(self, token: str) -> models.Enrolment:
        return self._call("GET", "/v1/me/enrolment", models.Enrolment, token=token)

    def contributions(self, token: str, period_from: str, period_to: str,
                      insurance_type: models.InsuranceType | str | None = None,
                      page: int = 1, page_size: int = 24) -> models.ContributionPage:
        params = {"from": period_from, "to": period_to, "page": page, "page_size": page_size}
        if insurance_type:
            params["type"] = str(insurance_type)
        return self._call("GET", "/v1/me/contributions", models.ContributionPage, token=token, params=params)

    def issue_certificate(self, token: str, kind: models.CertificateKind | str, period_from: str, period_to: str,
                          idempotency_key: str | None = None, *, grant: str | None = None,
                          once: bool = False) -> models.Certificate:
        """`grant`: a submission grant instead of the session token (outbox delivery).

        `once`: one attempt, no retries inside the call (the outbox retries later; a citizen is waiting)."""
        body = models.CertificateRequest(kind=kind, period_from=period_from, period_to=period_to)
        return self._call("POST", CERTIFICATES_PATH, models.Certificate, token=token, body=body,
                          idempotency_key=idempotency_key or new_idempotency_key(), grant=grant,
                          retry=False if once else None)

    def certificates(self, token: str) -> list[models.CertificateSummary]:
        """The citizen's issued certificates, newest first (at most 20)."""
        return self._call("GET", "/v1/me/certificates", models.CertificateList, token=token).items

    def certificate(self, token: str, number: str) -> models.Certificate:
        """An issued certificate exactly as issued, to print again; nothing new is issued."""
        return self._call("GET", f"/v1/me/certificates/{quote(number, safe='')}", models.Certificate, token=token)

    def verify_certificate(self, verification_code: str) -> models.CertificateVerification:
        return self._call("GET", f"/v1/certificates/{quote(verification_code, safe='')}",
                          models.CertificateVerification)

    def transfer_eligibility(self, token: str, from_region: str | None = None) -> models.TransferEligibility:
        params = {"from_region": from_region} if from_region else None
        return self._call("GET", "/v1/me/pension-transfers/eligibility", models.TransferEligibility,
                          token=token, params=params)

    def apply_pension_transfer(self, token: str, from_region: str, contact_mobile: str,
                               idempotency_key: str | None = None, *,
                               grant: str | None = None, once: bool = False) -> models.PensionTransfer:
        """`grant` and `once` as for `issue_certificate`."""
        body = models.TransferRequest(from_region=from_region, contact_mobile=contact_mobile)
        return self._call("POST", PENSION_TRANSFERS_PATH, models.PensionTransfer, token=token, body=body,
                          idempotency_key=idempotency_key or new_idempotency_key(), grant=grant,
                          retry=False if once else None)

    def pension_transfers(self, token: str) -> list[models.PensionTransfer]:
        return self._call("GET", "/v1/me/pension-transfers", models.PensionTransferList, token=token).items

    def pension_transfer(self, token: str, application_id: str) -> models.PensionTransfer:
        return self._call("GET", f"/v1/me/pension-transfers/{quote(application_id, safe='')}",
                          models.PensionTransfer, token=token)

    # --- e-card and terminal ---------------------------------------------------------

    def create_demo_ecard_code(self, ssn: str) -> models.EcardCode:
        """Demo back offices only: the code a citizen's phone would show."""
        return self._call("POST", "/v1/ecard/codes", models.EcardCode, body=models.EcardCodeRequest(ssn=ssn),
                          retry=False)

    def verify_ecard(self, qr: str, business_type: str = "01") -> models.EcardIdentity:
        body = models.EcardVerifyRequest(qr=qr, business_type=business_type)
        return self._call("POST", "/v1/ecard/verify", models.EcardIdentity, body=body, retry=False)

    def health(self) -> models.HealthStatus:
        """Liveness of the back office, signed like every call: a terminal the back office refuses
        (secret rotated, clock off, a gateway in the way) is out of service even while the back
        office itself is up."""
        return self._call("GET", "/v1/health", models.HealthStatus, retry=False)

    def heartbeat(self, report: models.Heartbeat) -> models.HeartbeatAck:
        return self._call("POST", f"/v1/terminals/{quote(self._terminal_id, safe='')}/heartbeat",
                          models.HeartbeatAck, body=report, retry=False)

    def citizen_read(self, path: str, response_model: type[ModelT], token: str,
                     params: dict | None = None) -> ModelT:
        """GET one of a service's own `/v1/me/...` routes for the session's citizen, signed and
        validated like every call (docs/adding-a-service.md)."""
        if not path.startswith("/v1/me/"):
            raise ValueError(f"a citizen read is under /v1/me/, not {path!r}")
        return self._call("GET", path, response_model, token=token, params=params)

    # --- transport -------------------------------------------------------------------

    def _call(self, method: str, path: str, response_model: type[ModelT] | None, *,
              token: str | None = None, params: dict | None = None, body: BaseModel | None = None,
              idempotency_key: str | None = None, retry: bool | None = None,
              grant: str | None = None) -> ModelT | None:
        payload = body.model_dump_json().encode("utf-8") if body is not None else None
        headers = {}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if grant:
            headers["Authorization"] = f"Grant {grant}"
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if retry is None:
            retry = method in ("GET", "DELETE") or idempotency_key is not None
        attempts = 1 + (self._retries if retry else 0)
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                response = self._send(method, path, params, payload, headers)
            except KioskError as error:
                if attempt < attempts and error.retryable:
                    self._backoff(attempt)
                    continue
                log.warning("backoffice %s %s failed: %s", method, _path_for_log(path), error.code)
                raise
            log.info("backoffice %s %s -> %d in %.0f ms", method, _path_for_log(path), response.status,
                     (time.perf_counter() - started) * 1000)
            if response.status in _RETRYABLE_STATUS and attempt < attempts:
                self._backoff(attempt, response.headers.get("Retry-After"))
                continue
            try:
                return self._parse(response, response_model)
            except KioskError as error:
                log.warning("backoffice %s %s answered %d: %s", method, _path_for_log(path), response.status,
                            error.code)
                raise
            except (ValueError, TypeError, RecursionError, MemoryError) as error:
                # Whatever the wire holds, the caller sees the taxonomy, never a parser's exception.
                raise KioskError(ErrorKind.BACKOFFICE_FAULT, "invalid_response", type(error).__name__) from None
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _send(self, method: str, path: str, params: dict | None, payload: bytes | None,
              headers: dict[str, str]) -> "_Response":
        request = requests.Request(method, self._base_url + path, params=params, data=payload, headers=headers)
        prepared = self._http.prepare_request(request)
        timestamp = str(int(self._clock()))
        nonce = secrets.token_hex(16)
        prepared.headers[signing.HEADER_TERMINAL] = self._terminal_id
        prepared.headers[signing.HEADER_TIMESTAMP] = timestamp
        prepared.headers[signing.HEADER_NONCE] = nonce
        prepared.headers[signing.HEADER_SIGNATURE] = signing.sign(
            self._secret, method, prepared.path_url, timestamp, nonce, payload)
        try:
            with self._http.send(prepared, timeout=self._timeout, stream=True, allow_redirects=False) as raw:
                content = _read_bounded(raw)
                return _Response(raw.status_code, raw.headers.get("Content-Type", ""), content,
                                 dict(raw.headers))
        except requests.exceptions.SSLError as error:
            raise KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "tls_error", _short(error)) from None
        except requests.exceptions.ConnectTimeout as error:
            raise KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "connect_timeout", _short(error)) from None
        except requests.exceptions.ConnectionError as error:
            # A read timeout while streaming the body surfaces as ConnectionError too.
            if "timed out" in str(error).lower():
                raise KioskError(ErrorKind.TIMEOUT, "read_timeout", _short(error)) from None
            raise KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "connect_failed", _short(error)) from None
        except requests.exceptions.Timeout as error:
            raise KioskError(ErrorKind.TIMEOUT, "read_timeout", _short(error)) from None
        except requests.exceptions.RequestException as error:
            raise KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "transport_error", _short(error)) from None

    def _backoff(self, attempt: int, retry_after: str | None = None) -> None:
        delay = self._retry_backoff_s * (2 ** (attempt - 1))
        if retry_after and _RETRY_AFTER.fullmatch(retry_after.strip()):
            delay = max(delay, min(float(retry_after.strip()), MAX_RETRY_AFTER_SECONDS))
        self._sleep(delay)

    def _parse(self, response: "_Response", response_model: type[ModelT] | None) -> ModelT | None:
        if 200 <= response.status < 300:
            if response_model is None:
                return None
            if "json" not in response.content_type:
                raise KioskError(ErrorKind.BACKOFFICE_FAULT, "invalid_response",
                                 f"expected JSON, got {response.content_type[:60]!r}")
            try:
                return response_model.model_validate_json(response.content)
            except ValidationError as error:
                raise KioskError(ErrorKind.BACKOFFICE_FAULT, "invalid_response",
                                 f"{response_model.__name__}: {error.error_count()} invalid field(s): "
                                 + "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['type']}"
                                             for item in error.errors()[:5])) from None
        raise _problem_error(response)


class _Response:
    __slots__ = ("status", "content_type", "content", "headers")

    def __init__(self, status: int, content_type: str, content: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.content_type = content_type
        self.content = content
        self.headers = headers


def _read_bounded(raw: requests.Response) -> bytes:
    declared = raw.headers.get("Content-Length", "").strip()
    if re.fullmatch(r"[0-9]{1,20}", declared) and int(declared) > MAX_RESPONSE_BYTES:
        raise KioskError(ErrorKind.BACKOFFICE_FAULT, "response_too_large", f"{declared} bytes declared")
    chunks, size = [], 0
    for chunk in raw.iter_content(65536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise KioskError(ErrorKind.BACKOFFICE_FAULT, "response_too_large", f"over {MAX_RESPONSE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _problem_error(response: _Response) -> KioskError:
    """Map an error response to the taxonomy (the contract answers errors with problem+json).

    A refusal of the terminal (signature, clock, a gateway's own 401/403/404 page) is
    BACKOFFICE_UNAVAILABLE with a code in TERMINAL_REFUSAL_CODES: the service cannot be
    used from this terminal, whatever the card or the submission. A 404 means "no such
    record" only when the contract's problem body says so."""
    status = response.status
    problem = _read_problem(response)
    if problem is None:
        if status in _RETRYABLE_STATUS or status >= 500:
            return KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, f"http_{status}", f"HTTP {status}", http_status=status)
        if status == 408:
            return KioskError(ErrorKind.TIMEOUT, "http_408", "HTTP 408", http_status=status)
        # Not the contract's answer: a proxy, a gateway or a wrong URL stands in the way.
        return KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, "gateway_refused",
                          f"HTTP {status} {response.content_type[:40]}", http_status=status)
    code = problem.code[:64]
    detail = f"HTTP {status}"
    if status in _RETRYABLE_STATUS or status >= 500 or code in TERMINAL_REFUSAL_CODES:
        return KioskError(ErrorKind.BACKOFFICE_UNAVAILABLE, code, detail, http_status=status)
    if code in _CONTRACT_MISMATCH_CODES:
        return KioskError(ErrorKind.BACKOFFICE_FAULT, code, detail, http_status=status)
    if status == 408:
        kind = ErrorKind.TIMEOUT
    elif status == 404:
        kind = ErrorKind.NOT_FOUND
    else:
        kind = ErrorKind.BACKOFFICE_REJECTED
    return KioskError(kind, code, detail, http_status=status,
                      message_zh=problem.message_zh[:_CITIZEN_TEXT_LIMIT],
                      message_en=problem.message_en[:_CITIZEN_TEXT_LIMIT])


def _read_problem(response: _Response) -> models.Problem | None:
    """The problem+json body, or None for anything else (HTML pages, junk, oversized or deep JSON)."""
    if "json" not in response.content_type or len(response.content) > MAX_PROBLEM_BYTES:
        return None
    try:
        return models.Problem.model_validate(json.loads(response.content))
    except (ValueError, ValidationError, RecursionError, TypeError):
        return None


def _short(error: Exception) -> str:
    return str(error)[:200]


def _path_for_log(path: str) -> str:
    """Paths carry application ids and verification codes, never personal data; bound them anyway."""
    return path[:120]
