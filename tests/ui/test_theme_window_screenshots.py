from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from ui.main_window import MainWindow
from ui.screenshots import render_widget_png
from ui.theme import Theme, build_stylesheet


def test_theme_from_plain_dict():
    theme = Theme.from_dict({"colors": {"primary": "#123", "background": "#fafafa"},
                             "base_font_px": 30, "mm_per_pixel": 0.264})
    assert theme.primary == "#112233" and theme.background == "#FAFAFA"
    assert theme.base_font_px == 30 and theme.mm_per_pixel == 0.264
    assert Theme.from_dict(theme.to_dict()) == theme
    assert Theme.from_dict(None) == Theme()


@pytest.mark.parametrize("bad", [
    {"primay": "#000000"},
    {"colors": {"primary": "blue"}},
    {"base_font_px": "28"},
    {"elder_scale": 0.8},
    {"mm_per_pixel": 0},
])
def test_theme_rejects_bad_config(bad):
    with pytest.raises(ValueError):
        Theme.from_dict(bad)


def test_low_contrast_branding_is_reported():
    theme = Theme.from_dict({"colors": {"primary": "#7FA7D9"}})
    names = {p.name for p in theme.contrast_problems()}
    assert "text on primary (header, primary button)" in names


def test_stylesheet_uses_theme_and_scale(theme):
    normal, elder = build_stylesheet(theme), build_stylesheet(theme, elder=True)
    assert theme.primary in normal and theme.font_family in normal
    assert f"font-size: {theme.font_px('title')}px" in normal
    assert f"font-size: {theme.font_px('title', True)}px" in elder


def test_mm_conversion(theme):
    assert theme.px(12) == 49  # 12 mm / 0.248 mm/px = 48.4 px
    assert theme.min_target_px() * theme.mm_per_pixel >= 12


def test_main_window_stack(qtbot, catalog, theme):
    window = MainWindow(catalog, theme, "人社服务大厅", fullscreen=False, frameless=True)
    qtbot.addWidget(window)
    assert window.current_screen_name() == "attract"
    assert window.show_screen("attract") is window.attract
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    with pytest.raises(KeyError):
        window.show_screen("menu")
    window.set_language("en")
    window.set_elder_mode(True)
    assert window.attract.language() == "en" and window.attract.elder_mode()


def test_render_widget_png(qtbot, tmp_path, catalog, theme):
    window = MainWindow(catalog, theme, "人社服务大厅", fullscreen=False, frameless=False)
    qtbot.addWidget(window)
    path = render_widget_png(window, tmp_path / "shots" / "attract.png", (1280, 1024))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 1024)
    assert not window.isVisible()


def test_ui_imports_only_core_gui_widgets():
    code = ("import sys, ui.main_window, ui.screenshots; "
            "print(sorted(m for m in sys.modules if m.startswith('PySide6.Qt')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['PySide6.QtCore', 'PySide6.QtGui', 'PySide6.QtWidgets']"


def test_qt_binding_keeps_none_refcount_balanced():
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call and
    # aborts the process after a few thousand (none_dealloc); pyproject.toml excludes it.
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'; "
            "from PySide6.QtWidgets import QApplication, QLabel; app = QApplication([]); "
            "l = QLabel(); before = sys.getrefcount(None)\nfor i in range(20000): l.setText('x')\n"
            "print(sys.getrefcount(None) - before >= -100)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr[-500:]
