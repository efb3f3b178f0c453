"""Service menu: a greeting and one large tile per service.

A tile is one button: picture, name and a line saying what it does; a service that
cannot run now (back office down, printer out of paper, not offered at this terminal)
stays in its place, greyed with a dashed border, a warning sign and the reason in
words, so nobody wonders where it went and colour is never the only signal.

Tiles sit in two columns. Their height is worked out from the room the panel leaves:
when the descriptions do not fit (English, elder mode, 1280x1024) the available tiles
drop them; reasons for unavailable tiles always stay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPolygonF
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.flow_state import FlowState, Intent, Screen, ServiceTile
from kiosk.messages import MessageCatalog
from ui.screens.base import FlowScreen, settle
from ui.screens.message import IconLine, icon_size, identify_stylesheet
from ui.theme import Theme
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from ui.widgets.layouts import take_all
from ui.widgets.pictograms import begin_icon

TILE_BORDER = 4      # the stylesheet's button border (elder mode), both sides counted once each


# Draws a service's pictogram on a 24-unit grid: (painter, colour) with the pen already set.
IconDrawing = Callable[[QPainter, QColor], None]


def draw_generic_service(p: QPainter, c: QColor) -> None:
    """A service without its own picture: a tile with a tick."""
    p.drawRoundedRect(QRectF(3, 3, 18, 18), 3, 3)
    p.drawPolyline(QPolygonF([QPointF(7.5, 12.5), QPointF(10.5, 15.5), QPointF(16.5, 8.5)]))


def service_icon(drawing: IconDrawing, px: int, color: str) -> QIcon:
    """A service's line pictogram, drawn like the house icons."""
    pixmap, p, c = begin_icon(px, color, stroke=1.8)
    drawing(p, c)
    p.end()
    return QIcon(pixmap)


