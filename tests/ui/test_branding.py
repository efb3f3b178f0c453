"""Branding on screen: the profile's logo and colour in the headers, without breaking the fit.

The attract screen and a flow screen (the menu) are built with each branded profile's
theme (`ui.theme.brand_theme`) and checked at both panel sizes, in both languages and
in elder mode; a logo that cannot be decoded at run time leaves the name alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from kiosk.config import load_settings
from kiosk.flow_state import FlowState, Screen, ServiceTile
from tests.ui.conftest import lay_out
from tests.ui.screen_checks import clipped_widgets, rich_text_labels, small_targets
from tests.ui.test_screens_identify import citizen
from ui.screens.attract import AttractScreen
from ui.screens.base import BrandLogo
from ui.screens.menu import MenuScreen
from ui.screenshots import render_widget_png
from ui.theme import Theme, brand_theme

PROFILES = ("service_hall", "bank_branch")
SIZES = [(1920, 1080), (1280, 1024)]
VARIANTS = [(size, lang, elder) for size in SIZES for lang in ("zh", "en") for elder in (False, True)]
VARIANT_IDS = [f"{w}x{h}-{lang}-{'elder' if elder else 'normal'}" for (w, h), lang, elder in VARIANTS]
SHOTS = Path("/tmp/branding-shots")


def branding(settings, language: str) -> str:
    return settings.ui.branding_en if language == "en" else settings.ui.branding_zh


def menu_state(settings, language: str = "zh", elder: bool = False) -> FlowState:
    tiles = tuple(ServiceTile(name, True) for name in settings.services.enabled)
    return FlowState(screen=Screen.MENU, language=language, elder_mode=elder, citizen=citizen(), menu=tiles,
                     session_active=True, identified_by="card")


def rect_in(root, widget) -> QRect:
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())


@pytest.fixture(params=PROFILES)
def profile(request):
    settings = load_settings(request.param)
    return settings, brand_theme(settings)


@pytest.fixture
def attract(qtbot, catalog):
    def make(settings, theme: Theme, size=(1920, 1080), language: str = "zh", elder: bool = False):
        screen = AttractScreen(catalog, theme, branding(settings, language))
        qtbot.addWidget(screen)
        screen.set_language(language)
        screen.set_elder_mode(elder)
        lay_out(screen, size)
        return screen

    return make


@pytest.fixture
def menu(qtbot, catalog):
    def make(settings, theme: Theme, size=(1920, 1080), language: str = "zh", elder: bool = False):
        screen = MenuScreen(catalog, theme)
        qtbot.addWidget(screen)
        lay_out(screen, size)
        screen.render(menu_state(settings, language, elder), branding(settings, language))
        QApplication.processEvents()
        return screen

    return make


def assert_logo_shown(screen, theme: Theme, elder: bool) -> None:
    logo = screen.findChild(BrandLogo, "brand_logo")
    assert logo is screen.brand_logo
    assert logo.isVisibleTo(screen)
    pixmap = logo.pixmap()
    assert not pixmap.isNull()
    assert logo.height() == theme.logo_px(elder)
    # Drawn for the screen's pixel ratio, so it is crisp rather than upscaled.
    assert pixmap.devicePixelRatio() == pytest.approx(logo.devicePixelRatioF())
    assert pixmap.height() == round(theme.logo_px(elder) * pixmap.devicePixelRatio())
    # In the header, before the name, and not taller than the header.
    header = screen._header
    assert header.geometry().contains(rect_in(screen, logo))
    assert rect_in(screen, logo).right() < rect_in(screen, screen.brand_label).left()


# --- logo and colour ------------------------------------------------------------------------

def test_attract_shows_the_profile_logo_and_colour(attract, profile):
    settings, theme = profile
    screen = attract(settings, theme)
    assert_logo_shown(screen, theme, elder=False)
    assert screen.brand_label.text() == settings.ui.branding_zh
    assert f"background: {theme.primary}" in screen.styleSheet()
    assert settings.ui.colours.primary.upper() in screen.styleSheet()


def test_menu_shows_the_profile_logo_and_colour(menu, profile):
    settings, theme = profile
    screen = menu(settings, theme, language="en")
    assert_logo_shown(screen, theme, elder=False)
    assert screen.brand_label.text() == settings.ui.branding_en
    assert settings.ui.colours.primary.upper() in screen.styleSheet()


def test_bank_colour_replaces_the_default_blue(menu):
    settings = load_settings("bank_branch")
    screen = menu(settings, brand_theme(settings))
    assert "#00695C" in screen.styleSheet()
    assert Theme().primary not in screen.styleSheet()


def test_logo_grows_with_elder_mode_and_shrinks_back(attract, menu, profile):
    settings, theme = profile
    screen = attract(settings, theme, elder=True)
    assert_logo_shown(screen, theme, elder=True)
    screen.set_elder_mode(False)
    assert screen.brand_logo.height() == theme.logo_px(False) < theme.logo_px(True)
    flow = menu(settings, theme, elder=True)
    assert_logo_shown(flow, theme, elder=True)
    flow.render(menu_state(settings, elder=False), branding(settings, "zh"))
    assert flow.brand_logo.height() == theme.logo_px(False)


def test_the_logo_is_painted_on_the_header(attract, profile):
    settings, theme = profile
    screen = attract(settings, theme)
    image = screen.grab().toImage()
    area = rect_in(screen, screen.brand_logo)
    colours = {image.pixelColor(x, y).name().upper() for x in range(area.left(), area.right(), 3)
               for y in range(area.top(), area.bottom(), 3)}
    assert "#FFFFFF" in colours                     # the logo's white badge
    assert theme.primary in colours                 # its mark in the brand colour
    beside = image.pixelColor(area.left() - 8, area.center().y())
    assert beside == QColor(theme.primary)          # the header around it


def test_without_a_logo_the_header_shows_the_name_alone(attract, menu, catalog):
    settings = load_settings("demo")
    theme = brand_theme(settings)
    assert theme.logo_path == ""
    for screen in (attract(settings, theme), menu(settings, theme)):
        assert not screen.brand_logo.isVisibleTo(screen)
        assert screen.brand_label.isVisibleTo(screen)


# --- fit at every panel, language and mode ----------------------------------------------------

@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_branded_attract_fits(attract, profile, size, lang, elder):
    settings, theme = profile
    screen = attract(settings, theme, size, lang, elder)
    assert screen.size() == QSize(*size)
    assert clipped_widgets(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert rich_text_labels(screen) == []
    assert_logo_shown(screen, theme, elder)


@pytest.mark.parametrize(("size", "lang", "elder"), VARIANTS, ids=VARIANT_IDS)
def test_branded_menu_fits(menu, profile, size, lang, elder):
    settings, theme = profile
    screen = menu(settings, theme, size, lang, elder)
    assert screen.size() == QSize(*size)
    assert clipped_widgets(screen) == []
    assert small_targets(screen, theme.min_target_px(elder)) == []
    assert rich_text_labels(screen) == []
    assert_logo_shown(screen, theme, elder)


# --- a logo that cannot be decoded at run time ------------------------------------------------

@pytest.mark.parametrize(("name", "content"), [
    ("broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><g><unclosed"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 8),
], ids=["svg", "png"])
def test_undecodable_logo_falls_back_to_the_name(attract, menu, tmp_path, caplog, name, content):
    # It passed the start-time check (right suffix, right first bytes) but does not decode.
    logo = tmp_path / name
    logo.write_bytes(content)
    settings = load_settings(str(_profile_with_logo(tmp_path, logo)))
    theme = brand_theme(settings)
    with caplog.at_level(logging.WARNING, logger="ui.screens.base"):
        screens = [attract(settings, theme), menu(settings, theme)]
    for screen in screens:
        assert not screen.brand_logo.isVisibleTo(screen)
        assert screen.brand_label.isVisibleTo(screen)
        assert screen.brand_label.text() == settings.ui.branding_zh
        assert clipped_widgets(screen) == []
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2 and all(str(logo) in record.getMessage() for record in warnings)


def test_a_png_logo_is_scaled_to_the_header(attract, tmp_path):
    from PySide6.QtGui import QImage

    logo = tmp_path / "wide.png"
    image = QImage(300, 100, QImage.Format.Format_ARGB32)
    image.fill(QColor("#FFFFFF"))
    assert image.save(str(logo), "PNG")
    settings = load_settings(str(_profile_with_logo(tmp_path, logo)))
    theme = brand_theme(settings)
    screen = attract(settings, theme)
    assert screen.brand_logo.isVisibleTo(screen)
    assert screen.brand_logo.size() == QSize(theme.logo_px() * 3, theme.logo_px())


def _profile_with_logo(tmp_path: Path, logo: Path) -> Path:
    profile = tmp_path / "site.toml"
    profile.write_text(f'[ui]\nlogo = "{logo}"\n[ui.colours]\nprimary = "#8B1A1A"\n', encoding="utf-8")
    return profile


# --- screenshots to look at -----------------------------------------------------------------

@pytest.mark.parametrize(("size", "lang", "elder"), [((1920, 1080), "zh", False), ((1280, 1024), "en", True)],
                         ids=["1920x1080-zh", "1280x1024-en-elder"])
def test_screenshots_of_both_profiles(attract, menu, profile, size, lang, elder):
    settings, theme = profile
    tag = f"{settings.profile}-{size[0]}x{size[1]}-{lang}{'-elder' if elder else ''}"
    for kind, screen in (("attract", attract(settings, theme, size, lang, elder)),
                         ("menu", menu(settings, theme, size, lang, elder))):
        path = render_widget_png(screen, SHOTS / f"{kind}-{tag}.png", size)
        assert path.stat().st_size > 10_000
