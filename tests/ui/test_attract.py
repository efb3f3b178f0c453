"""Attract screen: texts, signals, sizes, contrast, plain text, clipping, glyphs."""

from __future__ import annotations

import math
import re

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.messages import all_texts
from ui.theme import contrast_ratio

RESOLUTIONS = [(1920, 1080), (1280, 1024)]

EXPECTED = {
    "zh": {
        "title_label": "社会保险自助服务",
        "insert_card_label": "请插入社会保障卡",
        "show_ecard_label": "或出示电子社保卡二维码",
        "hotline_label": "服务热线 12333",
        "scan_button": "扫描电子社保卡",
        "insert_help_button": "如何插卡",
        "language_button": "English",
        "elder_button": "适老模式",
        "repeat_button": "重复播报",
        "call_staff_button": "呼叫工作人员",
    },
    "en": {
        "title_label": "Social Insurance Self-Service",
        "insert_card_label": "Please insert your social security card",
        "show_ecard_label": "or show your electronic social security card QR code",
        "hotline_label": "Hotline 12333",
        "scan_button": "Scan e-card",
        "insert_help_button": "How to insert",
        "language_button": "中文",
        "elder_button": "Large text",
        "repeat_button": "Repeat",
        "call_staff_button": "Call staff",
    },
}

VARIANTS = [(size, lang, elder) for size in RESOLUTIONS for lang in ("zh", "en")
            for elder in (False, True)]
VARIANT_IDS = [f"{w}x{h}-{lang}-{'elder' if elder else 'normal'}" for (w, h), lang, elder in VARIANTS]


def visible(widgets):
    return [w for w in widgets if w.isVisibleTo(w.window())]


def rect_in(screen, widget) -> QRect:
    return QRect(widget.mapTo(screen, QPoint(0, 0)), widget.size())


# --- texts -------------------------------------------------------------------------------

def test_language_switch_changes_visible_texts(make_attract):
    screen = make_attract(language="zh")
    for lang in ("zh", "en", "zh"):
        screen.set_language(lang)
        assert screen.language() == lang
        for attr, text in EXPECTED[lang].items():
            assert getattr(screen, attr).text() == text, (lang, attr)


def test_speech_text_follows_language(make_attract, catalog):
    screen = make_attract()
    assert screen.speech_text() == catalog.text("attract.speech", "zh")
    assert "请插入社会保障卡" in screen.speech_text()
    screen.set_language("en")
    assert screen.speech_text() == catalog.text("attract.speech", "en")


def test_unsupported_language_is_rejected(make_attract):
    with pytest.raises(ValueError):
        make_attract().set_language("fr")


def test_buttons_have_accessible_names_in_current_language(make_attract):
    screen = make_attract()
    for lang in ("zh", "en"):
        screen.set_language(lang)
        for button in screen.findChildren(QAbstractButton):
            assert button.accessibleName().strip(), button.objectName()
        assert screen.call_staff_button.accessibleName() == EXPECTED[lang]["call_staff_button"]


# --- signals: the screen requests, it does not decide -----------------------------------

@pytest.mark.parametrize(("button", "signal", "args"), [
    ("scan_button", "scan_ecard_requested", []),
    ("insert_help_button", "insert_card_help_requested", []),
    ("language_button", "language_toggled", ["en"]),
    ("elder_button", "elder_mode_toggled", [True]),
    ("repeat_button", "repeat_speech_requested", []),
    ("call_staff_button", "call_staff_requested", []),
])
def test_buttons_emit_requests_on_release(qtbot, make_attract, button, signal, args):
    screen = make_attract()
    widget = getattr(screen, button)
    with qtbot.waitSignal(getattr(screen, signal), timeout=1000) as blocker:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    assert blocker.args == args
    # Nothing changed by itself: the controller decides.
    assert screen.language() == "zh" and screen.elder_mode() is False


