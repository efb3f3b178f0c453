"""The certificate PDF read back by real tools: pdftotext for the text, pdftoppm + zbarimg for the QR.

Nothing is mocked except the one fault root cannot meet for real (a directory without
write permission); timings are not asserted here (the benchmark reports them).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from devices.document import certificate_pdf
from devices.document.certificate_pdf import ensure_gui_application, render_pdf, render_pdf_bytes
from devices.document.layout import A4Document, Table, sample_certificate

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "zbarimg")


@pytest.fixture(autouse=True)
def gui_application(qapp):
    """pytest-qt's QApplication: one created here as a bare QGuiApplication would break later widget tests."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"install poppler-utils and zbar-tools: {missing} not found"
    return qapp


def test_ensure_gui_application_returns_the_running_application(qapp) -> None:
    assert ensure_gui_application() is qapp


def test_without_a_display_a_command_line_tool_gets_an_offscreen_application(tmp_path: Path) -> None:
    """What `kiosk diag print-certificate-sample` meets on a headless kiosk: no app, no DISPLAY."""
    script = ("import os, sys; from pathlib import Path\n"
              "from devices.document.certificate_pdf import ensure_gui_application, render_pdf\n"
              "from devices.document.layout import sample_certificate\n"
              "app = ensure_gui_application()\n"
              "pages = render_pdf(sample_certificate(), Path(sys.argv[1]))\n"
              "print(type(app).__name__, os.environ['QT_QPA_PLATFORM'], pages)\n")
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    path = tmp_path / "cli.pdf"
    completed = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                               env=environment, cwd=Path(__file__).resolve().parents[3], timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["QGuiApplication", "offscreen", "1"]
    assert squeeze(sample_certificate().title) in squeeze(pdf_text(path))


def many_rows_certificate(months: int = 24) -> A4Document:
    """The sample with a month-by-month table long enough to need a second page."""
    rows = tuple((f"{2024 + index // 12}-{index % 12 + 1:02d}", "样例科技有限公司", "8,500.00", "680.00", "已到账")
                 for index in range(months))
    monthly = Table("缴费明细（按月）", ("缴费年月", "缴费单位", "缴费基数", "个人缴费", "到账状态"), rows)
    return dataclasses.replace(sample_certificate(), tables=sample_certificate().tables[:1] + (monthly,))


def pdf_text(path: Path, *pages: int) -> str:
    page_range = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", "-layout", *page_range, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def squeeze(text: str) -> str:
    """Without whitespace: pdftotext spaces columns and wraps paragraphs its own way."""
    return re.sub(r"\s+", "", text)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def decode_qr(path: Path, page: int, tmp_path: Path) -> str:
    prefix = tmp_path / f"page-{page}"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(prefix)], check=True)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f"{prefix}.png"],
                             capture_output=True, text=True)
    assert decoded.returncode == 0, f"zbarimg found no QR code on page {page}: {decoded.stderr}"
    return decoded.stdout.rstrip("\n")


def test_every_line_of_the_sample_is_in_the_pdf_text(tmp_path: Path) -> None:
    document = sample_certificate()
    path = tmp_path / "sample.pdf"
    assert render_pdf(document, path) == 1
    assert page_count(path) == 1
    text = squeeze(pdf_text(path))
    missing = [line for line in document.text_lines() if squeeze(line) not in text]
    assert missing == []
    assert "第1页/共1页" in text


def test_text_copies_out_as_the_characters_drawn(tmp_path: Path) -> None:
    """Qt maps a glyph to the lowest code point sharing it (月 -> KANGXI RADICAL MOON); the renderer repairs that."""
    path = tmp_path / "sample.pdf"
    render_pdf(sample_certificate(), path)
    text = pdf_text(path)
    radicals = sorted({char for char in text if 0x2E80 <= ord(char) <= 0x2FDF})
    assert radicals == []
    assert "\t" not in text
    assert "月" in text and "页" in text and "人" in text
    assert "Certificate" in text  # no "fi" ligature glyph


