"""Certificate (参保证明): choose kind and period (or an earlier one), preview, print A4 and receipt."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from devices.model import DeviceClass
from kiosk.contract.enums import CertificateKind
from kiosk.errors import ErrorKind, KioskError
from kiosk.flow_events import SubmissionDeferred, deferred_receipt
from kiosk.flow_state import Intent, MessageKind, Screen
from kiosk.service_api import Journey, MenuEntry, ServiceModule, ServiceTask, Step, TaskContext
from kiosk.services.certificate.texts import TEXTS

if TYPE_CHECKING:
    from kiosk.contract import models

log = logging.getLogger("kiosk.flow")

NAME = "certificate"
YEARS_FOR_ALL = 49                   # "all" starts here when the first insured month is unknown


class CertificateScreens(StrEnum):
    CERTIFICATE = "certificate"                   # choose kind and period, or reprint an issued one
    CERTIFICATE_PREVIEW = "certificate_preview"
    CERTIFICATE_DONE = "certificate_done"         # the printers' real outcome, reprint


class CertificateIntent(StrEnum):
    SELECT_KIND = "select_kind"      # value: CertificateKind value
    SELECT_RANGE = "select_range"    # value: a CertificateRange value


class CertificateRange(StrEnum):
    LAST_12_MONTHS = "last_12_months"
    LAST_3_YEARS = "last_3_years"
    ALL = "all"


@dataclasses.dataclass(frozen=True)
class CertificateView:
    kind: CertificateKind = CertificateKind.ENROLMENT
    range: CertificateRange = CertificateRange.LAST_12_MONTHS
    period_from: str = ""
    period_to: str = ""
    issued: tuple[models.CertificateSummary, ...] = ()   # earlier certificates that can be re-printed
    certificate: models.Certificate | None = None        # issued (or fetched for reprint) in this session
    preview_lines: tuple[str, ...] = ()                  # the A4 page's text, in reading order
    document_status_key: str = ""  # "printed" or an error key (paper out mid-job...)
    receipt_status_key: str = ""
    reprint: bool = False          # printing an existing certificate again (no new issue)


def certificate_view(state) -> CertificateView:
    """What this service's screens draw (a fresh view when the state has none: the wipe, a test)."""
    return state.views.get(NAME) or CertificateView()


@dataclasses.dataclass
class CertificatePrivate:
    first_insured: str | None = None   # YYYYMM, earliest over all insurance types


@dataclasses.dataclass(frozen=True)
class CertificateChoices:
    issued: tuple[models.CertificateSummary, ...]
    first_insured: str | None    # YYYYMM, earliest over all insurance types


@dataclasses.dataclass(frozen=True)
class CertificateReady:
    certificate: models.Certificate
    preview_lines: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PrintReport:
    document_status_key: str     # "" when there was no A4 part
    receipt_status_key: str


# Device completion codes (kiosk.errors.error_from_device gives `device_<code>`) worth their own wording.
_PRINT_STATUS = {"device_paper_out": "paper_out", "device_paper_jam": "failed", "device_cover_open": "failed"}


def error_report(error: KioskError) -> PrintReport:
    """A certificate print that failed before anything was printed."""
    status = _PRINT_STATUS.get(error.code, "failed")
    return PrintReport(document_status_key=f"certificate.status.{status}",
                       receipt_status_key="certificate.status.receipt_failed")


def _ready(context: TaskContext, certificate) -> CertificateReady:
    from kiosk.services.certificate import paper  # the paper layout (and pydantic) loads after the first frame

    return CertificateReady(certificate, tuple(paper.certificate_document(context, certificate).text_lines()))


def _show_done(journey: Journey, report: PrintReport) -> None:
    journey.go(CertificateScreens.CERTIFICATE_DONE, replace(
        journey.view, document_status_key=report.document_status_key,
        receipt_status_key=report.receipt_status_key))


