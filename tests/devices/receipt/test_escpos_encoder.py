"""The ESC/POS encoder, checked by decoding its bytes back (and by zbarimg for raster QR codes)."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageOps

from devices.interfaces import ReceiptPrinterCapabilities
from devices.receipt.escpos_decode import RasterImage, decode_escpos, raster_to_image
from devices.receipt.escpos_encoder import (CHINESE_MODE_OFF, CHINESE_MODE_ON, QR_BYTE_CAPACITY_M,
                                            REALTIME_PREFIXES, ReceiptEncodingError, display_columns,
                                            encode_receipt, key_value_lines, native_qr_bytes, sanitize_text,
                                            wrap_to_columns)
from devices.receipt.layout import Align, Feed, KeyValue, QrCode, ReceiptLayout, Rule, Text
from devices.receipt.layout import test_page as build_test_page

WIDE = ReceiptPrinterCapabilities(width_mm=80, columns=48, dots_per_line=576)
NARROW = ReceiptPrinterCapabilities(width_mm=58, columns=32, dots_per_line=384)
BOTH_WIDTHS = pytest.mark.parametrize("caps", [WIDE, NARROW], ids=["80mm", "58mm"])
PARTIAL_CUT, FULL_CUT = b"\x1dV\x01", b"\x1dV\x00"


def decode(blocks, caps=WIDE, **options):
    return decode_escpos(encode_receipt(ReceiptLayout(tuple(blocks), **options), caps))


def zbar_decode(image: RasterImage, directory: Path) -> str:
    path = directory / "qr.png"
    raster_to_image(image, scale=2, margin=16).save(path)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return result.stdout.rstrip("\n")


# --- the test page, at both widths -----------------------------------------------------

def test_test_page_at_80_mm_decodes_to_the_exact_text_qr_and_cut() -> None:
    decoded = decode_escpos(encode_receipt(build_test_page("receipt-1", WIDE), WIDE))
    assert decoded.lines[:9] == [
        "打印机测试页",
        "Printer test page",
        "-" * 48,
        "设备 Device" + " " * 28 + "receipt-1",
        "纸宽 Width" + " " * 25 + "80 mm / 48 列",
        "中文字符：社会保险自助服务 一二三四五六七八九十",
        "ASCII: 0123456789 ABCDEFGHIJ abcdefghij",
        "=" * 48,
        "扫码测试 Scan test",
    ]
    assert decoded.lines[9:] == [""] * 7  # Feed(2) and the feed to the cutter
    assert decoded.qr_payloads == ["KIOSK-PRINTER-TEST"]
    assert decoded.cuts == 1 and decoded.initialisations == 1
    assert decoded.unknown == [] and decoded.images == [] and decoded.status_requests == []
    title = decoded.styled_lines[0]
    assert (title.align, title.bold, title.double_width, title.double_height) == ("center", True, True, True)
    assert decoded.styled_lines[1].align == "center" and not decoded.styled_lines[1].bold
    assert decoded.styled_lines[3].align == "left"
    assert decoded.paper.index("[QR] KIOSK-PRINTER-TEST") == 8 and decoded.paper[-1] == "[cut]"


def test_test_page_at_58_mm_wraps_to_32_columns() -> None:
    decoded = decode_escpos(encode_receipt(build_test_page("receipt-1", NARROW), NARROW))
    assert decoded.lines[:11] == [
        "打印机测试页",
        "Printer test page",
        "-" * 32,
        "设备 Device" + " " * 12 + "receipt-1",
        "纸宽 Width" + " " * 9 + "58 mm / 32 列",
        "中文字符：社会保险自助服务 一二",
        "三四五六七八九十",
        "ASCII: 0123456789 ABCDEFGHIJ",
        "abcdefghij",
        "=" * 32,
        "扫码测试 Scan test",
    ]
    assert decoded.qr_payloads == ["KIOSK-PRINTER-TEST"] and decoded.cuts == 1 and decoded.unknown == []
    assert all(display_columns(line) <= 32 for line in decoded.lines)


# --- Chinese text ----------------------------------------------------------------------

def test_chinese_is_gb18030_between_fs_and_and_fs_dot() -> None:
    data = encode_receipt(ReceiptLayout((Text("参保证明 No.1"),), cut=False), WIDE)
    assert CHINESE_MODE_ON + "参保证明 No.1".encode("gb18030") + CHINESE_MODE_OFF + b"\n" in data
    assert "参保证明".encode("gb18030") == b"\xb2\xce\xb1\xa3\xd6\xa4\xc3\xf7"  # GBK-compatible two-byte codes


def test_ascii_lines_go_as_is_without_chinese_mode() -> None:
    data = encode_receipt(ReceiptLayout((Text("Pension 2026"), Rule()), cut=False), WIDE)
    assert b"Pension 2026\n" in data and CHINESE_MODE_ON not in data


def test_a_gb18030_printer_gets_rare_characters_as_text_with_four_byte_codes() -> None:
    full_font = ReceiptPrinterCapabilities(font_charset="gb18030")
    decoded = decode([Text("姓名：𠀀䶮\u9fb4")], full_font, cut=False)  # CJK extension B and A, a 2022 remap
    assert decoded.lines[0] == "姓名：𠀀䶮\u9fb4" and decoded.images == []
    data = encode_receipt(ReceiptLayout((Text("𠀀䶮\u9fb4"),), cut=False), full_font)
    assert "𠀀".encode("gb18030") + bytes.fromhex("FE9F") + bytes.fromhex("FE59") in data  # FE59: GB 18030-2022


# --- characters the printer's font lacks -----------------------------------------------------

REFERENCE_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def reference_glyph(char: str):
    """The character drawn by FreeType through Pillow, not by Qt: an independent rendering to compare with."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(REFERENCE_FONT, 22, index=2)  # index 2: Noto Sans CJK SC
    image = Image.new("L", (24, 24), 255)
    ImageDraw.Draw(image).text((12, 12), char, font=font, fill=0, anchor="mm")
    return image