def test_the_qr_code_decodes_to_the_payload(tmp_path: Path) -> None:
    document = sample_certificate()
    path = tmp_path / "sample.pdf"
    render_pdf(document, path)
    assert decode_qr(path, 1, tmp_path) == document.qr_payload


def test_a_long_table_continues_on_a_second_page_with_its_header(tmp_path: Path) -> None:
    document = many_rows_certificate()
    path = tmp_path / "long.pdf"
    assert render_pdf(document, path) == 2
    assert page_count(path) == 2
    whole = squeeze(pdf_text(path))
    assert [line for line in document.text_lines() if squeeze(line) not in whole] == []
    first, second = squeeze(pdf_text(path, 1)), squeeze(pdf_text(path, 2))
    header = squeeze(" ".join(document.tables[1].columns))
    assert header in first and header in second
    assert "缴费明细（按月）（续）" in second
    assert "第1页/共2页" in first and "第2页/共2页" in second
    # Every row exactly once, and the number and the notes on both pages.
    for row in document.tables[1].rows:
        assert whole.count(squeeze(" ".join(row))) == 1, row
    for page_text in (first, second):
        assert squeeze(document.number) in page_text
        assert squeeze(document.notes[0]) in page_text
    assert decode_qr(path, 2, tmp_path) == document.qr_payload


def test_markup_in_the_content_is_printed_literally(tmp_path: Path) -> None:
    document = dataclasses.replace(sample_certificate(), title="<b>x</b> & <i>证明</i>",
                                   fields=(("姓名", "<i>张三</i>&amp;"),))
    path = tmp_path / "markup.pdf"
    render_pdf(document, path)
    text = pdf_text(path)
    assert "<b>x</b> & <i>证明</i>" in text
    assert "<i>张三</i>&amp;" in text


def test_long_unbroken_values_wrap_inside_their_cell(tmp_path: Path) -> None:
    """A value wider than its cell breaks onto more lines instead of running over the next column."""
    code = "X" * 120
    document = dataclasses.replace(sample_certificate(), fields=(("个人编号", code), ("姓名", "样*")))
    path = tmp_path / "wrapped.pdf"
    render_pdf(document, path)
    words = word_boxes(path)
    pieces = [box for box in words if set(box.text) == {"X"}]
    assert sum(len(box.text) for box in pieces) == len(code)
    assert len({round(box.y_min) for box in pieces}) > 1   # more than one line
    label = next(box for box in words if box.text == "姓名")
    # Still inside the first value cell: left of the second pair's label cell.
    assert max(box.x_max for box in pieces) < label.x_min


@dataclasses.dataclass(frozen=True)
class WordBox:
    text: str
    x_min: float
    y_min: float
    x_max: float


def word_boxes(path: Path, page: int = 1) -> list[WordBox]:
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [WordBox(text, float(x_min), float(y_min), float(x_max)) for x_min, y_min, x_max, text in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)]


