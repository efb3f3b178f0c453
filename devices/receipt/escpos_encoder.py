"""Turn a `ReceiptLayout` into the ESC/POS bytes a Chinese thermal receipt printer prints.

What the bytes look like and why:

- `ESC @` first, so a half-finished job or a previous style cannot leak into this receipt.
- Text lines that hold anything but ASCII are sent as GB18030 (GBK-compatible) between
  `FS &` (Chinese character mode on) and `FS .` (off): the encoding and mode Chinese
  ESC/POS printers expect. In that mode every non-ASCII character is printed from the
  24x24 Chinese font and takes two columns; ASCII takes one. Pure ASCII lines go as is.
- The printer's built-in font covers what `capabilities.font_charset` says (GB2312, GBK
  or all of GB 18030). A line holding a character outside it (a name with 䶮, U+4DAE, which
  GBK lacks) is drawn with Qt and sent as a `GS v 0` raster image of the same size in place
  of the text line (`line_raster.py`); without Qt fonts, the missing character prints as 〓.
- Layout (wrapping, KeyValue columns, rules) is done here, in columns, so the printer
  never wraps on its own (it would split a GB18030 character or a word anywhere).
- Text never carries commands: control and invisible formatting characters are stripped
  before encoding, and GB18030 bytes are never below 0x30, so no byte of printed text can
  be read as ESC, GS, FS or a real-time DLE command.

The command bytes are the standard Epson ESC/POS ones, written out in `escpos_commands.py`
rather than taken from python-escpos: that package would be a runtime dependency for a
dozen constants, and importing its printer classes parses a whole capabilities database
(about 0.5 s per process) and calls `logging.basicConfig()` on the kiosk's root logger.
Its `text()` goes through single-byte code pages, which cannot print Chinese, and its
`image()` needs a profile with a known paper width. The tests keep python-escpos as an
independent oracle: the constants and the native QR framing are compared byte for byte
with what it sends.
"""

from __future__ import annotations

import re
import unicodedata

from devices import gb18030
from devices.receipt.escpos_commands import (ALIGN_CENTER, ALIGN_LEFT, ALIGN_RIGHT, BOLD_OFF, BOLD_ON, ESC, FS, GS,
                                             HW_INIT, PAPER_FULL_CUT, PAPER_PART_CUT, QR_ECLEVEL_M, QR_MODEL_2,
                                             TXT_SIZE)
from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text
from devices.receipt.line_raster import (COLUMN_DOTS, check_charset, line_fits_font, raster_line,
                                         with_missing_marks)

CHINESE_MODE_ON = FS + b"&"
CHINESE_MODE_OFF = FS + b"."
LF = b"\n"
SIZE_NORMAL = TXT_SIZE + b"\x00"
SIZE_DOUBLE = TXT_SIZE + b"\x11"  # GS ! : double width and height for ASCII *and* Chinese (ESC ! is ASCII only)
FEED_LINES = ESC + b"d"

DOTS_PER_MM = 8             # 203 dpi: the head of every 58/80 mm thermal receipt printer we target
QR_QUIET_ZONE_MODULES = 4   # the white margin a QR scanner needs on each side
LINES_BEFORE_CUT = 5        # the distance from the print head to the cutter, in default lines
LINES_TO_TEAR_OFF = 4       # without a cut, feed the last line past the tear bar

# Bytes of data a QR code of each version (1..40) holds at error correction M in byte mode:
# the upper bound a printer may need, so the module size chosen from it never overflows size_mm.
QR_BYTE_CAPACITY_M = (
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
    711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099,
    2213, 2331)

# Byte pairs a printer acts on in real time wherever they appear, even inside image data
# (DLE EOT status, DLE ENQ recover/clear buffer, DLE DC4 pulse/power off/clear buffer).
REALTIME_PREFIXES = (b"\x10\x04", b"\x10\x05", b"\x10\x14")

