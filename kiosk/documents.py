"""What every paper the kiosk prints says, built from back-office models.

Pure functions: the caller passes everything, including the clock (`now`), the header
from the config and the public verify URL, so the same inputs always give the same paper
and tests need no clock. The results are device-neutral layouts (`A4Document`,
`ReceiptLayout`); the drivers turn them into PDF or ESC/POS. Qt-free on purpose.

`now` is the terminal clock's (`kiosk.clock.TerminalClock.now()`): its zone, the terminal's
configured one, is the zone of every time on a receipt, so the printing time and a
submission time the back office sent in another offset agree with the hall's wall clock
whatever the host's zone.

Two guards run over every string of every paper, whoever built it, because callers and
back offices are not trusted to remember:

- outside text (names, employers, areas) becomes one plain line: markup stays literal,
  control and invisible characters go, newlines and runs of whitespace collapse to one
  space, so a hostile name can neither inject printer commands nor break the layout;
- anything shaped like a full 18-character social security number is masked.

Labels and names are catalogue texts (`receipt.*`, `name.*`: kiosk/texts/paper.py and the
services' texts.py), read from the `MessageCatalog` the caller passes (`catalog`, the built-in
one when none), so a deployment's overrides reach paper too. The enum name helpers are
complete for every member so screens can reuse them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from devices.document.layout import A4Document, Table
from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text
from kiosk.contract import identifiers
from kiosk.contract.models import (Area, CertificateKind, CitizenSummary, ContributionStatus, EnrolmentStatus,
                                   InsuranceType, TransferStatus)
from kiosk.messages import MessageCatalog, default_catalog, in_language

LANGUAGES = ("zh", "en")
HOTLINE = "12333"
NO_VALUE = "—"

_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_FULL_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PERIOD_SHAPE = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")
_CENT = Decimal("0.01")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown print language {language!r}; expected one of {LANGUAGES}")
    return language


class PaperLabels:
    """The `receipt.*` labels of one language: `labels["name"]` is `receipt.name`'s text."""

    def __init__(self, catalog: MessageCatalog | None, language: str) -> None:
        self.catalog = _or_default(catalog)
        self.language = check_language(language)

    def __getitem__(self, name: str) -> str:
        return self.catalog.text(f"receipt.{name}", self.language)


def _or_default(catalog: MessageCatalog | None) -> MessageCatalog:
    return default_catalog() if catalog is None else catalog


def _name(kind: str, member, language: str, catalog: MessageCatalog | None) -> str:
    return _or_default(catalog).text(f"name.{kind}.{member.value}", check_language(language))


def insurance_type_name(insurance_type: InsuranceType, language: str = "zh", *, short: bool = False,
                        catalog: MessageCatalog | None = None) -> str:
    """基本养老保险 / Basic pension insurance; `short` gives 养老 / Pension for narrow columns."""
    return _name("insurance_type_short" if short else "insurance_type", InsuranceType(insurance_type), language,
                 catalog)


def enrolment_status_name(status: EnrolmentStatus, language: str = "zh", *,
                          catalog: MessageCatalog | None = None) -> str:
    return _name("enrolment_status", EnrolmentStatus(status), language, catalog)


def contribution_status_name(status: ContributionStatus, language: str = "zh", *,
                             catalog: MessageCatalog | None = None) -> str:
    """已缴 / 欠缴 / 缓缴: the status in words, never only a colour."""
    return _name("contribution_status", ContributionStatus(status), language, catalog)


def transfer_status_name(status: TransferStatus, language: str = "zh", *,
                         catalog: MessageCatalog | None = None) -> str:
    return _name("transfer_status", TransferStatus(status), language, catalog)


def certificate_kind_name(kind: CertificateKind, language: str = "zh", *,
                          catalog: MessageCatalog | None = None) -> str:
    return _name("certificate_kind", CertificateKind(kind), language, catalog)


# --- formatting ------------------------------------------------------------------------

def format_money(amount: Decimal) -> str:
    """`Decimal("1234.5")` -> `1,234.50`: thousands separator, always two places, half up like a cashier."""
    return f"{Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_period(period: str | None) -> str:
    """`202401` -> `2024-01`; anything not shaped like a period is shown as (plain) text, not guessed at."""
    if not period:
        return NO_VALUE
    text = plain_line(period)
    return f"{text[:4]}-{text[4:]}" if _PERIOD_SHAPE.match(text) else text


def format_period_zh(period: str) -> str:
    """`202401` -> `2024年01月`, for the certificate's sentences."""
    text = plain_line(period)
    return f"{text[:4]}年{text[4:]}月" if _PERIOD_SHAPE.match(text) else text


def format_date_zh(day: dt.date) -> str:
    """`2026-11-23` -> `2026年11月23日`: how dates are written on Chinese official papers."""
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"


