"""Pictograms and small button icons, drawn with QPainter from theme colours.

Drawn rather than loaded so they follow branding colours, scale crisply to any
panel, and need neither the QtSvg module nor files at start-up.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPaintEvent, QPen, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.theme import Theme

CHIP_GOLD = "#C99A2E"
_PICTO_W, _PICTO_H = 240.0, 160.0  # logical canvas; painted scaled to fit

PICTOGRAM_KINDS = ("card_insert", "qr_scan")


class Pictogram(QWidget):
    """A decorative instruction picture that shrinks before any text does."""

    def __init__(self, kind: str, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if kind not in PICTOGRAM_KINDS:
            raise ValueError(f"unknown pictogram {kind!r}")
        self._kind = kind
        self._theme = theme
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(96, 64)
        self._hint = QSize(300, 200)

    def kind(self) -> str:
        return self._kind

    def set_preferred_height(self, px: int) -> None:
        self._hint = QSize(round(px * _PICTO_W / _PICTO_H), px)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return self._hint

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = min(self.width() / _PICTO_W, self.height() / _PICTO_H)
        painter.translate((self.width() - _PICTO_W * scale) / 2,
                          (self.height() - _PICTO_H * scale) / 2)
        painter.scale(scale, scale)
        if self._kind == "card_insert":
            _draw_card_insert(painter, self._theme)
        else:
            _draw_qr_scan(painter, self._theme)
        painter.end()


def _draw_card_insert(p: QPainter, t: Theme) -> None:
    primary, dark = QColor(t.primary), QColor(t.text)
    card = QRectF(62, 4, 116, 104)        # lower part hidden by the reader's lip
    slot = QRectF(50, 98, 140, 12)
    # Reader body and the slot opening.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(dark)
    p.drawRoundedRect(QRectF(30, 90, 180, 64), 12, 12)
    p.setBrush(QColor(t.background))
    p.drawRoundedRect(slot, 6, 6)
    # The card, chip facing the viewer, going into the slot.
    p.setBrush(primary)
    p.drawRoundedRect(card, 9, 9)
    p.setBrush(QColor(t.surface))
    p.drawRoundedRect(QRectF(card.left() + 12, card.top() + 50, 60, 6), 3, 3)
    p.drawRoundedRect(QRectF(card.left() + 12, card.top() + 61, 40, 6), 3, 3)
    p.setBrush(QColor(CHIP_GOLD))
    chip = QRectF(card.left() + 14, card.top() + 14, 26, 22)
    p.drawRoundedRect(chip, 4, 4)
    p.setPen(QPen(QColor(t.primary_active), 1.6))
    p.drawLine(QPointF(chip.left(), chip.center().y()), QPointF(chip.right(), chip.center().y()))
    p.drawLine(QPointF(chip.center().x(), chip.top()), QPointF(chip.center().x(), chip.bottom()))
    # The reader's front lip covers the card's lower edge.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(dark)
    lip = QPainterPath()
    lip.addRoundedRect(QRectF(30, 104, 180, 50), 12, 12)
    lip.addRect(QRectF(30, 104, 180, 14))
    p.drawPath(lip.simplified())
    p.setBrush(QColor(t.focus_ring))
    p.drawEllipse(QPointF(188, 134), 5, 5)  # reader LED
    # Down arrow beside the card.
    p.setBrush(primary)
    arrow = QPolygonF([QPointF(197, 14), QPointF(215, 14), QPointF(215, 48), QPointF(228, 48),
                       QPointF(206, 76), QPointF(184, 48), QPointF(197, 48)])
    p.drawPolygon(arrow)


def _qr_modules(n: int = 21) -> list[tuple[int, int]]:
    """A fixed QR-like module pattern: three finder squares plus filler."""
    cells = []
    finders = [(0, 0), (n - 7, 0), (0, n - 7)]
    for y in range(n):
        for x in range(n):
            in_finder = None
            for fx, fy in finders:
                if fx - 1 <= x <= fx + 7 and fy - 1 <= y <= fy + 7:
                    in_finder = (fx, fy)
            if in_finder:
                fx, fy = in_finder
                dx, dy = x - fx, y - fy
                if 0 <= dx <= 6 and 0 <= dy <= 6:
                    ring = dx in (0, 6) or dy in (0, 6)
                    core = 2 <= dx <= 4 and 2 <= dy <= 4
                    if ring or core:
                        cells.append((x, y))
            elif (x * 7 + y * 13 + x * y * 3) % 5 in (0, 2):
                cells.append((x, y))
    return cells


def _draw_qr_scan(p: QPainter, t: Theme) -> None:
    primary, dark = QColor(t.primary), QColor(t.text)
    # Phone.
    phone = QRectF(84, 6, 80, 148)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(dark)
    p.drawRoundedRect(phone, 12, 12)
    p.setBrush(QColor(t.surface))
    screen = phone.adjusted(7, 16, -7, -16)
    p.drawRoundedRect(screen, 4, 4)
    # QR code on the phone screen.
    n = 21
    size = screen.width() - 10
    cell = size / n
    origin = QPointF(screen.left() + 5, screen.center().y() - size / 2)
    p.setBrush(dark)
    for x, y in _qr_modules(n):
        p.drawRect(QRectF(origin.x() + x * cell, origin.y() + y * cell, cell + 0.25, cell + 0.25))
    # Scanner viewfinder corners around the code.
    frame = QRectF(origin.x() - 22, origin.y() - 22, size + 44, size + 44)
    pen = QPen(primary, 7)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    arm = 20
    for cx, cy, sx, sy in ((frame.left(), frame.top(), 1, 1), (frame.right(), frame.top(), -1, 1),
                           (frame.left(), frame.bottom(), 1, -1), (frame.right(), frame.bottom(), -1, -1)):
        path = QPainterPath(QPointF(cx, cy + sy * arm))
        path.lineTo(cx, cy)
        path.lineTo(cx + sx * arm, cy)
        p.drawPath(path)
    # Scan line.
    p.setPen(QPen(QColor(t.danger), 3))
    p.drawLine(QPointF(frame.left() + 10, frame.center().y()), QPointF(frame.right() - 10, frame.center().y()))


# --- small icons for buttons -----------------------------------------------------------

ICON_KINDS = ("checkbox_off", "checkbox_on", "speaker", "globe", "staff", "scan", "help", "back", "exit", "warning", "check", "printer")


def apply_icons(icons: dict, px: int, fill: str) -> None:
    """Give each button (key) its icon (value: kind, colour) at `px` pixels."""
    for button, (kind, color) in icons.items():
        button.setIcon(make_icon(kind, px, color, fill))
        button.setIconSize(QSize(px, px))


def begin_icon(px: int, color: str, stroke: float = 2.2) -> tuple[QPixmap, QPainter, QColor]:
    """A transparent `px` square and a painter on a 24-unit grid with the house stroke (round, 2.2)."""
    pixmap = QPixmap(px, px)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(px / 24.0, px / 24.0)
    c = QColor(color)
    pen = QPen(c, stroke)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    return pixmap, p, c


@functools.lru_cache(maxsize=512)
def make_icon(kind: str, px: int, color: str, fill: str = "#FFFFFF") -> QIcon:
    """A square icon `px` pixels wide in `color` (`fill` is the inside of a box).

    Cached: every screen draw asks for the same few icons again; painting them once is enough.
    """
    if kind not in ICON_KINDS:
        raise ValueError(f"unknown icon {kind!r}")
    pixmap, p, c = begin_icon(px, color)
    if kind in ("checkbox_off", "checkbox_on"):
        p.setBrush(QColor(fill))
        p.drawRoundedRect(QRectF(2.5, 2.5, 19, 19), 3, 3)
        if kind == "checkbox_on":
            p.setBrush(c)
            p.drawRoundedRect(QRectF(2.5, 2.5, 19, 19), 3, 3)
            tick = QPen(QColor(fill), 3)
            tick.setCapStyle(Qt.PenCapStyle.RoundCap)
            tick.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(tick)
            p.drawPolyline(QPolygonF([QPointF(6.5, 12.5), QPointF(10.5, 16.5), QPointF(17.5, 7.5)]))
    elif kind == "speaker":
        p.setBrush(c)
        p.drawPolygon(QPolygonF([QPointF(3, 9), QPointF(7, 9), QPointF(12, 4.5), QPointF(12, 19.5),
                                 QPointF(7, 15), QPointF(3, 15)]))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(9, 7.5, 8, 9), -60 * 16, 120 * 16)
        p.drawArc(QRectF(9, 4, 13, 16), -60 * 16, 120 * 16)
    elif kind == "globe":
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        p.drawEllipse(QRectF(7.5, 2.5, 9, 19))
        p.drawLine(QPointF(2.5, 12), QPointF(21.5, 12))
        p.drawLine(QPointF(12, 2.5), QPointF(12, 21.5))
    elif kind == "staff":
        p.setBrush(c)
        p.drawEllipse(QRectF(8, 2.5, 8, 8))
        path = QPainterPath(QPointF(3.5, 21.5))
        path.cubicTo(3.5, 14, 8, 12.5, 12, 12.5)
        path.cubicTo(16, 12.5, 20.5, 14, 20.5, 21.5)
        path.closeSubpath()
        p.drawPath(path)
    elif kind == "scan":
        for cx, cy, sx, sy in ((3, 3, 1, 1), (21, 3, -1, 1), (3, 21, 1, -1), (21, 21, -1, -1)):
            p.drawPolyline(QPolygonF([QPointF(cx, cy + sy * 6), QPointF(cx, cy), QPointF(cx + sx * 6, cy)]))
        p.drawLine(QPointF(6, 12), QPointF(18, 12))
    elif kind == "help":
        p.drawEllipse(QRectF(2.5, 2.5, 19, 19))
        path = QPainterPath(QPointF(9, 9.5))
        path.cubicTo(9, 5.5, 15, 5.5, 15, 9.5)
        path.cubicTo(15, 12, 12, 12, 12, 14.5)
        p.drawPath(path)
        p.setBrush(c)
        p.drawEllipse(QPointF(12, 18), 1.2, 1.2)
    elif kind == "back":
        p.drawPolyline(QPolygonF([QPointF(11, 5), QPointF(4, 12), QPointF(11, 19)]))
        p.drawLine(QPointF(4.5, 12), QPointF(20, 12))
    elif kind == "exit":
        p.drawPolyline(QPolygonF([QPointF(13, 3.5), QPointF(4, 3.5), QPointF(4, 20.5), QPointF(13, 20.5)]))
        p.drawLine(QPointF(9, 12), QPointF(21, 12))
        p.drawPolyline(QPolygonF([QPointF(17, 8), QPointF(21, 12), QPointF(17, 16)]))
    elif kind == "warning":
        # Owed/deferred months: a triangle with "!" so colour is never the only signal.
        p.drawPolygon(QPolygonF([QPointF(12, 3), QPointF(22, 20.5), QPointF(2, 20.5)]))
        p.drawLine(QPointF(12, 9), QPointF(12, 14))
        p.setBrush(c)
        p.drawEllipse(QPointF(12, 17.3), 1.1, 1.1)
    elif kind == "check":
        p.drawPolyline(QPolygonF([QPointF(4, 12.5), QPointF(9.5, 18), QPointF(20, 6)]))
    elif kind == "printer":
        p.drawRect(QRectF(6.5, 3, 11, 6))
        p.drawRoundedRect(QRectF(2.5, 9, 19, 9), 2, 2)
        p.setBrush(QColor(fill))
        p.drawRect(QRectF(6.5, 14, 11, 7))
    p.end()
    return QIcon(pixmap)


def mirrored_icon(kind: str, px: int, color: str, fill: str = "#FFFFFF") -> QIcon:
    """A pictogram flipped left-right (the "back" arrow becomes "next")."""
    return QIcon(make_icon(kind, px, color, fill).pixmap(px, px).transformed(QTransform().scale(-1, 1)))