_ALIGN_BYTES = {Align.LEFT: ALIGN_LEFT, Align.CENTER: ALIGN_CENTER, Align.RIGHT: ALIGN_RIGHT}
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_BREAKS_AND_TABS = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")
_WRAP_TOKENS = re.compile(r"[!-~]+| +|[^ ]")  # ASCII words, runs of spaces, any other single character


class ReceiptEncodingError(ValueError):
    """The layout cannot be printed as asked (a QR payload too long for any QR version)."""


def encode_receipt(layout: ReceiptLayout, capabilities, *, full_cut: bool = False) -> bytes:
    """The complete ESC/POS job for one receipt, laid out for `capabilities` (columns, dots, cutter, QR)."""
    writer = _ReceiptWriter(capabilities)
    for block in layout.blocks:
        if isinstance(block, Text):
            writer.text(block)
        elif isinstance(block, KeyValue):
            writer.key_value(block)
        elif isinstance(block, Rule):
            writer.rule(block)
        elif isinstance(block, QrCode):
            writer.qr_code(block)
        elif isinstance(block, Feed):
            writer.feed(block.lines)
        else:
            raise ReceiptEncodingError(f"unknown receipt block {type(block).__name__}")
    writer.finish(cut=layout.cut and capabilities.cutter, full_cut=full_cut)
    return bytes(writer.out)


# --- text: cleaning, measuring, wrapping -----------------------------------------------

def sanitize_text(text: str, chinese: bool = True) -> str:
    """One printable line: no control or invisible characters; what cannot be printed becomes '?'.

    Tabs and line breaks become spaces (split lines first where they matter). Without
    Chinese support every non-ASCII character becomes '?'.
    """
    if text.isprintable() and (chinese or text.isascii()):
        return text  # the common case, checked in C: nothing to strip or replace
    kept: list[str] = []
    for char in text:
        if char in _BREAKS_AND_TABS:
            kept.append(" ")
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            continue  # controls could smuggle commands; zero-width and bidi marks print as blank boxes
        if category == "Zs" and char != "\u3000":
            kept.append(" ")  # no-break and thin spaces: not in GBK, and a plain space prints the same
        elif category in ("Cs", "Cn") or (not chinese and not char.isascii()):
            kept.append("?")
        else:
            kept.append(char)
    return "".join(kept)


