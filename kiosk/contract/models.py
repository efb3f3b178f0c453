"""JSON shapes of the `/v1` back-office API.

The reference back office declares its requests and responses with these models (so
its OpenAPI schema is generated from them) and the kiosk client validates every
response into them before anything else sees the data. Responses ignore unknown fields
so a province may add to them; requests forbid unknown fields.

Money is a decimal with two places, sent as a JSON string ("1234.50"), never a float.
Periods are `YYYYMM` strings, dates ISO `YYYY-MM-DD`, instants ISO 8601 with offset.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from kiosk.contract import identifiers
from kiosk.contract.enums import (CertificateKind, ContributionStatus,  # noqa: F401  (re-exported)
                                  EnrolmentStatus, InsuranceType, PayerKind, StepState, TransferStatus)

# --- field types -------------------------------------------------------------------

# The OpenAPI schema carries these rules, so a request that is valid by the schema is not refused
# for its shape. Patterns use [0-9], not \d: Python's and pydantic's \d also match non-ASCII digits.
PERIOD_PATTERN = r"^(19|20)[0-9]{2}(0[1-9]|1[0-2])$"
SSN_PATTERN = r"^[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$"
CARD_NUMBER_PATTERN = r"^[A-Z0-9]{9}$"
CARD_ID_CODE_PATTERN = r"^[0-9]{6}D156000005[0-9A-F]{16}$"
REGION_PATTERN = r"^[1-9][0-9]{5}$"
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
# What a kiosk's scanner filter lets through: no control characters.
QR_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]+$"
_PERIOD = re.compile(PERIOD_PATTERN[1:-1])


def _check_period(value: str) -> str:
    if not _PERIOD.fullmatch(value):
        raise ValueError("period must be YYYYMM with a month 01-12")
    return value


def _check_ssn(value: str) -> str:
    if not identifiers.is_valid_ssn(value):
        raise ValueError("not a valid 18-character social security number (check digit)")
    return value


def _check_card_number(value: str) -> str:
    if not identifiers.is_valid_card_number(value):
        raise ValueError("card number must be 9 upper-case letters or digits")
    return value


def _check_card_id_code(value: str) -> str:
    if not identifiers.is_valid_card_id_code(value):
        raise ValueError("card identification code must be region(6) + D156000005 + 16 hex digits")
    return value


def _check_region(value: str) -> str:
    if not identifiers.is_valid_region_code(value):
        raise ValueError("region code must be 6 digits")
    return value


Period = Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=PERIOD_PATTERN),
                   Field(description="YYYYMM: a year 1900-2099 and a month 01-12"), AfterValidator(_check_period)]
Ssn = Annotated[str, StringConstraints(min_length=18, max_length=18, pattern=SSN_PATTERN),
                Field(description=("18-character social security number: region, birth date, sequence and an "
                                   "ISO 7064 MOD 11-2 check character (0-9 or X) over the first 17 digits; a "
                                   "wrong check character is refused with 422 `invalid_request`")),
                AfterValidator(_check_ssn)]
CardNumber = Annotated[str, StringConstraints(min_length=9, max_length=9, pattern=CARD_NUMBER_PATTERN),
                       AfterValidator(_check_card_number)]
CardIdCode = Annotated[str, StringConstraints(min_length=32, max_length=32, pattern=CARD_ID_CODE_PATTERN),
                       AfterValidator(_check_card_id_code)]
RegionCode = Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=REGION_PATTERN),
                       Field(description="GB/T 2260 region code: 6 digits, the first not 0"),
                       AfterValidator(_check_region)]
Mobile = Annotated[str, StringConstraints(pattern=MOBILE_PATTERN)]
MAX_QR_LENGTH = 4096
QrPayload = Annotated[str, StringConstraints(min_length=1, max_length=MAX_QR_LENGTH, pattern=QR_PATTERN),
                      Field(description=("The scanned e-card payload as text (no control characters). The "
                                         "reference back office issues and accepts `ESSC1.<22>.<43>` codes; "
                                         "anything else is 422 `ecard_invalid`."))]
# Counts: a JSON true/false or 1.0 is not a count.
Count = Annotated[int, Field(ge=0, strict=True)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
ShortText = Annotated[str, StringConstraints(max_length=200)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- errors ------------------------------------------------------------------------

class Problem(_Response):
    """RFC 9457 problem details with a stable machine code and zh/en messages."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    message_zh: str
    message_en: str
    errors: list[dict] | None = None


