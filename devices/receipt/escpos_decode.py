"""Read an ESC/POS byte stream back into what a printer would put on paper.

For tests (assert the exact printed text, QR payloads, cuts and that no unknown command
slipped in), for the demo (show a printed receipt as text) and for the printer simulator.
It understands the commands our encoder sends plus the common ones around them; anything
else is kept in `unknown` so a test can insist there is none.

Bounded and robust: every step consumes at least one byte, so junk always ends; a command
cut off by the end of the data raises `ValueError` saying which, and nothing else raises.
Text is GB 18030-2022 inside `FS &` ... `FS .` (Chinese character mode) and code page 437
outside it, as on a Chinese ESC/POS printer.

A line the printer's font cannot print (a rare name character, see `line_raster.py`)
arrives as a `GS v 0` image: it is decoded as an image (`images`, and "[image WxH]" in
`paper` where the line would be), not read back as text. Tests check that the image sits
in place of the line and compare its glyph cells with an independent rendering.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from devices import gb18030

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
_ALIGNMENTS = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
# ESC commands we know and how many parameter bytes follow the command letter.
_ESC_PARAMETERS = {
    ord("@"): 0, ord("E"): 1, ord("a"): 1, ord("!"): 1, ord("d"): 1, ord("J"): 1, ord("-"): 1, ord("M"): 1,
    ord("2"): 0, ord("3"): 1, ord("t"): 1, ord("G"): 1, ord("R"): 1, ord(" "): 1, ord("{"): 1, ord("V"): 1,
    ord("e"): 1, ord("U"): 1, ord("="): 1,
}
_GS_PARAMETERS = {ord("!"): 1, ord("B"): 1, ord("L"): 2, ord("W"): 2, ord("H"): 1, ord("h"): 1, ord("w"): 1,
                  ord("f"): 1, ord("b"): 1}
_FS_PARAMETERS = {ord("&"): 0, ord("."): 0, ord("!"): 1, ord("-"): 1, ord("C"): 1, ord("W"): 1, ord("S"): 2}


class RasterImage(NamedTuple):
    """A GS v 0 image: `bitmap` rows of `width_dots` (padded to whole bytes), 1 = black dot."""

    width_dots: int
    height: int
    bitmap: bytes


@dataclasses.dataclass(frozen=True)
class DecodedLine:
    text: str
    align: str = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False


@dataclasses.dataclass(frozen=True)
class DecodedQr:
    payload: str
    module_dots: int
    error_correction: str   # L, M, Q or H
    model: int


@dataclasses.dataclass
class DecodedReceipt:
    styled_lines: list[DecodedLine] = dataclasses.field(default_factory=list)
    qr_codes: list[DecodedQr] = dataclasses.field(default_factory=list)
    images: list[RasterImage] = dataclasses.field(default_factory=list)
    cuts: int = 0
    initialisations: int = 0
    status_requests: list[int] = dataclasses.field(default_factory=list)  # DLE EOT n found in the stream
    unknown: list[bytes] = dataclasses.field(default_factory=list)
    paper: list[str] = dataclasses.field(default_factory=list)  # lines, "[QR] ...", "[image WxH]", "[cut]" in order

    @property
    def lines(self) -> list[str]:
        return [line.text for line in self.styled_lines]

    @property
    def qr_payloads(self) -> list[str]:
        return [code.payload for code in self.qr_codes]

    def render_text(self) -> str:
        """The receipt as a technician or the demo would read it off the paper."""
        return "\n".join(self.paper)


def decode_escpos(data: bytes) -> DecodedReceipt:
    """Decode a whole stream; raises ValueError only when a command is cut off by the end of `data`."""
    return _Decoder(bytes(data)).run()


def raster_to_image(image: RasterImage | tuple[int, int, bytes], *, scale: int = 1, margin: int = 0):
    """A GS v 0 image as a PIL image (black on white), optionally enlarged with a white margin."""
    from PIL import Image, ImageOps

    width_dots, height, bitmap = image
    width_bytes = (width_dots + 7) // 8
    if len(bitmap) != width_bytes * height:
        raise ValueError(f"raster of {len(bitmap)} bytes does not match {width_dots}x{height} dots")
    # PIL mode "1" stores 1 as white; ESC/POS uses 1 for a black dot.
    picture = Image.frombytes("1", (width_bytes * 8, height), bytes(bitmap), "raw", "1;I")
    picture = picture.crop((0, 0, width_dots, height)) if width_dots else picture
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    if margin > 0:
        picture = ImageOps.expand(picture.convert("L"), border=margin, fill=255).convert("1")
    return picture


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.result = DecodedReceipt()
        self.chinese = False
        self.align = "left"
        self.bold = False
        self.double_width = False
        self.double_height = False
        self.line_parts: list[str] = []
        self.line_style: tuple[str, bool, bool, bool] | None = None
        self.qr_module = 3
        self.qr_error_correction = "L"
        self.qr_model = 2
        self.qr_stored: bytes | None = None

    # --- reading ---------------------------------------------------------------------

    def take(self, count: int, what: str) -> bytes:
        end = self.position + count
        if end > len(self.data):
            raise ValueError(f"ESC/POS stream ends inside {what} at byte {self.position} "
                             f"({count} bytes needed, {len(self.data) - self.position} left)")
        chunk = self.data[self.position:end]
        self.position = end
        return chunk

    def run(self) -> DecodedReceipt:
        data = self.data
        while self.position < len(data):
            byte = data[self.position]
            if byte == 0x0A:
                self.position += 1
                self.end_line()
            elif byte == 0x0D:
                self.position += 1  # carriage return: the next LF prints the line
            elif byte == ESC:
                self.escape()
            elif byte == GS:
                self.group_separator()
            elif byte == FS:
                self.file_separator()
            elif byte == DLE:
                self.data_link_escape()
            elif byte < 0x20 or byte == 0x7F:
                self.position += 1
                self.result.unknown.append(bytes((byte,)))
            else:
                self.text_run()
        if self.line_parts:  # text still in the printer's buffer: it prints with the next LF
            self.end_line()
        return self.result

    def text_run(self) -> None:
        data, start = self.data, self.position
        end = start
        while end < len(data) and (data[end] >= 0x20 and data[end] != 0x7F):
            if self.chinese and 0x81 <= data[end] <= 0xFE:
                four_bytes = end + 1 < len(data) and 0x30 <= data[end + 1] <= 0x39
                length = 4 if four_bytes else 2
                if end + length > len(data):
                    self.position = end
                    self.take(length, "a GB18030 character")
                end += length
            else:
                end += 1
        chunk = data[start:end]
        self.position = end
        if not self.line_parts:
            self.line_style = (self.align, self.bold, self.double_width, self.double_height)
        self.line_parts.append(gb18030.decode(chunk, "replace") if self.chinese else chunk.decode("cp437"))

    def end_line(self) -> None:
        align, bold, double_width, double_height = self.line_style or (
            self.align, self.bold, self.double_width, self.double_height)
        line = DecodedLine("".join(self.line_parts), align, bold, double_width, double_height)
        self.result.styled_lines.append(line)
        self.result.paper.append(line.text)
        self.line_parts = []
        self.line_style = None

    def flush_line(self) -> None:
        """Images and QR codes print the pending text first, like a printer's line buffer."""
        if self.line_parts:
            self.end_line()

    # --- commands --------------------------------------------------------------------

    def escape(self) -> None:
        start = self.position
        _, command = self.take(2, "an ESC command")
        count = _ESC_PARAMETERS.get(command)
        if count is None:
            self.result.unknown.append(self.data[start:self.position])
            return
        parameters = self.take(count, f"ESC {chr(command)}")
        if command == ord("@"):
            self.result.initialisations += 1
            self.align, self.bold, self.double_width, self.double_height = "left", False, False, False
            self.chinese = False
        elif command == ord("E"):
            self.bold = bool(parameters[0] & 1)
        elif command == ord("a"):
            self.align = _ALIGNMENTS.get(parameters[0], self.align)
        elif command == ord("!"):
            mode = parameters[0]
            self.bold, self.double_height, self.double_width = bool(mode & 0x08), bool(mode & 0x10), bool(mode & 0x20)
        elif command == ord("d"):
            for _ in range(parameters[0]):
                self.end_line()

    def group_separator(self) -> None:
        start = self.position
        _, command = self.take(2, "a GS command")
        if command == ord("!"):
            size = self.take(1, "GS !")[0]
            self.double_width, self.double_height = bool(size & 0x70), bool(size & 0x07)
        elif command == ord("V"):
            mode = self.take(1, "GS V")[0]
            if mode in (65, 66, 97, 98, 103, 104):
                self.take(1, "GS V feed")
            if mode not in (0, 1, 48, 49, 65, 66, 97, 98, 103, 104):
                self.result.unknown.append(self.data[start:self.position])
                return
            self.flush_line()
            self.result.cuts += 1
            self.result.paper.append("[cut]")
        elif command == ord("("):
            function = self.take(1, "GS (")[0]
            length = int.from_bytes(self.take(2, "GS ( length"), "little")
            body = self.take(length, f"GS ( {chr(function)} data")
            if function == ord("k") and len(body) >= 2 and body[0] == ord("1"):
                self.qr_function(body[1], body[2:], self.data[start:self.position])
            else:
                self.result.unknown.append(self.data[start:self.position])
        elif command == ord("v"):
            header = self.take(6, "GS v 0 header")
            if header[0] != ord("0"):
                self.result.unknown.append(self.data[start:self.position])
                return
            width_bytes = int.from_bytes(header[2:4], "little")
            height = int.from_bytes(header[4:6], "little")
            bitmap = self.take(width_bytes * height, "GS v 0 image data")
            self.flush_line()
            self.result.images.append(RasterImage(width_bytes * 8, height, bitmap))
            self.result.paper.append(f"[image {width_bytes * 8}x{height}]")
        elif command in _GS_PARAMETERS:
            self.take(_GS_PARAMETERS[command], f"GS {chr(command)}")
        else:
            self.result.unknown.append(self.data[start:self.position])

    def qr_function(self, function: int, data: bytes, command: bytes) -> None:
        if function == ord("A") and data:
            self.qr_model = {49: 1, 50: 2, 51: 3}.get(data[0], 0)
        elif function == ord("C") and data:
            self.qr_module = data[0]
        elif function == ord("E") and data:
            self.qr_error_correction = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(data[0], "?")
        elif function == ord("P") and data[:1] == b"0":
            self.qr_stored = data[1:]
        elif function == ord("Q") and self.qr_stored is not None:
            self.flush_line()
            code = DecodedQr(self.qr_stored.decode("utf-8", "replace"), self.qr_module,
                             self.qr_error_correction, self.qr_model)
            self.result.qr_codes.append(code)
            self.result.paper.append(f"[QR] {code.payload}")
        else:  # printing with nothing stored, size queries, unknown functions
            self.result.unknown.append(command)

    def file_separator(self) -> None:
        start = self.position
        _, command = self.take(2, "an FS command")
        count = _FS_PARAMETERS.get(command)
        if count is None:
            self.result.unknown.append(self.data[start:self.position])
            return
        self.take(count, f"FS {chr(command)}")
        if command == ord("&"):
            self.chinese = True
        elif command == ord("."):
            self.chinese = False

    def data_link_escape(self) -> None:
        start = self.position
        _, command = self.take(2, "a DLE command")
        if command == 0x04:  # DLE EOT n: real-time status request
            self.result.status_requests.append(self.take(1, "DLE EOT")[0])
        elif command == 0x05:  # DLE ENQ n: recover from an error / clear buffers
            self.take(1, "DLE ENQ")
            self.result.unknown.append(self.data[start:self.position])
        else:  # DLE ENQ / DLE DC4 and others never belong in a receipt
            self.result.unknown.append(self.data[start:self.position])
