"""The issuing office's round seal (公章) on the certificate, drawn as vector outlines.

Laid out as a Chinese official round seal is: a red ring; the office's name along the
upper arc inside the ring, read clockwise from the lower left, each character turned so
its top faces the ring; a five-pointed star in the middle; the seal's purpose (such as
业务专用章) on a horizontal line below the star. Everything stays inside the ring: the
arc spans at most `MAX_ARC_DEGREES`, and a long name is first condensed (narrower
characters, as seal engravers do) and only then set smaller.

The characters are drawn as outlines (QPainterPath), not as text: a seal is a picture,
and its characters must not mix into the certificate's extractable text. The printed
seal marks where the office's seal sits; a certificate's authenticity comes from its
verification code and QR code, never from this drawing.

`seal_layout` computes the geometry (tests check that every glyph lies inside the ring);
`paint_seal` draws it; `paint_seal_image` draws an office's own seal image instead, when one is
configured (`A4Document.seal_image`).
"""

from __future__ import annotations

import dataclasses
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform

SEAL_RED = QColor("#c8102e")
RING_WIDTH = 0.055          # of the radius
RING_GAP = 0.06             # between the ring's inner edge and the corners of the name's characters
NAME_HEIGHT = 0.25          # the name's character height
NAME_ADVANCE = 1.12         # of the character width: a little air between characters
MAX_ARC_DEGREES = 240.0     # the name never runs further down than this span allows
MIN_CONDENSE = 0.55         # narrowest a character is squeezed before the size goes down
STAR_RADIUS = 0.30
PURPOSE_HEIGHT = 0.19
PURPOSE_CENTRE_Y = 0.56     # below the centre
_OUTLINE_PIXELS = 400       # glyph outlines are taken at this size, then scaled into place


@dataclasses.dataclass(frozen=True)
class Glyph:
    """One character of the seal: centre (relative to the seal's centre), rotation, size."""

    char: str
    x: float
    y: float
    rotation_degrees: float   # clockwise, 0 = upright
    height: float             # em box height
    width: float              # em box width after condensing

    def corners(self) -> list[tuple[float, float]]:
        """The corners of the character's em box on the page, relative to the seal's centre."""
        angle = math.radians(self.rotation_degrees)
        cos, sin = math.cos(angle), math.sin(angle)
        points = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            px, py = dx * self.width / 2, dy * self.height / 2
            points.append((self.x + px * cos - py * sin, self.y + px * sin + py * cos))
        return points


@dataclasses.dataclass(frozen=True)
class SealLayout:
    radius: float
    ring_width: float
    name: tuple[Glyph, ...]
    purpose: tuple[Glyph, ...]
    star_radius: float

    @property
    def inner_radius(self) -> float:
        """The ring's inner edge: everything else must stay within it."""
        return self.radius - self.ring_width


def seal_layout(office: str, purpose: str, radius: float) -> SealLayout:
    """Where each character of the seal goes, for a seal of `radius` (any unit)."""
    ring = RING_WIDTH * radius
    inner = radius - ring          # the ring is stroked inside the seal's radius
    room = inner - RING_GAP * radius
    office = "".join(office.split())
    purpose = "".join(purpose.split())
    name: list[Glyph] = []
    if office:
        height = NAME_HEIGHT * radius
        limit = math.radians(MAX_ARC_DEGREES) / len(office)
        while True:
            # Characters sit on a circle such that their outer corners stay `room` from the centre.
            width = height
            for _ in range(3):  # width depends on the circle, the circle on the width: settle it
                centre_radius = math.sqrt(room ** 2 - (width / 2) ** 2) - height / 2
                step = width * NAME_ADVANCE / centre_radius                 # radians a character takes
                width = height * min(1.0, limit / (height * NAME_ADVANCE / centre_radius))
            condense = width / height
            if condense >= MIN_CONDENSE or height < 0.1 * radius:
                break
            height *= 0.92
        step = min(step, limit)
        first = -math.pi / 2 - step * (len(office) - 1) / 2                 # top of the seal is -90 degrees
        for index, char in enumerate(office):
            angle = first + index * step
            name.append(Glyph(char, centre_radius * math.cos(angle), centre_radius * math.sin(angle),
                              math.degrees(angle) + 90.0, height, width))
    purpose_glyphs: list[Glyph] = []
    if purpose:
        height = PURPOSE_HEIGHT * radius
        centre_y = PURPOSE_CENTRE_Y * radius
        # The line must fit the chord at its lower edge, with a little air inside the ring.
        half_chord = math.sqrt(max(0.0, room ** 2 - (centre_y + height / 2) ** 2))
        width = min(height, 2 * half_chord / len(purpose))
        if width < height * MIN_CONDENSE:
            height = width / MIN_CONDENSE
        start = -width * (len(purpose) - 1) / 2
        purpose_glyphs = [Glyph(char, start + index * width, centre_y, 0.0, height, width)
                          for index, char in enumerate(purpose)]
    return SealLayout(radius, ring, tuple(name), tuple(purpose_glyphs), STAR_RADIUS * radius)


def _glyph_path(glyph: Glyph, font: QFont) -> QPainterPath:
    """The character's outline, centred on its em box, condensed and turned into place."""
    size = _OUTLINE_PIXELS
    sized = QFont(font)
    sized.setPixelSize(size)
    path = QPainterPath()
    path.addText(QPointF(0, 0), sized, glyph.char)
    box = path.boundingRect()
    advance = QFontMetricsF(sized).horizontalAdvance(glyph.char) or box.width() or size
    # The advance box centred horizontally, the ink vertically (CJK ink nearly fills the em box).
    transform = QTransform()
    transform.translate(glyph.x, glyph.y)
    transform.rotate(glyph.rotation_degrees)
    transform.scale(glyph.width / advance, glyph.height / size)
    transform.translate(-advance / 2, -box.center().y())
    return transform.map(path)


def _star(radius: float) -> QPolygonF:
    inner = radius * 0.382
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        reach = radius if index % 2 == 0 else inner
        points.append(QPointF(reach * math.cos(angle), reach * math.sin(angle)))
    return QPolygonF(points)


def paint_seal(painter: QPainter, centre: QPointF, layout: SealLayout, font: QFont) -> None:
    """Ring, name, star and purpose in seal red, centred on `centre` (the layout's unit = painter units)."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.translate(centre)
        pen = QPen(SEAL_RED)
        pen.setWidthF(layout.ring_width)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(0, 0), layout.radius - layout.ring_width / 2, layout.radius - layout.ring_width / 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SEAL_RED)
        painter.drawPolygon(_star(layout.star_radius))
        outlines = QPainterPath()
        outlines.setFillRule(Qt.FillRule.WindingFill)
        for glyph in layout.name + layout.purpose:
            outlines.addPath(_glyph_path(glyph, font))
        painter.drawPath(outlines)
    finally:
        painter.restore()


def paint_seal_image(painter: QPainter, centre: QPointF, radius: float, image: QImage) -> None:
    """An office's own seal image, scaled to fit the seal's circle (aspect kept), centred."""
    if image.isNull():
        return
    scale = 2 * radius / max(image.width(), image.height())
    width, height = image.width() * scale, image.height() * scale
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height), image)
    finally:
        painter.restore()