def test_metadata_holds_the_title_and_creator_only(tmp_path: Path) -> None:
    document = sample_certificate()
    path = tmp_path / "sample.pdf"
    render_pdf(document, path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+社会保险参保证明（样张）$", info, re.M)
    assert re.search(r"^Creator:\s+si-kiosk$", info, re.M)
    assert re.search(r"^Author:\s*$", info, re.M)
    raw = path.read_bytes()
    info_dictionary = raw[raw.index(b"/Title"):raw.index(b"endobj")]
    xmp = raw[raw.index(b"<?xpacket begin"):raw.index(b"<?xpacket end")].decode("utf-8")
    for label, value in document.fields:
        for metadata in (info_dictionary, xmp.encode("utf-8")):
            assert value.encode("utf-16-be") not in metadata and value.encode("utf-8") not in metadata, label
    assert document.title in xmp and "SAMPLE-0000" not in xmp


def test_rendering_on_a_worker_thread(tmp_path: Path) -> None:
    from PySide6.QtCore import qInstallMessageHandler

    messages: list[str] = []
    previous = qInstallMessageHandler(lambda _mode, _context, message: messages.append(message))
    results: dict[int, tuple[bytes, int]] = {}
    errors: list[BaseException] = []

    def render(index: int) -> None:
        try:
            results[index] = render_pdf_bytes(sample_certificate())
        except BaseException as error:  # reported in the test thread
            errors.append(error)

    try:
        workers = [threading.Thread(target=render, args=(index,)) for index in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
    finally:
        qInstallMessageHandler(previous)
    assert errors == []
    assert sorted(results) == [0, 1, 2]
    assert messages == []  # no "not safe outside the GUI thread" warnings
    for index, (data, pages) in results.items():
        path = tmp_path / f"worker-{index}.pdf"
        path.write_bytes(data)
        assert pages == 1
        assert squeeze(sample_certificate().title) in squeeze(pdf_text(path))


def test_no_application_off_the_main_thread_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault: pretend no application exists yet (one does, for the other tests).
    monkeypatch.setattr(certificate_pdf.QCoreApplication, "instance", staticmethod(lambda: None))
    outcome: list[BaseException] = []
    worker = threading.Thread(target=lambda: outcome.append(_capture(ensure_gui_application)))
    worker.start()
    worker.join(10)
    assert isinstance(outcome[0], certificate_pdf.GuiApplicationMissingError)
    assert "main thread" in str(outcome[0])


def _capture(function) -> BaseException | None:
    try:
        function()
    except BaseException as error:
        return error
    return None


def test_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault: a system without fonts-noto-cjk.
    monkeypatch.setattr(certificate_pdf.QFontDatabase, "families",
                        staticmethod(lambda *args: ["DejaVu Sans"]))
    with pytest.raises(certificate_pdf.CjkFontMissingError, match="fonts-noto-cjk"):
        render_pdf_bytes(sample_certificate())
    assert "fonts-noto-cjk" in certificate_pdf.missing_cjk_font()


def test_a_qr_payload_too_long_for_a_qr_code_is_rejected() -> None:
    document = dataclasses.replace(sample_certificate(), qr_payload="x" * 5000)
    with pytest.raises(ValueError, match="QR payload"):
        render_pdf_bytes(document)


@pytest.mark.parametrize("case", ["missing_directory", "parent_is_a_file", "full_device"])
def test_an_unwritable_destination_raises_a_typed_os_error(tmp_path: Path, case: str) -> None:
    if case == "missing_directory":
        target, expected = tmp_path / "absent" / "x.pdf", FileNotFoundError
    elif case == "parent_is_a_file":
        (tmp_path / "file").write_text("not a directory")
        target, expected = tmp_path / "file" / "x.pdf", NotADirectoryError
    else:
        if not Path("/dev/full").exists():
            pytest.skip("/dev/full is missing in this container")
        target, expected = Path("/dev/full"), OSError
    with pytest.raises(expected) as raised:
        render_pdf(sample_certificate(), target)
    if case == "full_device":
        assert raised.value.errno == errno.ENOSPC


def test_a_directory_without_write_permission_raises_permission_error(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:
        # Root ignores mode bits: inject the EACCES the kernel gives the kiosk's own user.
        real_open = open

        def open_denied(path, mode="r", *args, **kwargs):
            if Path(path).parent == locked and "w" in mode:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, mode, *args, **kwargs)

        monkeypatch.setattr(certificate_pdf, "open", open_denied, raising=False)
    try:
        with pytest.raises(PermissionError):
            render_pdf(sample_certificate(), locked / "x.pdf")
    finally:
        locked.chmod(0o700)
    assert not (locked / "x.pdf").exists()


def test_a_document_with_only_a_title_renders(tmp_path: Path) -> None:
    path = tmp_path / "bare.pdf"
    assert render_pdf(A4Document(title="参保证明"), path) == 1
    assert squeeze(pdf_text(path)) == "参保证明第1页/共1页"


# --- one page when it fits; the closing block never parted; the seal ---------------------------

INSURANCE = ("职工基本养老保险", "职工基本医疗保险", "失业保险", "工伤保险", "生育保险")
DPI = 150


def certificate_like(employers: int, name: str = "王䶮") -> A4Document:
    """Laid out as the kiosk's 参保证明 (kiosk/documents.py): five insurance rows, then one row per employer and the total."""
    insurance = Table("参保情况", ("险种", "参保状态", "首次参保", "累计缴费月数"),
                      tuple((kind, "参保缴费", "2006-07", "244") for kind in INSURANCE))
    rows = tuple((f"南京金陵软件科技有限公司{index + 1}", "2015-01 至 2026-10", "142", "6,119.00")
                 for index in range(employers)) + (("合计", "", str(142 * employers), ""),)
    return A4Document(
        title="南京市社会保险个人参保证明", subtitle="Certificate of Social Insurance Contributions",
        number="证明编号 NJ-20261123-000123",
        fields=(("姓名", name), ("社会保障号码", "3201**********1238"), ("个人编号", "32010000123"),
                ("证明期间", "2015-01 至 2026-10")),
        tables=(insurance, Table("缴费情况", ("单位", "起止年月", "月数", "缴费基数（元）"), rows)),
        statement="兹证明上述人员在2015年01月至2026年10月期间参加社会保险及缴费的情况如上表所列。"
                  "本证明由社会保险自助服务终端打印，真伪以扫码或验证码核验结果为准。",
        issuer="南京市社会保险管理中心", issue_date="2026年11月23日", verification_code="7KQ2MX9P",
        qr_payload="https://si.example.invalid/v1/certificates/NJ-20261123-000123?code=7KQ2MX9P",
        qr_caption="扫码或输入验证码核验真伪",
        notes=("本证明有效期至 2027年02月23日，可扫码或凭验证码核验。",
               "Valid until 2027-02-23. Verify by scanning the QR code or entering the verification code.",
               "社会保障号码已作部分隐藏处理。"))


def page_image(path: Path, page: int, tmp_path: Path):
    from PIL import Image

    prefix = tmp_path / f"look-{path.stem}-{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(prefix)], check=True)
    return Image.open(f"{prefix}.png").convert("RGB")


def seal_red(pixel: tuple[int, int, int]) -> bool:
    red, green, blue = pixel
    return red > 150 and green < 120 and blue < 120


def red_pixels(image) -> list[tuple[int, int]]:
    width = image.width
    data = image.tobytes()
    return [(index % width, index // width) for index in range(width * image.height)
            if seal_red(tuple(data[3 * index:3 * index + 3]))]


def test_a_three_row_certificate_stays_on_one_page(tmp_path: Path) -> None:
    """Two employers and the total: the statement, QR and seal fit under the tables, so one page."""
    document = certificate_like(employers=2)
    path = tmp_path / "three-rows.pdf"
    assert render_pdf(document, path) == 1
    assert page_count(path) == 1
    text = squeeze(pdf_text(path))
    assert [line for line in document.text_lines() if squeeze(line) not in text] == []
    assert "第1页/共1页" in text and "王䶮" in text
    assert decode_qr(path, 1, tmp_path) == document.qr_payload
    assert red_pixels(page_image(path, 1, tmp_path))  # the seal


@pytest.mark.parametrize("employers", [3, 5, 8, 13, 20, 30, 45])
def test_statement_qr_and_seal_are_never_parted(tmp_path: Path, employers: int) -> None:
    document = certificate_like(employers)
    path = tmp_path / f"rows-{employers}.pdf"
    pages = render_pdf(document, path)
    assert page_count(path) == pages
    whole = squeeze(pdf_text(path))
    assert [line for line in document.text_lines() if squeeze(line) not in whole] == []
    statement = squeeze(document.statement)
    on = [page for page in range(1, pages + 1) if statement in squeeze(pdf_text(path, page))]
    assert len(on) == 1, "the statement is split or repeated"
    closing = on[0]
    closing_text = squeeze(pdf_text(path, closing))
    for part in (document.verification_code, document.issuer, document.issue_date, document.qr_caption):
        assert squeeze(part) in closing_text
    assert decode_qr(path, closing, tmp_path) == document.qr_payload
    for page in range(1, pages + 1):
        assert bool(red_pixels(page_image(path, page, tmp_path))) == (page == closing), page
    # Every row exactly once, and the closing block is on the last page.
    assert closing == pages
    for row in document.tables[1].rows:
        assert whole.count(squeeze(" ".join(row))) == 1, row


def horizontal_rules(image) -> list[int]:
    """Rows of the page image that are mostly dark: table borders and the footer rule."""
    width, data = image.width, image.tobytes()
    rules = []
    for y in range(image.height):
        row = data[3 * y * width:3 * (y + 1) * width]
        if sum(1 for x in range(width) if max(row[3 * x:3 * x + 3]) < 140) > width * 0.6:
            if not rules or y - rules[-1] > 2:
                rules.append(y)
    return rules


@pytest.mark.parametrize(("employers", "rows_carried"), [(4, False), (6, True)])
def test_a_closing_block_moves_only_when_it_does_not_fit(tmp_path: Path, employers: int, rows_carried: bool) -> None:
    """The block opens page 2 only when the room left on page 1 is less than its height.

    Carrying the table's last two rows along (so the statement follows the table it speaks
    of) is done only while the hole it leaves on page 1 stays within the block's own height:
    with four employers it would not, so page 2 starts with the statement.
    """
    document = certificate_like(employers)
    path = tmp_path / "moved.pdf"
    assert render_pdf(document, path) == 2
    first = page_image(path, 1, tmp_path)
    rules = horizontal_rules(first)
    px_per_mm = DPI / 25.4
    # Room the block had: last table border to the footer rule, less the table gap (5 mm) and the reserve (3 mm).
    room_mm = (rules[-1] - rules[-2]) / px_per_mm - 8.0
    second = page_image(path, 2, tmp_path)
    seal_bottom = max(y for _, y in red_pixels(second))
    statement_top = min(box.y_min for box in word_boxes(path, 2) if box.text.startswith("兹证明")) * DPI / 72
    block_mm = (seal_bottom - statement_top) / px_per_mm
    assert room_mm < block_mm, (room_mm, block_mm)
    text = squeeze(pdf_text(path, 2))
    if rows_carried:
        assert text.index("缴费情况（续）") < text.index(squeeze(document.statement))
    else:
        assert "（续）" not in text and text.index(squeeze(document.statement)) < text.index("验证码")
        assert room_mm + 2 * 8.0 > block_mm - 1.0   # two more rows of about 8 mm would have made the hole bigger


def test_a_statement_longer_than_a_page_flows_and_keeps_its_end_with_the_signature(tmp_path: Path) -> None:
    statement = "兹证明上述人员参加社会保险的情况如上表所列。" * 120
    document = dataclasses.replace(certificate_like(employers=1), statement=statement)
    path = tmp_path / "long-statement.pdf"
    pages = render_pdf(document, path)
    assert pages >= 3
    whole = squeeze(pdf_text(path))   # page furniture comes between the pages' parts of the statement
    assert whole.count("兹证明上述人员参加社会保险的情况如上表所列。") >= 120 - (pages - 1)
    assert decode_qr(path, pages, tmp_path) == document.qr_payload
    assert "兹证明" in pdf_text(path, pages)   # the signature is not alone on its page


@pytest.mark.parametrize("office", ["南京社保中心", "南京市社会保险管理中心",
                                    "江苏省南京市江宁区人力资源和社会保障局社会保险事业管理中心第一分中心"])
def test_every_character_of_the_seal_lies_inside_its_ring(office: str) -> None:
    from devices.document.seal import seal_layout

    layout = seal_layout(office, "业务专用章", 19.0)
    assert "".join(glyph.char for glyph in layout.name) == office
    assert "".join(glyph.char for glyph in layout.purpose) == "业务专用章"
    for glyph in layout.name + layout.purpose:
        for x, y in glyph.corners():
            assert (x * x + y * y) ** 0.5 < layout.inner_radius, (glyph.char, x, y)
    # Along the upper arc, left to right, each character's top facing the ring, symmetric about the top.
    first, last = layout.name[0], layout.name[-1]
    assert first.x < 0 < last.x and abs(first.x + last.x) < 1e-6 and abs(first.y - last.y) < 1e-6
    assert all(glyph.y < layout.radius * 0.5 for glyph in layout.name)
    middle = layout.name[len(layout.name) // 2]
    assert abs(middle.rotation_degrees) <= 360 / len(office)
    assert all(glyph.y > layout.star_radius for glyph in layout.purpose)


def test_the_seal_holds_the_office_name_inside_its_ring_and_no_text_crosses_it(tmp_path: Path) -> None:
    """Rendered: the red of the seal is one 38 mm circle, its name is red inside the ring, and no black text enters it."""
    document = dataclasses.replace(certificate_like(employers=2), tables=())   # one page, whatever the layout
    path = tmp_path / "seal.pdf"
    assert render_pdf(document, path) == 1
    image = page_image(path, 1, tmp_path)
    red = red_pixels(image)
    xs, ys = [x for x, _ in red], [y for _, y in red]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    diameter_mm = (right - left) * 25.4 / DPI
    assert abs(diameter_mm - 38.0) < 1.5 and abs((bottom - top) - (right - left)) <= 3
    centre_x, centre_y, radius = (left + right) / 2, (top + bottom) / 2, (right - left) / 2
    assert all((x - centre_x) ** 2 + (y - centre_y) ** 2 <= (radius + 1.5) ** 2 for x, y in red)
    # The name: red between the star and the ring in the upper half (not just a ring and a star).
    name_band = [(x, y) for x, y in red if y < centre_y - 0.2 * radius and
                 0.55 * radius < ((x - centre_x) ** 2 + (y - centre_y) ** 2) ** 0.5 < 0.85 * radius]
    assert len(name_band) > 800
    # No dark (black or grey) ink anywhere inside the ring's circle: the issuer's line stays beside it.
    data = image.tobytes()
    dark_inside = 0
    for y in range(int(top), int(bottom) + 1):
        for x in range(int(left), int(right) + 1):
            if (x - centre_x) ** 2 + (y - centre_y) ** 2 <= radius ** 2:
                r, g, b = data[3 * (y * image.width + x):3 * (y * image.width + x) + 3]
                dark_inside += max(r, g, b) < 110
    assert dark_inside == 0
    image.crop((int(left) - 300, int(top) - 20, int(right) + 20, int(bottom) + 20)).save(tmp_path / "seal.png")


def test_a_configured_seal_image_replaces_the_drawn_seal(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    seal = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((10, 10, 390, 390), outline=(20, 60, 200, 255), width=24)
    seal_path = tmp_path / "office-seal.png"
    seal.save(seal_path)
    document = dataclasses.replace(certificate_like(employers=2), seal_image=str(seal_path))
    path = tmp_path / "seal-image.pdf"
    assert render_pdf(document, path) == 1
    image = page_image(path, 1, tmp_path)
    data = image.tobytes()
    blue = sum(1 for index in range(0, len(data), 3) if data[index + 2] > 150 and data[index] < 100)
    assert blue > 1000 and red_pixels(image) == []
    with pytest.raises(ValueError, match="seal image"):
        render_pdf_bytes(dataclasses.replace(document, seal_image=str(tmp_path / "missing.png")))


@pytest.mark.parametrize("name", ["王䶮", "张㐀\u9fb4"])
def test_a_rare_name_character_is_drawn_and_copies_out(tmp_path: Path, name: str) -> None:
    """䶮 (U+4DAE) and 㐀 (U+3400) are outside GBK; U+9FB4 is one of GB 18030-2022's remapped characters."""
    path = tmp_path / "rare.pdf"
    render_pdf(certificate_like(employers=2, name=name), path)
    assert name in pdf_text(path)
