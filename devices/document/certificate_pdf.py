"""Render an `A4Document` to a PDF with QtGui only (QPdfWriter + QPainter, no widgets).

The page is laid out in two passes: the first measures everything and cuts it into
pages (so the footer can say "第 1 页 / 共 2 页"), the second paints.

Pages: a certificate stays on one page whenever it fits. Its closing block (the
certifying statement, the QR code with the verification code, issuer, date and seal) is
never split: it follows the last table on the same page when it fits whole, else it
opens the next page, and then takes the last rows of the table along (header repeated)
as long as the page it leaves keeps a hole no taller than the block itself. Tables
repeat their header on each page. The seal (`seal.py`) carries the office's name along
its ring, inside it; the issuer and the date are printed beside the seal, not across it. All text is
plain text drawn line by line with `drawText`: nothing from outside is interpreted
as markup. The QR code is drawn as vector squares from the qrcode package's matrix,
so it stays crisp at any printer resolution.

Qt needs a QGuiApplication for fonts: the kiosk has one; command-line tools and
tests call `ensure_gui_application()` on the main thread first. Rendering itself may
run on any thread (painting on a PDF writer is allowed off the GUI thread).
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import unicodedata
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QImage, QPageLayout,
                           QPageSize, QPainter, QPainterPath, QPdfWriter, QPen, QRawFont, QTextLayout, QTextOption)

from devices.document.layout import A4Document, Table
from devices.document.seal import paint_seal, paint_seal_image, seal_layout

SANS_FAMILY = "Noto Sans CJK SC"
SERIF_FAMILY = "Noto Serif CJK SC"
PDF_CREATOR = "si-kiosk"
RESOLUTION_DPI = 300

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_LEFT_MM = 20.0
MARGIN_RIGHT_MM = 20.0
MARGIN_TOP_MM = 16.0
MARGIN_BOTTOM_MM = 12.0
QR_SIDE_MM = 30.0          # including the 4-module quiet zone
QR_QUIET_ZONE_MODULES = 4
SEAL_RADIUS_MM = 19.0      # a 38 mm round seal
SIGNATURE_GAP_MM = 3.0     # between the QR's text, the issuer and date, and the seal
LEFT_TEXT_MIN_MM = 32.0    # the QR's text and the issuer's lines never get narrower than this
STATEMENT_LINE_SPACING = 1.45
CLOSING_GAP_MM = 4.0       # between the statement and the signature: the seal's top within a line of it
TABLE_GAP_MM = 5.0
CARRIED_ROWS = 2           # rows of the last table that go along when the closing block needs a new page
CLOSING_SQUEEZE_MM = 4.0   # a closing block this much too high still stays: gaps above and below give way
RUNNING_TITLE_SHARE = 0.5  # of the width, left of the number on pages after the first

INK = QColor("#1a1a1a")
GREY_INK = QColor("#555555")
RULE = QColor("#404040")
HEADER_FILL = QColor("#e8e8e8")
LABEL_FILL = QColor("#f3f3f3")

_NUMERIC_CELL = re.compile(r"^[+-]?[\d,]+(\.\d+)?%?$")


class CjkFontMissingError(RuntimeError):
    """No CJK font is installed: the certificate would print as empty boxes."""


class GuiApplicationMissingError(RuntimeError):
    """Fonts need a QGuiApplication and none can be created here."""


# --- application and fonts -------------------------------------------------------------

def ensure_gui_application() -> QCoreApplication:
    """Return the running Qt application, or create a QGuiApplication (offscreen without a display).

    Must be called on the main thread when no application exists yet: Qt's GUI thread
    is the thread that creates the application.
    """
    existing = QCoreApplication.instance()
    if existing is not None:
        return existing
    if threading.current_thread() is not threading.main_thread():
        raise GuiApplicationMissingError(
            "no Qt application exists; call ensure_gui_application() on the main thread before rendering")
    if not os.environ.get("QT_QPA_PLATFORM") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QGuiApplication([])


def missing_cjk_font() -> str:
    """Empty when the certificate's font is installed, else why not (for status details)."""
    if not isinstance(QCoreApplication.instance(), QGuiApplication):
        return "no QGuiApplication: fonts cannot be checked"
    if SANS_FAMILY not in QFontDatabase.families():
        return f"font {SANS_FAMILY!r} is not installed (Debian: fonts-noto-cjk)"
    return ""