def ink_shape(image) -> list[bool]:
    """The ink of a glyph cell, cropped to its bounding box and scaled to 16x16 dots."""
    from PIL import Image

    grey = image.convert("L")
    box = ImageOps.invert(grey).getbbox()
    assert box is not None, "no ink in this cell"
    return [value < 128 for value in grey.crop(box).resize((16, 16), Image.BILINEAR).tobytes()]


def likeness(cell, char: str) -> float:
    ours, reference = ink_shape(cell), ink_shape(reference_glyph(char))
    both = sum(a and b for a, b in zip(ours, reference))
    either = sum(a or b for a, b in zip(ours, reference))
    return both / either


def best_match(cell, candidates: str) -> str:
    return max(candidates, key=lambda char: likeness(cell, char))


@pytest.fixture
def fonts(qapp):
    """Drawing a line needs Qt fonts, hence a QGuiApplication (pytest-qt's)."""
    assert Path(REFERENCE_FONT).exists(), "install fonts-noto-cjk"
    return qapp


@BOTH_WIDTHS
def test_a_name_outside_the_printer_font_prints_as_an_image_in_place_of_its_line(fonts, caps) -> None:
    """A GBK printer font has no 䶮: that line is a raster image; the lines around it stay text."""
    decoded = decode([Text("参保凭条", Align.CENTER), KeyValue("姓名", "王䶮"), KeyValue("时间", "10:05")], caps,
                     cut=False)
    assert decoded.paper[:3] == ["参保凭条", f"[image {caps.dots_per_line}x24]",
                                 "时间" + " " * (caps.columns - 9) + "10:05"]
    assert decoded.unknown == [] and len(decoded.images) == 1
    data = encode_receipt(ReceiptLayout((KeyValue("姓名", "王䶮"),), cut=False), caps)
    assert "䶮".encode("gb18030") not in data and "王".encode("gb18030") not in data   # no text the font lacks
    assert not any(prefix in data for prefix in REALTIME_PREFIXES)


def test_the_image_of_a_line_is_legible_where_the_text_would_be(fonts, tmp_path: Path) -> None:
    """Each character sits in its text-mode cell and looks like the character (FreeType draws the reference)."""
    decoded = decode([KeyValue("姓名", "王䶮")], cut=False)
    image = raster_to_image(decoded.images[0]).convert("L")
    raster_to_image(decoded.images[0], scale=3, margin=8).save(tmp_path / "name-line.png")  # to look at
    cells = {"姓": (0, 24), "名": (24, 48), "王": (528, 552), "䶮": (552, 576)}  # value right-aligned, 12 dots a column
    rivals = "姓名王䶮龚龙主口〓?"
    for char, (left, right) in cells.items():
        cell = image.crop((left, 0, right, 24))
        assert best_match(cell, rivals) == char, char
    blank = image.crop((48, 0, 528, 24))
    assert ImageOps.invert(blank).getbbox() is None   # nothing between label and value