def format_time(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """Receipt time, to the minute: in `zone` when given (a naive moment is UTC), else as it stands."""
    if zone is not None:
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M")


def paper_zone(now: dt.datetime) -> dt.tzinfo:
    """The zone every time on the paper is shown in: `now`'s, which the terminal clock set."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("a receipt needs the terminal clock's time (aware, in the terminal's zone), not a naive one")
    return now.tzinfo


def mask_full_ssns(text: str) -> str:
    """Mask anything shaped like a full 18-character ssn; already masked ones pass unchanged."""
    return _SSN_LIKE.sub(lambda match: identifiers.mask_ssn(match.group(0).upper()), text)


def printable(text: object) -> str:
    """The last guard over every string on paper: no line breaks or controls, no full ssn.

    Markup stays literal (paper has no markup). Unlike `plain_line` it keeps runs of
    spaces, which the receipts use to line up columns.
    """
    if text is None:
        return ""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category == "Cf":
            continue  # zero-width and bidi marks: invisible, and they can reorder what is read
        kept.append(" " if category in ("Cc", "Zl", "Zp") else char)
    return mask_full_ssns("".join(kept))


def plain_line(text: object) -> str:
    """Outside text (names, employers, areas) as one line: a newline in a name cannot break the layout."""
    return " ".join(printable(text).split())


def mask_name(name: str) -> str:
    """`张伟` -> `张*`: a receipt may be left in the tray, so it shows only the family name."""
    name = plain_line(name)
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def masked_mobile(mobile: str) -> str:
    mobile = plain_line(mobile)
    return identifiers.mask_mobile(mobile) if _FULL_MOBILE.match(mobile) else mobile


def columns(text: str) -> int:
    """Printed width: ASCII one column, anything else (the Chinese font) two, as on the printer."""
    return sum(1 if char.isascii() else 2 for char in text)


def pad_right(text: str, width: int) -> str:
    return text + " " * max(0, width - columns(text))


def pad_left(text: str, width: int) -> str:
    return " " * max(0, width - columns(text)) + text


def area_name(area: Area, language: str) -> str:
    return plain_line(in_language(language, zh=area.name_zh, en=area.name_en))


# --- the guards over a finished paper --------------------------------------------------

def _guard_receipt(layout: ReceiptLayout) -> ReceiptLayout:
    """Every string on the receipt printable and ssn-free, whoever put it there."""
    blocks = []
    for block in layout.blocks:
        if isinstance(block, Text):
            block = dataclasses.replace(block, text=printable(block.text))
        elif isinstance(block, KeyValue):
            block = KeyValue(printable(block.label), printable(block.value))
        elif isinstance(block, QrCode):
            block = dataclasses.replace(block, payload=printable(block.payload), caption=printable(block.caption))
        blocks.append(block)
    return dataclasses.replace(layout, blocks=tuple(blocks))


def guard_document(document: A4Document) -> A4Document:
    """Every string on the certificate one plain line and ssn-free (the PDF has no columns to keep)."""
    clean = plain_line
    return dataclasses.replace(
        document,
        title=clean(document.title), subtitle=clean(document.subtitle), number=clean(document.number),
        fields=tuple((clean(label), clean(value)) for label, value in document.fields),
        tables=tuple(Table(clean(table.title), tuple(clean(column) for column in table.columns),
                           tuple(tuple(clean(cell) for cell in row) for row in table.rows))
                     for table in document.tables),
        statement=clean(document.statement), issuer=clean(document.issuer), issue_date=clean(document.issue_date),
        verification_code=clean(document.verification_code), qr_payload=clean(document.qr_payload),
        qr_caption=clean(document.qr_caption), notes=tuple(clean(note) for note in document.notes))


# --- the A4 certificate ----------------------------------------------------------------


# --- receipts --------------------------------------------------------------------------

def receipt_head(labels: PaperLabels, title: str, citizen: CitizenSummary, header: str, terminal_id: str,
                  now: dt.datetime) -> list:
    return [
        Text(plain_line(header), Align.CENTER, bold=True),
        Text(title, Align.CENTER, bold=True, large=True),
        Rule(),
        KeyValue(labels["name"], mask_name(citizen.name)),
        KeyValue(labels["ssn"], plain_line(citizen.ssn_masked)),
        KeyValue(labels["time"], format_time(now, paper_zone(now))),
        KeyValue(labels["terminal"], plain_line(terminal_id)),
        Rule(),
    ]


def receipt_foot(labels: PaperLabels) -> list:
    return [Rule(), Text(labels["thanks"], Align.CENTER), Feed(1)]


def finish_receipt(blocks: list) -> ReceiptLayout:
    return _guard_receipt(ReceiptLayout(tuple(blocks)))


def service_receipt(citizen: CitizenSummary, title: str, body: list, *, header: str, terminal_id: str,
                    now: dt.datetime, language: str = "zh", catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """A service's receipt: the shared head (masked name and ssn, time, terminal), its `body`
    blocks (devices.receipt.layout), the shared foot; checked like every receipt."""
    labels = PaperLabels(catalog, language)
    return finish_receipt(receipt_head(labels, plain_line(title), citizen, header, terminal_id, now) + list(body)
                   + receipt_foot(labels))


def deferred_receipt(citizen: CitizenSummary, kind: str, reference: str, *, header: str, terminal_id: str,
                     now: dt.datetime, language: str = "zh", catalog: MessageCatalog | None = None) -> ReceiptLayout:
    """A submission this terminal holds in its outbox: never "submitted", always the reference."""
    labels = PaperLabels(catalog, language)
    blocks = receipt_head(labels, labels["title.deferred"], citizen, header, terminal_id, now)
    blocks += [
        KeyValue(labels["deferred.item"], labels[f"deferred.what.{kind}"]),
        KeyValue(labels["deferred.reference"], plain_line(reference)),
        Text(labels["deferred.status"], bold=True),
        Text(labels["deferred.follow"]),
    ]
    return finish_receipt(blocks + receipt_foot(labels))