def _require_gui_application() -> None:
    app = ensure_gui_application()
    if not isinstance(app, QGuiApplication):
        raise GuiApplicationMissingError(
            f"a {type(app).__name__} is running; rendering fonts needs a QGuiApplication")


@dataclasses.dataclass(frozen=True)
class _Fonts:
    title: QFont
    subtitle: QFont
    number: QFont
    label: QFont
    value: QFont
    section: QFont
    table_header: QFont
    table_cell: QFont
    statement: QFont
    issuer: QFont
    date: QFont
    small: QFont
    footer: QFont
    seal: QFont


def _font(family: str, points: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPointSizeF(points)
    font.setBold(bold)
    # Hinting is for screens; a PDF scales, so keep the true outlines and advances.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleStrategy(QFont.StyleStrategy.PreferOutline)
    # 'locl' follows the process locale (ja_JP would switch the SC font to Japanese glyph forms)
    # and, for Latin, swaps in a zero glyph Qt's PDF writer cannot map back to text; 'liga'
    # turns "fi" into one glyph that copies out as U+FB01.
    for tag in ("locl", "liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _load_fonts() -> _Fonts:
    families = set(QFontDatabase.families())
    if SANS_FAMILY not in families:
        raise CjkFontMissingError(f"font {SANS_FAMILY!r} is not installed; install fonts-noto-cjk "
                                  "(a certificate without a CJK font prints empty boxes)")
    title_family = SERIF_FAMILY if SERIF_FAMILY in families else SANS_FAMILY
    sans = SANS_FAMILY
    return _Fonts(
        title=_font(title_family, 22, bold=True), subtitle=_font(sans, 10),
        number=_font(sans, 9.5), label=_font(sans, 10.5), value=_font(sans, 11),
        section=_font(sans, 12, bold=True), table_header=_font(sans, 10, bold=True), table_cell=_font(sans, 10),
        statement=_font(sans, 11.5), issuer=_font(sans, 12, bold=True), date=_font(sans, 11),
        small=_font(sans, 9), footer=_font(sans, 8.5), seal=_font(title_family, 12, bold=True))


# --- text measurement ------------------------------------------------------------------

def _plain(text: str) -> str:
    """Outside text, made safe to draw: control characters (but line breaks) become spaces."""
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cf") and char != "\n" else char
                   for char in text)


@dataclasses.dataclass(frozen=True)
class _TextBlock:
    lines: tuple[str, ...]
    font: QFont
    line_height: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height

    def draw(self, painter: QPainter, x: float, y: float, width: float,
             align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, colour: QColor = INK) -> None:
        painter.setFont(self.font)
        painter.setPen(colour)
        for index, line in enumerate(self.lines):
            rect = QRectF(x, y + index * self.line_height, width, self.line_height)
            painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine), line)


class _Measure:
    """Wraps text into lines for a font and width on the target paint device."""

    def __init__(self, device: QPdfWriter) -> None:
        self._device = device
        self._metrics: dict[str, QFontMetricsF] = {}
        self.drawn: set[str] = set()   # every character laid out, for the text-extraction repair

    def metrics(self, font: QFont) -> QFontMetricsF:
        key = font.key()
        if key not in self._metrics:
            self._metrics[key] = QFontMetricsF(font, self._device)
        return self._metrics[key]

    def line_height(self, font: QFont, spacing: float = 1.25) -> float:
        return self.metrics(font).height() * spacing

    def width(self, text: str, font: QFont) -> float:
        metrics = self.metrics(font)
        return max((metrics.horizontalAdvance(part) for part in _plain(text).split("\n")), default=0.0)

    def block(self, text: str, font: QFont, width: float, spacing: float = 1.25) -> _TextBlock:
        lines: list[str] = []
        option = QTextOption()
        # Word boundaries first, anywhere when a token (a URL, a long code) is wider than the box.
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        text = _plain(text)
        if not text:
            return _TextBlock((), font, self.line_height(font, spacing))
        self.drawn.update(text)
        for paragraph in text.split("\n"):
            if not paragraph:
                lines.append("")
                continue
            layout = QTextLayout(paragraph, font, self._device)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width, 1.0))
                start = line.textStart()
                lines.append(paragraph[start:start + line.textLength()].rstrip())
            layout.endLayout()
        return _TextBlock(tuple(lines), font, self.line_height(font, spacing))


# --- pages -----------------------------------------------------------------------------

Paint = Callable[[QPainter], None]


