"""The frame every flow screen shares: header, body, footer, keypad mapping.

A screen draws a `FlowState` (kiosk/flow_state.py) and sends `Intent`s; it never
decides where to go. Subclasses build their body once in `build_body` and refresh
it in `draw`; the frame handles language, elder mode (restyle and target sizes),
the common controls (back, finish, language, large text, repeat, call staff) and
the tactile keypad (digits, Enter, Clear, Cancel, arrows).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import FlowState, Intent, Screen
from kiosk.messages import MessageCatalog
from ui.theme import Theme, build_stylesheet
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from ui.widgets.pictograms import apply_icons

DIGIT_KEYS = {getattr(Qt.Key, f"Key_{d}"): str(d) for d in range(10)}
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
NAV_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
MAX_LOGO_ASPECT = 4.0   # a very wide logo is squeezed to this width:height so the name keeps its room

log = logging.getLogger(__name__)


def settle(widget: QWidget) -> None:
    """Lay `widget` out now, nested layouts included, so measurements match what is drawn.

    A parent's `activate()` does not re-run the layouts of children whose size did not
    change; those wait for posted layout requests, which nested layouts need a few passes of.
    """
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        widget.layout().activate()


class BrandLogo(QLabel):
    """The brand logo (`Theme.logo_path`, PNG or SVG) beside the branding name in a header.

    The file is decoded once, when the label is built: an SVG is kept as a renderer and
    rasterised afresh for each height (elder mode), so it stays crisp; a PNG is kept as
    an image and scaled smoothly. Config only checked the file's first bytes at start;
    if it cannot be decoded now the label stays hidden (the name alone shows) and a
    warning is logged.
    """

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("brand_logo")
        self.setTextFormat(Qt.TextFormat.PlainText)   # never shows text; every label is plain: outside text never becomes markup
        self._svg = None
        self._image: QImage | None = None
        self._aspect = 1.0
        if path:
            self._decode(path)
        if not self.has_logo():
            self.hide()   # stays hidden once in a layout: the header shows the name alone

    def has_logo(self) -> bool:
        return self._svg is not None or self._image is not None

    def _decode(self, path: str) -> None:
        if Path(path).suffix.lower() == ".svg":
            from PySide6.QtSvg import QSvgRenderer   # only terminals with an SVG logo load QtSvg

            renderer = QSvgRenderer(path)
            size = renderer.defaultSize()
            if renderer.isValid() and size.width() > 0 and size.height() > 0:
                self._svg, self._aspect = renderer, size.width() / size.height()
        else:
            image = QImage(path)
            if not image.isNull():
                self._image, self._aspect = image, image.width() / image.height()
        if not self.has_logo():
            log.warning("brand logo %s cannot be decoded; the header shows the name alone", path)
        self._aspect = min(self._aspect, MAX_LOGO_ASPECT)

    def set_height(self, height: int) -> None:
        """Draw the logo `height` pixels tall (device pixels follow the screen's ratio)."""
        if not self.has_logo():
            return
        width = max(1, round(height * self._aspect))
        ratio = self.devicePixelRatioF() or 1.0
        device_w, device_h = round(width * ratio), round(height * ratio)
        if self._svg is not None:
            image = QImage(device_w, device_h, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._svg.render(painter, QRectF(0, 0, device_w, device_h))
            painter.end()
        else:
            image = self._image.scaled(device_w, device_h, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.setPixmap(pixmap)
        self.setFixedSize(width, height)


class FlowScreen(QWidget):
    """Base class: subclasses set `SCREEN`, implement `build_body` and `draw`."""

    SCREEN: Screen
    intent = Signal(str, object)   # (Intent value, argument or None)

    #: digits typed on the keypad become DIGIT intents on this screen (PIN, mobile)
    accepts_digits = False

    def __init__(self, catalog: MessageCatalog, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.theme = theme
        self.language = "zh"
        self.elder = False
        self.state: FlowState | None = None
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self._header = QFrame(self)
        self._header.setProperty("role", "header")
        self.brand_logo = BrandLogo(theme.logo_path)
        self.brand_label = plain_label("", "brand", wrap=True)
        self.brand_label.setObjectName("brand")
        # The hotline sits in the header: a footer line of its own costs a 1280x1024 panel
        # the height elder mode needs.
        self.hotline_label = plain_label("", "brand")
        self.hotline_label.setObjectName("hotline")
        header_layout = QHBoxLayout(self._header)
        header_layout.setSpacing(16)
        header_layout.addWidget(self.brand_logo, 0, Qt.AlignmentFlag.AlignVCenter)
        header_layout.addWidget(self.brand_label, 1)
        header_layout.addWidget(self.hotline_label, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.title_label = plain_label("", "title", wrap=True)
        self.title_label.setObjectName("title")
        self.body_widget = QWidget(self)
        self.body = QVBoxLayout(self.body_widget)
        self.body.setContentsMargins(0, 0, 0, 0)

        self._footer = QFrame(self)
        self._footer.setProperty("role", "footer")
        self.back_button = self._footer_button("back", "secondary", Intent.BACK)
        self.finish_button = self._footer_button("finish", "secondary", Intent.FINISH)
        self.language_button = self._footer_button("language_toggle", "secondary", None)
        self.language_button.activated.connect(self._request_language)
        self.elder_button = self._footer_button("elder_mode_toggle", "secondary", None)
        self.elder_button.activated.connect(lambda: self.emit_intent(Intent.ELDER_MODE, not self.elder))
        self.repeat_button = self._footer_button("repeat_speech", "secondary", Intent.REPEAT)
        self.call_staff_button = self._footer_button("call_staff", "call", Intent.CALL_STAFF)
        row = QHBoxLayout()
        for button in (self.language_button, self.elder_button, self.repeat_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.call_staff_button)
        self._footer_row = row
        footer_layout = QVBoxLayout(self._footer)
        footer_layout.addLayout(row)
        self._footer_layout = footer_layout

        for bar in (self._header, self._footer):
            bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._header)
        content = QVBoxLayout()
        content.setContentsMargins(32, 16, 32, 16)
        content.setSpacing(12)
        # Back and finish sit beside the title: the footer has no room for them on a
        # 1280 px panel in English elder mode.
        title_row = QHBoxLayout()
        title_row.setSpacing(16)
        title_row.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignVCenter)
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.finish_button, 0, Qt.AlignmentFlag.AlignVCenter)
        content.addLayout(title_row)
        content.addWidget(self.body_widget, 1)
        outer.addLayout(content, 1)
        outer.addWidget(self._footer)

        self.build_body()
        self.ensurePolished()
        self._apply_style()

    # --- for subclasses -------------------------------------------------------------
    def build_body(self) -> None:
        """Create the body's widgets once (into `self.body`)."""
        raise NotImplementedError

    def draw(self, state: FlowState) -> None:
        """Refresh the body from `state` (texts in `self.language`)."""
        raise NotImplementedError

    def title_key(self, state: FlowState) -> str:
        raise NotImplementedError

    def t(self, key: str, **params: object) -> str:
        text = self.catalog.text(key, self.language)
        return text.format(**params) if params else text

    def button(self, variant: str = "secondary", intent: Intent | None = None, value: object = None,
               name: str = "") -> KioskButton:
        """A body button sending `intent` (with `value`) when activated."""
        button = KioskButton(variant=variant)
        if name:
            button.setObjectName(name)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        if intent is not None:
            button.activated.connect(lambda: self.emit_intent(intent, value))
        return button

    def label(self, role: str = "body", *, wrap: bool = True, name: str = "") -> QLabel:
        label = plain_label("", role, wrap=wrap)
        if name:
            label.setObjectName(name)
        return label

    def emit_intent(self, intent: Intent, value: object = None) -> None:
        self.intent.emit(intent.value, value)

    def _request_language(self) -> None:
        self.emit_intent(Intent.LANGUAGE, "en" if self.language == "zh" else "zh")

    def on_style_changed(self) -> None:
        """Called after language or elder mode changed the metrics (resize icons, pages)."""

    # --- drawing ---------------------------------------------------------------------
    def render(self, state: FlowState, branding: str) -> None:
        restyle = state.elder_mode != self.elder
        self.language, self.elder, self.state = state.language, state.elder_mode, state
        if restyle:
            self._apply_style()
        self.brand_label.setText(branding)
        self.title_label.setText(self.t(self.title_key(state)))
        self.back_button.setVisible(state.can_go_back)
        self.finish_button.setVisible(state.session_active)
        self._apply_footer_texts()
        self.draw(state)
        self.apply_targets()
        self.setAccessibleName(self.title_label.text())

    def _footer_button(self, name: str, variant: str, intent: Intent | None) -> KioskButton:
        button = KioskButton(variant=variant)
        button.setObjectName(name)
        button.setProperty("textrole", "control")
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        if intent is not None:
            button.activated.connect(lambda: self.emit_intent(intent))
        return button

    def _apply_footer_texts(self) -> None:
        t = self.t
        texts = {
            self.back_button: t("common.back"),
            self.finish_button: t("common.finish"),
            self.language_button: t("common.language_toggle"),
            self.elder_button: t("common.elder_mode"),
            self.repeat_button: t("common.repeat"),
            self.call_staff_button: t("common.call_staff"),
        }
        for button, text in texts.items():
            button.setText(text)
            button.setAccessibleName(text)
        self.language_button.setAccessibleName(t("common.language_toggle.accessible"))
        self.hotline_label.setText(t("common.hotline"))
        th = self.theme
        px = round(th.font_px("control", self.elder) * 1.15)
        self.elder_button.set_active(self.elder)
        fill = th.primary_tint if self.elder else th.surface
        icons = {
            self.back_button: ("back", th.primary),
            self.finish_button: ("exit", th.primary),
            self.language_button: ("globe", th.primary),
            self.elder_button: ("checkbox_on" if self.elder else "checkbox_off", th.primary),
            self.repeat_button: ("speaker", th.primary),
            self.call_staff_button: ("staff", th.text_on_primary),
        }
        apply_icons(icons, px, fill)

    def _apply_style(self) -> None:
        th, elder = self.theme, self.elder
        self.setStyleSheet(build_stylesheet(th, elder))
        self._header.layout().setContentsMargins(32, 12, 32, 12)
        self.brand_logo.set_height(th.logo_px(elder))
        self._footer_layout.setContentsMargins(32, 10, 32, 10)
        self._footer_layout.setSpacing(2)
        self._footer_row.setSpacing(th.spacing_px(elder))
        self.body.setSpacing(th.spacing_px(elder))
        self.on_style_changed()
        self.apply_targets()

    def apply_targets(self) -> None:
        """Every button at least the theme's minimum target (12 mm, more in elder mode)."""
        target = self.theme.min_target_px(self.elder)
        for button in self.findChildren(KioskButton):
            if button.minimumWidth() < target or button.minimumHeight() < target:
                button.setMinimumSize(max(target, button.minimumWidth()), max(target, button.minimumHeight()))

    def interactive_widgets(self) -> list[KioskButton]:
        return [b for b in self.findChildren(KioskButton) if b.isVisibleTo(self)]

    # --- tactile keypad ---------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self.accepts_digits and key in DIGIT_KEYS:
            self.emit_intent(Intent.DIGIT, DIGIT_KEYS[key])
        elif key == Qt.Key.Key_Backspace:
            self.emit_intent(Intent.DELETE)
        elif key == Qt.Key.Key_Delete:
            self.emit_intent(Intent.CLEAR)
        elif key == Qt.Key.Key_Escape:
            self.emit_intent(Intent.CANCEL)
        elif key in ENTER_KEYS and not isinstance(self.focusWidget(), KioskButton):
            self.emit_intent(Intent.CONFIRM)
        elif key in NAV_KEYS and not isinstance(self.focusWidget(), KioskButton):
            # The first arrow lands on the screen's main action; later ones move between buttons.
            first = self.first_focus()
            if first is not None:
                first.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def first_focus(self) -> QWidget | None:
        """The control a keypad user starts on (override: the main action)."""
        widgets = self.interactive_widgets()
        return widgets[0] if widgets else None
