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
