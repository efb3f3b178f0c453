"""Render an `A4Document` to a PDF with QtGui only (QPdfWriter + QPainter, no widgets).

The page is laid out in two passes: the first measures everything and cuts it into
pages (so the footer can say "第 1 页 / 共 2 页"), the second paints. All text is
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
from PySide6.QtGui import (QColor, QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QPageLayout, QPageSize,
                           QPainter, QPainterPath, QPdfWriter, QPen, QPolygonF, QRawFont, QTextLayout, QTextOption)

from devices.document.layout import A4Document, Table

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
QR_SIDE_MM = 34.0          # including the 4-module quiet zone
QR_QUIET_ZONE_MODULES = 4
SEAL_RADIUS_MM = 19.0
STATEMENT_GAP_MM = 8.0
RUNNING_TITLE_SHARE = 0.5  # of the width, left of the number on pages after the first

INK = QColor("#1a1a1a")
GREY_INK = QColor("#555555")
RULE = QColor("#404040")
HEADER_FILL = QColor("#e8e8e8")
LABEL_FILL = QColor("#f3f3f3")
SEAL_RED = QColor("#c8102e")

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
        small=_font(sans, 9), footer=_font(sans, 8.5))


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
    composer.gap(6)


def _compose_fields(doc: A4Document, composer: _Composer, measure: _Measure, fonts: _Fonts) -> None:
    """Label/value pairs, two pairs a row, in a ruled grid with shaded label cells."""
    if not doc.fields:
        return
    geo = composer.geometry
    pad = geo.mm(2.0)
    label_width = geo.mm(30)
    value_width = (geo.content_width - 2 * label_width) / 2
    columns = (label_width, value_width, label_width, value_width)
    min_height = geo.mm(9)
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
    composer.gap(6)


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


def _compose_table(table: Table, composer: _Composer, measure: _Measure, fonts: _Fonts) -> None:
    geo = composer.geometry
    if not table.columns:
        return
    pad = geo.mm(1.8)
    pad_vertical = geo.mm(1.3)
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
    composer.ensure((title_height if table.title else 0.0) + header_height + first_row_height)
    add_title(continued=False)
    add_row(header_blocks, header_height, header=True)
    for blocks, height in rows:
        if composer.ensure(height):
            add_title(continued=True)
            add_row(header_blocks, header_height, header=True)
        add_row(blocks, height, header=False)
    composer.gap(6)


def _compose_statement(doc: A4Document, composer: _Composer, measure: _Measure, fonts: _Fonts,
                       keep_with: float) -> None:
    """The certifying paragraph, kept on one page with the `keep_with` high block after it when both fit."""
    if not doc.statement:
        return
    geo = composer.geometry
    # Chinese paragraphs open with a two-character indent.
    block = measure.block("\u3000\u3000" + doc.statement.strip(), fonts.statement, geo.content_width, spacing=1.6)
    together = block.height + geo.mm(STATEMENT_GAP_MM) + keep_with
    if together <= composer.page_capacity:
        composer.ensure(together)
    for line in block.lines:  # a long statement may continue on the next page
        composer.ensure(block.line_height)
        one = _TextBlock((line,), block.font, block.line_height)
        y = composer.y
        composer.add(lambda painter, one=one, y=y: one.draw(painter, geo.left, y, geo.content_width))
        composer.y += block.line_height
    composer.gap(STATEMENT_GAP_MM)


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


def _seal(geo: _Geometry, centre: QPointF) -> Paint:
    """A round seal outline with a star above the issuer line, drawn as vectors.

    It marks where the office's seal sits; authenticity comes from the verification code.
    """
    import math

    radius = geo.mm(SEAL_RADIUS_MM)
    star_centre = QPointF(centre.x(), centre.y() - radius * 0.52)
    star_outer = radius * 0.24
    star_inner = star_outer * 0.382
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        reach = star_outer if index % 2 == 0 else star_inner
        points.append(QPointF(star_centre.x() + reach * math.cos(angle), star_centre.y() + reach * math.sin(angle)))
    star = QPolygonF(points)

    def paint(painter: QPainter) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(_pen(geo, 0.7, SEAL_RED))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SEAL_RED)
        painter.drawPolygon(star)
        painter.restore()

    return paint


@dataclasses.dataclass(frozen=True)
class _Signature:
    """The closing block, measured before it is placed so the statement can be kept with it."""

    height: float
    place: Callable[[float], list[Paint]]   # top y -> what to paint


def _signature(doc: A4Document, geo: _Geometry, measure: _Measure, fonts: _Fonts) -> _Signature:
    """QR code with its code and caption bottom left; issuer, date and seal bottom right."""
    has_qr = bool(doc.qr_payload)
    if not (has_qr or doc.issuer or doc.issue_date or doc.verification_code or doc.qr_caption):
        return _Signature(0.0, lambda top: [])
    matrix = _qr_matrix(doc.qr_payload) if has_qr else []
    left_width = geo.content_width * 0.5
    right_width = geo.content_width * 0.5
    qr_side = geo.mm(QR_SIDE_MM) if has_qr else 0.0
    # The quiet zone is white paper: line the text up with the modules, not with the zone.
    quiet_zone = qr_side * QR_QUIET_ZONE_MODULES / len(matrix) if has_qr else 0.0
    text_left = geo.left + quiet_zone
    text_width = left_width - quiet_zone
    code_block = measure.block(f"验证码：{doc.verification_code}" if doc.verification_code else "",
                               fonts.small, text_width)
    caption_block = measure.block(doc.qr_caption, fonts.small, text_width)
    issuer_block = measure.block(doc.issuer, fonts.issuer, right_width)
    date_block = measure.block(doc.issue_date, fonts.date, right_width)
    date_gap = geo.mm(2)
    code_offset = max(0.0, qr_side - quiet_zone * 0.6)
    left_height = code_offset + code_block.height + caption_block.height
    right_height = issuer_block.height + date_gap + date_block.height
    seal_radius = geo.mm(SEAL_RADIUS_MM)
    # Issuer and date sit in the lower half of the seal, the star in the upper half.
    seal_top_room = seal_radius * 1.05 if doc.issuer else 0.0
    seal_bottom_room = seal_radius + geo.mm(1) if doc.issuer else 0.0
    height = max(left_height, seal_top_room + right_height, seal_top_room + seal_bottom_room)
    right_x = geo.right - right_width
    issuer_width = min(measure.width(doc.issuer, fonts.issuer), right_width)
    # The seal is centred on the issuer name, but never past the right margin.
    seal_x = min(geo.right - issuer_width / 2, geo.right - seal_radius)

    def place(top: float) -> list[Paint]:
        paints: list[Paint] = []
        if has_qr:
            path = _qr_path(matrix, geo.left, top, qr_side)

            def paint_qr(painter: QPainter) -> None:
                painter.fillRect(QRectF(geo.left, top, qr_side, qr_side), Qt.GlobalColor.white)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.fillPath(path, Qt.GlobalColor.black)

            paints.append(paint_qr)
        code_top = top + code_offset
        caption_top = code_top + code_block.height
        paints.append(lambda painter: code_block.draw(painter, text_left, code_top, text_width))
        paints.append(lambda painter: caption_block.draw(painter, text_left, caption_top, text_width,
                                                         colour=GREY_INK))
        issuer_top = top + seal_top_room
        if doc.issuer:
            paints.append(_seal(geo, QPointF(seal_x, issuer_top)))
        paints.append(lambda painter: issuer_block.draw(painter, right_x, issuer_top, right_width,
                                                        Qt.AlignmentFlag.AlignRight))
        date_top = issuer_top + issuer_block.height + date_gap
        paints.append(lambda painter: date_block.draw(painter, right_x, date_top, right_width,
                                                      Qt.AlignmentFlag.AlignRight))
        return paints

    return _Signature(height, place)


def _compose_signature(signature: _Signature, composer: _Composer) -> None:
    if not signature.height:
        return
    composer.ensure(signature.height)
    for paint in signature.place(composer.y):
        composer.add(paint)
    composer.y += signature.height


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
    composer = _Composer(geo, top_first=top + number.height + geo.mm(3),
                         top_following=top + header_height + geo.mm(6),
                         bottom=footer_top - geo.mm(3))
    _compose_title(document, composer, measure, fonts)
    _compose_fields(document, composer, measure, fonts)
    for table in document.tables:
        _compose_table(table, composer, measure, fonts)
    signature = _signature(document, geo, measure, fonts)
    _compose_statement(document, composer, measure, fonts, keep_with=signature.height)
    _compose_signature(signature, composer)
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