# --- sessions ----------------------------------------------------------------------

class CardSessionRequest(_Request):
    method: Literal["card"]
    ssn: Ssn
    card_number: CardNumber
    card_id_code: CardIdCode
    pin_verified: Annotated[bool, Field(strict=True)]


class EcardSessionRequest(_Request):
    method: Literal["ecard"]
    qr: QrPayload
    business_type: Literal["01", "02", "03"] = "01"


SessionRequest = Annotated[Union[CardSessionRequest, EcardSessionRequest], Field(discriminator="method")]


class Area(_Response):
    code: str
    name_zh: str
    name_en: str


class CitizenSummary(_Response):
    name: str
    ssn_masked: str
    card_number_masked: str | None = None
    personal_number: str
    sex: Literal["M", "F", "U"] = "U"
    insured_area: Area
    retired: bool
    payer_kind: PayerKind


class SessionOpened(_Response):
    token: str
    expires_at: dt.datetime
    idle_timeout_seconds: int
    citizen: CitizenSummary
    submission_grant: Annotated[str, StringConstraints(min_length=16, max_length=128), Field(description=(
        "A grant KEY `<grant id>.<key>`, never sent as it is: a submission (POST /v1/me/certificates, POST "
        "/v1/me/pension-transfers) may carry `Authorization: Grant <grant id>.<hex HMAC-SHA256(key, "
        "\"POST\\n<path>\\n<Idempotency-Key>\")>` instead of the session token, for that route and key only, "
        "until the key expires (48 hours by default); see kiosk/contract/signing.py"))] | None = None


# --- enrolment and contributions --------------------------------------------------

class EnrolmentItem(_Response):
    insurance_type: InsuranceType
    status: EnrolmentStatus
    first_insured: str | None = None  # YYYYMM
    months_paid: int
    months_owed: int = 0
    months_deferred: int = 0
    pooling_area: Area
    payer_kind: PayerKind
    contribution_grade: str | None = None  # flexible workers choose a base grade


class Enrolment(_Response):
    citizen: CitizenSummary
    items: list[EnrolmentItem]


class ContributionRow(_Response):
    period: str
    insurance_type: InsuranceType
    employer: str | None = None
    payer_kind: PayerKind
    base: Money
    employer_part: Money
    personal_part: Money
    status: ContributionStatus


class ContributionTotals(_Response):
    months_paid: int
    months_owed: int
    months_deferred: int
    employer_part: Money
    personal_part: Money


class ContributionPage(_Response):
    period_from: str
    period_to: str
    insurance_type: InsuranceType | None = None
    page: int
    page_size: int
    total_rows: int
    rows: list[ContributionRow]
    totals: ContributionTotals


# --- certificates -----------------------------------------------------------------

class CertificateRequest(_Request):
    kind: CertificateKind
    period_from: Period
    period_to: Period


class CertificateInsuranceLine(_Response):
    insurance_type: InsuranceType
    status: EnrolmentStatus
    first_insured: str | None = None
    months_paid: int


class CertificatePeriodLine(_Response):
    employer: str
    period_from: str
    period_to: str
    months: int
    base: Money


class CertificateContent(_Response):
    title_zh: str
    title_en: str
    name: str
    ssn_masked: str
    personal_number: str
    insurance: list[CertificateInsuranceLine]
    periods: list[CertificatePeriodLine]
    issuing_office: str
    print_date: dt.date


class Certificate(_Response):
    number: str
    verification_code: str
    kind: CertificateKind
    period_from: str
    period_to: str
    issued_at: dt.datetime
    valid_until: dt.date
    verify_path: str
    content: CertificateContent


class CertificateVerification(_Response):
    """What the public verification answers: enough to check the paper, nothing more.

    No full name, ssn, personal number, employers or bases: anyone may ask."""

    valid: bool
    status: Literal["valid", "expired", "revoked"]
    number: str
    kind: CertificateKind
    name_masked: str  # 张*明: first and last character only
    period_from: str
    period_to: str
    issued_at: dt.datetime
    valid_until: dt.date
    issuing_office: str


