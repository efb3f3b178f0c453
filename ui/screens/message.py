"""Message, goodbye and out-of-service screens, and the small helpers the identify screens share.

`MessageScreen` draws a `MessageView`: an error, an explanation (card help, staff
called) or a result, always as words plus an icon of its kind (colour is never the
only signal), with one big button per action the machine offers. `GoodbyeScreen` asks
for the card and papers back; `OutOfServiceScreen` says why nothing can be done here
and where to go instead.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import FlowState, Intent, MessageKind, Screen
from ui.screens.base import FlowScreen, settle
from ui.theme import Theme, build_stylesheet
from ui.widgets.icon_text import IconText, set_property, set_tone
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from ui.widgets.pictograms import Pictogram, make_icon

# --- shared by the identify screens (PIN, menu, busy, messages) ---------------------------------


def identify_stylesheet(theme: Theme, elder: bool) -> str:
    """The house stylesheet plus the few rules these screens add (tones, big numbers, notes)."""
    t = theme
    big = round(t.font_px("title", elder) * 1.5)
    return build_stylesheet(t, elder) + f"""
QLabel[tone="warning"] {{ color: {t.warning}; font-weight: 700; }}
QLabel[tone="danger"] {{ color: {t.danger}; font-weight: 700; }}
QLabel[tone="primary"] {{ color: {t.primary}; font-weight: 700; }}
QLabel[tone="muted"] {{ color: {t.muted}; }}
QLabel[role="title"][tone="danger"] {{ color: {t.danger}; }}
QLabel[textsize="big"] {{ font-size: {big}px; font-weight: 700; }}
QLabel[textsize="lead"] {{ font-size: {t.font_px("heading", elder)}px; }}
QFrame[role="quote"] {{
    background: {t.background};
    border: none;
    border-left: 6px solid {t.primary};
    border-radius: 0px;
}}
"""


def icon_size(screen: FlowScreen, role: str = "body") -> int:
    """Icons as tall as a capital letter and a bit of text in `role`."""
    return round(screen.theme.font_px(role, screen.elder) * 1.1)


def arrow_icon(px: int, color: str) -> QIcon:
    """The "back" arrow turned to point forward (next step)."""
    pixmap = make_icon("back", px, color).pixmap(px, px)
    return QIcon(pixmap.transformed(QTransform().scale(-1, 1)))


class IconLine(IconText):
    """Wrapped text beside its icon, as the identification and message screens space it."""

    def __init__(self, role: str = "body", *, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(role, name=name, wrap=True, spacing=10, parent=parent)


def needed_height(widget: QWidget, width: int) -> int:
    """Height `widget` needs at `width` (wrapping text grows downwards)."""
    widget.ensurePolished()
    if isinstance(widget, IconText):
        return widget.height_for(width)
    if isinstance(widget, QLabel) and widget.wordWrap():
        return widget.heightForWidth(width)
    return max(widget.minimumHeight(), widget.sizeHint().height())


def show_what_fits(essential: list[QWidget], optional: list[QWidget], width: int, available: int,
                   spacing: int) -> None:
    """Show the `optional` widgets (most needed first) that fit below the `essential` ones.

    Paging is for lists; an explanation that does not fit a short panel gives way
    instead of being clipped. A line that does not fit hides every later one too, so
    a less needed line never shows while a more needed one is missing.
    """
    shown = [w for w in essential if not w.isHidden()]
    used = sum(needed_height(w, width) for w in shown) + spacing * max(0, len(shown) - 1)
    fits = True
    for widget in optional:
        need = needed_height(widget, width) + spacing
        fits = fits and used + need <= available
        widget.setVisible(fits)
        if fits:
            used += need


def kind_icon(kind: MessageKind) -> str:
    return {MessageKind.RESULT: "check", MessageKind.INFO: "help", MessageKind.ERROR: "warning"}[kind]


def big_icon_label(name: str) -> QLabel:
    label = plain_label("")
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
    return label


# --- message --------------------------------------------------------------------------------------

#: the words on the button for each action a message may offer
ACTION_LABEL_KEYS: dict[Intent, str] = {
    Intent.CONFIRM: "common.ok",
    Intent.BACK: "common.back",
    Intent.CANCEL: "common.cancel",
    Intent.FINISH: "common.finish",
    Intent.CALL_STAFF: "common.call_staff",
    Intent.REPEAT: "common.repeat",
    Intent.MORE_TIME: "common.more_time",
    Intent.START_APPLICATION: "message.action.start_application",
    Intent.VIEW_PROGRESS: "message.action.view_progress",
    Intent.PRINT_RECEIPT: "message.action.print_receipt",
    Intent.PRINT: "message.action.try_again",
}
ACTION_ICONS: dict[Intent, str] = {
    Intent.BACK: "back", Intent.FINISH: "exit", Intent.CALL_STAFF: "staff", Intent.REPEAT: "speaker",
    Intent.PRINT_RECEIPT: "printer", Intent.CONFIRM: "check",
}
#: messages that explain a physical action get the matching picture
PICTOGRAMS: dict[str, str] = {
    "message.card_help.title": "card_insert",
    "message.card_unreadable.title": "card_insert",
    "message.scan_help.title": "qr_scan",
    "message.ecard_invalid.title": "qr_scan",
}


class MessageScreen(FlowScreen):
    """A result, explanation or error: icon, words, what to do next, and the offered actions."""

    SCREEN = Screen.MESSAGE

    def build_body(self) -> None:
        self._actions: tuple[Intent, ...] | None = None
        self.action_buttons: dict[Intent, KioskButton] = {}

        self.panel = QFrame()
        self.panel.setObjectName("message_panel")
        self.panel.setProperty("role", "panel")
        self.kind_icon = big_icon_label("message_kind_icon")
        self.body_label = self.label("body", name="message_body")
        self.body_label.setProperty("textsize", "lead")   # the message itself reads first, a size up
        self.detail_box = QFrame()
        self.detail_box.setObjectName("message_detail_box")
        self.detail_box.setProperty("role", "quote")
        self.detail_caption = self.label("muted", name="message_detail_caption")
        self.detail_label = self.label("body", name="message_detail")
        detail_layout = QVBoxLayout(self.detail_box)
        detail_layout.setContentsMargins(16, 8, 12, 8)
        detail_layout.setSpacing(2)
        detail_layout.addWidget(self.detail_caption)
        detail_layout.addWidget(self.detail_label)
        self.next_step = IconLine("body", name="message_next_step")
        self.hotline_line = IconLine("body", name="message_hotline")
        self.pictograms = {kind: Pictogram(kind, self.theme) for kind in ("card_insert", "qr_scan")}
        for kind, picto in self.pictograms.items():
            picto.setObjectName(f"message_pictogram_{kind}")
            picto.hide()

        texts = QVBoxLayout()
        texts.setSpacing(12)
        texts.addWidget(self.body_label)
        texts.addWidget(self.detail_box)
        texts.addWidget(self.next_step)
        texts.addWidget(self.hotline_line)
        texts.addStretch(1)
        self._texts = texts
        row = QHBoxLayout(self.panel)
        row.setSpacing(24)
        row.addWidget(self.kind_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        for picto in self.pictograms.values():
            row.addWidget(picto, 0)
        self._panel_layout = row
        self.panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self._actions_row = QHBoxLayout()
        self._actions_row.addStretch(1)
        self.body.addWidget(self.panel)
        self.body.addStretch(1)
        self.body.addLayout(self._actions_row)

    def title_key(self, state: FlowState) -> str:
        return state.message.title_key if state.message is not None else "message.error.title"

    def on_style_changed(self) -> None:
        self.setStyleSheet(identify_stylesheet(self.theme, self.elder))
        gap = self.theme.spacing_px(self.elder)
        self._panel_layout.setContentsMargins(gap + 8, gap, gap + 8, gap)
        self._actions_row.setSpacing(gap)
        for picto in self.pictograms.values():
            picto.set_preferred_height(round(200 * self.theme.scale(self.elder)))
            picto.setMinimumSize(180, 120)
            picto.setMaximumSize(round(360 * self.theme.scale(self.elder)), round(240 * self.theme.scale(self.elder)))
        self._actions = None   # rebuild the buttons at the new size

    def first_focus(self) -> QWidget | None:
        message = self.state.message if self.state is not None else None
        if message is not None and message.actions and message.actions[0] in self.action_buttons:
            return self.action_buttons[message.actions[0]]
        return super().first_focus()

    def draw(self, state: FlowState) -> None:
        message = state.message
        th = self.theme
        error = message is not None and message.kind is MessageKind.ERROR
        set_tone(self.title_label, "danger" if error else "")
        self.panel.setVisible(message is not None)
        if message is None:
            # The wipe at session end: no back-office wording may stay behind, even hidden.
            for label in (self.body_label, self.detail_label):
                label.setText("")
            self.next_step.set("", "", th.text, 1)
            self._draw_actions(())
            return
        color = th.danger if error else th.primary
        px = round(th.font_px("title", self.elder) * 1.6)
        self.kind_icon.setPixmap(make_icon(kind_icon(message.kind), px, color).pixmap(px, px))
        self.kind_icon.setFixedWidth(px)
        self.kind_icon.setAccessibleName(self.t(self.title_key(state)))

        body = self.t(message.body_key, **dict(message.body_params)) if message.body_key else ""
        self.body_label.setText(body)
        self.body_label.setVisible(bool(body))
        self.detail_caption.setText(self.t("message.detail_label"))
        self.detail_label.setText(message.detail_text)
        self.detail_box.setVisible(bool(message.detail_text))
        small = icon_size(self)
        if message.next_step_key:
            self.next_step.set("next", self.t(message.next_step_key), th.primary, small, tone="primary",
                               icon=arrow_icon(small, th.primary))
        self.next_step.setVisible(bool(message.next_step_key))
        self.hotline_line.set("staff", self.t("message.hotline"), th.text, small)
        self.hotline_line.setVisible(error)
        self._draw_actions(message.actions)
        # A body action replaces the same control in the title row (one "finish", one "back").
        if Intent.FINISH in message.actions:
            self.finish_button.setVisible(False)
        if Intent.BACK in message.actions:
            self.back_button.setVisible(False)
        self._fit()
        QTimer.singleShot(0, self._fit_again)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        super().resizeEvent(event)
        if self.state is not None and self.state.message is not None:
            self._fit()

    def _fit_again(self) -> None:
        if shiboken6.isValid(self) and self.isVisible() and self.state is not None and self.state.message is not None:
            self._fit()

    def _fit(self) -> None:
        """The message a size up, beside its picture; on a short panel the text shrinks, then the picture goes."""
        picture = PICTOGRAMS.get(self.state.message.title_key, "")
        steps = [("lead", picture), ("", picture), ("", "")]
        for textsize, shown in steps:
            set_property(self.body_label, "textsize", textsize)
            for kind, picto in self.pictograms.items():
                picto.setVisible(kind == shown)
            settle(self)
            room = self.body_widget.height() - self._actions_height() - self.body.spacing()
            if self.panel.heightForWidth(self.panel.width()) <= room:
                break
        settle(self)

    def _actions_height(self) -> int:
        return max((b.minimumHeight() for b in self.action_buttons.values()), default=0)

    def _draw_actions(self, actions: tuple[Intent, ...]) -> None:
        th = self.theme
        if actions != self._actions:
            for button in self.action_buttons.values():
                self._actions_row.removeWidget(button)
                button.hide()
                button.setParent(None)
                button.deleteLater()
            self.action_buttons = {}
            for index, intent in enumerate(actions):
                variant = "primary" if index == 0 else ("call" if intent is Intent.CALL_STAFF else "secondary")
                button = self.button(variant, intent, None, f"message_action_{intent.value}")
                button.setMinimumHeight(round(th.min_target_px(self.elder) * 1.3))
                button.setMinimumWidth(round(th.min_target_px(self.elder) * 3))
                self.action_buttons[intent] = button
                self._actions_row.addWidget(button)
            self._actions = actions
        px = round(th.font_px("button", self.elder) * 1.1)
        for index, (intent, button) in enumerate(self.action_buttons.items()):
            button.setText(self.t(ACTION_LABEL_KEYS.get(intent, "common.ok")))
            button.setAccessibleName(button.text())
            kind = ACTION_ICONS.get(intent)
            if kind:
                on_fill = index == 0 or intent is Intent.CALL_STAFF
                button.setIcon(make_icon(kind, px, th.text_on_primary if on_fill else th.primary,
                                         th.primary if on_fill else th.surface))
                button.setIconSize(QSize(px, px))


# --- goodbye --------------------------------------------------------------------------------------

class TakeAwayPictogram(QWidget):
    """A card rising out of the reader (arrow up) beside a printed sheet: "take both with you"."""

    W, H = 260.0, 160.0

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.with_card = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(156, 96)
        self._hint = QSize(390, 240)

    def set_preferred_height(self, px: int) -> None:
        self._hint = QSize(round(px * self.W / self.H), px)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self._hint

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        t = self._theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = min(self.width() / self.W, self.height() / self.H)
        p.translate((self.width() - self.W * scale) / 2, (self.height() - self.H * scale) / 2)
        p.scale(scale, scale)
        primary, dark = QColor(t.primary), QColor(t.text)
        p.setPen(Qt.PenStyle.NoPen)
        if self.with_card:
            # Reader, with the card half out of it and an arrow pointing up.
            p.setBrush(dark)
            p.drawRoundedRect(QRectF(10, 100, 150, 56), 12, 12)
            p.setBrush(primary)
            card = QRectF(38, 26, 94, 90)
            p.drawRoundedRect(card, 8, 8)
            p.setBrush(QColor("#C99A2E"))
            p.drawRoundedRect(QRectF(card.left() + 12, card.top() + 12, 22, 18), 3, 3)
            p.setBrush(QColor(t.surface))
            p.drawRoundedRect(QRectF(card.left() + 12, card.top() + 42, 50, 5), 2, 2)
            p.setBrush(dark)
            p.drawRoundedRect(QRectF(10, 108, 150, 48), 12, 12)
            p.setBrush(QColor(t.focus_ring))
            p.drawEllipse(QPointF(140, 134), 5, 5)
            p.setBrush(primary)
            p.drawPolygon(QPolygonF([QPointF(85, 0), QPointF(106, 22), QPointF(94, 22), QPointF(94, 24),
                                     QPointF(76, 24), QPointF(76, 22), QPointF(64, 22)]))
        else:
            # A phone: e-card users keep their phone.
            p.setBrush(dark)
            p.drawRoundedRect(QRectF(55, 12, 66, 136), 11, 11)
            p.setBrush(QColor(t.surface))
            p.drawRoundedRect(QRectF(61, 26, 54, 106), 4, 4)
            p.setBrush(primary)
            p.drawRoundedRect(QRectF(72, 52, 32, 32), 3, 3)
        # A printed sheet with text lines and a seal.
        sheet = QRectF(176, 22, 74, 104)
        p.setPen(QPen(dark, 3))
        p.setBrush(QColor(t.surface))
        p.drawRect(sheet)
        p.setPen(QPen(QColor(t.muted), 4))
        for i in range(5):
            y = sheet.top() + 18 + i * 13
            p.drawLine(QPointF(sheet.left() + 12, y), QPointF(sheet.right() - (12 if i % 2 else 22), y))
        p.setPen(QPen(QColor(t.danger), 3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(sheet.right() - 22, sheet.bottom() - 20), 11, 11)
        p.end()


class GoodbyeScreen(FlowScreen):
    """Take card and papers: the session is over (and wiped); nothing to press but language and repeat."""

    SCREEN = Screen.GOODBYE

    def build_body(self) -> None:
        self.notice = QFrame()
        self.notice.setObjectName("goodbye_notice")
        self.notice.setProperty("role", "panel")
        self.notice_title = IconLine("heading", name="goodbye_notice_title")
        self.notice_body = self.label("body", name="goodbye_notice_body")
        notice_layout = QVBoxLayout(self.notice)
        notice_layout.addWidget(self.notice_title)
        notice_layout.addWidget(self.notice_body)
        self._notice_layout = notice_layout

        self.panel = QFrame()
        self.panel.setObjectName("goodbye_panel")
        self.panel.setProperty("role", "panel")
        self.pictogram = TakeAwayPictogram(self.theme)
        self.pictogram.setObjectName("goodbye_pictogram")
        self.take_label = self.label("title", name="goodbye_take")
        self.remove_card = IconLine("heading", name="goodbye_remove_card")
        self.cleared_line = IconLine("body", name="goodbye_cleared")
        self.thanks_label = self.label("body", name="goodbye_thanks")
        texts = QVBoxLayout()
        texts.addStretch(1)
        texts.addWidget(self.take_label)
        texts.addWidget(self.remove_card)
        texts.addWidget(self.thanks_label)
        texts.addWidget(self.cleared_line)
        texts.addStretch(1)
        self._texts = texts
        row = QHBoxLayout(self.panel)
        row.addWidget(self.pictogram, 1)
        row.addLayout(texts, 3)
        self._panel_layout = row

        self.body.addWidget(self.notice)
        self.body.addWidget(self.panel, 1)

    def title_key(self, state: FlowState) -> str:
        return "goodbye.title"

    def on_style_changed(self) -> None:
        self.setStyleSheet(identify_stylesheet(self.theme, self.elder))
        gap = self.theme.spacing_px(self.elder)
        self._panel_layout.setContentsMargins(gap + 8, gap, gap + 8, gap)
        self._panel_layout.setSpacing(gap * 2)
        self._texts.setSpacing(gap)
        self._notice_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self.pictogram.set_preferred_height(round(220 * self.theme.scale(self.elder)))
        self.pictogram.setMaximumHeight(round(320 * self.theme.scale(self.elder)))

    def draw(self, state: FlowState) -> None:
        th, px = self.theme, icon_size(self, "heading")
        by_card = state.identified_by != "ecard"
        self.pictogram.with_card = by_card
        self.pictogram.update()
        self.take_label.setText(self.t("goodbye.take_all" if by_card else "goodbye.take_phone"))
        self.remove_card.set("warning", self.t("goodbye.remove_card"), th.warning, px, tone="warning")
        self.remove_card.setVisible(state.identified_by == "card")
        self.cleared_line.set("check", self.t("goodbye.cleared"), th.primary, icon_size(self))
        self.thanks_label.setText(self.t("goodbye.thanks"))
        message = state.message
        self.notice.setVisible(message is not None)
        if message is not None:
            # A timeout is not an error, but it is news: "exit" says the session is over.
            error = message.kind is MessageKind.ERROR
            kind = "warning" if error else ("exit" if message.title_key == "message.timeout.title" else kind_icon(message.kind))
            self.notice_title.set(kind, self.t(message.title_key), th.danger if error else th.primary, px)
            self.notice_body.setText(self.t(message.body_key, **dict(message.body_params)) if message.body_key else "")
            self.notice_body.setVisible(bool(message.body_key))
        self._fit()
        QTimer.singleShot(0, self._fit_again)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt API)
        super().resizeEvent(event)
        if self.state is not None:
            self._fit()

    def _fit_again(self) -> None:
        if shiboken6.isValid(self) and self.isVisible() and self.state is not None:
            self._fit()

    def _fit(self) -> None:
        """Thanks and "your data was cleared" give way on a short panel; taking the card never does."""
        settle(self)
        margins = self._panel_layout.contentsMargins()
        available = self.panel.contentsRect().height() - margins.top() - margins.bottom()
        show_what_fits([self.take_label, self.remove_card], [self.thanks_label, self.cleared_line],
                       self.take_label.width(), available, self._texts.spacing())
        settle(self)

    def first_focus(self) -> QWidget | None:
        return self.repeat_button


# --- out of service --------------------------------------------------------------------------------

class OutOfServiceScreen(FlowScreen):
    """Why this kiosk cannot serve now, and where to go instead."""

    SCREEN = Screen.OUT_OF_SERVICE

    def build_body(self) -> None:
        self.panel = QFrame()
        self.panel.setObjectName("out_of_service_panel")
        self.panel.setProperty("role", "panel")
        self.kind_icon = big_icon_label("out_of_service_icon")
        self.body_label = self.label("heading", name="out_of_service_body")
        self.reason_label = self.label("body", name="out_of_service_reason")
        self.help_label = self.label("body", name="out_of_service_help")
        self.hotline_number = self.label("body", wrap=False, name="out_of_service_hotline")
        self.hotline_number.setProperty("textsize", "big")
        self.hotline_number.setProperty("tone", "primary")
        texts = QVBoxLayout()
        for widget in (self.body_label, self.reason_label, self.help_label, self.hotline_number):
            texts.addWidget(widget)
        texts.addStretch(1)
        self._texts = texts
        row = QHBoxLayout(self.panel)
        row.addWidget(self.kind_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        self._panel_layout = row
        self.panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.body.addWidget(self.panel)
        self.body.addStretch(1)

    def title_key(self, state: FlowState) -> str:
        return "out_of_service.title"

    def on_style_changed(self) -> None:
        self.setStyleSheet(identify_stylesheet(self.theme, self.elder))
        gap = self.theme.spacing_px(self.elder)
        self._panel_layout.setContentsMargins(gap + 8, gap, gap + 8, gap)
        self._panel_layout.setSpacing(gap * 2)
        self._texts.setSpacing(gap)

    def draw(self, state: FlowState) -> None:
        th = self.theme
        px = round(th.font_px("title", self.elder) * 1.6)
        self.kind_icon.setPixmap(make_icon("warning", px, th.warning).pixmap(px, px))
        self.kind_icon.setFixedWidth(px)
        self.body_label.setText(self.t("out_of_service.body"))
        key = state.out_of_service_key
        self.reason_label.setText(self.t(key) if key else "")
        self.reason_label.setVisible(bool(key))
        self.help_label.setText(self.t("out_of_service.help"))
        self.hotline_number.setText(self.t("out_of_service.hotline_number"))

    def first_focus(self) -> QWidget | None:
        return self.call_staff_button