def test_large_centred_lines_keep_their_size_and_place_as_images(fonts) -> None:
    decoded = decode([Text("王䶮", Align.CENTER, large=True), Text("王䶮", Align.RIGHT, bold=True)], cut=False)
    assert decoded.paper[:2] == ["[image 576x48]", "[image 576x24]"]
    large = raster_to_image(decoded.images[0]).convert("L")
    left, _, right, _ = ImageOps.invert(large).getbbox()
    assert abs((left + right) / 2 - 288) <= 8           # centred on the paper
    assert 60 <= right - left <= 96                      # two double-size characters: 4 columns of 24 dots
    right_aligned = raster_to_image(decoded.images[1]).convert("L")
    assert ImageOps.invert(right_aligned).getbbox()[2] >= 570


def test_the_printer_font_decides_what_goes_as_text(fonts) -> None:
    """堃 is GBK but not GB2312: text on a GBK printer, an image on a GB2312 one."""
    gb2312 = ReceiptPrinterCapabilities(font_charset="gb2312")
    assert decode([Text("李堃")], cut=False).lines[0] == "李堃"
    assert decode([Text("李堃")], gb2312, cut=False).paper[0] == "[image 576x24]"
    assert decode([Text("李明")], gb2312, cut=False).lines[0] == "李明"
    with pytest.raises(ValueError, match="gb2312, gbk, gb18030"):
        encode_receipt(ReceiptLayout((Text("x"),)), ReceiptPrinterCapabilities(font_charset="big5"))


