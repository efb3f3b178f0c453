"""Attract screen: shown while nobody is identified.

It invites the citizen to insert the social security card or show the electronic
card's QR code, and offers the controls every screen has (language, elder mode,
repeat speech, call staff). It draws state only: every control emits a signal and
an outside controller decides what happens, including whether to call
`set_language` / `set_elder_mode` back on this screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.messages import DEFAULT_LANGUAGE, LANGUAGES, MessageCatalog
from ui.screens.base import BrandLogo
from ui.theme import Theme, build_stylesheet
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from ui.widgets.pictograms import Pictogram, apply_icons

_NAV_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Left, Qt.Key.Key_Right,
             Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)


class AttractScreen(QWidget):
    """The first screen. Signals carry requests; nothing here navigates."""

    SCREEN_NAME = "attract"

    scan_ecard_requested = Signal()
    insert_card_help_requested = Signal()
    language_toggled = Signal(str)       # the language asked for ("zh"/"en")
    elder_mode_toggled = Signal(bool)    # the elder-mode state asked for
    repeat_speech_requested = Signal()
    call_staff_requested = Signal()

    def __init__(self, catalog: MessageCatalog, theme: Theme, branding_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._theme = theme
        self._language = DEFAULT_LANGUAGE
        self._elder = False
        self.setObjectName("AttractScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        # Header: who runs this terminal (logo and name from config; the name as plain text).
        self._header = QFrame(self)
        self._header.setProperty("role", "header")
        self.brand_logo = BrandLogo(theme.logo_path)
        self.brand_label = plain_label(branding_name, "brand", wrap=True)
        self.brand_label.setObjectName("brand")
        header_layout = QHBoxLayout(self._header)
        header_layout.setSpacing(16)
        header_layout.addWidget(self.brand_logo, 0, Qt.AlignmentFlag.AlignVCenter)
        header_layout.addWidget(self.brand_label, 1)

        # Body: title and the two ways to identify.
        self.title_label = plain_label("", "title", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.title_label.setObjectName("title")

        self.card_picto = Pictogram("card_insert", theme)
        self.insert_card_label = plain_label("", "heading", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.insert_card_label.setObjectName("insert_card")
        self.insert_help_button = KioskButton(variant="secondary")
        self.insert_help_button.setObjectName("insert_card_help")
        self._card_panel = self._panel(self.card_picto, self.insert_card_label, self.insert_help_button)

        self.qr_picto = Pictogram("qr_scan", theme)
        self.show_ecard_label = plain_label("", "heading", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.show_ecard_label.setObjectName("show_ecard")
        self.scan_button = KioskButton(variant="primary")
        self.scan_button.setObjectName("scan_ecard")
        self._qr_panel = self._panel(self.qr_picto, self.show_ecard_label, self.scan_button)

        self._panels = QHBoxLayout()
        self._panels.addWidget(self._card_panel, 1)
        self._panels.addWidget(self._qr_panel, 1)

        self._body = QVBoxLayout()
        self._body.addWidget(self.title_label)
        self._body.addLayout(self._panels, 1)

        # Footer: controls every screen has, and the hotline.
        self._footer = QFrame(self)
        self._footer.setProperty("role", "footer")
        self.language_button = KioskButton(variant="secondary")
        self.language_button.setObjectName("language_toggle")
        self.elder_button = KioskButton(variant="secondary")
        self.elder_button.setObjectName("elder_mode_toggle")
        self.repeat_button = KioskButton(variant="secondary")
        self.repeat_button.setObjectName("repeat_speech")
        self.call_staff_button = KioskButton(variant="call")
        self.call_staff_button.setObjectName("call_staff")
        self.hotline_label = plain_label("", "muted")
        self.hotline_label.setObjectName("hotline")

        self._footer_row = QHBoxLayout()
        for button in (self.language_button, self.elder_button, self.repeat_button):
            button.setProperty("textrole", "control")
            self._footer_row.addWidget(button)
        self._footer_row.addStretch(1)
        self.call_staff_button.setProperty("textrole", "control")
        self._footer_row.addWidget(self.call_staff_button)
        # The hotline gets its own line: beside the buttons it would not fit a
        # 1280 px panel in English elder mode.
        self._footer_layout = QVBoxLayout(self._footer)
        self._footer_layout.addLayout(self._footer_row)
        self._footer_layout.addWidget(self.hotline_label, 0, Qt.AlignmentFlag.AlignRight)

        # Header and footer keep their height; only the pictograms give way when
        # a panel is short (they are Expanding with a small minimum).
        for bar in (self._header, self._footer):
            bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._header)
        self._body_widget = QWidget(self)
        self._body_widget.setLayout(self._body)
        outer.addWidget(self._body_widget, 1)
        outer.addWidget(self._footer)

        for button in self.buttons():
            # Never squeezed below the text's size: overflow must show in tests, not
            # as a clipped label on a kiosk.
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.setTabOrder(self.insert_help_button, self.scan_button)
        self.setTabOrder(self.scan_button, self.language_button)
        self.setTabOrder(self.language_button, self.elder_button)
        self.setTabOrder(self.elder_button, self.repeat_button)
        self.setTabOrder(self.repeat_button, self.call_staff_button)

        self.scan_button.activated.connect(self.scan_ecard_requested)
        self.insert_help_button.activated.connect(self.insert_card_help_requested)
        self.language_button.activated.connect(self._request_language_toggle)
        self.elder_button.activated.connect(self._request_elder_toggle)
        self.repeat_button.activated.connect(self.repeat_speech_requested)
        self.call_staff_button.activated.connect(self.call_staff_requested)

        # Polish now: a stylesheet set later (elder mode) on a never-polished parent
        # is not propagated to children that are already polished, which leaves them
        # measuring with stale fonts while painting with new ones.
        self.ensurePolished()
        self._apply_metrics()
        self._apply_texts()

    # --- public state ---------------------------------------------------------------
    def language(self) -> str:
        return self._language

    def elder_mode(self) -> bool:
        return self._elder

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if language != self._language:
            self._language = language
            self._apply_texts()

    def set_elder_mode(self, on: bool) -> None:
        on = bool(on)
        if on != self._elder:
            self._elder = on
            self._apply_metrics()
            self._apply_texts()  # icons are sized with the text

    def set_branding_name(self, name: str) -> None:
        self.brand_label.setText(name)

    def speech_text(self) -> str:
        """What speech should say for this screen, in the current language."""
        return self._catalog.text("attract.speech", self._language)

    def buttons(self) -> list[KioskButton]:
        return [self.insert_help_button, self.scan_button, self.language_button,
                self.elder_button, self.repeat_button, self.call_staff_button]

    # --- rendering ------------------------------------------------------------------
    def _panel(self, picto: Pictogram, label: QWidget, button: KioskButton) -> QFrame:
        panel = QFrame(self)
        panel.setProperty("role", "panel")
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(picto, 4)
        layout.addWidget(label)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        return panel

    def _t(self, key: str) -> str:
        return self._catalog.text(key, self._language)

    def _apply_texts(self) -> None:
        t = self._t
        self.title_label.setText(t("attract.title"))
        self.insert_card_label.setText(t("attract.insert_card"))
        self.show_ecard_label.setText(t("attract.show_ecard"))
        self.hotline_label.setText(t("common.hotline"))
        texts = {
            self.insert_help_button: t("attract.insert_card_help"),
            self.scan_button: t("attract.scan_ecard"),
            self.language_button: t("common.language_toggle"),
            self.elder_button: t("common.elder_mode"),
            self.repeat_button: t("common.repeat"),
            self.call_staff_button: t("common.call_staff"),
        }
        for button, text in texts.items():
            button.setText(text)
            button.setAccessibleName(text)
        self.language_button.setAccessibleName(t("common.language_toggle.accessible"))
        self.elder_button.setAccessibleDescription(
            t("common.elder_mode.on") if self._elder else t("common.elder_mode.off"))
        self.title_label.setAccessibleName(t("attract.title"))
        self.setAccessibleName(t("attract.title"))
        self.setAccessibleDescription(self.speech_text())
        self._apply_icons()
        self._equalise_instructions()
        self.updateGeometry()

    def _apply_icons(self) -> None:
        th = self._theme
        px = round(th.font_px("button", self._elder) * 1.15)
        self.elder_button.set_active(self._elder)
        fill = th.primary_tint if self._elder else th.surface
        icons = {
            self.insert_help_button: ("help", th.primary),
            self.scan_button: ("scan", th.text_on_primary),
            self.language_button: ("globe", th.primary),
            self.elder_button: ("checkbox_on" if self._elder else "checkbox_off", th.primary),
            self.repeat_button: ("speaker", th.primary),
            self.call_staff_button: ("staff", th.text_on_primary),
        }
        apply_icons(icons, px, fill)

    def _apply_metrics(self) -> None:
        th, elder = self._theme, self._elder
        s = th.scale(elder)
        self.setStyleSheet(build_stylesheet(th, elder))
        # Text and targets scale with elder mode; margins do not, so the larger
        # text gets the room (a 1280x1024 panel has little to spare).
        margin = 32
        self._header.layout().setContentsMargins(margin, 16, margin, 16)
        self.brand_logo.set_height(th.logo_px(elder))
        self._body.setContentsMargins(margin, 16, margin, 20)
        self._body.setSpacing(16)
        self._panels.setSpacing(32)
        for panel in (self._card_panel, self._qr_panel):
            layout = panel.layout()
            layout.setContentsMargins(20, 20, 20, 20)
            layout.setSpacing(round(16 * s))
        self._footer_layout.setContentsMargins(margin, 14, margin, 10)
        self._footer_layout.setSpacing(4)
        self._footer_row.setSpacing(th.spacing_px(elder))
        target = th.min_target_px(elder)
        for button in self.buttons():
            button.setMinimumSize(target, target)
        # The two main actions: one generous size for both.
        for button in (self.insert_help_button, self.scan_button):
            button.setMinimumSize(round(th.px(80) * s), max(target, round(th.px(20) * s)))
        for picto in (self.card_picto, self.qr_picto):
            picto.setMinimumSize(135, 90)
            picto.setMaximumHeight(round(320 * s))
            picto.set_preferred_height(round(200 * s))
        for label in (self.insert_card_label, self.show_ecard_label):
            label.setMinimumHeight(0)  # re-measured for the new font
        self.updateGeometry()

    def _equalise_instructions(self) -> None:
        # Both panels keep their pictogram, text and button on the same lines even
        # when one instruction wraps to more lines than the other.
        labels = (self.insert_card_label, self.show_ecard_label)
        height = max(label.heightForWidth(label.width()) for label in labels)
        for label in labels:
            if label.minimumHeight() != height:
                label.setMinimumHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 (QResizeEvent)
        super().resizeEvent(event)
        self._equalise_instructions()

    # --- keypad ---------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Nothing is focused until the first key, so touch users never see the
        # keypad-focus highlight; the first navigation key lands on the main action.
        if event.key() in _NAV_KEYS and self.focusWidget() not in self.buttons():
            self.scan_button.setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)

    def _request_elder_toggle(self) -> None:
        self.elder_mode_toggled.emit(not self._elder)

    def _request_language_toggle(self) -> None:
        others = [lang for lang in LANGUAGES if lang != self._language]
        self.language_toggled.emit(others[0])