def display_columns(text: str) -> int:
    """Printed width in Font A columns: ASCII takes 1, any other character (Chinese font) takes 2."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def wrap_to_columns(text: str, width: int) -> list[str]:
    """Break sanitized text into lines of at most `width` columns.

    ASCII words stay whole unless longer than a line; Chinese breaks between any two
    characters. Continuation lines do not start with spaces.
    """
    width = max(width, 2)  # a Chinese character needs two columns
    if display_columns(text) <= width:
        return [text]
    lines: list[str] = []
    current: list[str] = []
    used = 0
    spaces = 0
    for token in _WRAP_TOKENS.findall(text):
        if token[0] == " ":
            if used or not lines:
                spaces = len(token)
            continue
        token_width = display_columns(token)
        if used + spaces + token_width <= width:
            current.append(" " * spaces + token)
            used += spaces + token_width
        else:
            if used:
                lines.append("".join(current).rstrip())
            if token_width <= width:
                current, used = [token], token_width
            else:  # a word longer than a whole line (a URL): break it by characters
                chunks = [token[start:start + width] for start in range(0, len(token), width)]
                lines.extend(chunks[:-1])
                current, used = [chunks[-1]], len(chunks[-1])
        spaces = 0
    lines.append("".join(current).rstrip())
    return lines


def key_value_lines(label: str, value: str, columns: int) -> list[str]:
    """`label    value` in one line when both fit; otherwise the label, then the value below it.

    A value that fits a line is right-aligned under the label (values keep one column edge);
    a longer value is wrapped and indented by two columns.
    """
    label_width, value_width = display_columns(label), display_columns(value)
    if not value:
        return wrap_to_columns(label, columns)
    if label_width + 1 + value_width <= columns:
        return [label + " " * (columns - label_width - value_width) + value]
    lines = wrap_to_columns(label, columns) if label else []
    if value_width <= columns:
        return lines + [" " * (columns - value_width) + value]
    return lines + ["  " + part for part in wrap_to_columns(value, columns - 2)]


def encode_line(line: str) -> bytes:
    """A sanitized line as printer bytes, with Chinese mode around it only when it needs it."""
    if line.isascii():
        return line.encode("ascii") + LF
    return CHINESE_MODE_ON + gb18030.encode(line, "replace") + CHINESE_MODE_OFF + LF


def raster_command(width_bytes: int, height: int, rows: bytes) -> bytes:
    """GS v 0, normal size: the image prints where the next text line would."""
    return GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little") + rows


def raster_text_line(line: str, *, align: Align, dots_per_line: int, bold: bool = False,
                     large: bool = False) -> bytes | None:
    """A sanitized line as a `GS v 0` image (line_raster.py), or None where Qt cannot draw text."""
    column_dots = COLUMN_DOTS * (2 if large else 1)
    line_dots = display_columns(line) * column_dots
    free = max(0, dots_per_line - line_dots)
    start = {Align.LEFT: 0, Align.CENTER: free // 2, Align.RIGHT: free}[Align(align)]
    # Shift a dot or two if the image bytes happen to spell a real-time command.
    for shift in (0, 1, -1, 2, -2, 3, -3):
        drawn = raster_line(line, offset_dots=max(0, min(free, start + shift)), dots_per_line=dots_per_line,
                            bold=bold, large=large)
        if drawn is None:
            return None
        command = raster_command(*drawn)
        if not any(prefix in command for prefix in REALTIME_PREFIXES):
            break
    return command


# --- QR codes --------------------------------------------------------------------------

def qr_version_for(payload: bytes) -> int:
    """The smallest QR version that holds `payload` in byte mode at error correction M."""
    for version, capacity in enumerate(QR_BYTE_CAPACITY_M, start=1):
        if len(payload) <= capacity:
            return version
    raise ReceiptEncodingError(f"QR payload of {len(payload)} bytes exceeds {QR_BYTE_CAPACITY_M[-1]} bytes")


def qr_module_dots(modules: int, size_mm: float, dots_per_line: int, maximum: int = 16) -> int:
    """Dots per QR module so that the code with its quiet zone spans about `size_mm` (never wider)."""
    target_dots = min(max(size_mm, 0.0) * DOTS_PER_MM, dots_per_line)
    return max(1, min(maximum, int(target_dots // (modules + 2 * QR_QUIET_ZONE_MODULES))))


def _qr_function(function: bytes, data: bytes) -> bytes:
    # GS ( k pL pH cn fn [data]: cn '1' is the QR symbol; the length counts cn and fn.
    return GS + b"(k" + (len(data) + 2).to_bytes(2, "little") + b"1" + function + data


def native_qr_bytes(payload: bytes, module_dots: int) -> bytes:
    """GS ( k: select model 2, set the module size, set error correction M, store the data, print."""
    return b"".join((
        _qr_function(b"A", bytes((48 + QR_MODEL_2, 0))),
        _qr_function(b"C", bytes((module_dots,))),
        _qr_function(b"E", bytes((48 + QR_ECLEVEL_M,))),
        _qr_function(b"P", b"0" + payload),
        _qr_function(b"Q", b"0"),
    ))


def raster_qr_bytes(payload: bytes, size_mm: float, dots_per_line: int) -> bytes:
    """GS v 0 raster image of the QR code, drawn here at the printer's dot pitch and centred."""
    import qrcode  # only printers without native QR pay for this import

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_QUIET_ZONE_MODULES)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    module = qr_module_dots(len(matrix) - 2 * QR_QUIET_ZONE_MODULES, size_mm, dots_per_line,
                            maximum=dots_per_line // len(matrix))
    code_dots = len(matrix) * module
    centred = (dots_per_line - code_dots) // 2
    module_ones = (1 << module) - 1
    row_bits = []
    for row in matrix:
        bits = 0
        for dark in row:
            bits = (bits << module) | (module_ones if dark else 0)
        row_bits.append(bits)
    # Shift the code a few dots off centre if its bytes happen to spell a real-time command.
    for offset in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7):
        left = max(0, min(dots_per_line - code_dots, centred + offset))
        width_bytes = (left + code_dots + 7) // 8
        trailing = width_bytes * 8 - left - code_dots
        rows = [(bits << trailing).to_bytes(width_bytes, "big") * module for bits in row_bits]
        command = (GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + (len(matrix) * module).to_bytes(2, "little")
                   + b"".join(rows))
        if not any(prefix in command for prefix in REALTIME_PREFIXES):
            break
    return command