def test_without_qt_fonts_a_missing_character_prints_as_the_geta_mark(tmp_path: Path) -> None:
    """A process without a QGuiApplication cannot draw: 〓 (GB2312 A1FA) marks the missing character."""
    script = ("from devices.interfaces import ReceiptPrinterCapabilities\n"
              "from devices.receipt.escpos_decode import decode_escpos\n"
              "from devices.receipt.escpos_encoder import encode_receipt\n"
              "from devices.receipt.layout import KeyValue, ReceiptLayout\n"
              "data = encode_receipt(ReceiptLayout((KeyValue('姓名', '王䶮'),), cut=False), ReceiptPrinterCapabilities())\n"
              "print(decode_escpos(data).paper[0])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == "姓名" + " " * 40 + "王〓"


def test_characters_that_cannot_be_encoded_become_question_marks() -> None:
    assert decode([Text("A\ud800B")], cut=False).lines[0] == "A?B"  # a lone surrogate
    ascii_only = ReceiptPrinterCapabilities(chinese=False)
    decoded = decode([Text("张三 Zhang San"), KeyValue("姓名", "张三")], ascii_only, cut=False)
    assert decoded.lines[:2] == ["?? Zhang San", "??" + " " * 44 + "??"]
    assert CHINESE_MODE_ON not in encode_receipt(ReceiptLayout((Text("张三"),)), ascii_only)


# --- text never smuggles commands --------------------------------------------------------

def test_escape_and_control_bytes_in_every_text_field_are_neutralised() -> None:
    smuggled = "A\x1b@B\x1dV\x00C\x10\x04\x01D\x1c&E\x07\x7f\x9bF\u200bG\u202e"
    blocks = [Text(smuggled), KeyValue("K\x1bE\x01", "V\x1dV\x41\x03"), Rule("\x1b"),
              QrCode("PAY\x10\x04\x02LOAD", caption="cap\x1d!\x11tion")]
    data = encode_receipt(ReceiptLayout(tuple(blocks)), WIDE)
    decoded = decode_escpos(data)
    assert decoded.lines[:4] == ["A@BVCD&EFG", "KE" + " " * 43 + "VVA", "-" * 48, "cap!tion"]
    assert decoded.qr_payloads == ["PAYLOAD"]
    assert decoded.unknown == [] and decoded.status_requests == [] and decoded.cuts == 1
    assert decoded.initialisations == 1
    assert not any(prefix in data for prefix in REALTIME_PREFIXES)


def test_line_breaks_in_text_start_new_lines_and_tabs_become_spaces() -> None:
    decoded = decode([Text("第一行\n第二行\r\nline\tthree"), KeyValue("a\nb", "c")], cut=False)
    assert decoded.lines[:4] == ["第一行", "第二行", "line three", "a b" + " " * 44 + "c"]


def test_sanitize_text_keeps_printable_text_unchanged() -> None:
    assert sanitize_text("社会保险　Social Insurance ¥100") == "社会保险　Social Insurance ¥100"
    assert sanitize_text("no\u00a0break") == "no break"
    assert sanitize_text("no\u00a0break　全角", chinese=False) == "no break???"


# --- layout in columns ---------------------------------------------------------------------

def test_display_columns_count_chinese_as_two() -> None:
    assert display_columns("abc") == 3
    assert display_columns("社保卡") == 6
    assert display_columns("卡号 X0") == 7


def test_wrapping_breaks_chinese_anywhere_and_keeps_words_whole() -> None:
    assert wrap_to_columns("一二三四五六七八九十", 8) == ["一二三四", "五六七八", "九十"]
    assert wrap_to_columns("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert wrap_to_columns("网址 https://si.example.gov.cn/verify", 12) == [
        "网址", "https://si.e", "xample.gov.c", "n/verify"]
    assert wrap_to_columns("养老保险 pension", 9) == ["养老保险", "pension"]  # no leading space
    assert wrap_to_columns("中a", 2) == ["中", "a"]


@BOTH_WIDTHS
def test_key_value_fits_one_line_padded_to_the_full_width(caps) -> None:
    decoded = decode([KeyValue("姓名", "张三"), KeyValue("缴费月数 Months", "180")], caps, cut=False)
    columns = caps.columns
    assert decoded.lines[:2] == ["姓名" + " " * (columns - 8) + "张三",
                                 "缴费月数 Months" + " " * (columns - 18) + "180"]
    assert [display_columns(line) for line in decoded.lines[:2]] == [columns, columns]


@BOTH_WIDTHS
def test_key_value_too_long_wraps_within_the_columns(caps) -> None:
    columns = caps.columns
    address = "江苏省南京市玄武区中山路一百号社会保险事业管理中心第一服务大厅"  # 31 characters, 62 columns
    office = "南京市社保中心玄武分中心"  # 12 characters: with its label 37 columns
    decoded = decode([KeyValue("参保地", address), KeyValue("经办机构名称", office)], caps, cut=False)
    if columns == 48:
        expected = ["参保地", "  江苏省南京市玄武区中山路一百号社会保险事业管理", "  中心第一服务大厅",
                    "经办机构名称" + " " * 12 + office]
    else:
        expected = ["参保地", "  江苏省南京市玄武区中山路一百号", "  社会保险事业管理中心第一服务大", "  厅",
                    "经办机构名称", " " * 8 + office]
    assert decoded.lines[:len(expected)] == expected
    assert decoded.lines[len(expected):] == [""] * 4  # fed past the tear bar
    for line in decoded.lines:
        assert display_columns(line) <= columns, line


def test_key_value_lines_places_a_long_label_above_its_value() -> None:
    label = "一个非常非常非常长的标签文字"  # 14 characters, 28 columns
    assert key_value_lines(label, "12345", 32) == [label, " " * 27 + "12345"]
    assert key_value_lines("只有标签", "", 32) == ["只有标签"]


@BOTH_WIDTHS
def test_rules_span_the_full_width(caps) -> None:
    decoded = decode([Rule(), Rule("="), Rule("═")], caps, cut=False)
    assert decoded.lines[:3] == ["-" * caps.columns, "=" * caps.columns, "═" * (caps.columns // 2)]


@BOTH_WIDTHS
def test_large_text_wraps_at_half_the_columns(caps) -> None:
    title = "社会保险个人权益记录单打印凭条"  # 15 characters, 30 columns
    decoded = decode([Text(title, Align.CENTER, bold=True, large=True), Text("small")], caps, cut=False)
    half = caps.columns // 2
    large_lines = [line for line in decoded.styled_lines if line.double_width]
    assert "".join(line.text for line in large_lines) == title
    assert all(display_columns(line.text) <= half for line in large_lines)
    assert all(line.bold and line.double_height and line.align == "center" for line in large_lines)
    small = decoded.styled_lines[len(large_lines)]
    assert small.text == "small" and not small.double_width and not small.bold and small.align == "left"


def test_right_alignment_and_feeds() -> None:
    decoded = decode([Text("right", Align.RIGHT), Feed(3), Text("after")], cut=False)
    assert decoded.styled_lines[0].align == "right"
    assert decoded.lines[:5] == ["right", "", "", "", "after"]


# --- QR codes --------------------------------------------------------------------------

def test_native_qr_uses_model_2_error_correction_m_and_a_module_size_from_size_mm() -> None:
    decoded = decode([QrCode("KIOSK-PRINTER-TEST", size_mm=25), QrCode("KIOSK-PRINTER-TEST", size_mm=40),
                      QrCode("KIOSK-PRINTER-TEST", size_mm=3)])
    # 18 bytes need version 2: 25 modules + 8 quiet-zone modules; 25 mm is 200 dots.
    assert [code.module_dots for code in decoded.qr_codes] == [200 // 33, 320 // 33, 1]
    assert {(code.model, code.error_correction) for code in decoded.qr_codes} == {(2, "M")}
    assert decoded.unknown == []


def test_native_qr_payload_is_utf8_and_the_caption_is_centred() -> None:
    payload = "https://si.example.gov.cn/v?n=张三&c=8F3A"
    decoded = decode([QrCode(payload, caption="扫码验证")])
    assert decoded.qr_payloads == [payload]
    assert decoded.styled_lines[0].text == "扫码验证" and decoded.styled_lines[0].align == "center"


def test_native_qr_is_never_wider_than_the_paper() -> None:
    decoded = decode([QrCode("x" * 2000, size_mm=200)], NARROW)
    code = decoded.qr_codes[0]
    assert (177 + 8) * code.module_dots <= NARROW.dots_per_line


def test_native_qr_bytes_are_those_python_escpos_sends(monkeypatch, tmp_path) -> None:
    # python-escpos parses its capabilities database on import; keep its cache in tmp_path.
    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(tmp_path))
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    payload = "https://si.example.gov.cn/v?n=张三&c=8F3A"
    reference = Dummy()
    reference.qr(payload, ec=QR_ECLEVEL_M, size=7, native=True)
    assert native_qr_bytes(payload.encode("utf-8"), 7) == reference.output


def test_a_payload_too_long_for_any_qr_version_is_refused() -> None:
    with pytest.raises(ReceiptEncodingError):
        encode_receipt(ReceiptLayout((QrCode("x" * 2332),)), WIDE)


def test_the_byte_capacity_table_matches_the_qrcode_library() -> None:
    import qrcode

    def version_for(length: int) -> int:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(b"a" * length, optimize=0)
        return code.best_fit()

    for version, capacity in enumerate(QR_BYTE_CAPACITY_M, start=1):
        assert version_for(capacity) == version
        if version < 40:
            assert version_for(capacity + 1) == version + 1


@BOTH_WIDTHS
def test_raster_fallback_qr_decodes_with_zbarimg(caps, tmp_path) -> None:
    raster_caps = ReceiptPrinterCapabilities(width_mm=caps.width_mm, columns=caps.columns,
                                             dots_per_line=caps.dots_per_line, native_qr=False)
    payload = "https://si.example.gov.cn/verify?c=8F3A2C1D9B7E4F60&t=20261123"
    data = encode_receipt(ReceiptLayout((QrCode(payload, size_mm=30, caption="扫码验证"),)), raster_caps)
    decoded = decode_escpos(data)
    assert decoded.qr_codes == [] and len(decoded.images) == 1 and decoded.unknown == []
    image = decoded.images[0]
    assert image.width_dots <= caps.dots_per_line
    assert zbar_decode(image, tmp_path) == payload
    assert decoded.lines[0] == "扫码验证" and decoded.cuts == 1
    assert not any(prefix in data for prefix in REALTIME_PREFIXES)
    black_left, _, black_right, _ = ImageOps.invert(raster_to_image(image).convert("L")).getbbox()
    assert abs(black_left - (caps.dots_per_line - black_right)) <= 16  # centred, give or take the shift


# --- cut and feed ----------------------------------------------------------------------

def test_partial_cut_by_default_full_cut_on_request() -> None:
    layout = ReceiptLayout((Text("x"),))
    assert encode_receipt(layout, WIDE).endswith(b"\x1bd\x05" + PARTIAL_CUT)
    assert encode_receipt(layout, WIDE, full_cut=True).endswith(b"\x1bd\x05" + FULL_CUT)


def test_no_cut_without_a_cutter_or_when_the_layout_says_so() -> None:
    no_cutter = ReceiptPrinterCapabilities(cutter=False)
    for data in (encode_receipt(ReceiptLayout((Text("x"),)), no_cutter),
                 encode_receipt(ReceiptLayout((Text("x"),), cut=False), WIDE)):
        assert decode_escpos(data).cuts == 0
        assert data.endswith(b"\x1bd\x04")  # fed past the tear bar instead


def test_encoding_is_deterministic_and_starts_with_initialise() -> None:
    layout = build_test_page("p", WIDE)
    assert encode_receipt(layout, WIDE) == encode_receipt(layout, WIDE)
    assert encode_receipt(layout, WIDE).startswith(b"\x1b@")


# --- the decoder on bad input ----------------------------------------------------------

def test_decoder_reports_a_cut_off_stream_with_value_error_only() -> None:
    native = encode_receipt(build_test_page("p", WIDE), WIDE)
    raster = encode_receipt(build_test_page("p", WIDE), ReceiptPrinterCapabilities(native_qr=False))
    image_at = raster.index(b"\x1dv0")
    prefixes = [native[:end] for end in range(len(native))]
    prefixes += [raster[:end] for end in range(image_at, image_at + 12)] + [raster[:image_at + 500]]
    cut_off = 0
    for prefix in prefixes:
        try:
            decode_escpos(prefix)
        except ValueError as error:
            assert "ends inside" in str(error)
            cut_off += 1
    assert cut_off > 20  # every command and GB18030 character cut in half is noticed


def test_decoder_survives_random_junk() -> None:
    generator = random.Random(20261123)
    for _ in range(300):
        junk = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400)))
        try:
            decoded = decode_escpos(junk)
        except ValueError:
            continue
        assert isinstance(decoded.lines, list)