class ServiceTileButton(KioskButton):
    """One service as one big button: picture, name, and what it does or why it cannot."""

    def __init__(self, service: str) -> None:
        super().__init__(variant="secondary")
        self.service = service
        name = f"menu_tile_{service}"
        self.setObjectName(name)
        self.setProperty("tile", "true")
        self.picture = plain_label("")
        self.picture.setObjectName(f"{name}_picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label = plain_label("", "body", wrap=True)
        self.title_label.setObjectName(f"{name}_title")
        self.title_label.setProperty("tilepart", "title")
        self.desc_label = plain_label("", "muted", wrap=True)
        self.desc_label.setObjectName(f"{name}_desc")
        self.reason_line = IconLine("body", name=f"{name}_reason")
        texts = QVBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setSpacing(4)
        texts.addStretch(1)
        texts.addWidget(self.title_label)
        texts.addWidget(self.desc_label)
        texts.addWidget(self.reason_line)
        texts.addStretch(1)
        row = QHBoxLayout(self)
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(texts, 1)
        self._row, self._texts = row, texts
        for widget in (self.picture, self.title_label, self.desc_label, self.reason_line,
                       self.reason_line.icon_label, self.reason_line.text_label):
            widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_metrics(self, margin: int, spacing: int, picture_px: int) -> None:
        self._row.setContentsMargins(margin, 6, margin, 6)
        self._row.setSpacing(spacing)
        self.picture.setFixedSize(picture_px, picture_px)

    def text_width(self, tile_width: int) -> int:
        m = self._row.contentsMargins()
        return tile_width - m.left() - m.right() - self.picture.width() - self._row.spacing() - 2 * TILE_BORDER

    def needed_height(self, tile_width: int, with_description: bool) -> int:
        """Height this tile needs at `tile_width` (its words wrap; the picture does not)."""
        width = self.text_width(tile_width)
        m = self._row.contentsMargins()
        for label in (self.title_label, self.desc_label):
            label.ensurePolished()
        parts = [self.title_label.heightForWidth(width)]
        if not self.isEnabled():
            parts.append(self.reason_line.height_for(width))
        elif with_description:
            parts.append(self.desc_label.heightForWidth(width))
        text = sum(parts) + self._texts.spacing() * (len(parts) - 1)
        return max(text, self.picture.height()) + m.top() + m.bottom() + 2 * TILE_BORDER


class MenuScreen(FlowScreen):
    """Greeting and service tiles; a tile sends CHOOSE_SERVICE with its menu entry's name.

    `icons` are the services' pictograms by menu entry (ui/services/<name>/); a tile is made
    the first time the flow lists its entry.
    """

    SCREEN = Screen.MENU

    def __init__(self, catalog: MessageCatalog, theme: Theme, icons: Mapping[str, IconDrawing] | None = None) -> None:
        self._icons = dict(icons or {})
        super().__init__(catalog, theme)

    def build_body(self) -> None:
        self._tiles_shown: list[ServiceTileButton] = []
        self._with_descriptions = True
        self._placing = False
        self.greeting_label = self.label("heading", name="menu_greeting")
        self.ssn_label = self.label("muted", wrap=False, name="menu_ssn")
        greeting = QHBoxLayout()
        greeting.setSpacing(24)
        greeting.addWidget(self.greeting_label, 1)
        greeting.addWidget(self.ssn_label, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._greeting = greeting
        self.grid_widget = QWidget()
        self.grid_widget.setObjectName("menu_grid")
        self.tiles: dict[str, ServiceTileButton] = {}
        for service in self._icons:
            self._tile(service)
        self._grid = QGridLayout(self.grid_widget)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.body.addLayout(greeting)
        self.body.addWidget(self.grid_widget)
        self.body.addStretch(1)
        self.body_widget.installEventFilter(self)

    def title_key(self, state: FlowState) -> str:
        return "menu.title"

    def first_focus(self) -> QWidget | None:
        available = [tile for tile in self._tiles_shown if tile.isEnabled()]
        return available[0] if available else super().first_focus()

    def _picture_px(self) -> int:
        return round(self.theme.font_px("title", self.elder) * 1.3)

    def _tile(self, service: str) -> ServiceTileButton:
        if service not in self.tiles:
            tile = ServiceTileButton(service)
            tile.setParent(self.grid_widget)
            tile.activated.connect(lambda service=service: self._chosen(service))
            tile.hide()
            gap = self.theme.spacing_px(self.elder)
            tile.set_metrics(gap, gap, self._picture_px())
            self.tiles[service] = tile
        return self.tiles[service]

    def _chosen(self, service: str) -> None:
        tile = self.tiles[service]
        if tile.isEnabled():   # never for an unavailable service, however the press arrived
            self.emit_intent(Intent.CHOOSE_SERVICE, service)

    def on_style_changed(self) -> None:
        th, elder = self.theme, self.elder
        self.setStyleSheet(identify_stylesheet(th, elder) + f"""
QPushButton[tile="true"] {{ padding: 0px; text-align: left; }}
QLabel[tilepart="title"] {{ font-size: {th.font_px("heading", elder)}px; font-weight: 700; color: {th.primary}; }}
QLabel[tilepart="title"]:disabled {{ color: {th.muted}; }}
""")
        gap = th.spacing_px(elder)
        # Tiles sit 4 mm apart (twice the minimum); the vertical room goes to their words.
        self._grid.setSpacing(th.px(4.0))
        for tile in self.tiles.values():
            tile.set_metrics(gap, gap, self._picture_px())

    # --- drawing ------------------------------------------------------------------------------
    def draw(self, state: FlowState) -> None:
        th = self.theme
        citizen = state.citizen
        self.greeting_label.setVisible(citizen is not None)
        self.ssn_label.setVisible(citizen is not None)
        # Without a citizen (the wipe at session end) the old name must not linger, even hidden.
        self.greeting_label.setText(self.t("menu.greeting", name=citizen.name) if citizen is not None else "")
        self.ssn_label.setText(self.t("menu.ssn", ssn=citizen.ssn_masked) if citizen is not None else "")
        shown: list[ServiceTileButton] = []
        seen: set[str] = set()
        for entry in state.menu:
            if entry.service in seen:
                continue
            seen.add(entry.service)
            tile = self._tile(entry.service)
            self._draw_tile(tile, entry)
            shown.append(tile)
        for tile in self.tiles.values():
            if tile not in shown:
                tile.hide()
        self._tiles_shown = shown
        picture = self._picture_px()
        for tile in shown:
            color = th.primary if tile.isEnabled() else th.muted
            tile.picture.setPixmap(service_icon(self._icons.get(tile.service, draw_generic_service), picture, color).pixmap(picture, picture))
        for first, second in zip(shown, shown[1:]):
            self.setTabOrder(first, second)
        self._place_tiles()

    def _draw_tile(self, tile: ServiceTileButton, entry: ServiceTile) -> None:
        th = self.theme
        prefix = f"menu.service.{entry.service}"
        title = self.t(f"{prefix}.title")
        description = self.t(f"{prefix}.desc")
        tile.title_label.setText(title)
        tile.desc_label.setText(description)
        tile.setEnabled(entry.available)
        if entry.available:
            tile.reason_line.hide()
            tile.setAccessibleName(f"{title}: {description}")
        else:
            reason = self.t(entry.reason_key) if entry.reason_key else ""
            tile.reason_line.set("warning", reason, th.warning, icon_size(self), tone="warning")
            tile.reason_line.setVisible(bool(reason))
            tile.desc_label.hide()
            tile.setAccessibleName(self.t("menu.unavailable.accessible", title=title, reason=reason))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.body_widget and event.type() == QEvent.Type.Resize and self._tiles_shown \
                and not self._placing:
            self._place_tiles()
        return super().eventFilter(watched, event)

    def _place_tiles(self) -> None:
        """Two columns of tiles, each row as tall as its words need and the panel allows."""
        tiles = self._tiles_shown
        for tile in tiles:
            tile.ensurePolished()
        take_all(self._grid)
        if not tiles:
            return
        th = self.theme
        gap = self._grid.spacing()
        columns = 1 if len(tiles) == 1 else (2 if len(tiles) <= 6 else 3)
        rows = math.ceil(len(tiles) / columns)
        for index, tile in enumerate(tiles):
            self._grid.addWidget(tile, index // columns, index % columns)
            tile.show()
        for column in range(3):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)

        # Let go of the last sizes first: the room is what the screen gives the body, not
        # what the tiles asked for last time (elder mode, a smaller panel).
        for tile in tiles:
            tile.setMinimumHeight(0)
            tile.setMaximumHeight(16777215)
        self.grid_widget.setMinimumHeight(0)
        self.grid_widget.setMaximumHeight(16777215)
        self._placing = True
        try:
            settle(self)
        finally:
            self._placing = False
        width = self.body_widget.width()
        tile_width = (width - gap * (columns - 1)) // columns
        greeting = self._greeting.sizeHint().height() + self.body.spacing() if self.greeting_label.isVisibleTo(self) else 0
        room = self.body_widget.height() - greeting - gap * (rows - 1)
        grid_rows = [tiles[i:i + columns] for i in range(0, len(tiles), columns)]

        def needs(with_description: bool) -> list[int]:
            return [max(tile.needed_height(tile_width, with_description) for tile in row) for row in grid_rows]

        # Each row as tall as its words need (a tile explaining why it is unavailable needs
        # more), then the room left shared out, up to a comfortable tile height.
        needed = needs(True)
        with_descriptions = sum(needed) <= room
        if not with_descriptions:
            needed = needs(False)
        self._with_descriptions = with_descriptions
        for tile in tiles:
            tile.desc_label.setVisible(with_descriptions and tile.isEnabled())
        comfortable = round(th.min_target_px(self.elder) * 3.6)
        share = max(0, room - sum(needed)) // rows
        heights = [min(max(need, comfortable), need + share) for need in needed]
        for row, height in zip(grid_rows, heights):
            for tile in row:
                tile.setFixedHeight(height)
        self.grid_widget.setFixedHeight(sum(heights) + gap * (rows - 1))

    def descriptions_shown(self) -> bool:
        return self._with_descriptions
