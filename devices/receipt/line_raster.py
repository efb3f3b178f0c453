"""A receipt line the printer's own font cannot print, drawn as a raster image instead.

A Chinese receipt printer prints text from its built-in font: GB2312 on many 58 mm
printers, GBK on most 80 mm ones, the whole of GB 18030 only on a few. A name holding a
rare character (䶮, U+4DAE, has no GBK code) would come out blank or as another
character. Such a line is drawn here with Qt (QImage + QPainter, the Noto Sans CJK font the
kiosk already needs) and sent as a `GS v 0` raster image in place of the text line:

- The same geometry as the printer's text mode: 24 dots a line, 12 dots a column, a
  Chinese character two columns; each character is centred in its own cell, so wrapping
  and columns computed for text stay right. Double size doubles both (48 dots, 24 a column).
- The image spans the whole printable width and holds the text where the alignment puts
  it, so it does not depend on how a printer aligns images.
- Black where the anti-aliased glyph is at least a third dark: thermal heads print dots, not
  grey, and a lower threshold keeps thin strokes as heavy as a printer font's.
- Image bytes are shifted a dot when they would spell a real-time command (DLE EOT/ENQ/DC4).

Without a QGuiApplication (fonts need one) nothing can be drawn; `raster_line` then returns
None and the encoder prints the text with 〓 (U+3013, GB2312 A1FA, the typesetter's mark for
a missing character) in place of each character the font lacks: still legible as "a
character is missing here", never a wrong character.
"""

from __future__ import annotations

import threading
from functools import lru_cache

TEXT_FONT_FAMILY = "Noto Sans CJK SC"
LINE_DOTS = 24          # the height of the printer's Chinese font, and of one text line
COLUMN_DOTS = 12        # Font A: one ASCII column; a Chinese character takes two
GLYPH_PIXELS = 22       # the em box drawn inside the 24-dot line (a printer's font leaves a little air too)
MISSING_MARK = "\u3013"  # 〓
INK_THRESHOLD = 170     # grey levels below this (0 black .. 255 white) print as a dot

_FONT_CHARSETS = ("gb2312", "gbk", "gb18030")
_render_lock = threading.Lock()  # one QPainter on our fonts at a time; receipts are short


def printer_font_has(char: str, charset: str) -> bool:
    """True when a printer whose Chinese font covers `charset` prints `char` from its own font."""
    if char.isascii():
        return True
    if charset == "gb18030":
        return True
    try:
        encoded = char.encode(charset)
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2


def line_fits_font(line: str, charset: str) -> bool:
    if line.isascii() or charset == "gb18030":
        return True
    try:
        encoded = line.encode(charset)
    except UnicodeEncodeError:
        return False
    # Every non-ASCII character two bytes (not a one-byte extra such as GBK's 0x80 for the euro sign).
    return len(encoded) == 2 * len(line) - len(line.encode("ascii", "ignore"))


def with_missing_marks(line: str, charset: str) -> str:
    return "".join(char if printer_font_has(char, charset) else MISSING_MARK for char in line)


def check_charset(charset: str) -> str:
    if charset not in _FONT_CHARSETS:
        raise ValueError(f"printer font charset must be one of {', '.join(_FONT_CHARSETS)}, not {charset!r}")
    return charset


def _gui_ready() -> bool:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    return isinstance(QCoreApplication.instance(), QGuiApplication)


@lru_cache(maxsize=4)
def _font(pixels: int, bold: bool):
    from PySide6.QtGui import QFont

    font = QFont(TEXT_FONT_FAMILY)
    font.setPixelSize(pixels)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    return font


def raster_line(line: str, *, offset_dots: int, dots_per_line: int, bold: bool = False,
                large: bool = False) -> tuple[int, int, bytes] | None:
    """(width in bytes, height in dots, 1-bit rows, MSB first, 1 = black) of one line, or None without Qt fonts.

    `offset_dots` is where the line starts from the left edge (alignment already applied).
    """
    if not _gui_ready():
        return None
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

    scale = 2 if large else 1
    height = LINE_DOTS * scale
    column = COLUMN_DOTS * scale
    image = QImage(dots_per_line, height, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    with _render_lock:
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            painter.setPen(QColor("black"))
            font = _font(GLYPH_PIXELS * scale, bold)
            painter.setFont(font)
            metrics = QFontMetricsF(font)
            x = float(offset_dots)
            for char in line:
                cell = column if char.isascii() else 2 * column
                if not char.isspace():
                    advance = metrics.horizontalAdvance(char)
                    if advance > cell:  # a wide Latin letter (m, W) is narrowed into its column, as a printer font is
                        painter.save()
                        painter.translate(x, 0)
                        painter.scale(cell / advance, 1.0)
                        painter.drawText(QRectF(0, 0, advance, height), int(Qt.AlignmentFlag.AlignCenter), char)
                        painter.restore()
                    else:
                        painter.drawText(QRectF(x, 0, cell, height), int(Qt.AlignmentFlag.AlignCenter), char)
                x += cell
        finally:
            painter.end()
    width_bytes = (dots_per_line + 7) // 8
    stride = image.bytesPerLine()
    pixels = bytes(image.constBits())
    rows = bytearray()
    for y in range(height):
        row = pixels[y * stride:y * stride + dots_per_line]
        bits = 0
        for value in row:
            bits = (bits << 1) | (value < INK_THRESHOLD)
        bits <<= width_bytes * 8 - dots_per_line
        rows += bits.to_bytes(width_bytes, "big")
    return width_bytes, height, bytes(rows)