def test_decoder_collects_unknown_commands() -> None:
    decoded = decode_escpos(b"\x1b@\x1b\x99ab\n\x1dZ\x07\x10\x05\x02\x1d(L\x02\x0030")
    assert decoded.unknown == [b"\x1b\x99", b"\x1dZ", b"\x07", b"\x10\x05\x02", b"\x1d(L\x02\x0030"]
    assert decoded.lines[0] == "ab"


def test_raster_to_image_checks_the_size_and_keeps_black_dots_black() -> None:
    image = raster_to_image(RasterImage(16, 1, bytes((0xF0, 0x0F))))
    assert [image.getpixel((x, 0)) for x in (0, 3, 4, 11, 12, 15)] == [0, 0, 255, 255, 0, 0]
    with pytest.raises(ValueError):
        raster_to_image(RasterImage(16, 2, b"\x00"))


@pytest.fixture(autouse=True, scope="module")
def _zbarimg_is_installed() -> None:
    assert shutil.which("zbarimg"), "zbar-tools must be installed (zbarimg decodes raster QR codes)"


def test_our_command_bytes_are_those_of_python_escpos() -> None:
    """python-escpos is only a test dependency: an independent statement of the Epson command bytes."""
    from escpos import constants as reference

    from devices.receipt import escpos_commands as ours

    for name in ("DLE", "EOT", "ESC", "FS", "GS", "HW_INIT", "TXT_SIZE", "PAPER_FULL_CUT", "PAPER_PART_CUT",
                 "QR_MODEL_2", "QR_ECLEVEL_M"):
        assert getattr(ours, name) == getattr(reference, name), name
    assert (ours.BOLD_OFF, ours.BOLD_ON) == (reference.TXT_STYLE["bold"][False], reference.TXT_STYLE["bold"][True])
    assert (ours.ALIGN_LEFT, ours.ALIGN_CENTER, ours.ALIGN_RIGHT) == tuple(
        reference.TXT_STYLE["align"][side] for side in ("left", "center", "right"))
