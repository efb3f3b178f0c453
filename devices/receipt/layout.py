"""A receipt as device-neutral blocks; the ESC/POS encoder turns it into bytes.

The kiosk's documents module builds these from business data; a printer never sees
a contract model. Text is plain text: it is never interpreted as markup or commands
(the encoder strips control characters).
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclasses.dataclass(frozen=True)
class Text:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    large: bool = False  # double width and height


@dataclasses.dataclass(frozen=True)
class KeyValue:
    """`label ........ value` on one line, wrapped when it does not fit."""

    label: str
    value: str


@dataclasses.dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclasses.dataclass(frozen=True)
class QrCode:
    payload: str
    size_mm: float = 25.0
    caption: str = ""


@dataclasses.dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = Text | KeyValue | Rule | QrCode | Feed


@dataclasses.dataclass(frozen=True)
class ReceiptLayout:
    blocks: tuple[Block, ...]
    cut: bool = True

    def plain_text(self) -> str:
        """The receipt as plain text (logs of what was printed must still be redacted by the caller)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                lines.append(block.text)
            elif isinstance(block, KeyValue):
                lines.append(f"{block.label}: {block.value}")
            elif isinstance(block, Rule):
                lines.append(block.char * 16)
            elif isinstance(block, QrCode):
                lines.append(f"[QR {block.payload}]" + (f" {block.caption}" if block.caption else ""))
            elif isinstance(block, Feed):
                lines.extend([""] * block.lines)
        return "\n".join(lines)


def test_page(device_name: str, capabilities) -> ReceiptLayout:
    """The technician's test page: Chinese text, both alignments, a rule, a QR code, a cut."""
    return ReceiptLayout((
        Text("打印机测试页", Align.CENTER, bold=True, large=True),
        Text("Printer test page", Align.CENTER),
        Rule(),
        KeyValue("设备 Device", device_name),
        KeyValue("纸宽 Width", f"{capabilities.width_mm} mm / {capabilities.columns} 列"),
        Text("中文字符：社会保险自助服务 一二三四五六七八九十"),
        Text("ASCII: 0123456789 ABCDEFGHIJ abcdefghij"),
        Rule("="),
        QrCode("KIOSK-PRINTER-TEST", caption="扫码测试 Scan test"),
        Feed(2),
    ))