class CertificateSummary(_Response):
    """One already-issued certificate in the citizen's list (re-print by `number`)."""

    number: str
    kind: CertificateKind
    period_from: str
    period_to: str
    issued_at: dt.datetime
    valid_until: dt.date
    status: Literal["valid", "expired"]


class CertificateList(_Response):
    items: list[CertificateSummary]


# --- pension transfer -------------------------------------------------------------

class TransferRequest(_Request):
    from_region: RegionCode
    contact_mobile: Mobile


class TransferEligibility(_Response):
    eligible: bool
    code: str  # eligible | pensioner | no_transfer_needed | active_application | not_insured_here | unknown_region
    message_zh: str
    message_en: str
    from_area: Area | None = None
    to_area: Area


class TransferStep(_Response):
    step: TransferStatus
    title_zh: str
    title_en: str
    office: Literal["receiving", "sending"]
    state: StepState
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    due_by: dt.date | None = None  # started_on + 15 working days
    working_day_limit: int = 15
    overdue: bool = False


class PensionTransfer(_Response):
    id: str
    status: TransferStatus
    from_area: Area
    to_area: Area
    contact_mobile_masked: str
    created_at: dt.datetime
    updated_at: dt.datetime
    status_reason_zh: str | None = None
    status_reason_en: str | None = None
    steps: list[TransferStep]


class PensionTransferList(_Response):
    items: list[PensionTransfer]


# --- e-card -----------------------------------------------------------------------

class EcardCodeRequest(_Request):
    ssn: Ssn


class EcardCode(_Response):
    qr: str
    expires_at: dt.datetime


class EcardVerifyRequest(_Request):
    qr: QrPayload
    business_type: Literal["01", "02", "03"] = "01"


class EcardIdentity(_Response):
    valid: bool
    citizen: CitizenSummary


# --- terminals --------------------------------------------------------------------

class DeviceReport(_Request):
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_class: Annotated[str, StringConstraints(max_length=32)]
    state: Annotated[str, StringConstraints(max_length=32)]
    media: Annotated[str, StringConstraints(max_length=32)] | None = None   # card in a card reader
    paper: Annotated[str, StringConstraints(max_length=32)] | None = None   # printers


class Heartbeat(_Request):
    version: Annotated[str, StringConstraints(max_length=32)]
    profile: Annotated[str, StringConstraints(max_length=32)]
    # The terminal's beat; the back office calls it stale after a few missed beats.
    interval_s: Annotated[int, Field(ge=5, le=3600, strict=True)] | None = None
    devices: Annotated[list[DeviceReport], Field(max_length=32)] = []
    # "scope.name" statistics counters (cards_read, paper_outs...), never personal data.
    counters: Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Count], Field(max_length=64)] = {}
    outbox_depth: Count = 0
    # Of those, the ones kept because the back office refused the terminal or the grant
    # (credentials, clock, a gateway): staff must act, nothing is lost meanwhile.
    outbox_held: Count = 0
    # The electronic journal's newest entry: kept off the terminal, it shows a journal rewritten
    # later, even with every hash recomputed (`kiosk journal verify --expect SEQ:HASH`).
    journal_seq: Count | None = None
    journal_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class HeartbeatAck(_Response):
    terminal_id: str
    received_at: dt.datetime
    server_time: dt.datetime


class TerminalDevice(_Response):
    """A device as its terminal last reported it (DeviceReport, read leniently)."""

    name: str
    device_class: str
    state: str
    media: str | None = None
    paper: str | None = None


class TerminalStatus(_Response):
    """One terminal for the hall manager: its latest heartbeat and whether it is overdue."""

    terminal_id: str
    last_seen: dt.datetime | None = None   # null: configured but never reported
    age_s: float | None = None
    stale: bool
    interval_s: int | None = None
    version: str | None = None
    profile: str | None = None
    outbox_depth: int | None = None
    outbox_held: int | None = None
    journal_seq: int | None = None
    journal_hash: str | None = None
    devices: list[TerminalDevice] = []
    counters: dict[str, int] = {}


class TerminalList(_Response):
    items: list[TerminalStatus]
    server_time: dt.datetime


# --- health (added with the reference back office) ---------------------------------

class HealthStatus(_Response):
    status: Literal["ok"]
    version: str
    server_time: dt.datetime