@dataclasses.dataclass(frozen=True)
class _Geometry:
    dots_per_mm: float

    def mm(self, value: float) -> float:
        return value * self.dots_per_mm

    @property
    def left(self) -> float:
        return self.mm(MARGIN_LEFT_MM)

    @property
    def right(self) -> float:
        return self.mm(PAGE_WIDTH_MM - MARGIN_RIGHT_MM)

    @property
    def content_width(self) -> float:
        return self.right - self.left


class _Composer:
    """Places blocks top to bottom and starts a new page when the next one does not fit."""

    def __init__(self, geometry: _Geometry, top_first: float, top_following: float, bottom: float) -> None:
        self.geometry = geometry
        self.pages: list[list[Paint]] = [[]]
        self.left_empty: list[float] = []   # per finished page: the height left empty at its foot
        self.y = top_first
        self._top_following = top_following
        self.bottom = bottom

    @property
    def page_capacity(self) -> float:
        """The height a following page offers."""
        return self.bottom - self._top_following

    @property
    def at_page_top(self) -> bool:
        return self.y <= self._top_following + 0.5 and len(self.pages) > 1

    def space_left(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.left_empty.append(self.space_left())
        self.pages.append([])
        self.y = self._top_following

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when a page was started."""
        if height <= self.space_left() or self.at_page_top:
            return False
        self.new_page()
        return True

    def add(self, paint: Paint) -> None:
        self.pages[-1].append(paint)

    def gap(self, mm: float) -> None:
        self.y += self.geometry.mm(mm)


def _pen(geometry: _Geometry, width_mm: float, colour: QColor = RULE) -> QPen:
    pen = QPen(colour)
    pen.setWidthF(geometry.mm(width_mm))
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    pen.setCapStyle(Qt.PenCapStyle.SquareCap)
    return pen


# --- sections --------------------------------------------------------------------------

def _compose_title(doc: A4Document, composer: _Composer, measure: _Measure, fonts: _Fonts) -> None:
    geo = composer.geometry
    width = geo.content_width
    title = measure.block(doc.title, fonts.title, width, spacing=1.15)
    y = composer.y
    composer.add(lambda painter: title.draw(painter, geo.left, y, width, Qt.AlignmentFlag.AlignHCenter))
    composer.y += title.height
    if doc.subtitle:
        subtitle = measure.block(doc.subtitle, fonts.subtitle, width)
        y_sub = composer.y + geo.mm(0.5)
        composer.add(lambda painter: subtitle.draw(painter, geo.left, y_sub, width, Qt.AlignmentFlag.AlignHCenter,
                                                   GREY_INK))
        composer.y = y_sub + subtitle.height
    composer.gap(2.5)
    y_rule = composer.y

    def rules(painter: QPainter) -> None:
        painter.setPen(_pen(geo, 0.6))
        painter.drawLine(QPointF(geo.left, y_rule), QPointF(geo.right, y_rule))
        painter.setPen(_pen(geo, 0.2))
        gap = geo.mm(0.9)
        painter.drawLine(QPointF(geo.left, y_rule + gap), QPointF(geo.right, y_rule + gap))

    composer.add(rules)
    composer.gap(5)


def _compose_fields(doc: A4Document, composer: _Composer, measure: _Measure, fonts: _Fonts) -> None:
    """Label/value pairs, two pairs a row, in a ruled grid with shaded label cells."""
    if not doc.fields:
        return
    geo = composer.geometry
    pad = geo.mm(2.0)
    label_width = geo.mm(30)
    value_width = (geo.content_width - 2 * label_width) / 2
    columns = (label_width, value_width, label_width, value_width)
    min_height = geo.mm(8.5)
    pairs = list(doc.fields)
    for start in range(0, len(pairs), 2):
        row = pairs[start:start + 2]
        cells: list[tuple[_TextBlock, bool]] = []
        for label, value in row:
            cells.append((measure.block(label, fonts.label, label_width - 2 * pad), True))
            cells.append((measure.block(value, fonts.value, value_width - 2 * pad), False))
        while len(cells) < 4:
            cells.append((_TextBlock((), fonts.value, 0.0), len(cells) % 2 == 0))
        height = max(min_height, max(block.height for block, _ in cells) + 2 * pad)
        composer.ensure(height)
        y = composer.y

        def paint_row(painter: QPainter, cells=tuple(cells), y=y, height=height) -> None:
            x = geo.left
            for (block, is_label), column_width in zip(cells, columns):
                rect = QRectF(x, y, column_width, height)
                if is_label:
                    painter.fillRect(rect, LABEL_FILL)
                painter.setPen(_pen(geo, 0.25))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                top = y + (height - block.height) / 2
                block.draw(painter, x + pad, top, column_width - 2 * pad,
                           Qt.AlignmentFlag.AlignHCenter if is_label else Qt.AlignmentFlag.AlignLeft,
                           GREY_INK if is_label else INK)
                x += column_width

        composer.add(paint_row)
        composer.y += height
    composer.gap(TABLE_GAP_MM)


def _column_widths(table: Table, measure: _Measure, fonts: _Fonts, total: float, pad: float) -> list[float]:
    """Natural widths scaled to fill the row; wide columns give way first when they do not fit."""
    count = len(table.columns)
    natural = []
    for index, header in enumerate(table.columns):
        cells = [row[index] for row in table.rows if index < len(row)]
        widest = max([measure.width(header, fonts.table_header)] +
                     [measure.width(cell, fonts.table_cell) for cell in cells])
        natural.append(widest + 2 * pad + 1.0)
    if sum(natural) <= total:
        scale = total / sum(natural)
        return [width * scale for width in natural]
    # Too wide: columns narrower than a fair share keep their width; the rest share what is left.
    widths = [0.0] * count
    remaining_total, remaining = total, set(range(count))
    changed = True
    while changed and remaining:
        changed = False
        share = remaining_total / len(remaining)
        for index in sorted(remaining):
            if natural[index] <= share:
                widths[index] = natural[index]
                remaining_total -= natural[index]
                remaining.discard(index)
                changed = True
    wide_sum = sum(natural[index] for index in remaining)
    for index in remaining:
        widths[index] = remaining_total * natural[index] / wide_sum
    return widths


def _compose_table(table: Table, composer: _Composer, measure: _Measure, fonts: _Fonts,
                   break_before: int | None = None) -> None:
    """A ruled table; the header repeats on each page. `break_before`: start a new page before that row."""
    geo = composer.geometry
    if not table.columns:
        return
    pad = geo.mm(1.8)
    pad_vertical = geo.mm(1.0)
    widths = _column_widths(table, measure, fonts, geo.content_width, pad)
    numeric = [bool(table.rows) and all(_NUMERIC_CELL.match(row[index].strip()) for row in table.rows
                                        if index < len(row) and row[index].strip())
               and any(index < len(row) and row[index].strip() for row in table.rows)
               for index in range(len(table.columns))]
    min_row = geo.mm(7.0)

    def measure_row(texts: tuple[str, ...], font: QFont) -> tuple[list[_TextBlock], float]:
        blocks = [measure.block(texts[index] if index < len(texts) else "", font, widths[index] - 2 * pad, 1.2)
                  for index in range(len(widths))]
        return blocks, max(min_row, max(block.height for block in blocks) + 2 * pad_vertical)

    header_blocks, header_height = measure_row(table.columns, fonts.table_header)
    title_height = measure.line_height(fonts.section, 1.2) + geo.mm(1.5)

    def add_title(continued: bool) -> None:
        text = f"{table.title}（续）" if continued else table.title
        if not text:
            return
        block = measure.block(text, fonts.section, geo.content_width, 1.2)
        y = composer.y
        composer.add(lambda painter: block.draw(painter, geo.left, y, geo.content_width))
        composer.y += block.height + geo.mm(1.5)

    def add_row(blocks: list[_TextBlock], height: float, header: bool) -> None:
        y = composer.y

        def paint(painter: QPainter) -> None:
            x = geo.left
            for index, block in enumerate(blocks):
                rect = QRectF(x, y, widths[index], height)
                if header:
                    painter.fillRect(rect, HEADER_FILL)
                painter.setPen(_pen(geo, 0.25))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                if header:
                    align = Qt.AlignmentFlag.AlignHCenter
                else:
                    align = Qt.AlignmentFlag.AlignRight if numeric[index] else Qt.AlignmentFlag.AlignLeft
                block.draw(painter, x + pad, y + (height - block.height) / 2, widths[index] - 2 * pad, align)
                x += widths[index]

        composer.add(paint)
        composer.y += height

    rows = [measure_row(row, fonts.table_cell) for row in table.rows]
    first_row_height = rows[0][1] if rows else 0.0
    # Keep the title, the header and the first row together.
    if break_before == 0 and not composer.at_page_top:
        composer.new_page()
    composer.ensure((title_height if table.title else 0.0) + header_height + first_row_height)
    add_title(continued=False)
    add_row(header_blocks, header_height, header=True)
    for index, (blocks, height) in enumerate(rows):
        forced = bool(index) and index == break_before and not composer.at_page_top
        if forced:
            composer.new_page()
        if forced or composer.ensure(height):
            add_title(continued=True)
            add_row(header_blocks, header_height, header=True)
        add_row(blocks, height, header=False)
    composer.gap(TABLE_GAP_MM)


def _qr_matrix(payload: str) -> list[list[bool]]:
    import qrcode
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1,
                         border=QR_QUIET_ZONE_MODULES)
    try:
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
    except (DataOverflowError, ValueError) as error:
        raise ValueError(f"QR payload of {len(payload)} characters does not fit a QR code") from error
    return code.get_matrix()


def _qr_path(matrix: list[list[bool]], x: float, y: float, side: float) -> QPainterPath:
    """Dark modules as one path of horizontal runs: no hairline seams between neighbours."""
    module = side / len(matrix)
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.addRect(QRectF(x + start * module, y + row_index * module, (column - start) * module, module))
    return path


@dataclasses.dataclass(frozen=True)
class _Closing:
    """The certifying statement, the QR code with its code and caption, issuer, date and seal: one block.

    Never split: it goes where it fits whole, on this page or the next (only a statement
    longer than a whole page can flow, and then the signature keeps its last lines).
    """

    statement: _TextBlock
    signature_height: float
    place_signature: Callable[[float], list[Paint]]   # top y -> what to paint

    def height(self, geo: _Geometry) -> float:
        statement = self.statement.height + geo.mm(CLOSING_GAP_MM) if self.statement.lines else 0.0
        return statement + self.signature_height


def _closing(doc: A4Document, geo: _Geometry, measure: _Measure, fonts: _Fonts) -> _Closing:
    # Chinese paragraphs open with a two-character indent.
    statement = measure.block("\u3000\u3000" + doc.statement.strip(), fonts.statement, geo.content_width,
                              spacing=STATEMENT_LINE_SPACING) if doc.statement.strip() else \
        _TextBlock((), fonts.statement, 0.0)
    height, place = _signature(doc, geo, measure, fonts)
    return _Closing(statement, height, place)


def _place_closing(closing: _Closing, composer: _Composer) -> bool:
    """Put the closing block on this page if it fits, else on the next. True when it started a page."""
    geo = composer.geometry
    total = closing.height(geo)
    if not total:
        return False
    moved = False
    squeeze = total - composer.space_left()
    if 0 < squeeze <= geo.mm(CLOSING_SQUEEZE_MM):
        # Nearly fits: take the room from the gap above the block and the reserve above the footer
        # rather than leave a hole as high as the whole block.
        composer.y -= min(squeeze, geo.mm(TABLE_GAP_MM - 2.0))
        composer.bottom += max(0.0, total - composer.space_left()) + 1.0  # a dot against rounding
    elif squeeze > 0 and not composer.at_page_top:
        composer.new_page()
        moved = True
    block = closing.statement
    for index, line in enumerate(block.lines):  # lines flow only when the block is taller than a page
        last_two = index >= len(block.lines) - 2
        composer.ensure(block.line_height + (closing.signature_height + geo.mm(CLOSING_GAP_MM) if last_two else 0.0))
        one = _TextBlock((line,), block.font, block.line_height)
        y = composer.y
        composer.add(lambda painter, one=one, y=y: one.draw(painter, geo.left, y, geo.content_width))
        composer.y += block.line_height
    if block.lines:
        composer.gap(CLOSING_GAP_MM)
    composer.ensure(closing.signature_height)
    for paint in closing.place_signature(composer.y):
        composer.add(paint)
    composer.y += closing.signature_height
    return moved


def _signature(doc: A4Document, geo: _Geometry, measure: _Measure,
               fonts: _Fonts) -> tuple[float, Callable[[float], list[Paint]]]:
    """One row: the QR code with its code and caption under it at the left; issuer and date, then the seal, at the right.

    The seal carries the office's name along its ring; the issuer and the date are printed
    beside it, right-aligned against it, so no line of black text crosses the seal.
    """
    has_qr = bool(doc.qr_payload)
    if not (has_qr or doc.issuer or doc.issue_date or doc.verification_code or doc.qr_caption):
        return 0.0, lambda top: []
    matrix = _qr_matrix(doc.qr_payload) if has_qr else []
    qr_side = geo.mm(QR_SIDE_MM) if has_qr else 0.0
    # The quiet zone is white paper: line the text up with the modules, not with the zone.
    quiet_zone = qr_side * QR_QUIET_ZONE_MODULES / len(matrix) if has_qr else 0.0
    sealed = bool(doc.issuer)
    seal_radius = geo.mm(SEAL_RADIUS_MM) if sealed else 0.0
    seal_x = geo.right - seal_radius
    gap = geo.mm(SIGNATURE_GAP_MM)
    issuer_right = seal_x - seal_radius - gap if sealed else geo.right
    text_left = geo.left + quiet_zone
    code_text = f"验证码：{doc.verification_code}" if doc.verification_code else ""
    left_natural = max(measure.width(code_text, fonts.small), measure.width(doc.qr_caption, fonts.small))
    issuer_natural = max(measure.width(doc.issuer, fonts.issuer), measure.width(doc.issue_date, fonts.date))
    room = issuer_right - text_left - gap
    # Side by side as they are when both fit; else the QR's text wraps first, down to LEFT_TEXT_MIN_MM.
    text_width = max(min(left_natural, room - issuer_natural), geo.mm(LEFT_TEXT_MIN_MM))
    issuer_width = max(room - text_width, geo.mm(LEFT_TEXT_MIN_MM))
    code_block = measure.block(code_text, fonts.small, text_width, spacing=1.15)
    caption_block = measure.block(doc.qr_caption, fonts.small, text_width, spacing=1.15)
    issuer_block = measure.block(doc.issuer, fonts.issuer, issuer_width)
    date_block = measure.block(doc.issue_date, fonts.date, issuer_width)
    code_offset = max(0.0, qr_side - quiet_zone * 0.6)
    left_height = code_offset + code_block.height + caption_block.height
    issuer_height = issuer_block.height + geo.mm(1) + date_block.height
    height = max(left_height, 2 * seal_radius, issuer_height)
    seal_image = _seal_image(doc.seal_image) if sealed else None
    layout = seal_layout(doc.issuer, doc.seal_purpose, seal_radius) if sealed and seal_image is None else None

    def place(top: float) -> list[Paint]:
        paints: list[Paint] = []
        left_top = top + (height - left_height) / 2
        if has_qr:
            path = _qr_path(matrix, geo.left, left_top, qr_side)

            def paint_qr(painter: QPainter) -> None:
                painter.fillRect(QRectF(geo.left, left_top, qr_side, qr_side), Qt.GlobalColor.white)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.fillPath(path, Qt.GlobalColor.black)

            paints.append(paint_qr)
        code_top = left_top + code_offset
        caption_top = code_top + code_block.height
        paints.append(lambda painter: code_block.draw(painter, text_left, code_top, text_width))
        paints.append(lambda painter: caption_block.draw(painter, text_left, caption_top, text_width,
                                                         colour=GREY_INK))
        centre_y = top + height / 2
        issuer_top = centre_y - issuer_height / 2
        date_top = issuer_top + issuer_block.height + geo.mm(1)
        issuer_left = issuer_right - issuer_width
        paints.append(lambda painter: issuer_block.draw(painter, issuer_left, issuer_top, issuer_width,
                                                        Qt.AlignmentFlag.AlignRight))
        paints.append(lambda painter: date_block.draw(painter, issuer_left, date_top, issuer_width,
                                                      Qt.AlignmentFlag.AlignRight))
        seal_centre = QPointF(seal_x, centre_y)
        if seal_image is not None:
            paints.append(lambda painter: paint_seal_image(painter, seal_centre, seal_radius, seal_image))
        elif layout is not None:
            paints.append(lambda painter: paint_seal(painter, seal_centre, layout, fonts.seal))
        return paints

    return height, place


def _seal_image(path: str) -> QImage | None:
    """The office's own seal image when one is configured; None draws the seal."""
    if not path:
        return None
    image = QImage(path)
    if image.isNull():
        raise ValueError(f"seal image {path!r} cannot be read as an image")
    return image


# --- the document ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Furniture:
    """What every page carries: the number top right, the notes and the page number at the foot."""

    number: _TextBlock
    running_title: _TextBlock
    notes: _TextBlock
    footer_top: float
    page_bottom: float


def _paint_furniture(painter: QPainter, geo: _Geometry, measure: _Measure, furniture: _Furniture, fonts: _Fonts,
                     page: int, pages: int) -> None:
    top = geo.mm(MARGIN_TOP_MM)
    furniture.number.draw(painter, geo.left, top, geo.content_width, Qt.AlignmentFlag.AlignRight, GREY_INK)
    if page > 1:
        furniture.running_title.draw(painter, geo.left, top, geo.content_width * RUNNING_TITLE_SHARE,
                                     colour=GREY_INK)
        rule_y = top + max(furniture.number.height, furniture.running_title.height) + geo.mm(1)
        painter.setPen(_pen(geo, 0.2))
        painter.drawLine(QPointF(geo.left, rule_y), QPointF(geo.right, rule_y))
    if furniture.notes.lines:
        painter.setPen(_pen(geo, 0.2))
        painter.drawLine(QPointF(geo.left, furniture.footer_top), QPointF(geo.right, furniture.footer_top))
        furniture.notes.draw(painter, geo.left, furniture.footer_top + geo.mm(1.5), geo.content_width,
                             colour=GREY_INK)
    page_line = measure.block(f"第 {page} 页 / 共 {pages} 页", fonts.footer, geo.content_width, 1.2)
    page_line.draw(painter, geo.left, furniture.page_bottom - page_line.height, geo.content_width,
                   Qt.AlignmentFlag.AlignHCenter, GREY_INK)


def _compose(document: A4Document, geo: _Geometry, measure: _Measure,
             fonts: _Fonts) -> tuple[list[list[Paint]], _Furniture]:
    page_bottom = geo.mm(PAGE_HEIGHT_MM - MARGIN_BOTTOM_MM)
    page_number_height = measure.line_height(fonts.footer, 1.2)
    notes = measure.block("\n".join(document.notes), fonts.footer, geo.content_width, 1.3) \
        if document.notes else _TextBlock((), fonts.footer, 0.0)
    footer_top = page_bottom - page_number_height - geo.mm(1.5) - notes.height - geo.mm(1.5)
    number = measure.block(document.number, fonts.number, geo.content_width * (1 - RUNNING_TITLE_SHARE) - geo.mm(4))
    running_title = measure.block(document.title, fonts.number, geo.content_width * RUNNING_TITLE_SHARE)
    furniture = _Furniture(number, running_title, notes, footer_top, page_bottom)

    top = geo.mm(MARGIN_TOP_MM)
    header_height = max(number.height, running_title.height)
    closing = _closing(document, geo, measure, fonts)

    def compose(carried_rows: int) -> tuple[_Composer, bool]:
        composer = _Composer(geo, top_first=top + number.height + geo.mm(3),
                             top_following=top + header_height + geo.mm(6),
                             bottom=footer_top - geo.mm(3))
        _compose_title(document, composer, measure, fonts)
        _compose_fields(document, composer, measure, fonts)
        for index, table in enumerate(document.tables):
            last = index == len(document.tables) - 1
            _compose_table(table, composer, measure, fonts,
                           break_before=len(table.rows) - carried_rows if last and carried_rows else None)
        moved = _place_closing(closing, composer)
        return composer, moved

    composer, moved = compose(0)
    last_rows = len(document.tables[-1].rows) if document.tables and document.tables[-1].columns else 0
    if moved and last_rows:
        # The closing block did not fit after the last table, so the next page starts with it and
        # the page before keeps a hole a little smaller than the block: that cannot be avoided
        # without splitting it. The statement says "as listed in the table above", so the
        # table's last rows go along (its header repeated) when the hole stays within the
        # block's own height; otherwise the statement opens the page on its own.
        carried, carried_moved = compose(min(CARRIED_ROWS, last_rows))
        hole = carried.left_empty[len(carried.pages) - 2] if len(carried.pages) > 1 else 0.0
        if not carried_moved and len(carried.pages) == len(composer.pages) and hole <= closing.height(geo):
            composer = carried
    return composer.pages, furniture


# --- text extraction repair ------------------------------------------------------------

_CMAP_BLOCK = re.compile(rb"begincmap(.*?)endcmap", re.S)
_BFRANGE_ENTRY = re.compile(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4})> (\[[^\]]*\]|<[0-9A-Fa-f]{4}>)")
_HEX4 = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _repair_text_extraction(pdf: bytes, drawn: set[str], fonts: _Fonts) -> bytes:
    """Point each glyph's ToUnicode entry at the character we actually drew.

    Qt maps a glyph to the lowest code point that shows it, so 月 copies out as the
    Kangxi radical U+2F49, 页 as U+2EDA and a space as a tab: search, copy and screen
    readers then miss the text. Only 4-digit values are swapped for 4-digit values, so
    the file keeps its length and its cross-reference table stays valid.
    """
    drawn_bmp = sorted(char for char in drawn if ord(char) <= 0xFFFF)
    if not drawn_bmp:
        return pdf
    drawn_codes = {ord(char) for char in drawn_bmp}
    faces = {(font.family(), font.bold()): font for font in (getattr(fonts, field.name)
                                                             for field in dataclasses.fields(fonts))}
    raw_fonts = {f"{family}/{bold}": QRawFont.fromFont(font) for (family, bold), font in faces.items()}
    glyph_owner: dict[tuple[str, int], int] = {}
    for key, raw in raw_fonts.items():
        for char, glyph in zip(drawn_bmp, raw.glyphIndexesForString("".join(drawn_bmp))):
            if glyph:
                # A unified ideograph wins over a radical that shares its glyph.
                owner = glyph_owner.get((key, glyph))
                if owner is None or unicodedata.normalize("NFKC", chr(owner)) != chr(owner):
                    glyph_owner[(key, glyph)] = ord(char)
    replacement_cache: dict[int, int | None] = {}

    def replacement(code: int) -> int | None:
        if code in drawn_codes or code == 0:
            return None
        if code not in replacement_cache:
            found = None
            for key, raw in raw_fonts.items():
                glyphs = raw.glyphIndexesForString(chr(code))
                if glyphs and glyphs[0] and (key, glyphs[0]) in glyph_owner:
                    found = glyph_owner[(key, glyphs[0])]
                    break
            replacement_cache[code] = found
        return replacement_cache[code]

    def swap_hex(match: re.Match) -> bytes:
        code = replacement(int(match.group(1), 16))
        return match.group(0) if code is None else b"<%04X>" % code

    def fix_entry(match: re.Match) -> bytes:
        first, last, target = match.groups()
        if target.startswith(b"["):
            return match.group(0)[:-len(target)] + _HEX4.sub(swap_hex, target)
        if first == last:  # a single glyph; a linear range of several stays as it is
            return match.group(0)[:-len(target)] + _HEX4.sub(swap_hex, target)
        return match.group(0)

    def fix_cmap(match: re.Match) -> bytes:
        return b"begincmap" + _BFRANGE_ENTRY.sub(fix_entry, match.group(1)) + b"endcmap"

    repaired = _CMAP_BLOCK.sub(fix_cmap, pdf)
    return repaired if len(repaired) == len(pdf) else pdf