# --- the writer ------------------------------------------------------------------------

class _ReceiptWriter:
    """Accumulates one job; sends a style command only when the style changes."""

    def __init__(self, capabilities) -> None:
        self.columns = int(capabilities.columns)
        self.dots_per_line = int(capabilities.dots_per_line)
        self.chinese = bool(capabilities.chinese)
        self.font_charset = check_charset(getattr(capabilities, "font_charset", "gbk"))
        self.native_qr = bool(capabilities.native_qr)
        self.out = bytearray(HW_INIT)
        self._align = Align.LEFT   # what ESC @ leaves behind
        self._bold = False
        self._large = False

    def style(self, align: Align = Align.LEFT, bold: bool = False, large: bool = False) -> None:
        if align != self._align:
            self.out += _ALIGN_BYTES[Align(align)]
            self._align = align
        if bold != self._bold:
            self.out += BOLD_ON if bold else BOLD_OFF
            self._bold = bold
        if large != self._large:
            self.out += SIZE_DOUBLE if large else SIZE_NORMAL
            self._large = large

    def lines(self, lines: list[str]) -> None:
        for line in lines:
            if not self.chinese or line_fits_font(line, self.font_charset):
                self.out += encode_line(line)
                continue
            image = raster_text_line(line, align=self._align, dots_per_line=self.dots_per_line, bold=self._bold,
                                     large=self._large)
            self.out += image if image is not None else encode_line(with_missing_marks(line, self.font_charset))

    def text(self, block: Text) -> None:
        self.style(block.align, block.bold, block.large)
        width = self.columns // 2 if block.large else self.columns
        for raw_line in _LINE_BREAKS.split(block.text):
            self.lines(wrap_to_columns(sanitize_text(raw_line, self.chinese), width))

    def key_value(self, block: KeyValue) -> None:
        self.style()
        self.lines(key_value_lines(sanitize_text(block.label, self.chinese),
                                   sanitize_text(block.value, self.chinese), self.columns))

    def rule(self, block: Rule) -> None:
        self.style()
        char = sanitize_text(block.char, self.chinese).strip()[:1] or "-"
        self.lines([char * (self.columns // display_columns(char))])

    def qr_code(self, block: QrCode) -> None:
        # Payloads are data, not text, but a control byte in them would still reach the printer.
        payload = sanitize_text(block.payload).encode("utf-8")
        if payload:
            self.style(Align.CENTER)
            if self.native_qr:
                version = qr_version_for(payload)
                module = qr_module_dots(17 + 4 * version, block.size_mm, self.dots_per_line)
                self.out += native_qr_bytes(payload, module)
            else:
                qr_version_for(payload)  # same limit as the native path
                self.out += raster_qr_bytes(payload, block.size_mm, self.dots_per_line)
        if block.caption:
            self.text(Text(block.caption, Align.CENTER))

    def feed(self, lines: int) -> None:
        lines = max(0, min(255, int(lines)))
        if lines:
            self.out += FEED_LINES + bytes((lines,))

    def finish(self, cut: bool, full_cut: bool) -> None:
        self.style()
        if cut:
            self.feed(LINES_BEFORE_CUT)
            self.out += PAPER_FULL_CUT if full_cut else PAPER_PART_CUT
        else:
            self.feed(LINES_TO_TEAR_OFF)
