"""The contributions screen and its menu picture."""

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from ui.services import ServiceScreens
from ui.services.contributions.screens import ContributionsScreen


def draw_menu_icon(p: QPainter, c: QColor) -> None:
    """A calendar of monthly payments."""
    p.drawRoundedRect(QRectF(3, 5, 18, 16), 2, 2)
    p.drawLine(QPointF(3, 9.5), QPointF(21, 9.5))
    p.drawLine(QPointF(8, 3), QPointF(8, 6.5))
    p.drawLine(QPointF(16, 3), QPointF(16, 6.5))
    p.setBrush(c)
    p.setPen(Qt.PenStyle.NoPen)
    for row in range(2):
        for col in range(3):
            p.drawRect(QRectF(6 + col * 5, 12 + row * 4.5, 2.6, 2.6))


SCREENS = ServiceScreens("contributions", (ContributionsScreen,), {"contributions": draw_menu_icon})