def with_period(journey: Journey, view: CertificateView) -> CertificateView:
    today = journey.today()
    period_to = f"{today.year:04d}{today.month:02d}"
    if view.range is CertificateRange.LAST_12_MONTHS:
        months = today.year * 12 + today.month - 1 - 11
        period_from = f"{months // 12:04d}{months % 12 + 1:02d}"
    elif view.range is CertificateRange.LAST_3_YEARS:
        period_from = f"{today.year - 2:04d}01"
    else:
        period_from = journey.private.first_insured or f"{today.year - YEARS_FOR_ALL:04d}01"
    return replace(view, period_from=period_from, period_to=period_to)


@dataclasses.dataclass(frozen=True)
class LoadCertificateChoices(ServiceTask):
    token: str = dataclasses.field(repr=False)

    def perform(self, context: TaskContext, cancel) -> CertificateChoices:
        client = context.client()
        enrolment = client.enrolment(self.token)
        firsts = [item.first_insured for item in enrolment.items if item.first_insured]
        try:
            issued = tuple(client.certificates(self.token))
        except KioskError as error:
            if error.kind is ErrorKind.BACKOFFICE_UNAVAILABLE:
                raise
            issued = ()   # a back office without the list still issues certificates
        return CertificateChoices(issued=issued, first_insured=min(firsts) if firsts else None)

    def done(self, journey: Journey, value: object) -> None:
        choices: CertificateChoices = value
        journey.private.first_insured = choices.first_insured
        journey.go(CertificateScreens.CERTIFICATE, with_period(journey, replace(journey.view, issued=choices.issued)))

    def failed(self, journey: Journey, error: KioskError) -> bool:
        # Earlier certificates are a convenience: the service works without the list.
        journey.go(CertificateScreens.CERTIFICATE, with_period(journey, journey.view))
        return True


@dataclasses.dataclass(frozen=True)
class IssueCertificate(ServiceTask):
    token: str = dataclasses.field(repr=False)
    kind: CertificateKind
    period_from: str
    period_to: str
    idempotency_key: str
    grant: str = dataclasses.field(default="", repr=False)   # lets the outbox deliver it after the session

    def perform(self, context: TaskContext, cancel):
        client = context.client()
        payload = {"kind": self.kind.value, "period_from": self.period_from, "period_to": self.period_to}
        certificate = context.submit(
            "certificate", self.idempotency_key, payload, self.grant,
            lambda: client.issue_certificate(self.token, self.kind, self.period_from, self.period_to,
                                             idempotency_key=self.idempotency_key))
        if isinstance(certificate, SubmissionDeferred):
            return certificate
        return _ready(context, certificate)

    def done(self, journey: Journey, value: object) -> None:
        if isinstance(value, SubmissionDeferred):
            journey.message(MessageKind.INFO, "certificate_deferred", detail=value.reference)
            journey.print_receipt(value, deferred_receipt)
            return
        _preview(journey, value, reprint=False)


def _preview(journey: Journey, ready: CertificateReady, *, reprint: bool) -> None:
    journey.go(CertificateScreens.CERTIFICATE_PREVIEW, replace(
        journey.view, certificate=ready.certificate, preview_lines=ready.preview_lines, reprint=reprint,
        document_status_key="", receipt_status_key=""))


@dataclasses.dataclass(frozen=True)
class FetchCertificate(ServiceTask):
    token: str = dataclasses.field(repr=False)
    number: str

    def perform(self, context: TaskContext, cancel) -> CertificateReady:
        return _ready(context, context.client().certificate(self.token, self.number))

    def done(self, journey: Journey, value: object) -> None:
        _preview(journey, value, reprint=True)