def test_press_alone_does_not_fire(qtbot, make_attract):
    screen = make_attract()
    fired = []
    screen.call_staff_requested.connect(lambda: fired.append(1))
    qtbot.mousePress(screen.call_staff_button, Qt.MouseButton.LeftButton)
    assert fired == []
    qtbot.mouseRelease(screen.call_staff_button, Qt.MouseButton.LeftButton)
    assert fired == [1]


def test_double_tap_is_one_action(qtbot, make_attract):
    screen = make_attract()
    fired = []
    screen.scan_ecard_requested.connect(lambda: fired.append(1))
    qtbot.mouseClick(screen.scan_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.scan_button, Qt.MouseButton.LeftButton)
    assert fired == [1]


def test_toggle_requests_reflect_current_state(qtbot, make_attract):
    screen = make_attract(language="en", elder=True)
    with qtbot.waitSignal(screen.language_toggled) as lang:
        qtbot.mouseClick(screen.language_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.elder_mode_toggled) as elder:
        qtbot.mouseClick(screen.elder_button, Qt.MouseButton.LeftButton)
    assert lang.args == ["zh"] and elder.args == [False]


def test_keypad_only(qtbot, make_attract):
    screen = make_attract()
    screen.setFocus()
    assert screen.focusWidget() not in screen.buttons()  # no highlight for touch users
    qtbot.keyClick(screen, Qt.Key.Key_Down)  # first key lands on the main action
    assert screen.focusWidget() is screen.scan_button
    with qtbot.waitSignal(screen.scan_ecard_requested, timeout=1000):
        qtbot.keyClick(screen.scan_button, Qt.Key.Key_Return)
    qtbot.keyClick(screen.scan_button, Qt.Key.Key_Right)
    assert screen.focusWidget() is screen.language_button
    with qtbot.waitSignal(screen.language_toggled, timeout=1000):
        qtbot.keyClick(screen.language_button, Qt.Key.Key_Enter)


def test_elder_toggle_state_is_not_colour_only(make_attract):
    screen = make_attract()
    off_icon = screen.elder_button.icon().pixmap(32).toImage()
    off_desc = screen.elder_button.accessibleDescription()
    screen.set_elder_mode(True)
    assert screen.elder_button.is_active()
    assert screen.elder_button.icon().pixmap(32).toImage() != off_icon  # ticked box
    assert screen.elder_button.accessibleDescription() != off_desc


# --- sizes ---------------------------------------------------------------------------

def test_elder_mode_scales_fonts_and_targets(make_attract, theme):
    normal = make_attract(elder=False)
    elder = make_attract(elder=True)
    factor = theme.elder_scale
    pairs = [(getattr(normal, a), getattr(elder, a)) for a in EXPECTED["zh"]]
    for n, e in pairs:
        n_px, e_px = n.font().pixelSize(), e.font().pixelSize()
        assert n_px > 0 and e_px > 0
        assert abs(e_px - n_px * factor) <= 1.0, (n.objectName(), n_px, e_px)
    for n, e in zip(normal.buttons(), elder.buttons()):
        assert e.minimumHeight() >= math.floor(n.minimumHeight() * factor), n.objectName()
        assert e.height() >= n.height() * factor * 0.95, n.objectName()
    assert theme.min_target_px(True) == math.ceil(theme.min_target_px(False) * factor)


def test_body_text_cap_height_at_least_4_8_mm(theme):
    font = QFont(theme.font_family)
    font.setPixelSize(theme.font_px("body"))
    cap_mm = QFontMetricsF(font).capHeight() * theme.mm_per_pixel
    assert cap_mm >= 4.8, cap_mm


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_targets_at_least_12mm_with_2mm_spacing(make_attract, theme, size, lang, elder):
    screen = make_attract(size=size, language=lang, elder=elder)
    buttons = visible(screen.findChildren(QAbstractButton))
    assert len(buttons) == 6
    mpp = theme.mm_per_pixel
    for b in buttons:
        assert b.width() * mpp >= theme.min_target_mm, (b.objectName(), b.width())
        assert b.height() * mpp >= theme.min_target_mm, (b.objectName(), b.height())
    rects = [rect_in(screen, b) for b in buttons]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            dx = max(b.left() - a.right() - 1, a.left() - b.right() - 1, 0)
            dy = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1, 0)
            assert max(dx, dy) * mpp >= theme.target_spacing_mm, (a, b)


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_nothing_is_clipped(make_attract, size, lang, elder):
    screen = make_attract(size=size, language=lang, elder=elder)
    assert_not_clipped(screen, size)