def render_pdf_bytes(document: A4Document) -> tuple[bytes, int]:
    """The PDF of `document` and its page count, rendered in memory.

    Raises CjkFontMissingError without a CJK font, GuiApplicationMissingError without a
    Qt application, ValueError for content that cannot be printed (a QR payload too long).
    """
    _require_gui_application()
    fonts = _load_fonts()
    buffer = QBuffer()
    buffer.setData(QByteArray())
    if not buffer.open(QIODevice.OpenModeFlag.WriteOnly):
        raise RuntimeError("cannot open an in-memory buffer for the PDF")
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))
    # Metadata carries the document title only: no names, numbers or identifiers.
    writer.setTitle(_plain(document.title).replace("\n", " "))
    writer.setCreator(PDF_CREATOR)
    geo = _Geometry(RESOLUTION_DPI / 25.4)
    measure = _Measure(writer)
    pages, furniture = _compose(document, geo, measure, fonts)
    painter = QPainter()
    if not painter.begin(writer):
        raise RuntimeError("QPainter could not start on the PDF writer")
    try:
        for index, paints in enumerate(pages):
            if index:
                writer.newPage()
            _paint_furniture(painter, geo, measure, furniture, fonts, index + 1, len(pages))
            for paint in paints:
                paint(painter)
    finally:
        painter.end()
    buffer.close()
    return _repair_text_extraction(bytes(buffer.data().data()), measure.drawn, fonts), len(pages)


def render_pdf(document: A4Document, path: Path) -> int:
    """Render `document` to the PDF file `path`; returns the page count.

    The file is written with ordinary Python I/O, so a missing or unwritable directory
    or a full disk raises the usual OSError (PermissionError, FileNotFoundError, ENOSPC).
    """
    data, pages = render_pdf_bytes(document)
    with open(path, "wb") as file:
        file.write(data)
    return pages