@dataclasses.dataclass(frozen=True)
class PrintCertificate(ServiceTask):
    citizen: models.CitizenSummary
    certificate: models.Certificate

    def perform(self, context: TaskContext, cancel) -> PrintReport:
        from kiosk.services.certificate import paper  # the paper layout (and pydantic) loads after the first frame

        certificate = self.certificate
        verify_url = paper.verify_url(context, certificate)
        document_key = "certificate.status.printed"
        try:
            printer = context.device(DeviceClass.DOCUMENT_PRINTER)
            outcome = context.on_device(DeviceClass.DOCUMENT_PRINTER, printer.print_document,
                                        paper.certificate_document(context, certificate), cancel)
            context.printed_document(certificate.number, str(getattr(outcome, "document_path", "") or ""))
        except KioskError as error:
            log.warning("certificate %s not printed: %s", certificate.number, error.code)
            document_key = "certificate.status.paper_out" if error.code == "device_paper_out" \
                else "certificate.status.failed"
        receipt = paper.certificate_receipt(self.citizen, certificate, verify_url=verify_url,
                                            printed_ok=document_key == "certificate.status.printed",
                                            common=context.receipt_common(context.language))
        try:
            context.print_receipt(receipt, f"certificate {certificate.number}", cancel)
            receipt_key = "certificate.status.receipt_printed"
        except KioskError as error:
            log.warning("certificate receipt not printed: %s", error.code)
            receipt_key = "certificate.status.receipt_failed"
        return PrintReport(document_key, receipt_key)

    def done(self, journey: Journey, value: object) -> None:
        _show_done(journey, value)

    def failed(self, journey: Journey, error: KioskError) -> bool:
        _show_done(journey, error_report(error))
        return True


def start(journey: Journey) -> None:
    journey.set_view(CertificateView())
    journey.run(LoadCertificateChoices(journey.token), "busy.loading")


def _print(journey: Journey) -> None:
    certificate = journey.view.certificate
    if certificate is None:
        return
    journey.set_view(replace(journey.view, document_status_key="certificate.status.printing",
                             receipt_status_key="certificate.status.printing"))
    journey.run(PrintCertificate(journey.state.citizen, certificate), "busy.printing", cancellable=False)


def on_choose(journey: Journey, intent, value: object) -> bool:
    view: CertificateView = journey.view
    if intent == CertificateIntent.SELECT_KIND:
        try:
            journey.set_view(replace(view, kind=CertificateKind(value)))
        except ValueError:
            pass
    elif intent == CertificateIntent.SELECT_RANGE:
        try:
            journey.set_view(with_period(journey, replace(view, range=CertificateRange(value))))
        except ValueError:
            pass
    elif intent in (Intent.PREVIEW, Intent.CONFIRM):
        journey.run(IssueCertificate(journey.token, view.kind, view.period_from, view.period_to,
                                     uuid.uuid4().hex, journey.grant), "busy.issuing_certificate",
                    hint_key="busy.submitting_hint")
    elif intent is Intent.REPRINT and isinstance(value, str) and value:
        if any(item.number == value for item in view.issued):
            journey.run(FetchCertificate(journey.token, value), "busy.loading")
    else:
        return False
    return True


def on_preview(journey: Journey, intent, value: object) -> bool:
    if intent in (Intent.PRINT, Intent.CONFIRM):
        _print(journey)
        return True
    return False


def on_done(journey: Journey, intent, value: object) -> bool:
    if intent is Intent.REPRINT:
        journey.set_view(replace(journey.view, reprint=True))
        _print(journey)
    elif intent in (Intent.CONFIRM, Intent.CANCEL, Intent.BACK):
        journey.to_menu()
    return True


SERVICE = ServiceModule(
    name=NAME,
    menu=(MenuEntry(NAME, start, needs=("document_printer",)),),
    steps=(
        Step(CertificateScreens.CERTIFICATE, "certificate.speech", on_choose, back=Screen.MENU),
        Step(CertificateScreens.CERTIFICATE_PREVIEW, "certificate_preview.speech", on_preview,
             back=CertificateScreens.CERTIFICATE),
        Step(CertificateScreens.CERTIFICATE_DONE, "certificate_done.speech", on_done),
    ),
    new_view=CertificateView,
    new_private=CertificatePrivate,
    texts=TEXTS,
)