@pytest.mark.parametrize("size", RESOLUTIONS, ids=[f"{w}x{h}" for w, h in RESOLUTIONS])
def test_switching_while_shown_re_renders_without_clipping(qapp, make_attract, size):
    screen = make_attract(size=size)
    for lang, elder in [("en", False), ("en", True), ("zh", True), ("zh", False), ("en", True)]:
        screen.set_language(lang)
        screen.set_elder_mode(elder)
        screen.layout().activate()
        qapp.processEvents()
        assert screen.title_label.text() == EXPECTED[lang]["title_label"]
        assert_not_clipped(screen, size)


def assert_not_clipped(screen, size) -> None:
    assert (screen.width(), screen.height()) == size  # content fits the panel
    bounds = screen.rect()
    for label in visible(screen.findChildren(QLabel)):
        name = label.objectName()
        inner = label.contentsRect()
        if label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height(), (name, label.text())
            # Latin words cannot break inside; CJK text can break between any two glyphs.
            metrics = QFontMetrics(label.font())
            for word in re.findall(r"[A-Za-z0-9\-']+", label.text()):
                assert metrics.horizontalAdvance(word) <= inner.width(), (name, word)
        else:
            hint = label.sizeHint()
            assert hint.width() <= label.width() and hint.height() <= label.height(), (name, hint)
        assert bounds.contains(rect_in(screen, label)), name
    for button in visible(screen.findChildren(QAbstractButton)):
        hint = button.sizeHint()
        assert hint.width() <= button.width(), (button.objectName(), hint, button.size())
        assert hint.height() <= button.height(), (button.objectName(), hint, button.size())
        assert bounds.contains(rect_in(screen, button)), button.objectName()


# --- contrast, plain text, glyphs ---------------------------------------------------------

def test_contrast_ratio_formula():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#0A4A8F", "#0A4A8F") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_theme_contrast(theme):
    pairs = theme.contrast_pairs()
    assert len(pairs) >= 15
    for pair in pairs:
        assert pair.ratio >= pair.required, (pair.name, round(pair.ratio, 2))
        assert pair.required >= 3.0
    assert theme.contrast_problems() == []
    text_pairs = [p for p in pairs if "text" in p.name and "edge" not in p.name]
    assert all(p.ratio >= 4.5 for p in text_pairs if p.required == 4.5)


def test_all_labels_are_plain_text(make_attract):
    screen = make_attract()
    labels = screen.findChildren(QLabel)
    assert len(labels) >= 5
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


def test_branding_markup_is_shown_literally(make_attract, theme):
    evil = "<b>x</b><img src=x>"
    screen = make_attract(branding=evil)
    brand = screen.brand_label
    assert brand.text() == evil
    assert brand.textFormat() == Qt.TextFormat.PlainText
    # Plain text occupies the width of all 19 literal characters, not one bold "x".
    assert brand.sizeHint().width() >= QFontMetrics(brand.font()).horizontalAdvance(evil)


def test_every_catalogue_glyph_is_in_the_cjk_font(make_attract, catalog, theme):
    screen = make_attract()
    font = QFont(theme.font_family)
    assert QFontInfo(font).family() == theme.font_family  # no silent fallback
    assert QFontInfo(screen.title_label.font()).family() == theme.font_family
    metrics = QFontMetrics(font)
    missing = {ch for text in all_texts(catalog) for ch in text
               if not ch.isspace() and not metrics.inFontUcs4(ord(ch))}
    assert missing == set()
